/* csumbench -- a micro-benchmark of the Internet checksum's paths
 * (src/tun/csum.c): nanoseconds per MB for each path this CPU has, over
 * the segment sizes the data path sums (a 1400-byte segment, a 64 KiB
 * super-packet), and the same for what gso_next does per segment (copy the
 * payload, then sum it) against a fused copy-and-sum prototype that reads
 * the bytes once; then the whole per-packet work that sums on each path:
 * gso.c cutting 64 KiB IPv4 super-packets into 1400-byte segments, and
 * gro.c merging those segments back (checksums checked, payload copied).
 * Wall time, best of several runs: a measurement for docs/benchmarks.md,
 * never an assertion.
 *
 *   csumbench                 the table
 *   csumbench PATH SIZE MB    sums MB megabytes in SIZE-byte pieces on one
 *                             path (scalar|sse2|avx2|best), for counting
 *                             instructions under valgrind --tool=callgrind;
 *                             SIZE gso or gro: that row's work instead */
#include "tun/csum.h"
#include "core/bytes.h"
#include "core/cpu.h"
#include "tun/gro.h"
#include "tun/gso.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_FUSED 1
#endif

enum { BUF = 1 << 20, RUNS = 7 };
static uint8_t src[BUF + 64], dst[BUF + 64];
static volatile uint16_t sink;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Offsets of the pieces: 1 MiB of them, within a window that stays in
 * the L1 cache for segments (the data path sums bytes it has just copied
 * or decrypted) and in L2 for super-packets. */
#define FOR_PIECES(off, size)                                                                      \
	for (size_t end_ = BUF / (size) * (size), pos_ = 0, off = 0; pos_ < end_;                  \
	     pos_ += (size), off = (off + 2 * (size) > window(size) ? 0 : off + (size)))

static size_t window(size_t size)
{
	return size < 4096 ? 16384 : 262144;
}

static void sum_pieces(size_t size)
{
	uint16_t s = 0;
	FOR_PIECES(off, size)
	s ^= csum_add(0, src + off, size);
	sink = s;
}

static void copy_then_sum(size_t size)
{
	uint16_t s = 0;
	FOR_PIECES(off, size)
	{
		memcpy(dst + off, src + off, size);
		s ^= csum_add(0, dst + off, size);
	}
	sink = s;
}

#ifdef HAVE_FUSED
/* The prototype: one load per 32 bytes feeds both the store and the sum
 * (the tail below 32 bytes is copied and summed the plain way). */
__attribute__((target("avx2"))) static uint16_t copy_sum_avx2(uint8_t *d, const uint8_t *p,
							      size_t n)
{
	const __m256i lo32 = _mm256_set1_epi64x(0xffffffff);
	__m256i a = _mm256_setzero_si256(), b = a;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		_mm256_storeu_si256((__m256i *)(void *)(d + i), v);
		a = _mm256_add_epi64(a, _mm256_and_si256(v, lo32));
		b = _mm256_add_epi64(b, _mm256_srli_epi64(v, 32));
	}
	memcpy(d + i, p + i, n - i);
	uint64_t l[8], s = 0;
	_mm256_storeu_si256((__m256i *)(void *)l, a);
	_mm256_storeu_si256((__m256i *)(void *)(l + 4), b);
	for (int k = 0; k < 8; k++)
		s += (l[k] & 0xffffffff) + (l[k] >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	uint16_t h = (uint16_t)(s << 8 | s >> 8);
	return csum_add(h, d + i, n - i);
}

static void fused(size_t size)
{
	uint16_t s = 0;
	FOR_PIECES(off, size)
	s ^= copy_sum_avx2(dst + off, src + off, size);
	sink = s;
}
#endif

/* A 64 KiB IPv4 TCP super-packet as the kernel hands it over (MSS 1360,
 * MTU 1400), its segments (cut once, for the GRO row) and their count. */
enum { SUPER = 20 + 20 + 48 * 1360, MSS = 1360 };
static uint8_t super[SUPER], segs[48][1400];
static size_t seg_len[48], nsegs;
static struct gso_vnet super_vnet = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = MSS};
static struct gro gro_state;

static void super_make(void)
{
	static const uint8_t hdr[40] = {0x45, 0,    0,	  0,	0,    1,    0x40, 0,  64,  6,
					0,    0,    192,  0,	2,    1,    198,  51, 100, 7,
					0x1f, 0x90, 0xc3, 0x50, 0,    0,    0,	  1,  0,   0,
					0,    1,    0x50, 0x10, 0xff, 0xff, 0,	  0,  0,   0};
	memcpy(super, hdr, sizeof(hdr));
	be16_put(super + 2, (uint16_t)0xffff); /* as TSO leaves it: not used */
	for (size_t i = sizeof(hdr); i < SUPER; i++)
		super[i] = (uint8_t)(i * 151 + 3);
	struct gso g;
	uint8_t out[SUPER + 48 * 40];
	struct writer w;
	wr_init(&w, out, sizeof(out));
	if (!gso_start(&g, &super_vnet, super, SUPER, 1400))
		abort();
	size_t at = 0;
	for (nsegs = 0; gso_next(&g, &w); nsegs++) {
		seg_len[nsegs] = w.len - at;
		memcpy(segs[nsegs], out + at, seg_len[nsegs]);
		at = w.len;
	}
}

