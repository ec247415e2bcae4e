#include "core/loop.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t fake_now;
static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

/* Records which timer fired, in order. */
struct rec {
	int order[64];
	uint64_t at[64];
	int n;
};

struct tctx {
	struct rec *rec;
	int id;
	struct loop *l;
	struct loop_timer *self;
	struct loop_timer *other; /* to cancel from the callback */
	int rearm_left;
	uint64_t rearm_step;
};

static void timer_cb(void *arg, uint64_t now)
{
	struct tctx *c = arg;
	ck_assert_int_lt(c->rec->n, 64);
	c->rec->order[c->rec->n] = c->id;
	c->rec->at[c->rec->n] = now;
	c->rec->n++;
	if (c->other)
		loop_timer_cancel(c->l, c->other);
	if (c->rearm_left > 0) {
		c->rearm_left--;
		loop_timer_set(c->l, c->self, now + c->rearm_step);
	}
}

static struct loop *fake_loop(uint64_t start)
{
	struct loop *l = loop_new();
	ck_assert_ptr_nonnull(l);
	fake_now = start;
	loop_set_clock(l, fake_clock, NULL);
	return l;
}

START_TEST(timers_fire_in_deadline_order)
{
	struct loop *l = fake_loop(1000);
	struct rec rec = {0};
	enum { N = 40 };
	struct loop_timer t[N];
	struct tctx c[N];
	/* Pseudo-random deadlines with many duplicates, to exercise both the
	 * heap order and the stable order of equal deadlines. */
	uint64_t dl[N];
	unsigned x = 12345;
	for (int i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		dl[i] = 1000 + (x >> 16) % 10;
		c[i] = (struct tctx){.rec = &rec, .id = i, .l = l, .self = &t[i]};
		loop_timer_init(&t[i], timer_cb, &c[i]);
		loop_timer_set(l, &t[i], dl[i]);
	}
	for (fake_now = 1000; fake_now < 1010; fake_now++)
		loop_fire_timers(l);
	ck_assert_int_eq(rec.n, N);
	for (int k = 1; k < N; k++) {
		uint64_t a = dl[rec.order[k - 1]], b = dl[rec.order[k]];
		ck_assert_uint_le(a, b);
		if (a == b)
			ck_assert_int_lt(rec.order[k - 1], rec.order[k]);
		ck_assert_uint_eq(rec.at[k], dl[rec.order[k]]);
	}
	for (int i = 0; i < N; i++)
		ck_assert_uint_eq(t[i].deadline, UINT64_MAX);
	loop_free(l);
}
END_TEST

START_TEST(timers_not_due_do_not_fire)
{
	struct loop *l = fake_loop(500);
	struct rec rec = {0};
	struct loop_timer t;
	struct tctx c = {.rec = &rec, .id = 1, .l = l, .self = &t};
	loop_timer_init(&t, timer_cb, &c);
	loop_timer_set(l, &t, 600);
	fake_now = 599;
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 0);
	/* re-arming moves it later */
	loop_timer_set(l, &t, 700);
	fake_now = 650;
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 0);
	/* re-arming to equal deadline counts as newest for stability */
	fake_now = 700;
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 1);
	ck_assert_uint_eq(rec.at[0], 700);
	/* UINT64_MAX disarms */
	loop_timer_set(l, &t, 800);
	loop_timer_set(l, &t, UINT64_MAX);
	fake_now = 10000;
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 1);
	loop_free(l);
}
END_TEST

/* Setting the deadline a timer already has is a no-op: it keeps its place
 * before a timer armed later for the same time (re-inserted, it would
 * fire after it). */
START_TEST(timer_set_unchanged_keeps_its_place)
{
	struct loop *l = fake_loop(0);
	struct rec rec = {0};
	struct loop_timer a, b;
	struct tctx ca = {.rec = &rec, .id = 0}, cb = {.rec = &rec, .id = 1};
	loop_timer_init(&a, timer_cb, &ca);
	loop_timer_init(&b, timer_cb, &cb);
	loop_timer_set(l, &a, 50);
	loop_timer_set(l, &b, 50);
	loop_timer_set(l, &a, 50);
	loop_timer_set(l, &a, 50);
	fake_now = 50;
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 2);
	ck_assert_int_eq(rec.order[0], 0);
	ck_assert_int_eq(rec.order[1], 1);
	/* fired, it is disarmed: the same deadline arms it again */
	loop_timer_set(l, &a, 50);
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 3);
	ck_assert_int_eq(rec.order[2], 0);
	/* disarming twice, then arming: fires once */
	loop_timer_set(l, &b, UINT64_MAX);
	loop_timer_set(l, &b, UINT64_MAX);
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 3);
	loop_timer_set(l, &b, 60);
	fake_now = 60;
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 4);
	ck_assert_int_eq(rec.order[3], 1);
	loop_free(l);
}
END_TEST

