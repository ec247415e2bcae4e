#include "tun/nl.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NL_ALIGN(n) (((n) + 3u) & ~(size_t)3u)
#define NL_HDRLEN 16u
#define NL_RTA_HDRLEN 4u

/* ---- building ------------------------------------------------------------ */

void nlm_init(struct nlmsg *m, void *buf, size_t cap, uint16_t type, uint16_t flags)
{
	m->p = buf;
	m->cap = cap;
	m->len = 0;
	m->err = false;
	uint8_t *h = nlm_reserve(m, NL_HDRLEN);
	if (!h)
		return;
	memcpy(h + 4, &type, 2);
	memcpy(h + 6, &flags, 2);
}

uint8_t *nlm_reserve(struct nlmsg *m, size_t n)
{
	size_t padded = NL_ALIGN(n);
	if (m->err || padded < n || padded > m->cap - m->len) {
		m->err = true;
		return NULL;
	}
	uint8_t *at = m->p + m->len;
	memset(at, 0, padded);
	m->len += padded;
	return at;
}

void nlm_attr(struct nlmsg *m, uint16_t type, const void *data, size_t n)
{
	if (n > 0xffff - NL_RTA_HDRLEN) {
		m->err = true;
		return;
	}
	uint8_t *a = nlm_reserve(m, NL_RTA_HDRLEN + n);
	if (!a)
		return;
	uint16_t alen = (uint16_t)(NL_RTA_HDRLEN + n);
	memcpy(a, &alen, 2);
	memcpy(a + 2, &type, 2);
	if (n)
		memcpy(a + NL_RTA_HDRLEN, data, n);
}

void nlm_attr_u8(struct nlmsg *m, uint16_t type, uint8_t v)
{
	nlm_attr(m, type, &v, 1);
}
void nlm_attr_u32(struct nlmsg *m, uint16_t type, uint32_t v)
{
	nlm_attr(m, type, &v, 4);
}
void nlm_attr_str(struct nlmsg *m, uint16_t type, const char *s)
{
	nlm_attr(m, type, s, strlen(s) + 1);
}

size_t nlm_nest_begin(struct nlmsg *m, uint16_t type)
{
	size_t at = m->len;
	nlm_attr(m, (uint16_t)(type | NLA_F_NESTED), NULL, 0);
	return at;
}

void nlm_nest_end(struct nlmsg *m, size_t at)
{
	if (m->err)
		return;
	size_t n = m->len - at;
	if (n > 0xffff) {
		m->err = true;
		return;
	}
	uint16_t alen = (uint16_t)n;
	memcpy(m->p + at, &alen, 2);
}

size_t nlm_end(struct nlmsg *m)
{
	if (m->err || m->len > UINT32_MAX)
		return 0;
	uint32_t len = (uint32_t)m->len;
	memcpy(m->p, &len, 4);
	return m->len;
}

void nl_enc_link_start(struct nlmsg *m, void *buf, size_t cap, uint16_t type, uint16_t flags,
		       int ifindex)
{
	nlm_init(m, buf, cap, type, flags);
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	uint8_t *p = nlm_reserve(m, sizeof(ifi));
	if (p)
		memcpy(p, &ifi, sizeof(ifi));
}

size_t nl_enc_set_master(void *buf, size_t cap, int ifindex, int master)
{
	struct nlmsg m;
	nl_enc_link_start(&m, buf, cap, RTM_NEWLINK, 0, ifindex);
	nlm_attr_u32(&m, IFLA_MASTER, (uint32_t)master);
	return nlm_end(&m);
}

static size_t family_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

