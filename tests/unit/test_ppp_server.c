/* The server role against our own client: two ppp instances wired back to
 * back with a fake clock, for every authentication method. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/bytes.h"
#include "ppp/ppp.h"
#include "testutil.h"

struct side {
	const char *name;
	struct ppp *p;
	struct side *peer;
	struct tu_capture q;   /* frames waiting for the other side */
	struct tu_capture log; /* everything sent (the first TU_FRAMES), for format checks */
	int auth_ok, ipcp_up, ipv6cp_up, dead, first_ncp_before_auth;
	struct ppp_auth_info auth;
	struct ppp_ipcp_info ipcp;
	struct ppp_ipv6cp_info ipv6cp;
	struct ppp_down_info down;
	char reason[256];
	uint32_t rnd;
	int drop_next; /* frames of this side to lose (retransmission tests) */
};

static void s_output(void *ctx, const uint8_t *f, size_t len)
{
	struct side *s = ctx;
	ck_assert_uint_ge(len, 4);
	uint16_t proto = be16_get(f + 2);
	if ((proto == 0x8021 || proto == 0x8057) && !s->auth_ok)
		s->first_ncp_before_auth = 1;
	if (s->log.n < TU_FRAMES)
		tu_capture_add(&s->log, f, len);
	if (s->drop_next > 0) {
		s->drop_next--;
		return;
	}
	tu_capture_add(&s->q, f, len);
}

static void s_event(void *ctx, enum ppp_event ev, const void *arg)
{
	struct side *s = ctx;
	switch (ev) {
	case PPP_EV_AUTH_OK:
		s->auth_ok++;
		s->auth = *(const struct ppp_auth_info *)arg;
		break;
	case PPP_EV_IPCP_UP:
		s->ipcp_up++;
		s->ipcp = *(const struct ppp_ipcp_info *)arg;
		break;
	case PPP_EV_IPV6CP_UP:
		s->ipv6cp_up++;
		s->ipv6cp = *(const struct ppp_ipv6cp_info *)arg;
		break;
	case PPP_EV_IPCP_DOWN:
	case PPP_EV_IPV6CP_DOWN:
		break;
	case PPP_EV_DISCARDED:
		break;
	case PPP_EV_EAP_RELAY:
		break;
	case PPP_EV_DEAD:
		s->dead++;
		s->down = *(const struct ppp_down_info *)arg;
		snprintf(s->reason, sizeof(s->reason), "%s", s->down.reason ? s->down.reason : "");
		break;
	}
}

static void s_random(void *ctx, void *buf, size_t len)
{
	struct side *s = ctx;
	uint8_t *b = buf;
	for (size_t i = 0; i < len; i++) {
		s->rnd = s->rnd * 1103515245u + 12345u;
		b[i] = (uint8_t)(s->rnd >> 16);
	}
}

static bool s_secret(void *ctx, const char *user, char *pw, size_t pwlen)
{
	(void)ctx;
	if (strcmp(user, "alice") && strcmp(user, "CORP\\alice"))
		return false;
	snprintf(pw, pwlen, "%s", "s3cret-\xc3\xa9"); /* non-ASCII: UTF-16LE matters */
	return true;
}

static const struct ppp_ops ops = {.output = s_output, .event = s_event, .get_secret = s_secret};

#define IP(a, b, c, d) htonl((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

struct pair {
	struct side cli, srv;
	struct ppp_config ccfg, scfg;
	uint64_t now;
};

static void pair_init(struct pair *w)
{
	memset(w, 0, sizeof(*w));
	w->cli.name = "client";
	w->srv.name = "server";
	w->cli.rnd = 1;
	w->srv.rnd = 777;
	w->ccfg = (struct ppp_config){
	    .role = PPP_CLIENT,
	    .mru = 1400,
	    .username = "alice",
	    .password = "s3cret-\xc3\xa9",
	    .auth = {PPP_AUTH_MSCHAPV2},
	    .ipv4 = true,
	    .random = s_random,
	};
	w->scfg = (struct ppp_config){
	    .role = PPP_SERVER,
	    .mru = 1500,
	    .auth = {PPP_AUTH_MSCHAPV2},
	    .hostname = "sstpd-test",
	    .ipv4 = true,
	    .local_ip4 = IP(10, 7, 0, 1),
	    .peer_ip4 = IP(10, 7, 0, 2),
	    .dns4 = {IP(10, 7, 0, 53), IP(10, 7, 0, 54)},
	    .local_ifid = {0, 0, 0, 0, 0, 0, 0, 1},
	    .random = s_random,
	};
}

static void pump_queue(struct side *from, uint64_t now)
{
	/* the receiver's answers go to its own queue, never to this one */
	for (int i = 0; i < from->q.n; i++) {
		size_t len;
		const uint8_t *f = tu_frame(&from->q, i, &len);
		ppp_input(from->peer->p, f, len, now);
	}
	tu_capture_reset(&from->q);
}

static bool settled(struct pair *w)
{
	bool c = w->cli.dead ||
		 ((!w->ccfg.ipv4 || w->cli.ipcp_up) && (!w->ccfg.ipv6 || w->cli.ipv6cp_up));
	bool s = w->srv.dead ||
		 ((!w->scfg.ipv4 || w->srv.ipcp_up) && (!w->scfg.ipv6 || w->srv.ipv6cp_up));
	return c && s && !w->cli.q.n && !w->srv.q.n;
}

