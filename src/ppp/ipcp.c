/* IPCP (RFC 1332) with the DNS options of RFC 1877. */
#include <string.h>

#include "ppp/ppp_internal.h"

enum { IPCP_OPT_ADDR = 3, IPCP_OPT_DNS1 = 129, IPCP_OPT_DNS2 = 131 };

static struct ppp *P(struct fsm *f) { return f->ctx; }

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
		if (type == IPCP_OPT_ADDR && vlen == 4 && a != 0)
			p->ip_peer = a;
		else
			cp_reject(cp, type, val, vlen);
	}
	return true;
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
		if (type == IPCP_OPT_ADDR)
			p->ip_local = a;
		else if (type == IPCP_OPT_DNS1)
			p->dns[0] = a;
		else if (type == IPCP_OPT_DNS2)
			p->dns[1] = a;
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
	if (p->ip_local == 0) {
		/* the server never gave us an address: nothing to run IPv4 on */
		fsm_close(f, "server assigned no IPv4 address", now);
		return;
	}
	p->ipcp_up = true;
	struct ppp_ipcp_info info = {
		.local = p->ip_local,
		.peer = p->ip_peer,
		.dns = { p->dns_rej[0] ? 0 : p->dns[0], p->dns_rej[1] ? 0 : p->dns[1] },
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
