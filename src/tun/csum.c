#include "tun/csum.h"

#include <string.h>

#include "core/bytes.h"

static uint32_t fold32(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

/* The wide paths: each sums 32-bit host-order words of *pp into 64-bit
 * lanes (no carry is lost below 2^32 words a lane) while at least 64 bytes
 * are left, advances *pp and *nn past what it summed and returns the sum.
 * Checksums are most of the per-byte work of GSO and GRO. */
typedef uint64_t (*sum_wide_fn)(const uint8_t **pp, size_t *nn);

/* The scalar path leaves every byte to csum_add's own loop. */
static uint64_t sum_wide_scalar(const uint8_t **pp, size_t *nn)
{
	(void)pp;
	(void)nn;
	return 0;
}

#ifdef __SSE2__
#include <emmintrin.h>

/* 64 bytes a step, each 32-bit word widened to a 64-bit lane: about a
 * third of the scalar loop's instructions. */
static uint64_t sum_wide_sse2(const uint8_t **pp, size_t *nn)
{
	const uint8_t *p = *pp;
	size_t n = *nn;
	const __m128i zero = _mm_setzero_si128();
	__m128i a = zero, b = zero;
#define CSUM_STEP(off)                                                                             \
	do {                                                                                       \
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + (off)));           \
		a = _mm_add_epi64(a, _mm_unpacklo_epi32(v, zero));                                 \
		b = _mm_add_epi64(b, _mm_unpackhi_epi32(v, zero));                                 \
	} while (0)
	for (; n >= 64; p += 64, n -= 64) {
		CSUM_STEP(0);
		CSUM_STEP(16);
		CSUM_STEP(32);
		CSUM_STEP(48);
	}
#undef CSUM_STEP
	uint64_t l[4];
	_mm_storeu_si128((__m128i *)(void *)l, a);
	_mm_storeu_si128((__m128i *)(void *)(l + 2), b);
	*pp = p;
	*nn = n;
	uint64_t s = fold32(l[0]) + (uint64_t)fold32(l[1]);
	return s + fold32(l[2]) + (uint64_t)fold32(l[3]);
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define CSUM_HAVE_AVX2 1
#include <immintrin.h>

#include "core/cpu.h"

/* 64 bytes a step in two 32-byte loads; a last 32-byte step when that
 * much is left. The words are split into 64-bit lanes with a mask and a
 * shift rather than the SSE2 path's unpacks: those run on one shuffle
 * port only, the mask and shift on two or three. Four accumulators keep
 * the adds independent. The compiler ends the function with vzeroupper,
 * so the SSE code around it pays no transition penalty. */
__attribute__((target("avx2"))) static uint64_t sum_wide_avx2(const uint8_t **pp, size_t *nn)
{
	const uint8_t *p = *pp;
	size_t n = *nn;
	const __m256i lo32 = _mm256_set1_epi64x(0xffffffff);
	__m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
	for (; n >= 64; p += 64, n -= 64) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);
		__m256i w = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
		a = _mm256_add_epi64(a, _mm256_and_si256(v, lo32));
		b = _mm256_add_epi64(b, _mm256_srli_epi64(v, 32));
		c = _mm256_add_epi64(c, _mm256_and_si256(w, lo32));
		d = _mm256_add_epi64(d, _mm256_srli_epi64(w, 32));
	}
	if (n >= 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);
		a = _mm256_add_epi64(a, _mm256_and_si256(v, lo32));
		b = _mm256_add_epi64(b, _mm256_srli_epi64(v, 32));
		p += 32;
		n -= 32;
	}
	/* Each lane holds fewer than n/32 words below 2^32: the four
	 * accumulators add up without loss for any n below 2^36. */
	a = _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d));
	__m128i h = _mm_add_epi64(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
	*pp = p;
	*nn = n;
	return (uint64_t)fold32((uint64_t)_mm_cvtsi128_si64(h)) +
	       fold32((uint64_t)_mm_extract_epi64(h, 1));
}
#endif

/* The widest path this CPU has, chosen on the first call. */
static uint64_t sum_wide_pick(const uint8_t **pp, size_t *nn);
static sum_wide_fn sum_wide = sum_wide_pick;

static sum_wide_fn sum_wide_best(void)
{
#ifdef CSUM_HAVE_AVX2
	if (cpu_has_avx2())
		return sum_wide_avx2;
#endif
#ifdef __SSE2__
	return sum_wide_sse2;
#else
	return sum_wide_scalar;
#endif
}

static uint64_t sum_wide_pick(const uint8_t **pp, size_t *nn)
{
	sum_wide = sum_wide_best();
	return sum_wide(pp, nn);
}

bool csum_force_path(enum csum_path path)
{
	switch (path) {
	case CSUM_PATH_BEST:
		sum_wide = sum_wide_best();
		return true;
	case CSUM_PATH_SCALAR:
		sum_wide = sum_wide_scalar;
		return true;
	case CSUM_PATH_SSE2:
#ifdef __SSE2__
		sum_wide = sum_wide_sse2;
		return true;
#else
		return false;
#endif
	case CSUM_PATH_AVX2:
#ifdef CSUM_HAVE_AVX2
		if (!cpu_has_avx2())
			return false;
		sum_wide = sum_wide_avx2;
		return true;
#else
		return false;
#endif
	}
	return false;
}

uint16_t csum_add(uint16_t sum, const uint8_t *p, size_t n)
{
	/* Sum host-order 32-bit words (the one's complement sum is byte-order
	 * independent up to a final swap, RFC 1071 2(B)); no carries are
	 * lost in 64 bits for any packet size. */
	uint64_t s = 0;
	if (n >= 64)
		s = sum_wide(&p, &n);
	while (n >= 8) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		s += a;
		s += b;
		p += 8;
		n -= 8;
	}
	if (n >= 4) {
		uint32_t a;
		memcpy(&a, p, 4);
		s += a;
		p += 4;
		n -= 4;
	}
	uint16_t h = csum_fold(fold32(s));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	h = (uint16_t)(h << 8 | h >> 8);
#endif
	uint32_t t = (uint32_t)h + sum;
	if (n >= 2) {
		t += be16_get(p);
		p += 2;
		n -= 2;
	}
	if (n)
		t += (uint32_t)p[0] << 8;
	return csum_fold(t);
}
