/* One-thread epoll event loop: fd callbacks, deadline timers, signals
 * (signalfd). The clock can be replaced in tests. Times are milliseconds
 * of CLOCK_MONOTONIC. */
#ifndef SSTPC_CORE_LOOP_H
#define SSTPC_CORE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_READ 1u
#define LOOP_WRITE 2u
/* Added to READ (and WRITE where asked for) on an error or hangup
 * (EPOLLERR, EPOLLHUP), which epoll reports even with no interest set: a
 * callback can tell "something to read" from "look at the error". */
#define LOOP_ERROR 4u
/* Instead of READ: no interest in the data, but an error the kernel
 * signals only with a readable wakeup still reaches the callback. A TUN
 * fd whose device is deleted wakes its waiters as "readable" and only
 * then polls as EPOLLERR; epoll drops that wakeup for an fd registered
 * with no interest. Edge-triggered, so data waiting is reported once per
 * arrival (as READ), never on every turn. Meant alone: EPOLLET applies
 * to the whole registration, so WATCH with READ or WRITE makes those
 * edge-triggered too, and their callback must then read or write until
 * EAGAIN (nothing here asks for that). */
#define LOOP_WATCH 8u

struct loop;
typedef void (*loop_fd_cb)(void *arg, int fd,
			   unsigned events); /* LOOP_READ|LOOP_WRITE, errors as READ|ERROR */
typedef void (*loop_timer_cb)(void *arg, uint64_t now);
typedef void (*loop_signal_cb)(void *arg, int signo);
typedef uint64_t (*loop_clock_fn)(void *arg);

struct loop_timer {
	uint64_t deadline; /* UINT64_MAX = not armed */
	loop_timer_cb cb;
	void *arg;
	unsigned idx; /* position in the heap, internal */
};

uint64_t loop_clock_monotonic(void *arg);

struct loop *loop_new(void);
void loop_free(struct loop *l);
/* Replaces the clock (tests); NULL restores CLOCK_MONOTONIC. */
void loop_set_clock(struct loop *l, loop_clock_fn fn, void *arg);
uint64_t loop_now(struct loop *l);
/* 0 or -errno. One registration per fd. */
int loop_add_fd(struct loop *l, int fd, unsigned events, loop_fd_cb cb, void *arg);
int loop_mod_fd(struct loop *l, int fd, unsigned events);
void loop_del_fd(struct loop *l, int fd);
void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg);
/* Arms (or re-arms) t for the absolute time deadline; UINT64_MAX disarms.
 * The same deadline again changes nothing (not even its place after the
 * timers armed later for that time). */
void loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t deadline);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
/* Blocks signo and delivers it through the loop. 0 or -errno. */
int loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *arg);
/* Runs one iteration: waits at most until the earliest timer (or
 * max_wait_ms, -1 = no limit), dispatches fds, then due timers in deadline
 * order. Returns the number of events handled or -errno. */
int loop_run_once(struct loop *l, int max_wait_ms);
/* Runs until loop_stop(). */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
/* Fires every timer due at the current clock (for tests with a fake clock). */
void loop_fire_timers(struct loop *l);

#endif
