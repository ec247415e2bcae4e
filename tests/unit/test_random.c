/* random_bytes: fills exactly the bytes asked for, large requests included
 * (getrandom may return fewer than asked), and two draws differ. */
#include <string.h>

#include "core/random.h"
#include "testutil.h"

START_TEST(fills_exactly_len)
{
	uint8_t buf[64];
	memset(buf, 0xa5, sizeof(buf));
	random_bytes(buf + 8, 16);
	for (size_t i = 0; i < 8; i++) {
		ck_assert_uint_eq(buf[i], 0xa5);
		ck_assert_uint_eq(buf[24 + i], 0xa5);
	}
	random_bytes(buf, 0); /* nothing asked, nothing written */
	ck_assert_uint_eq(buf[0], 0xa5);
}
END_TEST

START_TEST(large_draws_differ)
{
	static uint8_t a[1 << 16], b[1 << 16];
	random_bytes(a, sizeof(a));
	random_bytes(b, sizeof(b));
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	/* the last 32 bytes were written too (1 in 2^256 to be all zero) */
	static const uint8_t zero[32];
	ck_assert(memcmp(a + sizeof(a) - 32, zero, 32) != 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("random");
	TCase *tc = tcase_create("getrandom");
	tcase_add_test(tc, fills_exactly_len);
	tcase_add_test(tc, large_draws_differ);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