size_t nl_enc_addr(void *buf, size_t cap, bool add, const struct nl_addr *a)
{
	size_t alen = family_len(a->family);
	if (!alen || a->plen > alen * 8)
		return 0;
	struct nlmsg m;
	nlm_init(&m, buf, cap, add ? RTM_NEWADDR : RTM_DELADDR,
		 !add	      ? 0
		 : a->replace ? NLM_F_CREATE | NLM_F_REPLACE
			      : NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg ifa = {
	    .ifa_family = (uint8_t)a->family,
	    .ifa_prefixlen = a->plen,
	    .ifa_flags = a->nodad ? IFA_F_NODAD : 0,
	    .ifa_scope = RT_SCOPE_UNIVERSE,
	    .ifa_index = (uint32_t)a->ifindex,
	};
	uint8_t *p = nlm_reserve(&m, sizeof(ifa));
	if (p)
		memcpy(p, &ifa, sizeof(ifa));
	nlm_attr(&m, IFA_LOCAL, a->local, alen);
	nlm_attr(&m, IFA_ADDRESS, a->has_peer ? a->peer : a->local, alen);
	if (a->noprefixroute)
		nlm_attr_u32(&m, IFA_FLAGS, IFA_F_NOPREFIXROUTE | (a->nodad ? IFA_F_NODAD : 0));
	if (add && a->has_lifetime) {
		struct ifa_cacheinfo ci = {.ifa_prefered = a->preferred, .ifa_valid = a->valid};
		nlm_attr(&m, IFA_CACHEINFO, &ci, sizeof(ci));
	}
	return nlm_end(&m);
}

size_t nl_enc_route(void *buf, size_t cap, bool add, const struct nl_route *rt)
{
	size_t alen = family_len(rt->family);
	if (!alen || rt->plen > alen * 8)
		return 0;
	struct nlmsg m;
	nlm_init(&m, buf, cap, add ? RTM_NEWROUTE : RTM_DELROUTE,
		 add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	uint32_t table = rt->table ? rt->table : RT_TABLE_MAIN;
	/* As iproute2 does: a route without gateway is link scope when added,
	 * and deletes match any scope. */
	uint8_t scope =
	    !add ? RT_SCOPE_NOWHERE
		 : (rt->has_gw || rt->family == AF_INET6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	struct rtmsg r = {
	    .rtm_family = (uint8_t)rt->family,
	    .rtm_dst_len = rt->plen,
	    .rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC,
	    .rtm_protocol = rt->protocol ? rt->protocol : NL_RTPROT_DEFAULT,
	    .rtm_scope = scope,
	    .rtm_type = RTN_UNICAST,
	};
	uint8_t *p = nlm_reserve(&m, sizeof(r));
	if (p)
		memcpy(p, &r, sizeof(r));
	if (rt->plen)
		nlm_attr(&m, RTA_DST, rt->dst, alen);
	if (rt->oif)
		nlm_attr_u32(&m, RTA_OIF, (uint32_t)rt->oif);
	if (rt->has_gw)
		nlm_attr(&m, RTA_GATEWAY, rt->gw, alen);
	nlm_attr_u32(&m, RTA_PRIORITY, rt->metric);
	nlm_attr_u32(&m, RTA_TABLE, table);
	return nlm_end(&m);
}

size_t nl_enc_route_get(void *buf, size_t cap, int family, const void *dst)
{
	size_t alen = family_len(family);
	if (!alen)
		return 0;
	struct nlmsg m;
	nlm_init(&m, buf, cap, RTM_GETROUTE, 0);
	struct rtmsg r = {.rtm_family = (uint8_t)family, .rtm_dst_len = (uint8_t)(alen * 8)};
	uint8_t *p = nlm_reserve(&m, sizeof(r));
	if (p)
		memcpy(p, &r, sizeof(r));
	nlm_attr(&m, RTA_DST, dst, alen);
	return nlm_end(&m);
}

/* ---- talking ------------------------------------------------------------- */

bool nl_next_msg(struct reader *r, const uint8_t **msg, uint32_t *len)
{
	if (rd_left(r) < NL_HDRLEN)
		return false;
	const uint8_t *m = rd_ptr(r);
	struct reader peek = *r;
	uint32_t mlen = rd_h32(&peek);
	if (mlen < NL_HDRLEN || !rd_skip(r, mlen)) {
		rd_fail(r);
		return false;
	}
	size_t pad = NL_ALIGN(mlen) - mlen;
	rd_skip(r, pad < rd_left(r) ? pad : rd_left(r));
	*msg = m;
	*len = mlen;
	return true;
}

/* nlmsg_type and nlmsg_seq of a message nl_next_msg returned. */
static void nl_type_seq(const uint8_t *msg, uint16_t *type, uint32_t *seq)
{
	memcpy(type, msg + 4, 2);
	memcpy(seq, msg + 8, 4);
}

static uint32_t nl_next_seq(void)
{
	/* Only needs to tell our replies from stale ones on a fresh socket. */
	static _Atomic uint32_t seq;
	uint32_t s = atomic_fetch_add(&seq, 1);
	if (s == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = (uint32_t)ts.tv_nsec | 1;
		atomic_store(&seq, s + 1);
	}
	return s;
}

static const struct nl_transport *transport;

void nl_set_transport(const struct nl_transport *t)
{
	transport = t;
}

/* The error code of an NLMSG_ERROR message (0 = ack), -EBADMSG if cut. */
static int nl_error_code(const uint8_t *msg, uint32_t mlen)
{
	struct reader e;
	rd_init(&e, msg + NL_HDRLEN, mlen - NL_HDRLEN);
	int32_t err = (int32_t)rd_h32(&e);
	return rd_ok(&e) ? err : -EBADMSG;
}

/* One exchange on a fresh socket: sends req, then hands every reply
 * message (type, seq) to on_msg until it returns non-zero (> 0: done,
 * < 0: that error). cap_ack: acks without the request copied back. */
typedef int (*nl_msg_fn)(const uint8_t *msg, uint32_t mlen, uint16_t type, uint32_t seq, void *st);
static int nl_exchange(const void *req, size_t len, bool cap_ack, nl_msg_fn on_msg, void *st)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	int one = 1;
	if (cap_ack)
		setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int ret = 0;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	uint8_t buf[32768] __attribute__((aligned(8)));
	while (ret == 0) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		struct reader r;
		rd_init(&r, buf, (size_t)got);
		const uint8_t *msg;
		uint32_t mlen;
		while (ret == 0 && nl_next_msg(&r, &msg, &mlen)) {
			uint16_t type;
			uint32_t mseq;
			nl_type_seq(msg, &type, &mseq);
			ret = on_msg(msg, mlen, type, mseq, st);
		}
		if (ret == 0 && !rd_ok(&r))
			ret = -EBADMSG;
	}
out:
	close(fd);
	return ret < 0 ? ret : 0;
}

struct talk_state {
	uint32_t seq;
	nl_reply_cb cb;
	void *arg;
	int ret; /* the first callback error, or the kernel's */
};

static int talk_msg(const uint8_t *msg, uint32_t mlen, uint16_t type, uint32_t seq, void *arg)
{
	struct talk_state *st = arg;
	if (seq != st->seq)
		return 0;
	if (type == NLMSG_ERROR) {
		int err = nl_error_code(msg, mlen);
		if (err < 0 && !st->ret)
			st->ret = err;
		return 1;
	}
	if (type == NLMSG_DONE)
		return 1;
	if (st->cb && !st->ret)
		st->ret = st->cb(msg, mlen, st->arg);
	return 0;
}

struct batch_state {
	uint32_t base;
	size_t n, acked;
	int *errs;
};

static int batch_msg(const uint8_t *msg, uint32_t mlen, uint16_t type, uint32_t seq, void *arg)
{
	struct batch_state *st = arg;
	uint32_t i = seq - st->base;
	if (type != NLMSG_ERROR || i >= st->n || st->errs[i] != 1)
		return 0;
	st->errs[i] = nl_error_code(msg, mlen);
	return ++st->acked == st->n;
}

int nl_talk(void *req, size_t len, nl_reply_cb cb, void *arg)
{
	if (len < NL_HDRLEN)
		return -EINVAL;
	uint8_t *h = req;
	uint16_t flags;
	memcpy(&flags, h + 6, 2);
	flags |= NLM_F_REQUEST | NLM_F_ACK;
	memcpy(h + 6, &flags, 2);
	uint32_t seq = nl_next_seq();
	memcpy(h + 8, &seq, 4);
	if (transport)
		return transport->talk(req, len, cb, arg);

	struct talk_state st = {.seq = seq, .cb = cb, .arg = arg};
	int ret = nl_exchange(req, len, false, talk_msg, &st);
	return ret < 0 ? ret : st.ret;
}

int nl_talk_batch(void *buf, size_t len, size_t n, int *errs)
{
	if (n == 0)
		return 0; /* nothing to wait for */
	uint8_t *p = buf;
	uint32_t base = nl_next_seq();
	for (size_t i = 0; i < n; i++)
		nl_next_seq(); /* reserve base .. base + n - 1 */
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t mlen;
		uint16_t flags;
		if (len - off < NL_HDRLEN)
			return -EINVAL;
		memcpy(&mlen, p + off + 0, 4);
		if (mlen < NL_HDRLEN || mlen > len - off)
			return -EINVAL;
		memcpy(&flags, p + off + 6, 2);
		flags |= NLM_F_REQUEST | NLM_F_ACK;
		memcpy(p + off + 6, &flags, 2);
		uint32_t seq = base + (uint32_t)i;
		memcpy(p + off + 8, &seq, 4);
		errs[i] = 1; /* not acknowledged yet */
		off += NL_ALIGN(mlen);
	}
	if (transport)
		return transport->talk_batch(buf, len, n, errs);
	struct batch_state st = {.base = base, .n = n, .errs = errs};
	return nl_exchange(buf, len, true, batch_msg, &st);
}

