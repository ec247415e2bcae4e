/* Where the time of a connection attempt goes: one monotonic timestamp per
 * phase, logged at debug level when the tunnel comes up, so a slow connect
 * shows which step (a network round trip, or our own work) took the time.
 * Marks after the first of each phase are ignored (a renegotiation does not
 * move them). */
#ifndef SSTPC_SESSION_TIMELINE_H
#define SSTPC_SESSION_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tl_phase {
	TL_CREATED, /* the session (TUN, netlink) is being made: first attempt only */
	TL_CONNECT, /* resolving and connecting begin */
	TL_TCP,	    /* TCP connected (past a proxy) */
	TL_TLS,	    /* TLS established */
	TL_HTTP,    /* the server answered the SSTP HTTP request */
	TL_AUTH,    /* LCP done and authenticated */
	TL_NCP,	    /* IPCP or IPV6CP up */
	TL_UP,	    /* addresses, routes and DNS applied */
	TL_N
};

struct timeline {
	uint64_t us[TL_N]; /* CLOCK_MONOTONIC µs; 0: not reached */
};

/* Now on the monotonic clock, in µs (never 0). */
uint64_t timeline_now_us(void);
/* Records phase p at now_us unless it was recorded already. */
void timeline_mark(struct timeline *tl, enum tl_phase p, uint64_t now_us);
/* A new attempt: every mark is cleared but TL_CREATED for the first one
 * (later attempts start after a back-off, not after the setup). */
void timeline_restart(struct timeline *tl, bool first);
/* "setup 1.20 ms, TCP 0.31 ms, ..., total 5.30 ms": each reached phase with
 * the time since the previous reached one. Returns the length written
 * (truncated to n - 1 like snprintf). */
size_t timeline_format(const struct timeline *tl, char *buf, size_t n);

#endif
