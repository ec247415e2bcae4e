/* The link's life: created on a connected socket, the TLS handshake, the
 * SSTP and PPP machines and their events, one timer at the minimum of
 * their deadlines, and the end (link.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "link/link_internal.h"
#include "tls/tls.h"

void link_sock_want(struct link *l, unsigned events)
{
	if (events != l->sock_events) {
		loop_mod_fd(l->loop, l->fd, events);
		l->sock_events = events;
	}
}

void link_fail(struct link *l, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	l->closed = true;
	l->ops->failed(l->ctx, why);
}

/* ----------------------------------------------------- the layers' events */

static void sstp_event_cb(void *ctx, enum sstp_event ev, const void *arg)
{
	struct link *l = ctx;
	if (ev == SSTP_EV_CLOSING)
		l->ending = true;
	l->ops->sstp_event(l->ctx, ev, arg);
	if (ev == SSTP_EV_PPP_START && l->ppp)
		ppp_lower_up(l->ppp, loop_now(l->loop));
	if (ev == SSTP_EV_CLOSED)
		link_fail(l, "%s", arg ? (const char *)arg : "SSTP session closed");
}

static void ppp_event_cb(void *ctx, enum ppp_event ev, const void *arg)
{
	struct link *l = ctx;
	if (ev == PPP_EV_IPCP_UP || ev == PPP_EV_IPCP_DOWN)
		l->ipcp_up = ev == PPP_EV_IPCP_UP;
	if (ev == PPP_EV_IPV6CP_UP || ev == PPP_EV_IPV6CP_DOWN)
		l->ipv6cp_up = ev == PPP_EV_IPV6CP_UP;
	l->ops->ppp_event(l->ctx, ev, arg);
}

static bool ppp_secret_cb(void *ctx, const char *user, char *pw, size_t pwlen)
{
	struct link *l = ctx;
	return l->ops->ppp_secret && l->ops->ppp_secret(l->ctx, user, pw, pwlen);
}

bool link_start(struct link *l, const struct sstp_config *sc, const struct ppp_config *pc)
{
	static const struct sstp_ops sops = {link_sstp_send, link_sstp_frame, sstp_event_cb};
	static const struct ppp_ops pops = {link_ppp_output, ppp_event_cb, ppp_secret_cb};
	l->sstp = sstp_new(sc, &sops, l);
	l->ppp = ppp_new(pc, &pops, l);
	if (!l->sstp || !l->ppp) {
		link_fail(l, "out of memory");
		return false;
	}
	sstp_start(l->sstp, loop_now(l->loop));
	return true;
}

/* ------------------------------------------------------ socket and timer */

static void handshake_step(struct link *l)
{
	int rc = tls_handshake(l->tls);
	if (rc == TLS_WANT_READ) {
		link_sock_want(l, LOOP_READ);
	} else if (rc == TLS_WANT_WRITE) {
		link_sock_want(l, LOOP_READ | LOOP_WRITE);
	} else if (rc < 0) {
		if (l->cfg.peer_name)
			link_fail(l, "TLS handshake with %s failed: %s", l->cfg.peer_name,
				  tls_error(l->tls));
		else
			link_fail(l, "TLS handshake failed: %s", tls_error(l->tls));
	} else {
		l->handshaking = false;
		link_sock_want(l, LOOP_READ);
		l->ops->established(l->ctx);
		/* The peer's first bytes may already be decrypted in wolfSSL. */
		if (!l->closed)
			link_read_stream(l);
	}
}

static void on_sock(void *arg, int fd, unsigned events)
{
	(void)fd;
	struct link *l = arg;
	if (l->closed) {
		/* only until the owner's wake frees us */
	} else if (l->handshaking) {
		handshake_step(l);
	} else {
		if ((events & LOOP_WRITE) && l->write_blocked)
			link_flush_staged(l, false);
		if ((events & LOOP_READ) || tls_pending(l->tls))
			link_read_stream(l);
	}
	l->ops->wake(l->ctx); /* may free l */
}

