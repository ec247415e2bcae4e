#include "core/loop.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_IDX_NONE UINT_MAX
#define LOOP_MAX_EVENTS 32

struct loop_fd {
	loop_fd_cb cb;
	void *arg;
	unsigned events;
	/* Bumped on every registration so that events still queued for a
	 * deleted fd (same epoll_wait batch) are not delivered to a newcomer
	 * that reused the number. */
	uint32_t gen;
	bool used;
};

/* The sequence number makes equal deadlines fire in the order they were
 * armed, which a bare binary heap would not guarantee. */
struct loop_heap_ent {
	struct loop_timer *t;
	uint64_t seq;
};

struct loop {
	int epfd;
	bool stop;
	loop_clock_fn clock;
	void *clock_arg;

	struct loop_fd *fds;
	size_t nfds; /* capacity, indexed by fd */

	struct loop_heap_ent *heap;
	unsigned heap_len, heap_cap;
	uint64_t seq;

	int sigfd;
	sigset_t sigmask;     /* signals routed through sigfd */
	sigset_t sigmask_old; /* process mask before the first loop_add_signal */
	bool sigmask_saved;
	struct {
		loop_signal_cb cb;
		void *arg;
	} sig[_NSIG];
};

uint64_t loop_clock_monotonic(void *arg)
{
	(void)arg;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->clock = loop_clock_monotonic;
	l->sigfd = -1;
	sigemptyset(&l->sigmask);
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	for (unsigned i = 0; i < l->heap_len; i++) {
		l->heap[i].t->idx = LOOP_IDX_NONE;
		l->heap[i].t->deadline = UINT64_MAX;
	}
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->sigmask_saved) {
		/* Drain nothing: signals still pending stay pending and are
		 * delivered with their default action once unblocked, which is
		 * what the process would have seen without the loop. */
		sigprocmask(SIG_SETMASK, &l->sigmask_old, NULL);
	}
	close(l->epfd);
	free(l->fds);
	free(l->heap);
	free(l);
}

void loop_set_clock(struct loop *l, loop_clock_fn fn, void *arg)
{
	l->clock = fn ? fn : loop_clock_monotonic;
	l->clock_arg = fn ? arg : NULL;
}

uint64_t loop_now(struct loop *l)
{
	return l->clock(l->clock_arg);
}

static uint32_t loop_epoll_events(unsigned events)
{
	uint32_t ev = 0;
	if (events & LOOP_READ)
		ev |= EPOLLIN | EPOLLRDHUP;
	if (events & LOOP_WRITE)
		ev |= EPOLLOUT;
	if (events & LOOP_WATCH)
		ev |= EPOLLIN | EPOLLET;
	return ev;
}

static int loop_fd_grow(struct loop *l, int fd)
{
	if ((size_t)fd < l->nfds)
		return 0;
	size_t n = l->nfds ? l->nfds : 16;
	while (n <= (size_t)fd)
		n *= 2;
	struct loop_fd *p = realloc(l->fds, n * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p + l->nfds, 0, (n - l->nfds) * sizeof(*p));
	l->fds = p;
	l->nfds = n;
	return 0;
}

int loop_add_fd(struct loop *l, int fd, unsigned events, loop_fd_cb cb, void *arg)
{
	if (fd < 0 || !cb)
		return -EINVAL;
	int rc = loop_fd_grow(l, fd);
	if (rc < 0)
		return rc;
	struct loop_fd *f = &l->fds[fd];
	if (f->used)
		return -EEXIST;
	uint32_t gen = f->gen + 1;
	struct epoll_event ev = {.events = loop_epoll_events(events),
				 .data.u64 = (uint64_t)gen << 32 | (uint32_t)fd};
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	f->cb = cb;
	f->arg = arg;
	f->events = events;
	f->gen = gen;
	f->used = true;
	return 0;
}

int loop_mod_fd(struct loop *l, int fd, unsigned events)
{
	if (fd < 0 || (size_t)fd >= l->nfds || !l->fds[fd].used)
		return -ENOENT;
	struct loop_fd *f = &l->fds[fd];
	if (f->events == events)
		return 0;
	struct epoll_event ev = {.events = loop_epoll_events(events),
				 .data.u64 = (uint64_t)f->gen << 32 | (uint32_t)fd};
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	f->events = events;
	return 0;
}

