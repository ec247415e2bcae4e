/* IPCP (RFC 1332) with the DNS options of RFC 1877. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ppp/ppp_internal.h"

enum { IPCP_OPT_ADDR = 3, IPCP_OPT_DNS1 = 129, IPCP_OPT_DNS2 = 131 };

static struct ppp *P(struct fsm *f) { return f->ctx; }

const char *ppp_ip4_unusable(uint32_t a)
{
	uint32_t h = ntohl(a);
	if (h >> 24 == 0)
		return h ? "in 0.0.0.0/8" : "0.0.0.0";
	if (h >> 24 == 127)
		return "loopback";
	if (h == 0xffffffffu)
		return "the limited broadcast address";
	if (h >> 28 == 0xe)
		return "multicast";
	if (h >> 28 == 0xf)
		return "class E (reserved)";
	return NULL;
}

static void fmt4(char *buf, size_t len, uint32_t a)
{
	if (!inet_ntop(AF_INET, &a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static void put_addr(struct writer *w, uint8_t type, uint32_t a)
{
	wr_u8(w, type);
	wr_u8(w, 6);
	wr_bytes(w, &a, 4); /* a is already in network byte order */
}

static void ipcp_build(struct fsm *f, struct writer *w)
{
	struct ppp *p = P(f);
	if (!p->addr_rej && (p->cfg.role == PPP_CLIENT || p->ip_local))
		put_addr(w, IPCP_OPT_ADDR, p->ip_local);
	if (p->cfg.role == PPP_SERVER)
		return; /* the server hands out DNS, it does not ask for it */
	if (!p->dns_rej[0])
		put_addr(w, IPCP_OPT_DNS1, p->dns[0]);
	if (!p->dns_rej[1])
		put_addr(w, IPCP_OPT_DNS2, p->dns[1]);
}

/* Server: the client asks for its address and DNS servers; we Nak towards
 * what we hand out (RFC 1332 3.3, RFC 1877). */
static bool ipcp_srv_parse(struct ppp *p, struct reader *opts, struct cp_parse *cp)
{
	bool saw_addr = false;
	while (rd_left(opts)) {
		uint8_t type;
		struct reader v;
		if (!cp_next_opt(opts, &type, &v))
			return false;
		const uint8_t *val = rd_ptr(&v);
		size_t vlen = rd_left(&v);
		uint32_t a = 0, want;
		if (vlen == 4)
			memcpy(&a, val, 4);
		if (vlen != 4) {
			cp_reject(cp, type, val, vlen);
		} else if (type == IPCP_OPT_ADDR) {
			saw_addr = true;
			want = p->cfg.peer_ip4 ? p->cfg.peer_ip4 : a;
			if (want == 0)
				cp_reject(cp, type, val, vlen); /* nothing to give it */
			else if (a != want)
				cp_nak(cp, type, val, vlen, (const uint8_t *)&want, 4);
			else
				p->ip_peer = a;
		} else if (type == IPCP_OPT_DNS1 || type == IPCP_OPT_DNS2) {
			want = p->cfg.dns4[type == IPCP_OPT_DNS2];
			if (want == 0)
				cp_reject(cp, type, val, vlen);
			else if (a != want)
				cp_nak(cp, type, val, vlen, (const uint8_t *)&want, 4);
		} else {
			cp_reject(cp, type, val, vlen);
		}
	}
	/* a client that does not ask for an address is told the one it gets
	 * (RFC 1661 5.3: a Nak may carry options the peer did not list) */
	if (!saw_addr && p->cfg.peer_ip4 && !cp->nak_as_rej)
		cp_nak(cp, IPCP_OPT_ADDR, NULL, 0, (const uint8_t *)&p->cfg.peer_ip4, 4);
	return true;
}

static bool ipcp_parse(struct fsm *f, struct reader *opts, struct cp_parse *cp)
{
	struct ppp *p = P(f);
	if (p->cfg.role == PPP_SERVER)
		return ipcp_srv_parse(p, opts, cp);
	while (rd_left(opts)) {
		uint8_t type;
		struct reader v;
		if (!cp_next_opt(opts, &type, &v))
			return false;
		const uint8_t *val = rd_ptr(&v);
		size_t vlen = rd_left(&v);
		uint32_t a = 0;
		if (vlen == 4)
			memcpy(&a, val, 4);
		/* The server's own address: 0 asks us to assign one (we have
		 * none to give), an unusable one or ours is Configure-Rejected
		 * (RFC 1332 3.3 leaves no better answer: we cannot suggest the
		 * server an address); the link works without it, since routes
		 * go by device. A public address, or the one we connect to, is
		 * legitimate: routing keeps it harmless (docs/tun.md). */
		if (type == IPCP_OPT_ADDR && vlen == 4 && !ppp_ip4_unusable(a) && a != p->ip_local) {
			p->ip_peer = a;
			continue;
		}
		if (type == IPCP_OPT_ADDR && vlen == 4 && a)
			p->peer_refused = a;
		cp_reject(cp, type, val, vlen);
	}
	return true;
}

