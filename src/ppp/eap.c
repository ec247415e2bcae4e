/* EAP (RFC 3748) client role: Identity, Notification, EAP-MSCHAPv2 (type
 * 26, draft-kamath-pppext-eap-mschapv2), EAP-TLS (13, eap_tls.c), and a
 * Nak towards the method we prefer of those we allow. */
#include <stdio.h>
#include <string.h>

#include "ppp/chap_crypto.h"
#include "ppp/ppp_internal.h"
#include "core/secret.h"

enum { EAP_REQUEST = 1, EAP_RESPONSE = 2, EAP_SUCCESS = 3, EAP_FAILURE = 4 };
enum {
	EAP_TYPE_IDENTITY = 1,
	EAP_TYPE_NOTIFICATION = 2,
	EAP_TYPE_NAK = 3,
	EAP_TYPE_TLS = 13,
	EAP_TYPE_PEAP = 25,
	EAP_TYPE_MSCHAPV2 = 26
};
enum {
	MSCHAPV2_OP_CHALLENGE = 1,
	MSCHAPV2_OP_RESPONSE = 2,
	MSCHAPV2_OP_SUCCESS = 3,
	MSCHAPV2_OP_FAILURE = 4
};

void eap_respond(struct ppp *p, uint8_t id, uint8_t type, const uint8_t *data, size_t len)
{
	if (p->peap_tunnel) {
		peap_respond(p, id, type, data, len);
		return;
	}
	eap_respond_outer(p, id, type, data, len);
}

void eap_respond_outer(struct ppp *p, uint8_t id, uint8_t type, const uint8_t *data, size_t len)
{
	uint8_t buf[5 + 1500]; /* an EAP-TLS fragment is the largest */
	struct writer w;
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, EAP_RESPONSE);
	wr_u8(&w, id);
	wr_be16(&w, (uint16_t)(5 + len));
	wr_u8(&w, type);
	wr_bytes(&w, data, len);
	if (wr_ok(&w))
		ppp_send(p, PPP_PROTO_EAP, buf, w.len);
}

void eap_mschapv2_request(struct ppp *p, uint8_t id, struct reader *d, uint64_t now)
{
	const char *method = p->peap_tunnel ? "PEAP (inner EAP-MSCHAPv2)" : "EAP-MSCHAPv2";
	uint8_t op = rd_u8(d), msid = rd_u8(d);
	uint16_t mslen = rd_be16(d);
	(void)mslen; /* some servers get it wrong; the EAP length bounds us */
	if (!rd_ok(d))
		return;
	switch (op) {
	case MSCHAPV2_OP_CHALLENGE: {
		uint8_t vs = rd_u8(d);
		const uint8_t *chal = rd_take(d, 16);
		if (!chal || vs != 16)
			return;
		uint8_t buf[4 + 1 + 49 + PPP_NAME_MAX];
		size_t ul = strlen(p->username);
		struct writer w;
		wr_init(&w, buf, sizeof(buf));
		wr_u8(&w, MSCHAPV2_OP_RESPONSE);
		wr_u8(&w, msid);
		wr_be16(&w, (uint16_t)(4 + 1 + 49 + ul));
		wr_u8(&w, 49);
		uint8_t *val = wr_reserve(&w, 49);
		wr_bytes(&w, p->username, ul);
		if (!wr_ok(&w))
			return;
		mschapv2_make_response(p, chal, val);
		p->chap_answered = true;
		eap_respond(p, id, EAP_TYPE_MSCHAPV2, buf, w.len);
		break;
	}
	case MSCHAPV2_OP_SUCCESS: {
		if (!p->chap_answered)
			return;
		if (!mschapv2_check_success(p, rd_ptr(d), rd_left(d))) {
			char why[160];
			snprintf(why, sizeof(why),
				 "%s: the server failed to prove it knows the password "
				 "(bad or missing S= authenticator response)",
				 method);
			ppp_fail(p, true, 0, why, now);
			return;
		}
		p->eap_mschap_ok = true;
		uint8_t ack = MSCHAPV2_OP_SUCCESS;
		eap_respond(p, id, EAP_TYPE_MSCHAPV2, &ack, 1);
		break;
	}
	case MSCHAPV2_OP_FAILURE: {
		int e = mschapv2_failure_reason(rd_ptr(d), rd_left(d), method, p->eap_fail,
						sizeof(p->eap_fail));
		ppp_set_reason(p, true, e, "%s", p->eap_fail);
		uint8_t ack = MSCHAPV2_OP_FAILURE;
		eap_respond(p, id, EAP_TYPE_MSCHAPV2, &ack, 1);
		break;
	}
	default:
		break;
	}
}