void loop_del_fd(struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nfds || !l->fds[fd].used)
		return;
	/* Fails harmlessly if the fd was already closed (epoll dropped it). */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd].used = false;
	l->fds[fd].cb = NULL;
	l->fds[fd].arg = NULL;
}

/* ---- timers: binary min-heap ordered by (deadline, seq) ---- */

static bool loop_heap_less(const struct loop_heap_ent *a, const struct loop_heap_ent *b)
{
	if (a->t->deadline != b->t->deadline)
		return a->t->deadline < b->t->deadline;
	return a->seq < b->seq;
}

static void loop_heap_place(struct loop *l, unsigned i, struct loop_heap_ent e)
{
	l->heap[i] = e;
	e.t->idx = i;
}

static void loop_heap_up(struct loop *l, unsigned i)
{
	struct loop_heap_ent e = l->heap[i];
	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		if (!loop_heap_less(&e, &l->heap[parent]))
			break;
		loop_heap_place(l, i, l->heap[parent]);
		i = parent;
	}
	loop_heap_place(l, i, e);
}

static void loop_heap_down(struct loop *l, unsigned i)
{
	struct loop_heap_ent e = l->heap[i];
	for (;;) {
		unsigned c = 2 * i + 1;
		if (c >= l->heap_len)
			break;
		if (c + 1 < l->heap_len && loop_heap_less(&l->heap[c + 1], &l->heap[c]))
			c++;
		if (!loop_heap_less(&l->heap[c], &e))
			break;
		loop_heap_place(l, i, l->heap[c]);
		i = c;
	}
	loop_heap_place(l, i, e);
}

static void loop_heap_remove(struct loop *l, unsigned i)
{
	struct loop_timer *t = l->heap[i].t;
	l->heap_len--;
	if (i != l->heap_len) {
		struct loop_heap_ent last = l->heap[l->heap_len];
		loop_heap_place(l, i, last);
		if (i > 0 && loop_heap_less(&l->heap[i], &l->heap[(i - 1) / 2]))
			loop_heap_up(l, i);
		else
			loop_heap_down(l, i);
	}
	t->idx = LOOP_IDX_NONE;
}

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg)
{
	t->deadline = UINT64_MAX;
	t->cb = cb;
	t->arg = arg;
	t->idx = LOOP_IDX_NONE;
}

static bool loop_timer_in_heap(struct loop *l, const struct loop_timer *t)
{
	return t->idx < l->heap_len && l->heap[t->idx].t == t;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (loop_timer_in_heap(l, t))
		loop_heap_remove(l, t->idx);
	t->idx = LOOP_IDX_NONE;
	t->deadline = UINT64_MAX;
}

void loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t deadline)
{
	/* The link re-arms its timer on every wake, mostly for the deadline
	 * it already has: leave the heap alone then (the timer also keeps
	 * its place among timers due at the same time). */
	bool armed = loop_timer_in_heap(l, t);
	if (deadline == t->deadline && armed == (deadline != UINT64_MAX))
		return;
	if (armed)
		loop_heap_remove(l, t->idx);
	t->deadline = deadline;
	t->idx = LOOP_IDX_NONE;
	if (deadline == UINT64_MAX)
		return;
	if (l->heap_len == l->heap_cap) {
		unsigned cap = l->heap_cap ? l->heap_cap * 2 : 16;
		struct loop_heap_ent *p = realloc(l->heap, cap * sizeof(*p));
		if (!p) {
			/* Out of memory: leave it visibly disarmed
			 * (deadline UINT64_MAX) rather than half-armed. */
			t->deadline = UINT64_MAX;
			return;
		}
		l->heap = p;
		l->heap_cap = cap;
	}
	unsigned i = l->heap_len++;
	l->heap[i] = (struct loop_heap_ent){.t = t, .seq = l->seq++};
	t->idx = i;
	loop_heap_up(l, i);
}

