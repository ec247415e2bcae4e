/* A batch of packets through GRO, then through the segmenter that models
 * the kernel (tun/gso.c): per flow, the packets the kernel ends up with are
 * the input packets, byte for byte and in order; a super-packet's partial
 * checksum completes to a right one; nothing is lost or invented.
 *
 * Input: byte 0 picks the mode. Raw: then [be16 length][packet]... Train:
 * the rest describes segments of up to four TCP flows that are built with
 * right checksums (so merging is reached), each with a possible tweak. */
#include "tun/gro.h"

#include <stdlib.h>
#include <string.h>

#include "../csum_oracle.h"

#define MAX_PKTS 160

struct pkt {
	uint8_t *p;
	size_t len;
};

static struct pkt in[MAX_PKTS], out[MAX_PKTS + 1];
static size_t nin, nout;
static struct gro gro;
static uint8_t super[70000];

static void keep_out(const uint8_t *p, size_t len)
{
	if (nout > MAX_PKTS)
		abort(); /* more packets out than went in */
	out[nout].p = malloc(len ? len : 1);
	memcpy(out[nout].p, p, len);
	out[nout++].len = len;
}

/* The kernel's view of one TUN write. */
static void emit(void *ctx, const struct iovec *iov, int n)
{
	(void)ctx;
	size_t len = 0;
	if (n < 2 || iov[0].iov_len != GSO_VNET_HDR_LEN)
		abort();
	for (int i = 1; i < n; i++) {
		if (len + iov[i].iov_len > sizeof(super))
			abort();
		memcpy(super + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	struct reader r;
	struct gso_vnet v;
	rd_init(&r, iov[0].iov_base, GSO_VNET_HDR_LEN);
	if (!gso_vnet_parse(&r, &v))
		abort();
	if (v.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (v.flags)
			abort();
		keep_out(super, len);
		return;
	}
	struct gso g;
	if (len > 65535 || !gso_start(&g, &v, super, len, 65535))
		abort();
	if (v.hdr_len != g.hl || v.csum_start != g.thoff || v.csum_offset != 16)
		abort();
	static uint8_t seg[65536];
	while (gso_next_len(&g)) {
		struct writer w;
		wr_init(&w, seg, sizeof(seg));
		if (!gso_next(&g, &w))
			abort();
		keep_out(seg, w.len);
	}
	/* the partial sum completes to a right TCP checksum */
	if (!gso_csum_complete(super, len, &v))
		abort();
	uint32_t s = g.v6 ? tu_sum16(0, super + 8, 32) : tu_sum16(0, super + 12, 8);
	if (tu_fold(tu_sum16(s + 6 + (uint32_t)(len - g.thoff), super + g.thoff, len - g.thoff)) !=
	    0xffff)
		abort();
}

/* The flow a packet belongs to, written independently of gro.c: version,
 * addresses and ports of TCP; everything else is one class (len 0). */
static size_t key(const struct pkt *k, uint8_t *b)
{
	const uint8_t *p = k->p;
	if (k->len >= 20 && p[0] >> 4 == 4 && p[9] == 6) {
		size_t ihl = (size_t)(p[0] & 15) * 4;
		if (ihl < 20 || k->len < ihl + 4)
			return 0;
		b[0] = 4;
		memcpy(b + 1, p + 12, 8);
		memcpy(b + 9, p + ihl, 4);
		return 13;
	}
	if (k->len >= 44 && p[0] >> 4 == 6 && p[6] == 6) {
		b[0] = 6;
		memcpy(b + 1, p + 8, 32);
		memcpy(b + 33, p + 40, 4);
		return 37;
	}
	return 0;
}

static void compare_flows(void)
{
	if (nout != nin)
		abort();
	uint8_t ka[40], kb[40];
	for (size_t i = 0; i < nin; i++) {
		/* the rank of in[i] among its flow must match in the output */
		size_t la = key(&in[i], ka), rank = 0;
		for (size_t j = 0; j < i; j++)
			if (key(&in[j], kb) == la && memcmp(ka, kb, la) == 0)
				rank++;
		size_t j = 0;
		for (;; j++) {
			if (j == nout)
				abort();
			if (key(&out[j], kb) == la && memcmp(ka, kb, la) == 0 && rank-- == 0)
				break;
		}
		if (out[j].len != in[i].len || memcmp(out[j].p, in[i].p, in[i].len))
			abort();
	}
}

static void add(const uint8_t *p, size_t len)
{
	if (nin == MAX_PKTS)
		return;
	in[nin].p = malloc(len ? len : 1);
	memcpy(in[nin].p, p, len);
	in[nin++].len = len;
	/* gro_put: a full arena is flushed but for a short open tail */
	if (!gro_put(&gro, p, len, emit, NULL))
		abort();
}

static void raw(const uint8_t *d, size_t n)
{
	while (n >= 2) {
		size_t len = (size_t)(d[0] << 8 | d[1]);
		d += 2;
		n -= 2;
		if (len > n)
			len = n;
		add(d, len);
		d += len;
		n -= len;
	}
}

/* One segment of a train: 6 bytes [flow|v6][len hi][len lo][flags]
 * [tweak][arg]. */
static void train_seg(const uint8_t *d, uint32_t *seq, uint16_t *id)
{
	static uint8_t p[1600];
	unsigned f = d[0] & 3, v6 = d[0] & 4, ts = d[0] & 8;
	size_t plen = (size_t)((d[1] << 8 | d[2]) % 1400), ipl = v6 ? 40 : 20;
	size_t hl = ipl + 20 + (ts ? 12 : 0), len = hl + plen;
	memset(p, 0, hl);
	if (v6) {
		p[0] = 0x60;
		p[4] = (uint8_t)((len - 40) >> 8);
		p[5] = (uint8_t)(len - 40);
		p[6] = 6;
		p[7] = 64;
		p[23] = 1;
		p[39] = (uint8_t)(2 + f);
	} else {
		p[0] = 0x45;
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		p[4] = (uint8_t)(id[f] >> 8);
		p[5] = (uint8_t)id[f]++;
		p[6] = 0x40;
		p[8] = 64;
		p[9] = 6;
		p[12] = 10;
		p[19] = (uint8_t)(2 + f);
	}
	uint8_t *t = p + ipl;
	t[1] = 80;
	t[3] = (uint8_t)(100 + f);
	for (int i = 0; i < 4; i++)
		t[4 + i] = (uint8_t)(seq[f] >> (24 - 8 * i));
	t[11] = 1;
	t[12] = (uint8_t)((hl - ipl) / 4 << 4);
	t[13] = d[3];
	t[14] = 0xff;
	if (ts)
		memcpy(t + 20, "\x01\x01\x08\x0a\0\0\0\x01\0\0\0\x02", 12);
	for (size_t i = 0; i < plen; i++)
		p[hl + i] = (uint8_t)(i ^ d[5]);
	seq[f] += (uint32_t)plen;
	/* the tweak: one byte anywhere in the headers changed */
	if (d[4] < hl)
		p[d[4]] ^= d[5] ? d[5] : 1;
	if (!v6) {
		uint16_t c = (uint16_t)~tu_fold(tu_sum16(0, p, 20));
		p[10] = (uint8_t)(c >> 8);
		p[11] = (uint8_t)c;
	}
	uint32_t s = v6 ? tu_sum16(0, p + 8, 32) : tu_sum16(0, p + 12, 8);
	uint16_t c = (uint16_t)~tu_fold(tu_sum16(s + 6 + (uint32_t)(len - ipl), t, len - ipl));
	if (!(d[0] & 16)) { /* else the TCP checksum stays wrong */
		t[16] = (uint8_t)(c >> 8);
		t[17] = (uint8_t)c;
	}
	add(p, len);
}

static void train(const uint8_t *d, size_t n)
{
	uint32_t seq[4] = {0xfffff000u, 7, 1u << 31, 0};
	uint16_t id[4] = {0xfff0, 1, 2, 3};
	for (; n >= 6; d += 6, n -= 6)
		train_seg(d, seq, id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	nin = nout = 0;
	gro_init(&gro);
	if (data[0] & 1)
		train(data + 1, size - 1);
	else
		raw(data + 1, size - 1);
	gro_flush(&gro, emit, NULL);
	compare_flows();
	for (size_t i = 0; i < nin; i++)
		free(in[i].p);
	for (size_t i = 0; i < nout; i++)
		free(out[i].p);
	return 0;
}
