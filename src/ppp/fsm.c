#include "ppp/fsm.h"

#include <string.h>

const char *fsm_state_name(enum fsm_state s)
{
	static const char *const n[] = {"Initial",  "Starting", "Closed",   "Stopped",	"Closing",
					"Stopping", "Req-Sent", "Ack-Rcvd", "Ack-Sent", "Opened"};
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static void put_opt(struct writer *w, uint8_t type, const uint8_t *val, size_t vlen)
{
	wr_u8(w, type);
	wr_u8(w, (uint8_t)(vlen + 2));
	wr_bytes(w, val, vlen);
}

void cp_nak_unlisted(struct cp_parse *cp, uint8_t type, const uint8_t *want, size_t wlen)
{
	if (!cp->nak_as_rej)
		put_opt(&cp->nak, type, want, wlen);
}

bool cp_next_opt(struct reader *opts, uint8_t *type, struct reader *val)
{
	*type = rd_u8(opts);
	uint8_t len = rd_u8(opts);
	if (!rd_ok(opts) || len < 2)
		return false;
	return rd_sub(opts, (size_t)len - 2, val);
}

void fsm_init(struct fsm *f, const struct fsm_callbacks *cb, void *ctx,
	      void (*send)(void *, uint16_t, const uint8_t *, size_t), uint32_t restart_ms,
	      uint32_t max_configure, uint32_t max_terminate, uint32_t max_failure)
{
	memset(f, 0, sizeof(*f));
	f->cb = cb;
	f->ctx = ctx;
	f->send = send;
	f->state = FSM_INITIAL;
	f->restart_ms = restart_ms ? restart_ms : 3000;
	f->max_configure = max_configure ? max_configure : 10;
	f->max_terminate = max_terminate ? max_terminate : 2;
	f->max_failure = max_failure ? max_failure : 5;
	f->deadline = UINT64_MAX;
	f->next_id = 1;
	f->restart_cur_ms = f->restart_ms;
}

void fsm_send_pkt(struct fsm *f, uint8_t code, uint8_t id, const uint8_t *data, size_t len)
{
	uint8_t pkt[sizeof(f->buf) + 4];
	if (len > sizeof(f->buf))
		return;
	pkt[0] = code;
	pkt[1] = id;
	be16_put(pkt + 2, (uint16_t)(len + 4));
	if (len)
		memcpy(pkt + 4, data, len);
	f->send(f->ctx, f->cb->proto, pkt, len + 4);
}

void fsm_set_fast_restart(struct fsm *f, uint32_t first_ms)
{
	f->restart_min_ms = first_ms < f->restart_ms ? first_ms : 0;
	f->restart_cur_ms = f->restart_min_ms ? f->restart_min_ms : f->restart_ms;
}

/* irc: the counter depends on what the timer will be retransmitting. A
 * fresh count also starts the Configure-Request intervals from the
 * shortest again: the peer has just shown it is listening. */
static void irc(struct fsm *f, bool terminate)
{
	f->restart = terminate ? f->max_terminate : f->max_configure;
	if (!terminate)
		f->restart_cur_ms = f->restart_min_ms ? f->restart_min_ms : f->restart_ms;
}

/* TO+ for a Configure-Request: the next interval doubles up to restart_ms. */
static void backoff_interval(struct fsm *f)
{
	uint32_t next = f->restart_cur_ms * 2;
	f->restart_cur_ms = next < f->restart_ms && next > f->restart_cur_ms ? next : f->restart_ms;
}

static void zrc(struct fsm *f, uint64_t now)
{
	f->restart = 0;
	f->term_sent = true;
	f->deadline = now + f->restart_ms;
}

static void scr(struct fsm *f, uint64_t now)
{
	struct writer w;
	wr_init(&w, f->buf, sizeof(f->buf));
	if (f->cb->build_req)
		f->cb->build_req(f, &w);
	f->id = f->next_id++;
	f->req_pending = true;
	f->req_len = wr_ok(&w) ? w.len : 0;
	if (wr_ok(&w))
		fsm_send_pkt(f, CP_CONF_REQ, f->id, f->buf, w.len);
	if (f->restart > 0)
		f->restart--;
	f->term_sent = false;
	f->deadline = now + (f->restart_cur_ms ? f->restart_cur_ms : f->restart_ms);
}

void fsm_send_conf_req(struct fsm *f, uint64_t now)
{
	scr(f, now);
}

static void str(struct fsm *f, uint64_t now)
{
	f->id = f->next_id++;
	fsm_send_pkt(f, CP_TERM_REQ, f->id, NULL, 0);
	if (f->restart > 0)
		f->restart--;
	f->term_sent = true;
	f->deadline = now + f->restart_ms;
}

static void sta(struct fsm *f, uint8_t id)
{
	fsm_send_pkt(f, CP_TERM_ACK, id, NULL, 0);
}

static void stop_timer(struct fsm *f)
{
	f->deadline = UINT64_MAX;
}

static void tlu(struct fsm *f, uint64_t now)
{
	f->state = FSM_OPENED;
	if (f->cb->up)
		f->cb->up(f, now);
}

static void tld(struct fsm *f, uint64_t now)
{
	if (f->cb->down)
		f->cb->down(f, now);
}

static void tls(struct fsm *f, uint64_t now)
{
	if (f->cb->started)
		f->cb->started(f, now);
}

static void tlf(struct fsm *f, uint64_t now)
{
	if (f->cb->finished)
		f->cb->finished(f, now);
}

/* irc, scr from Starting (Up) or Closed (Open): a fresh negotiation, its
 * Nak counters cleared too. */
static void start_negotiation(struct fsm *f, uint64_t now)
{
	irc(f, false);
	f->failures = 0;
	f->naks_rcvd = 0;
	f->state = FSM_REQ_SENT;
	scr(f, now);
}

void fsm_up(struct fsm *f, uint64_t now)
{
	switch (f->state) {
	case FSM_INITIAL:
		f->state = FSM_CLOSED;
		break;
	case FSM_STARTING:
		start_negotiation(f, now);
		break;
	default:
		break;
	}
}

void fsm_down(struct fsm *f, uint64_t now)
{
	switch (f->state) {
	case FSM_CLOSED:
	case FSM_CLOSING:
		stop_timer(f);
		f->state = FSM_INITIAL;
		break;
	case FSM_STOPPED:
		f->state = FSM_STARTING;
		tls(f, now);
		break;
	case FSM_STOPPING:
	case FSM_REQ_SENT:
	case FSM_ACK_RCVD:
	case FSM_ACK_SENT:
		stop_timer(f);
		f->state = FSM_STARTING;
		break;
	case FSM_OPENED:
		f->state = FSM_STARTING;
		tld(f, now);
		break;
	default:
		break;
	}
}

void fsm_open(struct fsm *f, uint64_t now)
{
	switch (f->state) {
	case FSM_INITIAL:
		f->state = FSM_STARTING;
		tls(f, now);
		break;
	case FSM_CLOSED:
		start_negotiation(f, now);
		break;
	case FSM_CLOSING:
		f->state = FSM_STOPPING;
		break;
	default:
		break;
	}
}

void fsm_close(struct fsm *f, const char *reason, uint64_t now)
{
	if (reason)
		f->reason = reason;
	switch (f->state) {
	case FSM_STARTING:
		f->state = FSM_INITIAL;
		tlf(f, now);
		break;
	case FSM_STOPPED:
		f->state = FSM_CLOSED;
		break;
	case FSM_STOPPING:
		f->state = FSM_CLOSING;
		break;
	case FSM_OPENED:
	case FSM_REQ_SENT:
	case FSM_ACK_RCVD:
	case FSM_ACK_SENT:
		if (f->state == FSM_OPENED) {
			f->state = FSM_CLOSING;
			tld(f, now);
		}
		f->state = FSM_CLOSING;
		irc(f, true);
		str(f, now);
		break;
	default:
		break;
	}
}

void fsm_timeout(struct fsm *f, uint64_t now)
{
	if (f->deadline == UINT64_MAX || now < f->deadline)
		return;
	stop_timer(f);
	bool plus = f->restart > 0;
	switch (f->state) {
	case FSM_CLOSING:
	case FSM_STOPPING:
		if (plus) {
			str(f, now);
		} else {
			f->state = f->state == FSM_CLOSING ? FSM_CLOSED : FSM_STOPPED;
			tlf(f, now);
		}
		break;
	case FSM_REQ_SENT:
	case FSM_ACK_RCVD:
	case FSM_ACK_SENT:
		if (plus) {
			if (f->state == FSM_ACK_RCVD)
				f->state = FSM_REQ_SENT;
			backoff_interval(f);
			scr(f, now);
		} else {
			f->reason = "no answer to Configure-Request (Max-Configure reached)";
			f->state = FSM_STOPPED;
			tlf(f, now);
		}
		break;
	default:
		break;
	}
}

/* --- the option walk (RFC 1661 6): every list is checked and split here,
 * each option handed to its protocol's entry (struct cp_option) --- */

/* Each option at least its 2-byte header and within the list. */
static bool opts_well_formed(struct reader opts)
{
	uint8_t type;
	struct reader v;
	while (rd_left(&opts))
		if (!cp_next_opt(&opts, &type, &v))
			return false;
	return rd_ok(&opts);
}

/* The protocol's entry for this option, NULL when unknown or of another length. */
static const struct cp_option *find_opt(const struct fsm *f, uint8_t type, const struct reader *v)
{
	for (size_t i = 0; i < f->cb->n_options; i++) {
		const struct cp_option *o = &f->cb->options[i];
		if (o->type == type)
			return o->vlen == CP_ANY_LEN || o->vlen == rd_left(v) ? o : NULL;
	}
	return NULL;
}

/* One option of the peer's request: its answer into the Nak or Reject list. */
static void answer_opt(struct fsm *f, struct cp_parse *cp, uint8_t type, struct reader v)
{
	const struct cp_option *o = find_opt(f, type, &v);
	uint8_t want[255 - 2];
	struct writer w;
	wr_init(&w, want, sizeof(want));
	enum cp_answer a = o && o->req ? o->req(f, type, v, &w) : CP_REJ;
	if (a == CP_NAK && !cp->nak_as_rej && wr_ok(&w))
		put_opt(&cp->nak, type, want, w.len);
	else if (a != CP_ACK)
		put_opt(&cp->rej, type, rd_ptr(&v), rd_left(&v));
}

/* The peer's Configure-Request into cp; false = malformed (dropped). */
static bool walk_request(struct fsm *f, struct reader opts, struct cp_parse *cp)
{
	if (!opts_well_formed(opts))
		return false;
	if (f->cb->opts_begin)
		f->cb->opts_begin(f, CP_CONF_REQ);
	uint8_t type;
	struct reader v;
	while (rd_left(&opts) && cp_next_opt(&opts, &type, &v))
		answer_opt(f, cp, type, v);
	if (f->cb->opts_end)
		f->cb->opts_end(f, CP_CONF_REQ, cp);
	return wr_ok(&cp->nak) && wr_ok(&cp->rej);
}

/* A checked Nak or Reject of our request, option by option; false when
 * the protocol closed on the way (the reply is done with). */
static bool walk_reply(struct fsm *f, uint8_t code, struct reader opts)
{
	if (code == CP_CONF_ACK)
		return true;
	if (f->cb->opts_begin)
		f->cb->opts_begin(f, code);
	uint8_t type;
	struct reader v;
	while (rd_left(&opts) && cp_next_opt(&opts, &type, &v)) {
		const struct cp_option *o = find_opt(f, type, &v);
		if (!o)
			continue;
		if (code == CP_CONF_NAK && o->nak && !o->nak(f, type, v))
			return false;
		if (code == CP_CONF_REJ && o->rej)
			o->rej(f, type, v);
	}
	if (f->cb->opts_end)
		f->cb->opts_end(f, code, NULL);
	return true;
}

static void rcv_conf_req(struct fsm *f, uint8_t id, struct reader *data, uint64_t now)
{
	switch (f->state) {
	case FSM_CLOSED:
		sta(f, id);
		return;
	case FSM_CLOSING:
	case FSM_STOPPING:
	case FSM_INITIAL:
	case FSM_STARTING:
		return;
	default:
		break;
	}
	uint8_t nak[sizeof(f->buf)], rej[sizeof(f->buf)];
	struct cp_parse cp;
	wr_init(&cp.nak, nak, sizeof(nak));
	wr_init(&cp.rej, rej, sizeof(rej));
	cp.nak_as_rej = f->failures >= f->max_failure;
	if (!walk_request(f, *data, &cp))
		return;
	bool good = cp.rej.len == 0 && cp.nak.len == 0;

	if (f->state == FSM_OPENED) {
		/* the counter still holds the irc from when we last opened */
		tld(f, now);
		f->state = FSM_REQ_SENT;
		scr(f, now);
	} else if (f->state == FSM_STOPPED) {
		irc(f, false);
		f->state = FSM_REQ_SENT;
		scr(f, now);
	}

	if (good) {
		f->failures = 0;
		fsm_send_pkt(f, CP_CONF_ACK, id, data->p + data->off, rd_left(data));
		if (f->state == FSM_ACK_RCVD) {
			stop_timer(f);
			tlu(f, now);
		} else {
			f->state = FSM_ACK_SENT;
		}
	} else {
		if (cp.rej.len) {
			fsm_send_pkt(f, CP_CONF_REJ, id, rej, cp.rej.len);
		} else {
			f->failures++;
			fsm_send_pkt(f, CP_CONF_NAK, id, nak, cp.nak.len);
		}
		if (f->state == FSM_ACK_SENT)
			f->state = FSM_REQ_SENT;
	}
}

static void discard(struct fsm *f, uint8_t code, uint8_t id, const char *why)
{
	f->discards++;
	if (f->discarded)
		f->discarded(f->ctx, f, code, id, why);
}

/* True when the options in rej are some of those in req, each whole and
 * byte for byte, in the same order (RFC 1661 5.4). */
static bool is_ordered_subset(struct reader rej, struct reader req)
{
	while (rd_left(&rej)) {
		uint8_t type, rtype;
		struct reader v, rv;
		if (!cp_next_opt(&rej, &type, &v))
			return false;
		bool found = false;
		while (!found && rd_left(&req)) {
			if (!cp_next_opt(&req, &rtype, &rv))
				return false;
			found = rtype == type && rd_left(&rv) == rd_left(&v) &&
				memcmp(rd_ptr(&rv), rd_ptr(&v), rd_left(&v)) == 0;
		}
		if (!found)
			return false;
	}
	return true;
}

/* Why a Configure-Ack or -Reject cannot be the answer to our last request
 * (RFC 1661 5.2: an Ack repeats the request's options exactly; 5.4: a
 * Reject lists some of them unchanged, in order); NULL when it can. A
 * Configure-Nak carries the peer's own values: only its list is checked,
 * the values are the protocol's to judge. */
static const char *reply_mismatch(const struct fsm *f, uint8_t code, const struct reader *data)
{
	struct reader req;
	rd_init(&req, f->buf, f->req_len);
	if (code == CP_CONF_ACK) {
		if (rd_left(data) != f->req_len || memcmp(rd_ptr(data), f->buf, f->req_len) != 0)
			return "its options differ from our Configure-Request";
	} else if (code == CP_CONF_REJ) {
		if (rd_left(data) == 0)
			return "it rejects no option";
		if (!is_ordered_subset(*data, req))
			return "it rejects options we did not request (or changed them)";
	} else if (!opts_well_formed(*data)) {
		return "its option list is malformed";
	}
	return NULL;
}

static void rcv_conf_reply(struct fsm *f, uint8_t code, uint8_t id, struct reader *data,
			   uint64_t now)
{
	switch (f->state) {
	case FSM_CLOSED:
	case FSM_STOPPED:
		sta(f, id);
		return;
	case FSM_REQ_SENT:
	case FSM_ACK_RCVD:
	case FSM_ACK_SENT:
	case FSM_OPENED:
		break;
	default:
		return;
	}
	if (!f->req_pending || id != f->id) {
		discard(f, code, id, "its identifier matches no outstanding Configure-Request");
		return;
	}
	const char *bad = reply_mismatch(f, code, data);
	if (bad) {
		discard(f, code, id, bad);
		return;
	}
	if (!walk_reply(f, code, *data))
		return;
	f->req_pending = false; /* one reply per request */
	/* A peer that Naks every request with values that keep changing (or
	 * that we keep accepting) would loop until the connect timeout: give up
	 * after Max-Configure replies in a row that were not an Ack. */
	if (code == CP_CONF_ACK) {
		f->naks_rcvd = 0;
	} else if (++f->naks_rcvd >= f->max_configure) {
		f->naks_rcvd = 0;
		fsm_close(f,
			  code == CP_CONF_NAK ? "does not converge (Configure-Nak for every "
						"request, Max-Configure reached)"
					      : "does not converge (Configure-Reject for every "
						"request, Max-Configure reached)",
			  now);
		return;
	}

	switch (f->state) {
	case FSM_REQ_SENT:
		if (code == CP_CONF_ACK) {
			/* RFC 1661 4.2: in Ack-Rcvd the restart timer keeps running
			 * (our Ack is still owed); stopping it here left the link
			 * hanging for good when the peer Terminated before it sent
			 * its own Configure-Request */
			irc(f, false);
			f->state = FSM_ACK_RCVD;
		} else {
			irc(f, false);
			scr(f, now);
		}
		break;
	case FSM_ACK_RCVD:
		/* crossed connection: start over */
		f->state = FSM_REQ_SENT;
		scr(f, now);
		break;
	case FSM_ACK_SENT:
		if (code == CP_CONF_ACK) {
			irc(f, false);
			stop_timer(f);
			tlu(f, now);
		} else {
			irc(f, false);
			scr(f, now);
		}
		break;
	case FSM_OPENED:
		tld(f, now);
		f->state = FSM_REQ_SENT;
		scr(f, now);
		break;
	default:
		break;
	}
}

static void rcv_term_req(struct fsm *f, uint8_t id, uint64_t now)
{
	switch (f->state) {
	case FSM_CLOSED:
	case FSM_STOPPED:
	case FSM_CLOSING:
	case FSM_STOPPING:
	case FSM_REQ_SENT:
		sta(f, id);
		break;
	case FSM_ACK_RCVD:
	case FSM_ACK_SENT:
		f->state = FSM_REQ_SENT;
		sta(f, id);
		break;
	case FSM_OPENED:
		f->reason = "peer sent Terminate-Request";
		f->state = FSM_STOPPING;
		tld(f, now);
		zrc(f, now);
		sta(f, id);
		break;
	default:
		break;
	}
}

static void rcv_term_ack(struct fsm *f, uint64_t now)
{
	switch (f->state) {
	case FSM_CLOSING:
		stop_timer(f);
		f->state = FSM_CLOSED;
		tlf(f, now);
		break;
	case FSM_STOPPING:
		stop_timer(f);
		f->state = FSM_STOPPED;
		tlf(f, now);
		break;
	case FSM_ACK_RCVD:
		f->state = FSM_REQ_SENT;
		break;
	case FSM_OPENED:
		tld(f, now);
		f->state = FSM_REQ_SENT;
		scr(f, now);
		break;
	default:
		break;
	}
}

void fsm_rxj(struct fsm *f, bool plus, const char *reason, uint64_t now)
{
	if (plus) {
		if (f->state == FSM_ACK_RCVD)
			f->state = FSM_REQ_SENT;
		return;
	}
	if (reason)
		f->reason = reason;
	switch (f->state) {
	case FSM_CLOSED:
	case FSM_CLOSING:
		stop_timer(f);
		f->state = FSM_CLOSED;
		tlf(f, now);
		break;
	case FSM_STOPPED:
	case FSM_STOPPING:
	case FSM_REQ_SENT:
	case FSM_ACK_RCVD:
	case FSM_ACK_SENT:
		stop_timer(f);
		f->state = FSM_STOPPED;
		tlf(f, now);
		break;
	case FSM_OPENED:
		f->state = FSM_STOPPING;
		tld(f, now);
		irc(f, true);
		str(f, now);
		break;
	default:
		break;
	}
}

void fsm_input(struct fsm *f, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct reader r, data;
	rd_init(&r, pkt, len);
	uint8_t code = rd_u8(&r), id = rd_u8(&r);
	uint16_t plen = rd_be16(&r);
	/* the length field may be shorter than the frame (padding), never longer */
	if (!rd_ok(&r) || plen < 4 || plen > len)
		return;
	rd_init(&data, pkt + 4, (size_t)plen - 4);
	if (f->state == FSM_INITIAL || f->state == FSM_STARTING)
		return; /* the lower layer is not up for this protocol: drop */

	switch (code) {
	case CP_CONF_REQ:
		rcv_conf_req(f, id, &data, now);
		break;
	case CP_CONF_ACK:
	case CP_CONF_NAK:
	case CP_CONF_REJ:
		rcv_conf_reply(f, code, id, &data, now);
		break;
	case CP_TERM_REQ:
		rcv_term_req(f, id, now);
		break;
	case CP_TERM_ACK:
		rcv_term_ack(f, now);
		break;
	case CP_CODE_REJ: {
		/* rejecting one of the codes the automaton needs is catastrophic */
		uint8_t rc = rd_u8(&data);
		fsm_rxj(f, !(rd_ok(&data) && rc >= CP_CONF_REQ && rc <= CP_CODE_REJ),
			"peer Code-Rejected a required code", now);
		break;
	}
	default:
		if (!f->cb->other_code || !f->cb->other_code(f, code, id, &data, now)) {
			/* RUC: Code-Reject carrying the rejected packet, within our MRU */
			size_t n = plen < 1500 - 4 ? plen : 1500 - 4;
			fsm_send_pkt(f, CP_CODE_REJ, f->next_id++, pkt, n);
		}
		break;
	}
}
