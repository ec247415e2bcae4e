/* SSTP framing and control messages (MS-SSTP 2.2). */
#include "sstp/sstp_wire.h"

#include "core/bytes.h"

#include <string.h>

ssize_t sstp_packet_len(const uint8_t *buf, size_t avail)
{
	if (avail < SSTP_HDR_LEN)
		return 0;
	if (buf[0] != SSTP_VERSION)
		return -1;
	/* The upper nibble is R (reserved): ignored on receipt (2.2.1). */
	uint16_t lf = be16_get(buf + 2) & SSTP_LEN_MASK;
	if (lf < SSTP_HDR_LEN)
		return -1;
	return lf;
}

const char *sstp_status_name(uint32_t status)
{
	static const char *const names[] = {
	    "NO_ERROR",
	    "DUPLICATE_ATTRIBUTE",
	    "UNRECOGNIZED_ATTRIBUTE",
	    "INVALID_ATTRIB_VALUE_LENGTH",
	    "VALUE_NOT_SUPPORTED",
	    "UNACCEPTED_FRAME_RECEIVED",
	    "RETRY_COUNT_EXCEEDED",
	    "INVALID_FRAME_RECEIVED",
	    "NEGOTIATION_TIMEOUT",
	    "ATTRIB_NOT_SUPPORTED_IN_MSG",
	    "REQUIRED_ATTRIBUTE_MISSING",
	    "STATUS_INFO_NOT_SUPPORTED_IN_MSG",
	};
	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown status";
}

const char *sstp_msg_name(uint16_t type)
{
	static const char *const names[] = {
	    "?",
	    "CALL_CONNECT_REQUEST",
	    "CALL_CONNECT_ACK",
	    "CALL_CONNECT_NAK",
	    "CALL_CONNECTED",
	    "CALL_ABORT",
	    "CALL_DISCONNECT",
	    "CALL_DISCONNECT_ACK",
	    "ECHO_REQUEST",
	    "ECHO_RESPONSE",
	};
	return type >= 1 && type < sizeof(names) / sizeof(names[0]) ? names[type]
								    : "unknown message";
}

bool sstp_ctrl_parse(const uint8_t *pkt, size_t len, struct sstp_ctrl *c, const char **why)
{
	struct reader r;
	memset(c, 0, sizeof(*c));
	*why = NULL;
	ssize_t plen = sstp_packet_len(pkt, len);
	if (plen <= 0) {
		*why = plen == 0 ? "truncated header" : "bad version or length field";
		return false;
	}
	if ((size_t)plen != len) {
		*why = "length field disagrees with packet size";
		return false;
	}
	if (!sstp_is_control(pkt)) {
		*why = "not a control packet";
		return false;
	}
	rd_init(&r, pkt + SSTP_HDR_LEN, len - SSTP_HDR_LEN);
	c->type = rd_be16(&r);
	uint16_t nattr = rd_be16(&r);
	if (!rd_ok(&r)) {
		*why = "control header truncated";
		return false;
	}
	if (nattr > SSTP_MAX_ATTRS) {
		*why = "too many attributes";
		return false;
	}
	for (unsigned i = 0; i < nattr; i++) {
		rd_u8(&r); /* reserved: ignored on receipt (2.2.3) */
		uint8_t id = rd_u8(&r);
		uint16_t alen = rd_be16(&r) & SSTP_LEN_MASK; /* R bits ignored too */
		if (!rd_ok(&r)) {
			*why = "attribute count exceeds packet";
			return false;
		}
		if (alen < 4) {
			*why = "attribute length shorter than its header";
			return false;
		}
		const uint8_t *val = rd_take(&r, alen - 4u);
		if (!val) {
			*why = "attribute overruns packet";
			return false;
		}
		c->attr[i].id = id;
		c->attr[i].len = (uint16_t)(alen - 4u);
		c->attr[i].val = val;
	}
	if (rd_left(&r) != 0) {
		*why = "bytes after the last attribute";
		return false;
	}
	c->nattr = nattr;
	return true;
}

const struct sstp_attr *sstp_ctrl_find(const struct sstp_ctrl *c, uint8_t id)
{
	for (unsigned i = 0; i < c->nattr; i++)
		if (c->attr[i].id == id)
			return &c->attr[i];
	return NULL;
}

