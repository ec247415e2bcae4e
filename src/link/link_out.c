/* The link's output: SSTP's packets and the data path's IP packets staged
 * in one buffer and written as whole TLS records; back-pressure when TLS
 * cannot take more (wolfSSL wants the same buffer again on retry).
 *
 * What is staged and not yet written is out[out_start, out_len). A write
 * advances out_start; the tail moves to the front only when room is needed
 * (never while a blocked write of it is pending), and both go back to 0
 * when everything is written, so a write of whole records no longer moves
 * the bytes behind them every time. */
#include <string.h>

#include "core/bytes.h"
#include "link/link_internal.h"
#include "ppp/ppp_frame.h"
#include "tls/tls.h"

static size_t out_pending(const struct link *l)
{
	return l->out_len - l->out_start;
}

/* Room at the end, after moving the tail to the front if that is allowed
 * and there is something before it to reclaim. */
static size_t out_room(struct link *l)
{
	if (l->out_start > 0 && !l->write_blocked) {
		memmove(l->out, l->out + l->out_start, out_pending(l));
		l->out_len -= l->out_start;
		l->out_start = 0;
	}
	return LINK_OUT_CAP - l->out_len;
}

/* Writes what is staged (whole records only if asked) until it is all out
 * or TLS blocks; on a failure the link fails and this returns at once. */
static void write_staged(struct link *l, bool whole_records)
{
	while (l->out_len > 0) {
		size_t pending = out_pending(l);
		size_t wlen = l->write_blocked ? l->out_inflight : l->cfg.dribble ? 1 : pending;
		if (!l->write_blocked && whole_records && !l->cfg.dribble)
			wlen -= wlen % LINK_RECORD;
		if (wlen == 0)
			break;
		ssize_t n = tls_write(l->tls, l->out + l->out_start, wlen);
		if (n == TLS_WANT_WRITE || n == TLS_WANT_READ) {
			l->write_blocked = true;
			l->out_inflight = wlen;
			link_sock_want(l, LOOP_READ | LOOP_WRITE);
			if (l->ops->blocked)
				l->ops->blocked(l->ctx, true);
			return;
		}
		if (n < 0) {
			link_fail(l, "TLS write failed: %s", tls_error(l->tls));
			return;
		}
		l->write_blocked = false;
		if ((size_t)n > wlen)
			n = (ssize_t)wlen;
		l->out_start += (size_t)n;
		if (l->out_start == l->out_len)
			l->out_start = l->out_len = 0;
	}
	if (!l->write_blocked) {
		link_sock_want(l, LOOP_READ);
		if (l->ops->blocked)
			l->ops->blocked(l->ctx, false);
	}
}

void link_flush_staged(struct link *l, bool whole_records)
{
	if (l->handshaking || l->closed)
		return; /* the handshake owns the socket's interest set */
	write_staged(l, whole_records);
}

/* The link is closed: what is staged (a CALL_DISCONNECT_ACK, an abort) may
 * still go out once. */
void link_flush_final(struct link *l)
{
	if (l->handshaking || l->write_blocked || l->out_len == 0 || l->silent)
		return;
	write_staged(l, false);
}

void link_flush(struct link *l)
{
	l->pack_at = UINT64_MAX;
	link_flush_staged(l, false);
}

/* Where buf was staged, or NULL (silent, closed, or the link failed). */
static uint8_t *stage(struct link *l, const uint8_t *buf, size_t len)
{
	if (l->silent || l->closed)
		return NULL;
	if (len > LINK_OUT_CAP - l->out_len && len > out_room(l)) {
		/* Only reachable if the socket has been stuck for 64 KiB of
		 * control traffic: the connection is unusable. */
		link_fail(l, "output buffer overflow (%s not reading)", l->cfg.peer_word);
		return NULL;
	}
	uint8_t *d = l->out + l->out_len;
	memcpy(d, buf, len);
	l->out_len += len;
	return d;
}

void link_stage(struct link *l, const uint8_t *buf, size_t len)
{
	stage(l, buf, len);
}

/* One call per SSTP packet (or the HTTP request or reply before them). */
void link_sstp_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct link *l = ctx;
	uint8_t *at = stage(l, buf, len);
	if (l->ops->staged && at)
		l->ops->staged(l->ctx, at, len);
}

uint8_t *link_data_buf(struct link *l, size_t max)
{
	if (l->closed || l->silent || l->ending || l->handshaking)
		return NULL;
	size_t need = LINK_DATA_HDR + max;
	if (LINK_OUT_CAP - l->out_len < need && out_room(l) < need) {
		link_flush_staged(l, true);
		if (l->write_blocked || out_room(l) < need)
			return NULL;
	}
	return l->out + l->out_len + LINK_DATA_HDR;
}

void link_data_commit(struct link *l, uint16_t proto, size_t len)
{
	uint8_t *hdr = l->out + l->out_len;
	sstp_data_header(hdr, len + PPP_HDR_LEN);
	ppp_frame_put(hdr + SSTP_HDR_LEN, proto);
	if (l->ops->staged)
		l->ops->staged(l->ctx, hdr, LINK_DATA_HDR + len);
	l->out_len += LINK_DATA_HDR + len;
	if (out_pending(l) >= LINK_RECORD && !l->cfg.pack_ms)
		link_flush_staged(l, true);
}
