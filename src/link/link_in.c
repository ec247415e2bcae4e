/* The link's input: TLS records read into one buffer, cut into SSTP
 * packets in place; IP frames of a negotiated protocol go to the owner's
 * fast path, every other frame to PPP. */
#include <stdio.h>
#include <string.h>

#include "core/bytes.h"
#include "core/log.h"
#include "link/link_internal.h"
#include "ppp/ppp_frame.h"
#include "tls/tls.h"

/* "LCP Configure-Request id 1, 14 bytes" style trace of control frames. */
static void trace_frame(const char *dir, const uint8_t *f, size_t len)
{
	uint16_t proto;
	size_t hl;
	if (log_get_level() < LOG_LVL_DEBUG || len < 6 || !(hl = ppp_frame_parse(f, len, &proto)))
		return;
	size_t off = (f[0] == 0xff && f[1] == 0x03) ? 2 : 0;
	if ((proto == PPP_PROTO_PAP || proto == PPP_PROTO_CHAP || proto == PPP_PROTO_EAP) &&
	    len - hl >= 4) {
		/* PAP carries the password, MS-CHAP material that allows an offline
		 * attack on it: code, id and length only */
		log_debug("%s %04x code %u id %u length %zu", dir, proto, f[hl], f[hl + 1],
			  len - hl);
		return;
	}
	char hex[2 * 48 + 1];
	size_t n = len - off < 48 ? len - off : 48;
	hex_encode(hex, f + off, n);
	log_debug("%s %s%s", dir, hex, len - off > 48 ? "..." : "");
}

uint16_t link_ip_proto(const struct link *l, unsigned version)
{
	if (version == 4 && l->ipcp_up)
		return PPP_PROTO_IP;
	if (version == 6 && l->ipv6cp_up)
		return PPP_PROTO_IPV6;
	return 0;
}

/* One PPP frame out of an SSTP data packet. */
void link_sstp_frame(void *ctx, const uint8_t *frame, size_t len)
{
	struct link *l = ctx;
	/* frame points into l->in, which we own and may rewrite in place. */
	uint8_t *f = l->in + (frame - l->in);
	uint16_t proto;
	size_t hl = ppp_frame_parse(f, len, &proto);
	if (!hl) { /* ends inside the protocol field */
		l->drops++;
		return;
	}
	if (proto == PPP_PROTO_IP || proto == PPP_PROTO_IPV6) {
		uint8_t *pkt = f + hl;
		size_t plen = len - hl;
		/* A TUN (IFF_NO_PI) goes by the version nibble: it must
		 * match the protocol that was negotiated. */
		if (plen && link_ip_proto(l, pkt[0] >> 4) == proto)
			l->ops->data(l->ctx, pkt, plen);
		else
			l->drops++;
		return;
	}
	trace_frame("ppp <", frame, len);
	if (l->ops->ctrl_in && l->ops->ctrl_in(l->ctx, frame, len))
		return;
	if (l->ppp)
		ppp_input(l->ppp, frame, len, loop_now(l->loop));
}

/* PPP's output: control frames, through SSTP. */
void link_ppp_output(void *ctx, const uint8_t *frame, size_t len)
{
	struct link *l = ctx;
	trace_frame("ppp >", frame, len);
	if (!l->sstp || l->closed || l->silent)
		return;
	uint8_t altered[64];
	if (l->ops->ctrl_out)
		l->ops->ctrl_out(l->ctx, &frame, &len, altered, sizeof(altered));
	sstp_send_ppp(l->sstp, frame, len);
}

static void peer_closed(struct link *l, ssize_t n)
{
	char why[200];
	if (n == 0)
		snprintf(why, sizeof(why), "the %s closed the connection (%s)", l->cfg.peer_word,
			 tls_close_notify_received(l->tls) ? "TLS close_notify received"
							   : "without TLS close_notify");
	else
		snprintf(why, sizeof(why), "TLS read failed: %s", tls_error(l->tls));
	/* Ends a disconnect or abort exchange the way it should. */
	if (l->sstp)
		sstp_lower_closed(l->sstp, why, loop_now(l->loop));
	link_fail(l, "%s", why);
}

static void read_batch(struct link *l)
{
	l->read_again = false;
	for (int i = 0; !l->closed; i++) {
		if (i == LINK_READ_BUDGET) {
			/* Give the other direction its turn. What wolfSSL already
			 * holds will not wake epoll again: the timer comes back
			 * at once. */
			l->read_again = tls_pending(l->tls);
			return;
		}
		ssize_t n = tls_read(l->tls, l->in + l->in_len, LINK_IN_CAP - l->in_len);
		if (n == TLS_WANT_READ)
			return;
		if (n == TLS_WANT_WRITE) {
			link_sock_want(l, LOOP_READ | LOOP_WRITE);
			return;
		}
		if (n <= 0) {
			peer_closed(l, n);
			return;
		}
		uint64_t now = loop_now(l->loop);
		l->last_rx = now;
		if (l->silent)
			continue; /* fault silent: read and discard */
		l->in_len += (size_t)n;
		size_t used = sstp_input(l->sstp, l->in, l->in_len, now);
		/* Only complete SSTP packets count as life (see sstp_input). */
		if (l->ppp && used > 0)
			ppp_saw_traffic(l->ppp, now);
		if (used > l->in_len)
			used = l->in_len;
		if (used > 0) { /* nothing whole yet: nothing to move */
			memmove(l->in, l->in + used, l->in_len - used);
			l->in_len -= used;
		}
		if (l->in_len == LINK_IN_CAP) {
			link_fail(l, "SSTP stream out of sync");
			return;
		}
	}
}

void link_read_stream(struct link *l)
{
	if (!l->sstp)
		return;
	read_batch(l);
	if (l->ops->rx_batch_end)
		l->ops->rx_batch_end(l->ctx);
}