START_TEST(timer_rearm_and_cancel_in_callback)
{
	struct loop *l = fake_loop(0);
	struct rec rec = {0};
	struct loop_timer a, b, d;
	struct tctx ca = {
	    .rec = &rec, .id = 1, .l = l, .self = &a, .rearm_left = 3, .rearm_step = 10};
	struct tctx cb = {.rec = &rec, .id = 2, .l = l, .self = &b, .other = &d};
	struct tctx cd = {.rec = &rec, .id = 3, .l = l, .self = &d};
	loop_timer_init(&a, timer_cb, &ca);
	loop_timer_init(&b, timer_cb, &cb);
	loop_timer_init(&d, timer_cb, &cd);
	loop_timer_set(l, &a, 5);
	loop_timer_set(l, &b, 5); /* same deadline, armed after a */
	loop_timer_set(l, &d, 5); /* cancelled by b before it can fire */
	fake_now = 5;
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 2);
	ck_assert_int_eq(rec.order[0], 1);
	ck_assert_int_eq(rec.order[1], 2);
	ck_assert_uint_eq(d.deadline, UINT64_MAX);
	ck_assert_uint_eq(a.deadline, 15);
	for (fake_now = 6; fake_now <= 100; fake_now++)
		loop_fire_timers(l);
	/* a fired at 5, 15, 25, 35 and then stopped re-arming */
	ck_assert_int_eq(rec.n, 5);
	ck_assert_uint_eq(rec.at[2], 15);
	ck_assert_uint_eq(rec.at[3], 25);
	ck_assert_uint_eq(rec.at[4], 35);
	loop_free(l);
}
END_TEST

/* A callback that re-arms for a time already due must not spin. */
START_TEST(timer_rearm_due_waits_next_round)
{
	struct loop *l = fake_loop(100);
	struct rec rec = {0};
	struct loop_timer a;
	struct tctx ca = {
	    .rec = &rec, .id = 1, .l = l, .self = &a, .rearm_left = 1000, .rearm_step = 0};
	loop_timer_init(&a, timer_cb, &ca);
	loop_timer_set(l, &a, 100);
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 1);
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, 2);
	/* and run_once does not block with a due timer */
	ck_assert_int_eq(loop_run_once(l, -1), 1);
	ck_assert_int_eq(rec.n, 3);
	loop_timer_cancel(l, &a);
	loop_free(l);
}
END_TEST

START_TEST(timer_cancel_many_keeps_heap)
{
	struct loop *l = fake_loop(0);
	struct rec rec = {0};
	enum { N = 50 };
	struct loop_timer t[N];
	struct tctx c[N];
	for (int i = 0; i < N; i++) {
		c[i] = (struct tctx){.rec = &rec, .id = i, .l = l, .self = &t[i]};
		loop_timer_init(&t[i], timer_cb, &c[i]);
		loop_timer_set(l, &t[i], (uint64_t)((i * 37) % N) + 1);
	}
	/* cancel every third, twice (second cancel is a no-op) */
	for (int i = 0; i < N; i += 3) {
		loop_timer_cancel(l, &t[i]);
		loop_timer_cancel(l, &t[i]);
	}
	fake_now = 1000;
	loop_fire_timers(l);
	ck_assert_int_eq(rec.n, N - (N + 2) / 3);
	for (int k = 0; k < rec.n; k++)
		ck_assert_int_ne(rec.order[k] % 3, 0);
	for (int k = 1; k < rec.n; k++)
		ck_assert_uint_lt((rec.order[k - 1] * 37) % N, (rec.order[k] * 37) % N);
	loop_free(l);
}
END_TEST

struct fdctx {
	int calls;
	unsigned events;
	char buf[16];
	ssize_t got;
	struct loop *l;
	bool del;
};

static void fd_cb(void *arg, int fd, unsigned events)
{
	struct fdctx *c = arg;
	c->calls++;
	c->events = events;
	if (events & LOOP_READ)
		c->got = read(fd, c->buf, sizeof(c->buf));
	if (c->del)
		loop_del_fd(c->l, fd);
}

