/* IPv6 source validation (src/tun/srcvalid.c) and the prefix match the
 * session also uses to decide whether the server needs a host route. */
#include "testutil.h"
#include "tun/srcvalid.h"

#include <arpa/inet.h>
#include <string.h>

static const uint8_t *a6(const char *s)
{
	static uint8_t buf[4][16];
	static int k;
	uint8_t *b = buf[k++ & 3];
	ck_assert_int_eq(inet_pton(AF_INET6, s, b), 1);
	return b;
}

START_TEST(prefix_match)
{
	uint8_t a4[4] = {10, 200, 7, 2}, p4[4] = {10, 200, 7, 0};
	ck_assert(srcvalid_prefix_match(a4, p4, 24, 4));
	ck_assert(srcvalid_prefix_match(a4, p4, 25, 4));
	ck_assert(srcvalid_prefix_match(a4, p4, 30, 4));
	ck_assert(!srcvalid_prefix_match(a4, p4, 31, 4));
	ck_assert(srcvalid_prefix_match(a4, p4, 0, 4));
	ck_assert(!srcvalid_prefix_match(a4, p4, 33, 4));
	uint8_t b4[4] = {10, 200, 7, 200};
	ck_assert(!srcvalid_prefix_match(b4, p4, 25, 4));
	ck_assert(srcvalid_prefix_match(a6("2001:db8:1::5"), a6("2001:db8::"), 32, 16));
	ck_assert(!srcvalid_prefix_match(a6("2001:db9::5"), a6("2001:db8::"), 32, 16));
	ck_assert(srcvalid_prefix_match(a6("2001:db8::1"), a6("2001:db8::1"), 128, 16));
	ck_assert(!srcvalid_prefix_match(a6("2001:db8::1"), a6("2001:db8::1"), 129, 16));
	/* a prefix length that is not a multiple of 8 */
	ck_assert(srcvalid_prefix_match(a6("2001:db8:8fff::"), a6("2001:db8:8000::"), 33, 16));
	ck_assert(!srcvalid_prefix_match(a6("2001:db8:7fff::"), a6("2001:db8:8000::"), 33, 16));
}
END_TEST

START_TEST(off_passes_everything)
{
	struct srcvalid sv;
	srcvalid_init(&sv, SRCVALID_OFF);
	ck_assert(srcvalid_check6(&sv, a6("ff02::1")));
	ck_assert(srcvalid_check6(&sv, a6("::1")));
	ck_assert(srcvalid_check6(&sv, a6("2001:db8::1")));
}
END_TEST

START_TEST(strict_prefixes_and_link_local)
{
	struct srcvalid sv;
	srcvalid_init(&sv, SRCVALID_STRICT);
	ck_assert_int_eq(srcvalid_add(&sv, a6("2001:db8:10::"), 48), 0);
	ck_assert_int_eq(srcvalid_add(&sv, a6("fd00:1::"), 32), 0);
	ck_assert(srcvalid_check6(&sv, a6("2001:db8:10:ffff::1")));
	ck_assert(srcvalid_check6(&sv, a6("fd00:1:2::3")));
	ck_assert(!srcvalid_check6(&sv, a6("2001:db8:11::1")));
	ck_assert(!srcvalid_check6(&sv, a6("2a00::1")));
	/* the peer's link-local and any fe80::/10 */
	ck_assert(srcvalid_check6(&sv, a6("fe80::211:22ff:fe33:4455")));
	ck_assert(srcvalid_check6(&sv, a6("febf::1")));
	ck_assert(!srcvalid_check6(&sv, a6("fec0::1")));
	/* never valid sources */
	ck_assert(!srcvalid_check6(&sv, a6("::")));
	ck_assert(!srcvalid_check6(&sv, a6("::1")));
	ck_assert(!srcvalid_check6(&sv, a6("ff02::1")));
}
END_TEST

START_TEST(default_route_allows_any_unicast)
{
	struct srcvalid sv;
	srcvalid_init(&sv, SRCVALID_STRICT);
	ck_assert(!srcvalid_check6(&sv, a6("2a00::1")));
	static const uint8_t any[16];
	ck_assert_int_eq(srcvalid_add(&sv, any, 0), 0); /* default route = any */
	ck_assert(srcvalid_check6(&sv, a6("2a00::1")));
	ck_assert(!srcvalid_check6(&sv, a6("ff05::2")));
	srcvalid_init(&sv, SRCVALID_LOOSE);
	srcvalid_allow_any(&sv);
	ck_assert(srcvalid_check6(&sv, a6("2a00::1")));
	ck_assert(!srcvalid_check6(&sv, a6("::1")));
}
END_TEST

START_TEST(bounds)
{
	struct srcvalid sv;
	srcvalid_init(&sv, SRCVALID_STRICT);
	ck_assert_int_eq(srcvalid_add(&sv, a6("2001:db8::"), 129), -1);
	uint8_t p[16] = {0x20, 0x01, 0x0d, 0xb8};
	for (int i = 0; i < SRCVALID_MAX; i++) {
		p[4] = (uint8_t)i;
		ck_assert_int_eq(srcvalid_add(&sv, p, 40), 0);
	}
	p[4] = 0xee;
	ck_assert_int_eq(srcvalid_add(&sv, p, 40), -1);
	ck_assert(!srcvalid_check6(&sv, p));
	p[4] = SRCVALID_MAX - 1;
	ck_assert(srcvalid_check6(&sv, p));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("srcvalid");
	TCase *tc = tcase_create("check");
	tcase_add_test(tc, prefix_match);
	tcase_add_test(tc, off_passes_everything);
	tcase_add_test(tc, strict_prefixes_and_link_local);
	tcase_add_test(tc, default_route_allows_any_unicast);
	tcase_add_test(tc, bounds);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
