#include "testutil.h"
#include "tun/gso.h"
#include "tun/csum.h"
#include "core/cpu.h"

#include "core/bytes.h"

#include <stdio.h>
#include <string.h>

/* Checksums are verified with tu_sum16/tu_fold (testutil), which share
 * nothing with the code under test. */
/* 0xffff when the TCP (or UDP, proto 17) checksum over pseudo header +
 * segment is right. */
static uint16_t l4_verify(const uint8_t *pkt, size_t off, size_t l4len, uint8_t proto)
{
	uint32_t s = pkt[0] >> 4 == 4 ? tu_sum16(0, pkt + 12, 8) : tu_sum16(0, pkt + 8, 32);
	s += proto + (uint32_t)l4len;
	return tu_fold(tu_sum16(s, pkt + off, l4len));
}

#define TS_OPT "0101080a 11223344 55667788"

/* A super-packet as the kernel hands it: IP + TCP (with timestamps) +
 * payload bytes i*7+1, the TCP checksum holding only a pseudo-header sum.
 * flags e.g. ACK|PSH|FIN|CWR. Returns the length. */
static size_t build_super(uint8_t *pkt, int v, uint8_t flags, size_t payload, size_t *thoff)
{
	uint8_t opts[16];
	size_t olen = tu_hex(opts, sizeof(opts), TS_OPT);
	size_t ipl = v == 4 ? 20 : 40;
	size_t len = ipl + 20 + olen + payload;
	memset(pkt, 0, len);
	if (v == 4) {
		tu_hex(pkt, 20, "4500 0000 fff0 4000 4006 0000 c0000201 c6336407");
		be16_put(pkt + 2, (uint16_t)len);
	} else {
		tu_hex(pkt, 40,
		       "6000 0000 0000 0640 20010db8000000000000000000000001"
		       "20010db8000000000000000000000002");
		be16_put(pkt + 4, (uint16_t)(len - 40));
	}
	uint8_t *t = pkt + ipl;
	tu_hex(t, 20, "c000 01bb fffffc00 00000001 8000 ffff 0000 0000");
	t[12] = (uint8_t)((20 + olen) / 4 << 4);
	t[13] = flags;
	memcpy(t + 20, opts, olen);
	for (size_t i = 0; i < payload; i++)
		t[20 + olen + i] = (uint8_t)(i * 7 + 1);
	be16_put(t + 16, 0x1234); /* garbage partial sum: the segmenter recomputes */
	*thoff = ipl;
	return len;
}

static struct gso_vnet vnet(int v, uint16_t mss)
{
	struct gso_vnet h = {VIRTIO_NET_HDR_F_NEEDS_CSUM,
			     v == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6,
			     0,
			     mss,
			     v == 4 ? 20 : 40,
			     16};
	return h;
}

static uint8_t super[70000], out[200000];

static void check_segments(int v, size_t payload, uint16_t mss, uint8_t flags)
{
	size_t thoff;
	size_t len = build_super(super, v, flags, payload, &thoff);
	size_t hl = thoff + 32;
	struct gso_vnet h = vnet(v, mss);
	struct gso g;
	ck_assert(gso_start(&g, &h, super, len, hl + mss));
	struct writer w;
	wr_init(&w, out, sizeof(out));
	size_t nseg = (payload + mss - 1) / mss, at = 0;
	for (size_t i = 0; i < nseg; i++) {
		size_t plen = i + 1 < nseg ? mss : payload - (nseg - 1) * mss;
		ck_assert_uint_eq(gso_next_len(&g), hl + plen);
		ck_assert_uint_eq(gso_segs_left(&g), nseg - i);
		size_t before = w.len;
		ck_assert(gso_next(&g, &w));
		ck_assert_uint_eq(w.len - before, hl + plen);
		const uint8_t *s = out + at;
		at = w.len;
		size_t n = hl + plen;
		if (v == 4) {
			ck_assert_uint_eq(be16_get(s + 2), n);
			ck_assert_uint_eq(be16_get(s + 4), (uint16_t)(0xfff0 + i));
			ck_assert_uint_eq(tu_fold(tu_sum16(0, s, 20)), 0xffff);
			ck_assert_mem_eq(s + 6, super + 6, 4); /* flags, TTL, proto */
			ck_assert_mem_eq(s + 12, super + 12, 8);
		} else {
			ck_assert_uint_eq(be16_get(s + 4), n - 40);
			ck_assert_mem_eq(s, super, 4);
			ck_assert_mem_eq(s + 6, super + 6, 34);
		}
		const uint8_t *t = s + thoff;
		ck_assert_uint_eq(be32_get(t + 4), (uint32_t)(0xfffffc00u + i * mss)); /* wraps */
		uint8_t want = flags;
		if (i + 1 < nseg)
			want &= (uint8_t)~0x09;
		if (i > 0)
			want &= (uint8_t)~0x80;
		ck_assert_uint_eq(t[13], want);
		ck_assert_mem_eq(t, super + thoff, 4);		  /* ports */
		ck_assert_mem_eq(t + 8, super + thoff + 8, 5);	  /* ack, doff */
		ck_assert_mem_eq(t + 14, super + thoff + 14, 2);  /* window */
		ck_assert_mem_eq(t + 18, super + thoff + 18, 14); /* urg, options */
		ck_assert_mem_eq(s + hl, super + hl + i * mss, plen);
		ck_assert_uint_eq(l4_verify(s, thoff, n - thoff, 6), 0xffff);
	}
	ck_assert_uint_eq(gso_next_len(&g), 0);
	ck_assert_uint_eq(gso_segs_left(&g), 0);
	ck_assert(!gso_next(&g, &w));
}