static bool eap_allowed(const struct ppp *p, enum ppp_auth a)
{
	for (size_t i = 0; i < sizeof(p->cfg.auth) / sizeof(p->cfg.auth[0]) && p->cfg.auth[i]; i++)
		if (p->cfg.auth[i] == a)
			return true;
	return false;
}

/* The EAP type of our most preferred EAP method. */
static uint8_t eap_preferred_type(const struct ppp *p)
{
	for (size_t i = 0; i < sizeof(p->cfg.auth) / sizeof(p->cfg.auth[0]) && p->cfg.auth[i];
	     i++) {
		if (p->cfg.auth[i] == PPP_AUTH_EAP_TLS)
			return EAP_TYPE_TLS;
		if (p->cfg.auth[i] == PPP_AUTH_PEAP)
			return EAP_TYPE_PEAP;
		if (p->cfg.auth[i] == PPP_AUTH_EAP_MSCHAPV2)
			return EAP_TYPE_MSCHAPV2;
	}
	return EAP_TYPE_MSCHAPV2;
}

void eap_input(struct ppp *p, struct reader *r, uint64_t now)
{
	if (p->phase != PHASE_AUTHENTICATE || p->peer_auth != PPP_AUTH_EAP_MSCHAPV2)
		return;
	uint8_t code = rd_u8(r), id = rd_u8(r);
	uint16_t len = rd_be16(r);
	struct reader d;
	if (!rd_ok(r) || len < 4 || !rd_sub(r, (size_t)len - 4, &d))
		return;
	switch (code) {
	case EAP_REQUEST: {
		uint8_t type = rd_u8(&d);
		if (!rd_ok(&d))
			return;
		if (type == EAP_TYPE_IDENTITY) {
			eap_respond(p, id, EAP_TYPE_IDENTITY, (const uint8_t *)p->username,
				    strlen(p->username));
		} else if (type == EAP_TYPE_NOTIFICATION) {
			eap_respond(p, id, EAP_TYPE_NOTIFICATION, NULL, 0);
		} else if (type == EAP_TYPE_MSCHAPV2 && eap_allowed(p, PPP_AUTH_EAP_MSCHAPV2)) {
			eap_mschapv2_request(p, id, &d, now);
		} else if ((type == EAP_TYPE_TLS && eap_allowed(p, PPP_AUTH_EAP_TLS)) ||
			   (type == EAP_TYPE_PEAP && eap_allowed(p, PPP_AUTH_PEAP))) {
			eaptls_request(p, id, type, &d, now);
		} else {
			/* a method we do not speak or allow: suggest ours */
			uint8_t want = eap_preferred_type(p);
			eap_respond(p, id, EAP_TYPE_NAK, &want, 1);
		}
		break;
	}
	case EAP_SUCCESS:
		if (p->tls) {
			eaptls_success(p, now);
			return;
		}
		if (!p->eap_mschap_ok) {
			/* no mutual authentication happened: do not trust it */
			ppp_fail(p, true, 0,
				 "EAP: Success without a verified EAP-MSCHAPv2 exchange", now);
			return;
		}
		{
			uint8_t hlak[32];
			mschap_client_hlak(p->password, p->nt_resp, hlak);
			ppp_auth_success(p, PPP_AUTH_EAP_MSCHAPV2, hlak, now);
			secure_wipe(hlak, sizeof(hlak));
		}
		break;
	case EAP_FAILURE:
		if (p->tls && !p->eap_fail[0])
			eaptls_failure_reason(p);
		ppp_fail(p, true, p->down.code,
			 p->eap_fail[0] ? p->eap_fail : "EAP authentication failed", now);
		break;
	default:
		break;
	}
}

