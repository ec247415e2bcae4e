#include "core/log.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

/* Process-wide by nature (one destination per process); holds no protocol state. */
static struct {
	enum log_level level;
	bool syslog;
	char ident[32];
} log_cfg = {LOG_LVL_NOTICE, false, "sstpc"};

/* The recent lines, for `show interfaces sstpc IF log` (no journald
 * needed). A fixed ring: LOG_RING_LINES lines of at most LOG_RING_WIDTH
 * bytes each, oldest overwritten. The log never carries a secret. */
#define LOG_RING_LINES 64
#define LOG_RING_WIDTH 240
static struct {
	char line[LOG_RING_LINES][LOG_RING_WIDTH];
	unsigned next;	/* slot the next line goes to */
	unsigned count; /* lines held, at most LOG_RING_LINES */
} log_ring;

static void log_ring_add(const char *stamp, const char *level, const char *msg)
{
	snprintf(log_ring.line[log_ring.next], LOG_RING_WIDTH, "%.32s %.8s: %.190s", stamp, level,
		 msg);
	log_ring.next = (log_ring.next + 1) % LOG_RING_LINES;
	if (log_ring.count < LOG_RING_LINES)
		log_ring.count++;
}

size_t log_recent(char *buf, size_t cap)
{
	if (cap == 0)
		return 0;
	/* The newest lines that fit, oldest first. */
	unsigned first = (log_ring.next + LOG_RING_LINES - log_ring.count) % LOG_RING_LINES;
	unsigned skip = 0;
	size_t total = 0;
	for (unsigned i = log_ring.count; i-- > 0;) {
		size_t n = strlen(log_ring.line[(first + i) % LOG_RING_LINES]) + 1;
		if (total + n >= cap) {
			skip = i + 1;
			break;
		}
		total += n;
	}
	size_t used = 0;
	for (unsigned i = skip; i < log_ring.count; i++) {
		const char *l = log_ring.line[(first + i) % LOG_RING_LINES];
		size_t n = strlen(l);
		memcpy(buf + used, l, n);
		buf[used + n] = '\n';
		used += n + 1;
	}
	buf[used] = '\0';
	return used;
}

static const char *const level_names[] = {"error", "warning", "notice", "info", "debug"};

void log_setup(const char *ident, enum log_level level, bool use_syslog)
{
	snprintf(log_cfg.ident, sizeof(log_cfg.ident), "%s", ident ? ident : "sstpc");
	log_cfg.level = level;
	if (log_cfg.syslog)
		closelog();
	log_cfg.syslog = use_syslog;
	if (use_syslog)
		openlog(log_cfg.ident, LOG_PID, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	log_cfg.level = level;
}
enum log_level log_get_level(void)
{
	return log_cfg.level;
}

const char *log_level_name(enum log_level level)
{
	return (unsigned)level < sizeof(level_names) / sizeof(level_names[0]) ? level_names[level]
									      : "?";
}

bool log_level_parse(const char *s, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	if (strcmp(s, "warn") == 0 || strcmp(s, "err") == 0) {
		*out = s[0] == 'w' ? LOG_LVL_WARN : LOG_LVL_ERROR;
		return true;
	}
	return false;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > log_cfg.level)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	localtime_r(&ts.tv_sec, &tm);
	char stamp[64];
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(ts.tv_nsec / 1000000));
	log_ring_add(stamp, level_names[level], msg);
	if (log_cfg.syslog) {
		static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};
		syslog(prio[level], "%s", msg);
		return;
	}
	fprintf(stderr, "%s %s %s: %s\n", stamp + 11, log_cfg.ident, level_names[level], msg);
}
