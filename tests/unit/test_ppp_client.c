/* Scripted conversations: a fake peer, a fake clock, exact frames. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/bytes.h"
#include "ppp/ppp.h"
#include "testutil.h"

struct harness {
	struct tu_capture cap; /* every frame we sent */
	int auth_ok_at, first_ncp_at, ipcp_up, ipv6cp_up, dead, ipcp_down, discarded;
	struct ppp_auth_info auth;
	struct ppp_ipcp_info ipcp;
	struct ppp_down_info down;
	char reason[256];
	uint8_t rnd;
};

static const char *const RFC_PEER_CHAL = "21402324255E262A28295F2B3A337C7E";

static void h_output(void *ctx, const uint8_t *f, size_t len)
{
	struct harness *h = ctx;
	ck_assert_uint_ge(len, 4);
	ck_assert_uint_eq(f[0], 0xff);
	ck_assert_uint_eq(f[1], 0x03);
	uint16_t proto = be16_get(f + 2);
	if ((proto == 0x8021 || proto == 0x8057) && h->first_ncp_at < 0)
		h->first_ncp_at = h->cap.n;
	tu_capture_add(&h->cap, f, len);
}

static void h_event(void *ctx, enum ppp_event ev, const void *arg)
{
	struct harness *h = ctx;
	switch (ev) {
	case PPP_EV_AUTH_OK:
		ck_assert_int_lt(h->auth_ok_at, 0);
		h->auth_ok_at = h->cap.n;
		h->auth = *(const struct ppp_auth_info *)arg;
		break;
	case PPP_EV_IPCP_UP:
		h->ipcp_up++;
		h->ipcp = *(const struct ppp_ipcp_info *)arg;
		break;
	case PPP_EV_IPCP_DOWN:
		h->ipcp_down++;
		break;
	case PPP_EV_IPV6CP_UP:
		h->ipv6cp_up++;
		break;
	case PPP_EV_IPV6CP_DOWN:
		break;
	case PPP_EV_DISCARDED:
		h->discarded++;
		break;
	case PPP_EV_EAP_RELAY:
		break;
	case PPP_EV_DEAD:
		h->dead++;
		h->down = *(const struct ppp_down_info *)arg;
		snprintf(h->reason, sizeof(h->reason), "%s", h->down.reason ? h->down.reason : "");
		break;
	}
}

/* 16-byte requests get the RFC 2759 peer challenge so S= and keys are known */
static void h_random(void *ctx, void *buf, size_t len)
{
	struct harness *h = ctx;
	if (len == 16) {
		tu_hex(buf, 16, RFC_PEER_CHAL);
		return;
	}
	tu_counter_bytes(&h->rnd, buf, len);
}

static const struct ppp_ops h_ops = {.output = h_output, .event = h_event};

static struct ppp *mk(struct harness *h, struct ppp_config *cfg)
{
	memset(h, 0, sizeof(*h));
	h->auth_ok_at = h->first_ncp_at = -1;
	cfg->role = PPP_CLIENT;
	cfg->username = "User";
	cfg->password = "clientPass";
	if (!cfg->mru)
		cfg->mru = 1500;
	cfg->random = h_random;
	struct ppp *p = ppp_new(cfg, &h_ops, h);
	ck_assert_ptr_nonnull(p);
	return p;
}

static void peer(struct ppp *p, const char *hex, uint64_t now)
{
	uint8_t f[1600];
	size_t n = tu_hex(f, sizeof(f), hex);
	ppp_input(p, f, n, now);
}

#define CHAL "5B5D7C7D7B3F2F3E3C2C602132262628"
#define NTRESP "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF"
/* "S=407A5589115FD0D6209F510FE9C04566932CDA56" */
static const char *const s_hex =
    "533d34303741353538393131354644304436323039463531304645394330343536363933324344413536";

