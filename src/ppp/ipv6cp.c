/* IPV6CP (RFC 5072): Interface-Identifier only. */
#include <string.h>

#include "ppp/ppp_internal.h"

enum { IPV6CP_OPT_IFID = 1 };

static const uint8_t zero_id[8];

static struct ppp *P(struct fsm *f)
{
	return f->ctx;
}

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

static enum cp_answer ipv6cp_req_ifid(struct fsm *f, uint8_t type, struct reader v,
				      struct writer *w)
{
	struct ppp *p = P(f);
	const uint8_t *val = rd_ptr(&v);
	if (memcmp(val, zero_id, 8) && memcmp(val, p->ifid_local, 8)) {
		memcpy(p->ifid_peer, val, 8);
		return CP_ACK;
	}
	uint8_t want[8];
	if (p->cfg.role == PPP_SERVER) {
		/* ours is configured and stays; the client gets the one meant
		 * for it, or a random one */
		if (memcmp(p->cfg.peer_ifid, zero_id, 8) &&
		    memcmp(p->cfg.peer_ifid, p->ifid_local, 8))
			memcpy(want, p->cfg.peer_ifid, 8);
		else
			new_id(p, want, p->ifid_local);
	} else {
		/* RFC 5072 4.1: suggest one for the peer; on collision also
		 * renew ours */
		if (!memcmp(val, p->ifid_local, 8))
			new_id(p, p->ifid_local, val);
		new_id(p, want, p->ifid_local);
	}
	wr_bytes(w, want, 8);
	return CP_NAK;
}

static bool ipv6cp_nak_ifid(struct fsm *f, uint8_t type, struct reader v)
{
	struct ppp *p = P(f);
	const uint8_t *id = rd_ptr(&v);
	if (memcmp(id, zero_id, 8) && memcmp(id, p->ifid_peer, 8))
		memcpy(p->ifid_local, id, 8);
	else
		new_id(p, p->ifid_local, p->ifid_peer);
	return true;
}

static void ipv6cp_rej_ifid(struct fsm *f, uint8_t type, struct reader v)
{
	P(f)->ifid_rej = true;
}

static const struct cp_option ipv6cp_options[] = {
    {IPV6CP_OPT_IFID, 8, ipv6cp_req_ifid, ipv6cp_nak_ifid, ipv6cp_rej_ifid},
};

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
    .options = ipv6cp_options,
    .n_options = sizeof(ipv6cp_options) / sizeof(ipv6cp_options[0]),
    .up = ipv6cp_up,
    .down = ppp_ncp_down,
    .finished = ppp_ncp_finished,
};
