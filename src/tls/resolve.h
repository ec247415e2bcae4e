/* Name resolution off the event loop: getaddrinfo runs in a detached
 * thread and reports through an eventfd the loop watches, so a resolver
 * that never answers cannot hold up signals, timers or the control socket.
 * A lookup that is no longer wanted is abandoned, not waited for: the
 * thread frees its own state when getaddrinfo finally returns. */
#ifndef SSTPC_TLS_RESOLVE_H
#define SSTPC_TLS_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

struct addrinfo;
struct loop;
struct resolve;

/* res (owned by the callee: freeaddrinfo it) on success; otherwise NULL and
 * a message such as "Name or service not known". */
typedef void (*resolve_done_cb)(void *arg, struct addrinfo *res, const char *err);

/* Starts looking up host (TCP, any family) on a thread. The callback runs
 * from the loop, at most once, never from inside resolve_start. NULL with
 * the reason in err when the thread cannot be started. */
struct resolve *resolve_start(struct loop *l, const char *host, uint16_t port, resolve_done_cb cb,
			      void *arg, char *err, size_t errlen);
/* Stops watching; the callback will not run. Safe after the callback ran. */
void resolve_free(struct resolve *r);

/* The getaddrinfo call the thread makes, also used directly for literals:
 * 0 or an EAI_* code (EAI_SYSTEM with errno). */
int resolve_lookup(const char *host, uint16_t port, int extra_flags, struct addrinfo **res);

#endif
