/* mss_clamp on arbitrary bytes: if it changes the packet, only MSS option
 * values (lowered to the target) and one checksum word may change, and the
 * one's complement sum of the packet must stay the same, which is what
 * keeps a valid TCP checksum valid (TCP starts at an even offset, and the
 * pseudo header is made of IP header bytes that must not change). */
#include "tun/mss.h"

#include <stdlib.h>
#include <string.h>

#define MSS4 1360
#define MSS6 1220

static uint16_t ones_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff ? 0 : (uint16_t)s;
}

static bool is_mss_value(const uint8_t *before, const uint8_t *after, size_t n, size_t q,
			 uint16_t target)
{
	return q >= 2 && q + 1 < n && before[q - 2] == 2 && before[q - 1] == 4 &&
	       (after[q] << 8 | after[q + 1]) == target &&
	       (before[q] << 8 | before[q + 1]) > target;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	uint8_t *pkt = malloc(size ? size : 1);
	if (!pkt)
		return 0;
	if (size)
		memcpy(pkt, data, size);
	bool changed = mss_clamp(pkt, size, MSS4, MSS6);
	if (!changed) {
		if (size && memcmp(pkt, data, size) != 0)
			abort();
		free(pkt);
		return 0;
	}
	uint16_t target = (data[0] >> 4) == 4 ? MSS4 : MSS6;
	size_t word = (size_t)-1;
	for (size_t i = 0; i < size; i++) {
		if (pkt[i] == data[i])
			continue;
		if (is_mss_value(data, pkt, size, i, target) ||
		    (i >= 1 && is_mss_value(data, pkt, size, i - 1, target)))
			continue;
		size_t w = i & ~(size_t)1;
		if (word != (size_t)-1 && word != w)
			abort(); /* more than one non-MSS word changed */
		word = w;
	}
	if (ones_sum(pkt, size) != ones_sum(data, size))
		abort();
	free(pkt);
	return 0;
}
