/* The resolv.conf backup record (see dnsbackup.h). */
#include "tun/dnsbackup.h"

#include "core/bytes.h"

#include <string.h>

static const char dnsbackup_magic[16] = {'S', 'S', 'T', 'P', 'C', '-', 'D', 'N',
					 'S', '-', 'B', 'A', 'C', 'K', 'U', 'P'};
#define DNSBACKUP_VERSION 1

static bool dns_backup_valid(const struct dns_backup *b)
{
	size_t pl = strnlen(b->path, sizeof(b->path));
	return pl > 1 && pl < sizeof(b->path) && b->path[0] == '/' &&
	       b->orig_len <= DNSBACKUP_FILE_MAX && b->ours_len <= DNSBACKUP_FILE_MAX &&
	       (b->existed || b->orig_len == 0);
}

size_t dns_backup_size(const struct dns_backup *b)
{
	return sizeof(dnsbackup_magic) + 1 + 2 + strnlen(b->path, sizeof(b->path)) + 1 + 4 +
	       b->orig_len + 4 + b->ours_len;
}

size_t dns_backup_encode(const struct dns_backup *b, uint8_t *out, size_t cap)
{
	if (!dns_backup_valid(b))
		return 0;
	size_t pl = strlen(b->path);
	struct writer w;
	wr_init(&w, out, cap);
	wr_bytes(&w, dnsbackup_magic, sizeof(dnsbackup_magic));
	wr_u8(&w, DNSBACKUP_VERSION);
	wr_be16(&w, (uint16_t)pl);
	wr_bytes(&w, b->path, pl);
	wr_u8(&w, b->existed ? 1 : 0);
	wr_be32(&w, (uint32_t)b->orig_len);
	wr_bytes(&w, b->orig, b->orig_len);
	wr_be32(&w, (uint32_t)b->ours_len);
	wr_bytes(&w, b->ours, b->ours_len);
	return wr_ok(&w) ? w.len : 0;
}

/* One length-prefixed blob, at most DNSBACKUP_FILE_MAX bytes. */
static const uint8_t *take_blob(struct reader *r, size_t *len)
{
	uint32_t n = rd_be32(r);
	if (n > DNSBACKUP_FILE_MAX) {
		rd_fail(r);
		return NULL;
	}
	*len = n;
	return rd_take(r, n);
}

bool dns_backup_parse(const uint8_t *buf, size_t len, struct dns_backup *b)
{
	memset(b, 0, sizeof(*b));
	struct reader r;
	rd_init(&r, buf, len);
	const uint8_t *magic = rd_take(&r, sizeof(dnsbackup_magic));
	if (!magic || memcmp(magic, dnsbackup_magic, sizeof(dnsbackup_magic)) != 0 ||
	    rd_u8(&r) != DNSBACKUP_VERSION)
		return false;
	uint16_t pl = rd_be16(&r);
	if (pl >= sizeof(b->path) || !rd_bytes(&r, b->path, pl))
		return false;
	b->path[pl] = 0;
	uint8_t existed = rd_u8(&r);
	b->orig = take_blob(&r, &b->orig_len);
	b->ours = take_blob(&r, &b->ours_len);
	if (!rd_ok(&r) || rd_left(&r) != 0 || existed > 1 || memchr(b->path, 0, pl))
		return false;
	b->existed = existed == 1;
	return dns_backup_valid(b);
}
