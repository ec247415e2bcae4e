/* EAP (RFC 3748) client role: Identity, Notification, Nak towards
 * EAP-MSCHAPv2 (type 26, draft-kamath-pppext-eap-mschapv2). */
#include <stdio.h>
#include <string.h>

#include "ppp/chap_crypto.h"
#include "ppp/ppp_internal.h"

enum { EAP_REQUEST = 1, EAP_RESPONSE = 2, EAP_SUCCESS = 3, EAP_FAILURE = 4 };
enum { EAP_TYPE_IDENTITY = 1, EAP_TYPE_NOTIFICATION = 2, EAP_TYPE_NAK = 3, EAP_TYPE_MSCHAPV2 = 26 };
enum { MSCHAPV2_OP_CHALLENGE = 1, MSCHAPV2_OP_RESPONSE = 2, MSCHAPV2_OP_SUCCESS = 3,
       MSCHAPV2_OP_FAILURE = 4 };

static void eap_respond(struct ppp *p, uint8_t id, uint8_t type, const uint8_t *data, size_t len)
{
	uint8_t buf[5 + 5 + 49 + PPP_NAME_MAX];
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

static void mschapv2_request(struct ppp *p, uint8_t id, struct reader *d, uint64_t now)
{
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
			ppp_fail(p, true, 0,
				 "EAP-MSCHAPv2: the server failed to prove it knows the password "
				 "(bad or missing S= authenticator response)",
				 now);
			return;
		}
		p->eap_mschap_ok = true;
		uint8_t ack = MSCHAPV2_OP_SUCCESS;
		eap_respond(p, id, EAP_TYPE_MSCHAPV2, &ack, 1);
		break;
	}
	case MSCHAPV2_OP_FAILURE: {
		int e = mschapv2_failure_reason(rd_ptr(d), rd_left(d), "EAP-MSCHAPv2", p->eap_fail,
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
		} else if (type == EAP_TYPE_MSCHAPV2) {
			mschapv2_request(p, id, &d, now);
		} else {
			/* e.g. EAP-TLS (13): the only method we speak is 26 */
			uint8_t want = EAP_TYPE_MSCHAPV2;
			eap_respond(p, id, EAP_TYPE_NAK, &want, 1);
		}
		break;
	}
	case EAP_SUCCESS:
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
			memset(hlak, 0, sizeof(hlak));
		}
		break;
	case EAP_FAILURE:
		ppp_fail(p, true, p->down.code, p->eap_fail[0] ? p->eap_fail : "EAP authentication failed",
			 now);
		break;
	default:
		break;
	}
}
