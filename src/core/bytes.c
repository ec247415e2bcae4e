#include "core/bytes.h"

#include <string.h>

bool rd_bytes(struct reader *r, void *dst, size_t n)
{
	const uint8_t *p = rd_take(r, n);
	if (!p) {
		if (n)
			memset(dst, 0, n);
		return false;
	}
	if (n)
		memcpy(dst, p, n);
	return true;
}

bool rd_sub(struct reader *r, size_t n, struct reader *sub)
{
	const uint8_t *p = rd_take(r, n);
	rd_init(sub, p, p ? n : 0);
	if (!p)
		sub->err = true;
	return p != NULL;
}

void wr_init(struct writer *w, void *buf, size_t cap)
{
	w->p = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->err = false;
}

uint8_t *wr_reserve(struct writer *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	uint8_t *at = w->p + w->len;
	w->len += n;
	return at;
}

void wr_u8(struct writer *w, uint8_t v)
{
	uint8_t *p = wr_reserve(w, 1);
	if (p)
		p[0] = v;
}

void wr_be16(struct writer *w, uint16_t v)
{
	uint8_t *p = wr_reserve(w, 2);
	if (p)
		be16_put(p, v);
}

void wr_be32(struct writer *w, uint32_t v)
{
	uint8_t *p = wr_reserve(w, 4);
	if (p)
		be32_put(p, v);
}

void wr_bytes(struct writer *w, const void *src, size_t n)
{
	uint8_t *p = wr_reserve(w, n);
	if (p && n)
		memcpy(p, src, n);
}

void wr_zero(struct writer *w, size_t n)
{
	uint8_t *p = wr_reserve(w, n);
	if (p && n)
		memset(p, 0, n);
}

void wr_patch_be16(struct writer *w, size_t at, uint16_t v)
{
	if (w->err || at > w->len || w->len - at < 2) {
		w->err = true;
		return;
	}
	be16_put(w->p + at, v);
}

void hex_encode(char *out, const void *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *b = in;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool hex_decode(void *out, size_t n, const char *in)
{
	uint8_t *b = out;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(in[2 * i]);
		int lo = hi < 0 ? -1 : hex_digit(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return in[2 * n] == '\0';
}

uint16_t rd_h16(struct reader *r)
{
	uint16_t v = 0;
	if (!rd_bytes(r, &v, sizeof(v)))
		v = 0;
	return v;
}

uint32_t rd_h32(struct reader *r)
{
	uint32_t v = 0;
	if (!rd_bytes(r, &v, sizeof(v)))
		v = 0;
	return v;
}

uint64_t rd_h64(struct reader *r)
{
	uint64_t v = 0;
	if (!rd_bytes(r, &v, sizeof(v)))
		v = 0;
	return v;
}
