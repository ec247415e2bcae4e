/* IPV6CP (RFC 5072): Interface-Identifier only. */
#include <string.h>

#include "ppp/ppp_internal.h"

enum { IPV6CP_OPT_IFID = 1 };

static const uint8_t zero_id[8];

static struct ppp *P(struct fsm *f) { return f->ctx; }

static void new_id(struct ppp *p, uint8_t id[8], const uint8_t avoid[8])
{
	do {
		ppp_random(p, id, 8);
	} while (!memcmp(id, zero_id, 8) || !memcmp(id, avoid, 8));
}

static void ipv6cp_build(struct fsm *f, struct writer *w)
{
	struct ppp *p = P(f);
	if (!memcmp(p->ifid_local, zero_id, 8))
		new_id(p, p->ifid_local, p->ifid_peer);
	if (!p->ifid_rej) {
		wr_u8(w, IPV6CP_OPT_IFID);
		wr_u8(w, 10);
		wr_bytes(w, p->ifid_local, 8);
	}
}

static bool ipv6cp_parse(struct fsm *f, struct reader *opts, struct cp_parse *cp)
{
	struct ppp *p = P(f);
	while (rd_left(opts)) {
		uint8_t type;
		struct reader v;
		if (!cp_next_opt(opts, &type, &v))
			return false;
		const uint8_t *val = rd_ptr(&v);
		size_t vlen = rd_left(&v);
		if (type != IPV6CP_OPT_IFID || vlen != 8) {
			cp_reject(cp, type, val, vlen);
			continue;
		}
		if (!memcmp(val, zero_id, 8) || !memcmp(val, p->ifid_local, 8)) {
			uint8_t want[8];
			if (p->cfg.role == PPP_SERVER) {
				/* ours is configured and stays; the client gets the one
				 * meant for it, or a random one */
				if (memcmp(p->cfg.peer_ifid, zero_id, 8) &&
				    memcmp(p->cfg.peer_ifid, p->ifid_local, 8))
					memcpy(want, p->cfg.peer_ifid, 8);
				else
					new_id(p, want, p->ifid_local);
			} else {
				/* RFC 5072 4.1: suggest one for the peer; on collision
				 * also renew ours */
				if (!memcmp(val, p->ifid_local, 8))
					new_id(p, p->ifid_local, val);
				new_id(p, want, p->ifid_local);
			}
			cp_nak(cp, type, val, vlen, want, 8);
			continue;
		}
		memcpy(p->ifid_peer, val, 8);
	}
	return true;
}

static bool ipv6cp_nak(struct fsm *f, struct reader *opts)
{
	struct ppp *p = P(f);
	while (rd_left(opts)) {
		uint8_t type;
		struct reader v;
		if (!cp_next_opt(opts, &type, &v))
			return false;
		if (type == IPV6CP_OPT_IFID && rd_left(&v) == 8) {
			const uint8_t *id = rd_ptr(&v);
			if (memcmp(id, zero_id, 8) && memcmp(id, p->ifid_peer, 8))
				memcpy(p->ifid_local, id, 8);
			else
				new_id(p, p->ifid_local, p->ifid_peer);
		}
	}
	return true;
}

static bool ipv6cp_rej(struct fsm *f, struct reader *opts)
{
	struct ppp *p = P(f);
	while (rd_left(opts)) {
		uint8_t type;
		struct reader v;
		if (!cp_next_opt(opts, &type, &v))
			return false;
		if (type == IPV6CP_OPT_IFID)
			p->ifid_rej = true;
	}
	return true;
}

static void ipv6cp_up(struct fsm *f, uint64_t now)
{
	struct ppp *p = P(f);
	p->ipv6cp_up = true;
	struct ppp_ipv6cp_info info;
	memcpy(info.local_id, p->ifid_local, 8);
	memcpy(info.peer_id, p->ifid_peer, 8);
	p->ops->event(p->ctx, PPP_EV_IPV6CP_UP, &info);
}

const struct fsm_callbacks ipv6cp_callbacks = {
	.name = "IPV6CP",
	.proto = PPP_PROTO_IPV6CP,
	.build_req = ipv6cp_build,
	.parse_req = ipv6cp_parse,
	.rcv_nak = ipv6cp_nak,
	.rcv_rej = ipv6cp_rej,
	.up = ipv6cp_up,
	.down = ppp_ncp_down,
	.finished = ppp_ncp_finished,
};
