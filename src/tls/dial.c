/* Resolve, connect (happy eyeballs) and the proxy exchange on the loop. */
#include "tls/dial.h"

#include "core/loop.h"
#include "tls/resolve.h"
#include "tls/tls.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIAL_MAX_ADDRS 16
/* RFC 8305 section 5 recommends 250 ms between connection attempts. */
#define DIAL_STAGGER_MS 250

enum dial_step { DIAL_START, DIAL_RESOLVING, DIAL_CONNECTING, DIAL_PROXY, DIAL_DONE };

struct dial_attempt {
	struct sockaddr_storage addr;
	socklen_t len;
	int fd;	 /* -1: not started or finished */
	int err; /* why it failed, 0 while untried or pending */
};

struct dial {
	struct loop *loop;
	struct loop_timer timer;
	dial_done_cb cb;
	void *arg;
	enum dial_step step;
	bool via_proxy;
	char tcp_host[256]; /* whom the TCP connection goes to: server or proxy */
	uint16_t tcp_port;
	char host[256]; /* the server, for CONNECT */
	uint16_t port;
	uint64_t deadline, next_start;
	unsigned timeout_s;
	char early_err[160]; /* a parameter error, reported from the loop */
	struct resolve *resolve;
	struct dial_attempt att[DIAL_MAX_ADDRS];
	int natt, next;
	int fd; /* connected: the proxy exchange runs on it */
	struct sockaddr_storage peer;
	char req[1024]; /* the CONNECT request (may hold credentials) */
	size_t req_len, req_sent;
	uint8_t rep[PROXY_REPLY_MAX];
	size_t rep_len;
};

const char *dial_step_name(const struct dial *d)
{
	switch (d->step) {
	case DIAL_START:
	case DIAL_RESOLVING:
		return "resolving";
	case DIAL_CONNECTING:
		return "TCP connect";
	case DIAL_PROXY:
		return "proxy handshake";
	default:
		return "done";
	}
}

static void dial_rearm(struct dial *d)
{
	uint64_t t = d->deadline;
	if (d->step == DIAL_CONNECTING && d->next < d->natt && d->next_start < t)
		t = d->next_start;
	loop_timer_set(d->loop, &d->timer, t);
}

/* Closes every socket but the one handed over (fd), then tells the owner.
 * Nothing touches d after the callback: the owner may free it there. */
static void dial_finish(struct dial *d, int fd, const char *err)
{
	/* Resolve and connect errors concern the proxy when there is one;
	 * the exchange's own errors say so already. */
	bool name_proxy = d->via_proxy && d->step != DIAL_PROXY;
	d->step = DIAL_DONE;
	loop_timer_cancel(d->loop, &d->timer);
	resolve_free(d->resolve);
	d->resolve = NULL;
	for (int i = 0; i < d->natt; i++) {
		if (d->att[i].fd >= 0) {
			loop_del_fd(d->loop, d->att[i].fd);
			close(d->att[i].fd);
			d->att[i].fd = -1;
		}
	}
	if (d->fd >= 0) {
		loop_del_fd(d->loop, d->fd);
		if (fd != d->fd)
			close(d->fd);
		d->fd = -1;
	}
	explicit_bzero(d->req, sizeof(d->req));
	char msg[512];
	if (fd < 0 && name_proxy && strncmp(err, "proxy", 5) != 0) {
		snprintf(msg, sizeof(msg), "proxy: %s", err);
		err = msg;
	}
	d->cb(d->arg, fd, fd >= 0 ? &d->peer : NULL, fd >= 0 ? NULL : err);
}

