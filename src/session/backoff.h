/* Reconnect pacing: the count of failures in a row and the wait it earns.
 * A session that was up for less than BACKOFF_SHORT_SESSION_MS counts as a
 * failure like one that never came up, so a server that accepts and drops
 * at once is retried at growing intervals, not every second forever (each
 * cycle rewrites DNS, routes and sysctls on the host). Pure functions: no
 * clock, no randomness of their own. */
#ifndef SSTPC_SESSION_BACKOFF_H
#define SSTPC_SESSION_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#define BACKOFF_SHORT_SESSION_MS 30000
/* The server refused our credentials: retrying sooner only locks accounts. */
#define BACKOFF_AUTH_FAIL_MIN_MS 60000

/* The failure count after an attempt ended: was_up says it reached "up",
 * up_ms for how long. */
unsigned backoff_fails_after(unsigned fails, bool was_up, uint64_t up_ms);
/* min_s doubled per failure after the first, at most max_s, then jittered
 * by rnd to 75-125 % and capped at max_s again; at least 60 s after an
 * authentication failure; never 0. */
uint64_t backoff_delay_ms(unsigned min_s, unsigned max_s, unsigned fails, bool auth_failed,
			  uint32_t rnd);

#endif
