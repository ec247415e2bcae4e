/* LCP (RFC 1661 6): MRU, Magic-Number, Auth-Protocol in the client role,
 * Echo keepalive, Protocol-Reject. */
#include <stdio.h>
#include <string.h>

#include "ppp/ppp_internal.h"

enum {
	LCP_OPT_MRU = 1,
	LCP_OPT_ACCM = 2,
	LCP_OPT_AUTH = 3,
	LCP_OPT_MAGIC = 5,
	LCP_OPT_CALLBACK = 13,
	LCP_OPT_MRRU = 17,
	LCP_OPT_ENDPOINT = 19,
};

/* What Windows RRAS puts in its request (see cfg.rras_lcp) */
#define RRAS_MRU 4091
#define RRAS_MRRU 1614
#define RRAS_CALLBACK_OP 6 /* "location is determined during CBCP negotiation" */
static const uint8_t rras_endpoint[20] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
					  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
					  0x0f, 0x10, 0x11, 0x12, 0x13, 0x14};

#define LCP_MIN_MRU 128

static struct ppp *P(struct fsm *f)
{
	return f->ctx;
}

static void lcp_build(struct fsm *f, struct writer *w)
{
	struct ppp *p = P(f);
	bool srv = p->cfg.role == PPP_SERVER;
	uint16_t mru = srv && p->cfg.rras_lcp ? RRAS_MRU : p->mru;
	if (mru && !p->mru_rej) {
		wr_u8(w, LCP_OPT_MRU);
		wr_u8(w, 4);
		wr_be16(w, mru);
	}
	if (srv && p->our_auth != PPP_AUTH_NONE) {
		uint8_t val[3];
		uint8_t n = ppp_auth_value(p->our_auth, val);
		wr_u8(w, LCP_OPT_AUTH);
		wr_u8(w, (uint8_t)(2 + n));
		wr_bytes(w, val, n);
	}
	if (!p->magic_rej) {
		wr_u8(w, LCP_OPT_MAGIC);
		wr_u8(w, 6);
		wr_be32(w, p->magic);
	}
	if (srv && p->cfg.rras_lcp) {
		if (!p->rras_rej_cb) {
			wr_u8(w, LCP_OPT_CALLBACK);
			wr_u8(w, 3);
			wr_u8(w, RRAS_CALLBACK_OP);
		}
		if (!p->rras_rej_mrru) {
			wr_u8(w, LCP_OPT_MRRU);
			wr_u8(w, 4);
			wr_be16(w, RRAS_MRRU);
		}
		if (!p->rras_rej_ed) {
			wr_u8(w, LCP_OPT_ENDPOINT);
			wr_u8(w, 3 + sizeof(rras_endpoint));
			wr_u8(w, 1); /* class 1: locally assigned address */
			wr_bytes(w, rras_endpoint, sizeof(rras_endpoint));
		}
	}
}

/* In LCP, PPP_AUTH_EAP_MSCHAPV2 stands for EAP as such: allowed when any
 * EAP method is (the method inside is chosen in EAP). */
static bool auth_allowed(const struct ppp *p, enum ppp_auth a)
{
	for (size_t i = 0; i < sizeof(p->cfg.auth) / sizeof(p->cfg.auth[0]); i++) {
		if (p->cfg.auth[i] == PPP_AUTH_NONE)
			break;
		if (p->cfg.auth[i] == a ||
		    (a == PPP_AUTH_EAP_MSCHAPV2 &&
		     (p->cfg.auth[i] == PPP_AUTH_EAP_TLS || p->cfg.auth[i] == PPP_AUTH_PEAP)))
			return true;
	}
	return false;
}

