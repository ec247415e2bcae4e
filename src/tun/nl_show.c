#include "tun/nl_show.h"

#include "core/bytes.h"
#include "tun/nl.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#define SHOW_HDRLEN 16u
#define SHOW_ALIGN(n) (((n) + 3u) & ~(size_t)3u)

/* Netlink is host-endian. */
static uint32_t show_h32(struct reader *r)
{
	uint32_t v = 0;
	const uint8_t *p = rd_take(r, 4);
	if (p)
		memcpy(&v, p, 4);
	return v;
}

static uint16_t show_h16(struct reader *r)
{
	uint16_t v = 0;
	const uint8_t *p = rd_take(r, 2);
	if (p)
		memcpy(&v, p, 2);
	return v;
}

static uint64_t show_h64(struct reader *r)
{
	uint64_t v = 0;
	const uint8_t *p = rd_take(r, 8);
	if (p)
		memcpy(&v, p, 8);
	return v;
}

/* One attribute: type and payload; false at the end or when malformed. */
static bool show_attr(struct reader *r, uint16_t *type, struct reader *payload)
{
	if (rd_left(r) < 4)
		return false;
	uint16_t alen = show_h16(r);
	*type = show_h16(r) & NLA_TYPE_MASK;
	if (alen < 4 || !rd_sub(r, alen - 4u, payload)) {
		rd_fail(r);
		return false;
	}
	size_t pad = SHOW_ALIGN(alen) - alen;
	rd_skip(r, pad < rd_left(r) ? pad : rd_left(r));
	return true;
}

static void show_str(char *dst, size_t cap, struct reader *p)
{
	size_t n = rd_left(p), i = 0;
	const uint8_t *s = rd_ptr(p);
	while (i < n && i + 1 < cap && s[i])
		i++;
	memcpy(dst, s, i);
	dst[i] = 0;
}

/* The message header: its length bounds the reader; false if not `want`. */
static bool show_header(struct reader *r, const uint8_t *msg, size_t len, uint16_t want)
{
	rd_init(r, msg, len);
	uint32_t mlen = show_h32(r);
	uint16_t type = show_h16(r);
	rd_skip(r, 10);
	if (!rd_ok(r) || mlen < SHOW_HDRLEN || mlen > len || type != want)
		return false;
	r->len = mlen;
	return true;
}

static void show_stats64(struct reader *p, struct nl_link_stats *st)
{
	uint64_t v[18];
	for (int i = 0; i < 18; i++)
		v[i] = show_h64(p);
	/* struct rtnl_link_stats64 order */
	st->rx_packets = v[0];
	st->tx_packets = v[1];
	st->rx_bytes = v[2];
	st->tx_bytes = v[3];
	st->rx_errors = v[4];
	st->tx_errors = v[5];
	st->rx_dropped = v[6];
	st->tx_dropped = v[7];
	st->multicast = v[8];
	st->collisions = v[9];
	st->rx_over_errors = v[11];
	st->tx_carrier_errors = v[17];
}

bool nl_show_parse_link(const uint8_t *msg, size_t len, struct nl_show_link *out)
{
	memset(out, 0, sizeof(*out));
	out->operstate = -1;
	struct reader r;
	if (!show_header(&r, msg, len, RTM_NEWLINK))
		return false;
	rd_skip(&r, 2); /* family, pad */
	out->type = show_h16(&r);
	out->ifindex = (int)show_h32(&r);
	out->flags = show_h32(&r);
	rd_skip(&r, 4); /* change */
	if (!rd_ok(&r))
		return false;
	uint16_t at;
	struct reader p;
	while (show_attr(&r, &at, &p)) {
		switch (at) {
		case IFLA_IFNAME:
			show_str(out->name, sizeof(out->name), &p);
			break;
		case IFLA_QDISC:
			show_str(out->qdisc, sizeof(out->qdisc), &p);
			break;
		case IFLA_IFALIAS:
			show_str(out->alias, sizeof(out->alias), &p);
			break;
		case IFLA_MTU:
			out->mtu = show_h32(&p);
			break;
		case IFLA_TXQLEN:
			out->txqlen = show_h32(&p);
			break;
		case IFLA_GROUP:
			out->group = show_h32(&p);
			break;
		case IFLA_MASTER:
			out->master = (int)show_h32(&p);
			break;
		case IFLA_OPERSTATE: {
			uint8_t st = rd_u8(&p);
			if (rd_ok(&p))
				out->operstate = st;
			break;
		}
		case IFLA_STATS64:
			show_stats64(&p, &out->stats);
			out->has_stats = rd_ok(&p);
			break;
		default:
			break;
		}
	}
	return rd_ok(&r) && out->ifindex > 0;
}