/* LCP up to the point where the server asks MS-CHAPv2 and we are Opened. */
static void lcp_softether(struct ppp *p, struct harness *h)
{
	ppp_lower_up(p, 0);
	const uint8_t *f = tu_expect_next(&h->cap, "ff03c021 0101000e 010405dc 0506", true);
	size_t len0;
	tu_frame(&h->cap, 0, &len0);
	ck_assert_uint_eq(len0, 18);
	char rej[64];
	snprintf(rej, sizeof(rej), "ff03c021 0401000a 0506%02x%02x%02x%02x", f[14], f[15], f[16],
		 f[17]);
	peer(p, rej, 10);
	/* magic dropped after the Configure-Reject */
	tu_expect_next(&h->cap, "ff03c021 01020008 010405dc", false);
	/* SoftEther asks EAP first: Nak with MS-CHAPv2 */
	peer(p, "ff03c021 01000008 0304c227", 20);
	tu_expect_next(&h->cap, "ff03c021 03000009 0305c22381", false);
	/* Echo-Request with magic 0 before LCP opened: not answered */
	peer(p, "ff03c021 09000018 00000000 41686f2042616b61204d616e756b6500", 25);
	tu_expect_none(&h->cap);
	peer(p, "ff03c021 01010009 0305c22381", 30);
	tu_expect_next(&h->cap, "ff03c021 02010009 0305c22381", false);
	peer(p, "ff03c021 02020008 010405dc", 40);
	tu_expect_none(&h->cap);
	/* now Opened: echo answered with magic 0 (ours was rejected) */
	peer(p, "ff03c021 09070018 00000000 41686f2042616b61204d616e756b6500", 45);
	tu_expect_next(&h->cap, "ff03c021 0a070018 00000000 41686f2042616b61204d616e756b6500",
		       false);
}

static void chap_ok(struct ppp *p, struct harness *h)
{
	/* Challenge: value-size 16, RFC challenge, name "srv" */
	peer(p, "ff03c223 01050018 10" CHAL "737276", 50);
	tu_expect_next(&h->cap,
		       "ff03c223 0205003a 31"
		       "21402324255E262A28295F2B3A337C7E 0000000000000000" NTRESP "00 55736572",
		       false);
	ck_assert_int_lt(h->auth_ok_at, 0);
	char succ[200];
	snprintf(succ, sizeof(succ), "ff03c223 0305002e %s", s_hex);
	peer(p, succ, 60);
	ck_assert_int_ge(h->auth_ok_at, 0);
}

START_TEST(softether_conversation)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = mk(&h, &cfg);
	lcp_softether(p, &h);
	chap_ok(p, &h);
	ck_assert_int_eq(h.auth.method, PPP_AUTH_MSCHAPV2);
	ck_assert(h.auth.have_keys);
	uint8_t hlak[32];
	tu_hex(hlak, 32, "D5F0E9521E3EA9589645E86051C822268B7CDC149B993A1BA118CB153F56DCCB");
	ck_assert_mem_eq(h.auth.hlak, hlak, 32);
	/* AUTH_OK came before the first NCP frame */
	ck_assert_int_ge(h.first_ncp_at, h.auth_ok_at);
	ck_assert_int_eq(ppp_auth_method(p), PPP_AUTH_MSCHAPV2);
	tu_expect_next(&h.cap, "ff038021 01010016 030600000000 810600000000 830600000000", false);
	peer(p, "ff038021 0101000a 0306c0a81e01", 70);
	tu_expect_next(&h.cap, "ff038021 0201000a 0306c0a81e01", false);
	/* the 0.0.0.0 Secondary-DNS is rejected */
	peer(p, "ff038021 0401000a 830600000000", 80);
	tu_expect_next(&h.cap, "ff038021 01020010 030600000000 810600000000", false);
	peer(p, "ff038021 03020010 0306c0a81e0a 8106c0a81e01", 90);
	tu_expect_next(&h.cap, "ff038021 01030010 0306c0a81e0a 8106c0a81e01", false);
	peer(p, "ff038021 02030010 0306c0a81e0a 8106c0a81e01", 100);
	ck_assert_int_eq(h.ipcp_up, 1);
	ck_assert_uint_eq(h.ipcp.local, htonl(0xc0a81e0a));
	tu_expect_none(&h.cap);
	/* CCP gets a Protocol-Reject */
	peer(p, "ff0380fd 01010004", 110);
	tu_expect_next(&h.cap, "ff03c021 08", true);
	/* administrative close: Terminate, then DEAD exactly once */
	ppp_close(p, "user request", 120);
	ck_assert_int_eq(h.ipcp_down, 1);
	const uint8_t *t = tu_expect_next(&h.cap, "ff03c021 05", true);
	char ack[64];
	snprintf(ack, sizeof(ack), "ff03c021 06%02x0004", t[5]);
	ck_assert_int_eq(h.dead, 0);
	peer(p, ack, 130);
	ck_assert_int_eq(h.dead, 1);
	ck_assert(!h.down.auth_failed);
	ck_assert_str_eq(h.reason, "user request");
	ck_assert(ppp_is_dead(p));
	ppp_timeout(p, 1000000);
	peer(p, ack, 130);
	ck_assert_int_eq(h.dead, 1);
	ppp_free(p);
}
END_TEST

