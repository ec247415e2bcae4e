/* Reaching the server (or the HTTP proxy in front of it) on the event loop:
 * name resolution on a thread (tls/resolve.h), non-blocking connects to
 * every address (happy eyeballs: the next one starts 250 ms after the
 * previous if none has answered yet, at once when one fails; the first to
 * connect wins), then the CONNECT exchange with the proxy — all under one
 * deadline. Nothing here waits: the loop keeps serving signals, timers
 * and the control socket throughout. */
#ifndef SSTPC_TLS_DIAL_H
#define SSTPC_TLS_DIAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct loop;
struct dial;

struct dial_params {
	const char *host; /* the server: IP literal or name */
	uint16_t port;
	const char *proxy_host; /* NULL or "": connect directly */
	uint16_t proxy_port;
	const char *proxy_user; /* NULL: no Proxy-Authorization */
	const char *proxy_pass;
	unsigned timeout_ms; /* the one deadline for all of it, from dial_start */
};

/* fd >= 0: connected, non-blocking, TCP_NODELAY, past the proxy; the
 * caller owns it; peer is the address connected to (the proxy's when
 * proxying). fd < 0: err says what failed ("resolving X: ...",
 * "connect to A: timed out after N s", "proxy authentication required
 * (407)", ...); both point into the dial, valid until dial_free. Runs
 * once, from the loop, never inside dial_start. The dial may be freed
 * inside the callback. */
typedef void (*dial_done_cb)(void *arg, int fd, const struct sockaddr_storage *peer,
			     const char *err);

/* NULL only when out of memory. */
struct dial *dial_start(struct loop *l, const struct dial_params *p, dial_done_cb cb, void *arg);
/* "resolving", "TCP connect", "proxy handshake" or "done". */
const char *dial_step_name(const struct dial *d);
/* Cancels whatever is in progress (closing its sockets); the callback will
 * not run. NULL is fine. */
void dial_free(struct dial *d);

/* The same, waiting on a private loop: for tools and tests. */
int dial_blocking(const struct dial_params *p, struct sockaddr_storage *peer, char *err,
		  size_t errlen);

#endif