START_TEST(fd_readiness_pipe)
{
	struct loop *l = loop_new();
	ck_assert_ptr_nonnull(l);
	int p[2];
	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	struct fdctx c = {.l = l};
	ck_assert_int_eq(loop_add_fd(l, p[0], LOOP_READ, fd_cb, &c), 0);
	ck_assert_int_eq(loop_add_fd(l, p[0], LOOP_READ, fd_cb, &c), -EEXIST);
	/* nothing readable: times out */
	ck_assert_int_eq(loop_run_once(l, 0), 0);
	ck_assert_int_eq(c.calls, 0);
	ck_assert_int_eq(write(p[1], "hello", 5), 5);
	ck_assert_int_eq(loop_run_once(l, 1000), 1);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_uint_eq(c.events, LOOP_READ);
	ck_assert_int_eq(c.got, 5);
	ck_assert_mem_eq(c.buf, "hello", 5);

	/* the write end: writable at once */
	struct fdctx w = {.l = l};
	ck_assert_int_eq(loop_add_fd(l, p[1], LOOP_WRITE, fd_cb, &w), 0);
	ck_assert_int_eq(loop_run_once(l, 1000), 1);
	ck_assert_uint_eq(w.events, LOOP_WRITE);
	/* switch to nothing: no more events */
	ck_assert_int_eq(loop_mod_fd(l, p[1], 0), 0);
	ck_assert_int_eq(loop_run_once(l, 0), 0);
	loop_del_fd(l, p[1]);
	ck_assert_int_eq(loop_mod_fd(l, p[1], LOOP_WRITE), -ENOENT);

	/* closing the write end: read end sees HUP as READ, marked ERROR
	 * (plain readiness above was READ alone) */
	close(p[1]);
	ck_assert_int_eq(loop_run_once(l, 1000), 1);
	ck_assert_uint_eq(c.events, LOOP_READ | LOOP_ERROR);
	ck_assert_int_eq(c.got, 0);
	/* delete from inside the callback */
	c.del = true;
	ck_assert_int_eq(loop_run_once(l, 1000), 1);
	ck_assert_int_eq(loop_run_once(l, 0), 0);
	close(p[0]);
	loop_free(l);
}
END_TEST

static void count_cb(void *arg, int fd, unsigned events)
{
	struct fdctx *c = arg;
	(void)fd;
	c->calls++;
	c->events = events;
}

/* LOOP_WATCH: data arriving is reported once per arrival (as READ), not
 * on every turn while it waits unread; a hangup as READ|ERROR. */
START_TEST(fd_watch_edge_triggered)
{
	struct loop *l = loop_new();
	ck_assert_ptr_nonnull(l);
	int p[2];
	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	struct fdctx c = {.l = l};
	ck_assert_int_eq(loop_add_fd(l, p[0], LOOP_WATCH, count_cb, &c), 0);
	ck_assert_int_eq(loop_run_once(l, 0), 0);
	ck_assert_int_eq(write(p[1], "a", 1), 1);
	ck_assert_int_eq(loop_run_once(l, 1000), 1);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_uint_eq(c.events, LOOP_READ);
	ck_assert_int_eq(loop_run_once(l, 0), 0); /* still unread: no new event */
	ck_assert_int_eq(c.calls, 1);
	ck_assert_int_eq(write(p[1], "b", 1), 1);
	ck_assert_int_eq(loop_run_once(l, 1000), 1);
	ck_assert_int_eq(c.calls, 2);
	/* to READ: level-triggered, the waiting bytes reported at once */
	ck_assert_int_eq(loop_mod_fd(l, p[0], LOOP_READ), 0);
	ck_assert_int_eq(loop_run_once(l, 0), 1);
	ck_assert_int_eq(loop_run_once(l, 0), 1);
	/* back to WATCH: the change itself reports the waiting bytes once */
	ck_assert_int_eq(loop_mod_fd(l, p[0], LOOP_WATCH), 0);
	ck_assert_int_eq(loop_run_once(l, 0), 1);
	ck_assert_int_eq(loop_run_once(l, 0), 0);
	close(p[1]);
	ck_assert_int_eq(loop_run_once(l, 1000), 1);
	ck_assert_uint_eq(c.events, LOOP_READ | LOOP_ERROR);
	loop_del_fd(l, p[0]);
	close(p[0]);
	loop_free(l);
}
END_TEST

/* A callback removes and closes the other fd of the batch and a new fd
 * takes its number: the stale event must not reach the newcomer. */
struct reuse {
	struct loop *l;
	int fds[2]; /* read ends of two pipes, both readable */
	int wr[2];
	int fresh_calls;
	int first_calls;
	int newfd[2];
};

static void fresh_cb(void *arg, int fd, unsigned events)
{
	struct reuse *r = arg;
	r->fresh_calls++;
}

static void first_cb(void *arg, int fd, unsigned events)
{
	struct reuse *r = arg;
	r->first_calls++;
	int other = fd == r->fds[0] ? 1 : 0;
	if (r->fds[other] < 0)
		return;
	loop_del_fd(r->l, r->fds[other]);
	close(r->fds[other]);
	int victim = r->fds[other];
	r->fds[other] = -1;
	ck_assert_int_eq(pipe2(r->newfd, O_NONBLOCK | O_CLOEXEC), 0);
	ck_assert_int_eq(r->newfd[0], victim); /* lowest free number */
	ck_assert_int_eq(loop_add_fd(r->l, r->newfd[0], LOOP_READ, fresh_cb, r), 0);
}

