#include "core/punycode.h"

#include <stdint.h>
#include <string.h>

/* RFC 3492 section 5: the Punycode parameters. */
enum {
	PC_BASE = 36,
	PC_TMIN = 1,
	PC_TMAX = 26,
	PC_SKEW = 38,
	PC_DAMP = 700,
	PC_BIAS = 72,
	PC_N = 128
};
#define PC_MAX_LABEL 63
#define PC_MAX_CP 64 /* more code points than this cannot fit in 63 bytes */

/* One UTF-8 sequence at s (at most left bytes): its code point and length,
 * or 0 when it is not the shortest valid form. */
static size_t pc_utf8(const unsigned char *s, size_t left, uint32_t *cp)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t n = s[0] < 0x80		   ? 1
		   : (s[0] & 0xe0) == 0xc0 ? 2
		   : (s[0] & 0xf0) == 0xe0 ? 3
		   : (s[0] & 0xf8) == 0xf0 ? 4
					   : 0;
	if (n == 0 || n > left)
		return 0;
	uint32_t v = n == 1 ? s[0] : (uint32_t)(s[0] & (0x7f >> n));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

static char pc_digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

static uint32_t pc_adapt(uint32_t delta, uint32_t npoints, bool first)
{
	delta = first ? delta / PC_DAMP : delta / 2;
	delta += delta / npoints;
	uint32_t k = 0;
	while (delta > ((PC_BASE - PC_TMIN) * PC_TMAX) / 2) {
		delta /= PC_BASE - PC_TMIN;
		k += PC_BASE;
	}
	return k + (PC_BASE - PC_TMIN + 1) * delta / (delta + PC_SKEW);
}

/* Appends ch to out if there is room (keeping one byte for the NUL). */
static bool pc_put(char *out, size_t cap, size_t *len, char ch)
{
	if (*len + 1 >= cap)
		return false;
	out[(*len)++] = ch;
	return true;
}

/* RFC 3492 section 6.3, for one label of n code points. */
static bool pc_encode(const uint32_t *cp, size_t n, char *out, size_t cap, size_t *len)
{
	size_t start = *len;
	uint32_t basic = 0;
	for (size_t i = 0; i < n; i++)
		if (cp[i] < 0x80) {
			if (!pc_put(out, cap, len, (char)cp[i]))
				return false;
			basic++;
		}
	if (basic > 0 && !pc_put(out, cap, len, '-'))
		return false;
	uint32_t code = PC_N, delta = 0, bias = PC_BIAS, h = basic;
	while (h < n) {
		uint32_t m = UINT32_MAX;
		for (size_t i = 0; i < n; i++)
			if (cp[i] >= code && cp[i] < m)
				m = cp[i];
		/* n <= 64 and m <= 0x10ffff: no overflow in 32 bits */
		delta += (m - code) * (h + 1);
		code = m;
		for (size_t i = 0; i < n; i++) {
			if (cp[i] < code)
				delta++;
			if (cp[i] != code)
				continue;
			uint32_t q = delta;
			for (uint32_t k = PC_BASE;; k += PC_BASE) {
				uint32_t t = k <= bias		   ? PC_TMIN
					     : k >= bias + PC_TMAX ? PC_TMAX
								   : k - bias;
				if (q < t)
					break;
				if (!pc_put(out, cap, len, pc_digit(t + (q - t) % (PC_BASE - t))))
					return false;
				q = (q - t) / (PC_BASE - t);
			}
			if (!pc_put(out, cap, len, pc_digit(q)))
				return false;
			bias = pc_adapt(delta, h + 1, h == basic);
			delta = 0;
			h++;
		}
		delta++;
		code++;
	}
	return *len - start <= PC_MAX_LABEL - 4;
}

/* One label (len bytes at s) to out: copied when ASCII, else xn--. */
static bool pc_label(const unsigned char *s, size_t len, char *out, size_t cap, size_t *olen)
{
	uint32_t cp[PC_MAX_CP];
	size_t n = 0;
	bool ascii = true;
	if (len == 0)
		return false;
	for (size_t i = 0; i < len;) {
		size_t k = pc_utf8(s + i, len - i, &cp[n]);
		if (k == 0 || n + 1 >= PC_MAX_CP)
			return false;
		ascii = ascii && cp[n] < 0x80;
		n++;
		i += k;
	}
	if (ascii) {
		if (len > PC_MAX_LABEL)
			return false;
		for (size_t i = 0; i < len; i++)
			if (!pc_put(out, cap, olen, (char)s[i]))
				return false;
		return true;
	}
	for (const char *p = "xn--"; *p; p++)
		if (!pc_put(out, cap, olen, *p))
			return false;
	return pc_encode(cp, n, out, cap, olen);
}

bool punycode_host(const char *in, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = 0;
	if (cap == 0)
		return false;
	for (;;) {
		size_t l = strcspn((const char *)s, ".");
		if (!pc_label(s, l, out, cap, &len))
			return false;
		if (!s[l])
			break;
		if (!pc_put(out, cap, &len, '.'))
			return false;
		s += l + 1;
	}
	out[len] = 0;
	return true;
}