START_TEST(auth_preference_nak_once_then_accept)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2, PPP_AUTH_EAP_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = mk(&h, &cfg);
	ppp_lower_up(p, 0);
	tu_expect_next(&h.cap, "ff03c021 0101000e", true);
	/* EAP is allowed but not our first choice: one Nak towards MS-CHAPv2 */
	peer(p, "ff03c021 01000008 0304c227", 10);
	tu_expect_next(&h.cap, "ff03c021 03000009 0305c22381", false);
	/* the server insists: EAP it is */
	peer(p, "ff03c021 01010008 0304c227", 20);
	tu_expect_next(&h.cap, "ff03c021 02010008 0304c227", false);
	/* a method we do not allow is always Nak'd */
	peer(p, "ff03c021 01020008 0304c023", 30);
	tu_expect_next(&h.cap, "ff03c021 03020009 0305c22381", false);
	ppp_free(p);
}
END_TEST

/* A server that, after our Nak of its PAP, asks for no authentication at
 * all: AUTH_OK(none) says what it offered before, so that the session can
 * name the mismatch rather than "no authentication". */
START_TEST(server_drops_auth_after_our_nak)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2, PPP_AUTH_EAP_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = mk(&h, &cfg);
	ppp_lower_up(p, 0);
	const uint8_t *cr = tu_expect_next(&h.cap, "ff03c021 0101000e", true);
	char ack[80];
	snprintf(ack, sizeof(ack), "ff03c021 0201000e 010405dc 0506%02x%02x%02x%02x", cr[14],
		 cr[15], cr[16], cr[17]);
	peer(p, "ff03c021 01000008 0304c023", 10);
	tu_expect_next(&h.cap, "ff03c021 03000009 0305c22381", false);
	ck_assert_ptr_nonnull(ppp_failure(p)); /* a hang-up now would be the mismatch */
	ck_assert_ptr_nonnull(strstr(ppp_failure(p)->reason, "offers only PAP"));
	peer(p, "ff03c021 01010004", 20);
	tu_expect_next(&h.cap, "ff03c021 02010004", false);
	peer(p, ack, 30);
	ck_assert_int_ge(h.auth_ok_at, 0);
	ck_assert_int_eq(h.auth.method, PPP_AUTH_NONE);
	ck_assert_str_eq(h.auth.server_offers, "PAP");
	ck_assert_uint_eq(h.auth.server_auth, 1u << PPP_AUTH_PAP);
	ck_assert_ptr_null(ppp_failure(p)); /* LCP opened: no pending refusal */
	ppp_free(p);
}
END_TEST