/* Runs both ends until both have their NCPs up or are dead; returns the steps. */
static int pair_run(struct pair *w)
{
	w->cli.peer = &w->srv;
	w->srv.peer = &w->cli;
	w->cli.p = ppp_new(&w->ccfg, &ops, &w->cli);
	w->srv.p = ppp_new(&w->scfg, &ops, &w->srv);
	ck_assert_ptr_nonnull(w->cli.p);
	ck_assert_ptr_nonnull(w->srv.p);
	ppp_lower_up(w->srv.p, w->now);
	ppp_lower_up(w->cli.p, w->now);
	int steps = 0;
	for (; steps < 2000 && !settled(w); steps++) {
		if (w->cli.q.n || w->srv.q.n) {
			w->now += 1;
			pump_queue(&w->srv, w->now);
			pump_queue(&w->cli, w->now);
			continue;
		}
		uint64_t dc = ppp_deadline(w->cli.p), ds = ppp_deadline(w->srv.p);
		uint64_t d = dc < ds ? dc : ds;
		if (d == UINT64_MAX)
			break;
		if (d > w->now)
			w->now = d;
		ppp_timeout(w->cli.p, w->now);
		ppp_timeout(w->srv.p, w->now);
	}
	return steps;
}

static void pair_free(struct pair *w)
{
	ppp_free(w->cli.p);
	ppp_free(w->srv.p);
}

static const uint8_t zero32[32];

static void check_up(struct pair *w, enum ppp_auth method)
{
	ck_assert_msg(!w->cli.dead, "client dead: %s", w->cli.reason);
	ck_assert_msg(!w->srv.dead, "server dead: %s", w->srv.reason);
	ck_assert_int_eq(w->cli.auth_ok, 1);
	ck_assert_int_eq(w->srv.auth_ok, 1);
	ck_assert_int_eq(w->cli.auth.method, method);
	ck_assert_int_eq(w->srv.auth.method, method);
	ck_assert_int_eq(w->cli.first_ncp_before_auth, 0);
	ck_assert_int_eq(w->srv.first_ncp_before_auth, 0);
	ck_assert_str_eq(w->srv.auth.peer_name, w->ccfg.username);
	bool keys = method == PPP_AUTH_MSCHAPV2 || method == PPP_AUTH_EAP_MSCHAPV2;
	ck_assert_int_eq(w->cli.auth.have_keys, keys);
	ck_assert_int_eq(w->srv.auth.have_keys, keys);
	if (keys) {
		ck_assert(memcmp(w->cli.auth.hlak, zero32, 32) != 0);
		ck_assert(memcmp(w->cli.auth.hlak, w->srv.auth.hlak, 32) == 0);
	} else {
		ck_assert(memcmp(w->srv.auth.hlak, zero32, 32) == 0);
	}
	ck_assert_int_eq(ppp_auth_method(w->cli.p), method);
	ck_assert_int_eq(ppp_auth_method(w->srv.p), method);
	if (w->ccfg.ipv4) {
		ck_assert_int_eq(w->cli.ipcp_up, 1);
		ck_assert_int_eq(w->srv.ipcp_up, 1);
		ck_assert_uint_eq(w->cli.ipcp.local, w->scfg.peer_ip4);
		ck_assert_uint_eq(w->cli.ipcp.peer, w->scfg.local_ip4);
		ck_assert_uint_eq(w->srv.ipcp.local, w->scfg.local_ip4);
		ck_assert_uint_eq(w->srv.ipcp.peer, w->scfg.peer_ip4);
		ck_assert_uint_eq(w->cli.ipcp.dns[0], w->scfg.dns4[0]);
		ck_assert_uint_eq(w->cli.ipcp.dns[1], w->scfg.dns4[1]);
	}
}

static void run_method(enum ppp_auth srv0, enum ppp_auth srv1, enum ppp_auth cli0,
		       enum ppp_auth cli1, enum ppp_auth want)
{
	struct pair w;
	pair_init(&w);
	w.scfg.auth[0] = srv0;
	w.scfg.auth[1] = srv1;
	w.ccfg.auth[0] = cli0;
	w.ccfg.auth[1] = cli1;
	pair_run(&w);
	check_up(&w, want);
	pair_free(&w);
}

START_TEST(mschapv2)
{
	run_method(PPP_AUTH_MSCHAPV2, 0, PPP_AUTH_MSCHAPV2, 0, PPP_AUTH_MSCHAPV2);
}
END_TEST

START_TEST(pap)
{
	run_method(PPP_AUTH_PAP, 0, PPP_AUTH_PAP, 0, PPP_AUTH_PAP);
}
END_TEST

START_TEST(client_prefers_pap)
{
	/* the server's first choice is allowed: the client takes it, whatever
	 * its own order (docs/config.md, authentication choice) */
	run_method(PPP_AUTH_MSCHAPV2, PPP_AUTH_PAP, PPP_AUTH_PAP, PPP_AUTH_MSCHAPV2,
		   PPP_AUTH_MSCHAPV2);
}
END_TEST

START_TEST(client_prefers_mschapv2)
{
	run_method(PPP_AUTH_PAP, PPP_AUTH_MSCHAPV2, PPP_AUTH_MSCHAPV2, PPP_AUTH_PAP, PPP_AUTH_PAP);
	/* only a method the client does not allow is Nak'd */
	run_method(PPP_AUTH_PAP, PPP_AUTH_MSCHAPV2, PPP_AUTH_MSCHAPV2, 0, PPP_AUTH_MSCHAPV2);
}
END_TEST

