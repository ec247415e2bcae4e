/* SSTP client and server state machines (MS-SSTP 3.2, 3.3), simplified
 * where the spec allows: a third NAK ends the client's attempt. The ends of
 * a call follow the common state tables (3.1.1.1): the disconnect and abort
 * exchanges with their two timers each. */
#include "sstp/sstp_wire.h"

#include "core/bytes.h"
#include "core/random.h"
#include "core/secret.h"
#include "ppp/ppp_frame.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum state {
	ST_IDLE,
	ST_HTTP,	 /* client: request sent; server: waiting for it */
	ST_CONNECT_WAIT, /* client: CONNECT_REQUEST sent; server: waiting for it */
	ST_PPP,		 /* ACK seen/sent: PPP negotiates, CALL_CONNECTED pending */
	ST_CONNECTED,
	/* Ending (3.1.1.1); from here on no data passes either way. */
	ST_DISC_ACK_WAIT,    /* Call_Disconnect_Ack_Pending: our CALL_DISCONNECT sent */
	ST_DISC_CLOSE_WAIT,  /* Call_Disconnect_Timeout_Pending: our ACK sent, peer to close */
	ST_ABORT_WAIT,	     /* Call_Abort_Pending: our CALL_ABORT sent, the peer's awaited */
	ST_ABORT_CLOSE_WAIT, /* Call_Abort_Timeout_Pending: both sent, peer to close */
	ST_CLOSED,
};

struct sstp {
	struct sstp_config cfg;
	struct sstp_ops ops;
	void *ctx;
	char host[256];
	enum state st;
	int hash;
	uint8_t offered;
	uint8_t nonce[SSTP_NONCE_LEN];
	uint8_t hlak[32];
	bool have_hlak;
	bool ctrl_sent; /* first control packet after HTTP sent (fault target) */
	unsigned naks;
	uint64_t neg_deadline;
	uint64_t end_deadline; /* the timer of the ending state */
	uint64_t now;	       /* of the call into this module being served */
	uint64_t last_rx;
	uint64_t echo_at;
	bool echo_pending;
	uint64_t dropped;
	char reason[256];
	char note[320];
	uint8_t tx[SSTP_HDR_LEN + SSTP_MAX_PACKET];
};

#define NAK_LIMIT 3

static void get_random(struct sstp *s, void *buf, size_t len)
{
	if (s->cfg.random) {
		s->cfg.random(s->ctx, buf, len);
		return;
	}
	random_bytes(buf, len);
}

static bool silent(const struct sstp *s)
{
	return s->cfg.role == SSTP_SERVER && (s->cfg.faults & SSTP_FAULT_SILENT_AFTER_CONNECTED) &&
	       s->st == ST_CONNECTED;
}

static bool ending(const struct sstp *s)
{
	return s->st > ST_CONNECTED && s->st < ST_CLOSED;
}

/* "server" seen from a client, "client" seen from the server. */
static const char *peer(const struct sstp *s)
{
	return s->cfg.role == SSTP_CLIENT ? "server" : "client";
}