START_TEST(fd_reuse_in_batch_gets_no_stale_event)
{
	struct loop *l = loop_new();
	struct reuse r = {.l = l};
	int p1[2], p2[2];
	ck_assert_int_eq(pipe2(p1, O_NONBLOCK | O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(p2, O_NONBLOCK | O_CLOEXEC), 0);
	r.fds[0] = p1[0];
	r.fds[1] = p2[0];
	ck_assert_int_eq(loop_add_fd(l, p1[0], LOOP_READ, first_cb, &r), 0);
	ck_assert_int_eq(loop_add_fd(l, p2[0], LOOP_READ, first_cb, &r), 0);
	ck_assert_int_eq(write(p1[1], "x", 1), 1);
	ck_assert_int_eq(write(p2[1], "y", 1), 1);
	ck_assert_int_eq(loop_run_once(l, 1000), 1);
	ck_assert_int_eq(r.first_calls, 1);
	ck_assert_int_eq(r.fresh_calls, 0);
	ck_assert_int_eq(loop_run_once(l, 0), 1); /* the survivor is still readable */
	ck_assert_int_eq(r.fresh_calls, 0);
	for (int i = 0; i < 2; i++)
		if (r.fds[i] >= 0)
			close(r.fds[i]);
	close(p1[1]);
	close(p2[1]);
	close(r.newfd[0]);
	close(r.newfd[1]);
	loop_free(l);
}
END_TEST

/* The real clock: run_once sleeps until the earliest timer. */
START_TEST(run_once_waits_for_timer)
{
	struct loop *l = loop_new();
	struct rec rec = {0};
	struct loop_timer t;
	struct tctx c = {.rec = &rec, .id = 7, .l = l, .self = &t};
	loop_timer_init(&t, timer_cb, &c);
	uint64_t start = loop_now(l);
	loop_timer_set(l, &t, start + 30);
	while (rec.n == 0)
		ck_assert_int_ge(loop_run_once(l, -1), 0);
	ck_assert_uint_ge(loop_now(l), start + 30);
	ck_assert_uint_ge(rec.at[0], start + 30);
	loop_free(l);
}
END_TEST

struct sigctx {
	int signo;
	int count;
	struct loop *l;
};

static void sig_cb(void *arg, int signo)
{
	struct sigctx *c = arg;
	c->signo = signo;
	c->count++;
	loop_stop(c->l);
}

static void raise_timer(void *arg, uint64_t now)
{
	(void)now;
	raise(*(int *)arg);
}

START_TEST(signal_through_signalfd)
{
	struct loop *l = loop_new();
	struct sigctx c = {.l = l};
	struct sigctx c2 = {.l = l};
	ck_assert_int_eq(loop_add_signal(l, SIGUSR1, sig_cb, &c), 0);
	ck_assert_int_eq(loop_add_signal(l, SIGUSR2, sig_cb, &c2), 0);
	ck_assert_int_eq(loop_add_signal(l, 0, sig_cb, &c), -EINVAL);
	/* blocked now, so raise() cannot kill the test process */
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(loop_run_once(l, 1000), 1);
	ck_assert_int_eq(c.count, 1);
	ck_assert_int_eq(c.signo, SIGUSR1);
	ck_assert_int_eq(c2.count, 0);

	/* through loop_run: a timer raises SIGUSR2, its callback stops the loop */
	int sig = SIGUSR2;
	struct loop_timer t;
	loop_timer_init(&t, raise_timer, &sig);
	loop_timer_set(l, &t, loop_now(l) + 5);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert_int_eq(c2.count, 1);
	ck_assert_int_eq(c2.signo, SIGUSR2);
	loop_free(l);

	/* the mask is restored */
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	ck_assert(!sigismember(&cur, SIGUSR1));
	ck_assert(!sigismember(&cur, SIGUSR2));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, timers_fire_in_deadline_order);
	tcase_add_test(tc, timers_not_due_do_not_fire);
	tcase_add_test(tc, timer_set_unchanged_keeps_its_place);
	tcase_add_test(tc, timer_rearm_and_cancel_in_callback);
	tcase_add_test(tc, timer_rearm_due_waits_next_round);
	tcase_add_test(tc, timer_cancel_many_keeps_heap);
	tcase_add_test(tc, fd_readiness_pipe);
	tcase_add_test(tc, fd_watch_edge_triggered);
	tcase_add_test(tc, fd_reuse_in_batch_gets_no_stale_event);
	tcase_add_test(tc, run_once_waits_for_timer);
	tcase_add_test(tc, signal_through_signalfd);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