static enum ppp_auth auth_from_option(struct reader v)
{
	uint16_t proto = rd_be16(&v);
	if (!rd_ok(&v))
		return PPP_AUTH_NONE;
	if (proto == PPP_PROTO_PAP && rd_left(&v) == 0)
		return PPP_AUTH_PAP;
	if (proto == PPP_PROTO_EAP && rd_left(&v) == 0)
		return PPP_AUTH_EAP_MSCHAPV2;
	if (proto == PPP_PROTO_CHAP && rd_left(&v) == 1) {
		uint8_t alg = rd_u8(&v);
		if (alg == 0x05)
			return PPP_AUTH_CHAP_MD5;
		if (alg == 0x81)
			return PPP_AUTH_MSCHAPV2;
	}
	return PPP_AUTH_NONE;
}

static size_t auth_rank(const struct ppp *p, enum ppp_auth a)
{
	size_t i = 0;
	for (; i < sizeof(p->cfg.auth) / sizeof(p->cfg.auth[0]) && p->cfg.auth[i]; i++)
		if (p->cfg.auth[i] == a ||
		    (a == PPP_AUTH_EAP_MSCHAPV2 &&
		     (p->cfg.auth[i] == PPP_AUTH_EAP_TLS || p->cfg.auth[i] == PPP_AUTH_PEAP)))
			break;
	return i;
}

/* Client: do we Ack the method the server asks for? Its choice, when we
 * allow it — with one exception, below. */
static bool auth_take(const struct ppp *p, enum ppp_auth a)
{
	if (a == PPP_AUTH_NONE || !auth_allowed(p, a))
		return false;
	if (a == p->cfg.auth_known || p->auth_pref_naked)
		return true; /* worked here before, or the server insisted */
	/* Peer quirk, SoftEther 5.01: it asks for EAP first, but its EAP is
	 * EAP-TLS only; after our EAP Nak of EAP-TLS it falls back to
	 * MS-CHAPv2 through an LCP renegotiation that then stalls, while a Nak
	 * of EAP in LCP gets MS-CHAPv2 at once (same keys, same crypto
	 * binding). So EAP is Nak'd once when MS-CHAPv2 is preferred to it; a
	 * server that insists gets EAP, and one that gives up instead (pppd's
	 * server does) is remembered through cfg.auth_known. */
	if (a == PPP_AUTH_EAP_MSCHAPV2 && auth_rank(p, PPP_AUTH_MSCHAPV2) < auth_rank(p, a))
		return false;
	return true;
}

/* Client: remembers what the server offered, for the error message. */
static void auth_note_offer(struct ppp *p, struct reader v, enum ppp_auth a)
{
	char name[40];
	uint16_t proto = rd_be16(&v);
	uint8_t alg = rd_u8(&v);
	if (a != PPP_AUTH_NONE)
		snprintf(name, sizeof(name), "%s", ppp_auth_name(a));
	else if (proto == PPP_PROTO_CHAP && rd_ok(&v))
		snprintf(name, sizeof(name), "CHAP algorithm 0x%02x%s", alg,
			 alg == 0x80 ? " (MS-CHAP v1)" : "");
	else
		snprintf(name, sizeof(name), "protocol 0x%04x", proto);
	if (a != PPP_AUTH_NONE) {
		if (p->offered_auth & (1u << a))
			return;
		p->offered_auth |= 1u << a;
	} else if (strstr(p->offered_text, name)) {
		return;
	}
	size_t n = strlen(p->offered_text);
	snprintf(p->offered_text + n, sizeof(p->offered_text) - n, "%s%s", n ? ", " : "", name);
}

/* Client: what to say if the server gives up after this refusal. */
static void auth_prepare_failure(struct ppp *p, enum ppp_auth a, enum ppp_auth suggested)
{
	struct ppp_down_info *d = &p->auth_pending;
	memset(d, 0, sizeof(*d));
	d->reason = p->auth_pending_reason;
	d->server_offers = p->offered_text;
	d->server_auth = p->offered_auth;
	if (a != PPP_AUTH_NONE && auth_allowed(p, a)) {
		d->retry_with = a;
		snprintf(p->auth_pending_reason, sizeof(p->auth_pending_reason),
			 "LCP: the server gave up when we Nak'd its %s towards %s",
			 ppp_auth_name(a), ppp_auth_name(suggested));
		return;
	}
	d->auth_failed = true;
	int n =
	    snprintf(p->auth_pending_reason, sizeof(p->auth_pending_reason),
		     "LCP: no common authentication method: the server offers only %s; we allow ",
		     p->offered_text);
	for (size_t i = 0; i < sizeof(p->cfg.auth) / sizeof(p->cfg.auth[0]) && p->cfg.auth[i] &&
			   n > 0 && (size_t)n < sizeof(p->auth_pending_reason);
	     i++)
		n +=
		    snprintf(p->auth_pending_reason + n, sizeof(p->auth_pending_reason) - (size_t)n,
			     "%s%s", i ? ", " : "", ppp_auth_name(p->cfg.auth[i]));
}

