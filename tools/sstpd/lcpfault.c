/* sstpd: LCP fault modes done at the boundary between the PPP layer and
 * SSTP, since ppp.h has no LCP fault hooks.
 *
 * nak-lcp-forever: every Configure-Request of the client is answered here
 * with a Configure-Nak of its MRU (alternating suggestions), so LCP never
 * converges; the PPP layer never sees the client's requests.
 *
 * rras-lcp: our Configure-Request gets what Windows RRAS sends on top of
 * MRU 4091, AUTH EAP and MAGIC (which the PPP layer already sends when
 * configured so): CALLBACK, MRRU 1614 and ENDPOINT-DISCRIMINATOR. The
 * client's Ack of that request is turned back into an Ack of what the PPP
 * layer sent; a Reject or Nak of the added options is taken out of the
 * reply (and those options are not sent again). */
#include <string.h>

#include "core/bytes.h"
#include "ppp/ppp.h"
#include "sstp/sstp.h"
#include "sstpd.h"

#define LCP_CONFREQ 1
#define LCP_CONFACK 2
#define LCP_CONFNAK 3
#define LCP_CONFREJ 4
#define LCP_OPT_MRU 1
#define LCP_OPT_CALLBACK 13
#define LCP_OPT_MRRU 17
#define LCP_OPT_ENDPOINT_DISC 19

enum { INJ_CALLBACK = 1, INJ_MRRU = 2, INJ_ENDPOINT = 4 };

static unsigned injected_bit(uint8_t type)
{
	switch (type) {
	case LCP_OPT_CALLBACK: return INJ_CALLBACK;
	case LCP_OPT_MRRU: return INJ_MRRU;
	case LCP_OPT_ENDPOINT_DISC: return INJ_ENDPOINT;
	default: return 0;
	}
}

struct lcp_pkt {
	uint8_t code, id;
	const uint8_t *opts;
	size_t opts_len;
};

/* Frame → LCP packet; false for anything that is not a well-formed LCP
 * packet (those pass through untouched). */
static bool lcp_parse(const uint8_t *frame, size_t len, struct lcp_pkt *p)
{
	struct reader r;
	rd_init(&r, frame, len);
	if (len >= 2 && frame[0] == 0xff && frame[1] == 0x03)
		rd_skip(&r, 2);
	if (rd_be16(&r) != PPP_PROTO_LCP)
		return false;
	p->code = rd_u8(&r);
	p->id = rd_u8(&r);
	uint16_t plen = rd_be16(&r);
	if (!rd_ok(&r) || plen < 4 || (size_t)plen - 4 > rd_left(&r))
		return false;
	p->opts = rd_ptr(&r);
	p->opts_len = plen - 4u;
	/* every option length must cover its own header */
	struct reader o;
	rd_init(&o, p->opts, p->opts_len);
	while (rd_left(&o) > 0) {
		rd_u8(&o);
		uint8_t ol = rd_u8(&o);
		if (!rd_ok(&o) || ol < 2 || !rd_skip(&o, ol - 2u))
			return false;
	}
	return true;
}

static void lcp_begin(struct writer *w, uint8_t code, uint8_t id)
{
	wr_u8(w, 0xff);
	wr_u8(w, 0x03);
	wr_be16(w, PPP_PROTO_LCP);
	wr_u8(w, code);
	wr_u8(w, id);
	wr_be16(w, 0); /* patched by lcp_end */
}

static size_t lcp_end(struct writer *w)
{
	if (!wr_ok(w) || w->len - 4 > 0xffff)
		return 0;
	wr_patch_be16(w, 6, (uint16_t)(w->len - 4));
	return w->len;
}

static void add_injected(struct writer *w, unsigned dropped)
{
	if (!(dropped & INJ_CALLBACK)) {
		/* operation 6: location determined during CBCP negotiation */
		wr_u8(w, LCP_OPT_CALLBACK);
		wr_u8(w, 3);
		wr_u8(w, 6);
	}
	if (!(dropped & INJ_MRRU)) {
		wr_u8(w, LCP_OPT_MRRU);
		wr_u8(w, 4);
		wr_be16(w, 1614);
	}
	if (!(dropped & INJ_ENDPOINT)) {
		/* class 1 (locally assigned), 16 bytes like RRAS's GUID-ish value */
		static const uint8_t ed[16] = { 0x8d, 0x2c, 0x51, 0x3f, 0x09, 0x7a, 0x4e, 0x1b,
						0xa4, 0x66, 0x30, 0x5e, 0xc2, 0x11, 0x9f, 0x07 };
		wr_u8(w, LCP_OPT_ENDPOINT_DISC);
		wr_u8(w, 3 + sizeof(ed));
		wr_u8(w, 1);
		wr_bytes(w, ed, sizeof(ed));
	}
}

