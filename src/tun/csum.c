#include "tun/csum.h"

#include <string.h>

#include "core/bytes.h"

static uint32_t fold32(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

static uint16_t fold16(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

#ifdef __SSE2__
#include <emmintrin.h>

/* 64 bytes a step: 32-bit words widened to 64-bit lanes (no carry is lost
 * below 2^32 words); about a third of the scalar loop's instructions, and
 * checksums are most of the per-byte work of GSO and GRO. */
static uint64_t sum_words_sse2(const uint8_t **pp, size_t *nn)
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

uint16_t csum_add(uint16_t sum, const uint8_t *p, size_t n)
{
	/* Sum host-order 32-bit words (the one's complement sum is byte-order
	 * independent up to a final swap, RFC 1071 2(B)); no carries are
	 * lost in 64 bits for any packet size. */
	uint64_t s = 0;
#ifdef __SSE2__
	if (n >= 64)
		s = sum_words_sse2(&p, &n);
#endif
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
	uint16_t h = fold16(fold32(s));
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
	return fold16(t);
}