/* A Nak suggests our address. An unusable one (or the server's own) is
 * not taken: we keep asking with 0.0.0.0, which asks the server for an
 * address (RFC 1332 3.3), and after Max-Failure such Naks IPCP closes with
 * the reason. False when it closed. */
static bool ipcp_take_local(struct fsm *f, uint32_t a)
{
	struct ppp *p = P(f);
	const char *why = ppp_ip4_unusable(a);
	if (!why && a == p->ip_peer)
		why = "the server's own address";
	if (!why) {
		p->ip_local = a;
		return true;
	}
	char s[INET_ADDRSTRLEN];
	fmt4(s, sizeof(s), a);
	snprintf(p->ipcp_why, sizeof(p->ipcp_why), "the server insists on IPv4 address %s (%s), refused", s,
		 why);
	p->ip_local = 0;
	if (++p->addr_refusals < f->max_failure)
		return true;
	fsm_close(f, p->ipcp_why, p->now);
	return false;
}

/* A Nak suggests a DNS server. An unusable one is dropped: the option is
 * no longer requested (as after a Reject), and the session warns; no DNS
 * from the server is better than a resolver pointed at ourselves. */
static void ipcp_take_dns(struct ppp *p, int i, uint32_t a)
{
	if (a == 0 || !ppp_ip4_unusable(a)) {
		/* 0: the server has none to suggest now; asking on is harmless */
		p->dns[i] = a;
		return;
	}
	p->dns_refused[i] = a;
	p->dns_rej[i] = true;
	p->dns[i] = 0;
}

static bool ipcp_nak(struct fsm *f, struct reader *opts)
{
	struct ppp *p = P(f);
	while (rd_left(opts)) {
		uint8_t type;
		struct reader v;
		if (!cp_next_opt(opts, &type, &v))
			return false;
		if (rd_left(&v) != 4)
			continue;
		uint32_t a;
		rd_bytes(&v, &a, 4);
		if (p->cfg.role == PPP_SERVER)
			continue; /* our address is configured, not negotiable */
		if (type == IPCP_OPT_ADDR && !ipcp_take_local(f, a))
			return false; /* closed: the reply is done with */
		else if (type == IPCP_OPT_DNS1 || type == IPCP_OPT_DNS2)
			ipcp_take_dns(p, type == IPCP_OPT_DNS2, a);
	}
	return true;
}

static bool ipcp_rej(struct fsm *f, struct reader *opts)
{
	struct ppp *p = P(f);
	while (rd_left(opts)) {
		uint8_t type;
		struct reader v;
		if (!cp_next_opt(opts, &type, &v))
			return false;
		if (type == IPCP_OPT_ADDR)
			p->addr_rej = true;
		else if (type == IPCP_OPT_DNS1)
			p->dns_rej[0] = true, p->dns[0] = 0;
		else if (type == IPCP_OPT_DNS2)
			p->dns_rej[1] = true, p->dns[1] = 0;
	}
	return true;
}

static void ipcp_up(struct fsm *f, uint64_t now)
{
	struct ppp *p = P(f);
	if (p->cfg.role == PPP_SERVER) {
		p->ipcp_up = true;
		struct ppp_ipcp_info info = {
			.local = p->ip_local,
			.peer = p->ip_peer,
			.dns = { p->cfg.dns4[0], p->cfg.dns4[1] },
		};
		p->ops->event(p->ctx, PPP_EV_IPCP_UP, &info);
		return;
	}
	if (p->ip_local == 0 || ppp_ip4_unusable(p->ip_local)) {
		/* the server never gave us an address: nothing to run IPv4 on */
		fsm_close(f, "server assigned no IPv4 address", now);
		return;
	}
	if (p->ip_peer == p->ip_local) {
		/* its request came before our address was settled: the link
		 * runs without the server's address rather than with ours twice */
		p->peer_refused = p->ip_peer;
		p->ip_peer = 0;
	}
	p->ipcp_up = true;
	struct ppp_ipcp_info info = {
		.local = p->ip_local,
		.peer = p->ip_peer,
		.dns = { p->dns_rej[0] ? 0 : p->dns[0], p->dns_rej[1] ? 0 : p->dns[1] },
		.dns_refused = { p->dns_refused[0], p->dns_refused[1] },
		.peer_refused = p->peer_refused,
	};
	p->ops->event(p->ctx, PPP_EV_IPCP_UP, &info);
}

const struct fsm_callbacks ipcp_callbacks = {
	.name = "IPCP",
	.proto = PPP_PROTO_IPCP,
	.build_req = ipcp_build,
	.parse_req = ipcp_parse,
	.rcv_nak = ipcp_nak,
	.rcv_rej = ipcp_rej,
	.up = ipcp_up,
	.down = ppp_ncp_down,
	.finished = ppp_ncp_finished,
};