static void on_timer(void *arg, uint64_t now)
{
	struct link *l = arg;
	if (l->read_again && !l->closed)
		link_read_stream(l);
	if (!l->silent && !l->closed) {
		if (l->sstp && sstp_deadline(l->sstp) <= now)
			sstp_timeout(l->sstp, now);
		if (l->ppp && ppp_deadline(l->ppp) <= now)
			ppp_timeout(l->ppp, now);
	}
	if (l->pack_at <= now)
		link_flush(l);
	l->ops->wake(l->ctx); /* may free l */
}

static void rearm(struct link *l)
{
	uint64_t d = l->read_again ? loop_now(l->loop) : l->pack_at;
	if (!l->silent) {
		if (l->sstp && sstp_deadline(l->sstp) < d)
			d = sstp_deadline(l->sstp);
		if (l->ppp && ppp_deadline(l->ppp) < d)
			d = ppp_deadline(l->ppp);
	}
	loop_timer_set(l->loop, &l->timer, d);
}

bool link_after(struct link *l)
{
	if (!l->closed) {
		if (l->cfg.pack_ms && l->out_len > 0 && !l->write_blocked) {
			/* Fault pack: hold output so that what follows joins it. */
			if (l->pack_at == UINT64_MAX)
				l->pack_at = loop_now(l->loop) + l->cfg.pack_ms;
		} else {
			link_flush_staged(l, false);
		}
	}
	if (l->closed) {
		link_flush_final(l);
		loop_timer_cancel(l->loop, &l->timer);
		return true;
	}
	rearm(l);
	return false;
}

void link_go_silent(struct link *l)
{
	/* The frame that brought the peer up still goes out, so that it
	 * comes up too and then meets the silence. */
	if (!l->write_blocked)
		link_flush(l);
	l->silent = true;
	l->out_start = l->out_len = 0;
}

/* ------------------------------------------------------------------ life */

struct link *link_new(struct loop *loop, int fd, struct tls *tls, const struct link_config *cfg,
		      const struct link_ops *ops, void *ctx)
{
	struct link *l = calloc(1, sizeof(*l));
	if (!l) {
		tls_free(tls);
		close(fd);
		return NULL;
	}
	l->loop = loop;
	l->fd = fd;
	l->tls = tls;
	l->cfg = *cfg;
	l->ops = ops;
	l->ctx = ctx;
	l->handshaking = true;
	l->pack_at = UINT64_MAX;
	l->last_rx = loop_now(loop);
	loop_timer_init(&l->timer, on_timer, l);
	l->out = malloc(LINK_OUT_CAP);
	l->in_alloc = malloc(LINK_IN_HEADROOM + LINK_IN_CAP);
	l->in = l->in_alloc ? l->in_alloc + LINK_IN_HEADROOM : NULL;
	/* Writing first: a client's handshake starts with its ClientHello. */
	l->sock_events = LOOP_READ | LOOP_WRITE;
	if (!l->out || !l->in || loop_add_fd(loop, fd, l->sock_events, on_sock, l) < 0) {
		l->sock_events = 0;
		link_free(l);
		return NULL;
	}
	return l;
}

void link_free(struct link *l)
{
	if (!l)
		return;
	loop_timer_cancel(l->loop, &l->timer);
	if (l->ppp)
		ppp_free(l->ppp);
	if (l->sstp)
		sstp_free(l->sstp);
	if (!l->handshaking)
		tls_shutdown(l->tls);
	tls_free(l->tls);
	if (l->sock_events)
		loop_del_fd(l->loop, l->fd);
	close(l->fd);
	free(l->out);
	free(l->in_alloc);
	free(l);
}

struct sstp *link_sstp(const struct link *l)
{
	return l->sstp;
}
struct ppp *link_ppp(const struct link *l)
{
	return l->ppp;
}
struct tls *link_tls(const struct link *l)
{
	return l->tls;
}
bool link_handshaking(const struct link *l)
{
	return l->handshaking;
}
bool link_closed(const struct link *l)
{
	return l->closed;
}
bool link_blocked(const struct link *l)
{
	return l->write_blocked;
}
bool link_silent(const struct link *l)
{
	return l->silent;
}
bool link_ending(const struct link *l)
{
	return l->ending;
}
uint64_t link_last_rx(const struct link *l)
{
	return l->last_rx;
}
uint64_t link_drops(const struct link *l)
{
	return l->drops;
}