START_TEST(ipv4_segments)
{
	check_segments(4, 5000, 1348, 0x10 | 0x08 | 0x01 | 0x80); /* odd last: 956 */
	check_segments(4, 4044, 1348, 0x18);			  /* exact multiple */
	check_segments(4, 65535 - 52, 1348, 0x18);		  /* the largest */
	check_segments(4, 1001, 1348, 0x19);			  /* one segment */
	check_segments(4, 3001, 537, 0x18);			  /* odd MSS, odd sizes */
}
END_TEST

START_TEST(ipv6_segments)
{
	check_segments(6, 5000, 1328, 0x10 | 0x08 | 0x01 | 0x80);
	check_segments(6, 65535 - 32, 1328, 0x18);
	check_segments(6, 7, 1328, 0x18);
	check_segments(6, 2999, 1219, 0x11);
}
END_TEST

/* IPv4 with options (IHL 7: a Record Route with room for one address)
 * and TCP without any (doff 5), odd payload and MSS: the IPv4 checksum
 * covers the options, the TCP one the 20-byte header, in every segment. */
START_TEST(ipv4_options_segments)
{
	const size_t thoff = 28, hl = thoff + 20, payload = 2999, mss = 1001;
	size_t len = hl + payload;
	memset(super, 0, hl);
	tu_hex(super, thoff, "4700 0000 1234 4000 4006 0000 c0000201 c6336407 07070400 0a000001");
	be16_put(super + 2, (uint16_t)len);
	tu_hex(super + thoff, 20, "c000 01bb 7ffffe00 00000001 5018 ffff 1234 0000");
	for (size_t i = 0; i < payload; i++)
		super[hl + i] = (uint8_t)(i * 11 + 3);
	struct gso_vnet h = {VIRTIO_NET_HDR_F_NEEDS_CSUM,
			     VIRTIO_NET_HDR_GSO_TCPV4,
			     0,
			     (uint16_t)mss,
			     (uint16_t)thoff,
			     16};
	struct gso g;
	ck_assert(gso_start(&g, &h, super, len, hl + mss));
	struct writer w;
	wr_init(&w, out, sizeof(out));
	for (size_t i = 0, at = 0; i < 3; i++) {
		ck_assert(gso_next(&g, &w));
		const uint8_t *seg = out + at;
		size_t n = w.len - at, plen = i < 2 ? mss : payload - 2 * mss;
		at = w.len;
		ck_assert_uint_eq(n, hl + plen);
		ck_assert_uint_eq(be16_get(seg + 2), n);
		ck_assert_uint_eq(be16_get(seg + 4), 0x1234 + i);
		ck_assert_mem_eq(seg + 20, super + 20, 8); /* the options, copied */
		ck_assert_uint_eq(tu_fold(tu_sum16(0, seg, thoff)), 0xffff);
		ck_assert_uint_eq(be32_get(seg + thoff + 4),
				  0x7ffffe00u + i * mss); /* high half 7fff, 8000 */
		ck_assert_uint_eq(seg[thoff + 13], i < 2 ? 0x10 : 0x18);
		ck_assert_mem_eq(seg + hl, super + hl + i * mss, plen);
		ck_assert_uint_eq(l4_verify(seg, thoff, n - thoff, 6), 0xffff);
	}
	ck_assert(!gso_next(&g, &w));
}
END_TEST