bool sstp_status_parse(const struct sstp_attr *a, struct sstp_status *st)
{
	struct reader r;
	memset(st, 0, sizeof(*st));
	if (a->id != SSTP_ATTR_STATUS_INFO)
		return false;
	rd_init(&r, a->val, a->len);
	rd_skip(&r, 3);
	st->attrib_id = rd_u8(&r);
	st->status = rd_be32(&r);
	if (!rd_ok(&r))
		return false;
	st->val_len = rd_left(&r);
	if (st->val_len > SSTP_STATUS_VALUE_MAX)
		st->val_len = SSTP_STATUS_VALUE_MAX;
	st->val = rd_ptr(&r);
	return true;
}

size_t sstp_build_ctrl(uint8_t *out, size_t cap, uint16_t type, const struct sstp_attr *attrs,
		       unsigned nattr)
{
	struct writer w;
	wr_init(&w, out, cap < SSTP_MAX_PACKET ? cap : SSTP_MAX_PACKET);
	wr_u8(&w, SSTP_VERSION);
	wr_u8(&w, 0x01);
	wr_be16(&w, 0); /* patched below */
	wr_be16(&w, type);
	wr_be16(&w, (uint16_t)nattr);
	for (unsigned i = 0; i < nattr; i++) {
		if (attrs[i].len > SSTP_MAX_PACKET) {
			w.err = true;
			break;
		}
		wr_u8(&w, 0);
		wr_u8(&w, attrs[i].id);
		wr_be16(&w, (uint16_t)(attrs[i].len + 4u));
		wr_bytes(&w, attrs[i].val, attrs[i].len);
	}
	if (!wr_ok(&w))
		return 0;
	wr_patch_be16(&w, 2, (uint16_t)w.len);
	return w.len;
}

size_t sstp_build_connect_request(uint8_t *out, size_t cap)
{
	const uint8_t proto[2] = {0, SSTP_PROTOCOL_PPP};
	struct sstp_attr a = {SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID, sizeof(proto), proto};
	return sstp_build_ctrl(out, cap, SSTP_MSG_CALL_CONNECT_REQUEST, &a, 1);
}

size_t sstp_build_connect_ack(uint8_t *out, size_t cap, uint8_t hash_bitmask,
			      const uint8_t nonce[SSTP_NONCE_LEN])
{
	uint8_t v[4 + SSTP_NONCE_LEN] = {0, 0, 0, hash_bitmask};
	memcpy(v + 4, nonce, SSTP_NONCE_LEN);
	struct sstp_attr a = {SSTP_ATTR_CRYPTO_BINDING_REQ, sizeof(v), v};
	return sstp_build_ctrl(out, cap, SSTP_MSG_CALL_CONNECT_ACK, &a, 1);
}

static size_t build_with_status(uint8_t *out, size_t cap, uint16_t type, uint8_t attrib_id,
				uint32_t status, const uint8_t *val, size_t val_len)
{
	uint8_t v[8 + SSTP_STATUS_VALUE_MAX] = {0, 0, 0, attrib_id};
	be32_put(v + 4, status);
	if (val_len > SSTP_STATUS_VALUE_MAX)
		val_len = SSTP_STATUS_VALUE_MAX; /* MS-SSTP 2.2.8: first 64 bytes only */
	if (val_len)
		memcpy(v + 8, val, val_len);
	struct sstp_attr a = {SSTP_ATTR_STATUS_INFO, (uint16_t)(8 + val_len), v};
	return sstp_build_ctrl(out, cap, type, &a, 1);
}

size_t sstp_build_connect_nak(uint8_t *out, size_t cap, uint8_t attrib_id, uint32_t status,
			      const uint8_t *val, size_t val_len)
{
	return build_with_status(out, cap, SSTP_MSG_CALL_CONNECT_NAK, attrib_id, status, val,
				 val_len);
}

size_t sstp_build_status_msg(uint8_t *out, size_t cap, uint16_t type, bool with_status,
			     uint8_t attrib_id, uint32_t status)
{
	if (!with_status)
		return sstp_build_ctrl(out, cap, type, NULL, 0);
	return build_with_status(out, cap, type, attrib_id, status, NULL, 0);
}

size_t sstp_build_simple(uint8_t *out, size_t cap, uint16_t type)
{
	return sstp_build_ctrl(out, cap, type, NULL, 0);
}
