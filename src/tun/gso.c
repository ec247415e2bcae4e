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
	/* The same in every segment: summed once, not per segment. */
	const uint8_t proto[2] = {0, IPPROTO_TCP_NUM};
	g->addr_sum = csum_add(g->v6 ? csum_add(0, pkt + 8, 32) : csum_add(0, pkt + 12, 8), proto,
			       sizeof(proto));
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
		be16_put(d + 4, g->id++);
		d[10] = d[11] = 0;
		be16_put(d + 10, (uint16_t)~csum_add(0, d, g->thoff));
	}
	be32_put(th + 4, g->seq);
	uint8_t fl = th[13];
	if (!last)
		fl &= (uint8_t) ~(TH_FIN | TH_PSH);
	if (!first)
		fl &= (uint8_t)~TH_CWR;
	th[13] = fl;
	th[16] = th[17] = 0;
	/* the pseudo header: addresses and protocol, then the TCP length
	 * (below 2^16: one end-around carry folds it) */
	uint32_t ph = (uint32_t)g->addr_sum + (uint32_t)tcplen;
	uint16_t s = csum_add((uint16_t)((ph & 0xffff) + (ph >> 16)), th, tcplen);
	be16_put(th + 16, (uint16_t)~s);

	g->seq += (uint32_t)plen;
	g->off += plen;
	return true;
}
