/* tlsbench's bidirectional stream: both sides send and receive at once in
 * one thread, the way sstpc's loop does with traffic both ways. Each turn
 * moves at most BIDIR_TURN bytes in one direction before the other gets
 * its go, so a fast sender cannot starve its own reading (and with it the
 * peer's sending). poll() is called only when neither direction can move. */
#include "tlsbench.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#define BIDIR_TURN (256 * 1024)
#define BIDIR_BUF (64 * 1024)

static uint8_t bidir_rbuf[BIDIR_BUF];
static uint8_t bidir_sbuf[BIDIR_BUF];

struct bidir {
	struct tls *t;
	double end;
	size_t chunk;
	unsigned writes;
	bool write_pending; /* the last tls_write asked for a retry */
	bool close_sent, peer_closed;
	ssize_t rwait, wwait; /* TLS_WANT_* a direction waits for, 0 = none */
	struct tlsbench_bidir_count *n;
};

static void bidir_read_turn(struct bidir *b)
{
	b->rwait = 0;
	for (size_t got = 0; !b->peer_closed && got < BIDIR_TURN;) {
		ssize_t n = tls_read(b->t, bidir_rbuf, sizeof(bidir_rbuf));
		if (n > 0) {
			b->n->received += (uint64_t)n;
			got += (size_t)n;
		} else if (n == 0) {
			b->peer_closed = true;
		} else if (n == TLS_WANT_READ || n == TLS_WANT_WRITE) {
			b->rwait = n;
			return;
		} else {
			tlsbench_die("read", b->t);
		}
	}
}

/* True if a close_notify fits into the socket now: tls_shutdown does not
 * report a close_notify it could only buffer. */
static bool bidir_writable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	return poll(&p, 1, 0) > 0 && (p.revents & POLLOUT);
}

static void bidir_write_turn(struct bidir *b)
{
	b->wwait = 0;
	for (size_t put = 0; !b->close_sent && put < BIDIR_TURN;) {
		/* The clock is read once per 16 chunks, as in the one-way modes. */
		if (!b->write_pending && (b->writes++ & 15) == 0 && tlsbench_now() >= b->end) {
			if (!bidir_writable(tls_fd(b->t))) {
				b->wwait = TLS_WANT_WRITE;
				b->writes = 0; /* look at the clock again next turn */
				return;
			}
			tls_shutdown(b->t);
			b->close_sent = true;
			return;
		}
		ssize_t n = tls_write(b->t, bidir_sbuf, b->chunk);
		b->write_pending = n == TLS_WANT_READ || n == TLS_WANT_WRITE;
		if (n > 0) {
			b->n->sent += (uint64_t)n;
			put += (size_t)n;
		} else if (b->write_pending) {
			b->wwait = n;
			return;
		} else {
			tlsbench_die("write", b->t);
		}
	}
}

static short bidir_events(ssize_t want)
{
	return want == TLS_WANT_WRITE ? POLLOUT : POLLIN;
}

void tlsbench_bidir(struct tls *t, double seconds, size_t chunk, struct tlsbench_bidir_count *out)
{
	struct bidir b = {.t = t, .end = tlsbench_now() + seconds, .chunk = chunk, .n = out};
	for (size_t i = 0; i < sizeof(bidir_sbuf); i++)
		bidir_sbuf[i] = (uint8_t)(i * 131 + 7);
	while (!b.close_sent || !b.peer_closed) {
		bidir_read_turn(&b);
		bidir_write_turn(&b);
		bool reading = !b.peer_closed, writing = !b.close_sent;
		if ((reading && !b.rwait) || (writing && !b.wwait))
			continue; /* one direction can go on without waiting */
		struct pollfd p = {.fd = tls_fd(t)};
		if (reading)
			p.events |= bidir_events(b.rwait);
		if (writing)
			p.events |= bidir_events(b.wwait);
		if (!reading && !writing)
			break;
		int r;
		do
			r = poll(&p, 1, TLSBENCH_IO_TIMEOUT_MS);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			tlsbench_die("bidir: no progress within the timeout", NULL);
	}
}