static void run_wrong_password(enum ppp_auth m, int code)
{
	struct pair w;
	pair_init(&w);
	w.scfg.auth[0] = m;
	w.ccfg.auth[0] = m;
	w.ccfg.password = "wrong";
	pair_run(&w);
	ck_assert_int_eq(w.cli.dead, 1);
	ck_assert_int_eq(w.srv.dead, 1);
	ck_assert_int_eq(w.cli.auth_ok, 0);
	ck_assert_int_eq(w.srv.auth_ok, 0);
	ck_assert_int_eq(w.cli.ipcp_up + w.srv.ipcp_up, 0);
	ck_assert(w.cli.down.auth_failed);
	ck_assert(w.srv.down.auth_failed);
	ck_assert_int_eq(w.cli.down.code, code);
	ck_assert_int_eq(w.srv.down.code, code);
	if (code == 691) {
		ck_assert_msg(strstr(w.cli.reason, "E=691") != NULL, "%s", w.cli.reason);
		ck_assert_msg(strstr(w.srv.reason, "691") != NULL, "%s", w.srv.reason);
	}
	ck_assert_msg(strstr(w.srv.reason, "alice") != NULL, "%s", w.srv.reason);
	/* both sides ended LCP with Terminate, not by timing out */
	ck_assert_msg(w.now < 3000, "took until %llu", (unsigned long long)w.now);
	pair_free(&w);
}

START_TEST(mschapv2_wrong_password)
{
	run_wrong_password(PPP_AUTH_MSCHAPV2, 691);
}
END_TEST

START_TEST(pap_wrong_password)
{
	run_wrong_password(PPP_AUTH_PAP, 0);
}
END_TEST

START_TEST(unknown_user)
{
	struct pair w;
	pair_init(&w);
	w.ccfg.username = "mallory";
	pair_run(&w);
	ck_assert_int_eq(w.cli.dead, 1);
	ck_assert_int_eq(w.srv.dead, 1);
	ck_assert_int_eq(w.cli.down.code, 691);
	ck_assert(w.cli.down.auth_failed);
	pair_free(&w);
}
END_TEST

START_TEST(chap_md5)
{
	run_method(PPP_AUTH_CHAP_MD5, 0, PPP_AUTH_CHAP_MD5, 0, PPP_AUTH_CHAP_MD5);
}
END_TEST

START_TEST(eap_mschapv2)
{
	run_method(PPP_AUTH_EAP_MSCHAPV2, 0, PPP_AUTH_EAP_MSCHAPV2, 0, PPP_AUTH_EAP_MSCHAPV2);
}
END_TEST

START_TEST(client_prefers_chap_md5)
{
	run_method(PPP_AUTH_MSCHAPV2, PPP_AUTH_CHAP_MD5, PPP_AUTH_CHAP_MD5, 0, PPP_AUTH_CHAP_MD5);
}
END_TEST

START_TEST(client_prefers_eap)
{
	/* MS-CHAPv2 asked first and allowed: taken */
	run_method(PPP_AUTH_MSCHAPV2, PPP_AUTH_EAP_MSCHAPV2, PPP_AUTH_EAP_MSCHAPV2,
		   PPP_AUTH_MSCHAPV2, PPP_AUTH_MSCHAPV2);
	/* EAP asked first and preferred by the client: taken at once */
	run_method(PPP_AUTH_EAP_MSCHAPV2, PPP_AUTH_MSCHAPV2, PPP_AUTH_EAP_MSCHAPV2,
		   PPP_AUTH_MSCHAPV2, PPP_AUTH_EAP_MSCHAPV2);
}
END_TEST

START_TEST(client_prefers_mschapv2_over_eap)
{
	run_method(PPP_AUTH_EAP_MSCHAPV2, PPP_AUTH_MSCHAPV2, PPP_AUTH_MSCHAPV2,
		   PPP_AUTH_EAP_MSCHAPV2, PPP_AUTH_MSCHAPV2);
}
END_TEST

START_TEST(client_suggests_unlisted_method)
{
	/* the client's choice (PAP) is not offered: the server's next method */
	run_method(PPP_AUTH_EAP_MSCHAPV2, PPP_AUTH_MSCHAPV2, PPP_AUTH_PAP, PPP_AUTH_MSCHAPV2,
		   PPP_AUTH_MSCHAPV2);
}
END_TEST

START_TEST(domain_user_name)
{
	/* the name goes into ChallengeHash exactly as sent, backslash included */
	struct pair w;
	pair_init(&w);
	w.ccfg.username = "CORP\\alice";
	pair_run(&w);
	check_up(&w, PPP_AUTH_MSCHAPV2);
	pair_free(&w);
}
END_TEST

START_TEST(chap_md5_wrong_password)
{
	run_wrong_password(PPP_AUTH_CHAP_MD5, 0);
}
END_TEST

START_TEST(eap_mschapv2_wrong_password)
{
	run_wrong_password(PPP_AUTH_EAP_MSCHAPV2, 691);
}
END_TEST

START_TEST(reject_auth_mode)
{
	static const enum ppp_auth ms[] = {PPP_AUTH_PAP, PPP_AUTH_CHAP_MD5, PPP_AUTH_MSCHAPV2,
					   PPP_AUTH_EAP_MSCHAPV2};
	for (size_t i = 0; i < 4; i++) {
		struct pair w;
		pair_init(&w);
		w.scfg.auth[0] = w.ccfg.auth[0] = ms[i];
		w.scfg.reject_auth = true;
		pair_run(&w);
		ck_assert_int_eq(w.cli.dead, 1);
		ck_assert_int_eq(w.srv.dead, 1);
		ck_assert(w.cli.down.auth_failed);
		ck_assert_int_eq(w.cli.down.code, ms[i] >= PPP_AUTH_MSCHAPV2 ? 691 : 0);
		pair_free(&w);
	}
}
END_TEST