START_TEST(writer_without_room)
{
	size_t thoff;
	size_t len = build_super(super, 4, 0x18, 3000, &thoff);
	struct gso_vnet h = vnet(4, 1000);
	struct gso g;
	ck_assert(gso_start(&g, &h, super, len, 1500));
	struct writer w;
	wr_init(&w, out, 52 + 1000 + 51);
	ck_assert(gso_next(&g, &w));
	ck_assert(!gso_next(&g, &w)); /* 1 byte short: nothing consumed */
	ck_assert(wr_ok(&w));
	ck_assert_uint_eq(w.len, 1052);
	wr_init(&w, out, sizeof(out));
	ck_assert(gso_next(&g, &w));
	ck_assert_uint_eq(be32_get(out + 24), 0xfffffc00u + 1000);
	ck_assert_uint_eq(be16_get(out + 4), 0xfff1);
}
END_TEST

START_TEST(rejects_bad_headers)
{
	size_t thoff;
	struct gso g;
	struct gso_vnet h4 = vnet(4, 1348), h6 = vnet(6, 1328);
	size_t len = build_super(super, 4, 0x18, 3000, &thoff);
	ck_assert(!gso_start(&g, &h4, super, len, 1399)); /* a segment over the MTU */
	ck_assert(gso_start(&g, &h4, super, len, 1400));
	ck_assert(!gso_start(&g, &h6, super, len, 1400)); /* type/version mismatch */
	struct gso_vnet z = h4;
	z.gso_size = 0;
	ck_assert(!gso_start(&g, &z, super, len, 1400));
	z = h4;
	z.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	ck_assert(!gso_start(&g, &z, super, len, 1400));
	z.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	ck_assert(gso_start(&g, &z, super, len, 1400));
	for (size_t cut = 0; cut <= 52; cut++) /* headers cut anywhere, or no payload */
		ck_assert_msg(!gso_start(&g, &h4, super, cut, 1400), "cut %zu", cut);
	ck_assert(gso_start(&g, &h4, super, 53, 1400));
	super[0] = 0x44;
	ck_assert(!gso_start(&g, &h4, super, len, 1400)); /* IHL 4 */
	super[0] = 0x45;
	super[9] = 17;
	ck_assert(!gso_start(&g, &h4, super, len, 1400));
	super[9] = 6;
	super[32] = 0x40; /* doff 4 */
	ck_assert(!gso_start(&g, &h4, super, len, 1400));
	super[32] = 0xf0; /* doff 60: header beyond the MTU budget */
	ck_assert(!gso_start(&g, &h4, super, len, 1400));

	len = build_super(super, 6, 0x18, 3000, &thoff);
	ck_assert(gso_start(&g, &h6, super, len, 1400));
	super[6] = 0; /* hop-by-hop extension header */
	ck_assert(!gso_start(&g, &h6, super, len, 1400));
	super[6] = 6;
	for (size_t cut = 0; cut <= 72; cut++)
		ck_assert_msg(!gso_start(&g, &h6, super, cut, 1400), "cut %zu", cut);
	/* a failed start leaves an iterator that yields nothing */
	struct writer w;
	wr_init(&w, out, sizeof(out));
	ck_assert_uint_eq(gso_next_len(&g), 0);
	ck_assert(!gso_next(&g, &w));
}
END_TEST

START_TEST(vnet_parse)
{
	uint8_t b[GSO_VNET_HDR_LEN];
	uint16_t f[4] = {54, 1348, 20, 16};
	b[0] = 1;
	b[1] = 0x81;
	memcpy(b + 2, f, 8);
	struct reader r;
	struct gso_vnet v;
	rd_init(&r, b, sizeof(b));
	ck_assert(gso_vnet_parse(&r, &v));
	ck_assert_uint_eq(v.flags, 1);
	ck_assert_uint_eq(v.gso_type, 0x81);
	ck_assert_uint_eq(v.hdr_len, 54);
	ck_assert_uint_eq(v.gso_size, 1348);
	ck_assert_uint_eq(v.csum_start, 20);
	ck_assert_uint_eq(v.csum_offset, 16);
	rd_init(&r, b, 9);
	ck_assert(!gso_vnet_parse(&r, &v));
}
END_TEST

/* Non-GSO packets with the checksum left partial: TCP and UDP, odd
 * lengths; the field holds the pseudo-header sum as the kernel leaves it. */
