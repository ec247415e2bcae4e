/* DNS helpers under a deadline: a helper that hangs (and its child) is
 * killed past the deadline; a SIGTERM that arrives while it runs ends the
 * wait at once, kills it, and stays pending for the event loop; a normal
 * helper's stdin and exit status come through. Real processes: /bin/sh
 * scripts written by the test. */
#include "testutil.h"
#include "tun/helper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static char script[128], pids[128];

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A helper that records its own PID and its child's, then waits forever. */
static void make_hanging(void)
{
	tu_tmpdir_make(dir, sizeof(dir), "helper");
	snprintf(script, sizeof(script), "%s/hang", dir);
	snprintf(pids, sizeof(pids), "%s/pids", dir);
	FILE *f = fopen(script, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\nsleep 1000 &\necho $$ $! > %s.tmp\nmv %s.tmp %s\nwait\n", pids, pids,
		pids);
	fclose(f);
	chmod(script, 0700);
}

/* A process that is gone or a zombie waiting for its reaper. */
static int gone(pid_t pid)
{
	char p[64], st[512];
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(p, "r");
	if (!f)
		return 1;
	size_t n = fread(st, 1, sizeof(st) - 1, f);
	fclose(f);
	st[n] = 0;
	const char *e = strrchr(st, ')');
	return e && e[1] == ' ' && e[2] == 'Z';
}

static void check_both_killed(void)
{
	int a = 0, b = 0;
	FILE *f = fopen(pids, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d %d", &a, &b), 2);
	fclose(f);
	for (int i = 0; i < 50 && !(gone(a) && gone(b)); i++)
		usleep(20000);
	ck_assert_msg(gone(a), "the helper %d survived", a);
	ck_assert_msg(gone(b), "the helper's child %d survived", b);
}

static void cleanup(void)
{
	ck_assert(tu_tmpdir_remove(dir));
}

START_TEST(hanging_helper_killed_at_deadline)
{
	make_hanging();
	char *argv[] = {script, "-a", NULL};
	long long t0 = now_ms();
	ck_assert_int_eq(helper_run(argv, "nameserver 10.0.0.1\n", 800), -ETIMEDOUT);
	long long took = now_ms() - t0;
	ck_assert_msg(took >= 800 && took < 3000, "took %lld ms", took);
	check_both_killed();
	cleanup();
}
END_TEST

START_TEST(sigterm_ends_the_wait_and_stays_pending)
{
	make_hanging();
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &term, NULL), 0); /* as the daemon's loop does */
	pid_t me = getpid();
	pid_t k = fork();
	ck_assert_int_ge(k, 0);
	if (k == 0) {
		usleep(500000);
		kill(me, SIGTERM);
		_exit(0);
	}
	char *argv[] = {script, "-a", NULL};
	long long t0 = now_ms();
	ck_assert_int_eq(helper_run(argv, NULL, 20000), -EINTR);
	long long took = now_ms() - t0;
	ck_assert_msg(took < 1500, "SIGTERM answered after %lld ms", took);
	check_both_killed();
	sigset_t p;
	ck_assert_int_eq(sigpending(&p), 0);
	ck_assert_int_eq(sigismember(&p, SIGTERM), 1);
	/* still pending: the next helper is not even started */
	ck_assert_int_eq(helper_run(argv, NULL, 20000), -EINTR);
	waitpid(k, NULL, 0);
	cleanup();
}
END_TEST

START_TEST(normal_helper_gets_stdin_and_status)
{
	tu_tmpdir_make(dir, sizeof(dir), "helper");
	snprintf(script, sizeof(script), "%s/ok", dir);
	snprintf(pids, sizeof(pids), "%s/out", dir);
	FILE *f = fopen(script, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\ncat > %s\n[ \"$1\" = -a ] || exit 3\n", pids);
	fclose(f);
	chmod(script, 0700);
	char *argv[] = {script, "-a", NULL};
	ck_assert_int_eq(helper_run(argv, "nameserver 10.0.0.1\n", 5000), 0);
	char buf[64] = "";
	f = fopen(pids, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "nameserver 10.0.0.1\n");
	char *bad[] = {script, "-d", NULL};
	ck_assert_int_eq(helper_run(bad, NULL, 5000), -EIO);
	cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("helper");
	TCase *tc = tcase_create("helper");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, hanging_helper_killed_at_deadline);
	tcase_add_test(tc, sigterm_ends_the_wait_and_stays_pending);
	tcase_add_test(tc, normal_helper_gets_stdin_and_status);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
