/* One tunnel: the TUN device (kept across reconnects), one link per
 * connection (src/link: TLS, SSTP, PPP, the stream), the host changes made
 * from what PPP negotiated (session/apply.h, undone through the netcfg
 * journal), reconnecting with back-off and reloading on SIGHUP, all on one
 * epoll loop. */
#ifndef SSTPC_SESSION_SESSION_H
#define SSTPC_SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct loop;
struct session;

enum session_state {
	SESSION_IDLE,	     /* administratively disconnected or disabled */
	SESSION_CONNECTING,  /* TCP + TLS */
	SESSION_NEGOTIATING, /* SSTP + PPP */
	SESSION_UP,	     /* IPCP (or IPV6CP) up, data flowing */
	SESSION_CLOSING,     /* PPP terminate / SSTP disconnect in progress */
	SESSION_BACKOFF,     /* waiting to reconnect */
	SESSION_STOPPED,     /* done; session_run returns */
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
/* The tunnel's own facts for `show` (control.c formats them as text and
 * JSON). Strings are empty when unknown. */
struct session_facts {
	const char *state;
	char server[256];
	char server_address[46];
	unsigned port;
	char tls_version[32], tls_cipher[64];
	const char *auth;	    /* "" before authentication */
	const char *crypto_binding; /* "SHA-256", "SHA-1" or "" */
	char local_ipv4[16], peer_ipv4[16];
	char local_ipv6[46], peer_ipv6[46];
	uint64_t uptime_s;
	unsigned reconnects;
	uint64_t dropped, forward_dropped;
	char last_error[256];
	const char (*servers)[256]; /* every `server` line, in order */
	int nservers;
	int server_index; /* of server in servers, -1 when not listed */
};
void session_describe(struct session *s, struct session_facts *f);

#endif
