/* Userspace PPP: LCP, authentication (PAP, CHAP-MD5, MS-CHAPv2, EAP with
 * EAP-MSCHAPv2), IPCP, IPV6CP, in client or server role.
 *
 * PPP knows nothing of SSTP, TLS or TUN. Frames come in through
 * ppp_input() and go out through ops->output(); everything that happens is
 * reported through ops->event(). No I/O, no clock: every call takes `now`
 * (milliseconds, monotonic) and ppp_deadline() says when ppp_timeout()
 * must be called next. */
#ifndef SSTPC_PPP_PPP_H
#define SSTPC_PPP_PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PPP_PROTO_IP 0x0021
#define PPP_PROTO_IPV6 0x0057
#define PPP_PROTO_IPCP 0x8021
#define PPP_PROTO_IPV6CP 0x8057
#define PPP_PROTO_CCP 0x80fd
#define PPP_PROTO_LCP 0xc021
#define PPP_PROTO_PAP 0xc023
#define PPP_PROTO_CHAP 0xc223
#define PPP_PROTO_EAP 0xc227

#include "ppp/ppp_frame.h" /* PPP_HDR_LEN, the header helpers */

enum ppp_role { PPP_CLIENT, PPP_SERVER };

enum ppp_auth {
	PPP_AUTH_NONE = 0,
	PPP_AUTH_PAP,
	PPP_AUTH_CHAP_MD5,
	PPP_AUTH_MSCHAPV2,
	PPP_AUTH_EAP_MSCHAPV2, /* in LCP: EAP as such (the method inside is EAP's choice) */
	PPP_AUTH_EAP_TLS,      /* RFC 5216, through cfg.eap_tls */
	PPP_AUTH_PEAP,	       /* PEAPv0 with EAP-MSCHAPv2 inside (MS-PEAP), cfg.eap_tls too */
};
const char *ppp_auth_name(enum ppp_auth a);

/* The TLS session inside EAP-TLS, provided by the caller (the session
 * glues it to src/tls): PPP only moves its records. */
struct ppp_eap_tls_ops {
	/* A new client TLS session, presenting our certificate when
	 * with_cert (EAP-TLS; PEAP has none); NULL with the reason in err. */
	void *(*start)(void *ctx, bool with_cert, char *err, size_t errlen);
	/* Hands the peer's whole TLS message in (len 0: just start) and runs
	 * the handshake: 1 finished, 0 needs more, -1 failed (reason in err;
	 * an alert may still be waiting in the output). */
	int (*input)(void *tls, const uint8_t *in, size_t len, char *err, size_t errlen);
	/* What the handshake wrote, to send; consume takes n bytes of it. */
	const uint8_t *(*output)(void *tls, size_t *len);
	void (*consume)(void *tls, size_t n);
	/* RFC 5216 2.3 after the handshake: MSK (64) || EMSK (64). */
	bool (*keys)(void *tls, uint8_t out[128]);
	/* PEAP's tunnel after the handshake: write plaintext (its records go
	 * to the output) -> false on error; read plaintext -> bytes, 0 when
	 * none is complete, -1 on error. */
	bool (*write)(void *tls, const uint8_t *data, size_t len);
	int (*read)(void *tls, uint8_t *buf, size_t cap);
	void (*free)(void *tls);
};