START_TEST(no_common_method)
{
	struct pair w;
	pair_init(&w);
	w.scfg.auth[0] = PPP_AUTH_PAP;
	w.scfg.auth[1] = PPP_AUTH_CHAP_MD5;
	w.ccfg.auth[0] = PPP_AUTH_MSCHAPV2;
	pair_run(&w);
	ck_assert_int_eq(w.srv.dead, 1);
	ck_assert_int_eq(w.cli.dead, 1);
	ck_assert_msg(strstr(w.srv.reason, "refused every authentication method offered (PAP, "
					   "CHAP-MD5)") != NULL,
		      "%s", w.srv.reason);
	ck_assert_int_eq(w.srv.auth_ok + w.cli.auth_ok, 0);
	/* the client says which methods did not meet */
	ck_assert_str_eq(w.cli.reason,
			 "LCP: no common authentication method: the server offers only "
			 "PAP, CHAP-MD5; we allow MS-CHAPv2");
	ck_assert(w.cli.down.auth_failed);
	ck_assert_uint_eq(w.cli.down.server_auth, (1u << PPP_AUTH_PAP) | (1u << PPP_AUTH_CHAP_MD5));
	ck_assert_int_eq(w.cli.down.retry_with, PPP_AUTH_NONE);
	pair_free(&w);
}
END_TEST

/* pppd's server behaviour: a Nak of its only method ends the link. The
 * default client Naks EAP once (SoftEther quirk, lcp.c) and learns: the
 * failure names EAP as the method to take, and with it remembered
 * (auth_known) the next attempt comes up with EAP-MSCHAPv2. */
START_TEST(eap_only_server_gives_up_after_nak)
{
	struct pair w;
	pair_init(&w);
	w.scfg.auth[0] = PPP_AUTH_EAP_MSCHAPV2;
	w.scfg.auth_giveup = true;
	w.ccfg.auth[0] = PPP_AUTH_MSCHAPV2;
	w.ccfg.auth[1] = PPP_AUTH_EAP_MSCHAPV2;
	pair_run(&w);
	ck_assert_int_eq(w.cli.dead, 1);
	ck_assert_int_eq(w.srv.dead, 1);
	ck_assert_int_eq(w.srv.auth_ok + w.cli.auth_ok, 0);
	ck_assert_msg(strstr(w.srv.reason, "refused EAP-MSCHAPv2, the only method") != NULL, "%s",
		      w.srv.reason);
	ck_assert_str_eq(
	    w.cli.reason,
	    "LCP: the server gave up when we Nak'd its EAP-MSCHAPv2 towards MS-CHAPv2");
	ck_assert(!w.cli.down.auth_failed);
	ck_assert_int_eq(w.cli.down.retry_with, PPP_AUTH_EAP_MSCHAPV2);
	ck_assert_uint_eq(w.cli.down.server_auth, 1u << PPP_AUTH_EAP_MSCHAPV2);
	pair_free(&w);

	pair_init(&w);
	w.scfg.auth[0] = PPP_AUTH_EAP_MSCHAPV2;
	w.scfg.auth_giveup = true;
	w.ccfg.auth[0] = PPP_AUTH_MSCHAPV2;
	w.ccfg.auth[1] = PPP_AUTH_EAP_MSCHAPV2;
	w.ccfg.auth_known = PPP_AUTH_EAP_MSCHAPV2;
	pair_run(&w);
	check_up(&w, PPP_AUTH_EAP_MSCHAPV2);
	pair_free(&w);
}
END_TEST

/* A server that gives up at once on a method we do not allow. */
START_TEST(pap_only_server_and_client_without_pap)
{
	struct pair w;
	pair_init(&w);
	w.scfg.auth[0] = PPP_AUTH_PAP;
	w.scfg.auth_giveup = true;
	w.ccfg.auth[0] = PPP_AUTH_MSCHAPV2;
	w.ccfg.auth[1] = PPP_AUTH_EAP_MSCHAPV2;
	pair_run(&w);
	ck_assert_int_eq(w.cli.dead, 1);
	ck_assert_str_eq(w.cli.reason,
			 "LCP: no common authentication method: the server offers only "
			 "PAP; we allow MS-CHAPv2, EAP-MSCHAPv2");
	ck_assert(w.cli.down.auth_failed);
	ck_assert_uint_eq(w.cli.down.server_auth, 1u << PPP_AUTH_PAP);
	ck_assert_str_eq(w.cli.down.server_offers, "PAP");
	pair_free(&w);
}
END_TEST

START_TEST(ipv6cp_both)
{
	struct pair w;
	pair_init(&w);
	w.ccfg.ipv6 = w.scfg.ipv6 = true;
	pair_run(&w);
	check_up(&w, PPP_AUTH_MSCHAPV2);
	ck_assert_int_eq(w.cli.ipv6cp_up, 1);
	ck_assert_int_eq(w.srv.ipv6cp_up, 1);
	ck_assert(memcmp(w.srv.ipv6cp.local_id, w.scfg.local_ifid, 8) == 0);
	ck_assert(memcmp(w.cli.ipv6cp.peer_id, w.scfg.local_ifid, 8) == 0);
	ck_assert(memcmp(w.cli.ipv6cp.local_id, w.srv.ipv6cp.peer_id, 8) == 0);
	ck_assert(memcmp(w.cli.ipv6cp.local_id, zero32, 8) != 0);
	pair_free(&w);
}
END_TEST

