/* csumbench -- a micro-benchmark of the Internet checksum's paths
 * (src/tun/csum.c): nanoseconds per MB for each path this CPU has, over
 * the segment sizes the data path sums (a 1400-byte segment, a 64 KiB
 * super-packet), and the same for what gso_next does per segment (copy the
 * payload, then sum it) against a fused copy-and-sum prototype that reads
 * the bytes once. Wall time, best of several runs: a measurement for
 * docs/benchmarks.md, never an assertion.
 *
 *   csumbench                 the table
 *   csumbench PATH SIZE MB    sums MB megabytes in SIZE-byte pieces on one
 *                             path (scalar|sse2|avx2|best), for counting
 *                             instructions under valgrind --tool=callgrind */
#include "tun/csum.h"
#include "core/cpu.h"

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

static int one_path(const char *name, size_t size, long mb)
{
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(name, paths[i].name) == 0) {
			if (!csum_force_path(paths[i].path) || size == 0 || size > BUF || mb <= 0) {
				fprintf(stderr, "csumbench: %s not available here\n", name);
				return 1;
			}
			for (long m = 0; m < mb; m++)
				sum_pieces(size);
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
		return one_path(argv[1], strtoul(argv[2], NULL, 10), strtol(argv[3], NULL, 10));
	if (argc != 1) {
		fprintf(stderr, "usage: csumbench [scalar|sse2|avx2|best SIZE MB]\n");
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
	csum_force_path(CSUM_PATH_BEST);
	printf("%-22s", "memcpy+sum (best)");
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