/* Client: Nak (or Reject) the server's Auth-Protocol. */
static enum cp_answer auth_refuse(struct ppp *p, enum ppp_auth a, struct writer *w)
{
	enum ppp_auth want =
	    a == PPP_AUTH_EAP_MSCHAPV2 && auth_allowed(p, a) ? PPP_AUTH_MSCHAPV2 : p->cfg.auth[0];
	if (a != PPP_AUTH_NONE && auth_allowed(p, a))
		p->auth_pref_naked = true;
	auth_prepare_failure(p, a, want);
	uint8_t wv[3];
	uint8_t n = ppp_auth_value(want, wv);
	if (!n)
		return CP_REJ;
	wr_bytes(w, wv, n);
	return CP_NAK;
}

void lcp_terminated_early(struct ppp *p)
{
	if (p->cfg.role != PPP_CLIENT || !p->auth_refusing || p->down.reason)
		return;
	ppp_set_reason(p, p->auth_pending.auth_failed, 0, "%s", p->auth_pending_reason);
	p->down.server_offers = p->offered_text;
	p->down.server_auth = p->auth_pending.server_auth;
	p->down.retry_with = p->auth_pending.retry_with;
}

static enum cp_answer lcp_req_mru(struct fsm *f, uint8_t type, struct reader v, struct writer *want)
{
	uint16_t mru = rd_be16(&v);
	if (mru < LCP_MIN_MRU) {
		wr_be16(want, LCP_MIN_MRU);
		return CP_NAK;
	}
	P(f)->peer_mru = mru;
	return CP_ACK;
}

/* synchronous over SSTP: the map means nothing, Ack it */
static enum cp_answer lcp_req_accm(struct fsm *f, uint8_t type, struct reader v,
				   struct writer *want)
{
	return CP_ACK;
}

static enum cp_answer lcp_req_magic(struct fsm *f, uint8_t type, struct reader v,
				    struct writer *want)
{
	struct ppp *p = P(f);
	if (p->magic_rej || rd_be32(&v) != p->magic || !p->magic)
		return CP_ACK;
	/* RFC 1661 6.4: probably looped back; pick a new one of ours and Nak
	 * with another value */
	ppp_random(p, &p->magic, sizeof(p->magic));
	uint32_t m;
	ppp_random(p, &m, sizeof(m));
	wr_be32(want, m | 1);
	return CP_NAK;
}

static enum cp_answer lcp_req_auth(struct fsm *f, uint8_t type, struct reader v,
				   struct writer *want)
{
	struct ppp *p = P(f);
	if (p->cfg.role == PPP_SERVER)
		return CP_REJ;
	enum ppp_auth a = auth_from_option(v);
	auth_note_offer(p, v, a);
	if (auth_take(p, a)) {
		p->peer_auth = a;
		/* once agreed, a renegotiation (e.g. after a method failed)
		 * takes any allowed method */
		p->auth_pref_naked = true;
		return CP_ACK;
	}
	p->auth_refusing = true;
	return auth_refuse(p, a, want);
}

static bool lcp_nak_mru(struct fsm *f, uint8_t type, struct reader v)
{
	struct ppp *p = P(f);
	uint16_t m = rd_be16(&v);
	if (m >= LCP_MIN_MRU && m <= p->mru)
		p->mru = m;
	return true;
}

