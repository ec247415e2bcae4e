/* RADIUS packets for the EAP relay; see radius.h. */
#include "ppp/radius.h"

#include <stdio.h>
#include <string.h>

#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/md5.h>

#include "core/bytes.h"
#include "core/secret.h"

enum {
	ATTR_USER_NAME = 1,
	ATTR_SERVICE_TYPE = 6,
	ATTR_FRAMED_PROTOCOL = 7,
	ATTR_VENDOR = 26,
	ATTR_NAS_ID = 32,
	ATTR_STATE = 24,
	ATTR_NAS_PORT_TYPE = 61,
	ATTR_EAP_MESSAGE = 79,
	ATTR_MESSAGE_AUTH = 80
};
#define VENDOR_MICROSOFT 311
enum { MS_MPPE_SEND_KEY = 16, MS_MPPE_RECV_KEY = 17 };

static void put_attr(struct writer *w, uint8_t type, const void *v, size_t len)
{
	if (len > 253) {
		w->err = true;
		return;
	}
	wr_u8(w, type);
	wr_u8(w, (uint8_t)(2 + len));
	wr_bytes(w, v, len);
}

static void put_u32_attr(struct writer *w, uint8_t type, uint32_t v)
{
	uint8_t b[4];
	be32_put(b, v);
	put_attr(w, type, b, 4);
}

static bool hmac_md5(const char *secret, const uint8_t *data, size_t len, uint8_t out[16])
{
	Hmac h;
	bool ok = wc_HmacInit(&h, NULL, INVALID_DEVID) == 0 &&
		  wc_HmacSetKey(&h, WC_MD5, (const byte *)secret, (word32)strlen(secret)) == 0 &&
		  wc_HmacUpdate(&h, data, (word32)len) == 0 && wc_HmacFinal(&h, out) == 0;
	wc_HmacFree(&h);
	return ok;
}

size_t radius_access_request(const struct radius_request *rq, const char *secret, uint8_t *out,
			     size_t cap)
{
	struct writer w;
	if (cap > RADIUS_MAX)
		cap = RADIUS_MAX;
	wr_init(&w, out, cap);
	wr_u8(&w, RADIUS_ACCESS_REQUEST);
	wr_u8(&w, rq->id);
	wr_be16(&w, 0); /* length, below */
	wr_bytes(&w, rq->authenticator, 16);
	put_attr(&w, ATTR_USER_NAME, rq->user, strlen(rq->user));
	put_u32_attr(&w, ATTR_SERVICE_TYPE, 2);	   /* Framed */
	put_u32_attr(&w, ATTR_FRAMED_PROTOCOL, 1); /* PPP */
	put_u32_attr(&w, ATTR_NAS_PORT_TYPE, 5);   /* Virtual: a VPN tunnel */
	if (rq->nas_id)
		put_attr(&w, ATTR_NAS_ID, rq->nas_id, strlen(rq->nas_id));
	if (rq->state_len)
		put_attr(&w, ATTR_STATE, rq->state, rq->state_len);
	/* RFC 3579 3.1: EAP split over as many attributes as needed */
	for (size_t off = 0; off < rq->eap_len;) {
		size_t n = rq->eap_len - off > 253 ? 253 : rq->eap_len - off;
		put_attr(&w, ATTR_EAP_MESSAGE, rq->eap + off, n);
		off += n;
	}
	/* RFC 3579 3.2: HMAC-MD5 over the packet with this value zeroed */
	size_t ma = w.len + 2;
	static const uint8_t zero[16];
	put_attr(&w, ATTR_MESSAGE_AUTH, zero, 16);
	if (!wr_ok(&w) || rq->eap_len == 0)
		return 0;
	be16_put(out + 2, (uint16_t)w.len);
	if (!hmac_md5(secret, out, w.len, out + ma))
		return 0;
	return w.len;
}