START_TEST(ipv6_only)
{
	struct pair w;
	pair_init(&w);
	w.ccfg.ipv4 = w.scfg.ipv4 = false;
	w.ccfg.ipv6 = w.scfg.ipv6 = true;
	pair_run(&w);
	check_up(&w, PPP_AUTH_MSCHAPV2);
	ck_assert_int_eq(w.cli.ipv6cp_up, 1);
	ck_assert_int_eq(w.srv.ipv6cp_up, 1);
	ck_assert_int_eq(w.cli.ipcp_up + w.srv.ipcp_up, 0);
	pair_free(&w);
}
END_TEST

START_TEST(no_dns_configured)
{
	struct pair w;
	pair_init(&w);
	w.scfg.dns4[0] = w.scfg.dns4[1] = 0;
	pair_run(&w);
	ck_assert_int_eq(w.cli.ipcp_up, 1);
	ck_assert_int_eq(w.srv.ipcp_up, 1);
	ck_assert_uint_eq(w.cli.ipcp.dns[0], 0);
	ck_assert_uint_eq(w.cli.ipcp.dns[1], 0);
	ck_assert_uint_eq(w.cli.ipcp.local, w.scfg.peer_ip4);
	pair_free(&w);
}
END_TEST

START_TEST(one_dns_configured)
{
	struct pair w;
	pair_init(&w);
	w.scfg.dns4[1] = 0;
	pair_run(&w);
	ck_assert_int_eq(w.cli.ipcp_up, 1);
	ck_assert_uint_eq(w.cli.ipcp.dns[0], w.scfg.dns4[0]);
	ck_assert_uint_eq(w.cli.ipcp.dns[1], 0);
	pair_free(&w);
}
END_TEST

/* The i-th frame of protocol proto that side s sent (NULL if none). */
static const uint8_t *sent(const struct side *s, uint16_t proto, int i, size_t *len)
{
	for (int k = 0; k < s->log.n; k++) {
		const uint8_t *f = tu_frame(&s->log, k, len);
		if (be16_get(f + 2) == proto && i-- == 0)
			return f;
	}
	return NULL;
}

START_TEST(eap_mschapv2_formats)
{
	/* draft-kamath-pppext-eap-mschapv2-02 and RFC 3748, byte by byte */
	struct pair w;
	pair_init(&w);
	w.scfg.auth[0] = w.ccfg.auth[0] = PPP_AUTH_EAP_MSCHAPV2;
	pair_run(&w);
	check_up(&w, PPP_AUTH_EAP_MSCHAPV2);
	size_t n;
	const uint8_t *f, *r;
	/* Request/Identity: code 1, length 5, type 1 */
	f = sent(&w.srv, 0xc227, 0, &n);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(n, 4 + 5);
	ck_assert_uint_eq(f[4], 1);
	ck_assert_uint_eq(be16_get(f + 6), 5);
	ck_assert_uint_eq(f[8], 1);
	r = sent(&w.cli, 0xc227, 0, &n); /* Response/Identity with the user name */
	ck_assert_uint_eq(r[4], 2);
	ck_assert_uint_eq(r[5], f[5]);
	ck_assert_uint_eq(r[8], 1);
	ck_assert(n == 9 + 5 && !memcmp(r + 9, "alice", 5));
	/* Request/MS-CHAPv2 Challenge: type 26, OpCode 1, MS-CHAPv2-ID = EAP id,
	 * MS-Length = Length - 5, Value-Size 16, challenge, our name */
	f = sent(&w.srv, 0xc227, 1, &n);
	ck_assert_uint_eq(f[4], 1);
	ck_assert_uint_ne(f[5], r[5]); /* a new identifier for a new request */
	ck_assert_uint_eq(be16_get(f + 6), n - 4);
	ck_assert_uint_eq(f[8], 26);
	ck_assert_uint_eq(f[9], 1);
	ck_assert_uint_eq(f[10], f[5]);
	ck_assert_uint_eq(be16_get(f + 11), be16_get(f + 6) - 5);
	ck_assert_uint_eq(f[13], 16);
	ck_assert_uint_eq(n, 4 + 10 + 16 + strlen("sstpd-test"));
	ck_assert(!memcmp(f + 30, "sstpd-test", 10));
	uint8_t msid = f[10];
	/* Response/MS-CHAPv2 Response: OpCode 2, same MS-CHAPv2-ID, Value-Size 49 */
	r = sent(&w.cli, 0xc227, 1, &n);
	ck_assert_uint_eq(r[5], f[5]);
	ck_assert_uint_eq(r[8], 26);
	ck_assert_uint_eq(r[9], 2);
	ck_assert_uint_eq(r[10], msid);
	ck_assert_uint_eq(be16_get(r + 11), be16_get(r + 6) - 5);
	ck_assert_uint_eq(r[13], 49);
	ck_assert_uint_eq(n, 4 + 10 + 49 + 5);
	/* Request/MS-CHAPv2 Success: OpCode 3, the Response's MS-CHAPv2-ID,
	 * "S=<40 hex> M=Welcome" */
	f = sent(&w.srv, 0xc227, 2, &n);
	ck_assert_uint_eq(f[4], 1);
	ck_assert_uint_ne(f[5], r[5]);
	ck_assert_uint_eq(f[8], 26);
	ck_assert_uint_eq(f[9], 3);
	ck_assert_uint_eq(f[10], msid);
	ck_assert_uint_eq(be16_get(f + 11), be16_get(f + 6) - 5);
	ck_assert_uint_eq(n, 4 + 9 + 42 + 10);
	ck_assert(!memcmp(f + 13, "S=", 2) && !memcmp(f + 13 + 42, " M=Welcome", 10));
	for (int i = 2; i < 42; i++)
		ck_assert(strchr("0123456789ABCDEF", f[13 + i]) != NULL);
	/* Response/MS-CHAPv2 Success: the OpCode alone */
	r = sent(&w.cli, 0xc227, 2, &n);
	ck_assert_uint_eq(n, 4 + 6);
	ck_assert_uint_eq(r[5], f[5]);
	ck_assert_uint_eq(r[8], 26);
	ck_assert_uint_eq(r[9], 3);
	/* EAP Success: 4 bytes with the identifier of that Response */
	f = sent(&w.srv, 0xc227, 3, &n);
	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(f[4], 3);
	ck_assert_uint_eq(f[5], r[5]);
	ck_assert_uint_eq(be16_get(f + 6), 4);
	ck_assert_ptr_null(sent(&w.srv, 0xc227, 4, &n));
	pair_free(&w);
}
END_TEST

