/* Software segmentation of TCP super-packets read from a TUN opened with
 * IFF_VNET_HDR and TSO, and completion of offloaded checksums. Every offset
 * is checked against the packet before use; anything unexpected makes the
 * caller drop the packet. */
#include "tun/gso.h"
#include "tun/csum.h"

#include <string.h>

#define IPPROTO_TCP_NUM 6
#define TH_FIN 0x01
#define TH_PSH 0x08
#define TH_CWR 0x80

bool gso_vnet_parse(struct reader *r, struct gso_vnet *v)
{
	/* virtio_net_hdr without TUNSETVNETLE is in host byte order. */
	uint16_t f[4];
	v->flags = rd_u8(r);
	v->gso_type = rd_u8(r);
	if (!rd_bytes(r, f, sizeof(f)))
		return false;
	v->hdr_len = f[0];
	v->gso_size = f[1];
	v->csum_start = f[2];
	v->csum_offset = f[3];
	return true;
}

bool gso_csum_complete(uint8_t *pkt, size_t len, const struct gso_vnet *v)
{
	if (!(v->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return true;
	size_t start = v->csum_start, at = start + v->csum_offset;
	/* An odd field offset would not line up with the 16-bit words. */
	if (start >= len || (v->csum_offset & 1) || at + 2 > len)
		return false;
	uint16_t c = (uint16_t)~csum_add(0, pkt + start, len - start);
	/* As the kernel's skb_checksum_help: a computed 0 goes out as
	 * 0xffff (for UDP 0 would mean "no checksum"). */
	be16_put(pkt + at, c ? c : 0xffff);
	return true;
}

/* The header words no segment changes, summed once: the IPv4 header
 * without its length, ID and checksum; the pseudo header's addresses and
 * protocol with the TCP header without its sequence number, offset/flags
 * word and checksum. gso_next adds what changes and sums the payload
 * where it reads it, not the copy it has just written (loads of bytes
 * still in the store buffer stall). */
static void sum_fixed_headers(struct gso *g, const uint8_t *pkt)
{
	const uint8_t proto[2] = {0, IPPROTO_TCP_NUM};
	uint16_t ph = csum_add(g->v6 ? csum_add(0, pkt + 8, 32) : csum_add(0, pkt + 12, 8), proto,
			       sizeof(proto));
	uint8_t h[GSO_MAX_HDR];
	memcpy(h, pkt, g->hl);
	if (!g->v6) {
		memset(h + 2, 0, 4);
		h[10] = h[11] = 0;
		g->ip_sum = csum_add(0, h, g->thoff);
	}
	uint8_t *t = h + g->thoff;
	memset(t + 4, 0, 4);
	t[12] = t[13] = t[16] = t[17] = 0;
	g->th_sum = csum_add(ph, t, g->hl - g->thoff);
}

bool gso_start(struct gso *g, const struct gso_vnet *v, const uint8_t *pkt, size_t len,
	       size_t max_seg)
{
	memset(g, 0, sizeof(*g));
	unsigned type = v->gso_type & (unsigned)~VIRTIO_NET_HDR_GSO_ECN;
	if (len < 20 || v->gso_size == 0)
		return false;
	unsigned ver = pkt[0] >> 4;
	if (type == VIRTIO_NET_HDR_GSO_TCPV4 && ver == 4) {
		size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
		if (ihl < 20 || pkt[9] != IPPROTO_TCP_NUM)
			return false;
		g->thoff = ihl;
		g->id = be16_get(pkt + 4);
	} else if (type == VIRTIO_NET_HDR_GSO_TCPV6 && ver == 6) {
		/* Extension headers would need the pseudo header's final
		 * destination (routing header); the kernel's TCP adds none. */
		if (len < 40 || pkt[6] != IPPROTO_TCP_NUM)
			return false;
		g->thoff = 40;
		g->v6 = true;
	} else {
		return false;
	}
	if (g->thoff + 20 > len)
		return false;
	size_t doff = (size_t)(pkt[g->thoff + 12] >> 4) * 4;
	g->hl = g->thoff + doff;
	if (doff < 20 || g->hl >= len || g->hl + v->gso_size > max_seg ||
	    len - g->thoff > 0xffffu + 40)
		return false;
	g->pkt = pkt;
	g->len = len;
	g->mss = v->gso_size;
	g->off = g->hl;
	g->seq = be32_get(pkt + g->thoff + 4);
	sum_fixed_headers(g, pkt);
	return true;
}

size_t gso_next_len(const struct gso *g)
{
	if (!g->pkt || g->off >= g->len)
		return 0;
	size_t left = g->len - g->off;
	return g->hl + (left < g->mss ? left : g->mss);
}

size_t gso_segs_left(const struct gso *g)
{
	if (!g->pkt || g->off >= g->len)
		return 0;
	return (g->len - g->off + g->mss - 1) / g->mss;
}

bool gso_next(struct gso *g, struct writer *w)
{
	size_t n = gso_next_len(g);
	if (n == 0 || w->err || w->cap - w->len < n)
		return false;
	uint8_t *d = wr_reserve(w, n);
	size_t plen = n - g->hl;
	bool first = g->off == g->hl, last = g->off + plen == g->len;
	memcpy(d, g->pkt, g->hl);
	memcpy(d + g->hl, g->pkt + g->off, plen);

	uint8_t *th = d + g->thoff;
	size_t tcplen = n - g->thoff;
	if (g->v6) {
		be16_put(d + 4, (uint16_t)tcplen);
	} else {
		be16_put(d + 2, (uint16_t)n);
		be16_put(d + 4, g->id);
		be16_put(d + 10, (uint16_t)~csum_fold((uint32_t)g->ip_sum + (uint32_t)n + g->id));
		g->id++;
	}
	be32_put(th + 4, g->seq);
	uint8_t fl = th[13];
	if (!last)
		fl &= (uint8_t) ~(TH_FIN | TH_PSH);
	if (!first)
		fl &= (uint8_t)~TH_CWR;
	th[13] = fl;
	/* the fixed words, then what changes: the pseudo header's TCP
	 * length, sequence number, offset and flags */
	uint32_t hs = (uint32_t)g->th_sum + (uint32_t)tcplen + (g->seq >> 16) + (g->seq & 0xffff) +
		      (uint32_t)(th[12] << 8 | fl);
	uint16_t s = csum_add(csum_fold(hs), g->pkt + g->off, plen);
	be16_put(th + 16, (uint16_t)~s);

	g->seq += (uint32_t)plen;
	g->off += plen;
	return true;
}