struct ppp_config {
	enum ppp_role role;
	uint16_t mru; /* offered in LCP (from the MTU); both roles */
	/* client: credentials; server: unused (ops->get_secret answers) */
	const char *username;
	const char *password;
	/* client: methods accepted, most preferred first (PPP_AUTH_NONE ends);
	 * server: methods requested, in order (on Nak: the peer's choice if listed) */
	enum ppp_auth auth[6];
	/* client: a method this server used before, or insisted on by ending
	 * the link after our Nak of it: Acked at once when asked (if allowed) */
	enum ppp_auth auth_known;
	/* client: EAP-TLS (PPP_AUTH_EAP_TLS in auth) needs these; NULL = no EAP-TLS */
	const struct ppp_eap_tls_ops *eap_tls;
	void *eap_tls_ctx;
	const char *hostname; /* server: name in CHAP / MS-CHAPv2 challenges; NULL = "sstpd" */
	bool ipv4;	      /* run IPCP (default true) */
	bool ipv6;	      /* run IPV6CP */
	/* RFC 1661 counters and timer; 0 = defaults 3000 ms, 10, 2, 5 */
	uint32_t restart_ms;
	uint32_t max_configure;
	uint32_t max_terminate;
	uint32_t max_failure;
	/* LCP echo keepalive: interval 0 = off; failures = missed echoes before down */
	uint32_t echo_interval_ms;
	uint32_t echo_failures;
	/* server role: our address, the client's, DNS to hand out (network
	 * byte order; dns4[i] = 0: that DNS option is Rejected; peer_ip4 = 0:
	 * the client's own non-zero address is taken) */
	uint32_t local_ip4, peer_ip4, dns4[2];
	/* server: IPV6CP ids. local_ifid 0 = random. The client's id is taken
	 * unless zero or equal to ours; then it is Nak'd with peer_ifid (or a
	 * random id when peer_ifid is 0) */
	uint8_t local_ifid[8], peer_ifid[8];
	/* randomness for magic numbers, challenges, ids; NULL = getrandom() */
	void (*random)(void *ctx, void *buf, size_t len);
	/* Server role fault modes for the test server (tools/sstpd); all false
	 * in normal use, ignored in the client role.
	 * nak_lcp_forever: every client LCP Configure-Request is Nak'd (MRU
	 *   suggested as 1, an unusable value), ignoring Max-Failure, so LCP
	 *   never opens.
	 * rras_lcp: our LCP Configure-Request looks like Windows RRAS': MRU
	 *   4091, Auth-Protocol, Magic-Number, Callback (13, operation 6),
	 *   MRRU 1614 (17), Endpoint-Discriminator (19, class 1, 20 bytes);
	 *   options the client rejects are dropped from the next request.
	 * reject_auth: credentials are always refused (as a wrong password:
	 *   PAP Nak, CHAP / MS-CHAPv2 Failure E=691, EAP-MSCHAPv2 Failure then
	 *   EAP Failure), then LCP Terminate and PPP_EV_DEAD. */
	bool nak_lcp_forever;
	bool rras_lcp;
	bool reject_auth;
	/* auth_giveup: a Nak or Reject of our Auth-Protocol ends the link at
	 *   once (LCP Terminate), as pppd's server does when the peer refuses
	 *   the only method it may offer. */
	bool auth_giveup;
	/* eap_relay (server, EAP): after our Identity Request, every EAP
	 *   Response of the client goes out as PPP_EV_EAP_RELAY and the
	 *   caller answers with ppp_eap_relay_reply (the way a NAS relays
	 *   EAP to RADIUS, RFC 3579). */
	bool eap_relay;
};

/* PPP_EV_EAP_RELAY: the client's EAP Response, and its Identity. */
struct ppp_eap_relay {
	const uint8_t *pkt;
	size_t len;
	const char *identity;
};

enum ppp_relay_result {
	PPP_RELAY_CHALLENGE, /* eap: the next Request for the client */
	PPP_RELAY_ACCEPT,    /* eap: Success; hlak: the server's HLAK */
	PPP_RELAY_REJECT,    /* eap: Failure (or none: one is made) */
	PPP_RELAY_ERROR,     /* the EAP server failed (no answer...): reason */
};

struct ppp_auth_info {
	enum ppp_auth method;
	bool have_keys;
	/* MS-CHAPv2 / EAP-MSCHAPv2: the client's MasterSendKey || MasterReceiveKey
	 * (RFC 3079, before session-key derivation), also in the server role,
	 * which computes the client's view to check the crypto binding.
	 * EAP-TLS: the first 32 bytes of the MSK, the client's MasterSendKey
	 * ([MS-SSTP] 3.2.5.2.4). PEAP: the first 32 bytes of its MSK (the
	 * peer's MS-MPPE-Send-Key, MS-PEAP 3.1.5.7). Zero for PAP / CHAP-MD5. */
	uint8_t hlak[32];
	char peer_name[64]; /* server role: the user name as the client sent it
			     * (cut to 63 bytes here; verified in full) */
	/* client: the methods the server asked for before (and we refused),
	 * as in struct ppp_down_info; NULL / 0 when none. A method of NONE
	 * after such a refusal means the server dropped authentication
	 * because we refused its methods. */
	const char *server_offers;
	unsigned server_auth;
};

struct ppp_ipcp_info {
	uint32_t local, peer; /* network byte order; peer 0 = none usable */
	uint32_t dns[2];      /* 0 = none */
	/* client: unusable values the server offered and IPCP refused (0 =
	 * none), so the session can warn: a DNS server (loopback, multicast,
	 * ...; the option was then no longer requested) and the server's own
	 * address (Configure-Rejected) */
	uint32_t dns_refused[2], peer_refused;
};

struct ppp_ipv6cp_info {
	uint8_t local_id[8], peer_id[8];
};

