/* PEAPv0 phase 2 (MS-PEAP), client role: the inner packets the TLS tunnel
 * delivers. Identity and EAP-MSCHAPv2 (the code of eap.c, its Responses
 * routed into the tunnel), then the Extensions packet (type 33) with the
 * Result TLV. Inner Requests come either whole (with their EAP header:
 * FreeRADIUS writes its Identity Request so) or compressed to Type + Data
 * (MS-PEAP 3.1.5.6). We answer compressed, except the Extensions Response,
 * which always carries its header: FreeRADIUS 3.2 refuses a whole inner
 * Identity Response ("Received unexpected EAP-Response"), as MS-PEAP
 * expects. */
#include <stdio.h>
#include <string.h>

#include "core/secret.h"
#include "ppp/chap_crypto.h"
#include "ppp/peap_binding.h"
#include "ppp/ppp_internal.h"

enum { EAP_REQUEST = 1, EAP_RESPONSE = 2 };
enum { TYPE_IDENTITY = 1, TYPE_NAK = 3, TYPE_MSCHAPV2 = 26, TYPE_EXTENSIONS = 33 };
/* MS-PEAP 2.2.8: TLV header = M bit, R bit, 14-bit type; 16-bit length */
#define TLV_MANDATORY 0x8000
#define TLV_TYPE_MASK 0x3fff
enum { TLV_RESULT = 3, TLV_CRYPTO_BINDING = 12 };
enum { RESULT_SUCCESS = 1, RESULT_FAILURE = 2 };

void peap_respond(struct ppp *p, uint8_t id, uint8_t type, const uint8_t *data, size_t len)
{
	uint8_t buf[5 + 600];
	struct writer w;
	wr_init(&w, buf, sizeof(buf));
	if (type == TYPE_EXTENSIONS) {
		wr_u8(&w, EAP_RESPONSE);
		wr_u8(&w, id);
		wr_be16(&w, (uint16_t)(5 + len));
	}
	wr_u8(&w, type);
	wr_bytes(&w, data, len);
	if (!wr_ok(&w) || !p->cfg.eap_tls->write(p->tls, buf, w.len))
		ppp_set_reason(p, true, 0, "PEAP: cannot write into the tunnel");
}

/* MS-PEAP 2.2.8.1.3: the Crypto-Binding TLV's fields after its 4-byte
 * header (length 56): Reserved, Version, RecvVersion, SubType (0 request,
 * 1 response), a 32-byte Nonce, the 20-byte Compound MAC. */
struct cb_tlv {
	uint16_t type; /* as sent, M bit included: the MAC covers it */
	uint8_t reserved, version, recv_version, subtype;
	uint8_t nonce[32];
	uint8_t mac[20];
};

static bool cb_parse(uint16_t type, struct reader *v, struct cb_tlv *cb)
{
	cb->type = type;
	cb->reserved = rd_u8(v);
	cb->version = rd_u8(v);
	cb->recv_version = rd_u8(v);
	cb->subtype = rd_u8(v);
	rd_bytes(v, cb->nonce, sizeof(cb->nonce));
	rd_bytes(v, cb->mac, sizeof(cb->mac));
	return rd_ok(v) && rd_left(v) == 0;
}

/* The TLV's wire form, header included (what the Compound MAC covers). */
static void cb_write(const struct cb_tlv *cb, uint8_t out[PEAP_CB_TLV_LEN])
{
	struct writer w;
	wr_init(&w, out, PEAP_CB_TLV_LEN);
	wr_be16(&w, cb->type);
	wr_be16(&w, PEAP_CB_TLV_LEN - 4);
	wr_u8(&w, cb->reserved);
	wr_u8(&w, cb->version);
	wr_u8(&w, cb->recv_version);
	wr_u8(&w, cb->subtype);
	wr_bytes(&w, cb->nonce, sizeof(cb->nonce));
	wr_bytes(&w, cb->mac, sizeof(cb->mac));
}

/* MS-PEAP 3.2.5.3: checks the server's cryptobinding request (its fields
 * parsed) and writes our response into out; the CSK's first 32 bytes
 * become the HLAK. False (with the reason set) when it does not verify:
 * a man in the middle between two TLS tunnels, or keys that do not
 * match. */
