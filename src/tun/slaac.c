/* SLAAC bookkeeping: a fixed table, changes applied in batches. */
#include "tun/slaac.h"

#include <string.h>

void slaac_init(struct slaac *sl)
{
	memset(sl, 0, sizeof(*sl));
}

static struct slaac_entry *find(struct slaac *sl, const uint8_t prefix[8])
{
	for (unsigned i = 0; i < sl->n; i++)
		if (memcmp(sl->e[i].prefix, prefix, 8) == 0)
			return &sl->e[i];
	return NULL;
}

static uint64_t expiry(uint32_t valid, uint64_t now)
{
	return valid == 0xffffffffu ? UINT64_MAX : now + (uint64_t)valid * 1000;
}

bool slaac_note(struct slaac *sl, const struct ra_info *ra, uint64_t now)
{
	bool work = false;
	for (unsigned i = 0; i < ra->nprefix && i < RA_MAX_PREFIXES; i++) {
		const struct ra_prefix *p = &ra->p[i];
		if (!p->autonomous || p->plen != 64)
			continue;
		struct slaac_entry *e = find(sl, p->prefix);
		if (!e && p->valid == 0)
			continue; /* never ours: nothing to withdraw */
		if (!e && sl->n == SLAAC_MAX) {
			sl->refused++;
			continue;
		}
		if (!e) {
			e = &sl->e[sl->n++];
			memset(e, 0, sizeof(*e));
			memcpy(e->prefix, p->prefix, 8);
		}
		e->valid = p->valid;
		e->preferred = p->preferred < p->valid ? p->preferred : p->valid;
		e->expires = expiry(p->valid, now);
		e->op = p->valid == 0 ? SLAAC_WITHDRAW : SLAAC_SET;
		work = true;
	}
	return work;
}

uint64_t slaac_deadline(const struct slaac *sl)
{
	uint64_t d = UINT64_MAX;
	for (unsigned i = 0; i < sl->n; i++) {
		const struct slaac_entry *e = &sl->e[i];
		uint64_t t = e->op != SLAAC_NONE ? sl->next_run
			     : e->installed	 ? e->expires
						 : UINT64_MAX;
		if (t < d)
			d = t;
	}
	return d;
}

enum slaac_op slaac_next(struct slaac *sl, uint64_t now, struct slaac_entry *out)
{
	for (unsigned i = 0; i < sl->n; i++) {
		struct slaac_entry *e = &sl->e[i];
		if (e->expires <= now && e->op != SLAAC_WITHDRAW) {
			/* the kernel removed it already: prune our records */
			e->op = SLAAC_EXPIRED;
			*out = *e;
			return e->op;
		}
		if (e->op != SLAAC_NONE && now >= sl->next_run) {
			*out = *e;
			return e->op;
		}
	}
	return SLAAC_NONE;
}

void slaac_done(struct slaac *sl, const uint8_t prefix[8], bool ok, uint64_t now)
{
	struct slaac_entry *e = find(sl, prefix);
	(void)now;
	if (!e)
		return;
	if (e->op == SLAAC_SET && ok) {
		e->installed = true;
		e->op = SLAAC_NONE;
		return;
	}
	if (e->op == SLAAC_SET && !e->installed) {
		/* could not add it: forget it, a later RA may try again */
	} else if (e->op == SLAAC_SET) {
		e->op = SLAAC_NONE; /* refresh failed: the old lifetimes hold */
		return;
	}
	*e = sl->e[--sl->n];
}

void slaac_batch_done(struct slaac *sl, uint64_t now)
{
	sl->next_run = now + SLAAC_MIN_INTERVAL_MS;
}