static bool lcp_nak_magic(struct fsm *f, uint8_t type, struct reader v)
{
	struct ppp *p = P(f);
	ppp_random(p, &p->magic, sizeof(p->magic));
	return true;
}

/* Server: the client Nak'd our Auth-Protocol (val: its choice); answered
 * once the whole reply is read (lcp_opts_end). */
static bool lcp_nak_auth(struct fsm *f, uint8_t type, struct reader v)
{
	struct ppp *p = P(f);
	if (p->cfg.role == PPP_SERVER) {
		p->auth_answered = true;
		p->auth_suggested = auth_from_option(v);
	}
	return true;
}

static void lcp_rej_auth(struct fsm *f, uint8_t type, struct reader v)
{
	struct ppp *p = P(f);
	if (p->cfg.role == PPP_SERVER) {
		p->auth_answered = true;
		p->auth_suggested = PPP_AUTH_NONE;
	}
}

static void lcp_rej_mru(struct fsm *f, uint8_t type, struct reader v)
{
	P(f)->mru_rej = true;
}
static void lcp_rej_magic(struct fsm *f, uint8_t type, struct reader v)
{
	P(f)->magic_rej = true;
}
static void lcp_rej_rras(struct fsm *f, uint8_t type, struct reader v)
{
	struct ppp *p = P(f);
	if (type == LCP_OPT_CALLBACK)
		p->rras_rej_cb = true;
	else if (type == LCP_OPT_MRRU)
		p->rras_rej_mrru = true;
	else
		p->rras_rej_ed = true;
}

/* Everything else (PFC, ACFC, quality, ...) is Rejected by the automaton;
 * the RRAS options are here only for a Reject of those we send. */
static const struct cp_option lcp_options[] = {
    {LCP_OPT_MRU, 2, lcp_req_mru, lcp_nak_mru, lcp_rej_mru},
    {LCP_OPT_ACCM, 4, lcp_req_accm, NULL, NULL},
    {LCP_OPT_AUTH, CP_ANY_LEN, lcp_req_auth, lcp_nak_auth, lcp_rej_auth},
    {LCP_OPT_MAGIC, 4, lcp_req_magic, lcp_nak_magic, lcp_rej_magic},
    {LCP_OPT_CALLBACK, CP_ANY_LEN, NULL, NULL, lcp_rej_rras},
    {LCP_OPT_MRRU, CP_ANY_LEN, NULL, NULL, lcp_rej_rras},
    {LCP_OPT_ENDPOINT, CP_ANY_LEN, NULL, NULL, lcp_rej_rras},
};

static void lcp_srv_next_auth(struct ppp *p, enum ppp_auth suggest, uint64_t now);

static void lcp_opts_begin(struct fsm *f, uint8_t code)
{
	struct ppp *p = P(f);
	if (code == CP_CONF_REQ) {
		p->peer_auth = PPP_AUTH_NONE;
		p->peer_mru = 1500;
		p->auth_refusing = false;
	} else {
		p->auth_answered = false;
	}
}

static void lcp_opts_end(struct fsm *f, uint8_t code, struct cp_parse *cp)
{
	struct ppp *p = P(f);
	if (code == CP_CONF_REQ && p->cfg.role == PPP_SERVER && p->cfg.nak_lcp_forever) {
		/* fault mode: straight into the Nak list, past Max-Failure, so the
		 * client never gets an Ack whatever it sends */
		wr_u8(&cp->nak, LCP_OPT_MRU);
		wr_u8(&cp->nak, 4);
		wr_be16(&cp->nak, 1);
	}
	if (code != CP_CONF_REQ && p->auth_answered)
		lcp_srv_next_auth(p, p->auth_suggested, p->now);
}

static bool auth_refused(const struct ppp *p, enum ppp_auth a)
{
	return p->auth_refused & (1u << a);
}

/* Server: the client Nak'd (suggest = its choice) or Rejected our
 * Auth-Protocol. Its choice if we offer it, else our next method. */