/* ---- parsing ------------------------------------------------------------- */

bool nl_next_attr(struct reader *r, uint16_t *type, struct reader *payload)
{
	if (rd_left(r) < NL_RTA_HDRLEN)
		return false;
	uint16_t alen = rd_h16(r);
	*type = rd_h16(r) & NLA_TYPE_MASK;
	if (alen < NL_RTA_HDRLEN || !rd_sub(r, alen - NL_RTA_HDRLEN, payload)) {
		rd_fail(r);
		return false;
	}
	size_t pad = NL_ALIGN(alen) - alen;
	rd_skip(r, pad < rd_left(r) ? pad : rd_left(r));
	return true;
}

void nl_copy_str(char *dst, size_t cap, struct reader *p)
{
	size_t n = rd_left(p);
	const uint8_t *s = rd_ptr(p);
	size_t i = 0;
	while (i < n && i + 1 < cap && s[i])
		i++;
	memcpy(dst, s, i);
	dst[i] = 0;
}

static void parse_stats64(struct reader *p, struct nl_link_stats *st)
{
	st->rx_packets = rd_h64(p);
	st->tx_packets = rd_h64(p);
	st->rx_bytes = rd_h64(p);
	st->tx_bytes = rd_h64(p);
	st->rx_errors = rd_h64(p);
	st->tx_errors = rd_h64(p);
	st->rx_dropped = rd_h64(p);
	st->tx_dropped = rd_h64(p);
	st->multicast = rd_h64(p);
	st->collisions = rd_h64(p);
	rd_h64(p); /* rx_length_errors */
	st->rx_over_errors = rd_h64(p);
	rd_h64(p); /* rx_crc_errors */
	rd_h64(p); /* rx_frame_errors */
	rd_h64(p); /* rx_fifo_errors */
	rd_h64(p); /* rx_missed_errors */
	rd_h64(p); /* tx_aborted_errors */
	st->tx_carrier_errors = rd_h64(p);
}

