/* State shared by the PPP modules (lcp, chap, pap, eap, ipcp, ipv6cp, ppp). */
#ifndef SSTPC_PPP_INTERNAL_H
#define SSTPC_PPP_INTERNAL_H

#include "core/bytes.h"
#include "ppp/eaptls_frag.h"
#include "ppp/fsm.h"
#include "ppp/ppp.h"

enum ppp_phase { PHASE_DEAD, PHASE_ESTABLISH, PHASE_AUTHENTICATE, PHASE_NETWORK, PHASE_TERMINATE };

#define PPP_NAME_MAX 256

struct ppp {
	struct ppp_config cfg;
	const struct ppp_ops *ops;
	void *ctx;
	char username[PPP_NAME_MAX], password[PPP_NAME_MAX];
	enum ppp_phase phase;
	uint64_t now; /* of the call in progress, for callbacks without one */
	struct fsm lcp, ipcp, ipv6cp;

	/* LCP */
	uint32_t magic;
	bool magic_rej, mru_rej;
	uint16_t mru, peer_mru;
	enum ppp_auth peer_auth; /* what the authenticator asked and we Acked */
	bool auth_pref_naked;	 /* we already Nak'd once towards our preferred method */
	/* client: our last reply to the server's LCP request refused its
	 * Auth-Protocol (Nak or Reject); auth_nak_allowed = the method refused
	 * when we do allow it (else NONE); what the server offered so far */
	bool auth_refusing;
	enum ppp_auth auth_nak_allowed;
	unsigned offered_auth;		   /* bit (1 << enum ppp_auth) */
	char offered_text[96];		   /* "PAP, CHAP algorithm 0x80" */
	struct ppp_down_info auth_pending; /* what ppp_failure() reports while refusing */
	char auth_pending_reason[256];
	uint64_t echo_next; /* UINT64_MAX = keepalive off */
	uint32_t echo_missed;
	uint8_t echo_id;

	/* LCP, server role: the method we request and those already refused */
	enum ppp_auth our_auth;
	uint8_t auth_refused;	/* bit (1 << enum ppp_auth) */
	bool auth_second_round; /* every method was refused once already */
	bool rras_rej_cb, rras_rej_mrru, rras_rej_ed;
	/* the client's Nak or Reject being read answered our Auth-Protocol;
	 * with its suggestion (NONE for a Reject) */
	bool auth_answered;
	enum ppp_auth auth_suggested;

	/* authentication */
	enum ppp_auth auth_ok; /* method that succeeded */
	uint64_t auth_deadline;
	uint32_t auth_tries;
	uint8_t auth_id;
	uint8_t auth_chal[16], peer_chal[16], nt_resp[24];
	bool chap_answered; /* a Response was sent for the current challenge */
	bool eap_mschap_ok; /* EAP-MSCHAPv2 verified the server's S= */
	char eap_fail[160]; /* the E= reason seen inside EAP, for EAP Failure */
	/* EAP-TLS client (eap_tls.c) */
	void *tls;		 /* the session from cfg.eap_tls, NULL before Start */
	struct eaptls_rx tls_rx; /* reassembly; its buffer is malloc'd at Start */
	uint8_t *tls_out;	 /* the message being sent in fragments */
	size_t tls_out_len, tls_out_off;
	bool tls_done;	  /* the handshake finished (server Finished verified) */
	bool tls_failed;  /* the handshake failed: only EAP Failure may follow */
	uint8_t tls_type; /* 13 EAP-TLS or 25 PEAP */
	/* PEAP phase 2 (eap_peap.c) */
	bool peap_tunnel;      /* eap_respond goes into the tunnel (inner method running) */
	bool peap_full;	       /* the server writes inner packets with their EAP header */
	bool peap_result_ok;   /* Result TLV Success exchanged */
	bool peap_bound;       /* cryptobinding verified and answered: hlak from the CSK */
	uint8_t peap_hlak[32]; /* CSK[0:32] once bound */
	/* server role */
	char hostname[PPP_NAME_MAX];
	char peer_name[PPP_NAME_MAX]; /* as the client sent it */
	uint8_t srv_state;	      /* per method, see pap.c / chap.c / eap.c */
	uint8_t srv_hlak[32];	      /* EAP: kept from the MS-CHAPv2 Response to EAP Success */
	uint16_t srv_proto;	      /* last auth packet sent, resent on timeout / duplicate */
	uint16_t srv_len;
	uint8_t srv_pkt[1600]; /* an EAP Request relayed from RADIUS is the largest */
	uint8_t relay_type;    /* server relay: the EAP type of the last relayed Request */

	/* IPCP */
	uint32_t ip_local, ip_peer, dns[2];
	bool addr_rej, dns_rej[2];
	bool ipcp_up, ipcp_failed;
	/* server values refused (ipcp.c): reported in PPP_EV_IPCP_UP so the
	 * session can say so; a server that keeps suggesting an unusable
	 * address for us ends IPCP after Max-Failure Naks with ipcp_why */
	uint32_t dns_refused[2], peer_refused;
	uint32_t addr_refusals;
	char ipcp_why[96];
	bool ipcp_saw_addr; /* server: the request being answered asks for an address */

	/* IPV6CP */
	uint8_t ifid_local[8], ifid_peer[8];
	bool ifid_rej;
	bool ipv6cp_up, ipv6cp_failed;

	/* the end */
	bool dead;
	struct ppp_down_info down;
	char reason[256];

	uint8_t out[2048];
};

