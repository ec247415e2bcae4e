/* A host helper run under a deadline that a stop signal cuts short (see
 * helper.h). */
#include "tun/helper.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool stop_pending(void)
{
	sigset_t p;
	return sigpending(&p) == 0 &&
	       (sigismember(&p, SIGTERM) == 1 || sigismember(&p, SIGINT) == 1);
}

/* In the child: stdin from the pipe, stdout to /dev/null, a process group
 * of its own (so a timeout kills its children too), no inherited mask (the
 * daemon blocks its signals for signalfd; the helper and whatever its hooks
 * restart must not inherit that). Never returns. */
static void helper_exec(char *const argv[], char *const envp[], int in)
{
	setpgid(0, 0);
	dup2(in, 0);
	int dn = open("/dev/null", O_WRONLY);
	if (dn >= 0)
		dup2(dn, 1);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (envp)
		execve(argv[0], argv, envp);
	else
		execv(argv[0], argv);
	_exit(127);
}

/* The input is a few hundred bytes, far below a pipe's capacity, so this
 * write completes without waiting for the helper to read. */
static void feed(int fd, const char *input)
{
	size_t n = input ? strlen(input) : 0, off = 0;
	while (off < n) {
		ssize_t w = write(fd, input + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
}

/* Waits for pid until the deadline or a stop signal: 0 with *status set,
 * -ETIMEDOUT or -EINTR with the helper still running. */
int helper_wait(int pid, int timeout_ms, int *status)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	int sigfd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
	int64_t deadline = mono_ms() + timeout_ms;
	int ret;
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid) {
			ret = 0;
			break;
		}
		if (r < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (stop_pending()) {
			ret = -EINTR;
			break;
		}
		int64_t left = deadline - mono_ms();
		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		/* Without a pidfd (kernels before 5.3) poll in short steps. */
		struct pollfd pfd[2] = {{pidfd, POLLIN, 0}, {sigfd, POLLIN, 0}};
		poll(pfd, 2, pidfd >= 0 && sigfd >= 0 ? (int)left : (int)(left < 20 ? left : 20));
	}
	if (pidfd >= 0)
		close(pidfd);
	if (sigfd >= 0)
		close(sigfd);
	return ret;
}

int helper_spawn(char *const argv[], char *const envp[], const char *input)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return -e;
	}
	if (pid == 0)
		helper_exec(argv, envp, pfd[0]);
	setpgid(pid, pid); /* also here: no window in which a kill misses it */
	close(pfd[0]);
	feed(pfd[1], input);
	return pid;
}

void helper_kill(int pid)
{
	int st;
	kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

bool helper_exit_ok(const char *what, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFSIGNALED(status))
		log_warn("%s ended by signal %d", what, WTERMSIG(status));
	else
		log_warn("%s exited with status %d", what,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return false;
}

int helper_run(char *const argv[], const char *input, int timeout_ms)
{
	if (stop_pending())
		return -EINTR;
	int pid = helper_spawn(argv, NULL, input);
	if (pid < 0)
		return pid;
	int st = 0;
	int ret = helper_wait(pid, timeout_ms, &st);
	if (ret == -ETIMEDOUT || ret == -EINTR) {
		helper_kill(pid);
		log_warn("%s %s: killed %s", argv[0], argv[1] ? argv[1] : "",
			 ret == -EINTR ? "to stop at once" : "past its deadline");
		return ret;
	}
	if (ret < 0)
		return ret;
	return helper_exit_ok(argv[0], st) ? 0 : -EIO;
}
