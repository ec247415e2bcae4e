#include "testutil.h"
#include "tun/gro.h"

#include "core/bytes.h"
#include "tun/tun.h"
#include "tun_testns.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* Checksums are built and verified with tu_sum16/tu_fold (testutil),
 * which share nothing with the code under test. */

#define ACK 0x10
#define PSH 0x08
#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define URG 0x20
#define CWR 0x80
#define ECE 0x40

struct spec {
	int v;	  /* 4 or 6 */
	int flow; /* changes the source port */
	uint32_t seq;
	size_t plen;
	uint8_t flags;
	uint16_t id;
	uint8_t tos;	  /* IPv4 TOS / IPv6 traffic class */
	const char *opts; /* hex, NULL: timestamps */
};

static uint16_t tcp_sum(const uint8_t *p, size_t thoff, size_t len)
{
	uint32_t s = p[0] >> 4 == 4 ? tu_sum16(0, p + 12, 8) : tu_sum16(0, p + 8, 32);
	return tu_fold(tu_sum16(s + 6 + (uint32_t)(len - thoff), p + thoff, len - thoff));
}

/* A segment with right checksums; payload byte i of the stream is
 * (seq + i) * 13 so merged payloads can be checked. Returns the length. */
static size_t build(uint8_t *p, const struct spec *s)
{
	uint8_t opts[40];
	size_t olen = tu_hex(opts, sizeof(opts), s->opts ? s->opts : "0101080a 00000001 00000002");
	size_t ipl = s->v == 4 ? 20 : 40, thl = 20 + olen, len = ipl + thl + s->plen;
	memset(p, 0, ipl + thl);
	if (s->v == 4) {
		tu_hex(p, 20, "4500 0000 0000 4000 4006 0000 c0000201 c6336407");
		p[1] = s->tos;
		be16_put(p + 2, (uint16_t)len);
		be16_put(p + 4, s->id);
		be16_put(p + 10, (uint16_t)~tu_fold(tu_sum16(0, p, 20)));
	} else {
		tu_hex(p, 40,
		       "6000 0000 0000 0640 20010db8000000000000000000000001"
		       "20010db8000000000000000000000002");
		p[0] = (uint8_t)(0x60 | s->tos >> 4);
		p[1] = (uint8_t)(s->tos << 4);
		be16_put(p + 4, (uint16_t)(len - 40));
	}
	uint8_t *t = p + ipl;
	be16_put(t, (uint16_t)(443 + s->flow));
	be16_put(t + 2, 50000);
	be32_put(t + 4, s->seq);
	be32_put(t + 8, 0x01020304);
	t[12] = (uint8_t)(thl / 4 << 4);
	t[13] = s->flags;
	be16_put(t + 14, 0x2000);
	memcpy(t + 20, opts, olen);
	for (size_t i = 0; i < s->plen; i++)
		t[thl + i] = (uint8_t)((s->seq + i) * 13);
	be16_put(t + 16, (uint16_t)~tcp_sum(p, ipl, len));
	return len;
}

/* What the TUN would receive: each write's vnet header and bytes. */
#define MAXW 64
static struct gso_vnet wv[MAXW];
static uint8_t wb[MAXW][70000];
static size_t wl[MAXW], nw;

static void emit(void *ctx, const struct iovec *iov, int n)
{
	(void)ctx;
	ck_assert_uint_lt(nw, MAXW);
	ck_assert_uint_eq(iov[0].iov_len, GSO_VNET_HDR_LEN);
	struct reader r;
	rd_init(&r, iov[0].iov_base, GSO_VNET_HDR_LEN);
	ck_assert(gso_vnet_parse(&r, &wv[nw]));
	wl[nw] = 0;
	for (int i = 1; i < n; i++) {
		memcpy(wb[nw] + wl[nw], iov[i].iov_base, iov[i].iov_len);
		wl[nw] += iov[i].iov_len;
	}
	nw++;
}

static size_t counted;
static void count(void *ctx, const struct iovec *iov, int n)
{
	(void)ctx;
	(void)iov;
	(void)n;
	counted++;
}

static struct gro g;
static uint8_t in[200][1600];
static size_t inl[200], nin;