START_TEST(eap_mschapv2_failure_formats)
{
	struct pair w;
	pair_init(&w);
	w.scfg.auth[0] = w.ccfg.auth[0] = PPP_AUTH_EAP_MSCHAPV2;
	w.ccfg.password = "wrong";
	pair_run(&w);
	size_t n;
	/* Request/MS-CHAPv2 Failure: "E=691 R=0 C=<32 hex> V=3 M=..." */
	const uint8_t *f = sent(&w.srv, 0xc227, 2, &n);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f[8], 26);
	ck_assert_uint_eq(f[9], 4);
	ck_assert_uint_eq(be16_get(f + 11), be16_get(f + 6) - 5);
	char msg[128] = "";
	memcpy(msg, f + 13, n - 13 < sizeof(msg) - 1 ? n - 13 : sizeof(msg) - 1);
	ck_assert_msg(!strncmp(msg, "E=691 R=0 C=", 12) && strlen(msg) > 44 &&
			  !strncmp(msg + 44, " V=3 M=", 7),
		      "%s", msg);
	for (int i = 12; i < 44; i++)
		ck_assert(strchr("0123456789ABCDEF", msg[i]) != NULL);
	const uint8_t *r = sent(&w.cli, 0xc227, 2, &n); /* Failure Response: OpCode 4 */
	ck_assert_uint_eq(n, 10);
	ck_assert_uint_eq(r[9], 4);
	f = sent(&w.srv, 0xc227, 3, &n); /* EAP Failure */
	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(f[4], 4);
	ck_assert_uint_eq(f[5], r[5]);
	ck_assert_int_eq(w.cli.down.code, 691);
	ck_assert_msg(strstr(w.cli.reason, "EAP-MSCHAPv2 authentication failed: E=691") != NULL,
		      "%s", w.cli.reason);
	pair_free(&w);
}
END_TEST

START_TEST(mschapv2_formats)
{
	struct pair w;
	pair_init(&w);
	pair_run(&w);
	check_up(&w, PPP_AUTH_MSCHAPV2);
	size_t n;
	/* LCP request: MRU, Auth-Protocol c223 81, Magic */
	const uint8_t *f = sent(&w.srv, 0xc021, 0, &n);
	ck_assert_uint_eq(n, 4 + 4 + 4 + 5 + 6);
	static const uint8_t opts[] = {1, 4, 0x05, 0xdc, 3, 5, 0xc2, 0x23, 0x81, 5, 6};
	ck_assert(!memcmp(f + 8, opts, sizeof(opts)));
	/* Challenge: value size 16 and our name */
	f = sent(&w.srv, 0xc223, 0, &n);
	ck_assert_uint_eq(f[4], 1);
	ck_assert_uint_eq(f[8], 16);
	ck_assert_uint_eq(n, 4 + 5 + 16 + 10);
	ck_assert(!memcmp(f + 25, "sstpd-test", 10));
	/* Success: "S=<40 hex> M=Welcome" with the Response's id */
	const uint8_t *r = sent(&w.cli, 0xc223, 0, &n);
	f = sent(&w.srv, 0xc223, 1, &n);
	ck_assert_uint_eq(f[4], 3);
	ck_assert_uint_eq(f[5], r[5]);
	ck_assert_uint_eq(n, 8 + 42 + 10);
	ck_assert(!memcmp(f + 8, "S=", 2) && !memcmp(f + 50, " M=Welcome", 10));
	pair_free(&w);
}
END_TEST

START_TEST(fault_nak_lcp_forever)
{
	struct pair w;
	pair_init(&w);
	w.scfg.nak_lcp_forever = true;
	w.scfg.max_failure = 2; /* must not turn the Naks into a Reject */
	pair_run(&w);
	ck_assert_int_eq(w.cli.dead, 1);
	ck_assert_msg(strstr(w.cli.reason, "does not converge") != NULL, "%s", w.cli.reason);
	ck_assert_int_eq(w.srv.auth_ok + w.cli.auth_ok, 0);
	size_t n;
	for (int i = 0;; i++) {
		const uint8_t *f = sent(&w.srv, 0xc021, i, &n);
		if (!f)
			break;
		ck_assert_uint_ne(f[4], 4); /* never a Configure-Reject */
		if (f[4] == 3)		    /* Nak: MRU 1 */
			ck_assert(n == 12 && f[8] == 1 && f[9] == 4 && be16_get(f + 10) == 1);
	}
	pair_free(&w);
}
END_TEST