bool radius_mppe_decrypt(const uint8_t *val, size_t len, const char *secret,
			 const uint8_t req_auth[16], uint8_t *key, size_t cap, size_t *key_len)
{
	/* Salt (2, high bit set), then a multiple of 16 bytes */
	if (len < 2 + 16 || (len - 2) % 16 != 0 || !(val[0] & 0x80) || len - 2 > 256)
		return false;
	uint8_t plain[256], b[16];
	size_t n = len - 2;
	wc_Md5 md5;
	for (size_t i = 0; i < n; i += 16) {
		wc_InitMd5(&md5);
		wc_Md5Update(&md5, (const byte *)secret, (word32)strlen(secret));
		if (i == 0) {
			wc_Md5Update(&md5, req_auth, 16);
			wc_Md5Update(&md5, val, 2);
		} else {
			wc_Md5Update(&md5, val + 2 + i - 16, 16);
		}
		wc_Md5Final(&md5, b);
		for (size_t k = 0; k < 16; k++)
			plain[i + k] = val[2 + i + k] ^ b[k];
	}
	wc_Md5Free(&md5);
	size_t klen = plain[0];
	bool ok = klen > 0 && klen <= n - 1 && klen <= cap;
	if (ok) {
		memcpy(key, plain + 1, klen);
		*key_len = klen;
	}
	secure_wipe(plain, sizeof(plain));
	secure_wipe(b, sizeof(b));
	return ok;
}

/* Vendor-Specific: Microsoft's MPPE keys; other vendors are skipped. */
static bool parse_vendor(struct reader *v, const char *secret, const uint8_t req_auth[16],
			 struct radius_reply *out, char *err, size_t errlen)
{
	uint32_t vendor = rd_be32(v);
	if (!rd_ok(v) || vendor != VENDOR_MICROSOFT)
		return true;
	while (rd_left(v) > 0) {
		uint8_t type = rd_u8(v), len = rd_u8(v);
		struct reader s;
		if (!rd_ok(v) || len < 2 || !rd_sub(v, (size_t)len - 2, &s)) {
			snprintf(err, errlen, "RADIUS: malformed Microsoft vendor attribute");
			return false;
		}
		uint8_t *key = type == MS_MPPE_SEND_KEY	  ? out->send_key
			       : type == MS_MPPE_RECV_KEY ? out->recv_key
							  : NULL;
		size_t *klen = type == MS_MPPE_SEND_KEY ? &out->send_key_len : &out->recv_key_len;
		if (key && !radius_mppe_decrypt(rd_ptr(&s), rd_left(&s), secret, req_auth, key,
						RADIUS_MPPE_KEY_MAX, klen)) {
			snprintf(err, errlen,
				 "RADIUS: cannot decrypt MS-MPPE-%s-Key (wrong secret?)",
				 type == MS_MPPE_SEND_KEY ? "Send" : "Recv");
			return false;
		}
	}
	return true;
}

/* Response Authenticator (RFC 2865 3) and Message-Authenticator (RFC 3579
 * 3.2), both over the reply with the Request Authenticator in place. */
static bool check_authenticators(const uint8_t *pkt, size_t len, size_t ma_off, const char *secret,
				 const uint8_t req_auth[16], char *err, size_t errlen)
{
	uint8_t copy[RADIUS_MAX], d[16];
	memcpy(copy, pkt, len);
	memcpy(copy + 4, req_auth, 16);
	wc_Md5 md5;
	wc_InitMd5(&md5);
	wc_Md5Update(&md5, copy, (word32)len);
	wc_Md5Update(&md5, (const byte *)secret, (word32)strlen(secret));
	wc_Md5Final(&md5, d);
	wc_Md5Free(&md5);
	if (memcmp(d, pkt + 4, 16) != 0) {
		snprintf(err, errlen, "RADIUS: bad Response Authenticator (wrong shared secret?)");
		return false;
	}
	memset(copy + ma_off, 0, 16);
	if (!hmac_md5(secret, copy, len, d) || memcmp(d, pkt + ma_off, 16) != 0) {
		snprintf(err, errlen, "RADIUS: bad Message-Authenticator");
		return false;
	}
	return true;
}