static void dial_failf(struct dial *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dial_failf(struct dial *d, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dial_finish(d, -1, msg);
}

/* "connect to A: refused; B: unreachable" over every address tried. */
static void dial_fail_all(struct dial *d)
{
	char msg[400];
	size_t o = (size_t)snprintf(msg, sizeof(msg), "connect to ");
	for (int i = 0; i < d->natt && o < sizeof(msg); i++) {
		char where[INET6_ADDRSTRLEN + 16];
		tcp_format_addr((struct sockaddr *)&d->att[i].addr, where, sizeof(where));
		o += (size_t)snprintf(msg + o, sizeof(msg) - o, "%s%s: %s", i ? "; " : "", where,
				      strerror(d->att[i].err));
	}
	dial_finish(d, -1, msg);
}

/* The deadline passed: name what was still pending. */
static void dial_timed_out(struct dial *d)
{
	if (d->step == DIAL_START || d->step == DIAL_RESOLVING) {
		dial_failf(d, "resolving %s: timed out after %u s", d->tcp_host, d->timeout_s);
		return;
	}
	if (d->step == DIAL_PROXY) {
		dial_failf(d, "proxy: no reply within %u s", d->timeout_s);
		return;
	}
	char list[300] = "";
	size_t o = 0;
	for (int i = 0; i < d->natt && o < sizeof(list); i++) {
		if (d->att[i].fd < 0)
			continue;
		char where[INET6_ADDRSTRLEN + 16];
		tcp_format_addr((struct sockaddr *)&d->att[i].addr, where, sizeof(where));
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", where);
	}
	dial_failf(d, "connect to %s: timed out after %u s", list, d->timeout_s);
}

static void dial_on_proxy(void *arg, int fd, unsigned events);

/* An address answered: go on to the proxy, or hand the socket over. */
static void dial_connected(struct dial *d, int i)
{
	d->fd = d->att[i].fd;
	d->att[i].fd = -1;
	memcpy(&d->peer, &d->att[i].addr, sizeof(d->peer));
	for (int k = 0; k < d->natt; k++) {
		if (d->att[k].fd >= 0) {
			loop_del_fd(d->loop, d->att[k].fd);
			close(d->att[k].fd);
			d->att[k].fd = -1;
		}
	}
	if (!d->via_proxy) {
		dial_finish(d, d->fd, NULL);
		return;
	}
	d->step = DIAL_PROXY;
	loop_del_fd(d->loop, d->fd);
	int rc = loop_add_fd(d->loop, d->fd, LOOP_WRITE, dial_on_proxy, d);
	if (rc < 0) {
		close(d->fd);
		d->fd = -1;
		dial_failf(d, "epoll: %s", strerror(-rc));
		return;
	}
	loop_timer_set(d->loop, &d->timer, d->deadline);
}

static void dial_on_connect(void *arg, int fd, unsigned events);

/* Starts the next address; moves on at once past those that fail at
 * once. Reports the failure when none is left and none is pending. */
static void dial_try_next(struct dial *d, uint64_t now)
{
	while (d->next < d->natt) {
		struct dial_attempt *a = &d->att[d->next++];
		int fd = socket(a->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
				IPPROTO_TCP);
		if (fd < 0) {
			a->err = errno;
			continue;
		}
		int one = 1;
		/* Without it a TLS handshake alone waits on Nagle + delayed ACK. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, (struct sockaddr *)&a->addr, a->len) < 0 && errno != EINPROGRESS) {
			a->err = errno;
			close(fd);
			continue;
		}
		int rc = loop_add_fd(d->loop, fd, LOOP_WRITE, dial_on_connect, d);
		if (rc < 0) {
			a->err = -rc;
			close(fd);
			continue;
		}
		a->fd = fd;
		d->next_start = now + DIAL_STAGGER_MS;
		dial_rearm(d);
		return;
	}
	for (int i = 0; i < d->natt; i++)
		if (d->att[i].fd >= 0) {
			dial_rearm(d);
			return;
		}
	dial_fail_all(d);
}

static void dial_on_connect(void *arg, int fd, unsigned events)
{
	struct dial *d = arg;
	int i = 0;
	while (i < d->natt && d->att[i].fd != fd)
		i++;
	if (i == d->natt)
		return;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (!soerr) {
		dial_connected(d, i);
		return;
	}
	d->att[i].err = soerr;
	loop_del_fd(d->loop, fd);
	close(fd);
	d->att[i].fd = -1;
	dial_try_next(d, loop_now(d->loop));
}

/* Takes up to DIAL_MAX_ADDRS IPv4/IPv6 addresses, alternating families
 * from the first one's (RFC 8305 section 4), so that a dead family costs
 * one stagger step, not one timeout per address. */
static void dial_take_addrs(struct dial *d, const struct addrinfo *res)
{
	const struct addrinfo *next[2] = {NULL, NULL}; /* per family, in order */
	int first = -1;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int f = ai->ai_family == AF_INET ? 0 : ai->ai_family == AF_INET6 ? 1 : -1;
		if (f < 0 || ai->ai_addrlen > sizeof(struct sockaddr_storage))
			continue;
		if (first < 0)
			first = f;
		if (!next[f])
			next[f] = ai;
	}
	for (int f = first; first >= 0 && d->natt < DIAL_MAX_ADDRS && (next[0] || next[1]);
	     f ^= 1) {
		const struct addrinfo *ai = next[f];
		if (!ai)
			continue;
		struct dial_attempt *a = &d->att[d->natt++];
		memcpy(&a->addr, ai->ai_addr, ai->ai_addrlen);
		a->len = ai->ai_addrlen;
		a->fd = -1;
		/* This family's next address. */
		int fam = ai->ai_family;
		do
			ai = ai->ai_next;
		while (ai &&
		       (ai->ai_family != fam || ai->ai_addrlen > sizeof(struct sockaddr_storage)));
		next[f] = ai;
	}
}

static void dial_on_resolved(void *arg, struct addrinfo *res, const char *err)
{
	struct dial *d = arg;
	resolve_free(d->resolve);
	d->resolve = NULL;
	if (!res) {
		dial_failf(d, "resolving %s: %s", d->tcp_host, err);
		return;
	}
	dial_take_addrs(d, res);
	freeaddrinfo(res);
	if (d->natt == 0) {
		dial_failf(d, "resolving %s: no IPv4/IPv6 address", d->tcp_host);
		return;
	}
	d->step = DIAL_CONNECTING;
	dial_try_next(d, loop_now(d->loop));
}

/* The first step, from the loop: a literal needs no lookup, a name goes
 * to the resolver thread. */
static void dial_begin(struct dial *d)
{
	if (d->early_err[0]) {
		dial_finish(d, -1, d->early_err);
		return;
	}
	d->step = DIAL_RESOLVING;
	struct addrinfo *res = NULL;
	if (resolve_lookup(d->tcp_host, d->tcp_port, AI_NUMERICHOST, &res) == 0) {
		dial_on_resolved(d, res, NULL);
		return;
	}
	char err[160];
	d->resolve =
	    resolve_start(d->loop, d->tcp_host, d->tcp_port, dial_on_resolved, d, err, sizeof(err));
	if (!d->resolve) {
		dial_failf(d, "resolving %s: %s", d->tcp_host, err);
		return;
	}
	loop_timer_set(d->loop, &d->timer, d->deadline);
}

static void dial_on_timer(void *arg, uint64_t now)
{
	struct dial *d = arg;
	if (d->step == DIAL_START && now < d->deadline) {
		dial_begin(d);
		return;
	}
	if (now >= d->deadline) {
		dial_timed_out(d);
		return;
	}
	if (d->step == DIAL_CONNECTING && d->next < d->natt && now >= d->next_start) {
		dial_try_next(d, now);
		return;
	}
	dial_rearm(d);
}

/* Sends the CONNECT request, then reads the reply a byte at a time, so
 * that nothing after its header (the server's first TLS bytes) is taken
 * off the socket; once per connection, a few hundred bytes at most. */
static void dial_on_proxy(void *arg, int fd, unsigned events)
{
	struct dial *d = arg;
	while (d->req_sent < d->req_len) {
		ssize_t w = send(fd, d->req + d->req_sent, d->req_len - d->req_sent, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w < 0) {
			dial_failf(d, "proxy: sending CONNECT: %s", strerror(errno));
			return;
		}
		d->req_sent += (size_t)w;
		if (d->req_sent == d->req_len) {
			explicit_bzero(d->req, sizeof(d->req));
			loop_mod_fd(d->loop, fd, LOOP_READ);
			return; /* the reply is at least one round trip away */
		}
	}
	struct proxy_reply rep;
	for (;;) {
		ssize_t got = recv(fd, d->rep + d->rep_len, 1, 0);
		if (got == 0) {
			dial_failf(d, "proxy closed the connection before replying");
			return;
		}
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				dial_failf(d, "proxy: %s", strerror(errno));
			return;
		}
		d->rep_len++;
		enum proxy_parse pr = proxy_parse_reply(d->rep, d->rep_len, &rep);
		if (pr == PROXY_REPLY_BAD ||
		    (pr == PROXY_REPLY_INCOMPLETE && d->rep_len == sizeof(d->rep))) {
			if (!rep.header_len)
				dial_failf(d, "proxy reply header missing or too long");
			else
				dial_failf(d, "malformed proxy reply: %s", rep.status_line);
			return;
		}
		if (pr == PROXY_REPLY_OK)
			break;
	}
	char err[400];
	if (!proxy_reply_accepts(&rep, d->host, d->port, err, sizeof(err))) {
		dial_finish(d, -1, err);
		return;
	}
	dial_finish(d, d->fd, NULL);
}

struct dial *dial_start(struct loop *l, const struct dial_params *p, dial_done_cb cb, void *arg)
{
	struct dial *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->loop = l;
	d->cb = cb;
	d->arg = arg;
	d->fd = -1;
	d->step = DIAL_START;
	loop_timer_init(&d->timer, dial_on_timer, d);
	uint64_t now = loop_now(l);
	d->deadline = now + p->timeout_ms;
	d->timeout_s = (p->timeout_ms + 500) / 1000;
	d->via_proxy = p->proxy_host && p->proxy_host[0];
	snprintf(d->host, sizeof(d->host), "%s", p->host);
	d->port = p->port;
	snprintf(d->tcp_host, sizeof(d->tcp_host), "%s", d->via_proxy ? p->proxy_host : p->host);
	d->tcp_port = d->via_proxy ? p->proxy_port : p->port;
	if (d->via_proxy) {
		int n = proxy_request(d->req, sizeof(d->req), p->proxy_user, p->proxy_pass, p->host,
				      p->port, d->early_err, sizeof(d->early_err));
		d->req_len = n > 0 ? (size_t)n : 0;
	}
	/* Everything starts from the loop, so that the callback never runs
	 * inside dial_start. */
	loop_timer_set(l, &d->timer, now);
	return d;
}

void dial_free(struct dial *d)
{
	if (!d)
		return;
	loop_timer_cancel(d->loop, &d->timer);
	resolve_free(d->resolve);
	for (int i = 0; i < d->natt; i++) {
		if (d->att[i].fd >= 0) {
			loop_del_fd(d->loop, d->att[i].fd);
			close(d->att[i].fd);
		}
	}
	if (d->fd >= 0) {
		loop_del_fd(d->loop, d->fd);
		close(d->fd);
	}
	explicit_bzero(d->req, sizeof(d->req));
	free(d);
}

struct dial_wait {
	bool done;
	int fd;
	struct sockaddr_storage *peer;
	char *err;
	size_t errlen;
};

static void dial_wait_done(void *arg, int fd, const struct sockaddr_storage *peer, const char *err)
{
	struct dial_wait *w = arg;
	w->done = true;
	w->fd = fd;
	if (fd >= 0 && w->peer)
		*w->peer = *peer;
	if (fd < 0)
		snprintf(w->err, w->errlen, "%s", err);
}

int dial_blocking(const struct dial_params *p, struct sockaddr_storage *peer, char *err,
		  size_t errlen)
{
	struct loop *l = loop_new();
	if (!l) {
		snprintf(err, errlen, "cannot create an event loop");
		return -1;
	}
	struct dial_wait w = {.fd = -1, .peer = peer, .err = err, .errlen = errlen};
	struct dial *d = dial_start(l, p, dial_wait_done, &w);
	if (!d) {
		snprintf(err, errlen, "out of memory");
		loop_free(l);
		return -1;
	}
	while (!w.done) {
		int rc = loop_run_once(l, -1);
		if (rc < 0) {
			snprintf(err, errlen, "event loop: %s", strerror(-rc));
			break;
		}
	}
	dial_free(d);
	loop_free(l);
	return w.done ? w.fd : -1;
}
