#include "tun/nl_show.h"

#include "core/bytes.h"
#include "tun/nl.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

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
	if (!nl_msg_header(&r, msg, len, RTM_NEWADDR))
		return false;
	out->family = rd_u8(&r);
	out->prefixlen = rd_u8(&r);
	out->flags = rd_u8(&r);
	out->scope = rd_u8(&r);
	*ifindex = (int)rd_h32(&r);
	if (!rd_ok(&r) || (out->family != AF_INET && out->family != AF_INET6))
		return false;
	uint16_t at;
	struct reader p;
	while (nl_next_attr(&r, &at, &p)) {
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
			nl_copy_str(out->label, sizeof(out->label), &p);
			break;
		case IFA_FLAGS: {
			uint32_t f = rd_h32(&p);
			if (rd_ok(&p))
				out->flags = f;
			break;
		}
		case IFA_CACHEINFO: {
			/* struct ifa_cacheinfo: preferred, valid, cstamp, tstamp */
			uint32_t pref = rd_h32(&p), valid = rd_h32(&p);
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

void nl_show_ifname(int ifindex, char name[IF_NAMESIZE])
{
	struct nl_link_info l;
	name[0] = 0;
	if (ifindex > 0 && nl_link_get(ifindex, NULL, &l) == 0)
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