/* ppp.c */
void ppp_send(struct ppp *p, uint16_t proto, const uint8_t *pkt, size_t len);
void ppp_fsm_send(void *ctx, uint16_t proto, const uint8_t *pkt, size_t len);
void ppp_random(struct ppp *p, void *buf, size_t len);
/* Records the first reason the link goes down (later ones are ignored). */
void ppp_set_reason(struct ppp *p, bool auth_failed, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Auth failed or the link must end: LCP Terminate, then PPP_EV_DEAD. */
void ppp_fail(struct ppp *p, bool auth_failed, int code, const char *reason, uint64_t now);
void ppp_report_dead(struct ppp *p);
/* Authentication succeeded: PPP_EV_AUTH_OK, then the network phase. */
void ppp_auth_success(struct ppp *p, enum ppp_auth method, const uint8_t *hlak, uint64_t now);
/* Shared fsm callbacks of IPCP and IPV6CP. */
void ppp_ncp_down(struct fsm *f, uint64_t now);
void ppp_ncp_finished(struct fsm *f, uint64_t now);
uint8_t ppp_auth_value(enum ppp_auth a, uint8_t *val); /* Auth-Protocol option value; its length */
/* Server: sends an auth packet and keeps it for retransmission (retrans:
 * the restart timer runs) and for answering duplicates. */
void ppp_auth_send(struct ppp *p, uint16_t proto, const uint8_t *pkt, size_t len, bool retrans,
		   uint64_t now);
/* Server: starts authenticating with p->our_auth (LCP just opened). */
void ppp_auth_start(struct ppp *p, uint64_t now);
/* Server: credentials refused: the failure was sent, now LCP Terminate. */
void ppp_auth_refused(struct ppp *p, int code, uint64_t now);
/* Server: fetches the user's secret; false = unknown user or reject_auth. */
bool ppp_get_secret(struct ppp *p, const char *user, char *pw, size_t pwlen);
/* Copies a peer-sent name into p->peer_name; false if it holds a NUL or is too long. */
bool ppp_take_peer_name(struct ppp *p, const uint8_t *name, size_t len);
/* Constant-time comparison for secrets and responses. */
bool ppp_secret_eq(const void *a, const void *b, size_t len);

/* lcp.c */
extern const struct fsm_callbacks lcp_callbacks;
/* Client: the server sent LCP Terminate-Request before LCP opened. */
void lcp_terminated_early(struct ppp *p);
void lcp_echo_timeout(struct ppp *p, uint64_t now);
void lcp_protocol_reject(struct ppp *p, uint16_t proto, const uint8_t *info, size_t len);

/* chap.c / pap.c / eap.c: client role, and the server role where noted */
void chap_input(struct ppp *p, struct reader *r, uint64_t now);
void pap_start(struct ppp *p, uint64_t now);
void pap_input(struct ppp *p, struct reader *r, uint64_t now);
void pap_timeout(struct ppp *p, uint64_t now);
void eap_input(struct ppp *p, struct reader *r, uint64_t now);
void pap_srv_input(struct ppp *p, struct reader *r, uint64_t now);
void chap_srv_start(struct ppp *p, uint64_t now);
void chap_srv_input(struct ppp *p, struct reader *r, uint64_t now);
void eap_srv_start(struct ppp *p, uint64_t now);
void eap_srv_input(struct ppp *p, struct reader *r, uint64_t now);
/* "S=<40 hex> M=Welcome" for the server; false if the secret is unusable. */
bool mschapv2_srv_verify(struct ppp *p, const char *pw, const uint8_t chal[16],
			 const uint8_t resp[49], char success[64], uint8_t hlak[32]);
/* "E=691 R=0 C=<32 hex> V=3 M=..." with a fresh challenge. */
size_t mschapv2_srv_failure(struct ppp *p, char *out, size_t outlen);
/* MS-CHAPv2 pieces shared by CHAP and EAP-MSCHAPv2 */
void mschapv2_make_response(struct ppp *p, const uint8_t chal[16], uint8_t value[49]);
/* Checks "S=..." in a Success message; false = the server did not prove the password. */
bool mschapv2_check_success(struct ppp *p, const uint8_t *msg, size_t len);
/* Formats a Failure message "E=691 R=0 ..." into a reason; returns the E= code. */
int mschapv2_failure_reason(const uint8_t *msg, size_t len, const char *method, char *out,
			    size_t outlen);

/* eap_tls.c: client role, EAP-TLS (type 13) and PEAP's outer part (25) */
void eaptls_request(struct ppp *p, uint8_t id, uint8_t type, struct reader *d, uint64_t now);
/* EAP Success after EAP-TLS: checks the handshake, derives the keys. */
void eaptls_success(struct ppp *p, uint64_t now);
void eaptls_free(struct ppp *p);
/* EAP Failure with no reason of ours: what the server's refusal means. */
void eaptls_failure_reason(struct ppp *p);
/* eap_peap.c: PEAPv0 phase 2, the inner packets the tunnel delivered */
void peap_inner(struct ppp *p, uint8_t id, const uint8_t *buf, size_t len, uint64_t now);
/* An inner Response, written into the tunnel (its records queue in the TLS output). */
void peap_respond(struct ppp *p, uint8_t id, uint8_t type, const uint8_t *data, size_t len);
/* eap.c */
/* A Response; inside PEAP's tunnel while an inner method runs. */
void eap_respond(struct ppp *p, uint8_t id, uint8_t type, const uint8_t *data, size_t len);
void eap_respond_outer(struct ppp *p, uint8_t id, uint8_t type, const uint8_t *data, size_t len);
void eap_mschapv2_request(struct ppp *p, uint8_t id, struct reader *d, uint64_t now);

/* ipcp.c / ipv6cp.c */
extern const struct fsm_callbacks ipcp_callbacks;
extern const struct fsm_callbacks ipv6cp_callbacks;

#endif