static void show_addr_bytes(struct reader *p, int family, uint8_t dst[16], bool *has)
{
	size_t n = family == AF_INET ? 4 : 16;
	const uint8_t *b = rd_left(p) == n ? rd_take(p, n) : NULL;
	if (b) {
		memcpy(dst, b, n);
		*has = true;
	}
}

bool nl_show_parse_addr(const uint8_t *msg, size_t len, int *ifindex, struct nl_show_addr *out)
{
	memset(out, 0, sizeof(*out));
	struct reader r;
	if (!show_header(&r, msg, len, RTM_NEWADDR))
		return false;
	out->family = rd_u8(&r);
	out->prefixlen = rd_u8(&r);
	out->flags = rd_u8(&r);
	out->scope = rd_u8(&r);
	*ifindex = (int)show_h32(&r);
	if (!rd_ok(&r) || (out->family != AF_INET && out->family != AF_INET6))
		return false;
	uint16_t at;
	struct reader p;
	while (show_attr(&r, &at, &p)) {
		switch (at) {
		case IFA_ADDRESS:
			show_addr_bytes(&p, out->family, out->address, &out->has_address);
			break;
		case IFA_LOCAL:
			show_addr_bytes(&p, out->family, out->local, &out->has_local);
			break;
		case IFA_BROADCAST:
			show_addr_bytes(&p, out->family, out->broadcast, &out->has_broadcast);
			break;
		case IFA_LABEL:
			show_str(out->label, sizeof(out->label), &p);
			break;
		case IFA_FLAGS: {
			uint32_t f = show_h32(&p);
			if (rd_ok(&p))
				out->flags = f;
			break;
		}
		case IFA_CACHEINFO: {
			/* struct ifa_cacheinfo: preferred, valid, cstamp, tstamp */
			uint32_t pref = show_h32(&p), valid = show_h32(&p);
			if (rd_ok(&p)) {
				out->preferred = pref;
				out->valid = valid;
				out->has_cacheinfo = true;
			}
			break;
		}
		default:
			break;
		}
	}
	return rd_ok(&r) && (out->has_address || out->has_local);
}

struct show_link_ctx {
	struct nl_show_link *out;
	bool found;
};

static int show_link_cb(const uint8_t *msg, size_t len, void *arg)
{
	struct show_link_ctx *c = arg;
	if (!c->found && nl_show_parse_link(msg, len, c->out))
		c->found = true;
	return 0;
}

static int show_link_req(int ifindex, const char *name, struct nl_show_link *out)
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
	struct show_link_ctx c = {.out = out};
	int ret = nl_talk(buf, len, show_link_cb, &c);
	if (!ret && !c.found)
		ret = -ENODEV;
	return ret;
}

int nl_show_link_get(const char *name, struct nl_show_link *out)
{
	return show_link_req(0, name, out);
}

void nl_show_ifname(int ifindex, char name[IF_NAMESIZE])
{
	struct nl_show_link l;
	name[0] = 0;
	if (ifindex > 0 && show_link_req(ifindex, NULL, &l) == 0)
		memcpy(name, l.name, IF_NAMESIZE);
}

struct show_addr_ctx {
	int ifindex;
	struct nl_show_addr *out;
	int n, max;
};

static int show_addr_cb(const uint8_t *msg, size_t len, void *arg)
{
	struct show_addr_ctx *c = arg;
	struct nl_show_addr a;
	int idx = 0;
	if (c->n < c->max && nl_show_parse_addr(msg, len, &idx, &a) && idx == c->ifindex)
		c->out[c->n++] = a;
	return 0;
}

int nl_show_addrs(int ifindex, struct nl_show_addr *out, int max)
{
	uint8_t buf[64];
	struct nlmsg m;
	nlm_init(&m, buf, sizeof(buf), RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg ifa = {.ifa_family = AF_UNSPEC};
	uint8_t *p = nlm_reserve(&m, sizeof(ifa));
	if (p)
		memcpy(p, &ifa, sizeof(ifa));
	size_t len = nlm_end(&m);
	if (!len)
		return -EMSGSIZE;
	struct show_addr_ctx c = {.ifindex = ifindex, .out = out, .max = max};
	int ret = nl_talk(buf, len, show_addr_cb, &c);
	return ret < 0 ? ret : c.n;
}
