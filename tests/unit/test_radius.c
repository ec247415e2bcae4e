/* RADIUS for the EAP relay: Access-Request bytes and Message-Authenticator,
 * replies built by an independent Python implementation
 * (tests/unit/radius_oracle.py: RFC 2865 Response Authenticator, RFC 3579
 * Message-Authenticator, RFC 2548 MPPE key encryption) parsed back, and
 * every way a reply can be wrong. */
#include "testutil.h"
#include "core/bytes.h"
#include "ppp/radius.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *SECRET = "nas-Secret.7";

static void hexs(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = 0;
}

/* Runs the oracle; decodes its hex answer into out, returns the length. */
static size_t oracle(const char *args, uint8_t *out, size_t cap)
{
	const char *src = getenv("SSTPC_SOURCE_DIR");
	ck_assert_ptr_nonnull(src);
	static char cmd[40000], line[20000];
	snprintf(cmd, sizeof(cmd), "python3 '%s/tests/unit/radius_oracle.py' %s", src, args);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	line[0] = 0;
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_int_eq(pclose(f), 0);
	line[strcspn(line, "\n")] = 0;
	return tu_hex(out, cap, line);
}

static struct radius_request rq0(const uint8_t *eap, size_t len)
{
	struct radius_request rq = {
	    .id = 0x42, .user = "alice", .eap = eap, .eap_len = len, .nas_id = "sstpd"};
	for (int i = 0; i < 16; i++)
		rq.authenticator[i] = (uint8_t)(0xa0 + i);
	return rq;
}

START_TEST(access_request_layout)
{
	uint8_t eap[600];
	for (size_t i = 0; i < sizeof(eap); i++)
		eap[i] = (uint8_t)i;
	eap[0] = 2, eap[1] = 7, be16_put(eap + 2, sizeof(eap));
	struct radius_request rq = rq0(eap, sizeof(eap));
	static const uint8_t state[3] = {'s', 't', '1'};
	rq.state = state;
	rq.state_len = 3;
	uint8_t pkt[RADIUS_MAX];
	size_t n = radius_access_request(&rq, SECRET, pkt, sizeof(pkt));
	ck_assert_uint_gt(n, 600);
	ck_assert_uint_eq(pkt[0], 1);
	ck_assert_uint_eq(pkt[1], 0x42);
	ck_assert_uint_eq(be16_get(pkt + 2), n);
	ck_assert_mem_eq(pkt + 4, rq.authenticator, 16);
	/* attributes in order; EAP-Message split 253 + 253 + 94 */
	size_t off = 20, eap_seen = 0;
	int eap_attrs = 0, ma_at = 0;
	bool user = false, st = false;
	while (off < n) {
		uint8_t t = pkt[off], l = pkt[off + 1];
		ck_assert_uint_ge(l, 2);
		if (t == 1)
			user = l == 7 && !memcmp(pkt + off + 2, "alice", 5);
		if (t == 24)
			st = l == 5 && !memcmp(pkt + off + 2, "st1", 3);
		if (t == 79) {
			ck_assert_uint_eq(l - 2, eap_attrs < 2 ? 253 : 94);
			ck_assert_mem_eq(pkt + off + 2, eap + eap_seen, l - 2u);
			eap_seen += l - 2u;
			eap_attrs++;
		}
		if (t == 80) {
			ck_assert_uint_eq(l, 18);
			ma_at = (int)off + 2;
		}
		off += l;
	}
	ck_assert_uint_eq(off, n);
	ck_assert(user && st);
	ck_assert_int_eq(eap_attrs, 3);
	ck_assert_int_gt(ma_at, 0);
	static char args[RADIUS_MAX * 2 + 100], hx[RADIUS_MAX * 2 + 1];
	hexs(hx, pkt, n);
	snprintf(args, sizeof(args), "msgauth '%s' %s", SECRET, hx);
	uint8_t ma[16];
	ck_assert_uint_eq(oracle(args, ma, sizeof(ma)), 16);
	ck_assert_mem_eq(pkt + ma_at, ma, 16);
	/* no EAP: nothing to relay */
	rq.eap_len = 0;
	ck_assert_uint_eq(radius_access_request(&rq, SECRET, pkt, sizeof(pkt)), 0);
}
END_TEST