START_TEST(eap_tls_nak_then_protocol_reject_then_mschapv2)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_EAP_MSCHAPV2, PPP_AUTH_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = mk(&h, &cfg);
	ppp_lower_up(p, 0);
	tu_expect_next(&h.cap, "ff03c021 0101000e", true);
	peer(p, "ff03c021 04010006", 5); /* an empty reject: bogus but harmless */
	/* EAP is our first choice: Ack it */
	peer(p, "ff03c021 01000008 0304c227", 10);
	tu_expect_next(&h.cap, "ff03c021 02000008 0304c227", false);
	peer(p, "ff03c021 0201000e", 5);
	const uint8_t *cr = tu_frame(&h.cap, 0, NULL);
	char ack[80];
	snprintf(ack, sizeof(ack), "ff03c021 0201000e 010405dc 0506%02x%02x%02x%02x", cr[14],
		 cr[15], cr[16], cr[17]);
	peer(p, ack, 20);
	tu_expect_none(&h.cap);
	peer(p, "ff03c227 01010005 01", 30);
	tu_expect_next(&h.cap, "ff03c227 02010009 01 55736572", false);
	/* EAP-TLS start: Nak towards EAP-MSCHAPv2 (26) */
	peer(p, "ff03c227 01020006 0d20", 40);
	tu_expect_next(&h.cap, "ff03c227 02020006 031a", false);
	/* SoftEther: Protocol-Reject of EAP, then a new LCP request for MS-CHAPv2 */
	peer(p, "ff03c021 0803000a c227 02020006031a", 50);
	tu_expect_none(&h.cap);
	ck_assert_int_eq(h.dead, 0);
	peer(p, "ff03c021 01040009 0305c22381", 60);
	const uint8_t *cr2 = tu_expect_next(&h.cap, "ff03c021 0102000e 010405dc 0506", true);
	tu_expect_next(&h.cap, "ff03c021 02040009 0305c22381", false);
	snprintf(ack, sizeof(ack), "ff03c021 0202000e 010405dc 0506%02x%02x%02x%02x", cr2[14],
		 cr2[15], cr2[16], cr2[17]);
	peer(p, ack, 70);
	tu_expect_none(&h.cap);
	chap_ok(p, &h);
	ck_assert_int_eq(h.auth.method, PPP_AUTH_MSCHAPV2);
	tu_expect_next(&h.cap, "ff038021 01", true);
	ppp_free(p);
}
END_TEST

START_TEST(wrong_password_691)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = mk(&h, &cfg);
	lcp_softether(p, &h);
	peer(p, "ff03c223 01050018 10" CHAL "737276", 50);
	tu_expect_next(&h.cap, "ff03c223 0205003a", true);
	char fail[300], msg[] = "E=691 R=0 C=0123456789ABCDEF0123456789ABCDEF V=3";
	char mh[200];
	for (size_t i = 0; i < strlen(msg); i++)
		sprintf(mh + 2 * i, "%02x", (uint8_t)msg[i]);
	snprintf(fail, sizeof(fail), "ff03c223 0405%04zx %s", strlen(msg) + 4, mh);
	peer(p, fail, 60);
	ck_assert_int_lt(h.auth_ok_at, 0);
	const uint8_t *t = tu_expect_next(&h.cap, "ff03c021 05", true);
	char ack[64];
	snprintf(ack, sizeof(ack), "ff03c021 06%02x0004", t[5]);
	peer(p, ack, 70);
	ck_assert_int_eq(h.dead, 1);
	ck_assert(h.down.auth_failed);
	ck_assert_int_eq(h.down.code, 691);
	ck_assert_ptr_nonnull(strstr(h.reason, "MS-CHAPv2"));
	ck_assert_ptr_nonnull(strstr(h.reason, "691"));
	ck_assert_ptr_nonnull(strstr(h.reason, "wrong user name or password"));
	ck_assert_int_eq(h.first_ncp_at, -1);
	ppp_free(p);
}
END_TEST

START_TEST(bad_server_authenticator)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = mk(&h, &cfg);
	lcp_softether(p, &h);
	peer(p, "ff03c223 01050018 10" CHAL "737276", 50);
	tu_expect_next(&h.cap, "ff03c223 0205003a", true);
	char succ[200];
	snprintf(succ, sizeof(succ), "ff03c223 0305002e %s", s_hex);
	succ[strlen(succ) - 1] = '7'; /* last hex digit of S= changed */
	peer(p, succ, 60);
	ck_assert_int_lt(h.auth_ok_at, 0);
	tu_expect_next(&h.cap, "ff03c021 05", true);
	/* no Terminate-Ack: the restart timer ends it */
	for (int i = 0; i < 10 && !h.dead; i++)
		ppp_timeout(p, ppp_deadline(p));
	ck_assert_int_eq(h.dead, 1);
	ck_assert(h.down.auth_failed);
	ck_assert_ptr_nonnull(strstr(h.reason, "failed to prove"));
	ppp_free(p);
}
END_TEST

