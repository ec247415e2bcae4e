/* The resolv.conf backup record kept in the run directory while the daemon
 * has the file changed, so that the next start after a crash or SIGKILL can
 * put the original back. Pure encode/parse (no I/O), fuzzed by
 * tests/fuzz/fuzz_dnsbackup.c.
 *
 * Layout, all big-endian:
 *   "SSTPC-DNS-BACKUP" (16 bytes), u8 version = 1,
 *   be16 path length, path (absolute, no NUL),
 *   u8 existed (0/1: whether the file existed before we wrote it),
 *   be32 length + the original bytes (0 when it did not exist),
 *   be32 length + the bytes we wrote,
 *   and nothing after. */
#ifndef SSTPC_TUN_DNSBACKUP_H
#define SSTPC_TUN_DNSBACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNSBACKUP_PATH_MAX 256
#define DNSBACKUP_FILE_MAX (64 * 1024)

struct dns_backup {
	char path[DNSBACKUP_PATH_MAX]; /* NUL-terminated */
	bool existed;
	const uint8_t *orig; /* points into the parsed buffer */
	size_t orig_len;
	const uint8_t *ours;
	size_t ours_len;
};

/* Bytes dns_backup_encode needs for b. */
size_t dns_backup_size(const struct dns_backup *b);
/* Writes the record into out; its length, or 0 if b is invalid or cap too
 * small. */
size_t dns_backup_encode(const struct dns_backup *b, uint8_t *out, size_t cap);
/* Parses a record; false for anything malformed (wrong magic or version,
 * a relative or over-long path, a NUL in it, lengths past the buffer or
 * over DNSBACKUP_FILE_MAX, trailing bytes). */
bool dns_backup_parse(const uint8_t *buf, size_t len, struct dns_backup *b);

#endif
