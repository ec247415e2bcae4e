/* sstpc: the command line. */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/log.h"
#include "core/loop.h"
#include "session/control.h"
#include "session/session.h"
#include "session/hooks.h"
#include "tls/tls.h"
#include "core/secret.h"
#include "tun/nl.h"

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
	fprintf(
	    out,
	    "usage: sstpc -c FILE [--syslog] [--log-level LEVEL]   run the tunnel (foreground)\n"
	    "       sstpc --check -c FILE                         validate, print the effective "
	    "config\n"
	    "       sstpc show interfaces sstpc [IF] [--json]     status and counters (VyOS "
	    "layout)\n"
	    "       sstpc show interfaces sstpc detail            every tunnel in detail\n"
	    "       sstpc show interfaces sstpc IF statistics     pppstats-style counters\n"
	    "       sstpc show interfaces sstpc IF log            the daemon's recent log lines\n"
	    "       sstpc connect interface IF                    (re)connect a running tunnel\n"
	    "       sstpc disconnect interface IF                 disconnect, stay down until "
	    "connect\n"
	    "       sstpc clear interfaces connection IF          end the session, start a new one "
	    "now\n"
	    "       sstpc --version | --help\n"
	    "\n"
	    "FILE holds one tunnel as VyOS paths below `interfaces sstpc IF`\n"
	    "(see sstpc.conf(5)). LEVEL: error, warning, notice, info, debug.\n");
}

/* --check: what the file names on this host now. A VRF that does not
 * exist yet is fine (it may be made before the tunnel starts); a device of
 * that name that is not a VRF is not. */
static bool check_host(const struct conf *c, const struct conf_lines *lines)
{
	int idx = 0;
	if (c->vrf[0] && nl_link_index(c->vrf) > 0 && !nl_link_is_vrf(c->vrf, &idx)) {
		fprintf(stderr, "sstpc: %s:%u: vrf: device '%s' exists but is not a VRF\n", c->path,
			lines->vrf, c->vrf);
		return false;
	}
	return true;
}

/* up-script / down-script must be root's and not writable by others (a
 * script run as root); refused by --check and at start alike. */
static bool check_scripts(const struct conf *c, const struct conf_lines *lines)
{
	const char *path[2] = {c->up_script, c->down_script};
	const unsigned line[2] = {lines->up_script, lines->down_script};
	char why[PATH_MAX + 200];
	for (int i = 0; i < 2; i++) {
		if (path[i][0] && !hooks_script_ok(path[i], why, sizeof(why))) {
			fprintf(stderr, "sstpc: %s:%u: %s: %s\n", c->path, line[i],
				i ? "down-script" : "up-script", why);
			return false;
		}
	}
	return true;
}

static int cmd_run(const char *path, bool check, bool use_syslog, const char *level)
{
	struct conf c;
	char err[512];
	struct conf_lines lines;
	if (!conf_load_lines(&c, path, &lines, err, sizeof(err))) {
		fprintf(stderr, "sstpc: %s\n", err);
		return 1;
	}
	if ((check && !check_host(&c, &lines)) || !check_scripts(&c, &lines)) {
		secure_wipe(&c, sizeof(c));
		return 1;
	}
	/* A password others can read: --check warns, the daemon refuses. */
	char why[PATH_MAX + 160];
	bool private = conf_secrets_private(&c, why, sizeof(why));
	if (check) {
		if (!private)
			fprintf(stderr, "sstpc: warning: %s\n", why);
		conf_print(&c, stdout);
		secure_wipe(&c, sizeof(c));
		return 0;
	}
	if (!private) {
		fprintf(stderr, "sstpc: refusing to start: %s\n", why);
		secure_wipe(&c, sizeof(c));
		return 1;
	}
	int rc = secret_no_core_dumps();
	if (rc < 0)
		fprintf(stderr, "sstpc: cannot switch core dumps off: %s\n", strerror(-rc));
	enum log_level lvl = (enum log_level)c.log_level;
	if (level && !log_level_parse(level, &lvl)) {
		fprintf(stderr,
			"sstpc: --log-level: expected error, warning, notice, info or debug\n");
		secure_wipe(&c, sizeof(c));
		return 1;
	}
	log_setup(c.ifname, lvl, use_syslog);
	struct loop *l = loop_new();
	if (!l) {
		log_err("cannot create the event loop");
		secure_wipe(&c, sizeof(c));
		return 1;
	}
	struct session *s = session_new(&c, l, err, sizeof(err));
	secure_wipe(c.password, sizeof(c.password));
	secure_wipe(c.proxy_password, sizeof(c.proxy_password));
	secure_wipe(c.pki, sizeof(c.pki)); /* private keys */
	if (!s) {
		log_err("%s", err);
		loop_free(l);
		return 1;
	}
	struct control *ctl = control_open(c.ifname, s, l, err, sizeof(err));
	if (!ctl)
		log_warn("control socket: %s (show/connect/disconnect unavailable)", err);
	rc = session_run(s);
	control_close(ctl);
	session_free(s);
	loop_free(l);
	return rc;
}

int main(int argc, char **argv)
{
	/* First of all: the signals the loop takes through signalfd are held
	 * pending from here on, so a SIGTERM that arrives while the process is
	 * still starting (an init system or test stopping it at once) ends the
	 * tunnel cleanly once the loop runs, never with the default action and
	 * a half-configured host. */
	sigset_t daemon_sigs, old_mask;
	sigemptyset(&daemon_sigs);
	sigaddset(&daemon_sigs, SIGTERM);
	sigaddset(&daemon_sigs, SIGINT);
	sigaddset(&daemon_sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &daemon_sigs, &old_mask);
	/* A vanished reader of a pipe (a DNS helper, `sstpc ... | tee`) must be
	 * an EPIPE, not the end of the daemon with the host half-configured. */
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && (strcmp(argv[1], "show") == 0 || strcmp(argv[1], "connect") == 0 ||
			  strcmp(argv[1], "disconnect") == 0 || strcmp(argv[1], "clear") == 0)) {
		/* The client commands keep the usual Ctrl-C. */
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		return control_cli(argc - 1, argv + 1);
	}

	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check", no_argument, NULL, 'k'},
	    {"syslog", no_argument, NULL, 's'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *path = NULL, *level = NULL;
	bool check = false, use_syslog = false;
	int o;
	while ((o = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 's':
			use_syslog = true;
			break;
		case 'l':
			level = optarg;
			break;
		case 'V':
			printf("sstpc %s (%s, %s)\n%s\n", SSTPC_VERSION, SSTPC_LIBC, SSTPC_LINKAGE,
			       tls_library_info());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}
	return cmd_run(path, check, use_syslog, level);
}
