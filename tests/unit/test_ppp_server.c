/* The server role against our own client: two ppp instances wired back to
 * back with a fake clock, for every authentication method. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/bytes.h"
#include "ppp/ppp.h"
#include "testutil.h"

#define MAXQ 64
#define MAXLOG 256
struct side {
	const char *name;
	struct ppp *p;
	struct side *peer;
	uint8_t q[MAXQ][1600]; /* frames waiting for the other side */
	size_t qlen[MAXQ];
	int nq;
	/* everything sent, for format checks */
	uint8_t log[MAXLOG][300];
	size_t loglen[MAXLOG];
	int nlog;
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
	ck_assert_uint_le(len, sizeof(s->q[0]));
	uint16_t proto = be16_get(f + 2);
	if ((proto == 0x8021 || proto == 0x8057) && !s->auth_ok)
		s->first_ncp_before_auth = 1;
	if (s->nlog < MAXLOG) {
		size_t n = len < sizeof(s->log[0]) ? len : sizeof(s->log[0]);
		memcpy(s->log[s->nlog], f, n);
		s->loglen[s->nlog++] = len;
	}
	if (s->drop_next > 0) {
		s->drop_next--;
		return;
	}
	ck_assert_int_lt(s->nq, MAXQ);
	memcpy(s->q[s->nq], f, len);
	s->qlen[s->nq++] = len;
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
	case PPP_EV_IPV6CP_DOWN: break;
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

static const struct ppp_ops ops = { .output = s_output, .event = s_event, .get_secret = s_secret };

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
		.auth = { PPP_AUTH_MSCHAPV2 },
		.ipv4 = true,
		.random = s_random,
	};
	w->scfg = (struct ppp_config){
		.role = PPP_SERVER,
		.mru = 1500,
		.auth = { PPP_AUTH_MSCHAPV2 },
		.hostname = "sstpd-test",
		.ipv4 = true,
		.local_ip4 = IP(10, 7, 0, 1),
		.peer_ip4 = IP(10, 7, 0, 2),
		.dns4 = { IP(10, 7, 0, 53), IP(10, 7, 0, 54) },
		.local_ifid = { 0, 0, 0, 0, 0, 0, 0, 1 },
		.random = s_random,
	};
}

static void pump_queue(struct side *from, uint64_t now)
{
	/* the receiver's answers go to its own queue, never to this one */
	for (int i = 0; i < from->nq; i++)
		ppp_input(from->peer->p, from->q[i], from->qlen[i], now);
	from->nq = 0;
}

static bool settled(struct pair *w)
{
	bool c = w->cli.dead || ((!w->ccfg.ipv4 || w->cli.ipcp_up) && (!w->ccfg.ipv6 || w->cli.ipv6cp_up));
	bool s = w->srv.dead || ((!w->scfg.ipv4 || w->srv.ipcp_up) && (!w->scfg.ipv6 || w->srv.ipv6cp_up));
	return c && s && !w->cli.nq && !w->srv.nq;
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
		if (w->cli.nq || w->srv.nq) {
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
	/* the client Naks MS-CHAPv2 towards PAP, which the server also offers */
	run_method(PPP_AUTH_MSCHAPV2, PPP_AUTH_PAP, PPP_AUTH_PAP, PPP_AUTH_MSCHAPV2, PPP_AUTH_PAP);
}
END_TEST

START_TEST(client_prefers_mschapv2)
{
	run_method(PPP_AUTH_PAP, PPP_AUTH_MSCHAPV2, PPP_AUTH_MSCHAPV2, PPP_AUTH_PAP,
		   PPP_AUTH_MSCHAPV2);
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
	run_method(PPP_AUTH_MSCHAPV2, PPP_AUTH_EAP_MSCHAPV2, PPP_AUTH_EAP_MSCHAPV2,
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
	static const enum ppp_auth ms[] = { PPP_AUTH_PAP, PPP_AUTH_CHAP_MD5, PPP_AUTH_MSCHAPV2,
					    PPP_AUTH_EAP_MSCHAPV2 };
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
	/* the client only gives up when its own Configure-Requests time out */
	ck_assert_msg(strstr(w.cli.reason, "Max-Configure") != NULL, "%s", w.cli.reason);
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
	tcase_add_test(tc, ipv6cp_both);
	tcase_add_test(tc, ipv6_only);
	tcase_add_test(tc, no_dns_configured);
	tcase_add_test(tc, one_dns_configured);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return tu_run(suite()); }
