/* Up/down scripts: the exact environment a script gets, the ownership and
 * mode checks, and real scripts run on a real event loop — the loop keeps
 * turning while a script runs, a hanging script (and its child) is killed
 * at its deadline, hooks_free gives a running script its time. */
#include "core/loop.h"
#include "session/hooks.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static void mkdir_tmp(void)
{
	tu_tmpdir_make(dir, sizeof(dir), "hooks");
}

static void cleanup(void)
{
	ck_assert(tu_tmpdir_remove(dir));
}

static void write_script(const char *path, const char *body, mode_t mode)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(body, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static struct hook_facts facts(void)
{
	struct hook_facts f = {.ifname = "sstpc0",
			       .reason = "lost",
			       .error = "the server closed the connection",
			       .server = "vpn.example.com",
			       .server_address = "192.0.2.10",
			       .port = 443,
			       .have6 = true};
	inet_pton(AF_INET, "10.77.0.2", &f.local4);
	inet_pton(AF_INET, "10.77.0.1", &f.peer4);
	inet_pton(AF_INET, "10.77.0.53", &f.dns4[0]);
	inet_pton(AF_INET, "10.77.0.54", &f.dns4[1]);
	memcpy(f.local6, "\x02\x00\x00\x00\x00\x00\x00\x02", 8);
	memcpy(f.peer6, "\x02\x00\x00\x00\x00\x00\x00\x01", 8);
	return f;
}

START_TEST(environment_exact)
{
	struct hook_facts f = facts();
	char buf[2048];
	char *envp[HOOK_ENV_MAX];
	ck_assert(hooks_env(HOOK_DOWN, &f, buf, sizeof(buf), envp));
	static const char *const want[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	    "SSTPC_HOOK=down",
	    "SSTPC_REASON=lost",
	    "SSTPC_INTERFACE=sstpc0",
	    "SSTPC_LOCAL_IPV4=10.77.0.2",
	    "SSTPC_PEER_IPV4=10.77.0.1",
	    "SSTPC_LOCAL_IPV6=fe80::200:0:0:2",
	    "SSTPC_PEER_IPV6=fe80::200:0:0:1",
	    "SSTPC_DNS=10.77.0.53 10.77.0.54",
	    "SSTPC_SERVER=vpn.example.com",
	    "SSTPC_SERVER_ADDRESS=192.0.2.10",
	    "SSTPC_SERVER_PORT=443",
	    "SSTPC_ERROR=the server closed the connection",
	    NULL,
	};
	for (int i = 0; want[i] || envp[i]; i++) {
		ck_assert_ptr_nonnull(envp[i]);
		ck_assert_ptr_nonnull(want[i]);
		ck_assert_str_eq(envp[i], want[i]);
	}
	/* nothing known: empty variables, not missing ones */
	struct hook_facts none = {.ifname = "sstpc1", .reason = "up"};
	ck_assert(hooks_env(HOOK_UP, &none, buf, sizeof(buf), envp));
	ck_assert_str_eq(envp[1], "SSTPC_HOOK=up");
	ck_assert_str_eq(envp[4], "SSTPC_LOCAL_IPV4=");
	ck_assert_str_eq(envp[6], "SSTPC_LOCAL_IPV6=");
	ck_assert_str_eq(envp[8], "SSTPC_DNS=");
	ck_assert_str_eq(envp[11], "SSTPC_SERVER_PORT=0");
	/* one DNS server: no stray blank */
	f.dns4[1] = 0;
	ck_assert(hooks_env(HOOK_UP, &f, buf, sizeof(buf), envp));
	ck_assert_str_eq(envp[8], "SSTPC_DNS=10.77.0.53");
	/* a buffer too small says so */
	ck_assert(!hooks_env(HOOK_UP, &f, buf, 100, envp));
}
END_TEST

START_TEST(script_checks)
{
	mkdir_tmp();
	char path[128], msg[512];
	snprintf(path, sizeof(path), "%s/up", dir);
	write_script(path, "#!/bin/sh\n", 0755);
	ck_assert_msg(hooks_script_ok(path, msg, sizeof(msg)), "%s", msg);
	ck_assert_int_eq(chmod(path, 0757), 0);
	ck_assert(!hooks_script_ok(path, msg, sizeof(msg)));
	ck_assert_ptr_nonnull(
	    strstr(msg, "must be owned by root and not writable by group or others"));
	ck_assert_ptr_nonnull(strstr(msg, "mode 757"));
	ck_assert_int_eq(chmod(path, 0775), 0);
	ck_assert(!hooks_script_ok(path, msg, sizeof(msg)));
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert(!hooks_script_ok(path, msg, sizeof(msg)));
	ck_assert_ptr_nonnull(strstr(msg, "is not executable"));
	ck_assert_int_eq(chmod(path, 0700), 0);
	ck_assert(hooks_script_ok(path, msg, sizeof(msg)));
	/* a directory others may write into (not sticky) */
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert(!hooks_script_ok(path, msg, sizeof(msg)));
	ck_assert_ptr_nonnull(strstr(msg, "its directory"));
	ck_assert_int_eq(chmod(dir, 01777), 0);
	ck_assert(hooks_script_ok(path, msg, sizeof(msg)));
	ck_assert_int_eq(chmod(dir, 0700), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(path, 65534, 0), 0);
		ck_assert(!hooks_script_ok(path, msg, sizeof(msg)));
		ck_assert_ptr_nonnull(strstr(msg, "owner uid 65534"));
	}
	ck_assert(!hooks_script_ok("relative/up", msg, sizeof(msg)));
	snprintf(path, sizeof(path), "%s/missing", dir);
	ck_assert(!hooks_script_ok(path, msg, sizeof(msg)));
	ck_assert_ptr_nonnull(strstr(msg, "No such file"));
	ck_assert(!hooks_script_ok(dir, msg, sizeof(msg)));
	ck_assert_ptr_nonnull(strstr(msg, "not a regular file"));
	cleanup();
}
END_TEST