static void add(const struct spec *s)
{
	inl[nin] = build(in[nin], s);
	ck_assert(gro_add(&g, in[nin], inl[nin]));
	nin++;
}

static void run(void)
{
	nw = 0;
	ck_assert_uint_eq(gro_flush(&g, emit, NULL), nw);
	nin = 0;
}

/* Write w is input packet i unchanged behind a plain header. */
static void ck_plain(size_t w, size_t i)
{
	ck_assert_uint_eq(wv[w].flags, 0);
	ck_assert_uint_eq(wv[w].gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_uint_eq(wl[w], inl[i]);
	ck_assert_mem_eq(wb[w], in[i], inl[i]);
}

/* Write w is the super-packet of input packets first..first+n-1. */
static void ck_super(size_t w, size_t first, size_t n, size_t mss, uint8_t want_flags)
{
	const uint8_t *p = wb[w], *h = in[first];
	int v = h[0] >> 4;
	size_t thoff = v == 4 ? 20 : 40, hl = thoff + (size_t)(h[thoff + 12] >> 4) * 4, total = hl;
	for (size_t i = 0; i < n; i++) {
		ck_assert_mem_eq(p + total, in[first + i] + hl, inl[first + i] - hl);
		total += inl[first + i] - hl;
	}
	ck_assert_uint_eq(wl[w], total);
	ck_assert_uint_eq(wv[w].flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(wv[w].gso_type & 0x7f,
			  v == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6);
	ck_assert_uint_eq(wv[w].gso_size, mss);
	ck_assert_uint_eq(wv[w].hdr_len, hl);
	ck_assert_uint_eq(wv[w].csum_start, thoff);
	ck_assert_uint_eq(wv[w].csum_offset, 16);
	if (v == 4) {
		ck_assert_uint_eq(be16_get(p + 2), total);
		ck_assert_uint_eq(tu_fold(tu_sum16(0, p, 20)), 0xffff);
		ck_assert_mem_eq(p + 4, h + 4, 6); /* the head's ID, DF, TTL */
	} else {
		ck_assert_uint_eq(be16_get(p + 4), total - 40);
	}
	ck_assert_uint_eq(p[thoff + 13], want_flags);
	/* the field holds the pseudo-header sum: completing over the
	 * segment with that as the start gives a right checksum */
	uint32_t ps = v == 4 ? tu_sum16(0, p + 12, 8) : tu_sum16(0, p + 8, 32);
	ck_assert_uint_eq(be16_get(p + thoff + 16), tu_fold(ps + 6 + (uint32_t)(total - thoff)));
}

static struct spec seg4(uint32_t seq, size_t plen, uint8_t flags, uint16_t id)
{
	return (struct spec){.v = 4, .seq = seq, .plen = plen, .flags = flags, .id = id};
}

START_TEST(ipv4_bulk_merges)
{
	gro_init(&g);
	for (int i = 0; i < 10; i++) {
		struct spec s = seg4(0xfffffa00u + (uint32_t)i * 1348, 1348,
				     i == 9 ? ACK | PSH : ACK, (uint16_t)(0xfffc + i));
		add(&s); /* sequence numbers and IDs wrap on the way */
	}
	run();
	ck_assert_uint_eq(nw, 1);
	ck_super(0, 0, 10, 1348, ACK | PSH);
}
END_TEST

START_TEST(odd_sizes_end_a_run)
{
	gro_init(&g);
	uint32_t q = 1000;
	size_t sizes[] = {1001, 1001, 999, 1001, 1001, 1, 7};
	for (int i = 0; i < 7; i++) {
		struct spec s = seg4(q, sizes[i], ACK, (uint16_t)i);
		add(&s);
		q += (uint32_t)sizes[i];
	}
	run();
	/* 1001 1001 999 | 1001 1001 1 | 7: a shorter segment ends a run */
	ck_assert_uint_eq(nw, 3);
	ck_super(0, 0, 3, 1001, ACK);
	ck_super(1, 3, 3, 1001, ACK);
	ck_plain(2, 6);
}
END_TEST

START_TEST(out_of_order_and_duplicates)
{
	gro_init(&g);
	struct spec a = seg4(0, 500, ACK, 1), b = seg4(500, 500, ACK, 2),
		    c = seg4(1000, 500, ACK, 3);
	add(&a);
	add(&c); /* gap: a new run */
	add(&b); /* late: joins nothing */
	add(&c); /* retransmitted: follows the late one exactly */
	run();
	ck_assert_uint_eq(nw, 3);
	ck_plain(0, 0);
	ck_plain(1, 1);
	ck_super(2, 2, 2, 500, ACK);

	add(&a);
	add(&b);
	add(&b); /* a duplicate starts a new run, which c then joins */
	add(&c);
	run();
	ck_assert_uint_eq(nw, 2);
	ck_super(0, 0, 2, 500, ACK);
	ck_super(1, 2, 2, 500, ACK);
}
END_TEST

START_TEST(ipv6_bulk_merges)
{
	gro_init(&g);
	for (int i = 0; i < 5; i++) {
		struct spec s = {.v = 6,
				 .seq = (uint32_t)i * 1328,
				 .plen = i == 4 ? 333 : 1328,
				 .flags = ACK,
				 .tos = 0x28};
		add(&s);
	}
	struct spec s = {.v = 6, .seq = 4 * 1328 + 333, .plen = 1328, .flags = ACK, .tos = 0x28};
	add(&s);
	run();
	ck_assert_uint_eq(nw, 2);
	ck_super(0, 0, 5, 1328, ACK);
	ck_plain(1, 5);
}
END_TEST

START_TEST(ecn_rules)
{
	gro_init(&g);
	struct spec s = seg4(0, 100, ACK | CWR | ECE, 0);
	add(&s);
	s = seg4(100, 100, ACK | ECE, 1);
	add(&s); /* joins: CWR on the first only */
	s = seg4(200, 100, ACK | CWR | ECE, 2);
	add(&s); /* CWR later: starts a new run */
	s = seg4(300, 100, ACK, 3);
	add(&s); /* ECE differs: never merged */
	s = seg4(400, 100, ACK, 4);
	s.tos = 3; /* CE marked: TOS differs */
	add(&s);
	s = seg4(500, 100, ACK, 5);
	s.tos = 3;
	add(&s); /* both CE: merge */
	run();
	ck_assert_uint_eq(nw, 4);
	ck_super(0, 0, 2, 100, ACK | CWR | ECE);
	ck_assert_uint_eq(wv[0].gso_type, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
	ck_plain(1, 2);
	ck_plain(2, 3);
	ck_super(3, 4, 2, 100, ACK);
	ck_assert_uint_eq(wv[3].gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
}
END_TEST

START_TEST(fin_rst_urg_syn_never_merged)
{
	const uint8_t bad[] = {ACK | FIN, ACK | RST, ACK | URG, SYN | ACK, ACK | PSH | FIN};
	for (size_t b = 0; b < sizeof(bad); b++) {
		gro_init(&g);
		struct spec s = seg4(0, 100, ACK, 0);
		add(&s);
		s = seg4(100, 100, bad[b], 1);
		add(&s);
		s = seg4(200, 100, ACK, 2);
		add(&s);
		s = seg4(300, 100, ACK, 3);
		add(&s);
		run();
		ck_assert_uint_eq(nw, 3);
		ck_plain(0, 0);
		ck_plain(1, 1);
		ck_super(2, 2, 2, 100, ACK);
	}
}
END_TEST

START_TEST(flows_interleaved)
{
	gro_init(&g);
	for (int i = 0; i < 6; i++) {
		struct spec s = seg4((uint32_t)(i / 2) * 800, 800, ACK, (uint16_t)(i / 2));
		s.flow = i % 2;
		if (i == 5)
			s.v = 6;
		add(&s);
	}
	run();
	/* flow 0: packets 0 2 4; flow 1 (IPv4): 1 3; flow 1 over IPv6: 5 */
	ck_assert_uint_eq(nw, 3);
	ck_assert_uint_eq(wl[0], 52 + 2400);
	ck_assert_uint_eq(be16_get(wb[0] + 20), 443);
	ck_assert_uint_eq(wl[1], 52 + 1600);
	ck_assert_uint_eq(be16_get(wb[1] + 20), 444);
	ck_plain(2, 5);
}
END_TEST

START_TEST(options_and_headers_must_match)
{
	gro_init(&g);
	struct spec s = seg4(0, 100, ACK, 0);
	add(&s);
	s = seg4(100, 100, ACK, 1);
	s.opts = "0101080a 00000002 00000002"; /* TSval moved on */
	add(&s);
	s = seg4(200, 100, ACK, 2);
	s.opts = "0101050a 00000001 00000002"; /* SACK */
	add(&s);
	s = seg4(300, 100, ACK, 3);
	s.opts = "";
	add(&s);
	s = seg4(400, 100, ACK, 4);
	s.opts = "";
	add(&s); /* no options at all: merges */
	s = seg4(500, 100, ACK, 4);
	s.opts = "";
	add(&s); /* IP ID not incremented */
	run();
	ck_assert_uint_eq(nw, 5);
	ck_plain(0, 0);
	ck_plain(1, 1);
	ck_plain(2, 2);
	ck_super(3, 3, 2, 100, ACK);
	ck_plain(4, 5);
}
END_TEST

START_TEST(bad_checksums_and_other_packets_pass)
{
	gro_init(&g);
	struct spec s = seg4(0, 100, ACK, 0);
	add(&s);
	s = seg4(100, 100, ACK, 1);
	inl[nin] = build(in[nin], &s);
	in[nin][60] ^= 1; /* payload corrupted on the way */
	ck_assert(gro_add(&g, in[nin], inl[nin]));
	nin++;
	uint8_t udp[28];
	tu_hex(udp, sizeof(udp), "4500001c000040004011f9c80a0000020a00000104d2162e00080000");
	memcpy(in[nin], udp, sizeof(udp));
	inl[nin] = sizeof(udp);
	ck_assert(gro_add(&g, in[nin], inl[nin]));
	nin++;
	ck_assert(gro_add(&g, in[nin], 0)); /* empty */
	inl[nin++] = 0;
	run();
	ck_assert_uint_eq(nw, 4);
	for (size_t i = 0; i < 4; i++)
		ck_plain(i, i);
}
END_TEST

/* The flow key read in the same pass as the merge checks: version,
 * addresses, ports (behind IPv4 options too); none for UDP, a short
 * packet or IPv4 IHL below 5. */
START_TEST(flow_keys)
{
	uint8_t p[80], want[48];
	struct gro_key k;
	/* IPv4 with 4 bytes of options (IHL 6): the ports follow them */
	size_t n = tu_hex(p, sizeof(p),
			  "46000030 00004000 40060000 c0000201 c6336407 01010101"
			  "04d2 0050 00000000 00000000 50100000 00000000");
	gro_flow_key(p, n, &k);
	ck_assert_uint_eq(k.len, tu_hex(want, sizeof(want), "04 c0000201c6336407 04d20050"));
	ck_assert_mem_eq(k.b, want, k.len);
	gro_flow_key(p, 25, &k); /* the ports cut off */
	ck_assert_uint_eq(k.len, 0);
	p[0] = 0x44; /* IHL 4 */
	gro_flow_key(p, n, &k);
	ck_assert_uint_eq(k.len, 0);
	/* IPv6 */
	n = tu_hex(
	    p, sizeof(p),
	    "60000000 00140640 20010db8000000000000000000000001"
	    "20010db8000000000000000000000002 1f90 c350 00000000 00000000 50100000 00000000");
	gro_flow_key(p, n, &k);
	ck_assert_uint_eq(k.len, tu_hex(want, sizeof(want),
					"06 20010db8000000000000000000000001"
					"20010db8000000000000000000000002 1f90c350"));
	ck_assert_mem_eq(k.b, want, k.len);
	/* UDP: no key */
	n = tu_hex(p, sizeof(p), "4500001c000040004011f9c80a0000020a00000104d2162e00080000");
	gro_flow_key(p, n, &k);
	ck_assert_uint_eq(k.len, 0);
	gro_flow_key(p, 0, &k);
	ck_assert_uint_eq(k.len, 0);
}
END_TEST

/* A segment whose right checksum is 0x0000 merges; the same segment with
 * 0xffff in the field (the other zero of one's complement, which verifies
 * but is not what a segmenter writes) must be written as it came. */
START_TEST(checksum_zero_and_its_other_form)
{
	for (int other = 0; other < 2; other++) {
		gro_init(&g);
		struct spec s = seg4(0, 100, ACK, 0);
		add(&s);
		s = seg4(100, 100, ACK, 1);
		inl[nin] = build(in[nin], &s);
		uint8_t *t = in[nin] + 20;
		size_t hl = 20 + 32;
		/* a first payload word that makes the right checksum 0x0000 */
		for (uint32_t w = 0; w <= 0xffff; w++) {
			be16_put(in[nin] + hl, (uint16_t)w);
			be16_put(t + 16, 0);
			if (tcp_sum(in[nin], 20, inl[nin]) == 0xffff)
				break;
		}
		ck_assert_uint_eq(tcp_sum(in[nin], 20, inl[nin]), 0xffff);
		if (other)
			be16_put(t + 16, 0xffff);
		ck_assert(gro_add(&g, in[nin], inl[nin]));
		nin++;
		run();
		if (other) {
			ck_assert_uint_eq(nw, 2);
			ck_plain(0, 0);
			ck_plain(1, 1);
		} else {
			ck_assert_uint_eq(nw, 1);
			ck_super(0, 0, 2, 100, ACK);
		}
	}
}
END_TEST

START_TEST(limit_64k_and_arena_full)
{
	gro_init(&g);
	for (int i = 0; i < 60; i++) {
		struct spec s = seg4((uint32_t)i * 1400, 1400, ACK, (uint16_t)i);
		add(&s);
	}
	run();
	/* (65535 - 52) / 1400 = 46 segments fit */
	ck_assert_uint_eq(nw, 2);
	ck_super(0, 0, 46, 1400, ACK);
	ck_assert_uint_eq(wl[0], 52 + 46 * 1400);
	ck_super(1, 46, 14, 1400, ACK);

	gro_init(&g);
	size_t n = 0;
	for (;; n++) {
		struct spec s = seg4((uint32_t)n * 2000, 1400, ACK, 0); /* all gaps */
		inl[0] = build(in[0], &s);
		if (!gro_add(&g, in[0], inl[0]))
			break;
	}
	ck_assert_uint_eq(n, GRO_ARENA / 1452);
	ck_assert_uint_eq(gro_flush(&g, count, NULL), n);
	ck_assert(gro_add(&g, in[0], inl[0]));

	/* gro_put: a full arena is flushed through emit, then the packet goes in. */
	gro_init(&g);
	for (size_t i = 0; i < n; i++) {
		struct spec s = seg4((uint32_t)i * 2000, 1400, ACK, 0);
		inl[0] = build(in[0], &s);
		ck_assert(gro_put(&g, in[0], inl[0], count, NULL));
	}
	counted = 0;
	struct spec s = seg4((uint32_t)n * 2000, 1400, ACK, 0);
	inl[0] = build(in[0], &s);
	ck_assert(gro_put(&g, in[0], inl[0], count, NULL));
	/* the full arena went out first, but for the last gap segment: open
	 * and short, it stays for a follower */
	ck_assert_uint_eq(counted, n - 1);
	ck_assert_uint_eq(gro_flush(&g, count, NULL), 2);
}
END_TEST

/* The arena fills while two flows interleave: the last entry is open
 * and short but its segments lie in two runs (the other flow's between),
 * so it is not kept (only one run moves): the whole arena goes out, each
 * flow's super-packet whole. */
START_TEST(put_full_arena_tail_in_two_runs)
{
	static uint8_t filler[(GRO_ARENA - 6000) / 2]; /* not IP: written as is */
	/* in[] by flow (A0 A1 B0 B1 A2), added as A0 B0 A1 B1 A2 */
	static const size_t order[] = {0, 2, 1, 3, 4};
	for (size_t i = 0; i < 5; i++) {
		uint32_t k = i < 2 ? (uint32_t)i : i < 4 ? (uint32_t)i - 2 : 2;
		struct spec s = seg4(k * 1400, 1400, ACK, (uint16_t)k);
		s.flow = i == 2 || i == 3;
		inl[i] = build(in[i], &s);
	}
	gro_init(&g);
	nw = 0;
	ck_assert(gro_put(&g, filler, sizeof(filler), emit, NULL));
	ck_assert(gro_put(&g, filler, sizeof(filler), emit, NULL));
	for (size_t i = 0; i < 4; i++)
		ck_assert(gro_put(&g, in[order[i]], inl[order[i]], emit, NULL));
	ck_assert_uint_eq(nw, 0);
	ck_assert(gro_put(&g, in[4], inl[4], emit, NULL)); /* does not fit */
	ck_assert_uint_eq(nw, 4);
	ck_assert_uint_eq(wl[0], sizeof(filler));
	ck_assert_uint_eq(wl[1], sizeof(filler));
	ck_super(2, 0, 2, 1400, ACK);
	ck_super(3, 2, 2, 1400, ACK);
	ck_assert_uint_eq(gro_flush(&g, emit, NULL), 1);
	ck_plain(4, 4);
	nin = 0;
}
END_TEST

/* gro_put keeps a short open tail across a full arena, but a packet too
 * big for the room the tail leaves (any that fits an empty arena) still
 * goes in: the tail then goes out first. */
START_TEST(put_big_packet_behind_kept_tail)
{
	static uint8_t big[GRO_ARENA - 1000];
	gro_init(&g);
	struct spec s = seg4(0, 1400, ACK, 0);
	inl[0] = build(in[0], &s);
	ck_assert(gro_add(&g, in[0], inl[0]));
	nw = 0;
	ck_assert(gro_put(&g, big, sizeof(big), emit, NULL));
	ck_assert_uint_eq(nw, 1);
	ck_plain(0, 0);
	counted = 0;
	ck_assert_uint_eq(gro_flush(&g, count, NULL), 1);
	nin = 0;
}
END_TEST

/* A bulk flow longer than the arena: every super-packet is whole (46
 * segments of 1400), none cut where the arena filled. */
START_TEST(bulk_flow_across_full_arenas)
{
	gro_init(&g);
	nw = 0;
	for (nin = 0; nin < 200; nin++) {
		struct spec s = seg4((uint32_t)nin * 1400, 1400, ACK, (uint16_t)nin);
		inl[nin] = build(in[nin], &s);
		ck_assert(gro_put(&g, in[nin], inl[nin], emit, NULL));
	}
	ck_assert_uint_eq(nw, 4);
	gro_flush(&g, emit, NULL);
	ck_assert_uint_eq(nw, 5);
	for (size_t w = 0; w < 4; w++)
		ck_super(w, w * 46, 46, 1400, ACK);
	ck_super(4, 184, 16, 1400, ACK);
	nin = 0;

	/* two flows interleaved: nothing is lost (a full arena's tail is a
	 * lone head here; put_full_arena_tail_in_two_runs has one that is
	 * not kept) */
	gro_init(&g);
	nw = 0;
	for (nin = 0; nin < 200; nin++) {
		struct spec s = seg4((uint32_t)(nin / 2) * 1400, 1400, ACK, (uint16_t)(nin / 2));
		s.flow = (int)(nin % 2);
		inl[nin] = build(in[nin], &s);
		ck_assert(gro_put(&g, in[nin], inl[nin], emit, NULL));
	}
	gro_flush(&g, emit, NULL);
	size_t segs = 0;
	for (size_t w = 0; w < nw; w++)
		segs += (wl[w] - 52 + 1399) / 1400;
	ck_assert_uint_eq(segs, 200);
	nin = 0;
}
END_TEST

/* The real kernel: super-packets written to a TUN with IFF_VNET_HDR are
 * forwarded to a TUN without offloads, so the kernel itself segments them
 * (completing the checksum from our partial sum); what comes out must be
 * the input packets with only TTL / hop limit (and the IPv4 header
 * checksum) changed by forwarding. */
static int tun_in = -1;

static void emit_tun(void *ctx, const struct iovec *iov, int n)
{
	(void)ctx;
	ck_assert_int_ge(writev(tun_in, iov, n), 0);
	nw++;
}

static bool is_tcp(const uint8_t *p, size_t n)
{
	return n >= 40 && ((p[0] >> 4 == 4 && p[9] == 6) || (p[0] >> 4 == 6 && p[6] == 6));
}

static void forwarded_equal(const uint8_t *got, size_t n, size_t i)
{
	uint8_t want[1600];
	ck_assert_uint_eq(n, inl[i]);
	memcpy(want, in[i], n);
	if (want[0] >> 4 == 4) {
		want[8]--;
		be16_put(want + 10, 0);
		be16_put(want + 10, (uint16_t)~tu_fold(tu_sum16(0, want, 20)));
	} else {
		want[7]--;
	}
	ck_assert_mem_eq(got, want, n);
}

START_TEST(kernel_segments_back)
{
	if (!tun_testns_enter())
		return;
	char err[128] = "";
	int idx;
	bool vnet = false;
	tun_in = tun_open_offload("gro0", true, &idx, &vnet, err, sizeof(err));
	ck_assert_msg(tun_in >= 0 && vnet, "%s", err);
	int out = tun_open_offload("gro1", false, &idx, &vnet, err, sizeof(err));
	ck_assert_msg(out >= 0 && !vnet, "%s", err);
	char *o = tun_testns_cmd(
	    "ip link set gro0 up && ip link set gro1 up && "
	    "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 && "
	    "ip route add 198.51.100.0/24 dev gro1 && ip -6 route add 2001:db8::2/128 dev gro1 "
	    "&& echo ok");
	ck_assert_msg(strstr(o, "ok"), "setup: %s", o);
	gro_init(&g);
	nin = 0;
	for (int v = 4; v <= 6; v += 2) {
		for (int i = 0; i < 12; i++) {
			struct spec s = {.v = v,
					 .seq = 0xffffe000u + (uint32_t)i * 1300,
					 .plen = i == 11 ? 77 : 1300,
					 .flags = i == 11 ? ACK | PSH : ACK,
					 .id = (uint16_t)(0xfffa + i),
					 .tos = 0};
			s.flags |= i == 0 ? CWR : 0;
			add(&s);
		}
	}
	nw = 0;
	ck_assert_uint_eq(gro_flush(&g, emit_tun, NULL), 2);
	uint8_t buf[2000];
	struct pollfd pfd = {out, POLLIN, 0};
	for (size_t i = 0; i < nin; i++) {
		ssize_t n;
		/* the kernel's own IPv6 chatter (MLD) on gro1 is not ours */
		while ((n = read(out, buf, sizeof(buf))) < 0 || !is_tcp(buf, (size_t)n))
			ck_assert_msg(poll(&pfd, 1, 5000) == 1, "packet %zu never came out", i);
		forwarded_equal(buf, (size_t)n, i);
	}
	close(out);
	close(tun_in);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gro");
	TCase *tc = tcase_create("gro");
	tcase_add_test(tc, ipv4_bulk_merges);
	tcase_add_test(tc, odd_sizes_end_a_run);
	tcase_add_test(tc, out_of_order_and_duplicates);
	tcase_add_test(tc, ipv6_bulk_merges);
	tcase_add_test(tc, ecn_rules);
	tcase_add_test(tc, fin_rst_urg_syn_never_merged);
	tcase_add_test(tc, flows_interleaved);
	tcase_add_test(tc, options_and_headers_must_match);
	tcase_add_test(tc, bad_checksums_and_other_packets_pass);
	tcase_add_test(tc, flow_keys);
	tcase_add_test(tc, checksum_zero_and_its_other_form);
	tcase_add_test(tc, limit_64k_and_arena_full);
	tcase_add_test(tc, bulk_flow_across_full_arenas);
	tcase_add_test(tc, put_big_packet_behind_kept_tail);
	tcase_add_test(tc, put_full_arena_tail_in_two_runs);
	tcase_add_test(tc, kernel_segments_back);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