/* --- server role: Identity, then EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2-02) --- */

enum {
	EAP_SRV_IDENTITY = 0, /* Request/Identity sent */
	EAP_SRV_CHALLENGE,    /* Request/MS-CHAPv2 Challenge sent */
	EAP_SRV_SUCCESS_REQ,  /* Request/MS-CHAPv2 Success sent */
	EAP_SRV_FAILURE_REQ,  /* Request/MS-CHAPv2 Failure sent */
	EAP_SRV_DONE,	      /* EAP Success or Failure sent */
	EAP_SRV_RELAYED,      /* relay: a Request from the EAP server went to the client */
	EAP_SRV_RELAY_WAIT,   /* relay: the client's Response went to the EAP server */
};

static void eap_srv_final(struct ppp *p, uint8_t code, uint8_t id);
static void eap_srv_refuse(struct ppp *p, uint8_t id, const char *why, uint64_t now);

/* Relay: hands the client's Response to the caller (the NAS part). */
static void eap_srv_relay_out(struct ppp *p, const uint8_t *pkt, size_t len)
{
	struct ppp_eap_relay ev = {pkt, len, p->peer_name};
	p->srv_state = EAP_SRV_RELAY_WAIT;
	p->auth_deadline = UINT64_MAX; /* the EAP server's answer is the caller's to wait for */
	p->ops->event(p->ctx, PPP_EV_EAP_RELAY, &ev);
}

static enum ppp_auth eap_relay_method(const struct ppp *p)
{
	return p->relay_type == EAP_TYPE_TLS	    ? PPP_AUTH_EAP_TLS
	       : p->relay_type == EAP_TYPE_PEAP	    ? PPP_AUTH_PEAP
	       : p->relay_type == EAP_TYPE_MSCHAPV2 ? PPP_AUTH_EAP_MSCHAPV2
						    : p->our_auth;
}

void ppp_eap_relay_reply(struct ppp *p, enum ppp_relay_result r, const uint8_t *eap, size_t len,
			 const uint8_t hlak[32], const char *reason, uint64_t now)
{
	p->now = now;
	if (p->cfg.role != PPP_SERVER || !p->cfg.eap_relay || p->srv_state != EAP_SRV_RELAY_WAIT ||
	    p->phase != PHASE_AUTHENTICATE)
		return;
	/* An EAP packet from the EAP server must be whole and of the code the
	 * RADIUS reply implies; anything else is the EAP server's failure. */
	uint8_t want = r == PPP_RELAY_CHALLENGE ? EAP_REQUEST
		       : r == PPP_RELAY_ACCEPT	? EAP_SUCCESS
						: EAP_FAILURE;
	bool pkt_ok = eap && len >= 4 && be16_get(eap + 2) == len && eap[0] == want &&
		      (want != EAP_REQUEST || len >= 5);
	switch (r) {
	case PPP_RELAY_CHALLENGE:
		if (!pkt_ok) {
			eap_srv_refuse(p, p->auth_id,
				       "EAP relay: the EAP server sent no usable Request", now);
			return;
		}
		p->relay_type = eap[4];
		p->auth_id = eap[1];
		p->auth_tries = 0;
		p->srv_state = EAP_SRV_RELAYED;
		ppp_auth_send(p, PPP_PROTO_EAP, eap, len, true, now);
		return;
	case PPP_RELAY_ACCEPT:
		if (!pkt_ok || !hlak) {
			eap_srv_refuse(p, p->auth_id,
				       "EAP relay: Accept without EAP Success or keys", now);
			return;
		}
		p->srv_state = EAP_SRV_DONE;
		ppp_send(p, PPP_PROTO_EAP, eap, len);
		ppp_auth_success(p, eap_relay_method(p), hlak, now);
		return;
	case PPP_RELAY_REJECT:
		if (pkt_ok) {
			p->srv_state = EAP_SRV_DONE;
			ppp_send(p, PPP_PROTO_EAP, eap, len);
		} else {
			eap_srv_final(p, EAP_FAILURE, p->auth_id);
		}
		p->our_auth = eap_relay_method(p);
		ppp_auth_refused(p, 0, now);
		return;
	case PPP_RELAY_ERROR:
		eap_srv_refuse(p, p->auth_id, reason ? reason : "EAP relay: the EAP server failed",
			       now);
		return;
	}
}

