/* A TUN read as the kernel hands it with IFF_VNET_HDR: a virtio_net_hdr
 * and a packet. Whatever the bytes, checksum completion stays inside the
 * packet and segmentation either refuses or yields segments that fit the
 * MTU, cover the payload exactly once and carry right checksums. */
#include "tun/gso.h"

#include <stdlib.h>
#include <string.h>

#include "../csum_oracle.h"

#define MAX_SEG 1400

static uint8_t seg[MAX_SEG];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r;
	struct gso_vnet v;
	rd_init(&r, data, size);
	if (!gso_vnet_parse(&r, &v))
		return 0;
	size_t len = rd_left(&r);
	uint8_t *pkt = malloc(len ? len : 1);
	if (!pkt)
		return 0;
	memcpy(pkt, rd_ptr(&r), len);
	if (gso_csum_complete(pkt, len, &v) && (v.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		/* only the two checksum bytes may change, and the range from
		 * csum_start plus the partial sum the field held (the pseudo
		 * header, for a real packet) then sums to 0xffff */
		size_t at = (size_t)v.csum_start + v.csum_offset;
		for (size_t i = 0; i < len; i++)
			if (pkt[i] != rd_ptr(&r)[i] && i != at && i != at + 1)
				abort();
		uint32_t partial = (uint32_t)(rd_ptr(&r)[at] << 8 | rd_ptr(&r)[at + 1]);
		if (tu_fold(tu_sum16(partial, pkt + v.csum_start, len - v.csum_start)) != 0xffff)
			abort();
	}
	memcpy(pkt, rd_ptr(&r), len);
	struct gso g;
	if (gso_start(&g, &v, pkt, len, MAX_SEG)) {
		size_t covered = g.hl, n;
		while ((n = gso_next_len(&g)) > 0) {
			struct writer w;
			wr_init(&w, seg, sizeof(seg));
			if (n > MAX_SEG || !gso_next(&g, &w) || w.len != n)
				abort();
			covered += n - g.hl;
			size_t tcplen = n - g.thoff;
			uint32_t s = g.v6 ? tu_sum16(0, seg + 8, 32) : tu_sum16(0, seg + 12, 8);
			s += 6 + (uint32_t)tcplen;
			if (tu_fold(tu_sum16(s, seg + g.thoff, tcplen)) != 0xffff)
				abort();
			if (!g.v6 && tu_fold(tu_sum16(0, seg, g.thoff)) != 0xffff)
				abort();
		}
		if (covered != len)
			abort();
	}
	free(pkt);
	return 0;
}
