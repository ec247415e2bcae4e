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

/* A protocol's answer to one option of the peer's Configure-Request. */
enum cp_answer {
	CP_ACK, /* acceptable as it is */
	CP_NAK, /* the type is fine, the value is not: the one we want is in `want` */
	CP_REJ, /* not negotiable here: Configure-Rejected verbatim */
};

/* The answer being built to the peer's Configure-Request: the options to
 * Nak (with our values) and to Reject (verbatim). Once Max-Failure Naks
 * were sent in a row (nak_as_rej), the automaton rejects what would be
 * Nak'd (RFC 1661 4.6). */
struct cp_parse {
	struct writer nak, rej;
	bool nak_as_rej;
};
/* From opts_end: Nak an option the peer did not list, to suggest it (RFC
 * 1661 5.3); nothing once Naks have turned into Rejects. */
void cp_nak_unlisted(struct cp_parse *cp, uint8_t type, const uint8_t *want, size_t wlen);
/* Splits off the next option; false on a malformed list (len < 2 or overrun). */
bool cp_next_opt(struct reader *opts, uint8_t *type, struct reader *val);

struct fsm;

/* One option type a protocol negotiates; the automaton walks every option
 * list (RFC 1661 6) and hands each option to the entry of its type.
 * An option of a type not in the table, or of another value length than
 * vlen, is Configure-Rejected in a request and ignored in a Nak or Reject. */
#define CP_ANY_LEN 0xff /* vlen: the handler checks the length itself */
struct cp_option {
	uint8_t type;
	uint8_t vlen; /* value length (after type and length), or CP_ANY_LEN */
	/* the peer's Configure-Request holds this option; NULL = Reject it.
	 * want has room for any value (253 bytes) */
	enum cp_answer (*req)(struct fsm *f, uint8_t type, struct reader val, struct writer *want);
	/* the peer Nak'd ours, suggesting val; false = the protocol closed,
	 * the rest of the reply is ignored */
	bool (*nak)(struct fsm *f, uint8_t type, struct reader val);
	/* the peer Rejected ours */
	void (*rej)(struct fsm *f, uint8_t type, struct reader val);
};

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
	/* the option types this protocol knows (see struct cp_option) */
	const struct cp_option *options;
	size_t n_options;
	/* optional, around the walk of a Configure-Request, -Nak or -Reject
	 * (code): begin before the first option, end after the last; for a
	 * request end may add options the peer did not list to cp (NULL for
	 * the replies). A malformed list is dropped before begin. */
	void (*opts_begin)(struct fsm *f, uint8_t code);
	void (*opts_end)(struct fsm *f, uint8_t code, struct cp_parse *cp);
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
	uint8_t id; /* of our outstanding Configure-Request / Terminate-Request */
	uint8_t next_id;
	uint32_t restart;   /* restart counter */
	uint32_t failures;  /* Naks sent in a row */
	uint32_t naks_rcvd; /* Naks/Rejects received in a row for our requests */
	uint32_t restart_ms, max_configure, max_terminate, max_failure;
	/* Fast first retransmissions of Configure-Request: 0 = every one after
	 * restart_ms; else the first after restart_min_ms, each later one after
	 * twice the previous, at most restart_ms. The Max-Configure counter is
	 * the same either way. restart_cur_ms is the interval now in force. */
	uint32_t restart_min_ms, restart_cur_ms;
	fsm_discard_fn discarded; /* optional */
	uint32_t discards;	  /* replies silently discarded so far */
	uint64_t deadline;	  /* UINT64_MAX when the restart timer is off */
	bool req_pending;	  /* a Configure-Request awaits its reply */
	bool term_sent;		  /* the timer runs for Terminate-Requests */
	const char *reason;	  /* why the automaton last finished (static text) */
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
