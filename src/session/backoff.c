/* Reconnect pacing (see backoff.h). */
#include "session/backoff.h"

unsigned backoff_fails_after(unsigned fails, bool was_up, uint64_t up_ms)
{
	if (was_up && up_ms >= BACKOFF_SHORT_SESSION_MS)
		return 1; /* a good session: the next wait starts from the minimum */
	return fails < UINT32_MAX ? fails + 1 : fails;
}

uint64_t backoff_delay_ms(unsigned min_s, unsigned max_s, unsigned fails, bool auth_failed,
			  uint32_t rnd)
{
	uint64_t lo = (uint64_t)min_s * 1000, hi = (uint64_t)max_s * 1000;
	uint64_t d = lo;
	for (unsigned i = 1; i < fails && d < hi; i++)
		d *= 2;
	if (d > hi)
		d = hi;
	/* ±25 % so that many clients do not come back in step. */
	d = d * 3 / 4 + (d / 2) * (rnd % 1000) / 1000;
	if (d > hi)
		d = hi;
	if (auth_failed && d < BACKOFF_AUTH_FAIL_MIN_MS)
		d = BACKOFF_AUTH_FAIL_MIN_MS;
	return d ? d : 1;
}