START_TEST(server_never_acks)
{
	struct harness h;
	struct ppp_config cfg = {
	    .auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true, .max_configure = 4, .restart_ms = 1000};
	struct ppp *p = mk(&h, &cfg);
	ppp_lower_up(p, 0);
	ck_assert_uint_eq(ppp_deadline(p), 1000);
	uint64_t now = 0;
	for (int i = 0; i < 20 && !h.dead; i++) {
		now = ppp_deadline(p);
		ppp_timeout(p, now);
	}
	ck_assert_int_eq(h.dead, 1);
	ck_assert_int_eq(h.cap.n, 4);
	ck_assert_uint_eq(now, 4000);
	ck_assert_ptr_nonnull(strstr(h.reason, "Max-Configure"));
	ck_assert_uint_eq(ppp_deadline(p), UINT64_MAX);
	ppp_free(p);
}
END_TEST

START_TEST(nak_loop_becomes_reject)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true, .max_failure = 3};
	struct ppp *p = mk(&h, &cfg);
	ppp_lower_up(p, 0);
	tu_expect_next(&h.cap, "ff03c021 01", true);
	for (int i = 0; i < 3; i++) {
		peer(p, "ff03c021 01090008 0304c023", 10);
		tu_expect_next(&h.cap, "ff03c021 03090009 0305c22381", false);
	}
	peer(p, "ff03c021 01090008 0304c023", 10);
	tu_expect_next(&h.cap, "ff03c021 04090008 0304c023", false);
	ppp_free(p);
}
END_TEST

static struct ppp *up_no_auth(struct harness *h, struct ppp_config *cfg)
{
	struct ppp *p = mk(h, cfg);
	ppp_lower_up(p, 0);
	const uint8_t *cr = tu_expect_next(&h->cap, "ff03c021 0101000e", true);
	char ack[80];
	snprintf(ack, sizeof(ack), "ff03c021 0201000e 010405dc 0506%02x%02x%02x%02x", cr[14],
		 cr[15], cr[16], cr[17]);
	peer(p, "ff03c021 01010004", 1);
	tu_expect_next(&h->cap, "ff03c021 02010004", false);
	peer(p, ack, 2);
	ck_assert_int_ge(h->auth_ok_at, 0);
	ck_assert_int_eq(h->auth.method, PPP_AUTH_NONE);
	return p;
}

START_TEST(echo_loss_kills_link)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2},
				 .ipv4 = true,
				 .echo_interval_ms = 1000,
				 .echo_failures = 3};
	struct ppp *p = up_no_auth(&h, &cfg);
	tu_expect_next(&h.cap, "ff038021 01", true);
	/* a reply (even with magic 0) resets the count; IPCP, unanswered
	 * here, retransmits in between */
	ppp_timeout(p, 1002);
	while (h.cap.head < h.cap.n && be16_get(tu_frame(&h.cap, h.cap.head, NULL) + 2) == 0x8021)
		h.cap.head++;
	tu_expect_next(&h.cap, "ff03c021 09010008", true);
	peer(p, "ff03c021 0a010008 00000000", 1003);
	int sent = 0;
	uint64_t now = 1003;
	for (int i = 0; i < 50 && !h.dead; i++) {
		now = ppp_deadline(p);
		ppp_timeout(p, now);
	}
	for (; h.cap.head < h.cap.n; h.cap.head++) {
		const uint8_t *f = tu_frame(&h.cap, h.cap.head, NULL);
		if (be16_get(f + 2) == 0xc021 && f[4] == 9)
			sent++;
	}
	ck_assert_int_eq(sent, 3);
	ck_assert_int_eq(h.dead, 1);
	ck_assert_ptr_nonnull(strstr(h.reason, "3 LCP Echo-Requests"));
	ppp_free(p);
}
END_TEST

START_TEST(rras_lcp_request)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2, PPP_AUTH_EAP_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = mk(&h, &cfg);
	ppp_lower_up(p, 0);
	tu_expect_next(&h.cap, "ff03c021 01", true);
	peer(p,
	     "ff03c021 01070030 01040ffb 0304c227 050612345678 0d0306 1104064e "
	     "131701"
	     "0102030405060708090a0b0c0d0e0f1011121314",
	     10);
	tu_expect_next(
	    &h.cap,
	    "ff03c021 04070022 0d0306 1104064e 131701 0102030405060708090a0b0c0d0e0f1011121314",
	    false);
	ppp_free(p);
}
END_TEST

