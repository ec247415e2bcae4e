#include "session/session_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/notify.h"
#include "core/random.h"
#include "ppp/ppp.h"
#include "session/auth_policy.h"
#include "session/eap_glue.h"
#include "session/backoff.h"
#include "sstp/sstp.h"
#include "tls/dial.h"
#include "tls/tls.h"
#include "tun/gro.h"
#include "tun/gso.h"
#include "tun/hostaddr.h"
#include "tun/ra.h"
#include "tun/slaac.h"
#include "tun/mss.h"
#include "tun/netcfg.h"
#include "tun/nl.h"
#include "tun/srcvalid.h"
#include "tun/tun.h"
#include "core/secret.h"
#include "session/control.h"
#include "session/hooks.h"

#include "session/apply.h"

/* The up-script waits for both IPCP and IPV6CP, or this long after the
 * first of them (a server without IPv6 rejects IPV6CP or never answers). */
#define UP_HOOK_WAIT_MS 2000

const char *session_state_name(enum session_state s)
{
	static const char *const names[] = {"disconnected", "connecting", "negotiating",
					    "connected",    "closing",	  "waiting to reconnect",
					    "stopped"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static uint64_t now_ms(struct session *s)
{
	return loop_now(s->loop);
}

/* The `server` entry chosen next (conf.servers, tried in order on failure). */
static const char *list_server(const struct session *s)
{
	return s->conf.nservers > 0 ? s->conf.servers[s->srv] : s->conf.server;
}

/* The server of the current attempt: a reload may change the list under
 * it, but the hooks, show and the logs speak of the one connected to. */
static const char *cur_server(const struct session *s)
{
	return s->server_cur[0] ? s->server_cur : list_server(s);
}

static void session_rearm(struct session *s);
static void session_start_connect(struct session *s);

/* -------------------------------------------------------------- failures */

static void set_error(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_error(struct session *s, const char *fmt, ...)
{
	if (s->error[0])
		return; /* the first reason is the real one */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

/* Something broke below PPP: nothing more can be said to the server. */
static void session_fail(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void session_fail(struct session *s, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	set_error(s, "%s", why);
	s->at.dead = true;
	if (s->link && !link_closed(s->link))
		link_fail(s->link, "%s", why);
}

/* The link's failures (link.h): the first reason is kept. */
static void link_failed_cb(void *ctx, const char *why)
{
	struct session *s = ctx;
	set_error(s, "%s", why);
	s->at.dead = true;
}
/* ----------------------------------------------------------- SSTP events */

static void sstp_event_cb(void *ctx, enum sstp_event ev, const void *arg)
{
	struct session *s = ctx;
	switch (ev) {
	case SSTP_EV_HTTP_OK:
		timeline_mark(&s->tl, TL_HTTP, timeline_now_us());
		snprintf(s->phase, sizeof(s->phase), "SSTP call setup");
		break;
	case SSTP_EV_PPP_START: /* the link starts PPP */
		snprintf(s->phase, sizeof(s->phase), "PPP negotiation");
		break;
	case SSTP_EV_CONNECTED:
		s->at.binding_hash = sstp_binding_hash(link_sstp(s->link));
		log_info("SSTP call connected (crypto binding %s)",
			 s->at.binding_hash == SSTP_CERT_HASH_SHA256 ? "SHA-256" : "SHA-1");
		break;
	case SSTP_EV_CLOSING:
		log_notice("SSTP: %s", (const char *)arg);
		/* The cause, before a SIGTERM during the exchange claims it. */
		if (*sstp_reason(link_sstp(s->link)))
			set_error(s, "%s", sstp_reason(link_sstp(s->link)));
		tun_want(s, false);
		break;
	case SSTP_EV_CLOSED: /* the link fails with arg as the reason */
		log_info("SSTP: %s", arg ? (const char *)arg : "closed");
		break;
	}
}

/* ------------------------------------------------------------ PPP events */

/* The connection the tunnel's routes must keep off the tunnel. */
static struct apply_target apply_target(struct session *s)
{
	return (struct apply_target){&s->conf, s->nc, s->ifindex, &s->peer};
}

/* ------------------------------------------------------------- hooks */

/* The facts an up/down script gets (session/hooks.h); peer is the caller's
 * buffer for the server's address. */
static void hook_facts(const struct session *s, struct hook_facts *f, const char *reason,
		       char peer[INET6_ADDRSTRLEN])
{
	peer[0] = '\0';
	if (s->peer.ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&s->peer)->sin_addr, peer,
			  INET6_ADDRSTRLEN);
	else if (s->peer.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&s->peer)->sin6_addr, peer,
			  INET6_ADDRSTRLEN);
	*f = (struct hook_facts){.ifname = s->conf.ifname,
				 .reason = reason,
				 .error = s->error,
				 .server = cur_server(s),
				 .server_address = peer,
				 .port = s->conf.port,
				 .local4 = s->at.v4_applied ? s->local4 : 0,
				 .peer4 = s->at.v4_applied ? s->peer4 : 0,
				 .have6 = s->at.v6_applied};
	if (s->at.v4_applied && !s->conf.no_peer_dns)
		memcpy(f->dns4, s->dns4, sizeof(f->dns4));
	memcpy(f->local6, s->local6, 8);
	memcpy(f->peer6, s->peer6, 8);
}

static void run_up_hook(struct session *s)
{
	loop_timer_cancel(s->loop, &s->up_hook_timer);
	if (s->hook_up || s->state != SESSION_UP)
		return;
	s->hook_up = true; /* the down-script is owed from now on */
	struct hook_facts f;
	char peer[INET6_ADDRSTRLEN];
	hook_facts(s, &f, "up", peer);
	hooks_run(s->hooks, HOOK_UP, s->conf.up_script, s->conf.script_timeout * 1000, &f);
}

static void on_up_hook_timer(void *arg, uint64_t now)
{
	(void)now;
	run_up_hook(arg);
}

/* After each NCP up: at once when every protocol asked for is up, else
 * from the timer. */
static void maybe_up_hook(struct session *s)
{
	if (s->hook_up || s->state != SESSION_UP)
		return;
	bool v4 = s->link && link_ip_proto(s->link, 4), v6 = s->link && link_ip_proto(s->link, 6);
	if (v4 && (v6 || s->conf.ipv6_disable))
		run_up_hook(s);
	else if (s->up_hook_timer.deadline == UINT64_MAX)
		loop_timer_set(s->loop, &s->up_hook_timer, now_ms(s) + UP_HOOK_WAIT_MS);
}

/* Started as the connection ends, before the journal is undone; the
 * teardown does not wait for it (docs/config.md). */
static void run_down_hook(struct session *s)
{
	loop_timer_cancel(s->loop, &s->up_hook_timer);
	if (!s->hook_up)
		return;
	s->hook_up = false;
	const char *why = s->stopping	  ? "stop"
			  : s->admin_down ? "disconnect"
			  : s->restart	  ? (s->restart_why ? "reconnect" : "reload")
					  : "lost";
	struct hook_facts f;
	char peer[INET6_ADDRSTRLEN];
	hook_facts(s, &f, why, peer);
	hooks_run(s->hooks, HOOK_DOWN, s->conf.down_script, s->conf.script_timeout * 1000, &f);
}

static void session_went_up(struct session *s)
{
	if (s->state == SESSION_UP)
		return;
	s->state = SESSION_UP;
	s->up_since = now_ms(s);
	s->deadline = UINT64_MAX;
	/* fails is not reset here: only a session that lasts does that
	 * (session/backoff.h), when it ends. */
	s->error[0] = '\0';
	struct apply_target t = apply_target(s);
	apply_sysctls(&t);
	timeline_mark(&s->tl, TL_UP, timeline_now_us());
	char tl[256];
	timeline_format(&s->tl, tl, sizeof(tl));
	log_debug("connect timeline: %s", tl);
	notify_send("READY=1\nSTATUS=connected to %s", cur_server(s));
	log_notice("tunnel up (%s, %s, %s)", s->at.tls_version, s->at.tls_cipher,
		   ppp_auth_name(s->auth));
	s->round_tries = 0;
	s->round_auth_failed = false;
	maybe_up_hook(s);
}

/* PPP ended before a method was agreed: remember the method the server
 * insists on (taken at once next time), or say which methods did not meet
 * and wait the long authentication back-off. */
static void note_auth_outcome(struct session *s, const struct ppp_down_info *di)
{
	char msg[256];
	if (di->retry_with != PPP_AUTH_NONE) {
		auth_memory_put(&s->auth_mem, cur_server(s), s->conf.port, di->retry_with);
		s->auth_retry = true;
		log_notice("the server insists on %s: taking it on the next attempt",
			   ppp_auth_name(di->retry_with));
	} else if (auth_policy_explain(&s->conf, di, msg, sizeof(msg))) {
		snprintf(s->error, sizeof(s->error), "%s", msg);
		s->auth_failed = true;
	}
}

static void on_hostaddr(void *arg, int fd, unsigned events)
{
	(void)fd, (void)events;
	struct session *s = arg;
	hostaddr_input(s->ha);
}

/* ip disable-forwarding: from now on the data path delivers only what is
 * for this host, in every kernel and for IPv6 too (the per-interface IPv6
 * forwarding sysctl does not stop forwarding). Learnt before the first
 * packet; kept current on the loop. */
static bool fwd_policy_start(struct session *s)
{
	if (!s->conf.ip_disable_forwarding || s->ha)
		return true;
	s->ha = hostaddr_new();
	int fd = s->ha ? hostaddr_open(s->ha) : -ENOMEM;
	if (fd >= 0)
		fd = loop_add_fd(s->loop, fd, LOOP_READ, on_hostaddr, s);
	if (fd < 0) {
		/* open but not watched would go stale: fail closed instead */
		session_fail(s, "ip disable-forwarding: cannot follow the host's addresses: %s",
			     strerror(-fd));
		hostaddr_free(s->ha);
		s->ha = NULL;
		return false;
	}
	return true;
}

static void fwd_policy_stop(struct session *s)
{
	if (!s->ha)
		return;
	if (hostaddr_fd(s->ha) >= 0)
		loop_del_fd(s->loop, hostaddr_fd(s->ha));
	hostaddr_free(s->ha);
	s->ha = NULL;
}

static void ppp_event_cb(void *ctx, enum ppp_event ev, const void *arg)
{
	struct session *s = ctx;
	uint64_t now = now_ms(s);
	switch (ev) {
	case PPP_EV_AUTH_OK: {
		const struct ppp_auth_info *ai = arg;
		char why[200];
		if (!auth_policy_allows(&s->conf, ai->method, why, sizeof(why))) {
			/* a server that dropped authentication after we refused
			 * its methods: the mismatch is the real reason */
			struct ppp_down_info offer = {.server_offers = ai->server_offers,
						      .server_auth = ai->server_auth};
			auth_policy_explain(&s->conf, &offer, why, sizeof(why));
			/* no CALL_CONNECTED: the server gets no tunnel */
			set_error(s, "%s", why);
			s->auth_failed = true;
			ppp_close(link_ppp(s->link), why, now);
			break;
		}
		auth_memory_put(&s->auth_mem, cur_server(s), s->conf.port, ai->method);
		s->auth = ai->method;
		timeline_mark(&s->tl, TL_AUTH, timeline_now_us());
		log_info("authenticated with %s", ppp_auth_name(ai->method));
		static const uint8_t zero[32];
		/* CALL_CONNECTED must precede the first NCP frame. */
		sstp_auth_done(link_sstp(s->link), ai->have_keys ? ai->hlak : zero, now);
		break;
	}
	case PPP_EV_IPCP_UP: {
		const struct ppp_ipcp_info *ip = arg;
		if (s->at.v4_applied) {
			/* A renegotiation: the same parameters need nothing, new
			 * ones a fresh start (the journal undoes as a whole). */
			if (ip->local != s->local4 || ip->peer != s->peer4 ||
			    memcmp(ip->dns, s->dns4, sizeof(s->dns4)) != 0) {
				set_error(s, "the server renegotiated IPCP with new parameters");
				s->at.ncp_lost = true;
			}
			break;
		}
		s->at.v4_applied = true;
		timeline_mark(&s->tl, TL_NCP, timeline_now_us());
		if (!fwd_policy_start(s))
			break;
		s->local4 = ip->local;
		s->peer4 = ip->peer;
		memcpy(s->dns4, ip->dns, sizeof(s->dns4));
		struct apply_target t = apply_target(s);
		char why[200];
		if (!apply_ipv4(&t, ip, why, sizeof(why)))
			session_fail(s, "%s", why);
		if (s->ha)
			hostaddr_input(s->ha); /* our new address */
		if (!s->at.dead)	       /* not refused there */
			session_went_up(s);
		maybe_up_hook(s);
		break;
	}
	case PPP_EV_IPV6CP_UP: {
		const struct ppp_ipv6cp_info *ip = arg;
		if (s->at.v6_applied) {
			if (memcmp(ip->local_id, s->local6, 8) != 0 ||
			    memcmp(ip->peer_id, s->peer6, 8) != 0) {
				set_error(s, "the server renegotiated IPV6CP with new identifiers");
				s->at.ncp_lost = true;
			}
			break;
		}
		s->at.v6_applied = true;
		timeline_mark(&s->tl, TL_NCP, timeline_now_us());
		if (!fwd_policy_start(s))
			break;
		memcpy(s->local6, ip->local_id, 8);
		memcpy(s->peer6, ip->peer_id, 8);
		struct apply_target t = apply_target(s);
		apply_ipv6(&t, ip, &s->at.sv6);
		if (s->ha)
			hostaddr_input(s->ha);
		session_went_up(s);
		maybe_up_hook(s);
		break;
	}
	case PPP_EV_IPCP_DOWN: /* the link stops that protocol's data */
	case PPP_EV_IPV6CP_DOWN:
		log_notice("%s down", ev == PPP_EV_IPCP_DOWN ? "IPv4" : "IPv6");
		/* Routes and DNS of a protocol the server closed would blackhole
		 * its traffic: start afresh rather than half-configured. */
		if (s->state == SESSION_UP) {
			set_error(s, "the server closed %s",
				  ev == PPP_EV_IPCP_DOWN ? "IPCP" : "IPV6CP");
			s->at.ncp_lost = true;
		}
		break;
	case PPP_EV_EAP_RELAY: /* the server role's */
		break;
	case PPP_EV_DISCARDED: {
		const struct ppp_discard_info *d = arg;
		log_debug("%s: discarded code %u id %u: %s (%u so far)", d->protocol, d->code,
			  d->id, d->why, d->count);
		break;
	}
	case PPP_EV_DEAD: {
		const struct ppp_down_info *di = arg;
		s->at.ppp_dead = true;
		if (di && di->reason)
			set_error(s, "%s", di->reason);
		if (di && di->auth_failed)
			s->auth_failed = true;
		if (di)
			note_auth_outcome(s, di);
		if (!s->at.dead) {
			sstp_disconnect(link_sstp(s->link), now);
			/* A server silent for a whole keepalive interval (the echo
			 * check gave up) will not acknowledge the disconnect either:
			 * send it for the record and go now rather than wait out
			 * the acknowledgement timer. */
			uint64_t quiet = (uint64_t)s->conf.keepalive_interval * 1000;
			if (quiet && now - link_last_rx(s->link) >= quiet) {
				link_flush(s->link);
				session_fail(s, "the server went silent");
			}
		}
		break;
	}
	}
}

/* ------------------------------------------------------- session life */

static uint64_t backoff_delay(struct session *s)
{
	uint32_t r;
	random_bytes(&r, sizeof(r));
	return backoff_delay_ms(s->conf.backoff_min, s->conf.backoff_max, s->fails, s->auth_failed,
				r);
}

/* Several servers: a failed attempt moves on to the next one at once; only
 * a whole round without success counts as one failure for the backoff
 * (docs/config.md). True when the next server is due now. */
static bool next_server(struct session *s)
{
	int n = s->conf.nservers;
	if (n < 2 || s->round_tries + 1 >= (unsigned)n)
		return false;
	s->round_tries++;
	s->round_auth_failed = s->round_auth_failed || s->auth_failed;
	log_err("connection to %s failed: %s", cur_server(s),
		s->error[0] ? s->error : "unknown reason");
	s->srv = (s->srv + 1) % n;
	log_notice("trying the next server, %s", list_server(s));
	notify_send("STATUS=trying %s", list_server(s));
	s->state = SESSION_BACKOFF;
	s->deadline = now_ms(s);
	return true;
}

/* Tears the connection down (the server has been told what it can be told)
 * and decides what comes next. */
static void session_teardown(struct session *s)
{
	bool was_up = s->state == SESSION_UP;
	/* Addresses applied: this server worked (it may have been closing). */
	bool worked = was_up || s->at.v4_applied || s->at.v6_applied;
	/* A server that hangs up right after refusing our credentials closes
	 * SSTP before LCP has finished terminating: PPP's reason is the real
	 * one. */
	struct ppp *ppp = s->link ? link_ppp(s->link) : NULL;
	const struct ppp_down_info *di = ppp && !s->at.ppp_dead ? ppp_failure(ppp) : NULL;
	if (di && di->reason && !s->stopping && !s->admin_down) {
		snprintf(s->error, sizeof(s->error), "%s", di->reason);
		s->auth_failed = s->auth_failed || di->auth_failed;
		note_auth_outcome(s, di);
	}
	run_down_hook(s);
	if (s->nc)
		netcfg_undo(s->nc);
	if (s->ifindex > 0 && !s->conf.disable)
		nl_link_set_up(s->ifindex, false);
	if (s->link)
		s->drops += link_drops(s->link);
	link_free(s->link); /* TLS close_notify, socket closed */
	s->link = NULL;
	/* not read, but watched while waiting: with no link it is never
	 * blocked, so a deletion is seen (the loop does not run in between) */
	tun_want(s, false);
	dial_free(s->dial);
	s->dial = NULL;
	s->gso.pkt = NULL;
	if (s->gro)
		gro_init(s->gro); /* a batch cut short: its packets go with the link */
	fwd_policy_stop(s);
	loop_timer_cancel(s->loop, &s->slaac_timer);
	memset(&s->at, 0, sizeof(s->at)); /* source validation off, no SLAAC */

	if (s->stopping) {
		log_notice("stopped (%s)", s->error[0] ? s->error : "signal");
		s->state = SESSION_STOPPED;
		loop_stop(s->loop);
		return;
	}
	if (s->restart && !s->admin_down) {
		s->restart = false;
		s->fails = s->round_tries = 0;
		log_notice("reconnecting %s",
			   s->restart_why ? s->restart_why : "with the new configuration");
		notify_send(s->restart_why ? "STATUS=reconnecting"
					   : "STATUS=reconnecting: configuration reloaded");
		s->restart_why = NULL;
		s->state = SESSION_BACKOFF;
		s->deadline = now_ms(s);
		return;
	}
	s->restart = false;
	s->restart_why = NULL;
	if (s->admin_down) {
		log_notice("disconnected%s%s", s->error[0] ? ": " : "", s->error);
		s->state = SESSION_IDLE;
		s->deadline = UINT64_MAX;
		notify_send("STATUS=disconnected");
		return;
	}
	uint64_t up_ms = was_up ? now_ms(s) - s->up_since : 0;
	if (!worked && !s->auth_retry && next_server(s))
		return;
	s->auth_failed = s->auth_failed || s->round_auth_failed;
	s->round_auth_failed = false;
	/* The next round starts where this one started; after a drop, with
	 * the server that was just working. */
	if (!worked && !s->auth_retry && s->conf.nservers > 1)
		s->srv = (s->srv + 1) % s->conf.nservers;
	s->round_tries = 0;
	/* A retry with the method the server insisted on is not a failure. */
	if (was_up || !s->auth_retry)
		s->fails = backoff_fails_after(s->fails, was_up, up_ms);
	log_err("%s: %s", was_up ? "tunnel down" : "connection failed",
		s->error[0] ? s->error : "unknown reason");
	if (was_up && s->fails > 1)
		log_notice("the tunnel was up for only %llu s: counted as failure %u in a row",
			   (unsigned long long)(up_ms / 1000), s->fails);
	if (s->conf.max_fail && s->fails >= s->conf.max_fail) {
		log_err("giving up after %u failed attempt%s", s->fails, s->fails == 1 ? "" : "s");
		s->exit_code = 1;
		s->state = SESSION_STOPPED;
		loop_stop(s->loop);
		return;
	}
	uint64_t d = backoff_delay(s);
	log_notice("reconnecting in %llu.%01llu s%s", (unsigned long long)(d / 1000),
		   (unsigned long long)(d % 1000 / 100),
		   s->auth_failed ? " (authentication failed: waiting longer)" : "");
	notify_send("STATUS=reconnecting: %s", s->error);
	s->state = SESSION_BACKOFF;
	s->deadline = now_ms(s) + d;
}

/* Everything that must happen after a callback returned: deferred
 * teardown, output, and the timer. */
void session_after(struct session *s)
{
	if (s->at.ncp_lost) {
		s->at.ncp_lost = false;
		if (s->state == SESSION_UP && !s->at.ppp_dead && !s->at.dead) {
			s->state = SESSION_CLOSING;
			s->deadline = now_ms(s) + CLOSE_GRACE_MS;
			ppp_close(link_ppp(s->link), s->error, now_ms(s));
		}
	}
	if (s->state != SESSION_STOPPED && s->state != SESSION_IDLE &&
	    s->state != SESSION_BACKOFF) {
		/* A super-packet half cut when TLS blocked: the TUN may be empty
		 * and never wake us for the rest. */
		if (s->link && !s->at.dead && s->gso.pkt && !link_blocked(s->link))
			tun_input(s);
		if (s->link)
			link_after(s->link); /* true (closed) sets at.dead too */
		if (s->at.dead)
			session_teardown(s);
	}
	session_rearm(s);
}

static void link_wake_cb(void *ctx)
{
	session_after(ctx);
}

/* PPP as a client, from the configuration. */
static void ppp_client_config(struct session *s, struct ppp_config *pc)
{
	const struct conf *c = &s->conf;
	pc->role = PPP_CLIENT;
	pc->mru = (uint16_t)(c->mtu > 4091 ? 4091 : c->mtu);
	pc->username = c->username;
	pc->password = c->password;
	for (int i = 0; i < c->nauth && i < (int)(sizeof(pc->auth) / sizeof(pc->auth[0])); i++) {
		switch (c->auth[i]) {
		case CONF_AUTH_EAP_MSCHAPV2:
			pc->auth[i] = PPP_AUTH_EAP_MSCHAPV2;
			break;
		case CONF_AUTH_EAP_TLS:
			pc->auth[i] = PPP_AUTH_EAP_TLS;
			break;
		case CONF_AUTH_PEAP:
			pc->auth[i] = PPP_AUTH_PEAP;
			break;
		case CONF_AUTH_MSCHAPV2:
			pc->auth[i] = PPP_AUTH_MSCHAPV2;
			break;
		case CONF_AUTH_PAP:
			pc->auth[i] = PPP_AUTH_PAP;
			break;
		case CONF_AUTH_CHAP_MD5:
			pc->auth[i] = PPP_AUTH_CHAP_MD5;
			break;
		}
	}
	pc->auth_known = auth_memory_get(&s->auth_mem, cur_server(s), c->port);
	pc->eap_tls = &eap_glue_ops;
	pc->eap_tls_ctx = &s->conf;
	pc->ipv4 = true;
	pc->ipv6 = !c->ipv6_disable;
	pc->echo_interval_ms = c->keepalive_interval * 1000;
	pc->echo_failures = c->keepalive_failure;
}

/* TLS is up: SSTP (its HTTP request first) and PPP in the client role. */
static void link_established_cb(void *ctx)
{
	struct session *s = ctx;
	struct tls *tls = link_tls(s->link);
	timeline_mark(&s->tl, TL_TLS, timeline_now_us());
	snprintf(s->at.tls_version, sizeof(s->at.tls_version), "%s", tls_version(tls));
	snprintf(s->at.tls_cipher, sizeof(s->at.tls_cipher), "%s", tls_cipher(tls));
	log_info("TLS established (%s, %s)", s->at.tls_version, s->at.tls_cipher);
	struct sstp_config sc = {0};
	sc.role = SSTP_CLIENT;
	sc.host = s->conf.server_name[0] ? s->conf.server_name : cur_server(s);
	sc.negotiation_ms = 60000;
	sc.hello_ms = s->conf.sstp_hello * 1000;
	sc.disconnect_ms = 5000;
	sc.hash_set = SSTP_CERT_HASH_SHA1 | SSTP_CERT_HASH_SHA256;
	if (!tls_cert_hashes(tls, sc.cert_sha1, sc.cert_sha256)) {
		session_fail(s, "cannot read the server certificate");
		return;
	}
	struct ppp_config pc = {0};
	ppp_client_config(s, &pc);
	snprintf(s->phase, sizeof(s->phase), "HTTP handshake");
	link_start(s->link, &sc, &pc);
}

static const struct link_ops session_link_ops = {
    .data = link_data_cb,
    .established = link_established_cb,
    .sstp_event = sstp_event_cb,
    .ppp_event = ppp_event_cb,
    .failed = link_failed_cb,
    .blocked = link_blocked_cb,
    .rx_batch_end = link_rx_batch_end_cb,
    .wake = link_wake_cb,
};

static void on_dialed(void *arg, int fd, const struct sockaddr_storage *peer, const char *err);

/* CONNECTING: resolve, TCP, proxy (tls/dial.h) under the connect timeout;
 * the TLS handshake and everything after it follow in on_dialed. */
static void session_start_connect(struct session *s)
{
	const struct conf *c = &s->conf;
	s->state = SESSION_CONNECTING;
	s->error[0] = '\0';
	s->auth_failed = false;
	s->auth_retry = false;
	s->auth = PPP_AUTH_NONE;
	snprintf(s->phase, sizeof(s->phase), "resolving");
	snprintf(s->server_cur, sizeof(s->server_cur), "%s", list_server(s));
	s->deadline = now_ms(s) + (uint64_t)c->connect_timeout * 1000;
	timeline_restart(&s->tl, s->reconnects == 0);
	timeline_mark(&s->tl, TL_CONNECT, timeline_now_us());
	if (s->reconnects++ > 0)
		log_notice("reconnecting to %s port %u", cur_server(s), c->port);
	else
		log_notice("connecting to %s port %u", cur_server(s), c->port);

	bool auth = c->proxy_user[0] != '\0';
	struct dial_params dp = {.host = cur_server(s),
				 .port = c->port,
				 .proxy_host = c->proxy_host,
				 .proxy_port = c->proxy_port,
				 .proxy_user = auth ? c->proxy_user : NULL,
				 .proxy_pass = auth ? c->proxy_password : NULL,
				 .timeout_ms = c->connect_timeout * 1000};
	s->dial = dial_start(s->loop, &dp, on_dialed, s);
	if (!s->dial)
		session_fail(s, "out of memory");
}

/* The TLS client's settings for the server of this attempt; all but the
 * name also make the kept context (tls_ctx). */
static void tls_config(const struct session *s, struct tls_client_config *tc)
{
	const struct conf *c = &s->conf;
	*tc = (struct tls_client_config){.server_name =
					     c->server_name[0] ? c->server_name : cur_server(s),
					 .ca_file = c->ca_file[0] ? c->ca_file : NULL,
					 .pins = (const uint8_t(*)[32])c->pins,
					 .npins = c->npins,
					 .cert_file = c->cert_file};
	eap_glue_pki(c, c->ca_pki ? c->ca_file : NULL, c->cert_pki ? c->cert_file : NULL, tc);
}

/* What the kept TLS context is made of changed between o and n. */
static bool tls_inputs_changed(const struct conf *o, const struct conf *n)
{
	return strcmp(o->ca_file, n->ca_file) != 0 || strcmp(o->cert_file, n->cert_file) != 0 ||
	       o->ca_pki != n->ca_pki || o->cert_pki != n->cert_pki || o->npins != n->npins ||
	       memcmp(o->pins, n->pins, sizeof(o->pins)) != 0 || o->npki != n->npki ||
	       memcmp(o->pki, n->pki, sizeof(o->pki)) != 0;
}

/* A digest of the kept context's files as they are on disk now (0 for
 * none): inode, size and mtime of the CA and certificate files. */
static uint64_t tls_files_stamp(const struct conf *c)
{
	const char *files[2] = {c->ca_file[0] && !c->ca_pki ? c->ca_file : NULL,
				c->cert_file[0] && !c->cert_pki ? c->cert_file : NULL};
	uint64_t h = 0;
	for (int i = 0; i < 2; i++) {
		struct stat st;
		if (!files[i] || stat(files[i], &st) != 0)
			continue;
		uint64_t v[4] = {(uint64_t)st.st_ino, (uint64_t)st.st_size,
				 (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec};
		for (int k = 0; k < 4; k++)
			h = (h ^ v[k]) * 0x100000001b3ull; /* FNV-1a style mixing */
	}
	return h;
}

/* The TCP connection is there (past the proxy): TLS, then SSTP and PPP,
 * all in the link from now on. */
static void session_start_tls(struct session *s, int fd)
{
	char err[256];
	snprintf(s->phase, sizeof(s->phase), "TLS handshake");
	struct tls_client_config tc;
	tls_config(s, &tc);
	uint64_t stamp = tls_files_stamp(&s->conf);
	if (s->tls_ctx_stale || !s->tls_ctx || stamp != s->tls_files_stamp) {
		tls_client_ctx_free(s->tls_ctx); /* no connection uses it now */
		s->tls_ctx_stale = false;
		s->tls_files_stamp = stamp;
		s->tls_ctx = tls_client_ctx_new(&tc, err, sizeof(err));
	}
	struct tls *tls =
	    s->tls_ctx ? tls_client_new_ctx(s->tls_ctx, &tc, fd, err, sizeof(err)) : NULL;
	if (!tls) {
		close(fd);
		session_fail(s, "%s", err);
		return;
	}
	struct link_config lc = {.peer_word = "server", .peer_name = cur_server(s)};
	s->link = link_new(s->loop, fd, tls, &lc, &session_link_ops, s);
	if (!s->link) {
		session_fail(s, "out of memory");
		return;
	}
	s->state = SESSION_NEGOTIATING;
}

static void on_dialed(void *arg, int fd, const struct sockaddr_storage *peer, const char *err)
{
	struct session *s = arg;
	if (fd < 0) {
		session_fail(s, "%s", err);
	} else {
		char where[INET6_ADDRSTRLEN + 16];
		timeline_mark(&s->tl, TL_TCP, timeline_now_us());
		tcp_format_addr((const struct sockaddr *)peer, where, sizeof(where));
		log_info("TCP connected to %s after %llu ms%s", where,
			 (unsigned long long)(now_ms(s) + (uint64_t)s->conf.connect_timeout * 1000 -
					      s->deadline),
			 s->conf.proxy_host[0] ? " (the proxy)" : "");
		s->peer = *peer;
		session_start_tls(s, fd);
	}
	/* peer and err live in the dial: freed only now. */
	dial_free(s->dial);
	s->dial = NULL;
	session_after(s);
}

static void on_timer(void *arg, uint64_t now)
{
	struct session *s = arg;
	if (s->deadline <= now) {
		s->deadline = UINT64_MAX;
		switch (s->state) {
		case SESSION_BACKOFF:
			session_start_connect(s);
			break;
		case SESSION_CONNECTING:
		case SESSION_NEGOTIATING:
			/* The dial names what it waited for at this same deadline. */
			if (s->dial)
				break;
			session_fail(s, "timed out after %u s in %s", s->conf.connect_timeout,
				     s->phase);
			break;
		case SESSION_CLOSING:
			session_fail(s, "the server did not acknowledge the disconnect in time");
			break;
		default:
			break;
		}
	}
	session_after(s);
}

/* The session's own deadline; the link keeps the layers' on its timer. */
static void session_rearm(struct session *s)
{
	loop_timer_set(s->loop, &s->timer, s->deadline);
}

/* Ends the session politely: LCP Terminate, then CALL_DISCONNECT. */
void session_close(struct session *s)
{
	uint64_t now = now_ms(s);
	switch (s->state) {
	case SESSION_NEGOTIATING:
	case SESSION_UP:
		s->state = SESSION_CLOSING;
		s->deadline = now + CLOSE_GRACE_MS;
		set_error(s, "closed by the administrator");
		if (!s->link || s->at.dead)
			break;
		if (!link_sstp(s->link)) /* still in the TLS handshake */
			session_fail(s, "closed by the administrator");
		else if (!s->at.ppp_dead)
			ppp_close(link_ppp(s->link), "administrative close", now);
		else
			sstp_disconnect(link_sstp(s->link), now);
		break;
	case SESSION_CONNECTING:
		s->at.dead = true;
		if (s->link)
			link_fail(s->link, "closed by the administrator");
		break;
	case SESSION_BACKOFF:
	case SESSION_IDLE:
		if (s->stopping) {
			s->state = SESSION_STOPPED;
			loop_stop(s->loop);
		} else {
			s->state = SESSION_IDLE;
			s->deadline = UINT64_MAX;
		}
		break;
	default:
		break;
	}
	session_after(s);
}

/* The MSS targets follow the MTU and `ip adjust-mss`. */
static void session_set_mss(struct session *s)
{
	const struct conf *c = &s->conf;
	s->mss4 = s->mss6 = 0;
	if (c->adjust_mss < 0) {
		s->mss4 = (uint16_t)(c->mtu - 40);
		s->mss6 = (uint16_t)(c->mtu - 60);
	} else if (c->adjust_mss > 0) {
		s->mss4 = s->mss6 = (uint16_t)c->adjust_mss;
	}
}

/* The new configuration equals the running one but for the server list. */
static bool same_but_servers(const struct conf *o, struct conf *n)
{
	char server[sizeof(n->server)], servers[sizeof(n->servers)];
	int cnt = n->nservers;
	memcpy(server, n->server, sizeof(server));
	memcpy(servers, n->servers, sizeof(servers));
	memcpy(n->server, o->server, sizeof(server));
	memcpy(n->servers, o->servers, sizeof(servers));
	n->nservers = o->nservers;
	bool same = memcmp(n, o, sizeof(*n)) == 0;
	memcpy(n->server, server, sizeof(server));
	memcpy(n->servers, servers, sizeof(servers));
	n->nservers = cnt;
	return same;
}

static int server_index(const struct conf *c, const char *name)
{
	for (int i = 0; i < c->nservers; i++)
		if (strcmp(c->servers[i], name) == 0)
			return i;
	return -1;
}

/* SIGHUP: read the file again. An invalid file changes nothing (the tunnel
 * keeps running on what it has); a valid, different one is applied: the
 * device's own settings at once, everything else by reconnecting. */
static void session_reload(struct session *s)
{
	struct conf *n = malloc(sizeof(*n)); /* large; once per SIGHUP */
	char err[512];
	if (!n) {
		log_err("SIGHUP: out of memory: keeping the running configuration");
		return;
	}
	if (!s->conf.path[0]) {
		log_err("SIGHUP: the configuration did not come from a file: nothing to reload");
		goto out;
	}
	if (!conf_load(n, s->conf.path, err, sizeof(err))) {
		log_err("SIGHUP: %s: keeping the running configuration", err);
		goto out;
	}
	if (!conf_secrets_private(n, err, sizeof(err))) {
		log_err("SIGHUP: %s; keeping the running configuration", err);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		const char *script = i ? n->down_script : n->up_script;
		if (script[0] && !hooks_script_ok(script, err, sizeof(err))) {
			log_err("SIGHUP: %s: %s; keeping the running configuration",
				i ? "down-script" : "up-script", err);
			goto out;
		}
	}
	if (strcmp(n->ifname, s->conf.ifname) != 0) {
		log_err("SIGHUP: interface %s renamed to %s: needs a restart; keeping the running "
			"configuration",
			s->conf.ifname, n->ifname);
		goto out;
	}
	if (strcmp(n->vrf, s->conf.vrf) != 0) {
		log_warn("SIGHUP: a changed vrf takes effect at the next start");
		memcpy(n->vrf, s->conf.vrf, sizeof(n->vrf));
	}
	if (memcmp(n, &s->conf, sizeof(*n)) == 0) {
		log_notice("SIGHUP: configuration unchanged");
		goto out;
	}
	struct conf *o = &s->conf;
	/* A changed server list alone keeps a session whose server is still
	 * listed; otherwise a reconnect starts with the same server, or with
	 * the first when it was removed. */
	int idx = server_index(n, cur_server(s));
	bool keep = idx >= 0 && same_but_servers(o, n);
	s->tls_ctx_stale = s->tls_ctx_stale || tls_inputs_changed(o, n);
	if (n->log_level != o->log_level)
		log_set_level((enum log_level)n->log_level);
	int rc;
	if (strcmp(n->description, o->description) != 0 &&
	    (rc = nl_link_set_alias(s->ifindex, n->description)) < 0)
		log_err("SIGHUP: cannot set the description: %s", strerror(-rc));
	if (n->mtu != o->mtu && (rc = nl_link_set_mtu(s->ifindex, n->mtu)) < 0)
		log_err("SIGHUP: cannot set MTU %u: %s", n->mtu, strerror(-rc));
	bool was_disabled = o->disable;
	*o = *n;
	s->srv = idx >= 0 ? idx : 0;
	session_set_mss(s);
	log_notice("SIGHUP: configuration reloaded");
	if (o->disable && !was_disabled) {
		s->admin_down = true;
		if (s->ifindex > 0)
			nl_link_set_up(s->ifindex, false);
		session_close(s);
	} else if (!o->disable && was_disabled) {
		s->admin_down = false;
		s->fails = s->round_tries = 0;
		if (s->state == SESSION_IDLE || s->state == SESSION_BACKOFF) {
			session_start_connect(s);
			session_after(s);
		} else {
			s->restart = true; /* still closing: teardown reconnects */
		}
	} else if (s->state == SESSION_BACKOFF) {
		s->fails = s->round_tries = 0;
		s->deadline = now_ms(s);
		session_after(s);
	} else if (keep) {
		log_notice("SIGHUP: the server in use, %s, is still in the list: session kept",
			   cur_server(s));
	} else if (s->state != SESSION_IDLE && s->state != SESSION_STOPPED) {
		/* Routes, DNS, keepalive, server, credentials: all are set up
		 * while connecting, so a clean reconnect applies every one. */
		s->restart = true;
		session_close(s);
	}
out:
	secure_wipe(n, sizeof(*n)); /* the password */
	free(n);
}

static void on_signal(void *arg, int signo)
{
	struct session *s = arg;
	if (signo == SIGTERM || signo == SIGINT) {
		log_notice("%s: closing the tunnel", signo == SIGTERM ? "SIGTERM" : "SIGINT");
		s->stopping = true;
		if (s->nc)
			netcfg_set_stopping(s->nc); /* DNS helpers: no long waits */
		notify_send("STOPPING=1");
		session_close(s);
	} else if (signo == SIGHUP && !s->stopping) {
		log_notice("SIGHUP: reloading %s", s->conf.path);
		notify_send("RELOADING=1");
		session_reload(s);
		notify_send("READY=1");
	}
}

bool session_connect(struct session *s, char *err, size_t errlen)
{
	if (s->conf.disable) {
		snprintf(err, errlen,
			 "%s is disabled in its configuration (remove `disable` and reload)",
			 s->conf.ifname);
		return false;
	}
	s->admin_down = false;
	if (s->state == SESSION_IDLE || s->state == SESSION_BACKOFF) {
		s->fails = s->round_tries = 0;
		session_start_connect(s);
		session_after(s);
	}
	return true;
}

bool session_reconnect(struct session *s, char *err, size_t errlen)
{
	if (s->conf.disable) {
		snprintf(err, errlen, "%s is disabled in its configuration: it is not connected",
			 s->conf.ifname);
		return false;
	}
	log_notice("clear interfaces connection: reconnecting now");
	s->admin_down = false;
	if (s->state == SESSION_IDLE || s->state == SESSION_BACKOFF) {
		s->fails = s->round_tries = 0;
		session_start_connect(s);
		session_after(s);
	} else if (s->state != SESSION_STOPPED) {
		s->restart = true; /* the teardown starts the new session at once */
		s->restart_why = "at the administrator's request";
		session_close(s);
	}
	return true;
}

bool session_disconnect(struct session *s, char *err, size_t errlen)
{
	if (s->conf.disable) {
		snprintf(err, errlen, "%s is disabled in its configuration: it is not connected",
			 s->conf.ifname);
		return false;
	}
	s->admin_down = true;
	session_close(s);
	return true;
}

/* A sysctl the configuration asked for by name must be settable: in a
 * container /proc/sys is read-only, in an empty root there is none. The
 * other sysctls only say so and go on (`ip disable-forwarding` is also
 * enforced in the data path); strict or loose IPv4 source validation has
 * no such stand-in, so its absence is a setup error, named at start. */
static bool rp_filter_writable(const struct conf *c, char *err, size_t errlen)
{
	if (c->source_validation != CONF_SRCVALID_STRICT &&
	    c->source_validation != CONF_SRCVALID_LOOSE)
		return true;
	char path[96];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter", c->ifname);
	if (access(path, W_OK) == 0)
		return true;
	snprintf(err, errlen,
		 "ip source-validation %s: cannot write net.ipv4.conf.%s.rp_filter (%s: no "
		 "writable /proc/sys, "
		 "as in a container); remove the key to run without it",
		 c->source_validation == CONF_SRCVALID_STRICT ? "strict" : "loose", c->ifname,
		 strerror(errno));
	return false;
}

struct session *session_new(const struct conf *c, struct loop *l, char *err, size_t errlen)
{
	struct session *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	timeline_mark(&s->tl, TL_CREATED, timeline_now_us());
	s->conf = *c;
	s->loop = l;
	s->tun_fd = -1;
	s->deadline = UINT64_MAX;
	s->gso_buf = malloc(GSO_BUF);
	if (!s->gso_buf) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	loop_timer_init(&s->timer, on_timer, s);
	loop_timer_init(&s->slaac_timer, on_slaac_timer, s);
	loop_timer_init(&s->up_hook_timer, on_up_hook_timer, s);
	s->hooks = hooks_new(l);
	if (!s->hooks) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	session_set_mss(s);
	if (!tls_global_init()) {
		snprintf(err, errlen, "TLS library initialisation failed");
		goto fail;
	}

	int vrf_index = 0;
	uint32_t vrf_table = 0;
	if (c->vrf[0] && !nl_link_is_vrf(c->vrf, &vrf_index)) {
		snprintf(
		    err, errlen,
		    "vrf %s: no such VRF device (create it first: ip link add %s type vrf table N)",
		    c->vrf, c->vrf);
		goto fail;
	}
	/* Our routes through the tunnel belong in the VRF's table (where the
	 * kernel puts the connected ones), not in main. */
	if (vrf_index > 0 && !(vrf_table = nl_link_vrf_table(vrf_index))) {
		snprintf(err, errlen, "vrf %s: cannot read its routing table", c->vrf);
		goto fail;
	}
	/* Offloads are the default; SSTPC_NO_OFFLOAD=1 is the escape hatch
	 * (docs/tun.md). */
	const char *no = getenv("SSTPC_NO_OFFLOAD");
	s->tun_fd = tun_open_offload(c->ifname, !(no && *no && strcmp(no, "0") != 0), &s->ifindex,
				     &s->vnet, err, errlen);
	if (s->tun_fd < 0) {
		s->tun_fd = -1;
		goto fail;
	}
	log_info("%s: TUN offloads %s", c->ifname,
		 s->vnet ? "on (TSO, checksum, GRO)" : "off (one packet per read)");
	if (s->vnet && !(s->gro = malloc(sizeof(*s->gro)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (s->gro)
		gro_init(s->gro);
	int rc = nl_link_set_mtu(s->ifindex, c->mtu);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot set MTU %u: %s", c->ifname, c->mtu,
			 strerror(-rc));
		goto fail;
	}
	if (c->description[0] && (rc = nl_link_set_alias(s->ifindex, c->description)) < 0) {
		snprintf(err, errlen, "%s: cannot set the description: %s", c->ifname,
			 strerror(-rc));
		goto fail;
	}
	if (vrf_index > 0 && (rc = nl_link_set_master(s->ifindex, vrf_index)) < 0) {
		snprintf(err, errlen, "%s: cannot enslave to vrf %s: %s", c->ifname, c->vrf,
			 strerror(-rc));
		goto fail;
	}
	if (!rp_filter_writable(c, err, errlen))
		goto fail;
	/* The kept TLS context; one that cannot be made (a CA file not
	 * readable yet) fails each attempt with the reason instead. */
	struct tls_client_config tc;
	char tls_err[256];
	tls_config(s, &tc);
	s->tls_files_stamp = tls_files_stamp(c);
	s->tls_ctx = tls_client_ctx_new(&tc, tls_err, sizeof(tls_err));
	s->nc = netcfg_new(c->ifname, s->ifindex);
	if (!s->nc) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	netcfg_set_route_table(s->nc, vrf_table);
	netcfg_set_state_dir(s->nc, control_dir()); /* restores resolv.conf after a crash */
	rc = loop_add_fd(l, s->tun_fd, LOOP_WATCH, on_tun, s); /* tun_want: why */
	if (rc < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-rc));
		goto fail;
	}
	s->tun_events = LOOP_WATCH;
	loop_add_signal(l, SIGTERM, on_signal, s);
	loop_add_signal(l, SIGINT, on_signal, s);
	loop_add_signal(l, SIGHUP, on_signal, s);
	return s;
fail:
	session_free(s);
	return NULL;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	hooks_free(s->hooks); /* a down-script gets its time while the device still exists */
	loop_timer_cancel(s->loop, &s->up_hook_timer);
	link_free(s->link);
	tls_client_ctx_free(s->tls_ctx); /* after the link that used it */
	dial_free(s->dial);
	if (s->nc)
		netcfg_free(s->nc);
	fwd_policy_stop(s);
	loop_timer_cancel(s->loop, &s->timer);
	loop_timer_cancel(s->loop, &s->slaac_timer);
	if (s->tun_fd >= 0) {
		loop_del_fd(s->loop, s->tun_fd);
		close(s->tun_fd);
		/* a device deleted under us: the name may be someone else's now */
		if (!s->tun_lost)
			tun_delete(s->conf.ifname);
	}
	free(s->gso_buf);
	free(s->gro);
	secure_wipe(&s->conf, sizeof(s->conf)); /* the password */
	free(s);
}

int session_run(struct session *s)
{
	if (s->conf.disable) {
		log_notice("%s is disabled: administratively down, not connecting", s->conf.ifname);
		s->admin_down = true;
		s->state = SESSION_IDLE;
		notify_send("READY=1\nSTATUS=disabled");
	} else {
		session_start_connect(s);
		session_after(s);
	}
	if (s->state != SESSION_STOPPED)
		loop_run(s->loop);
	return s->exit_code;
}

static void format_ipv6cp_id(const uint8_t id[8], char *out, size_t len)
{
	uint8_t a[16] = {0xfe, 0x80};
	memcpy(a + 8, id, 8);
	inet_ntop(AF_INET6, a, out, (socklen_t)len);
}

void session_describe(struct session *s, struct session_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->state = session_state_name(s->state);
	snprintf(f->server, sizeof(f->server), "%s", cur_server(s));
	f->servers = (const char(*)[256])s->conf.servers;
	f->nservers = s->conf.nservers;
	f->server_index = server_index(&s->conf, cur_server(s));
	f->port = s->conf.port;
	if (s->link && link_ip_proto(s->link, 4)) {
		inet_ntop(AF_INET, &s->local4, f->local_ipv4, sizeof(f->local_ipv4));
		inet_ntop(AF_INET, &s->peer4, f->peer_ipv4, sizeof(f->peer_ipv4));
	}
	if (s->link && link_ip_proto(s->link, 6)) {
		format_ipv6cp_id(s->local6, f->local_ipv6, sizeof(f->local_ipv6));
		format_ipv6cp_id(s->peer6, f->peer_ipv6, sizeof(f->peer_ipv6));
	}
	if (s->peer.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&s->peer)->sin_addr, f->server_address,
			  sizeof(f->server_address));
	else if (s->peer.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&s->peer)->sin6_addr,
			  f->server_address, sizeof(f->server_address));
	memcpy(f->tls_version, s->at.tls_version, sizeof(f->tls_version));
	memcpy(f->tls_cipher, s->at.tls_cipher, sizeof(f->tls_cipher));
	f->auth = s->auth ? ppp_auth_name(s->auth) : "";
	f->crypto_binding = s->at.binding_hash == SSTP_CERT_HASH_SHA256 ? "SHA-256"
			    : s->at.binding_hash == SSTP_CERT_HASH_SHA1 ? "SHA-1"
									: "";
	f->uptime_s = s->state == SESSION_UP ? (now_ms(s) - s->up_since) / 1000 : 0;
	f->reconnects = s->reconnects > 0 ? s->reconnects - 1 : 0;
	f->dropped = s->drops + (s->link ? link_drops(s->link) : 0);
	f->forward_dropped = s->fwd_drops;
	snprintf(f->last_error, sizeof(f->last_error), "%s", s->error);
}
