/* EAP-TLS / PEAP fragmentation and reassembly; see eaptls_frag.h. */
#include "ppp/eaptls_frag.h"

#include <stdio.h>
#include <string.h>

void eaptls_rx_reset(struct eaptls_rx *rx)
{
	rx->len = 0;
	rx->total = 0;
	rx->frags = 0;
	rx->active = false;
}

enum eaptls_rx_result eaptls_rx_packet(struct eaptls_rx *rx, struct reader *d, uint8_t *flags,
				       char *err, size_t errlen)
{
	uint8_t f = rd_u8(d);
	*flags = f;
	if (!rd_ok(d)) {
		snprintf(err, errlen, "EAP-TLS: packet without its Flags octet");
		return EAPTLS_RX_ERROR;
	}
	if (!rx->active && rx->len) /* the last call delivered a whole message */
		eaptls_rx_reset(rx);
	uint32_t total = 0;
	if (f & EAPTLS_FLAG_L) {
		total = rd_be32(d);
		if (!rd_ok(d)) {
			snprintf(err, errlen,
				 "EAP-TLS: L flag without the 4-byte TLS Message Length");
			return EAPTLS_RX_ERROR;
		}
		if (total > EAPTLS_MSG_MAX) {
			snprintf(err, errlen,
				 "EAP-TLS: TLS message of %u bytes announced (at most %d)",
				 (unsigned)total, EAPTLS_MSG_MAX);
			return EAPTLS_RX_ERROR;
		}
		/* RFC 5216 3.1: the length is in the first fragment; a later
		 * repeat must agree with it. */
		if (rx->active && rx->total && total != rx->total) {
			snprintf(err, errlen,
				 "EAP-TLS: TLS Message Length changed from %zu to %u mid-message",
				 rx->total, (unsigned)total);
			return EAPTLS_RX_ERROR;
		}
	}
	size_t n = rd_left(d);
	if (n == 0 && !(f & EAPTLS_FLAG_M) && !rx->active)
		return EAPTLS_RX_EMPTY;
	if (n == 0 && (f & EAPTLS_FLAG_M)) {
		snprintf(err, errlen, "EAP-TLS: empty fragment with the M flag (no progress)");
		return EAPTLS_RX_ERROR;
	}
	if (!rx->active) {
		rx->active = true;
		rx->total = total;
	}
	if (++rx->frags > EAPTLS_FRAGS_MAX) {
		snprintf(err, errlen, "EAP-TLS: more than %d fragments in one TLS message",
			 EAPTLS_FRAGS_MAX);
		return EAPTLS_RX_ERROR;
	}
	size_t limit = rx->total ? rx->total : EAPTLS_MSG_MAX;
	if (n > limit - rx->len) {
		snprintf(err, errlen, "EAP-TLS: fragments exceed the %s of %zu bytes",
			 rx->total ? "announced TLS Message Length" : "limit", limit);
		return EAPTLS_RX_ERROR;
	}
	memcpy(rx->buf + rx->len, rd_take(d, n), n);
	rx->len += n;
	if (f & EAPTLS_FLAG_M)
		return EAPTLS_RX_MORE;
	if (rx->total && rx->len != rx->total) {
		snprintf(err, errlen, "EAP-TLS: message ended after %zu of %zu announced bytes",
			 rx->len, rx->total);
		return EAPTLS_RX_ERROR;
	}
	rx->active = false;
	return EAPTLS_RX_DONE;
}

size_t eaptls_tx_fragment(const uint8_t *msg, size_t total, size_t *off, size_t frag_max,
			  uint8_t flags_extra, uint8_t *out, size_t cap)
{
	struct writer w;
	wr_init(&w, out, cap);
	size_t left = total - *off, n = left > frag_max ? frag_max : left;
	bool first = *off == 0, more = n < left;
	/* The length goes into the first fragment of a fragmented message
	 * only (RFC 5216 3.1 allows it always; some peers count on this). */
	uint8_t f = flags_extra;
	if (first && more)
		f |= EAPTLS_FLAG_L;
	if (more)
		f |= EAPTLS_FLAG_M;
	wr_u8(&w, f);
	if (f & EAPTLS_FLAG_L)
		wr_be32(&w, (uint32_t)total);
	wr_bytes(&w, msg + *off, n);
	if (!wr_ok(&w))
		return 0;
	*off += n;
	return w.len;
}