/* IPCP replies that do not answer our last request are discarded (and
 * reported), the request is retransmitted after 0.5 s, and the right Ack
 * still brings IPv4 up with the values we asked for. */
START_TEST(ipcp_bad_replies_discarded_then_up)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = up_no_auth(&h, &cfg);
	tu_expect_next(&h.cap, "ff038021 01010016 030600000000 810600000000 830600000000", false);
	peer(p, "ff038021 0101000a 0306c0a81e01", 10);
	tu_expect_next(&h.cap, "ff038021 0201000a 0306c0a81e01", false);
	peer(p, "ff038021 03010016 0306c0a81e0a 8106c0a81e01 830600000000", 20);
	tu_expect_next(&h.cap, "ff038021 01020016 0306c0a81e0a 8106c0a81e01 830600000000", false);
	/* an Ack of another address, a Reject of NBNS we never asked for */
	peer(p, "ff038021 02020016 0306c0a81e0b 8106c0a81e01 830600000000", 30);
	peer(p, "ff038021 0402000a 820600000000", 40);
	ck_assert_int_eq(h.discarded, 2);
	ck_assert_int_eq(h.ipcp_up, 0);
	tu_expect_none(&h.cap);
	/* the same request again, 0.5 s after it was sent */
	ck_assert_uint_eq(ppp_deadline(p), 20 + 500);
	ppp_timeout(p, 520);
	tu_expect_next(&h.cap, "ff038021 01030016 0306c0a81e0a 8106c0a81e01 830600000000", false);
	peer(p, "ff038021 02030016 0306c0a81e0a 8106c0a81e01 830600000000", 530);
	ck_assert_int_eq(h.ipcp_up, 1);
	ck_assert_uint_eq(h.ipcp.local, htonl(0xc0a81e0a));
	ck_assert_int_eq(h.discarded, 2);
	ppp_free(p);
}
END_TEST

START_TEST(ipv6cp_reject_keeps_ipv4)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true, .ipv6 = true};
	struct ppp *p = up_no_auth(&h, &cfg);
	tu_expect_next(&h.cap, "ff038021 01010016", true);
	tu_expect_next(&h.cap, "ff038057 0101000e 010a", true);
	peer(p, "ff03c021 0805000a 8057 0101000e", 10);
	ck_assert_int_eq(h.dead, 0);
	peer(p, "ff038021 0101000a 0306c0a81e01", 20);
	tu_expect_next(&h.cap, "ff038021 0201000a", true);
	peer(p, "ff038021 03010016 0306c0a81e0a 8106c0a81e01 830600000000", 30);
	tu_expect_next(&h.cap, "ff038021 01020016 0306c0a81e0a 8106c0a81e01 830600000000", false);
	peer(p, "ff038021 02020016 0306c0a81e0a 8106c0a81e01 830600000000", 40);
	ck_assert_int_eq(h.ipcp_up, 1);
	ck_assert_int_eq(h.ipv6cp_up, 0);
	ck_assert_int_eq(h.dead, 0);
	/* IPV6CP Nak with the server's EUI-64 is taken */
	ppp_free(p);
}
END_TEST

START_TEST(ipv6cp_takes_server_nak)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = false, .ipv6 = true};
	struct ppp *p = up_no_auth(&h, &cfg);
	tu_expect_next(&h.cap, "ff038057 0101000e 010a", true);
	peer(p, "ff038057 0301000e 010a 021122fffe334455", 10);
	tu_expect_next(&h.cap, "ff038057 0102000e 010a 021122fffe334455", false);
	peer(p, "ff038057 0101000e 010a 0a0b0c0d0e0f1011", 20);
	tu_expect_next(&h.cap, "ff038057 0201000e 010a 0a0b0c0d0e0f1011", false);
	peer(p, "ff038057 0202000e 010a 021122fffe334455", 30);
	ck_assert_int_eq(h.ipv6cp_up, 1);
	ppp_free(p);
}
END_TEST

START_TEST(pfc_acfc_input_and_garbage)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = mk(&h, &cfg);
	ppp_lower_up(p, 0);
	tu_expect_next(&h.cap, "ff03c021 01", true);
	/* no FF 03: still LCP */
	peer(p, "c021 01010004", 1);
	tu_expect_next(&h.cap, "ff03c021 02010004", false);
	peer(p, "", 1);
	peer(p, "ff", 1);
	peer(p, "ff03", 1);
	peer(p, "ff03c0", 1);
	peer(p, "ff03c021 01", 1);
	peer(p, "ff03c021 0101ffff 0104", 1);
	tu_expect_none(&h.cap);
	ppp_free(p);
}
END_TEST

