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

uint16_t csum_add(uint16_t sum, const uint8_t *p, size_t n)
{
	/* Sum host-order 32-bit words (the one's complement sum is byte-order
	 * independent up to a final swap, RFC 1071 2(B)); no carries are
	 * lost in 64 bits for any packet size. */
	uint64_t s = 0;
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
