/* The RFC 1661 section 4 option-negotiation automaton, written once and
 * shared by LCP, IPCP and IPV6CP through a callbacks table. No I/O: packets
 * leave through send(), time comes in as `now`. */
#ifndef SSTPC_PPP_FSM_H
#define SSTPC_PPP_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

enum fsm_state {
	FSM_INITIAL,
	FSM_STARTING,
	FSM_CLOSED,
	FSM_STOPPED,
	FSM_CLOSING,
	FSM_STOPPING,
	FSM_REQ_SENT,
	FSM_ACK_RCVD,
	FSM_ACK_SENT,
	FSM_OPENED,
};
const char *fsm_state_name(enum fsm_state s);

/* RFC 1661 5 codes */
enum {
	CP_CONF_REQ = 1,
	CP_CONF_ACK = 2,
	CP_CONF_NAK = 3,
	CP_CONF_REJ = 4,
	CP_TERM_REQ = 5,
	CP_TERM_ACK = 6,
	CP_CODE_REJ = 7,
	CP_PROTO_REJ = 8,
	CP_ECHO_REQ = 9,
	CP_ECHO_REP = 10,
	CP_DISCARD_REQ = 11,
};

/* What parse_req collects: options to Nak (with our value) and to Reject
 * (copied verbatim). When nak_as_rej is set (Max-Failure reached) the
 * protocol must put what it would Nak into rej instead. */
struct cp_parse {
	struct writer nak, rej;
	bool nak_as_rej;
};
/* Helpers for parse_req: a whole option (type, len, value) */
void cp_reject(struct cp_parse *cp, uint8_t type, const uint8_t *val, size_t vlen);
void cp_nak(struct cp_parse *cp, uint8_t type, const uint8_t *orig, size_t olen,
	    const uint8_t *want, size_t wlen);
/* Splits off the next option; false on a malformed list (len < 2 or overrun). */
bool cp_next_opt(struct reader *opts, uint8_t *type, struct reader *val);

struct fsm;
/* A reply the automaton silently discarded (RFC 1661 5.2, 5.4): code and
 * identifier of the packet, why in a few words (static text). For debug
 * logs; the automaton itself does not log. */
typedef void (*fsm_discard_fn)(void *ctx, const struct fsm *f, uint8_t code, uint8_t id,
			       const char *why);

struct fsm_callbacks {
	const char *name;
	uint16_t proto;
	/* our Configure-Request options */
	void (*build_req)(struct fsm *f, struct writer *w);
	/* the peer's Configure-Request; false = malformed (dropped) */
	bool (*parse_req)(struct fsm *f, struct reader *opts, struct cp_parse *cp);
	/* our request was Acked / Nak'd / Rejected; false = bogus reply (ignored) */
	bool (*rcv_ack)(struct fsm *f, struct reader *opts);
	bool (*rcv_nak)(struct fsm *f, struct reader *opts);
	bool (*rcv_rej)(struct fsm *f, struct reader *opts);
	void (*up)(struct fsm *f, uint64_t now);       /* tlu */
	void (*down)(struct fsm *f, uint64_t now);     /* tld */
	void (*started)(struct fsm *f, uint64_t now);  /* tls */
	void (*finished)(struct fsm *f, uint64_t now); /* tlf */
	/* codes beyond 1..7 (LCP: Protocol-Reject, Echo, Discard); false =
	 * unknown code (Code-Reject). */
	bool (*other_code)(struct fsm *f, uint8_t code, uint8_t id, struct reader *data,
			   uint64_t now);
};

struct fsm {
	const struct fsm_callbacks *cb;
	void *ctx;
	/* pkt is code..end of a control packet of protocol cb->proto */
	void (*send)(void *ctx, uint16_t proto, const uint8_t *pkt, size_t len);
	enum fsm_state state;
	uint8_t id;        /* of our outstanding Configure-Request / Terminate-Request */
	uint8_t next_id;
	uint32_t restart;  /* restart counter */
	uint32_t failures; /* Naks sent in a row */
	uint32_t naks_rcvd; /* Naks/Rejects received in a row for our requests */
	uint32_t restart_ms, max_configure, max_terminate, max_failure;
	/* Fast first retransmissions of Configure-Request: 0 = every one after
	 * restart_ms; else the first after restart_min_ms, each later one after
	 * twice the previous, at most restart_ms. The Max-Configure counter is
	 * the same either way. restart_cur_ms is the interval now in force. */
	uint32_t restart_min_ms, restart_cur_ms;
	fsm_discard_fn discarded; /* optional */
	uint32_t discards;        /* replies silently discarded so far */
	uint64_t deadline; /* UINT64_MAX when the restart timer is off */
	bool req_pending;  /* a Configure-Request awaits its reply */
	bool term_sent;    /* the timer runs for Terminate-Requests */
	const char *reason; /* why the automaton last finished (static text) */
	/* the options of our last Configure-Request, req_len bytes: a
	 * Configure-Ack must repeat them exactly, a Configure-Reject may only
	 * list some of them, in order */
	uint8_t buf[1600];
	size_t req_len;
};

void fsm_init(struct fsm *f, const struct fsm_callbacks *cb, void *ctx,
	      void (*send)(void *, uint16_t, const uint8_t *, size_t), uint32_t restart_ms,
	      uint32_t max_configure, uint32_t max_terminate, uint32_t max_failure);
void fsm_up(struct fsm *f, uint64_t now);
void fsm_down(struct fsm *f, uint64_t now);
void fsm_open(struct fsm *f, uint64_t now);
void fsm_close(struct fsm *f, const char *reason, uint64_t now);
void fsm_timeout(struct fsm *f, uint64_t now);
/* pkt: code, id, length, data (the length field is checked here) */
void fsm_input(struct fsm *f, const uint8_t *pkt, size_t len, uint64_t now);
/* RXJ+ (plus=true) or RXJ- from Code-Reject / Protocol-Reject handling */
void fsm_rxj(struct fsm *f, bool plus, const char *reason, uint64_t now);
/* A packet with code/id/data (for LCP's extra codes) */
void fsm_send_pkt(struct fsm *f, uint8_t code, uint8_t id, const uint8_t *data, size_t len);
/* Turns on fast first retransmissions of Configure-Request (see
 * restart_min_ms); call after fsm_init. */
void fsm_set_fast_restart(struct fsm *f, uint32_t first_ms);
/* a fresh Configure-Request (e.g. after a Nak changed our options) */
void fsm_send_conf_req(struct fsm *f, uint64_t now);

#endif