struct ppp_down_info {
	bool auth_failed;   /* credentials refused: reconnect much later */
	int code;	    /* MS-CHAP E= code or 0 */
	const char *reason; /* human-readable, e.g. "MS-CHAPv2 authentication failed: E=691 (wrong
			       user name or password)" */
	/* Client, when the link ended before authentication could be agreed:
	 * server_offers names what the server asked for ("PAP", "CHAP
	 * algorithm 0x80"), server_auth has bit (1 << enum ppp_auth) for each
	 * of them we implement (NULL / 0 otherwise). retry_with: the server
	 * ended the link right after we Nak'd this method, which we allow:
	 * take it at once next time (see cfg.auth_known). */
	const char *server_offers;
	unsigned server_auth;
	enum ppp_auth retry_with;
};

/* A control reply silently discarded by the automaton (RFC 1661 5.2, 5.4):
 * for debug logs. */
struct ppp_discard_info {
	const char *protocol; /* "LCP", "IPCP", "IPV6CP" */
	uint8_t code, id;     /* of the discarded packet */
	const char *why;
	uint32_t count; /* discarded by this protocol so far */
};

/* Why an IPv4 address (network byte order) cannot be a host's address or a
 * DNS server (0.0.0.0/8, loopback, multicast, limited broadcast, class E),
 * or NULL when it can. */
const char *ppp_ip4_unusable(uint32_t a);

enum ppp_event {
	/* arg: struct ppp_auth_info *; before any NCP frame. Server role: the
	 * authentication of the client succeeded (and the Success went out). */
	PPP_EV_AUTH_OK,
	PPP_EV_IPCP_UP, /* arg: struct ppp_ipcp_info * */
	PPP_EV_IPCP_DOWN,
	PPP_EV_IPV6CP_UP, /* arg: struct ppp_ipv6cp_info * */
	PPP_EV_IPV6CP_DOWN,
	/* arg: struct ppp_down_info *; link is down for good. Server role:
	 * auth_failed = the client's credentials were refused (code 691 for
	 * MS-CHAPv2 / EAP-MSCHAPv2) or no common method. */
	PPP_EV_DEAD,
	PPP_EV_DISCARDED, /* arg: struct ppp_discard_info * */
	PPP_EV_EAP_RELAY, /* arg: struct ppp_eap_relay * (server, eap_relay) */
};

struct ppp_ops {
	/* One whole frame, FF 03 + protocol + information. */
	void (*output)(void *ctx, const uint8_t *frame, size_t len);
	void (*event)(void *ctx, enum ppp_event ev, const void *arg);
	/* Server role: copy the user's password (NUL-terminated, UTF-8) into pw;
	 * false = unknown user (refused like a wrong password). user is the
	 * name exactly as the client sent it (PAP peer-id, CHAP name, EAP
	 * MS-CHAPv2 name), NUL-terminated, without NUL bytes inside. */
	bool (*get_secret)(void *ctx, const char *user, char *pw, size_t pwlen);
};

struct ppp;

struct ppp *ppp_new(const struct ppp_config *cfg, const struct ppp_ops *ops, void *ctx);
void ppp_free(struct ppp *p);
/* The lower layer is up: LCP Open + Up. */
void ppp_lower_up(struct ppp *p, uint64_t now);
/* A received frame (FF 03 optional, 1- or 2-byte protocol accepted). IP and
 * IPv6 frames are the caller's business (fast path); if they do arrive here
 * they are ignored. */
void ppp_input(struct ppp *p, const uint8_t *frame, size_t len, uint64_t now);
/* Administrative close: LCP Terminate-Request; PPP_EV_DEAD when done. */
void ppp_close(struct ppp *p, const char *reason, uint64_t now);
/* Next time ppp_timeout() is due; UINT64_MAX if none. */
uint64_t ppp_deadline(const struct ppp *p);
void ppp_timeout(struct ppp *p, uint64_t now);
/* Called by the data path when any frame arrives (resets echo failures). */
void ppp_saw_traffic(struct ppp *p, uint64_t now);
/* The method that succeeded (PPP_AUTH_NONE before). */
enum ppp_auth ppp_auth_method(const struct ppp *p);
bool ppp_is_dead(const struct ppp *p);
/* Why the link is going (or went) down, as soon as PPP knows it — e.g. an
 * authentication failure while LCP is still terminating; NULL while all is
 * well. Valid until ppp_free(). */
const struct ppp_down_info *ppp_failure(const struct ppp *p);
/* Server with eap_relay: what the EAP server answered to the last
 * PPP_EV_EAP_RELAY. reason: for PPP_RELAY_ERROR, for the log. */
void ppp_eap_relay_reply(struct ppp *p, enum ppp_relay_result r, const uint8_t *eap, size_t len,
			 const uint8_t hlak[32], const char *reason, uint64_t now);

#endif
