/* Reconnect pacing: short sessions count as failures; the exact waits. */
#include "testutil.h"
#include "session/backoff.h"

START_TEST(short_sessions_count_as_failures)
{
	/* never up: one more failure */
	ck_assert_uint_eq(backoff_fails_after(0, false, 0), 1);
	ck_assert_uint_eq(backoff_fails_after(3, false, 0), 4);
	/* up, but for less than 30 s: still one more failure */
	ck_assert_uint_eq(backoff_fails_after(3, true, 0), 4);
	ck_assert_uint_eq(backoff_fails_after(3, true, 29999), 4);
	/* up for 30 s or more: the count starts again */
	ck_assert_uint_eq(backoff_fails_after(3, true, 30000), 1);
	ck_assert_uint_eq(backoff_fails_after(9, true, 3600000), 1);
	ck_assert_uint_eq(backoff_fails_after(UINT32_MAX, false, 0), UINT32_MAX);
}
END_TEST

START_TEST(server_that_drops_at_once_is_retried_at_growing_gaps)
{
	/* up-then-drop: each attempt comes up for a second; rnd 500 = no
	 * jitter. min 1 s, max 16 s. */
	unsigned fails = 0;
	const uint64_t want[] = {1000, 2000, 4000, 8000, 16000, 16000, 16000};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		fails = backoff_fails_after(fails, true, 1000);
		ck_assert_uint_eq(backoff_delay_ms(1, 16, fails, false, 500), want[i]);
	}
	/* one good session later the wait is the minimum again */
	fails = backoff_fails_after(fails, true, 45000);
	ck_assert_uint_eq(backoff_delay_ms(1, 16, fails, false, 500), 1000);
}
END_TEST

START_TEST(jitter_and_bounds)
{
	/* 75 % .. 125 % of the step, never above max */
	ck_assert_uint_eq(backoff_delay_ms(4, 60, 1, false, 0), 3000);
	ck_assert_uint_eq(backoff_delay_ms(4, 60, 1, false, 999), 4998);
	ck_assert_uint_eq(backoff_delay_ms(4, 60, 5, false, 999), 60000);
	ck_assert_uint_eq(backoff_delay_ms(4, 60, 5, false, 0), 45000);
	/* authentication failures wait at least a minute */
	ck_assert_uint_eq(backoff_delay_ms(1, 5, 1, true, 500), 60000);
	/* huge counts do not overflow */
	ck_assert_uint_eq(backoff_delay_ms(3600, 86400, UINT32_MAX, false, 500), 86400000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("backoff");
	TCase *tc = tcase_create("backoff");
	tcase_add_test(tc, short_sessions_count_as_failures);
	tcase_add_test(tc, server_that_drops_at_once_is_retried_at_growing_gaps);
	tcase_add_test(tc, jitter_and_bounds);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