/* LCP and MS-CHAPv2 done, our first IPCP request out. */
static struct ppp *to_ipcp(struct harness *h, struct ppp_config *cfg)
{
	struct ppp *p = mk(h, cfg);
	lcp_softether(p, h);
	chap_ok(p, h);
	tu_expect_next(&h->cap, "ff038021 01010016 030600000000 810600000000 830600000000", false);
	return p;
}

START_TEST(ipcp_refuses_loopback_local_until_max_failure)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = to_ipcp(&h, &cfg);
	/* 127.0.0.1 suggested: not taken, we keep asking with 0.0.0.0 */
	for (int i = 1; i <= 4; i++) {
		char nak[64], req[96];
		snprintf(nak, sizeof(nak), "ff038021 03%02x000a 03067f000001", i);
		peer(p, nak, 100 + i);
		snprintf(req, sizeof(req),
			 "ff038021 01%02x0016 030600000000 810600000000 830600000000", i + 1);
		tu_expect_next(&h.cap, req, false);
	}
	/* the fifth (Max-Failure) ends IPCP with the reason */
	peer(p, "ff038021 0305000a 03067f000001", 110);
	tu_expect_next(&h.cap, "ff038021 05", true);
	tu_expect_none(&h.cap);
	ck_assert_int_eq(h.ipcp_up, 0);
	peer(p, "ff038021 06060004", 120);
	tu_expect_next(&h.cap, "ff03c021 05", true);
	const struct ppp_down_info *di = ppp_failure(p);
	ck_assert_ptr_nonnull(di);
	ck_assert_str_eq(di->reason,
			 "no network protocol could be negotiated (the server insists on IPv4 "
			 "address 127.0.0.1 (loopback), refused)");
	ppp_free(p);
}
END_TEST

START_TEST(ipcp_refuses_bad_local_values)
{
	/* multicast, limited broadcast, class E, 0/8 and the server's own
	 * address are refused like loopback; a good suggestion then wins */
	static const char *const bad[] = {"e0000001", "ffffffff", "f0000001", "00000005"};
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = to_ipcp(&h, &cfg);
	peer(p, "ff038021 0101000a 03060a000001", 100);
	tu_expect_next(&h.cap, "ff038021 0201000a 03060a000001", false);
	for (int i = 0; i < 4; i++) {
		char nak[64], req[96];
		snprintf(nak, sizeof(nak), "ff038021 03%02x000a 0306%s", i + 1, bad[i]);
		peer(p, nak, 101 + i);
		snprintf(req, sizeof(req),
			 "ff038021 01%02x0016 030600000000 810600000000 830600000000", i + 2);
		tu_expect_next(&h.cap, req, false);
	}
	peer(p, "ff038021 0305000a 0306c0a81e0a", 110);
	tu_expect_next(&h.cap, "ff038021 01060016 0306c0a81e0a 810600000000 830600000000", false);
	peer(p, "ff038021 02060016 0306c0a81e0a 810600000000 830600000000", 120);
	ck_assert_int_eq(h.ipcp_up, 1);
	ck_assert_uint_eq(h.ipcp.local, htonl(0xc0a81e0a));
	ck_assert_uint_eq(h.ipcp.peer, htonl(0x0a000001));
	ck_assert_uint_eq(h.ipcp.peer_refused, 0);
	ppp_free(p);
	/* the server's own address as ours, once more: refused the same way */
	p = to_ipcp(&h, &cfg);
	peer(p, "ff038021 0101000a 03060a000001", 100);
	tu_expect_next(&h.cap, "ff038021 0201000a 03060a000001", false);
	peer(p,
	     "ff038021 0301000a 0306"
	     "0a000001",
	     101);
	tu_expect_next(&h.cap, "ff038021 01020016 030600000000 810600000000 830600000000", false);
	ppp_free(p);
}
END_TEST

