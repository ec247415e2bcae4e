/* Bounded byte reader and writer with a sticky error.
 *
 * Every byte from the network, the kernel or a file is read through a
 * struct reader: once a read runs past the end, every later read fails too
 * and returns zeroes, so a parser can read a whole header and check
 * rd_ok() once. The writer is the mirror image for building packets into
 * a caller-owned buffer. */
#ifndef SSTPC_CORE_BYTES_H
#define SSTPC_CORE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reader {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;
};

/* The hot half of the reader is inline: parsers call it per field of every
 * packet, and a call per byte read showed in the data path's profile. */
static inline void rd_init(struct reader *r, const void *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->off = 0;
	r->err = false;
}
static inline bool rd_ok(const struct reader *r)
{
	return !r->err;
}
static inline size_t rd_left(const struct reader *r)
{
	return r->err ? 0 : r->len - r->off;
}
/* Pointer to the current position (valid for rd_left() bytes). */
static inline const uint8_t *rd_ptr(const struct reader *r)
{
	return r->p + r->off;
}
/* Returns a pointer to the next n bytes and advances, or NULL (sticky error). */
static inline const uint8_t *rd_take(struct reader *r, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = true;
		return NULL;
	}
	const uint8_t *at = r->p + r->off;
	r->off += n;
	return at;
}
static inline bool rd_skip(struct reader *r, size_t n)
{
	return rd_take(r, n) != NULL;
}
static inline uint8_t rd_u8(struct reader *r)
{
	const uint8_t *p = rd_take(r, 1);
	return p ? p[0] : 0;
}
static inline uint16_t rd_be16(struct reader *r);
static inline uint32_t rd_be32(struct reader *r);
/* Copies n bytes into dst (zeroes dst on failure). */
bool rd_bytes(struct reader *r, void *dst, size_t n);
/* Host byte order (netlink): 0 once the reader has failed. */
uint16_t rd_h16(struct reader *r);
uint32_t rd_h32(struct reader *r);
uint64_t rd_h64(struct reader *r);
/* Splits off the next n bytes as their own reader and advances past them. */
bool rd_sub(struct reader *r, size_t n, struct reader *sub);
/* Marks the reader failed (e.g. a semantic check of a read value failed). */
static inline void rd_fail(struct reader *r)
{
	r->err = true;
}

struct writer {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool err;
};

void wr_init(struct writer *w, void *buf, size_t cap);
static inline bool wr_ok(const struct writer *w)
{
	return !w->err;
}
void wr_u8(struct writer *w, uint8_t v);
void wr_be16(struct writer *w, uint16_t v);
void wr_be32(struct writer *w, uint32_t v);
void wr_bytes(struct writer *w, const void *src, size_t n);
void wr_zero(struct writer *w, size_t n);
/* Reserves n bytes and returns where they start (NULL on overflow). */
uint8_t *wr_reserve(struct writer *w, size_t n);
/* Overwrites a big-endian 16-bit value at an earlier offset. */
void wr_patch_be16(struct writer *w, size_t at, uint16_t v);

static inline uint16_t be16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline void be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t rd_be16(struct reader *r)
{
	const uint8_t *p = rd_take(r, 2);
	return p ? be16_get(p) : 0;
}
static inline uint32_t rd_be32(struct reader *r)
{
	const uint8_t *p = rd_take(r, 4);
	return p ? be32_get(p) : 0;
}
static inline void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Hex helpers for logs and tests: out must hold 2*n+1 bytes. */
void hex_encode(char *out, const void *in, size_t n);
/* Parses exactly 2*n hex digits (no separators); false on anything else. */
bool hex_decode(void *out, size_t n, const char *in);

#endif