bool radius_parse_reply(const uint8_t *pkt, size_t len, const struct radius_request *rq,
			const char *secret, struct radius_reply *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct reader r;
	rd_init(&r, pkt, len);
	uint8_t code = rd_u8(&r), id = rd_u8(&r);
	uint16_t plen = rd_be16(&r);
	const uint8_t *auth = rd_take(&r, 16);
	if (!auth || plen < 20 || plen > len || plen > RADIUS_MAX) {
		snprintf(err, errlen, "RADIUS: reply of %zu bytes is malformed (length field %u)",
			 len, plen);
		return false;
	}
	rd_init(&r, pkt + 20, (size_t)plen - 20); /* bytes past Length are padding (RFC 2865 3) */
	if (id != rq->id) {
		snprintf(err, errlen, "RADIUS: reply for id %u, waiting for %u", id, rq->id);
		return false;
	}
	if (code != RADIUS_ACCESS_ACCEPT && code != RADIUS_ACCESS_REJECT &&
	    code != RADIUS_ACCESS_CHALLENGE) {
		snprintf(err, errlen, "RADIUS: unexpected code %u", code);
		return false;
	}
	out->code = code;
	size_t ma_off = 0;
	while (rd_left(&r) > 0) {
		size_t at = 20 + r.off;
		uint8_t type = rd_u8(&r), alen = rd_u8(&r);
		struct reader v;
		if (!rd_ok(&r) || alen < 2 || !rd_sub(&r, (size_t)alen - 2, &v)) {
			snprintf(err, errlen, "RADIUS: attribute %u at offset %zu is malformed",
				 type, at);
			return false;
		}
		size_t vlen = rd_left(&v);
		if (type == ATTR_EAP_MESSAGE) {
			if (vlen > sizeof(out->eap) - out->eap_len) {
				snprintf(err, errlen, "RADIUS: EAP-Message longer than %d bytes",
					 RADIUS_EAP_MAX);
				return false;
			}
			memcpy(out->eap + out->eap_len, rd_ptr(&v), vlen);
			out->eap_len += vlen;
		} else if (type == ATTR_STATE) {
			if (vlen > sizeof(out->state)) {
				snprintf(err, errlen, "RADIUS: State longer than %zu bytes",
					 sizeof(out->state));
				return false;
			}
			memcpy(out->state, rd_ptr(&v), vlen);
			out->state_len = vlen;
		} else if (type == ATTR_MESSAGE_AUTH) {
			if (vlen != 16) {
				snprintf(err, errlen, "RADIUS: Message-Authenticator of %zu bytes",
					 vlen);
				return false;
			}
			ma_off = at + 2;
		}
	}
	/* RFC 3579 3.2: a reply carrying EAP must have it; we want it always */
	if (!ma_off) {
		snprintf(err, errlen, "RADIUS: reply without Message-Authenticator");
		return false;
	}
	if (!check_authenticators(pkt, plen, ma_off, secret, rq->authenticator, err, errlen))
		return false;
	/* keys only once the packet is known to be genuine */
	rd_init(&r, pkt + 20, (size_t)plen - 20);
	while (rd_left(&r) > 0) {
		uint8_t type = rd_u8(&r), alen = rd_u8(&r);
		struct reader v;
		/* the first pass checked these bytes; stop rather than trust it */
		if (!rd_ok(&r) || alen < 2 || !rd_sub(&r, (size_t)alen - 2, &v))
			break;
		if (type == ATTR_VENDOR &&
		    !parse_vendor(&v, secret, rq->authenticator, out, err, errlen))
			return false;
	}
	if (code != RADIUS_ACCESS_REJECT && out->eap_len < 4) {
		snprintf(err, errlen, "RADIUS: %s without an EAP-Message",
			 code == RADIUS_ACCESS_ACCEPT ? "Access-Accept" : "Access-Challenge");
		return false;
	}
	return true;
}

void radius_hlak(const struct radius_reply *r, uint8_t hlak[32])
{
	uint8_t both[2 * RADIUS_MPPE_KEY_MAX];
	memcpy(both, r->recv_key, r->recv_key_len);
	memcpy(both + r->recv_key_len, r->send_key, r->send_key_len);
	size_t n = r->recv_key_len + r->send_key_len;
	memset(hlak, 0, 32);
	memcpy(hlak, both, n < 32 ? n : 32);
	secure_wipe(both, sizeof(both));
}
