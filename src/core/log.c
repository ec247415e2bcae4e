#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

/* Process-wide by nature (one destination per process); holds no protocol state. */
static struct {
	enum log_level level;
	bool syslog;
	char ident[32];
} log_cfg = { LOG_LVL_NOTICE, false, "sstpc" };

static const char *const level_names[] = { "error", "warning", "notice", "info", "debug" };

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

void log_set_level(enum log_level level) { log_cfg.level = level; }
enum log_level log_get_level(void) { return log_cfg.level; }

const char *log_level_name(enum log_level level)
{
	return (unsigned)level < sizeof(level_names) / sizeof(level_names[0]) ? level_names[level] : "?";
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
	if (log_cfg.syslog) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };
		syslog(prio[level], "%s", msg);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	localtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld %s %s: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, log_cfg.ident, level_names[level], msg);
}