/* gso_next over as many super-packets as fit in 1 MiB of payload (size:
 * the payload of one). */
static void gso_pieces(size_t size)
{
	static uint8_t out[SUPER + 48 * 40];
	for (size_t done = 0; done + size <= BUF; done += size) {
		struct gso g;
		struct writer w;
		wr_init(&w, out, sizeof(out));
		gso_start(&g, &super_vnet, super, SUPER, 1400);
		while (gso_next(&g, &w))
			;
	}
}

static void no_emit(void *ctx, const struct iovec *iov, int iovcnt)
{
	(void)ctx, (void)iov, (void)iovcnt;
}

/* gro_add of the segments, one super-packet a batch, as for gso_pieces. */
static void gro_pieces(size_t size)
{
	for (size_t done = 0; done + size <= BUF; done += size) {
		gro_init(&gro_state);
		for (size_t i = 0; i < nsegs; i++)
			gro_add(&gro_state, segs[i], seg_len[i]);
		if (gro_flush(&gro_state, no_emit, NULL) != 1)
			abort(); /* they must merge back into one */
	}
}

/* Best of RUNS passes over 1 MiB, in ns per MB (10^6 bytes). */
static double ns_per_mb(void (*fn)(size_t), size_t size)
{
	double best = 1e30;
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns();
		for (int k = 0; k < 16; k++)
			fn(size);
		double t = (now_ns() - t0) / 16;
		if (t < best)
			best = t;
	}
	size_t bytes = BUF / size * size;
	return best * 1e6 / (double)bytes;
}

static const struct {
	const char *name;
	enum csum_path path;
} paths[] = {{"scalar", CSUM_PATH_SCALAR},
	     {"sse2", CSUM_PATH_SSE2},
	     {"avx2", CSUM_PATH_AVX2},
	     {"best", CSUM_PATH_BEST}};

static int one_path(const char *name, const char *what, long mb)
{
	void (*fn)(size_t) = sum_pieces;
	size_t size = strtoul(what, NULL, 10);
	if (strcmp(what, "gso") == 0 || strcmp(what, "gro") == 0) {
		super_make();
		fn = what[1] == 's' ? gso_pieces : gro_pieces;
		size = SUPER - 40;
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(name, paths[i].name) == 0) {
			if (!csum_force_path(paths[i].path) || size == 0 || size > BUF || mb <= 0) {
				fprintf(stderr, "csumbench: %s not available here\n", name);
				return 1;
			}
			for (long m = 0; m < mb; m++)
				fn(size);
			return 0;
		}
	fprintf(stderr, "csumbench: unknown path %s\n", name);
	return 2;
}

int main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 151 + 3);
	if (argc == 4)
		return one_path(argv[1], argv[2], strtol(argv[3], NULL, 10));
	if (argc != 1) {
		fprintf(stderr, "usage: csumbench [scalar|sse2|avx2|best SIZE|gso|gro MB]\n");
		return 2;
	}
	const size_t sizes[] = {1400, 65536};
	printf("%-22s %12s %12s\n", "ns per MB", "1400 B", "64 KiB");
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (!csum_force_path(paths[i].path))
			continue;
		printf("%-22s", paths[i].name);
		for (size_t k = 0; k < 2; k++)
			printf(" %12.0f", ns_per_mb(sum_pieces, sizes[k]));
		printf("\n");
	}
	super_make();
	printf("\n%-22s %12s %12s\n", "ns per MB of payload", "gso_next", "gro_add");
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (!csum_force_path(paths[i].path))
			continue;
		printf("%-22s %12.0f %12.0f\n", paths[i].name, ns_per_mb(gso_pieces, SUPER - 40),
		       ns_per_mb(gro_pieces, SUPER - 40));
	}
	csum_force_path(CSUM_PATH_BEST);
	printf("\n%-22s", "memcpy+sum (best)");
	for (size_t k = 0; k < 2; k++)
		printf(" %12.0f", ns_per_mb(copy_then_sum, sizes[k]));
	printf("\n");
#ifdef HAVE_FUSED
	if (cpu_has_avx2()) {
		printf("%-22s", "fused copy+sum (avx2)");
		for (size_t k = 0; k < 2; k++)
			printf(" %12.0f", ns_per_mb(fused, sizes[k]));
		printf("\n");
	}
#endif
	return 0;
}