bool nl_msg_header(struct reader *r, const uint8_t *msg, size_t len, uint16_t want)
{
	rd_init(r, msg, len);
	uint32_t mlen = rd_h32(r);
	uint16_t type = rd_h16(r);
	rd_skip(r, 10); /* flags, seq, pid */
	if (!rd_ok(r) || mlen < NL_HDRLEN || mlen > len || type != want)
		return false;
	r->len = mlen;
	return true;
}

bool nl_parse_link(const uint8_t *msg, size_t len, struct nl_link_info *out)
{
	memset(out, 0, sizeof(*out));
	out->operstate = -1;
	struct reader r;
	if (!nl_msg_header(&r, msg, len, RTM_NEWLINK))
		return false;
	rd_skip(&r, 2); /* family, pad */
	out->type = rd_h16(&r);
	out->ifindex = (int)rd_h32(&r);
	out->flags = rd_h32(&r);
	rd_skip(&r, 4); /* change */
	if (!rd_ok(&r))
		return false;
	uint16_t at;
	struct reader p;
	while (nl_next_attr(&r, &at, &p)) {
		switch (at) {
		case IFLA_IFNAME:
			nl_copy_str(out->name, sizeof(out->name), &p);
			break;
		case IFLA_QDISC:
			nl_copy_str(out->qdisc, sizeof(out->qdisc), &p);
			break;
		case IFLA_IFALIAS:
			nl_copy_str(out->alias, sizeof(out->alias), &p);
			break;
		case IFLA_MTU:
			out->mtu = rd_h32(&p);
			break;
		case IFLA_TXQLEN:
			out->txqlen = rd_h32(&p);
			break;
		case IFLA_GROUP:
			out->group = rd_h32(&p);
			break;
		case IFLA_MASTER:
			out->master = (int)rd_h32(&p);
			break;
		case IFLA_OPERSTATE: {
			uint8_t st = rd_u8(&p);
			if (rd_ok(&p))
				out->operstate = st;
			break;
		}
		case IFLA_STATS64:
			parse_stats64(&p, &out->stats);
			out->has_stats = rd_ok(&p);
			break;
		case IFLA_LINKINFO: {
			uint16_t it;
			struct reader ip, data;
			bool has_data = false;
			while (nl_next_attr(&p, &it, &ip)) {
				if (it == IFLA_INFO_KIND)
					nl_copy_str(out->kind, sizeof(out->kind), &ip);
				else if (it == IFLA_INFO_DATA) {
					data = ip;
					has_data = true;
				}
			}
			/* IFLA_INFO_DATA is per kind: only a VRF's is read (its
			 * table, where routes through an enslaved device go). */
			if (has_data && strcmp(out->kind, "vrf") == 0) {
				uint16_t dt;
				struct reader dp;
				while (nl_next_attr(&data, &dt, &dp))
					if (dt == IFLA_VRF_TABLE && rd_left(&dp) == 4)
						out->vrf_table = rd_h32(&dp);
			}
			break;
		}
		}
	}
	return rd_ok(&r) && out->ifindex > 0;
}