START_TEST(fault_rras_lcp)
{
	struct pair w;
	pair_init(&w);
	w.scfg.rras_lcp = true;
	pair_run(&w);
	check_up(&w, PPP_AUTH_MSCHAPV2);
	size_t n;
	const uint8_t *f = sent(&w.srv, 0xc021, 0, &n);
	static const uint8_t opts[] = {1, 4, 0x0f, 0xfb, 3, 5, 0xc2, 0x23, 0x81, 5, 6};
	ck_assert(!memcmp(f + 8, opts, sizeof(opts)));
	static const uint8_t tail[] = {13, 3, 6, 17, 4, 0x06, 0x4e, 19, 23, 1};
	ck_assert_uint_eq(n, 8 + sizeof(opts) + 4 + sizeof(tail) + 20);
	ck_assert(!memcmp(f + 8 + sizeof(opts) + 4, tail, sizeof(tail)));
	/* the client rejected callback, MRRU and the discriminator; the next
	 * request goes without them */
	const uint8_t *r = sent(&w.cli, 0xc021, 1, &n);
	ck_assert_uint_eq(r[4], 4);
	f = sent(&w.srv, 0xc021, 2, &n);
	ck_assert_uint_eq(f[4], 1);
	ck_assert_uint_eq(n, 8 + sizeof(opts) + 4);
	pair_free(&w);
}
END_TEST

/* --- scripted server (no authentication: straight to the NCPs) --- */

struct script {
	struct side s;
	uint64_t now;
};

static void sc_peer(struct script *c, const char *hex)
{
	uint8_t f[1600];
	size_t n = tu_hex(f, sizeof(f), hex);
	ppp_input(c->s.p, f, n, ++c->now);
}

static void sc_up(struct script *c, struct ppp_config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->s.rnd = 5;
	cfg->role = PPP_SERVER;
	cfg->random = s_random;
	cfg->ipv4 = true;
	cfg->local_ip4 = IP(10, 7, 0, 1);
	cfg->peer_ip4 = IP(10, 7, 0, 2);
	c->s.p = ppp_new(cfg, &ops, &c->s);
	ck_assert_ptr_nonnull(c->s.p);
	ppp_lower_up(c->s.p, 0);
	/* LCP: our request (no auth configured), then the client's */
	ck_assert_int_eq(c->s.log.n, 1);
	size_t len;
	const uint8_t *req = tu_frame(&c->s.log, 0, &len);
	uint8_t f[64];
	ck_assert_uint_le(len, sizeof(f));
	memcpy(f, req, len);
	f[4] = 2; /* its Configure-Ack: the same options */
	ppp_input(c->s.p, f, len, ++c->now);
	/* from here: [0] our LCP Ack, [1] IPCP request, [2] IPV6CP request */
	tu_capture_reset(&c->s.log);
	sc_peer(c, "ff03c021 01010008 0104057c");
	ck_assert_int_eq(c->s.auth_ok, 1);
	tu_capture_reset(&c->s.q);
}

START_TEST(ipcp_server_naks)
{
	struct script c;
	struct ppp_config cfg = {.dns4 = {IP(10, 7, 0, 53), 0}};
	sc_up(&c, &cfg);
	/* our request: our address only, no DNS */
	tu_expect_frame(&c.s.log, 1, "ff038021 0101000a 03060a070001");
	/* 0.0.0.0 and DNS: Nak the address and the primary DNS; the secondary
	 * is not configured, so it is Rejected first */
	sc_peer(&c, "ff038021 01010016 030600000000 810600000000 830600000000");
	tu_expect_frame(&c.s.log, 2, "ff038021 0401000a 830600000000");
	sc_peer(&c, "ff038021 01020010 030600000000 810600000000");
	tu_expect_frame(&c.s.log, 3, "ff038021 03020010 03060a070002 81060a070035");
	/* a wrong address is Nak'd as well */
	sc_peer(&c, "ff038021 01030010 0306c0a80001 81060a070035");
	tu_expect_frame(&c.s.log, 4, "ff038021 0303000a 03060a070002");
	/* no address at all: told the one it gets */
	sc_peer(&c, "ff038021 0104000a 81060a070035");
	tu_expect_frame(&c.s.log, 5, "ff038021 0304000a 03060a070002");
	sc_peer(&c, "ff038021 01050010 03060a070002 81060a070035");
	tu_expect_frame(&c.s.log, 6, "ff038021 02050010 03060a070002 81060a070035");
	sc_peer(&c, "ff038021 0201000a 03060a070001");
	ck_assert_int_eq(c.s.ipcp_up, 1);
	ck_assert_uint_eq(c.s.ipcp.peer, IP(10, 7, 0, 2));
	ck_assert_uint_eq(c.s.ipcp.local, IP(10, 7, 0, 1));
	ck_assert_uint_eq(c.s.ipcp.dns[0], IP(10, 7, 0, 53));
	ppp_free(c.s.p);
}
END_TEST

START_TEST(ipcp_server_rejects_dns_when_none)
{
	struct script c;
	struct ppp_config cfg = {0};
	sc_up(&c, &cfg);
	sc_peer(&c, "ff038021 01010016 03060a070002 810600000000 830600000000");
	tu_expect_frame(&c.s.log, 2, "ff038021 04010010 810600000000 830600000000");
	ppp_free(c.s.p);
}
END_TEST

