/* SLAAC bookkeeping for the addresses the daemon makes from the server's
 * router advertisements (the kernel does none on a TUN, docs/tun.md): at
 * most SLAAC_MAX prefixes at once, each with its expiry, and the changes
 * still to be made. No I/O and no clock: an RA is only noted here (cheap,
 * in the data path); the session applies the pending changes from a timer,
 * at most once per SLAAC_MIN_INTERVAL_MS, so a flood of RAs costs neither
 * memory nor per-packet netlink work. */
#ifndef SSTPC_TUN_SLAAC_H
#define SSTPC_TUN_SLAAC_H

#include <stdbool.h>
#include <stdint.h>

#include "tun/ra.h"

#define SLAAC_MAX 16
#define SLAAC_MIN_INTERVAL_MS 1000

enum slaac_op { SLAAC_NONE, SLAAC_SET, SLAAC_WITHDRAW, SLAAC_EXPIRED };

struct slaac_entry {
	uint8_t prefix[8];
	uint32_t valid, preferred; /* seconds, as the last RA said */
	uint64_t expires;	   /* ms; UINT64_MAX = never */
	bool installed;		   /* on the device (and in the journal) */
	enum slaac_op op;	   /* pending */
};

struct slaac {
	struct slaac_entry e[SLAAC_MAX];
	unsigned n;
	uint64_t next_run; /* earliest time the pending work may run */
	uint64_t refused;  /* new prefixes turned away while full */
	uint64_t refused_logged;
};

void slaac_init(struct slaac *sl);
/* Notes the autonomous /64 prefixes of one RA; true if work is pending. */
bool slaac_note(struct slaac *sl, const struct ra_info *ra, uint64_t now);
/* When slaac_next must be called: pending work (rate-limited) or the next
 * expiry; UINT64_MAX for none. */
uint64_t slaac_deadline(const struct slaac *sl);
/* The next change due at now: copies it out and returns its op (SET: add
 * or refresh; WITHDRAW / EXPIRED: remove it and its journal record), or
 * SLAAC_NONE when nothing is due. The caller reports the outcome with
 * slaac_done. */
enum slaac_op slaac_next(struct slaac *sl, uint64_t now, struct slaac_entry *out);
/* The change to prefix was made (ok) or failed; removes withdrawn and
 * expired entries. */
void slaac_done(struct slaac *sl, const uint8_t prefix[8], bool ok, uint64_t now);
/* A batch of changes was made at now: the next waits SLAAC_MIN_INTERVAL_MS. */
void slaac_batch_done(struct slaac *sl, uint64_t now);

#endif