/* The first reason given is the real one: later steps of the ending keep it. */
static void set_reason(struct sstp *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(struct sstp *s, const char *fmt, ...)
{
	if (s->reason[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

/* One step of an ending call, reported as EV_CLOSING. */
static void note(struct sstp *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct sstp *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->note, sizeof(s->note), fmt, ap);
	va_end(ap);
	s->ops.event(s->ctx, SSTP_EV_CLOSING, s->note);
}

static void finish(struct sstp *s)
{
	if (s->st == ST_CLOSED)
		return;
	if (!s->reason[0])
		set_reason(s, "closed");
	s->st = ST_CLOSED;
	s->ops.event(s->ctx, SSTP_EV_CLOSED, s->reason);
}

static void close_session(struct sstp *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void close_session(struct sstp *s, const char *fmt, ...)
{
	if (s->st == ST_CLOSED)
		return;
	if (!s->reason[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
		va_end(ap);
	}
	finish(s);
}

static void enter(struct sstp *s, enum state st, uint32_t ms)
{
	s->st = st;
	s->end_deadline = s->now + ms;
}

static void apply_faults(struct sstp *s, uint8_t *buf, size_t *len)
{
	if (s->cfg.role != SSTP_SERVER)
		return;
	if (!s->ctrl_sent) {
		s->ctrl_sent = true;
		uint32_t f = s->cfg.faults;
		if (f & SSTP_FAULT_BAD_VERSION)
			buf[0] = 0x11;
		if (f & SSTP_FAULT_LEN_ZERO)
			be16_put(buf + 2, 0);
		if (f & SSTP_FAULT_LEN_TOO_BIG)
			buf[2] |= 0xf0;
		if (f & SSTP_FAULT_LEN_OVERRUN)
			be16_put(buf + 2, SSTP_MAX_PACKET);
		if ((f & SSTP_FAULT_ATTR_SHORT) && *len >= 12)
			be16_put(buf + 10, 2);
	}
}

static void send_ctrl(struct sstp *s, size_t len)
{
	if (!len || silent(s))
		return;
	apply_faults(s, s->tx, &len);
	s->ops.send(s->ctx, s->tx, len);
}

static void send_simple(struct sstp *s, uint16_t type)
{
	send_ctrl(s, sstp_build_simple(s->tx, sizeof(s->tx), type));
}

static void send_abort(struct sstp *s, uint32_t status, uint8_t attrib)
{
	send_ctrl(s, sstp_build_status_msg(s->tx, sizeof(s->tx), SSTP_MSG_CALL_ABORT, true, attrib,
					   status));
}

/* Invalid input or a protocol violation (3.1.5.1): CALL_ABORT with the
 * status, then Call_Abort_Pending until the peer's CALL_ABORT. With
 * wait false (the peer has stopped answering) close right after sending. */
static void vabort(struct sstp *s, bool wait, uint32_t status, uint8_t attrib, const char *fmt,
		   va_list ap) __attribute__((format(printf, 5, 0)));
static void vabort(struct sstp *s, bool wait, uint32_t status, uint8_t attrib, const char *fmt,
		   va_list ap)
{
	if (s->st == ST_CLOSED || ending(s))
		return;
	char r[sizeof(s->reason)];
	vsnprintf(r, sizeof(r), fmt, ap);
	set_reason(s, "%s", r);
	if (s->st <= ST_HTTP) {
		finish(s);
		return;
	}
	send_abort(s, status, attrib);
	if (!wait) {
		note(s, "%s; sent CALL_ABORT (status %s (%u)), not waiting for the silent %s", r,
		     sstp_status_name(status), (unsigned)status, peer(s));
		finish(s);
		return;
	}
	note(s, "%s; sent CALL_ABORT (status %s (%u)), waiting up to %u ms for the %s's CALL_ABORT",
	     r, sstp_status_name(status), (unsigned)status, s->cfg.abort_ms, peer(s));
	enter(s, ST_ABORT_WAIT, s->cfg.abort_ms);
}

static void abort_with(struct sstp *s, uint32_t status, uint8_t attrib, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void abort_with(struct sstp *s, uint32_t status, uint8_t attrib, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vabort(s, true, status, attrib, fmt, ap);
	va_end(ap);
}

static void abort_silent_peer(struct sstp *s, uint32_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void abort_silent_peer(struct sstp *s, uint32_t status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vabort(s, false, status, 0, fmt, ap);
	va_end(ap);
}

struct sstp *sstp_new(const struct sstp_config *cfg, const struct sstp_ops *ops, void *ctx)
{
	struct sstp *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = *cfg;
	if (cfg->host)
		snprintf(s->host, sizeof(s->host), "%s", cfg->host);
	s->cfg.host = s->host;
	if (!s->cfg.negotiation_ms)
		s->cfg.negotiation_ms = 60000;
	/* MS-SSTP 3.1.2.1/3.1.2.2: 5 s, 1 s, 3 s, 1 s. */
	if (!s->cfg.disconnect_ms)
		s->cfg.disconnect_ms = 5000;
	if (!s->cfg.disconnect_wait_ms)
		s->cfg.disconnect_wait_ms = 1000;
	if (!s->cfg.abort_ms)
		s->cfg.abort_ms = 3000;
	if (!s->cfg.abort_wait_ms)
		s->cfg.abort_wait_ms = 1000;
	s->ops = *ops;
	s->ctx = ctx;
	s->st = ST_IDLE;
	return s;
}

void sstp_free(struct sstp *s)
{
	if (!s)
		return;
	secure_wipe(s->hlak, sizeof(s->hlak));
	free(s);
}

void sstp_start(struct sstp *s, uint64_t now)
{
	if (s->st != ST_IDLE)
		return;
	s->st = ST_HTTP;
	s->neg_deadline = now + s->cfg.negotiation_ms;
	s->last_rx = now;
	if (s->cfg.role == SSTP_SERVER)
		return;
	uint8_t guid[16];
	get_random(s, guid, sizeof(guid));
	size_t n = sstp_http_build_request((char *)s->tx, sizeof(s->tx), s->host, guid);
	if (!n) {
		close_session(s, "invalid host name for the HTTP Host header");
		return;
	}
	s->ops.send(s->ctx, s->tx, n);
}

static void status_text(const struct sstp_ctrl *c, char *out, size_t cap)
{
	const struct sstp_attr *a = sstp_ctrl_find(c, SSTP_ATTR_STATUS_INFO);
	struct sstp_status st;
	if (!a || !sstp_status_parse(a, &st)) {
		snprintf(out, cap, "no status");
		return;
	}
	snprintf(out, cap, "status %s (%u) for attribute %u", sstp_status_name(st.status),
		 (unsigned)st.status, st.attrib_id);
}

/* Control protocols are 0x8000 and up (RFC 1661 2); a compressed one-byte
 * protocol is always network-layer. */
static bool ppp_is_control(const uint8_t *f, size_t len)
{
	uint16_t proto;
	return ppp_frame_parse(f, len, &proto) && proto >= 0x8000;
}

static void handle_data(struct sstp *s, const uint8_t *f, size_t len)
{
	bool ok;
	if (s->cfg.role == SSTP_CLIENT)
		ok = s->st >= ST_PPP;
	else
		/* Until the binding is verified only PPP negotiation may pass:
		 * no user data rides on an unbound tunnel. */
		ok = s->st >= ST_CONNECTED || (s->st == ST_PPP && ppp_is_control(f, len));
	if (!ok || len == 0 || ending(s)) {
		s->dropped++;
		return;
	}
	s->ops.ppp_frame(s->ctx, f, len);
}

static void client_connect_ack(struct sstp *s, const struct sstp_ctrl *c)
{
	const struct sstp_attr *a = sstp_ctrl_find(c, SSTP_ATTR_CRYPTO_BINDING_REQ);
	if (!a || a->len != 4 + SSTP_NONCE_LEN) {
		abort_with(s,
			   a ? SSTP_ATTRIB_STATUS_INVALID_ATTRIB_VALUE_LENGTH
			     : SSTP_ATTRIB_STATUS_REQUIRED_ATTRIBUTE_MISSING,
			   SSTP_ATTR_CRYPTO_BINDING_REQ,
			   "CALL_CONNECT_ACK without a valid crypto binding request");
		return;
	}
	uint8_t offered = a->val[3] & (SSTP_CERT_HASH_SHA1 | SSTP_CERT_HASH_SHA256);
	uint8_t allowed =
	    s->cfg.hash_set ? s->cfg.hash_set : (SSTP_CERT_HASH_SHA1 | SSTP_CERT_HASH_SHA256);
	uint8_t both = offered & allowed;
	if (both & SSTP_CERT_HASH_SHA256)
		s->hash = SSTP_CERT_HASH_SHA256;
	else if (both & SSTP_CERT_HASH_SHA1)
		s->hash = SSTP_CERT_HASH_SHA1;
	else {
		abort_with(
		    s, SSTP_ATTRIB_STATUS_VALUE_NOT_SUPPORTED, SSTP_ATTR_CRYPTO_BINDING_REQ,
		    "server offers crypto binding hash set 0x%02x, none allowed here (0x%02x)",
		    a->val[3], allowed);
		return;
	}
	memcpy(s->nonce, a->val + 4, SSTP_NONCE_LEN);
	s->st = ST_PPP;
	s->ops.event(s->ctx, SSTP_EV_PPP_START, NULL);
}

static void server_nak(struct sstp *s, uint8_t attrib, uint32_t status, const uint8_t *val,
		       size_t vlen)
{
	if (++s->naks >= NAK_LIMIT) {
		abort_with(s, SSTP_ATTRIB_STATUS_RETRY_COUNT_EXCEEDED, attrib,
			   "client sent %u unacceptable CALL_CONNECT_REQUESTs", s->naks);
		return;
	}
	send_ctrl(s, sstp_build_connect_nak(s->tx, sizeof(s->tx), attrib, status, val, vlen));
}

static void server_connect_request(struct sstp *s, const struct sstp_ctrl *c)
{
	const struct sstp_attr *a = sstp_ctrl_find(c, SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID);
	if (!a) {
		server_nak(s, SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID,
			   SSTP_ATTRIB_STATUS_REQUIRED_ATTRIBUTE_MISSING, NULL, 0);
		return;
	}
	if (a->len != 2) {
		server_nak(s, SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID,
			   SSTP_ATTRIB_STATUS_INVALID_ATTRIB_VALUE_LENGTH, a->val, a->len);
		return;
	}
	if (be16_get(a->val) != SSTP_PROTOCOL_PPP ||
	    ((s->cfg.faults & SSTP_FAULT_NAK_FIRST_CONNECT) && s->naks == 0)) {
		server_nak(s, SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID,
			   SSTP_ATTRIB_STATUS_VALUE_NOT_SUPPORTED, a->val, a->len);
		return;
	}
	s->offered = s->cfg.hash_set ? s->cfg.hash_set : SSTP_CERT_HASH_SHA256;
	if (s->cfg.faults & SSTP_FAULT_OFFER_SHA1_ONLY)
		s->offered = SSTP_CERT_HASH_SHA1;
	get_random(s, s->nonce, sizeof(s->nonce));
	send_ctrl(s, sstp_build_connect_ack(s->tx, sizeof(s->tx), s->offered, s->nonce));
	if (s->st == ST_CLOSED)
		return;
	s->st = ST_PPP;
	s->ops.event(s->ctx, SSTP_EV_PPP_START, NULL);
}

static void server_connected(struct sstp *s, const uint8_t *pkt, size_t len,
			     const struct sstp_ctrl *c, uint64_t now)
{
	const uint8_t A = SSTP_ATTR_CRYPTO_BINDING;
	if (!s->have_hlak) {
		abort_with(s, SSTP_ATTRIB_STATUS_UNACCEPTED_FRAME_RECEIVED, 0,
			   "CALL_CONNECTED before PPP authentication finished");
		return;
	}
	const struct sstp_attr *a = sstp_ctrl_find(c, A);
	if (!a) {
		abort_with(s, SSTP_ATTRIB_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG, A,
			   "CALL_CONNECTED without crypto binding");
		return;
	}
	if (a->len != 100) {
		abort_with(s, SSTP_ATTRIB_STATUS_INVALID_ATTRIB_VALUE_LENGTH, A,
			   "CALL_CONNECTED crypto binding length %u, not 104", a->len + 4u);
		return;
	}
	int hash = a->val[3];
	if ((hash != SSTP_CERT_HASH_SHA1 && hash != SSTP_CERT_HASH_SHA256) ||
	    !(s->offered & hash)) {
		abort_with(s, SSTP_ATTRIB_STATUS_VALUE_NOT_SUPPORTED, A,
			   "CALL_CONNECTED hash protocol 0x%02x not among those offered (0x%02x)",
			   hash, s->offered);
		return;
	}
	if (memcmp(a->val + 4, s->nonce, SSTP_NONCE_LEN) != 0) {
		abort_with(s, SSTP_ATTRIB_STATUS_VALUE_NOT_SUPPORTED, A,
			   "CALL_CONNECTED nonce differs from the one in CALL_CONNECT_ACK");
		return;
	}
	size_t hl = hash == SSTP_CERT_HASH_SHA1 ? 20 : 32;
	const uint8_t *own = hash == SSTP_CERT_HASH_SHA1 ? s->cfg.cert_sha1 : s->cfg.cert_sha256;
	if (memcmp(a->val + 36, own, hl) != 0) {
		char got[65], want[65];
		hex_encode(got, a->val + 36, hl);
		hex_encode(want, own, hl);
		abort_with(s, SSTP_ATTRIB_STATUS_VALUE_NOT_SUPPORTED, A,
			   "CALL_CONNECTED cert hash %s differs from our certificate's %s "
			   "(TLS intercepted?)",
			   got, want);
		return;
	}
	/* The MAC covers the message as received with the MAC field zeroed. */
	size_t mac_off = (size_t)(a->val - pkt) + 68;
	uint8_t *copy = s->tx;
	memcpy(copy, pkt, len);
	memset(copy + mac_off, 0, 32);
	uint8_t cmk[32], mac[32];
	bool ok = sstp_cmk(hash, s->hlak, cmk) && sstp_compound_mac(hash, cmk, copy, len, mac);
	secure_wipe(cmk, sizeof(cmk));
	uint8_t diff = 0;
	for (size_t i = 0; i < hl; i++)
		diff |= (uint8_t)(mac[i] ^ pkt[mac_off + i]);
	if (!ok || diff) {
		abort_with(s, SSTP_ATTRIB_STATUS_VALUE_NOT_SUPPORTED, A,
			   "CALL_CONNECTED compound MAC differs (HLAK from PPP authentication does "
			   "not match)");
		return;
	}
	s->hash = hash;
	s->st = ST_CONNECTED;
	s->last_rx = now;
	s->echo_pending = false;
	s->ops.event(s->ctx, SSTP_EV_CONNECTED, NULL);
}

/* CALL_ABORT from the peer (3.2.5.3.4 / 3.3.5.2.4). */
static void got_abort(struct sstp *s, const struct sstp_ctrl *c)
{
	char st[128];
	status_text(c, st, sizeof(st));
	if (s->st == ST_ABORT_WAIT) {
		note(s, "received CALL_ABORT from the %s (%s): abort handshake completed", peer(s),
		     st);
		enter(s, ST_ABORT_CLOSE_WAIT, s->cfg.abort_wait_ms);
		return;
	}
	if (s->st == ST_ABORT_CLOSE_WAIT || s->st == ST_DISC_CLOSE_WAIT)
		return;
	set_reason(s, "peer aborted the call (CALL_ABORT, %s)", st);
	send_abort(s, SSTP_ATTRIB_STATUS_NO_ERROR, 0);
	note(s,
	     "received CALL_ABORT from the %s (%s); sent CALL_ABORT in reply, waiting up to %u ms "
	     "for the %s to close",
	     peer(s), st, s->cfg.abort_wait_ms, peer(s));
	enter(s, ST_ABORT_CLOSE_WAIT, s->cfg.abort_wait_ms);
}

/* CALL_DISCONNECT from the peer: acknowledged in every state but the
 * abort ones (4.4, 3.2.4.2), then the peer closes (TIMER_2). */
static void got_disconnect(struct sstp *s, const struct sstp_ctrl *c)
{
	char st[128];
	if (s->st == ST_ABORT_WAIT || s->st == ST_ABORT_CLOSE_WAIT || s->st == ST_DISC_CLOSE_WAIT)
		return;
	status_text(c, st, sizeof(st));
	send_simple(s, SSTP_MSG_CALL_DISCONNECT_ACK);
	set_reason(s, "peer disconnected (CALL_DISCONNECT, %s)", st);
	note(
	    s,
	    "received CALL_DISCONNECT from the %s (%s); sent CALL_DISCONNECT_ACK, waiting up to %u "
	    "ms for the %s to close",
	    peer(s), st, s->cfg.disconnect_wait_ms, peer(s));
	enter(s, ST_DISC_CLOSE_WAIT, s->cfg.disconnect_wait_ms);
}

/* The messages that end a call, and what is ignored while one ends;
 * true if the packet was dealt with. */
static bool ending_ctrl(struct sstp *s, const struct sstp_ctrl *c)
{
	switch (c->type) {
	case SSTP_MSG_CALL_ABORT:
		got_abort(s, c);
		return true;
	case SSTP_MSG_CALL_DISCONNECT:
		got_disconnect(s, c);
		return true;
	case SSTP_MSG_CALL_DISCONNECT_ACK:
		if (s->st == ST_DISC_ACK_WAIT) {
			set_reason(s,
				   "disconnect handshake completed (CALL_DISCONNECT acknowledged)");
			note(s,
			     "received CALL_DISCONNECT_ACK from the %s: CALL_DISCONNECT "
			     "acknowledged, "
			     "disconnect handshake completed",
			     peer(s));
			finish(s);
			return true;
		}
		return ending(s); /* elsewhere a protocol violation */
	default:
		/* 3.1.1.1: every other message is ignored while a call ends. */
		return ending(s);
	}
}

static void handle_ctrl(struct sstp *s, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct sstp_ctrl c;
	const char *why;
	char st[128];
	if (!sstp_ctrl_parse(pkt, len, &c, &why)) {
		if (!ending(s))
			abort_with(s, SSTP_ATTRIB_STATUS_INVALID_FRAME_RECEIVED, 0,
				   "malformed SSTP control packet: %s", why);
		return;
	}
	if (ending_ctrl(s, &c))
		return;
	switch (c.type) {
	case SSTP_MSG_ECHO_REQUEST:
		send_simple(s, SSTP_MSG_ECHO_RESPONSE);
		return;
	case SSTP_MSG_ECHO_RESPONSE:
		return;
	}
	if (s->cfg.role == SSTP_CLIENT) {
		if (c.type == SSTP_MSG_CALL_CONNECT_ACK && s->st == ST_CONNECT_WAIT) {
			client_connect_ack(s, &c);
			return;
		}
		if (c.type == SSTP_MSG_CALL_CONNECT_NAK && s->st == ST_CONNECT_WAIT) {
			status_text(&c, st, sizeof(st));
			/* MS-SSTP lets the client try again on the same
			 * connection; the negotiation timer still bounds it. */
			if (++s->naks < NAK_LIMIT) {
				send_ctrl(s, sstp_build_connect_request(s->tx, sizeof(s->tx)));
				return;
			}
			abort_with(s, SSTP_ATTRIB_STATUS_NO_ERROR, 0,
				   "server refused the call (CALL_CONNECT_NAK, %s)", st);
			return;
		}
	} else {
		if (c.type == SSTP_MSG_CALL_CONNECT_REQUEST && s->st == ST_CONNECT_WAIT) {
			server_connect_request(s, &c);
			return;
		}
		if (c.type == SSTP_MSG_CALL_CONNECTED && s->st == ST_PPP) {
			server_connected(s, pkt, len, &c, now);
			return;
		}
	}
	if (c.type < SSTP_MSG_CALL_CONNECT_REQUEST || c.type > SSTP_MSG_ECHO_RESPONSE)
		abort_with(s, SSTP_ATTRIB_STATUS_INVALID_FRAME_RECEIVED, 0,
			   "unknown SSTP message type 0x%04x", c.type);
	else
		abort_with(s, SSTP_ATTRIB_STATUS_UNACCEPTED_FRAME_RECEIVED, 0,
			   "unexpected %s in this state", sstp_msg_name(c.type));
}

static size_t http_input(struct sstp *s, const uint8_t *buf, size_t len, bool *done)
{
	char err[200];
	*done = false;
	if (s->cfg.role == SSTP_CLIENT) {
		ssize_t r = sstp_http_parse_response(buf, len, err, sizeof(err));
		if (r < 0) {
			close_session(s, "%s", err);
			return len;
		}
		if (r == 0)
			return 0;
		s->ops.event(s->ctx, SSTP_EV_HTTP_OK, NULL);
		if (s->st == ST_CLOSED)
			return len;
		s->st = ST_CONNECT_WAIT;
		send_ctrl(s, sstp_build_connect_request(s->tx, sizeof(s->tx)));
		*done = true;
		return (size_t)r;
	}
	int status;
	ssize_t r = sstp_http_parse_request(buf, len, &status, err, sizeof(err));
	if (r < 0) {
		close_session(s, "%s", err);
		return len;
	}
	if (r == 0)
		return 0;
	size_t n = sstp_http_build_reply((char *)s->tx, sizeof(s->tx), status);
	s->ops.send(s->ctx, s->tx, n);
	if (status != 200) {
		close_session(s, "HTTP request for something other than SSTP (answered %d)",
			      status);
		return len;
	}
	s->ops.event(s->ctx, SSTP_EV_HTTP_OK, NULL);
	if (s->st == ST_CLOSED)
		return len;
	s->st = ST_CONNECT_WAIT;
	*done = true;
	return (size_t)r;
}

size_t sstp_input(struct sstp *s, const uint8_t *buf, size_t len, uint64_t now)
{
	s->now = now;
	if (s->st == ST_CLOSED || silent(s))
		return len;
	if (s->st == ST_IDLE)
		return 0;
	size_t off = 0;
	if (s->st == ST_HTTP) {
		bool done;
		off = http_input(s, buf, len, &done);
		if (!done)
			return off;
	}
	while (off < len && s->st != ST_CLOSED && !silent(s)) {
		ssize_t n = sstp_packet_len(buf + off, len - off);
		if (n < 0) {
			/* 3.1.5.1: when framing fails the connection is dropped
			 * without a message: nothing after it can be trusted. */
			set_reason(s, "malformed SSTP header %02x %02x %02x %02x", buf[off],
				   buf[off + 1], buf[off + 2], buf[off + 3]);
			note(s, "%s: SSTP framing lost, closing without CALL_ABORT", s->reason);
			finish(s);
			break;
		}
		if (n == 0 || (size_t)n > len - off)
			break;
		const uint8_t *p = buf + off;
		off += (size_t)n;
		/* Only a whole packet proves the peer alive: a header that claims
		 * more than ever arrives (plus a trickle of bytes) must not keep
		 * the hello timer from firing. */
		s->last_rx = now;
		s->echo_pending = false;
		if (sstp_is_control(p))
			handle_ctrl(s, p, (size_t)n, now);
		else
			handle_data(s, p + SSTP_HDR_LEN, (size_t)n - SSTP_HDR_LEN);
	}
	return s->st == ST_CLOSED || silent(s) ? len : off;
}

void sstp_auth_done(struct sstp *s, const uint8_t hlak[32], uint64_t now)
{
	s->now = now;
	if (s->cfg.role != SSTP_CLIENT || s->st != ST_PPP)
		return;
	const uint8_t *ch = s->hash == SSTP_CERT_HASH_SHA1 ? s->cfg.cert_sha1 : s->cfg.cert_sha256;
	if (!sstp_build_call_connected(s->tx, s->hash, s->nonce, ch, hlak)) {
		abort_with(s, SSTP_ATTRIB_STATUS_NO_ERROR, 0, "cannot compute the crypto binding");
		return;
	}
	send_ctrl(s, SSTP_CALL_CONNECTED_LEN);
	s->st = ST_CONNECTED;
	s->last_rx = now;
	s->echo_pending = false;
	s->ops.event(s->ctx, SSTP_EV_CONNECTED, NULL);
}

void sstp_set_hlak(struct sstp *s, const uint8_t hlak[32])
{
	memcpy(s->hlak, hlak, 32);
	s->have_hlak = true;
}

void sstp_send_ppp(struct sstp *s, const uint8_t *frame, size_t len)
{
	if (s->st < ST_PPP || s->st >= ST_DISC_ACK_WAIT || len > SSTP_MAX_PPP || silent(s)) {
		s->dropped++;
		return;
	}
	sstp_data_header(s->tx, len);
	memcpy(s->tx + SSTP_HDR_LEN, frame, len);
	s->ops.send(s->ctx, s->tx, len + SSTP_HDR_LEN);
}

void sstp_disconnect(struct sstp *s, uint64_t now)
{
	s->now = now;
	if (s->st == ST_CLOSED || ending(s))
		return;
	if (s->st <= ST_HTTP) {
		close_session(s, "disconnected");
		return;
	}
	send_ctrl(s, sstp_build_status_msg(s->tx, sizeof(s->tx), SSTP_MSG_CALL_DISCONNECT, true, 0,
					   SSTP_ATTRIB_STATUS_NO_ERROR));
	note(s, "sent CALL_DISCONNECT, waiting up to %u ms for the %s's CALL_DISCONNECT_ACK",
	     s->cfg.disconnect_ms, peer(s));
	enter(s, ST_DISC_ACK_WAIT, s->cfg.disconnect_ms);
}

void sstp_abort(struct sstp *s, const char *reason, uint64_t now)
{
	s->now = now;
	abort_with(s, SSTP_ATTRIB_STATUS_NO_ERROR, 0, "%s", reason ? reason : "aborted");
}

void sstp_lower_closed(struct sstp *s, const char *why, uint64_t now)
{
	s->now = now;
	switch (s->st) {
	case ST_CLOSED:
		return;
	case ST_DISC_ACK_WAIT:
		set_reason(s, "disconnected (%s before CALL_DISCONNECT_ACK)", why);
		note(
		    s,
		    "%s without acknowledging our CALL_DISCONNECT: disconnect handshake incomplete",
		    why);
		break;
	case ST_DISC_CLOSE_WAIT:
		note(s, "%s after our CALL_DISCONNECT_ACK: disconnect handshake completed", why);
		break;
	case ST_ABORT_WAIT:
		note(s, "%s without answering our CALL_ABORT: abort handshake incomplete", why);
		break;
	case ST_ABORT_CLOSE_WAIT:
		note(s, "%s: abort handshake completed", why);
		break;
	default:
		set_reason(s, "%s", why);
		break;
	}
	finish(s);
}

bool sstp_is_ending(const struct sstp *s)
{
	return ending(s);
}

const char *sstp_reason(const struct sstp *s)
{
	return s->reason;
}

uint64_t sstp_deadline(const struct sstp *s)
{
	switch (s->st) {
	case ST_HTTP:
	case ST_CONNECT_WAIT:
	case ST_PPP:
		return s->neg_deadline;
	case ST_CONNECTED:
		if (!s->cfg.hello_ms || silent(s))
			return UINT64_MAX;
		return (s->echo_pending ? s->echo_at : s->last_rx) + s->cfg.hello_ms;
	case ST_DISC_ACK_WAIT:
	case ST_DISC_CLOSE_WAIT:
	case ST_ABORT_WAIT:
	case ST_ABORT_CLOSE_WAIT:
		return s->end_deadline;
	default:
		return UINT64_MAX;
	}
}

static const char *state_name(enum state st)
{
	switch (st) {
	case ST_HTTP:
		return "waiting for the HTTP exchange";
	case ST_CONNECT_WAIT:
		return "waiting for the call to be accepted";
	case ST_PPP:
		return "waiting for PPP authentication and CALL_CONNECTED";
	default:
		return "?";
	}
}

/* The timer of an ending state ran out. */
static void ending_timeout(struct sstp *s)
{
	switch (s->st) {
	case ST_DISC_ACK_WAIT:
		set_reason(s, "disconnected (no CALL_DISCONNECT_ACK within %u ms)",
			   s->cfg.disconnect_ms);
		note(s,
		     "timed out waiting for the %s's CALL_DISCONNECT_ACK (%u ms): disconnect "
		     "handshake incomplete",
		     peer(s), s->cfg.disconnect_ms);
		break;
	case ST_DISC_CLOSE_WAIT:
		/* TIMER_2 running out is the normal end: the ACK had its time. */
		note(s,
		     "the %s did not close within %u ms of our CALL_DISCONNECT_ACK: closing; "
		     "disconnect handshake completed",
		     peer(s), s->cfg.disconnect_wait_ms);
		break;
	case ST_ABORT_WAIT:
		note(
		    s,
		    "timed out waiting for the %s's CALL_ABORT (%u ms): abort handshake incomplete",
		    peer(s), s->cfg.abort_ms);
		break;
	default: /* ST_ABORT_CLOSE_WAIT: the exchange is done */
		break;
	}
	finish(s);
}

void sstp_timeout(struct sstp *s, uint64_t now)
{
	s->now = now;
	if (now < sstp_deadline(s))
		return;
	if (ending(s)) {
		ending_timeout(s);
		return;
	}
	switch (s->st) {
	case ST_HTTP:
	case ST_CONNECT_WAIT:
	case ST_PPP:
		abort_silent_peer(s, SSTP_ATTRIB_STATUS_NEGOTIATION_TIMEOUT,
				  "SSTP negotiation timed out after %u ms (%s)",
				  s->cfg.negotiation_ms, state_name(s->st));
		return;
	case ST_CONNECTED:
		if (!s->echo_pending) {
			s->echo_pending = true;
			s->echo_at = now;
			send_simple(s, SSTP_MSG_ECHO_REQUEST);
			return;
		}
		abort_silent_peer(
		    s, SSTP_ATTRIB_STATUS_NEGOTIATION_TIMEOUT,
		    "peer not responding (nothing received for %llu ms, echo unanswered)",
		    (unsigned long long)(now - s->last_rx));
		return;
	default:
		return;
	}
}

bool sstp_is_connected(const struct sstp *s)
{
	return s->st == ST_CONNECTED;
}

int sstp_binding_hash(const struct sstp *s)
{
	return s->hash;
}

uint64_t sstp_dropped(const struct sstp *s)
{
	return s->dropped;
}