static size_t build_rras_request(struct lcpfault *lf, uint8_t *out, size_t cap)
{
	struct writer w;
	wr_init(&w, out, cap);
	lcp_begin(&w, LCP_CONFREQ, lf->sent_id);
	wr_bytes(&w, lf->orig, lf->orig_len);
	add_injected(&w, lf->dropped);
	return lcp_end(&w);
}

size_t lcpfault_out(struct lcpfault *lf, const uint8_t *frame, size_t len, uint8_t *out, size_t cap)
{
	struct lcp_pkt p;
	if ((lf->mode & FAULT_RRAS_LCP) && lcp_parse(frame, len, &p) && p.code == LCP_CONFREQ &&
	    p.opts_len <= sizeof(lf->orig)) {
		memcpy(lf->orig, p.opts, p.opts_len);
		lf->orig_len = p.opts_len;
		lf->sent_id = p.id;
		lf->have_sent = true;
		size_t n = build_rras_request(lf, out, cap);
		if (n)
			return n;
	}
	if (len > cap)
		return 0;
	memcpy(out, frame, len);
	return len;
}

static size_t nak_forever(struct lcpfault *lf, const struct lcp_pkt *p, uint8_t *reply, size_t *reply_len)
{
	struct writer w;
	wr_init(&w, reply, SSTP_MAX_PPP);
	lcp_begin(&w, LCP_CONFNAK, p->id);
	wr_u8(&w, LCP_OPT_MRU);
	wr_u8(&w, 4);
	wr_be16(&w, (lf->naks++ & 1) ? 1300 : 1200);
	*reply_len = lcp_end(&w);
	return 0; /* PPP never sees the client's request */
}

size_t lcpfault_in(struct lcpfault *lf, const uint8_t *frame, size_t len, uint8_t *out, size_t cap,
		   uint8_t *reply, size_t *reply_len)
{
	*reply_len = 0;
	struct lcp_pkt p;
	bool ok = lcp_parse(frame, len, &p);
	if (ok && (lf->mode & FAULT_NAK_LCP_FOREVER) && p.code == LCP_CONFREQ)
		return nak_forever(lf, &p, reply, reply_len);
	if (ok && (lf->mode & FAULT_RRAS_LCP) && lf->have_sent && p.id == lf->sent_id) {
		struct writer w;
		wr_init(&w, out, cap);
		if (p.code == LCP_CONFACK) {
			lcp_begin(&w, LCP_CONFACK, p.id);
			wr_bytes(&w, lf->orig, lf->orig_len);
			return lcp_end(&w);
		}
		if (p.code == LCP_CONFNAK || p.code == LCP_CONFREJ) {
			lcp_begin(&w, p.code, p.id);
			struct reader r;
			rd_init(&r, p.opts, p.opts_len);
			bool kept = false;
			while (rd_left(&r) > 0) {
				uint8_t type = rd_u8(&r);
				uint8_t ol = rd_u8(&r);
				const uint8_t *val = rd_take(&r, ol - 2u);
				if (!rd_ok(&r))
					break;
				unsigned bit = injected_bit(type);
				if (bit) {
					lf->dropped |= bit;
					continue;
				}
				wr_u8(&w, type);
				wr_u8(&w, ol);
				wr_bytes(&w, val, ol - 2u);
				kept = true;
			}
			if (kept)
				return lcp_end(&w);
			/* Only our additions were refused: ask again at once
			 * without them, under the id the PPP layer waits on. */
			*reply_len = build_rras_request(lf, reply, SSTP_MAX_PPP);
			return 0;
		}
	}
	if (len > cap)
		return 0;
	memcpy(out, frame, len);
	return len;
}