/* An EAP Request with a new identifier; type-data after the type byte. */
static void eap_srv_request(struct ppp *p, uint8_t type, const uint8_t *data, size_t len,
			    uint64_t now)
{
	uint8_t buf[5 + 4 + 1 + 16 + PPP_NAME_MAX];
	struct writer w;
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, EAP_REQUEST);
	wr_u8(&w, ++p->auth_id);
	wr_be16(&w, (uint16_t)(5 + len));
	wr_u8(&w, type);
	wr_bytes(&w, data, len);
	if (wr_ok(&w))
		ppp_auth_send(p, PPP_PROTO_EAP, buf, w.len, true, now);
}

/* EAP-MSCHAPv2 Success / Failure Request: OpCode, MS-CHAPv2-ID, MS-Length, Message */
static void eap_srv_mschap_result(struct ppp *p, uint8_t op, uint8_t msid, const char *msg,
				  size_t ml, uint64_t now)
{
	uint8_t buf[4 + 128];
	if (ml > sizeof(buf) - 4)
		return;
	buf[0] = op;
	buf[1] = msid;
	be16_put(buf + 2, (uint16_t)(4 + ml)); /* = EAP Length - 5 */
	memcpy(buf + 4, msg, ml);
	eap_srv_request(p, EAP_TYPE_MSCHAPV2, buf, 4 + ml, now);
}

/* EAP Success / Failure: 4 bytes, the identifier of the Response they answer */
static void eap_srv_final(struct ppp *p, uint8_t code, uint8_t id)
{
	uint8_t buf[4] = {code, id, 0, 4};
	p->srv_state = EAP_SRV_DONE;
	ppp_send(p, PPP_PROTO_EAP, buf, sizeof(buf));
}

void eap_srv_start(struct ppp *p, uint64_t now)
{
	p->srv_state = EAP_SRV_IDENTITY;
	eap_srv_request(p, EAP_TYPE_IDENTITY, NULL, 0, now);
}

static void eap_srv_challenge(struct ppp *p, uint64_t now)
{
	uint8_t buf[4 + 1 + 16 + PPP_NAME_MAX];
	size_t hl = strlen(p->hostname);
	ppp_random(p, p->auth_chal, 16);
	buf[0] = MSCHAPV2_OP_CHALLENGE;
	buf[1] = (uint8_t)(p->auth_id + 1); /* MS-CHAPv2-ID: the EAP identifier of this Request */
	be16_put(buf + 2, (uint16_t)(4 + 1 + 16 + hl));
	buf[4] = 16;
	memcpy(buf + 5, p->auth_chal, 16);
	memcpy(buf + 21, p->hostname, hl);
	p->srv_state = EAP_SRV_CHALLENGE;
	eap_srv_request(p, EAP_TYPE_MSCHAPV2, buf, 21 + hl, now);
}

static void eap_srv_refuse(struct ppp *p, uint8_t id, const char *why, uint64_t now)
{
	eap_srv_final(p, EAP_FAILURE, id);
	ppp_fail(p, true, 0, why, now);
}

