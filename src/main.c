/* sstpc: the command line. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/log.h"
#include "core/loop.h"
#include "session/control.h"
#include "session/session.h"
#include "tls/tls.h"

/* The C library the binary was built against: a static musl build is the
 * one meant for containers and minimal systems (tools/build-static.sh).
 * musl defines no macro of its own; on Linux, not glibc means musl here. */
#if defined(__GLIBC__)
#define SSTPC_STR2(x) #x
#define SSTPC_STR(x) SSTPC_STR2(x)
#define SSTPC_LIBC "glibc " SSTPC_STR(__GLIBC__) "." SSTPC_STR(__GLIBC_MINOR__)
#else
#define SSTPC_LIBC "musl"
#endif
#ifdef SSTPC_STATIC_LINK
#define SSTPC_LINKAGE "static"
#else
#define SSTPC_LINKAGE "dynamic"
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sstpc -c FILE [--syslog] [--log-level LEVEL]   run the tunnel (foreground)\n"
		"       sstpc --check -c FILE                         validate, print the effective config\n"
		"       sstpc show interfaces sstpc [IF] [--json]     status and counters\n"
		"       sstpc connect interface IF                    (re)connect a running tunnel\n"
		"       sstpc disconnect interface IF                 disconnect, stay down until connect\n"
		"       sstpc --version | --help\n"
		"\n"
		"FILE holds one tunnel as VyOS paths below `interfaces sstpc IF`\n"
		"(see sstpc.conf(5)). LEVEL: error, warning, notice, info, debug.\n");
}

static int cmd_run(const char *path, bool check, bool use_syslog, const char *level)
{
	struct conf c;
	char err[512];
	if (!conf_load(&c, path, err, sizeof(err))) {
		fprintf(stderr, "sstpc: %s\n", err);
		return 1;
	}
	if (check) {
		conf_print(&c, stdout);
		return 0;
	}
	enum log_level lvl = (enum log_level)c.log_level;
	if (level && !log_level_parse(level, &lvl)) {
		fprintf(stderr, "sstpc: --log-level: expected error, warning, notice, info or debug\n");
		return 1;
	}
	log_setup(c.ifname, lvl, use_syslog);
	struct loop *l = loop_new();
	if (!l) {
		log_err("cannot create the event loop");
		return 1;
	}
	struct session *s = session_new(&c, l, err, sizeof(err));
	memset(c.password, 0, sizeof(c.password));
	memset(c.proxy_password, 0, sizeof(c.proxy_password));
	if (!s) {
		log_err("%s", err);
		loop_free(l);
		return 1;
	}
	struct control *ctl = control_open(c.ifname, s, l, err, sizeof(err));
	if (!ctl)
		log_warn("control socket: %s (show/connect/disconnect unavailable)", err);
	int rc = session_run(s);
	control_close(ctl);
	session_free(s);
	loop_free(l);
	return rc;
}

int main(int argc, char **argv)
{
	/* A vanished reader of a pipe (a DNS helper, `sstpc ... | tee`) must be
	 * an EPIPE, not the end of the daemon with the host half-configured. */
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && (strcmp(argv[1], "show") == 0 || strcmp(argv[1], "connect") == 0 ||
			  strcmp(argv[1], "disconnect") == 0))
		return control_cli(argc - 1, argv + 1);

	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "check", no_argument, NULL, 'k' },
		{ "syslog", no_argument, NULL, 's' },       { "log-level", required_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },      { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *level = NULL;
	bool check = false, use_syslog = false;
	int o;
	while ((o = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'c': path = optarg; break;
		case 'k': check = true; break;
		case 's': use_syslog = true; break;
		case 'l': level = optarg; break;
		case 'V':
			printf("sstpc %s (%s, %s)\n%s\n", SSTPC_VERSION, SSTPC_LIBC, SSTPC_LINKAGE,
			       tls_library_info());
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}
	return cmd_run(path, check, use_syslog, level);
}
