#include <string.h>

#include "ppp/chap_crypto.h"
#include "testutil.h"

/* RFC 2759 9.2 */
#define USER "User"
#define PASS "clientPass"
#define AUTH_CHAL "5B5D7C7D7B3F2F3E3C2C602132262628"
#define PEER_CHAL "21402324255E262A28295F2B3A337C7E"

static void load(uint8_t *out, size_t n, const char *hex)
{
	ck_assert_uint_eq(tu_hex(out, n, hex), n);
}

START_TEST(rfc2759_password_hash)
{
	uint8_t h[16], want[16];
	load(want, 16, "44EBBA8D5312B8D611474411F56989AE");
	ck_assert(mschap_nt_password_hash(PASS, h));
	ck_assert_mem_eq(h, want, 16);
}
END_TEST

START_TEST(rfc2759_challenge_hash)
{
	uint8_t ac[16], pc[16], c[8], want[8];
	load(ac, 16, AUTH_CHAL);
	load(pc, 16, PEER_CHAL);
	load(want, 8, "D02E4386BCE91226");
	mschap_challenge_hash(pc, ac, USER, c);
	ck_assert_mem_eq(c, want, 8);
}
END_TEST

START_TEST(rfc2759_nt_response_and_authenticator)
{
	uint8_t ac[16], pc[16], r[24], want[24];
	load(ac, 16, AUTH_CHAL);
	load(pc, 16, PEER_CHAL);
	load(want, 24, "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
	ck_assert(mschap_nt_response(ac, pc, USER, PASS, r));
	ck_assert_mem_eq(r, want, 24);
	char s[43];
	ck_assert(mschap_auth_response(PASS, r, pc, ac, USER, s));
	ck_assert_str_eq(s, "S=407A5589115FD0D6209F510FE9C04566932CDA56");
	/* a wrong password must give another authenticator */
	ck_assert(mschap_auth_response("clientPasS", r, pc, ac, USER, s));
	ck_assert_str_ne(s, "S=407A5589115FD0D6209F510FE9C04566932CDA56");
}
END_TEST

START_TEST(rfc3079_client_hlak)
{
	uint8_t r[24], hlak[32], want[32];
	load(r, 24, "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF");
	/* client send key first: the RFC's "send" sample is the server's */
	load(want, 32,
	     "D5F0E9521E3EA9589645E86051C82226"
	     "8B7CDC149B993A1BA118CB153F56DCCB");
	ck_assert(mschap_client_hlak(PASS, r, hlak));
	ck_assert_mem_eq(hlak, want, 32);
}
END_TEST

START_TEST(chap_md5_known_values)
{
	/* computed independently with Python hashlib.md5(id || secret || chal) */
	uint8_t chal[16], out[16], want[16];
	load(chal, 16, "0102030405060708090a0b0c0d0e0f10");
	load(want, 16, "369c0f1058bdf0a73bab4efbb952ea2b");
	chap_md5_response(0x2a, "secret", chal, 16, out);
	ck_assert_mem_eq(out, want, 16);
	uint8_t c2[4];
	load(c2, 4, "deadbeef");
	load(want, 16, "9f24d1f796503e817d7b257786bb8112");
	chap_md5_response(0, "p\xc3\xa4ss", c2, 4, out);
	ck_assert_mem_eq(out, want, 16);
}
END_TEST

START_TEST(password_utf8_rules)
{
	uint8_t h[16];
	ck_assert(!mschap_nt_password_hash("bad\xc3", h));	   /* truncated sequence */
	ck_assert(!mschap_nt_password_hash("bad\xc0\xaf", h));	   /* overlong */
	ck_assert(!mschap_nt_password_hash("bad\xed\xa0\x80", h)); /* surrogate */
	ck_assert(!mschap_nt_password_hash("\xff", h));
	ck_assert(!mschap_nt_password_hash(NULL, h));
	ck_assert(mschap_nt_password_hash("", h));
	ck_assert(mschap_nt_password_hash("p\xc3\xa4ss\xf0\x9f\x98\x80", h));
	char pw[258];
	memset(pw, 'a', 256);
	pw[256] = 0;
	ck_assert(mschap_nt_password_hash(pw, h));
	pw[256] = 'a';
	pw[257] = 0;
	ck_assert(!mschap_nt_password_hash(pw, h));
	/* a non-ASCII password differs from its Latin-1 bytes taken one by one */
	uint8_t h2[16];
	ck_assert(mschap_nt_password_hash("\xc3\xa4", h));
	ck_assert(mschap_nt_password_hash("\xc3", h2) == false);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("chap_crypto");
	TCase *tc = tcase_create("vectors");
	tcase_add_test(tc, rfc2759_password_hash);
	tcase_add_test(tc, rfc2759_challenge_hash);
	tcase_add_test(tc, rfc2759_nt_response_and_authenticator);
	tcase_add_test(tc, rfc3079_client_hlak);
	tcase_add_test(tc, chap_md5_known_values);
	tcase_add_test(tc, password_utf8_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
