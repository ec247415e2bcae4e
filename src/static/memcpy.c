/* memcpy for the static (musl) build on x86-64: the link wraps memcpy
 * (-Wl,--wrap=memcpy), so every call in sstpc, wolfSSL and musl itself
 * lands here; musl's own memcpy stays in the binary for its memmove.
 *
 * Why: musl's x86-64 memcpy is `rep movsq`, which on the machines measured
 * took twice the time of glibc's vector copy in sstpc's data path: 8% of
 * the client's CPU samples upstream against 4% for glibc (every packet and
 * every TLS record is copied at least once, mostly inside wolfSSL). See
 * docs/benchmarks.md. This one moves 64 bytes per step with unaligned
 * SSE2 loads and stores (SSE2 is part of x86-64, so it runs everywhere
 * the binary does), 128 with AVX2 where the CPU has it, and finishes every
 * size class with one overlapping step instead of a byte loop.
 *
 * Built with -fno-builtin and without loop-pattern distribution (CMake),
 * so the compiler cannot turn these loops back into a call to memcpy. */
#include <immintrin.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/cpu.h"

static inline void copy16(unsigned char *d, const unsigned char *s)
{
	_mm_storeu_si128((__m128i *)d, _mm_loadu_si128((const __m128i *)s));
}

static inline void copy64(unsigned char *d, const unsigned char *s)
{
	__m128i a = _mm_loadu_si128((const __m128i *)s);
	__m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
	__m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
	__m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
	_mm_storeu_si128((__m128i *)d, a);
	_mm_storeu_si128((__m128i *)(d + 16), b);
	_mm_storeu_si128((__m128i *)(d + 32), c);
	_mm_storeu_si128((__m128i *)(d + 48), e);
}

/* Below 16 bytes: two overlapping loads of the widest size that fits. */
static inline void copy_small(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= 8) {
		uint64_t a, b;
		__builtin_memcpy(&a, s, 8);
		__builtin_memcpy(&b, s + n - 8, 8);
		__builtin_memcpy(d, &a, 8);
		__builtin_memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		__builtin_memcpy(&a, s, 4);
		__builtin_memcpy(&b, s + n - 4, 4);
		__builtin_memcpy(d, &a, 4);
		__builtin_memcpy(d + n - 4, &b, 4);
	} else if (n) {
		unsigned char a = s[0], b = s[n / 2], c = s[n - 1];
		d[0] = a;
		d[n / 2] = b;
		d[n - 1] = c;
	}
}

/* From 256 bytes on, with AVX2 (checked once at run time): 128 bytes a
 * step. The compiler ends this function with vzeroupper, so the SSE code
 * around it pays no transition penalty. */
__attribute__((target("avx2"))) static void copy_avx2(unsigned char *d, const unsigned char *s,
						      size_t n)
{
	size_t i = 0;
	for (; i + 128 < n; i += 128) {
		__m256i a = _mm256_loadu_si256((const __m256i *)(s + i));
		__m256i b = _mm256_loadu_si256((const __m256i *)(s + i + 32));
		__m256i c = _mm256_loadu_si256((const __m256i *)(s + i + 64));
		__m256i e = _mm256_loadu_si256((const __m256i *)(s + i + 96));
		_mm256_storeu_si256((__m256i *)(d + i), a);
		_mm256_storeu_si256((__m256i *)(d + i + 32), b);
		_mm256_storeu_si256((__m256i *)(d + i + 64), c);
		_mm256_storeu_si256((__m256i *)(d + i + 96), e);
	}
	for (size_t t = n - 128; t < n; t += 32)
		_mm256_storeu_si256((__m256i *)(d + t),
				    _mm256_loadu_si256((const __m256i *)(s + t)));
}

/* The SSE2 path for sizes from 65 bytes (and for every size without
 * AVX2): 64 bytes a step, the last step overlapping. */
static void copy_sse2(unsigned char *d, const unsigned char *s, size_t n)
{
	size_t i = 0;
	for (; i + 64 < n; i += 64)
		copy64(d + i, s + i);
	copy64(d + n - 64, s + n - 64);
}

/* -1: as the CPU says (core/cpu.c, the check the checksum shares). */
static int have_avx2 = -1;

static bool use_avx2(void)
{
	return have_avx2 < 0 ? cpu_has_avx2() : have_avx2 == 1;
}

/* For test_static_memcpy: 0 forces the SSE2 path, 1 the AVX2 one (only
 * where the CPU has it), -1 back to the CPU check. */
void static_memcpy_force(int avx2);

void static_memcpy_force(int avx2)
{
	have_avx2 = avx2;
}

void *__wrap_memcpy(void *restrict dst, const void *restrict src, size_t n);

void *__wrap_memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (n < 16) {
		copy_small(d, s, n);
		return dst;
	}
	if (n <= 64) {
		for (size_t i = 0; i + 16 < n; i += 16)
			copy16(d + i, s + i);
		copy16(d + n - 16, s + n - 16);
		return dst;
	}
	if (n >= 256 && use_avx2())
		copy_avx2(d, s, n);
	else
		copy_sse2(d, s, n);
	return dst;
}