/* reply_hex: asks the oracle for a reply to rq. */
static size_t reply(const struct radius_request *rq, int code, const char *eap_hex,
		    const char *skey, const char *rkey, const char *secret, uint8_t *out)
{
	char auth[33], args[3000];
	hexs(auth, rq->authenticator, 16);
	snprintf(args, sizeof(args), "reply '%s' %u %s %d '%s' '%s' '%s' 8a01 8b02", secret, rq->id,
		 auth, code, eap_hex, skey, rkey);
	return oracle(args, out, RADIUS_MAX);
}

#define K32A "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define K32B "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff e0e1e2e3e4e5e6e7e8e9eaebecedeeef"

START_TEST(accept_with_keys)
{
	uint8_t eap[8] = {2, 1, 0, 8, 1, 'a', 'b', 'c'};
	struct radius_request rq = rq0(eap, sizeof(eap));
	static uint8_t pkt[RADIUS_MAX];
	static struct radius_reply r;
	char err[200];
	/* 32-byte keys (EAP-TLS, PEAP) */
	size_t n = reply(&rq, RADIUS_ACCESS_ACCEPT, "03010004", K32B, K32A, SECRET, pkt);
	ck_assert_msg(radius_parse_reply(pkt, n, &rq, SECRET, &r, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(r.code, RADIUS_ACCESS_ACCEPT);
	ck_assert_uint_eq(r.eap_len, 4);
	ck_assert_mem_eq(r.eap, "\x03\x01\x00\x04", 4);
	ck_assert_uint_eq(r.state_len, 10);
	ck_assert_uint_eq(r.recv_key_len, 32);
	ck_assert_uint_eq(r.send_key_len, 32);
	uint8_t a[32], hlak[32];
	tu_hex(a, 32, K32A);
	ck_assert_mem_eq(r.recv_key, a, 32);
	radius_hlak(&r, hlak);
	ck_assert_mem_eq(hlak, a, 32); /* the Recv-Key: the client's send key */
	/* 16-byte keys (EAP-MSCHAPv2): HLAK = Recv || Send */
	n = reply(&rq, RADIUS_ACCESS_ACCEPT, "03010004", "11111111111111111111111111111111",
		  "22222222222222222222222222222222", SECRET, pkt);
	ck_assert_msg(radius_parse_reply(pkt, n, &rq, SECRET, &r, err, sizeof(err)), "%s", err);
	radius_hlak(&r, hlak);
	uint8_t want[32];
	memset(want, 0x22, 16);
	memset(want + 16, 0x11, 16);
	ck_assert_mem_eq(hlak, want, 32);
	/* a long EAP-Message over several attributes, joined */
	char big[2 * 700 + 1];
	for (int i = 0; i < 700; i++)
		sprintf(big + 2 * i, "%02x", i == 2 ? 0x02 : i == 3 ? 0xbc : (uint8_t)i);
	n = reply(&rq, RADIUS_ACCESS_CHALLENGE, big, "", "", SECRET, pkt);
	ck_assert_msg(radius_parse_reply(pkt, n, &rq, SECRET, &r, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(r.eap_len, 700);
	ck_assert_uint_eq(r.eap[699], (uint8_t)699);
}
END_TEST

START_TEST(bad_replies)
{
	uint8_t eap[5] = {2, 1, 0, 5, 1};
	struct radius_request rq = rq0(eap, sizeof(eap));
	static uint8_t pkt[RADIUS_MAX];
	static struct radius_reply r;
	char err[200];
	size_t n = reply(&rq, RADIUS_ACCESS_ACCEPT, "03010004", K32B, K32A, "other-secret", pkt);
	ck_assert(!radius_parse_reply(pkt, n, &rq, SECRET, &r, err, sizeof(err)));
	ck_assert_str_eq(err, "RADIUS: bad Response Authenticator (wrong shared secret?)");
	n = reply(&rq, RADIUS_ACCESS_ACCEPT, "03010004", K32B, K32A, SECRET, pkt);
	pkt[30] ^= 1; /* inside the EAP-Message: both authenticators break */
	ck_assert(!radius_parse_reply(pkt, n, &rq, SECRET, &r, err, sizeof(err)));
	ck_assert_str_eq(err, "RADIUS: bad Response Authenticator (wrong shared secret?)");
	pkt[30] ^= 1;
	struct radius_request other = rq;
	other.id = 7;
	ck_assert(!radius_parse_reply(pkt, n, &other, SECRET, &r, err, sizeof(err)));
	ck_assert_str_eq(err, "RADIUS: reply for id 66, waiting for 7");
	ck_assert(!radius_parse_reply(pkt, 19, &rq, SECRET, &r, err, sizeof(err)));
	char want[100];
	snprintf(want, sizeof(want), "RADIUS: reply of 19 bytes is malformed (length field %zu)",
		 n);
	ck_assert_str_eq(err, want);
	ck_assert(!radius_parse_reply(pkt, n - 1, &rq, SECRET, &r, err, sizeof(err)));
	snprintf(want, sizeof(want), "RADIUS: reply of %zu bytes is malformed (length field %zu)",
		 n - 1, n);
	ck_assert_str_eq(err, want);
	/* an attribute of length 1: malformed, never a loop */
	uint8_t bad[24] = {2, 0x42, 0, 24};
	bad[20] = 79;
	bad[21] = 1;
	ck_assert(!radius_parse_reply(bad, sizeof(bad), &rq, SECRET, &r, err, sizeof(err)));
	ck_assert_str_eq(err, "RADIUS: attribute 79 at offset 20 is malformed");
	/* no Message-Authenticator */
	uint8_t nomsg[26] = {2, 0x42, 0, 26};
	nomsg[20] = 79, nomsg[21] = 6, nomsg[22] = 3, nomsg[23] = 1, nomsg[24] = 0, nomsg[25] = 4;
	ck_assert(!radius_parse_reply(nomsg, sizeof(nomsg), &rq, SECRET, &r, err, sizeof(err)));
	ck_assert_str_eq(err, "RADIUS: reply without Message-Authenticator");
	/* a Challenge must carry EAP */
	n = reply(&rq, RADIUS_ACCESS_CHALLENGE, "", "", "", SECRET, pkt);
	ck_assert(!radius_parse_reply(pkt, n, &rq, SECRET, &r, err, sizeof(err)));
	ck_assert_str_eq(err, "RADIUS: Access-Challenge without an EAP-Message");
}
END_TEST

/* RFC 2548 2.4.2 decryption against the oracle's encryption, odd lengths. */
START_TEST(mppe_decrypt)
{
	uint8_t eap[5] = {2, 1, 0, 5, 1};
	struct radius_request rq = rq0(eap, sizeof(eap));
	static uint8_t pkt[RADIUS_MAX];
	static struct radius_reply r;
	char err[200];
	const char *keys[] = {"01", "0102030405060708090a0b0c0d0e0f", K32A K32A};
	size_t lens[] = {1, 15, 64};
	for (int i = 0; i < 3; i++) {
		size_t n =
		    reply(&rq, RADIUS_ACCESS_ACCEPT, "03010004", keys[i], keys[i], SECRET, pkt);
		ck_assert_msg(radius_parse_reply(pkt, n, &rq, SECRET, &r, err, sizeof(err)), "%s",
			      err);
		ck_assert_uint_eq(r.send_key_len, lens[i]);
		uint8_t want[64];
		tu_hex(want, 64, keys[i]);
		ck_assert_mem_eq(r.send_key, want, lens[i]);
	}
	uint8_t key[64];
	size_t kl;
	static const uint8_t short_val[17] = {0x80, 1};
	ck_assert(!radius_mppe_decrypt(short_val, sizeof(short_val), SECRET, rq.authenticator, key,
				       sizeof(key), &kl));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("radius");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, access_request_layout);
	tcase_add_test(tc, accept_with_keys);
	tcase_add_test(tc, bad_replies);
	tcase_add_test(tc, mppe_decrypt);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
