/* IPCP (RFC 1332) with the DNS options of RFC 1877. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ppp/ppp_internal.h"

enum { IPCP_OPT_ADDR = 3, IPCP_OPT_DNS1 = 129, IPCP_OPT_DNS2 = 131 };

static struct ppp *P(struct fsm *f)
{
	return f->ctx;
}

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

static uint32_t addr_of(struct reader v)
{
	uint32_t a; /* kept in network byte order, as it came */
	rd_bytes(&v, &a, 4);
	return a;
}

/* Server: the client asks for its address and DNS servers; we Nak towards
 * what we hand out (RFC 1332 3.3, RFC 1877); 0 = nothing to give it. */
static enum cp_answer srv_answer(uint32_t asked, uint32_t give, struct writer *want)
{
	if (give == 0)
		return CP_REJ;
	if (asked == give)
		return CP_ACK;
	wr_bytes(want, &give, 4);
	return CP_NAK;
}

static enum cp_answer ipcp_req_addr(struct fsm *f, uint8_t type, struct reader v,
				    struct writer *want)
{
	struct ppp *p = P(f);
	uint32_t a = addr_of(v);
	if (p->cfg.role == PPP_SERVER) {
		p->ipcp_saw_addr = true;
		enum cp_answer ans = srv_answer(a, p->cfg.peer_ip4 ? p->cfg.peer_ip4 : a, want);
		if (ans == CP_ACK)
			p->ip_peer = a;
		return ans;
	}
	/* The server's own address: 0 asks us to assign one (we have none
	 * to give), an unusable one or ours is Configure-Rejected (RFC 1332
	 * 3.3 leaves no better answer: we cannot suggest the server an
	 * address); the link works without it, since routes go by device. A
	 * public address, or the one we connect to, is legitimate: routing
	 * keeps it harmless (docs/tun.md). */
	if (!ppp_ip4_unusable(a) && a != p->ip_local) {
		p->ip_peer = a;
		return CP_ACK;
	}
	if (a)
		p->peer_refused = a;
	return CP_REJ;
}

static enum cp_answer ipcp_req_dns(struct fsm *f, uint8_t type, struct reader v,
				   struct writer *want)
{
	struct ppp *p = P(f);
	if (p->cfg.role != PPP_SERVER)
		return CP_REJ; /* a server asking us for DNS servers */
	return srv_answer(addr_of(v), p->cfg.dns4[type == IPCP_OPT_DNS2], want);
}

static void ipcp_opts_begin(struct fsm *f, uint8_t code)
{
	if (code == CP_CONF_REQ)
		P(f)->ipcp_saw_addr = false;
}

/* Server: a client that does not ask for an address is told the one it
 * gets (RFC 1661 5.3: a Nak may carry options the peer did not list). */
static void ipcp_opts_end(struct fsm *f, uint8_t code, struct cp_parse *cp)
{
	struct ppp *p = P(f);
	if (code == CP_CONF_REQ && p->cfg.role == PPP_SERVER && !p->ipcp_saw_addr &&
	    p->cfg.peer_ip4)
		cp_nak_unlisted(cp, IPCP_OPT_ADDR, (const uint8_t *)&p->cfg.peer_ip4, 4);
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
	snprintf(p->ipcp_why, sizeof(p->ipcp_why),
		 "the server insists on IPv4 address %s (%s), refused", s, why);
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

static bool ipcp_nak_addr(struct fsm *f, uint8_t type, struct reader v)
{
	if (P(f)->cfg.role == PPP_SERVER)
		return true;		       /* our address is configured, not negotiable */
	return ipcp_take_local(f, addr_of(v)); /* false: closed, the reply is done with */
}

static bool ipcp_nak_dns(struct fsm *f, uint8_t type, struct reader v)
{
	struct ppp *p = P(f);
	if (p->cfg.role != PPP_SERVER)
		ipcp_take_dns(p, type == IPCP_OPT_DNS2, addr_of(v));
	return true;
}

static void ipcp_rej_addr(struct fsm *f, uint8_t type, struct reader v)
{
	P(f)->addr_rej = true;
}

static void ipcp_rej_dns(struct fsm *f, uint8_t type, struct reader v)
{
	struct ppp *p = P(f);
	int i = type == IPCP_OPT_DNS2;
	p->dns_rej[i] = true;
	p->dns[i] = 0;
}

static void ipcp_up(struct fsm *f, uint64_t now)
{
	struct ppp *p = P(f);
	if (p->cfg.role == PPP_SERVER) {
		p->ipcp_up = true;
		struct ppp_ipcp_info info = {
		    .local = p->ip_local,
		    .peer = p->ip_peer,
		    .dns = {p->cfg.dns4[0], p->cfg.dns4[1]},
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
	    .dns = {p->dns_rej[0] ? 0 : p->dns[0], p->dns_rej[1] ? 0 : p->dns[1]},
	    .dns_refused = {p->dns_refused[0], p->dns_refused[1]},
	    .peer_refused = p->peer_refused,
	};
	p->ops->event(p->ctx, PPP_EV_IPCP_UP, &info);
}

static const struct cp_option ipcp_options[] = {
    {IPCP_OPT_ADDR, 4, ipcp_req_addr, ipcp_nak_addr, ipcp_rej_addr},
    {IPCP_OPT_DNS1, 4, ipcp_req_dns, ipcp_nak_dns, ipcp_rej_dns},
    {IPCP_OPT_DNS2, 4, ipcp_req_dns, ipcp_nak_dns, ipcp_rej_dns},
};

const struct fsm_callbacks ipcp_callbacks = {
    .name = "IPCP",
    .proto = PPP_PROTO_IPCP,
    .build_req = ipcp_build,
    .options = ipcp_options,
    .n_options = sizeof(ipcp_options) / sizeof(ipcp_options[0]),
    .opts_begin = ipcp_opts_begin,
    .opts_end = ipcp_opts_end,
    .up = ipcp_up,
    .down = ppp_ncp_down,
    .finished = ppp_ncp_finished,
};