static void lcp_srv_next_auth(struct ppp *p, enum ppp_auth suggest, uint64_t now)
{
	if (p->cfg.auth_giveup) {
		char msg[120];
		snprintf(msg, sizeof(msg), "LCP: the client refused %s, the only method we offer",
			 ppp_auth_name(p->our_auth));
		ppp_fail(p, true, 0, msg, now);
		return;
	}
	p->auth_refused |= (uint8_t)(1u << p->our_auth);
	enum ppp_auth next = PPP_AUTH_NONE;
	if (suggest != PPP_AUTH_NONE && auth_allowed(p, suggest) && !auth_refused(p, suggest)) {
		next = suggest;
	} else {
		for (size_t i = 0; i < sizeof(p->cfg.auth) / sizeof(p->cfg.auth[0]); i++) {
			enum ppp_auth a = p->cfg.auth[i];
			if (a == PPP_AUTH_NONE)
				break;
			if (!auth_refused(p, a)) {
				next = a;
				break;
			}
		}
	}
	if (next == PPP_AUTH_NONE && !p->auth_second_round && p->cfg.auth[0] != PPP_AUTH_NONE) {
		/* One more round: a client may Nak an acceptable method once in
		 * favour of its first choice (ours does) and take it when asked
		 * again. After the second round the answer is final. */
		p->auth_second_round = true;
		p->auth_refused = 0;
		next = p->cfg.auth[0];
	}
	if (next != PPP_AUTH_NONE) {
		p->our_auth = next;
		return;
	}
	char msg[200];
	int n = snprintf(msg, sizeof(msg),
			 "LCP: the client refused every authentication method offered (");
	for (size_t i = 0; i < sizeof(p->cfg.auth) / sizeof(p->cfg.auth[0]) && p->cfg.auth[i] &&
			   n > 0 && (size_t)n < sizeof(msg);
	     i++)
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, "%s%s", i ? ", " : "",
			      ppp_auth_name(p->cfg.auth[i]));
	if (n > 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ")");
	ppp_fail(p, true, 0, msg, now);
}

static void lcp_up(struct fsm *f, uint64_t now)
{
	struct ppp *p = P(f);
	if (p->cfg.echo_interval_ms)
		p->echo_next = now + p->cfg.echo_interval_ms;
	p->echo_missed = 0;
	p->auth_refusing = false;
	p->phase = PHASE_AUTHENTICATE;
	p->chap_answered = false;
	p->eap_mschap_ok = false;
	p->auth_tries = 0;
	if (p->cfg.role == PPP_SERVER) {
		ppp_auth_start(p, now);
		return;
	}
	/* the authenticator has to finish within the time LCP would take to give up */
	p->auth_deadline = now + (uint64_t)f->restart_ms * f->max_configure;
	switch (p->peer_auth) {
	case PPP_AUTH_NONE:
		/* The server does not want our credentials: nothing of ours is
		 * exposed, and TLS has authenticated the server; the binding then
		 * carries a zero HLAK, as MS-SSTP says for methods without keys. */
		ppp_auth_success(p, PPP_AUTH_NONE, NULL, now);
		break;
	case PPP_AUTH_PAP:
		pap_start(p, now);
		break;
	default:
		break; /* wait for the challenge / EAP request */
	}
}

static void lcp_down(struct fsm *f, uint64_t now)
{
	struct ppp *p = P(f);
	p->echo_next = UINT64_MAX;
	p->auth_deadline = UINT64_MAX;
	if (p->phase != PHASE_TERMINATE && p->phase != PHASE_DEAD)
		p->phase = PHASE_ESTABLISH;
	fsm_down(&p->ipcp, now);
	fsm_down(&p->ipv6cp, now);
	fsm_close(&p->ipcp, NULL, now);
	fsm_close(&p->ipv6cp, NULL, now);
}

static void lcp_finished(struct fsm *f, uint64_t now)
{
	ppp_report_dead(P(f));
}