/* Fires timers due at now, in (deadline, arming) order. A timer re-armed
 * from a callback for a time already due waits for the next round, so a
 * callback that keeps re-arming for `now` cannot spin this forever. */
static int loop_fire_due(struct loop *l, uint64_t now)
{
	uint64_t bound = l->seq;
	int n = 0;
	while (l->heap_len > 0) {
		struct loop_heap_ent top = l->heap[0];
		if (top.t->deadline > now || top.seq >= bound)
			break;
		loop_heap_remove(l, 0);
		top.t->deadline = UINT64_MAX;
		n++;
		if (top.t->cb)
			top.t->cb(top.t->arg, now);
	}
	return n;
}

void loop_fire_timers(struct loop *l)
{
	loop_fire_due(l, loop_now(l));
}

/* ---- signals ---- */

static void loop_signal_read(void *arg, int fd, unsigned events)
{
	struct loop *l = arg;
	struct signalfd_siginfo si[8];
	for (;;) {
		ssize_t n = read(fd, si, sizeof(si));
		if (n <= 0)
			return;
		for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++) {
			unsigned signo = si[i].ssi_signo;
			if (signo < _NSIG && l->sig[signo].cb)
				l->sig[signo].cb(l->sig[signo].arg, (int)signo);
		}
	}
}

int loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *arg)
{
	if (signo <= 0 || signo >= _NSIG || !cb)
		return -EINVAL;
	sigset_t mask = l->sigmask;
	if (sigaddset(&mask, signo) < 0)
		return -errno;
	sigset_t old;
	if (sigprocmask(SIG_BLOCK, &mask, &old) < 0)
		return -errno;
	if (!l->sigmask_saved) {
		l->sigmask_old = old;
		l->sigmask_saved = true;
	}
	int fd = signalfd(l->sigfd, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (l->sigfd < 0) {
		int rc = loop_add_fd(l, fd, LOOP_READ, loop_signal_read, l);
		if (rc < 0) {
			close(fd);
			return rc;
		}
		l->sigfd = fd;
	}
	l->sigmask = mask;
	l->sig[signo].cb = cb;
	l->sig[signo].arg = arg;
	return 0;
}

/* ---- running ---- */

int loop_run_once(struct loop *l, int max_wait_ms)
{
	int timeout = max_wait_ms;
	if (l->heap_len > 0) {
		uint64_t now = loop_now(l);
		uint64_t dl = l->heap[0].t->deadline;
		uint64_t wait = dl > now ? dl - now : 0;
		if (wait > INT_MAX)
			wait = INT_MAX;
		if (timeout < 0 || (uint64_t)timeout > wait)
			timeout = (int)wait;
	}
	struct epoll_event ev[LOOP_MAX_EVENTS];
	int n = epoll_wait(l->epfd, ev, LOOP_MAX_EVENTS, timeout);
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	int handled = 0;
	for (int i = 0; i < n; i++) {
		int fd = (int)(uint32_t)ev[i].data.u64;
		uint32_t gen = (uint32_t)(ev[i].data.u64 >> 32);
		/* A callback earlier in this batch may have removed the fd. */
		if ((size_t)fd >= l->nfds || !l->fds[fd].used || l->fds[fd].gen != gen)
			continue;
		unsigned events = 0;
		if (ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))
			events |= LOOP_READ;
		if (ev[i].events & EPOLLOUT)
			events |= LOOP_WRITE;
		/* An error on a write-only registration (e.g. a failed
		 * non-blocking connect) must still reach the callback. */
		if ((ev[i].events & (EPOLLERR | EPOLLHUP)) && (l->fds[fd].events & LOOP_WRITE))
			events |= LOOP_WRITE;
		if (ev[i].events & (EPOLLERR | EPOLLHUP))
			events |= LOOP_ERROR;
		l->fds[fd].cb(l->fds[fd].arg, fd, events);
		handled++;
	}
	handled += loop_fire_due(l, loop_now(l));
	return handled;
}

int loop_run(struct loop *l)
{
	l->stop = false;
	while (!l->stop) {
		int rc = loop_run_once(l, -1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
