/* Up/down scripts on the event loop (see hooks.h). */
#include "session/hooks.h"

#include "core/log.h"
#include "core/loop.h"
#include "tun/helper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Without a pidfd (kernels before 5.3) the timer looks every so often. */
#define HOOK_POLL_MS 100

struct hook_slot {
	struct hooks *h;
	enum hook_kind kind;
	int pid; /* 0: none running */
	int pidfd;
	uint64_t deadline;
	struct loop_timer timer;
	char name[PATH_MAX + 16]; /* "up-script /path" for the log */
};

struct hooks {
	struct loop *loop;
	struct hook_slot slot[2];
};

static const char *const hook_key[] = {"up-script", "down-script"};

/* ------------------------------------------------------- environment */

struct env_writer {
	char *buf;
	size_t len, used;
	char **envp;
	int n;
	bool ok;
};

static void env_put(struct env_writer *w, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void env_put(struct env_writer *w, const char *name, const char *fmt, ...)
{
	if (!w->ok || w->n + 1 >= HOOK_ENV_MAX) {
		w->ok = false;
		return;
	}
	char *at = w->buf + w->used;
	size_t room = w->len - w->used;
	int a = snprintf(at, room, "%s=", name);
	if (a < 0 || (size_t)a >= room) {
		w->ok = false;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int b = vsnprintf(at + a, room - (size_t)a, fmt, ap);
	va_end(ap);
	if (b < 0 || (size_t)(a + b) >= room) {
		w->ok = false;
		return;
	}
	w->envp[w->n++] = at;
	w->envp[w->n] = NULL;
	w->used += (size_t)(a + b) + 1;
}

static void fmt4(uint32_t a, char *out)
{
	out[0] = '\0';
	if (a)
		inet_ntop(AF_INET, &a, out, INET_ADDRSTRLEN);
}

static void fmt6(bool have, const uint8_t id[8], char *out)
{
	out[0] = '\0';
	if (!have)
		return;
	uint8_t a[16] = {0xfe, 0x80};
	memcpy(a + 8, id, 8);
	inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
}

bool hooks_env(enum hook_kind k, const struct hook_facts *f, char *buf, size_t len,
	       char *envp[HOOK_ENV_MAX])
{
	struct env_writer w = {buf, len, 0, envp, 0, true};
	char l4[INET_ADDRSTRLEN], p4[INET_ADDRSTRLEN], d0[INET_ADDRSTRLEN], d1[INET_ADDRSTRLEN];
	char l6[INET6_ADDRSTRLEN], p6[INET6_ADDRSTRLEN];
	envp[0] = NULL;
	fmt4(f->local4, l4);
	fmt4(f->peer4, p4);
	fmt4(f->dns4[0], d0);
	fmt4(f->dns4[1], d1);
	fmt6(f->have6, f->local6, l6);
	fmt6(f->have6, f->peer6, p6);
	env_put(&w, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env_put(&w, "SSTPC_HOOK", "%s", k == HOOK_UP ? "up" : "down");
	env_put(&w, "SSTPC_REASON", "%s", f->reason ? f->reason : "");
	env_put(&w, "SSTPC_INTERFACE", "%s", f->ifname ? f->ifname : "");
	env_put(&w, "SSTPC_LOCAL_IPV4", "%s", l4);
	env_put(&w, "SSTPC_PEER_IPV4", "%s", p4);
	env_put(&w, "SSTPC_LOCAL_IPV6", "%s", l6);
	env_put(&w, "SSTPC_PEER_IPV6", "%s", p6);
	env_put(&w, "SSTPC_DNS", "%s%s%s", d0, d0[0] && d1[0] ? " " : "", d1);
	env_put(&w, "SSTPC_SERVER", "%s", f->server ? f->server : "");
	env_put(&w, "SSTPC_SERVER_ADDRESS", "%s", f->server_address ? f->server_address : "");
	env_put(&w, "SSTPC_SERVER_PORT", "%u", f->port);
	env_put(&w, "SSTPC_ERROR", "%s", f->error ? f->error : "");
	return w.ok;
}

/* ------------------------------------------------------------ checks */

static bool owner_ok(const struct stat *st, bool dir)
{
	if (st->st_uid != 0)
		return false;
	/* A directory others may write into lets them swap the file, unless
	 * it is sticky (then only root removes root's files). */
	if (dir)
		return !(st->st_mode & (S_IWGRP | S_IWOTH)) || (st->st_mode & S_ISVTX);
	return !(st->st_mode & (S_IWGRP | S_IWOTH));
}

bool hooks_script_ok(const char *path, char *msg, size_t len)
{
	struct stat st;
	if (path[0] != '/') {
		snprintf(msg, len, "'%s' is not an absolute file name", path);
		return false;
	}
	if (stat(path, &st) < 0) {
		snprintf(msg, len, "'%s': %s", path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(msg, len, "'%s' is not a regular file", path);
		return false;
	}
	if (!owner_ok(&st, false)) {
		snprintf(msg, len,
			 "'%s' must be owned by root and not writable by group or others "
			 "(owner uid %u, mode %03o): chown root '%s' && chmod go-w '%s'",
			 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777), path, path);
		return false;
	}
	if (!(st.st_mode & S_IXUSR)) {
		snprintf(msg, len, "'%s' is not executable (mode %03o)", path,
			 (unsigned)(st.st_mode & 0777));
		return false;
	}
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir)) {
		snprintf(msg, len, "'%s': file name too long", path);
		return false;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (stat(dir, &st) < 0 || !owner_ok(&st, true)) {
		snprintf(
		    msg, len,
		    "'%s': its directory %s must be owned by root and not writable by group or "
		    "others",
		    path, dir);
		return false;
	}
	return true;
}

/* ----------------------------------------------------------- running */

static void slot_done(struct hook_slot *sl)
{
	if (sl->pidfd >= 0) {
		loop_del_fd(sl->h->loop, sl->pidfd);
		close(sl->pidfd);
	}
	sl->pidfd = -1;
	sl->pid = 0;
	loop_timer_cancel(sl->h->loop, &sl->timer);
}

static void slot_kill(struct hook_slot *sl, const char *why)
{
	helper_kill(sl->pid);
	log_warn("%s: killed %s", sl->name, why);
	slot_done(sl);
}

/* True (and the slot freed) once the script has exited. */
static bool slot_reap(struct hook_slot *sl)
{
	int st;
	pid_t r = waitpid(sl->pid, &st, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return false;
	if (r == sl->pid && helper_exit_ok(sl->name, st))
		log_info("%s: done", sl->name);
	slot_done(sl);
	return true;
}

static void on_hook_timer(void *arg, uint64_t now)
{
	struct hook_slot *sl = arg;
	if (!sl->pid || slot_reap(sl))
		return;
	if (now >= sl->deadline) {
		slot_kill(sl, "past its script-timeout");
		return;
	}
	uint64_t next = sl->pidfd >= 0 ? sl->deadline : now + HOOK_POLL_MS;
	loop_timer_set(sl->h->loop, &sl->timer, next < sl->deadline ? next : sl->deadline);
}

static void on_hook_exit(void *arg, int fd, unsigned events)
{
	(void)fd, (void)events;
	struct hook_slot *sl = arg;
	if (sl->pid)
		slot_reap(sl);
}

struct hooks *hooks_new(struct loop *l)
{
	struct hooks *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->loop = l;
	for (int k = 0; k < 2; k++) {
		h->slot[k] = (struct hook_slot){.h = h, .kind = (enum hook_kind)k, .pidfd = -1};
		loop_timer_init(&h->slot[k].timer, on_hook_timer, &h->slot[k]);
	}
	return h;
}

bool hooks_running(const struct hooks *h, enum hook_kind k)
{
	return h && h->slot[k].pid != 0;
}

void hooks_run(struct hooks *h, enum hook_kind k, const char *path, unsigned timeout_ms,
	       const struct hook_facts *f)
{
	if (!h || !path || !path[0])
		return;
	struct hook_slot *sl = &h->slot[k];
	char msg[512];
	if (sl->pid)
		slot_kill(sl, "to run it again");
	snprintf(sl->name, sizeof(sl->name), "%s %s", hook_key[k], path);
	if (!hooks_script_ok(path, msg, sizeof(msg))) {
		log_err("%s: not run: %s", hook_key[k], msg);
		return;
	}
	char buf[2048];
	char *envp[HOOK_ENV_MAX];
	if (!hooks_env(k, f, buf, sizeof(buf), envp)) {
		log_err("%s: not run: its environment does not fit", sl->name);
		return;
	}
	char *argv[] = {(char *)path, (char *)(f->ifname ? f->ifname : ""),
			(char *)(f->reason ? f->reason : ""), NULL};
	int pid = helper_spawn(argv, envp, NULL);
	if (pid < 0) {
		log_err("%s: cannot start: %s", sl->name, strerror(-pid));
		return;
	}
	sl->pid = pid;
	sl->deadline = loop_now(h->loop) + timeout_ms;
	sl->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (sl->pidfd >= 0 && loop_add_fd(h->loop, sl->pidfd, LOOP_READ, on_hook_exit, sl) < 0) {
		close(sl->pidfd);
		sl->pidfd = -1;
	}
	log_info("%s: started (%s)", sl->name, f->reason ? f->reason : "");
	on_hook_timer(sl, loop_now(h->loop)); /* arms the deadline (or the poll) */
}

void hooks_free(struct hooks *h)
{
	if (!h)
		return;
	for (int k = 0; k < 2; k++) {
		struct hook_slot *sl = &h->slot[k];
		if (!sl->pid)
			continue;
		if (k == HOOK_UP) { /* the tunnel it was for is gone */
			slot_kill(sl, "as the daemon stops");
			continue;
		}
		uint64_t now = loop_now(h->loop);
		int left = sl->deadline > now ? (int)(sl->deadline - now) : 0;
		int st = 0;
		int rc = helper_wait(sl->pid, left, &st);
		if (rc == 0) {
			if (helper_exit_ok(sl->name, st))
				log_info("%s: done", sl->name);
			slot_done(sl);
		} else {
			slot_kill(sl, rc == -EINTR ? "to stop at once" : "past its script-timeout");
		}
	}
	free(h);
}
