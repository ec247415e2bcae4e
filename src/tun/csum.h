/* The Internet checksum (RFC 1071), shared by GSO segmentation, GRO,
 * router advertisements and their tests. */
#ifndef SSTPC_TUN_CSUM_H
#define SSTPC_TUN_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The one's complement sum of n bytes starting at an even offset of the
 * summed range, added to sum, folded to 16 bits (big-endian value). */
uint16_t csum_add(uint16_t sum, const uint8_t *p, size_t n);

/* A one's complement sum of fewer than 2^16 16-bit terms folded to 16
 * bits (not inverted: a checksum field holds its complement). */
static inline uint16_t csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)((s & 0xffff) + (s >> 16));
}

/* The loop csum_add runs over 64 bytes and more. BEST is the widest this
 * CPU has (AVX2, else SSE2 on x86-64, else the scalar loop), chosen on the
 * first call; the others exist for the unit test and the micro-benchmark
 * (tools/csumbench), which force each in turn. False when this build or
 * CPU lacks the path (nothing changes then). */
enum csum_path { CSUM_PATH_BEST, CSUM_PATH_SCALAR, CSUM_PATH_SSE2, CSUM_PATH_AVX2 };
bool csum_force_path(enum csum_path path);

#endif