START_TEST(csum_complete)
{
	for (int v = 4; v <= 6; v += 2) {
		for (size_t pl = 0; pl < 40; pl++) {
			for (int udp = 0; udp <= 1; udp++) {
				uint8_t pkt[200];
				size_t thoff;
				size_t len = build_super(pkt, v, 0x18, pl, &thoff);
				size_t l4 = len - thoff;
				uint8_t proto = udp ? 17 : 6;
				size_t field = udp ? 6 : 16;
				if (udp) {
					if (v == 4)
						pkt[9] = 17;
					else
						pkt[6] = 17;
					be16_put(pkt + thoff + 4, (uint16_t)l4);
				}
				uint32_t ps =
				    v == 4 ? tu_sum16(0, pkt + 12, 8) : tu_sum16(0, pkt + 8, 32);
				be16_put(pkt + thoff + field, tu_fold(ps + proto + (uint32_t)l4));
				struct gso_vnet h = {VIRTIO_NET_HDR_F_NEEDS_CSUM,
						     0,
						     0,
						     0,
						     (uint16_t)thoff,
						     (uint16_t)field};
				ck_assert(gso_csum_complete(pkt, len, &h));
				ck_assert_uint_eq(l4_verify(pkt, thoff, l4, proto), 0xffff);
				ck_assert_uint_ne(be16_get(pkt + thoff + field), 0);
			}
		}
	}
	uint8_t pkt[100];
	size_t thoff;
	size_t len = build_super(pkt, 4, 0x18, 0, &thoff);
	uint8_t copy[100];
	memcpy(copy, pkt, len);
	struct gso_vnet none = {0};
	ck_assert(gso_csum_complete(pkt, len, &none));
	ck_assert_mem_eq(pkt, copy, len);
	struct gso_vnet bad = {VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 20, 16};
	ck_assert(!gso_csum_complete(pkt, 37, &bad)); /* field past the end */
	ck_assert(gso_csum_complete(pkt, 38, &bad));
	bad.csum_start = (uint16_t)len;
	bad.csum_offset = 0;
	ck_assert(!gso_csum_complete(pkt, len, &bad));
	bad.csum_start = 20;
	bad.csum_offset = 15;
	ck_assert(!gso_csum_complete(pkt, len, &bad)); /* odd */
	bad.csum_start = 0xffff;
	bad.csum_offset = 0xffff;
	ck_assert(!gso_csum_complete(pkt, len, &bad));
}
END_TEST

/* One csum_add path against the plain 16-bit-word oracle (tu_sum16): every
 * length to 300 (around the 32- and 64-byte steps and their multiples) at
 * eight alignments, odd and even, over mixed bytes, a run of 0xff and all
 * 0xff (the carries); then long runs, where the lanes carry past 32 bits. */
static void csum_path_matches_oracle(void)
{
	static uint8_t b[308];
	for (int fill = 0; fill < 2; fill++) {
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = fill ? 0xff : (uint8_t)(i * 131 + 17);
		if (!fill)
			memset(b + 100, 0xff, 100);
		for (size_t a = 0; a < 8; a++)
			for (size_t n = 0; n + a <= sizeof(b); n++) {
				ck_assert_uint_eq(csum_add(0x1234, b + a, n),
						  tu_fold(tu_sum16(0x1234, b + a, n)));
				ck_assert_uint_eq(csum_add(0xffff, b + a, n),
						  tu_fold(tu_sum16(0xffff, b + a, n)));
			}
	}
	static uint8_t big[70001];
	for (int fill = 0; fill < 2; fill++) {
		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = fill ? 0xff : (uint8_t)(i * 151 + 3);
		const size_t lens[] = {64, 127, 1400, 1460, 9000, 65535, 70000};
		for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++)
			for (size_t a = 0; a < 2; a++)
				ck_assert_uint_eq(csum_add(7, big + a, lens[k]),
						  tu_fold(tu_sum16(7, big + a, lens[k])));
	}
}

/* Every path this machine can run, each forced in turn, then the one
 * chosen at run time. SSE2 is part of x86-64, so it must be there. */
START_TEST(csum_add_every_path)
{
	ck_assert(csum_force_path(CSUM_PATH_SCALAR));
	csum_path_matches_oracle();
#ifdef __x86_64__
	ck_assert(csum_force_path(CSUM_PATH_SSE2));
	csum_path_matches_oracle();
	ck_assert(csum_force_path(CSUM_PATH_AVX2) == cpu_has_avx2());
	if (cpu_has_avx2())
		csum_path_matches_oracle();
	else
		fprintf(stderr, "test_gso: this CPU has no AVX2, that path is not run\n");
#endif
	ck_assert(csum_force_path(CSUM_PATH_BEST));
	csum_path_matches_oracle();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gso");
	TCase *tc = tcase_create("gso");
	tcase_add_test(tc, ipv4_segments);
	tcase_add_test(tc, ipv6_segments);
	tcase_add_test(tc, ipv4_options_segments);
	tcase_add_test(tc, writer_without_room);
	tcase_add_test(tc, rejects_bad_headers);
	tcase_add_test(tc, vnet_parse);
	tcase_add_test(tc, csum_complete);
	tcase_add_test(tc, csum_add_every_path);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
