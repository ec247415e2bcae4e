/* An Internet checksum written the slow, obvious way, byte by byte, as an
 * oracle independent of the code under test (src/tun/csum.c): the one's
 * complement sum of 16-bit big-endian words added to s, and its fold to 16
 * bits. Shared by the unit tests and the fuzz targets. */
#ifndef SSTPC_TESTS_CSUM_ORACLE_H
#define SSTPC_TESTS_CSUM_ORACLE_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t tu_sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t tu_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

#endif