static int ticks;
static void on_tick(void *arg, uint64_t now)
{
	(void)arg, (void)now;
	ticks++;
}

/* Runs the loop for ms, a 50 ms ticker proving it is not held. */
static void spin(struct loop *l, int ms)
{
	struct loop_timer t;
	loop_timer_init(&t, on_tick, l);
	uint64_t end = loop_now(l) + (uint64_t)ms;
	while (loop_now(l) < end) {
		if (t.deadline == UINT64_MAX)
			loop_timer_set(l, &t, loop_now(l) + 50);
		loop_run_once(l, 50);
	}
	loop_timer_cancel(l, &t);
}

static bool file_has(const char *path, const char *text)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, text) != NULL;
}

START_TEST(script_runs_with_environment_and_arguments)
{
	mkdir_tmp();
	char path[128], out[128], body[512];
	snprintf(path, sizeof(path), "%s/up", dir);
	snprintf(out, sizeof(out), "%s/env", dir);
	snprintf(body, sizeof(body),
		 "#!/bin/sh\n{ echo \"args $1 $2\"; env; } > %s.tmp\nmv %s.tmp %s\n", out, out,
		 out);
	write_script(path, body, 0700);
	struct loop *l = loop_new();
	struct hooks *h = hooks_new(l);
	struct hook_facts f = facts();
	f.reason = "up";
	hooks_run(h, HOOK_UP, path, 5000, &f);
	ck_assert(hooks_running(h, HOOK_UP));
	for (int i = 0; i < 100 && hooks_running(h, HOOK_UP); i++)
		loop_run_once(l, 50);
	ck_assert(!hooks_running(h, HOOK_UP));
	ck_assert(file_has(out, "args sstpc0 up\n"));
	ck_assert(file_has(out, "SSTPC_LOCAL_IPV4=10.77.0.2\n"));
	ck_assert(file_has(out, "SSTPC_DNS=10.77.0.53 10.77.0.54\n"));
	ck_assert(file_has(out, "SSTPC_HOOK=up\n"));
	/* the daemon's own environment does not leak in */
	setenv("SSTPC_TEST_SECRET", "x", 1);
	unlink(out);
	hooks_run(h, HOOK_UP, path, 5000, &f);
	for (int i = 0; i < 100 && hooks_running(h, HOOK_UP); i++)
		loop_run_once(l, 50);
	ck_assert(file_has(out, "SSTPC_HOOK=up\n"));
	ck_assert(!file_has(out, "SSTPC_TEST_SECRET"));
	/* a world-writable script is not run at all */
	unlink(out);
	chmod(path, 0777);
	hooks_run(h, HOOK_UP, path, 5000, &f);
	ck_assert(!hooks_running(h, HOOK_UP));
	spin(l, 200);
	ck_assert_int_ne(access(out, F_OK), 0);
	hooks_free(h);
	loop_free(l);
	cleanup();
}
END_TEST

