/* SLAAC bookkeeping: the cap, the rate limit, withdrawal and expiry, with
 * a fake clock. */
#include <string.h>

#include "testutil.h"
#include "tun/slaac.h"

static void ra_one(struct ra_info *ra, unsigned n, uint32_t valid, uint32_t pref)
{
	memset(ra, 0, sizeof(*ra));
	ra->nprefix = 1;
	ra->p[0].prefix[0] = 0x20, ra->p[0].prefix[1] = 0x01;
	ra->p[0].prefix[6] = (uint8_t)(n >> 8), ra->p[0].prefix[7] = (uint8_t)n;
	ra->p[0].plen = 64;
	ra->p[0].autonomous = true;
	ra->p[0].valid = valid;
	ra->p[0].preferred = pref;
}

/* Runs everything due at now; returns how many changes of op were made. */
static unsigned run(struct slaac *sl, uint64_t now, enum slaac_op want)
{
	struct slaac_entry e;
	enum slaac_op op;
	unsigned n = 0, guard = 0;
	bool batch = false;
	while ((op = slaac_next(sl, now, &e)) != SLAAC_NONE) {
		ck_assert_uint_lt(guard++, 100);
		n += op == want;
		batch |= op != SLAAC_EXPIRED;
		slaac_done(sl, e.prefix, true, now);
	}
	if (batch) /* as the session does */
		slaac_batch_done(sl, now);
	return n;
}

START_TEST(cap_and_rate_limit)
{
	struct slaac sl;
	struct ra_info ra;
	slaac_init(&sl);
	for (unsigned i = 0; i < 1000; i++) {
		ra_one(&ra, i, 600, 300);
		slaac_note(&sl, &ra, 10);
	}
	ck_assert_uint_eq(sl.n, SLAAC_MAX);
	ck_assert_uint_eq(sl.refused, 1000 - SLAAC_MAX);
	ck_assert_uint_eq(slaac_deadline(&sl), 0); /* nothing ran yet: due at once */
	ck_assert_uint_eq(run(&sl, 10, SLAAC_SET), SLAAC_MAX);
	/* a refresh right after waits out the interval */
	ra_one(&ra, 3, 700, 300);
	ck_assert(slaac_note(&sl, &ra, 20));
	ck_assert_uint_eq(slaac_deadline(&sl), 10 + SLAAC_MIN_INTERVAL_MS);
	ck_assert_uint_eq(run(&sl, 500, SLAAC_SET), 0);
	ck_assert_uint_eq(run(&sl, 10 + SLAAC_MIN_INTERVAL_MS, SLAAC_SET), 1);
}
END_TEST

START_TEST(withdraw_and_expiry_free_slots)
{
	struct slaac sl;
	struct ra_info ra;
	slaac_init(&sl);
	ra_one(&ra, 1, 600, 300);
	slaac_note(&sl, &ra, 0);
	ra_one(&ra, 2, 5, 5);
	slaac_note(&sl, &ra, 0);
	ck_assert_uint_eq(run(&sl, 0, SLAAC_SET), 2);
	/* withdrawing an unknown prefix is nothing */
	ra_one(&ra, 9, 0, 0);
	ck_assert(!slaac_note(&sl, &ra, 100));
	/* prefix 2 expires after 5 s: pruned without the rate limit */
	ck_assert_uint_eq(slaac_deadline(&sl), 5000);
	ck_assert_uint_eq(run(&sl, 5000, SLAAC_EXPIRED), 1);
	ck_assert_uint_eq(sl.n, 1);
	/* prefix 1 withdrawn (valid 0) */
	ra_one(&ra, 1, 0, 0);
	ck_assert(slaac_note(&sl, &ra, 6000));
	ck_assert_uint_eq(run(&sl, 6000, SLAAC_WITHDRAW), 1);
	ck_assert_uint_eq(sl.n, 0);
	ck_assert_uint_eq(slaac_deadline(&sl), UINT64_MAX);
}
END_TEST

START_TEST(failed_add_is_forgotten)
{
	struct slaac sl;
	struct ra_info ra;
	struct slaac_entry e;
	slaac_init(&sl);
	ra_one(&ra, 1, 600, 300);
	slaac_note(&sl, &ra, 0);
	ck_assert_int_eq(slaac_next(&sl, 0, &e), SLAAC_SET);
	slaac_done(&sl, e.prefix, false, 0);
	ck_assert_uint_eq(sl.n, 0);
	/* non-autonomous and non-/64 prefixes are not SLAAC's */
	ra.p[0].autonomous = false;
	ck_assert(!slaac_note(&sl, &ra, 0));
	ra.p[0].autonomous = true, ra.p[0].plen = 48;
	ck_assert(!slaac_note(&sl, &ra, 0));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("slaac");
	TCase *tc = tcase_create("slaac");
	tcase_add_test(tc, cap_and_rate_limit);
	tcase_add_test(tc, withdraw_and_expiry_free_slots);
	tcase_add_test(tc, failed_add_is_forgotten);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