static void eap_srv_mschap_response(struct ppp *p, struct reader *d, uint64_t now)
{
	uint8_t op = rd_u8(d), msid = rd_u8(d);
	uint16_t mslen = rd_be16(d);
	(void)mslen; /* the EAP length bounds us, as in the client */
	if (!rd_ok(d))
		return;
	if (p->srv_state == EAP_SRV_CHALLENGE && op == MSCHAPV2_OP_RESPONSE) {
		uint8_t vs = rd_u8(d);
		const uint8_t *val = rd_take(d, 49);
		if (!val || vs != 49)
			return;
		bool named = ppp_take_peer_name(p, rd_ptr(d), rd_left(d));
		char pw[PPP_NAME_MAX];
		bool known = named && ppp_get_secret(p, p->peer_name, pw, sizeof(pw));
		char success[64];
		bool ok =
		    known && mschapv2_srv_verify(p, pw, p->auth_chal, val, success, p->srv_hlak);
		secure_wipe(pw, sizeof(pw));
		if (ok) {
			p->srv_state = EAP_SRV_SUCCESS_REQ;
			eap_srv_mschap_result(p, MSCHAPV2_OP_SUCCESS, msid, success,
					      strlen(success), now);
		} else {
			char fail[96];
			size_t fl = mschapv2_srv_failure(p, fail, sizeof(fail));
			p->srv_state = EAP_SRV_FAILURE_REQ;
			eap_srv_mschap_result(p, MSCHAPV2_OP_FAILURE, msid, fail, fl, now);
		}
	}
}

void eap_srv_input(struct ppp *p, struct reader *r, uint64_t now)
{
	if ((p->our_auth != PPP_AUTH_EAP_MSCHAPV2 && p->our_auth != PPP_AUTH_EAP_TLS) ||
	    p->phase != PHASE_AUTHENTICATE || p->srv_state == EAP_SRV_DONE)
		return;
	const uint8_t *pkt = rd_ptr(r); /* the whole packet, for the relay */
	uint8_t code = rd_u8(r), id = rd_u8(r);
	uint16_t len = rd_be16(r);
	struct reader d;
	if (!rd_ok(r) || len < 5 || !rd_sub(r, (size_t)len - 4, &d) || code != EAP_RESPONSE ||
	    id != p->auth_id)
		return; /* RFC 3748 4.1: a Response must match the outstanding Request */
	uint8_t type = rd_u8(&d);
	if (p->cfg.eap_relay) {
		/* the EAP server decides everything after the Identity */
		if (p->srv_state == EAP_SRV_IDENTITY && type == EAP_TYPE_IDENTITY) {
			if (!ppp_take_peer_name(p, rd_ptr(&d), rd_left(&d))) {
				eap_srv_refuse(p, id, "EAP: unusable identity", now);
				return;
			}
			eap_srv_relay_out(p, pkt, len);
		} else if (p->srv_state == EAP_SRV_RELAYED) {
			eap_srv_relay_out(p, pkt, len);
		}
		return;
	}
	if (type == EAP_TYPE_NAK) {
		/* the client wants another method: EAP-MSCHAPv2 is all we speak */
		eap_srv_refuse(p, id, "EAP: the client refused EAP-MSCHAPv2 (Legacy Nak)", now);
		return;
	}
	switch (p->srv_state) {
	case EAP_SRV_IDENTITY:
		/* the identity is only a hint: the MS-CHAPv2 name is what is checked */
		if (type == EAP_TYPE_IDENTITY)
			eap_srv_challenge(p, now);
		break;
	case EAP_SRV_CHALLENGE:
		if (type == EAP_TYPE_MSCHAPV2)
			eap_srv_mschap_response(p, &d, now);
		break;
	case EAP_SRV_SUCCESS_REQ:
		/* Success Response: the OpCode alone; the client verified our S= */
		if (type == EAP_TYPE_MSCHAPV2 && rd_u8(&d) == MSCHAPV2_OP_SUCCESS && rd_ok(&d)) {
			eap_srv_final(p, EAP_SUCCESS, id);
			ppp_auth_success(p, PPP_AUTH_EAP_MSCHAPV2, p->srv_hlak, now);
			secure_wipe(p->srv_hlak, sizeof(p->srv_hlak));
		}
		break;
	case EAP_SRV_FAILURE_REQ:
		if (type == EAP_TYPE_MSCHAPV2 && rd_u8(&d) == MSCHAPV2_OP_FAILURE && rd_ok(&d)) {
			eap_srv_final(p, EAP_FAILURE, id);
			ppp_auth_refused(p, 691, now);
		}
		break;
	default:
		break;
	}
}
