/* One tunnel: the only module that knows every layer. It owns the TUN
 * device, the TLS connection, the SSTP and PPP state machines and the change
 * journal, drives them from one epoll loop, and moves IP packets between
 * the TUN device and the TLS stream. */
#ifndef SSTPC_SESSION_SESSION_H
#define SSTPC_SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct loop;
struct session;

enum session_state {
	SESSION_IDLE,         /* administratively disconnected or disabled */
	SESSION_CONNECTING,   /* TCP + TLS */
	SESSION_NEGOTIATING,  /* SSTP + PPP */
	SESSION_UP,           /* IPCP (or IPV6CP) up, data flowing */
	SESSION_CLOSING,      /* PPP terminate / SSTP disconnect in progress */
	SESSION_BACKOFF,      /* waiting to reconnect */
	SESSION_STOPPED,      /* done; session_run returns */
};
const char *session_state_name(enum session_state s);

/* Takes a copy of the configuration. */
struct session *session_new(const struct conf *c, struct loop *l, char *err, size_t errlen);
void session_free(struct session *s);
/* Runs until stopped (SIGTERM/SIGINT, max-fail reached, fatal error).
 * Returns the process exit status. */
int session_run(struct session *s);

/* Control (used by the control socket). */
/* Both return false with the reason in err when the request cannot be
 * carried out (a disabled tunnel). */
bool session_connect(struct session *s, char *err, size_t errlen);
bool session_disconnect(struct session *s, char *err, size_t errlen);
/* Ends the running session (if any) and starts a new one at once
 * (`clear interfaces connection IF`). */
bool session_reconnect(struct session *s, char *err, size_t errlen);
/* Writes the tunnel's own facts as `key value` lines (json = JSON object
 * members without braces). */
void session_describe(struct session *s, char *buf, size_t len, bool json);

#endif