static bool peap_bind(struct ppp *p, struct cb_tlv *cb, uint8_t out[PEAP_CB_TLV_LEN])
{
	if (cb->version != 0 || cb->recv_version != 0 || cb->subtype != 0) {
		ppp_set_reason(
		    p, true, 0,
		    "PEAP: cryptobinding request of version %u, RecvVersion %u, subtype %u "
		    "(want 0, 0, 0)",
		    cb->version, cb->recv_version, cb->subtype);
		return false;
	}
	uint8_t km[128], isk[32], ipmk[40], cmk[20], mac[20], csk[128], req[PEAP_CB_TLV_LEN];
	bool ok = p->eap_mschap_ok && p->cfg.eap_tls->keys(p->tls, km) &&
		  mschap_client_hlak(p->password, p->nt_resp, isk);
	if (ok) {
		/* TK: the first 60 bytes of Key_Material (3.1.5.5.2.1) */
		peap_cmk(km, isk, ipmk, cmk);
		cb_write(cb, req);
		peap_compound_mac(cmk, req, mac);
		ok = ppp_secret_eq(mac, cb->mac, sizeof(mac));
		if (!ok)
			ppp_set_reason(
			    p, true, 0,
			    "PEAP: the server's cryptobinding does not verify (Compound MAC "
			    "mismatch): the inner and outer authentications did not end at the "
			    "same server");
	} else {
		ppp_set_reason(p, true, 0,
			       "PEAP: cryptobinding before a verified inner EAP-MSCHAPv2");
	}
	if (ok) {
		cb->subtype = 1; /* response; the Nonce stays the server's */
		cb_write(cb, out);
		peap_compound_mac(cmk, out, out + PEAP_CB_TLV_LEN - 20);
		peap_csk(ipmk, csk);
		memcpy(p->peap_hlak, csk, 32);
		p->peap_bound = true;
	}
	secure_wipe(km, sizeof(km));
	secure_wipe(isk, sizeof(isk));
	secure_wipe(ipmk, sizeof(ipmk));
	secure_wipe(cmk, sizeof(cmk));
	secure_wipe(csk, sizeof(csk));
	return ok;
}

/* The Extensions Request: answer its Result TLV with ours, and its
 * cryptobinding request (NPS sends one by default; FreeRADIUS 3.2 none)
 * with our response. A Result of Success only stands when the inner
 * EAP-MSCHAPv2 verified the server and any cryptobinding verified. */
static void peap_extensions(struct ppp *p, uint8_t id, struct reader *d, uint64_t now)
{
	int result = 0;
	struct cb_tlv cb;
	bool have_cb = false;
	while (rd_left(d) > 0) {
		uint16_t t = rd_be16(d), l = rd_be16(d);
		struct reader v;
		if (!rd_ok(d) || !rd_sub(d, l, &v))
			return; /* malformed: no answer; the server times out */
		switch (t & TLV_TYPE_MASK) {
		case TLV_RESULT:
			result = rd_be16(&v);
			break;
		case TLV_CRYPTO_BINDING:
			/* another length: not one we know; as if absent */
			if (l == PEAP_CB_TLV_LEN - 4)
				have_cb = cb_parse(t, &v, &cb);
			break;
		default:
			break;
		}
	}
	bool ok = result == RESULT_SUCCESS && p->eap_mschap_ok;
	uint8_t tlv[6 + PEAP_CB_TLV_LEN];
	size_t n = 6;
	bool tried = ok && have_cb;
	if (tried) {
		ok = peap_bind(p, &cb, tlv + 6);
		n += ok ? PEAP_CB_TLV_LEN : 0;
	}
	be16_put(tlv, TLV_MANDATORY | TLV_RESULT);
	be16_put(tlv + 2, 2);
	be16_put(tlv + 4, ok ? RESULT_SUCCESS : RESULT_FAILURE);
	p->peap_tunnel = true;
	eap_respond(p, id, TYPE_EXTENSIONS, tlv, n);
	p->peap_tunnel = false;
	secure_wipe(tlv, sizeof(tlv));
	secure_wipe(&cb, sizeof(cb));
	if (tried && !ok)
		return; /* peap_bind set the reason */
	if (ok)
		p->peap_result_ok = true;
	else if (result == RESULT_SUCCESS)
		ppp_set_reason(p, true, 0,
			       "PEAP: Result Success without a verified inner EAP-MSCHAPv2");
	else if (!p->eap_fail[0])
		snprintf(p->eap_fail, sizeof(p->eap_fail),
			 "PEAP: the server reported failure (Result TLV)");
	(void)now;
}

/* Tells a whole inner Request (Code, Identifier, Length, Type) from the
 * compressed form (Type + Data): whole only when the Code is Request and
 * its Length is the packet's. */
void peap_inner(struct ppp *p, uint8_t id, const uint8_t *buf, size_t len, uint64_t now)
{
	struct reader d, whole;
	rd_init(&whole, buf, len);
	uint8_t code = rd_u8(&whole), wid = rd_u8(&whole);
	uint16_t wlen = rd_be16(&whole);
	uint8_t type = rd_u8(&whole);
	if (rd_ok(&whole) && code == EAP_REQUEST && wlen == len) {
		p->peap_full = true;
		id = wid;
		d = whole;
	} else {
		rd_init(&d, buf, len);
		type = rd_u8(&d);
		if (!rd_ok(&d))
			return; /* empty: nothing to answer */
	}
	if (type == TYPE_EXTENSIONS) {
		peap_extensions(p, id, &d, now);
		return;
	}
	p->peap_tunnel = true;
	if (type == TYPE_IDENTITY) {
		eap_respond(p, id, TYPE_IDENTITY, (const uint8_t *)p->username,
			    strlen(p->username));
	} else if (type == TYPE_MSCHAPV2) {
		eap_mschapv2_request(p, id, &d, now);
	} else {
		uint8_t want = TYPE_MSCHAPV2; /* the only inner method we speak */
		eap_respond(p, id, TYPE_NAK, &want, 1);
	}
	p->peap_tunnel = false;
}
