/* Connect-time phases: the report's exact text. */
#include <string.h>

#include "testutil.h"
#include "session/timeline.h"

START_TEST(every_phase_with_its_step)
{
	struct timeline tl = {0};
	const uint64_t at[TL_N] = {1000, 2200, 2510, 4320, 4500, 5001, 5300, 5900};
	for (int p = 0; p < TL_N; p++)
		timeline_mark(&tl, (enum tl_phase)p, at[p]);
	char buf[256];
	size_t n = timeline_format(&tl, buf, sizeof(buf));
	ck_assert_str_eq(buf, "setup 1.20 ms, TCP 0.31 ms, TLS 1.81 ms, HTTP 0.18 ms, "
			      "LCP+auth 0.50 ms, NCP 0.29 ms, host setup 0.60 ms, total 4.90 ms");
	ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

START_TEST(later_marks_do_not_move_a_phase)
{
	struct timeline tl = {0};
	timeline_mark(&tl, TL_CONNECT, 100);
	timeline_mark(&tl, TL_TCP, 1100);
	timeline_mark(&tl, TL_TCP, 9100); /* e.g. a second IPCP Up */
	char buf[128];
	timeline_format(&tl, buf, sizeof(buf));
	ck_assert_str_eq(buf, "TCP 1.00 ms, total 1.00 ms");
}
END_TEST

START_TEST(restart_keeps_the_setup_only_for_the_first_attempt)
{
	struct timeline tl = {0};
	timeline_mark(&tl, TL_CREATED, 10);
	timeline_mark(&tl, TL_CONNECT, 2010);
	timeline_mark(&tl, TL_TCP, 3010);
	timeline_restart(&tl, true);
	ck_assert_uint_eq(tl.us[TL_CREATED], 10);
	ck_assert_uint_eq(tl.us[TL_CONNECT], 0);
	ck_assert_uint_eq(tl.us[TL_TCP], 0);
	timeline_restart(&tl, false);
	ck_assert_uint_eq(tl.us[TL_CREATED], 0);
	char buf[64];
	ck_assert_uint_eq(timeline_format(&tl, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(short_buffer_is_truncated_and_terminated)
{
	struct timeline tl = {0};
	timeline_mark(&tl, TL_CONNECT, 1);
	timeline_mark(&tl, TL_TCP, 123457);
	timeline_mark(&tl, TL_TLS, 223457);
	char buf[12];
	memset(buf, 'x', sizeof(buf));
	size_t n = timeline_format(&tl, buf, sizeof(buf));
	ck_assert_uint_eq(n, sizeof(buf) - 1);
	ck_assert_str_eq(buf, "TCP 123.45 ");
	ck_assert_uint_eq(timeline_format(&tl, buf, 0), 0);
}
END_TEST

START_TEST(clock_is_monotonic_and_never_zero)
{
	uint64_t a = timeline_now_us(), b = timeline_now_us();
	ck_assert_uint_gt(a, 0);
	ck_assert_uint_ge(b, a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("timeline");
	TCase *tc = tcase_create("timeline");
	tcase_add_test(tc, every_phase_with_its_step);
	tcase_add_test(tc, later_marks_do_not_move_a_phase);
	tcase_add_test(tc, restart_keeps_the_setup_only_for_the_first_attempt);
	tcase_add_test(tc, short_buffer_is_truncated_and_terminated);
	tcase_add_test(tc, clock_is_monotonic_and_never_zero);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