static void send_echo(struct ppp *p, uint8_t code, uint8_t id, const uint8_t *data, size_t len)
{
	uint8_t buf[1500];
	if (len > sizeof(buf) - 4)
		len = sizeof(buf) - 4;
	be32_put(buf, p->magic_rej ? 0 : p->magic);
	if (len)
		memcpy(buf + 4, data, len);
	fsm_send_pkt(&p->lcp, code, id, buf, len + 4);
}

static bool lcp_other(struct fsm *f, uint8_t code, uint8_t id, struct reader *data, uint64_t now)
{
	struct ppp *p = P(f);
	switch (code) {
	case CP_ECHO_REQ: {
		/* RXR: answered only in Opened (RFC 1661 5.8) */
		uint32_t magic = rd_be32(data);
		if (!rd_ok(data) || f->state != FSM_OPENED)
			return true;
		(void)magic; /* SoftEther sends 0 and never our own: nothing to learn */
		send_echo(p, CP_ECHO_REP, id, rd_ptr(data), rd_left(data));
		return true;
	}
	case CP_ECHO_REP:
		/* any reply proves the link; magic 0 or our own is not a loop here */
		p->echo_missed = 0;
		return true;
	case CP_DISCARD_REQ:
		return true;
	case CP_PROTO_REJ: {
		uint16_t proto = rd_be16(data);
		if (!rd_ok(data) || f->state != FSM_OPENED)
			return true;
		if (proto == PPP_PROTO_IPCP) {
			fsm_rxj(&p->ipcp, false, "peer Protocol-Rejected IPCP", now);
		} else if (proto == PPP_PROTO_IPV6CP) {
			fsm_rxj(&p->ipv6cp, false, "peer Protocol-Rejected IPV6CP", now);
		} else if (proto == PPP_PROTO_LCP) {
			/* cannot be: ignore */
		} else if (p->phase == PHASE_AUTHENTICATE &&
			   (proto == PPP_PROTO_EAP || proto == PPP_PROTO_CHAP ||
			    proto == PPP_PROTO_PAP)) {
			/* SoftEther rejects EAP after our EAP Nak and then renegotiates LCP;
			 * wait for that (the auth deadline still runs) */
		}
		return true;
	}
	default:
		return false;
	}
}

void lcp_protocol_reject(struct ppp *p, uint16_t proto, const uint8_t *info, size_t len)
{
	uint8_t buf[1500];
	size_t max = (p->peer_mru ? p->peer_mru : 1500) - 4 - 2;
	if (max > sizeof(buf) - 2)
		max = sizeof(buf) - 2;
	if (len > max)
		len = max;
	be16_put(buf, proto);
	if (len)
		memcpy(buf + 2, info, len);
	fsm_send_pkt(&p->lcp, CP_PROTO_REJ, p->lcp.next_id++, buf, len + 2);
}

void lcp_echo_timeout(struct ppp *p, uint64_t now)
{
	if (p->lcp.state != FSM_OPENED) {
		p->echo_next = UINT64_MAX;
		return;
	}
	if (p->echo_missed >= p->cfg.echo_failures) {
		char msg[120];
		snprintf(msg, sizeof(msg), "peer did not answer %u LCP Echo-Requests",
			 p->echo_missed);
		/* the link is gone: a Terminate-Request would go nowhere */
		ppp_set_reason(p, false, 0, "%s", msg);
		ppp_report_dead(p);
		return;
	}
	p->echo_missed++;
	send_echo(p, CP_ECHO_REQ, ++p->echo_id, NULL, 0);
	p->echo_next = now + p->cfg.echo_interval_ms;
}

const struct fsm_callbacks lcp_callbacks = {
    .name = "LCP",
    .proto = PPP_PROTO_LCP,
    .build_req = lcp_build,
    .options = lcp_options,
    .n_options = sizeof(lcp_options) / sizeof(lcp_options[0]),
    .opts_begin = lcp_opts_begin,
    .opts_end = lcp_opts_end,
    .up = lcp_up,
    .down = lcp_down,
    .finished = lcp_finished,
    .other_code = lcp_other,
};
