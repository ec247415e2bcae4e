/* Connect-time phases (see timeline.h). */
#include "session/timeline.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* What each phase's time is called in the report: the step that ended at
 * that mark. */
static const char *const phase_name[TL_N] = {
    [TL_CREATED] = "created", [TL_CONNECT] = "setup", [TL_TCP] = "TCP", [TL_TLS] = "TLS",
    [TL_HTTP] = "HTTP",	      [TL_AUTH] = "LCP+auth", [TL_NCP] = "NCP", [TL_UP] = "host setup",
};

uint64_t timeline_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	return us ? us : 1;
}

void timeline_mark(struct timeline *tl, enum tl_phase p, uint64_t now_us)
{
	if (p < TL_N && tl->us[p] == 0)
		tl->us[p] = now_us ? now_us : 1;
}

void timeline_restart(struct timeline *tl, bool first)
{
	uint64_t created = first ? tl->us[TL_CREATED] : 0;
	memset(tl, 0, sizeof(*tl));
	tl->us[TL_CREATED] = created;
}

static void put_ms(char *buf, size_t n, size_t *len, const char *name, uint64_t us)
{
	if (*len >= n)
		return;
	int k = snprintf(buf + *len, n - *len, "%s%s %llu.%02llu ms", *len ? ", " : "", name,
			 (unsigned long long)(us / 1000), (unsigned long long)(us % 1000 / 10));
	*len = k < 0 ? *len : (*len + (size_t)k < n ? *len + (size_t)k : n - 1);
}

size_t timeline_format(const struct timeline *tl, char *buf, size_t n)
{
	size_t len = 0;
	if (n == 0)
		return 0;
	buf[0] = '\0';
	uint64_t first = 0, prev = 0;
	for (int p = 0; p < TL_N; p++) {
		uint64_t t = tl->us[p];
		if (!t || t < prev)
			continue;
		if (prev)
			put_ms(buf, n, &len, phase_name[p], t - prev);
		else
			first = t;
		prev = t;
	}
	if (prev)
		put_ms(buf, n, &len, "total", prev - first);
	return len;
}