START_TEST(ipcp_drops_loopback_dns)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = to_ipcp(&h, &cfg);
	/* DNS 127.0.0.1 and multicast: both options dropped from the next
	 * request, the address taken */
	peer(p, "ff038021 03010016 0306c0a81e0a 81067f000001 8306e00000fb", 100);
	tu_expect_next(&h.cap, "ff038021 0102000a 0306c0a81e0a", false);
	peer(p, "ff038021 0202000a 0306c0a81e0a", 110);
	peer(p, "ff038021 0101000a 03060a000001", 120);
	tu_expect_next(&h.cap, "ff038021 0201000a 03060a000001", false);
	ck_assert_int_eq(h.ipcp_up, 1);
	ck_assert_uint_eq(h.ipcp.dns[0], 0);
	ck_assert_uint_eq(h.ipcp.dns[1], 0);
	ck_assert_uint_eq(h.ipcp.dns_refused[0], htonl(0x7f000001));
	ck_assert_uint_eq(h.ipcp.dns_refused[1], htonl(0xe00000fb));
	ppp_free(p);
}
END_TEST

START_TEST(ipcp_rejects_unusable_peer_address)
{
	struct harness h;
	struct ppp_config cfg = {.auth = {PPP_AUTH_MSCHAPV2}, .ipv4 = true};
	struct ppp *p = to_ipcp(&h, &cfg);
	/* the server calls itself 127.0.0.1: Configure-Reject */
	peer(p, "ff038021 0101000a 03067f000001", 100);
	tu_expect_next(&h.cap, "ff038021 0401000a 03067f000001", false);
	/* a public address is its business: Acked */
	peer(p, "ff038021 0102000a 030608080808", 110);
	tu_expect_next(&h.cap, "ff038021 0202000a 030608080808", false);
	peer(p, "ff038021 03010016 0306c0a81e0a 81060a000002 83060a000003", 120);
	tu_expect_next(&h.cap, "ff038021 01020016 0306c0a81e0a 81060a000002 83060a000003", false);
	peer(p, "ff038021 02020016 0306c0a81e0a 81060a000002 83060a000003", 130);
	ck_assert_int_eq(h.ipcp_up, 1);
	ck_assert_uint_eq(h.ipcp.peer, htonl(0x08080808));
	ck_assert_uint_eq(h.ipcp.dns[0], htonl(0x0a000002));
	ck_assert_uint_eq(h.ipcp.peer_refused, htonl(0x7f000001));
	ppp_free(p);

	/* the server's address equal to ours once ours is known: Rejected */
	p = to_ipcp(&h, &cfg);
	peer(p, "ff038021 03010010 0306c0a81e0a 81060a000002", 100);
	tu_expect_next(&h.cap, "ff038021 01020016 0306c0a81e0a 81060a000002 830600000000", false);
	peer(p, "ff038021 0101000a 0306c0a81e0a", 110);
	tu_expect_next(&h.cap, "ff038021 0401000a 0306c0a81e0a", false);
	ppp_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ppp_client");
	TCase *tc = tcase_create("conversations");
	tcase_add_test(tc, softether_conversation);
	tcase_add_test(tc, eap_tls_nak_then_protocol_reject_then_mschapv2);
	tcase_add_test(tc, server_drops_auth_after_our_nak);
	tcase_add_test(tc, ipcp_bad_replies_discarded_then_up);
	tcase_add_test(tc, auth_preference_nak_once_then_accept);
	tcase_add_test(tc, wrong_password_691);
	tcase_add_test(tc, bad_server_authenticator);
	tcase_add_test(tc, server_never_acks);
	tcase_add_test(tc, nak_loop_becomes_reject);
	tcase_add_test(tc, echo_loss_kills_link);
	tcase_add_test(tc, rras_lcp_request);
	tcase_add_test(tc, ipv6cp_reject_keeps_ipv4);
	tcase_add_test(tc, ipv6cp_takes_server_nak);
	tcase_add_test(tc, pfc_acfc_input_and_garbage);
	tcase_add_test(tc, ipcp_refuses_loopback_local_until_max_failure);
	tcase_add_test(tc, ipcp_refuses_bad_local_values);
	tcase_add_test(tc, ipcp_drops_loopback_dns);
	tcase_add_test(tc, ipcp_rejects_unusable_peer_address);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