bool nl_parse_route(const uint8_t *msg, size_t len, int family, uint8_t gw[16], int *oif)
{
	memset(gw, 0, 16);
	*oif = 0;
	size_t alen = family_len(family);
	struct reader r;
	rd_init(&r, msg, len);
	uint32_t mlen = rd_h32(&r);
	uint16_t type = rd_h16(&r);
	rd_skip(&r, 10);
	if (!rd_ok(&r) || !alen || mlen < NL_HDRLEN || mlen > len || type != RTM_NEWROUTE)
		return false;
	r.len = mlen;
	uint8_t fam = rd_u8(&r);
	rd_skip(&r, 11); /* rest of struct rtmsg */
	if (!rd_ok(&r) || fam != family)
		return false;
	uint16_t at;
	struct reader p;
	while (nl_next_attr(&r, &at, &p)) {
		if (at == RTA_GATEWAY && rd_left(&p) == alen)
			rd_bytes(&p, gw, alen);
		else if (at == RTA_OIF)
			*oif = (int)rd_h32(&p);
	}
	return rd_ok(&r) && *oif > 0;
}

/* ---- operations ---------------------------------------------------------- */

struct link_get_ctx {
	struct nl_link_info *out;
	bool found;
};

static int link_get_cb(const uint8_t *msg, size_t len, void *arg)
{
	struct link_get_ctx *c = arg;
	if (!nl_parse_link(msg, len, c->out))
		return -EBADMSG;
	c->found = true;
	return 0;
}

int nl_link_get(int ifindex, const char *name, struct nl_link_info *out)
{
	uint8_t buf[256];
	struct nlmsg m;
	nl_enc_link_start(&m, buf, sizeof(buf), RTM_GETLINK, 0, ifindex);
	if (name) {
		if (strlen(name) >= IF_NAMESIZE)
			return -EINVAL;
		nlm_attr_str(&m, IFLA_IFNAME, name);
	}
	size_t len = nlm_end(&m);
	if (!len)
		return -EMSGSIZE;
	struct link_get_ctx c = {.out = out};
	int ret = nl_talk(buf, len, link_get_cb, &c);
	if (!ret && !c.found)
		ret = -ENODEV;
	return ret;
}

int nl_link_index(const char *name)
{
	struct nl_link_info li;
	int ret = nl_link_get(0, name, &li);
	return ret < 0 ? ret : li.ifindex;
}

static int link_set(int ifindex, uint16_t attr, const void *data, size_t n)
{
	uint8_t buf[512];
	struct nlmsg m;
	nl_enc_link_start(&m, buf, sizeof(buf), RTM_NEWLINK, 0, ifindex);
	nlm_attr(&m, attr, data, n);
	size_t len = nlm_end(&m);
	return len ? nl_talk(buf, len, NULL, NULL) : -EMSGSIZE;
}

int nl_link_set_mtu(int ifindex, unsigned mtu)
{
	uint32_t v = mtu;
	return link_set(ifindex, IFLA_MTU, &v, 4);
}

int nl_link_set_txqlen(int ifindex, unsigned qlen)
{
	uint32_t v = qlen;
	return link_set(ifindex, IFLA_TXQLEN, &v, 4);
}