START_TEST(ipv6cp_server_naks)
{
	struct script c;
	struct ppp_config cfg = {.ipv6 = true,
				 .local_ifid = {0, 0, 0, 0, 0, 0, 0, 1},
				 .peer_ifid = {0, 0, 0, 0, 0, 0, 0, 2}};
	sc_up(&c, &cfg);
	tu_expect_frame(&c.s.log, 2, "ff038057 0101000e 010a 0000000000000001");
	/* zero, and then our own id: Nak with the configured one */
	sc_peer(&c, "ff038057 0101000e 010a 0000000000000000");
	tu_expect_frame(&c.s.log, 3, "ff038057 0301000e 010a 0000000000000002");
	sc_peer(&c, "ff038057 0102000e 010a 0000000000000001");
	tu_expect_frame(&c.s.log, 4, "ff038057 0302000e 010a 0000000000000002");
	/* any other id is the client's business */
	sc_peer(&c, "ff038057 0103000e 010a 1122334455667788");
	tu_expect_frame(&c.s.log, 5, "ff038057 0203000e 010a 1122334455667788");
	sc_peer(&c, "ff038057 0201000e 010a 0000000000000001");
	ck_assert_int_eq(c.s.ipv6cp_up, 1);
	static const uint8_t mine[8] = {0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t theirs[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	ck_assert(!memcmp(c.s.ipv6cp.local_id, mine, 8));
	ck_assert(!memcmp(c.s.ipv6cp.peer_id, theirs, 8));
	ppp_free(c.s.p);
}
END_TEST

START_TEST(ipv6cp_server_random_when_unconfigured)
{
	struct script c;
	struct ppp_config cfg = {
	    .ipv6 = true, .ipv4 = true, .local_ifid = {0, 0, 0, 0, 0, 0, 0, 1}};
	sc_up(&c, &cfg);
	sc_peer(&c, "ff038057 0101000e 010a 0000000000000001");
	ck_assert_int_eq(c.s.log.n, 4);
	const uint8_t *f = tu_frame(&c.s.log, 3, NULL);
	ck_assert_uint_eq(f[4], 3);
	ck_assert(memcmp(f + 10, "\0\0\0\0\0\0\0\0", 8) && memcmp(f + 10, "\0\0\0\0\0\0\0\1", 8));
	ppp_free(c.s.p);
}
END_TEST

START_TEST(server_auth_silence)
{
	/* a client that never authenticates: challenges retransmitted, then the end */
	struct script c;
	memset(&c, 0, sizeof(c));
	struct ppp_config cfg = {.role = PPP_SERVER,
				 .auth = {PPP_AUTH_MSCHAPV2},
				 .ipv4 = true,
				 .random = s_random,
				 .restart_ms = 100,
				 .max_configure = 3};
	c.s.p = ppp_new(&cfg, &ops, &c.s);
	ppp_lower_up(c.s.p, 0);
	/* the request's magic is random: Ack exactly what was sent */
	uint8_t f[64];
	size_t len;
	const uint8_t *req = tu_frame(&c.s.log, 0, &len);
	ck_assert_uint_le(len, sizeof(f));
	memcpy(f, req, len);
	f[4] = 2;
	ppp_input(c.s.p, f, len, 1);
	sc_peer(&c, "ff03c021 01010004");
	int chal = 0;
	for (int i = 0; i < 20 && !c.s.dead; i++) {
		uint64_t d = ppp_deadline(c.s.p);
		if (d == UINT64_MAX)
			break;
		ppp_timeout(c.s.p, d);
	}
	for (int k = 0; k < c.s.log.n; k++)
		chal += be16_get(tu_frame(&c.s.log, k, NULL) + 2) == 0xc223;
	ck_assert_int_eq(chal, 3);
	ck_assert_int_eq(c.s.dead, 1);
	ck_assert_msg(strstr(c.s.reason, "no answer from the client") != NULL, "%s", c.s.reason);
	ppp_free(c.s.p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ppp_server");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, mschapv2);
	tcase_add_test(tc, pap);
	tcase_add_test(tc, client_prefers_pap);
	tcase_add_test(tc, client_prefers_mschapv2);
	tcase_add_test(tc, mschapv2_wrong_password);
	tcase_add_test(tc, pap_wrong_password);
	tcase_add_test(tc, unknown_user);
	tcase_add_test(tc, chap_md5);
	tcase_add_test(tc, eap_mschapv2);
	tcase_add_test(tc, client_prefers_chap_md5);
	tcase_add_test(tc, client_prefers_eap);
	tcase_add_test(tc, client_prefers_mschapv2_over_eap);
	tcase_add_test(tc, client_suggests_unlisted_method);
	tcase_add_test(tc, domain_user_name);
	tcase_add_test(tc, chap_md5_wrong_password);
	tcase_add_test(tc, eap_mschapv2_wrong_password);
	tcase_add_test(tc, reject_auth_mode);
	tcase_add_test(tc, no_common_method);
	tcase_add_test(tc, eap_only_server_gives_up_after_nak);
	tcase_add_test(tc, pap_only_server_and_client_without_pap);
	tcase_add_test(tc, ipv6cp_both);
	tcase_add_test(tc, ipv6_only);
	tcase_add_test(tc, no_dns_configured);
	tcase_add_test(tc, one_dns_configured);
	tcase_add_test(tc, eap_mschapv2_formats);
	tcase_add_test(tc, eap_mschapv2_failure_formats);
	tcase_add_test(tc, mschapv2_formats);
	tcase_add_test(tc, fault_nak_lcp_forever);
	tcase_add_test(tc, fault_rras_lcp);
	tcase_add_test(tc, ipcp_server_naks);
	tcase_add_test(tc, ipcp_server_rejects_dns_when_none);
	tcase_add_test(tc, ipv6cp_server_naks);
	tcase_add_test(tc, ipv6cp_server_random_when_unconfigured);
	tcase_add_test(tc, server_auth_silence);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