/* A process that is gone or a zombie waiting for its reaper. */
static bool gone(pid_t pid)
{
	char p[64], st[512];
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(p, "r");
	if (!f)
		return true;
	size_t n = fread(st, 1, sizeof(st) - 1, f);
	fclose(f);
	st[n] = 0;
	const char *e = strrchr(st, ')');
	return e && e[1] == ' ' && e[2] == 'Z';
}

START_TEST(hanging_script_killed_at_deadline_loop_keeps_turning)
{
	mkdir_tmp();
	char path[128], pids[128], body[512];
	snprintf(path, sizeof(path), "%s/hang", dir);
	snprintf(pids, sizeof(pids), "%s/pids", dir);
	snprintf(body, sizeof(body),
		 "#!/bin/sh\nsleep 1000 &\necho $$ $! > %s.tmp\nmv %s.tmp %s\nwait\n", pids, pids,
		 pids);
	write_script(path, body, 0700);
	struct loop *l = loop_new();
	struct hooks *h = hooks_new(l);
	struct hook_facts f = facts();
	uint64_t t0 = loop_now(l);
	hooks_run(h, HOOK_DOWN, path, 700, &f);
	ck_assert_uint_lt(loop_now(l) - t0, 200); /* started, not waited for */
	ticks = 0;
	spin(l, 400);
	ck_assert(hooks_running(h, HOOK_DOWN));
	ck_assert_int_ge(ticks, 4); /* the loop was serving its timers meanwhile */
	spin(l, 1000);
	ck_assert(!hooks_running(h, HOOK_DOWN));
	int sh = 0, sl = 0;
	FILE *pf = fopen(pids, "r");
	ck_assert_ptr_nonnull(pf);
	ck_assert_int_eq(fscanf(pf, "%d %d", &sh, &sl), 2);
	fclose(pf);
	ck_assert(gone(sh));
	for (int i = 0; i < 50 && !gone(sl); i++)
		usleep(10000); /* the orphaned sleep is reaped by init */
	ck_assert(gone(sl));
	/* hooks_free waits for a script within its deadline */
	unlink(pids);
	char quick[128], done[128];
	snprintf(quick, sizeof(quick), "%s/quick", dir);
	snprintf(done, sizeof(done), "%s/done", dir);
	snprintf(body, sizeof(body), "#!/bin/sh\nsleep 0.3\ntouch %s\n", done);
	write_script(quick, body, 0700);
	hooks_run(h, HOOK_DOWN, quick, 5000, &f);
	hooks_free(h);
	ck_assert_int_eq(access(done, F_OK), 0);
	loop_free(l);
	cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hooks");
	TCase *tc = tcase_create("hooks");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, environment_exact);
	tcase_add_test(tc, script_checks);
	tcase_add_test(tc, script_runs_with_environment_and_arguments);
	tcase_add_test(tc, hanging_script_killed_at_deadline_loop_keeps_turning);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