int nl_link_set_up(int ifindex, bool up)
{
	uint8_t buf[128];
	struct nlmsg m;
	nl_enc_link_start(&m, buf, sizeof(buf), RTM_NEWLINK, 0, ifindex);
	if (m.err)
		return -EMSGSIZE;
	/* ifi_flags / ifi_change sit after family(1) pad(1) type(2) index(4). */
	uint32_t flags = up ? IFF_UP : 0, change = IFF_UP;
	memcpy(buf + NL_HDRLEN + 8, &flags, 4);
	memcpy(buf + NL_HDRLEN + 12, &change, 4);
	size_t len = nlm_end(&m);
	return len ? nl_talk(buf, len, NULL, NULL) : -EMSGSIZE;
}

int nl_link_set_alias(int ifindex, const char *alias)
{
	size_t n = strlen(alias);
	if (n >= 256)
		return -EINVAL;
	/* An empty IFLA_IFALIAS clears the alias. */
	return link_set(ifindex, IFLA_IFALIAS, alias, n);
}

int nl_link_set_master(int ifindex, int master_ifindex)
{
	uint8_t buf[128];
	size_t len = nl_enc_set_master(buf, sizeof(buf), ifindex, master_ifindex);
	return len ? nl_talk(buf, len, NULL, NULL) : -EMSGSIZE;
}

bool nl_link_is_vrf(const char *ifname, int *ifindex)
{
	struct nl_link_info li;
	if (nl_link_get(0, ifname, &li) < 0)
		return false;
	if (ifindex)
		*ifindex = li.ifindex;
	return strcmp(li.kind, "vrf") == 0;
}

uint32_t nl_link_vrf_table(int ifindex)
{
	struct nl_link_info li;
	if (nl_link_get(ifindex, NULL, &li) < 0 || strcmp(li.kind, "vrf") != 0)
		return 0;
	return li.vrf_table;
}

int nl_link_stats(int ifindex, struct nl_link_stats *st)
{
	struct nl_link_info li;
	int ret = nl_link_get(ifindex, NULL, &li);
	if (ret < 0)
		return ret;
	if (!li.has_stats)
		return -ENODATA;
	*st = li.stats;
	return 0;
}

static int af_spec_inet6(int ifindex, uint16_t attr, const void *data, size_t n)
{
	uint8_t buf[256];
	struct nlmsg m;
	nl_enc_link_start(&m, buf, sizeof(buf), RTM_NEWLINK, 0, ifindex);
	size_t spec = nlm_nest_begin(&m, IFLA_AF_SPEC);
	size_t inet6 = nlm_nest_begin(&m, AF_INET6);
	nlm_attr(&m, attr, data, n);
	nlm_nest_end(&m, inet6);
	nlm_nest_end(&m, spec);
	size_t len = nlm_end(&m);
	return len ? nl_talk(buf, len, NULL, NULL) : -EMSGSIZE;
}

int nl_link_set_addr_gen_mode(int ifindex, uint8_t mode)
{
	return af_spec_inet6(ifindex, IFLA_INET6_ADDR_GEN_MODE, &mode, 1);
}

struct route_get_ctx {
	int family;
	uint8_t gw[16];
	int oif;
	bool found;
};

static int route_get_cb(const uint8_t *msg, size_t len, void *arg)
{
	struct route_get_ctx *c = arg;
	if (!nl_parse_route(msg, len, c->family, c->gw, &c->oif))
		return -EBADMSG;
	c->found = true;
	return 0;
}

int nl_route_get(int family, const void *dst, void *gw, int *oif)
{
	uint8_t buf[128];
	size_t len = nl_enc_route_get(buf, sizeof(buf), family, dst);
	if (!len)
		return -EAFNOSUPPORT;
	struct route_get_ctx c = {.family = family};
	int ret = nl_talk(buf, len, route_get_cb, &c);
	if (!ret && !c.found)
		ret = -ENETUNREACH;
	if (ret)
		return ret;
	memcpy(gw, c.gw, family_len(family));
	*oif = c.oif;
	return 0;
}

int nl_addr_change(bool add, const struct nl_addr *a)
{
	uint8_t buf[256];
	size_t len = nl_enc_addr(buf, sizeof(buf), add, a);
	return len ? nl_talk(buf, len, NULL, NULL) : -EINVAL;
}

int nl_route_change(bool add, const struct nl_route *rt)
{
	uint8_t buf[256];
	size_t len = nl_enc_route(buf, sizeof(buf), add, rt);
	return len ? nl_talk(buf, len, NULL, NULL) : -EINVAL;
}
