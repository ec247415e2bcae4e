/* The host's addresses as rtnetlink reports them: an open-addressing hash
 * set (linear probing, backward-shift deletion, so no tombstones) grown on
 * netlink events only; the data path only probes it. */
#include "tun/hostaddr.h"

#include "core/bytes.h"
#include "core/log.h"
#include "tun/nl.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HOSTADDR_MIN_SLOTS 64

/* One address on one interface: a dump and the notifications that race
 * with it may report the same one twice, so adding is idempotent; the
 * same address on two interfaces is two slots. */
struct slot {
	bool used;
	uint8_t family;
	int ifindex;
	uint8_t addr[16];
};

struct hostaddr {
	struct slot *t;
	size_t slots; /* a power of two */
	size_t n;     /* slots in use */
	int fd;
	uint32_t seq;
	bool resync; /* a dump is owed (the last request could not go out) */
};

static size_t alen_of(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* FNV-1a over the family and the address bytes (not the interface: every
 * slot of one address lies in the same probe run). */
static size_t hash(int family, const uint8_t *a)
{
	uint32_t x = 2166136261u ^ (uint32_t)family;
	x *= 16777619u;
	for (size_t i = 0; i < alen_of(family); i++) {
		x ^= a[i];
		x *= 16777619u;
	}
	return x;
}

static bool same(const struct slot *s, int family, const uint8_t *a)
{
	return s->used && s->family == family && memcmp(s->addr, a, alen_of(family)) == 0;
}

struct hostaddr *hostaddr_new(void)
{
	struct hostaddr *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->t = calloc(HOSTADDR_MIN_SLOTS, sizeof(*h->t));
	if (!h->t) {
		free(h);
		return NULL;
	}
	h->slots = HOSTADDR_MIN_SLOTS;
	h->fd = -1;
	return h;
}

void hostaddr_free(struct hostaddr *h)
{
	if (!h)
		return;
	if (h->fd >= 0)
		close(h->fd);
	free(h->t);
	free(h);
}

size_t hostaddr_count(const struct hostaddr *h)
{
	return h->n;
}
int hostaddr_fd(const struct hostaddr *h)
{
	return h->fd;
}

/* The slot of (family, a, ifindex), or of a on any interface when ifindex
 * is -1, or the free slot that ends the probe run. */
static size_t find(const struct hostaddr *h, int family, const uint8_t *a, int ifindex)
{
	size_t m = h->slots - 1, i = hash(family, a) & m;
	while (h->t[i].used &&
	       !(same(&h->t[i], family, a) && (ifindex < 0 || h->t[i].ifindex == ifindex)))
		i = (i + 1) & m;
	return i;
}

bool hostaddr_has(const struct hostaddr *h, int family, const uint8_t *a)
{
	return alen_of(family) && h->t[find(h, family, a, -1)].used;
}

/* Doubles the table (kept at most half full so probes stay short). */
static int grow(struct hostaddr *h)
{
	struct slot *old = h->t;
	size_t n = h->slots;
	h->t = calloc(n * 2, sizeof(*h->t));
	if (!h->t) {
		h->t = old;
		return -ENOMEM;
	}
	h->slots = n * 2;
	for (size_t i = 0; i < n; i++)
		if (old[i].used)
			h->t[find(h, old[i].family, old[i].addr, old[i].ifindex)] = old[i];
	free(old);
	return 0;
}

int hostaddr_add(struct hostaddr *h, int family, const uint8_t *a, int ifindex)
{
	size_t alen = alen_of(family);
	if (!alen || ifindex < 0)
		return -EINVAL;
	size_t i = find(h, family, a, ifindex);
	if (h->t[i].used)
		return 0;
	if ((h->n + 1) * 2 > h->slots) {
		int rc = grow(h);
		if (rc < 0)
			return rc;
		i = find(h, family, a, ifindex);
	}
	memset(&h->t[i], 0, sizeof(h->t[i]));
	h->t[i].used = true;
	h->t[i].ifindex = ifindex;
	h->t[i].family = (uint8_t)family;
	memcpy(h->t[i].addr, a, alen);
	h->n++;
	return 0;
}

void hostaddr_del(struct hostaddr *h, int family, const uint8_t *a, int ifindex)
{
	if (!alen_of(family) || ifindex < 0)
		return;
	size_t m = h->slots - 1, i = find(h, family, a, ifindex);
	if (!h->t[i].used)
		return;
	h->t[i].used = false;
	h->n--;
	/* Backward shift: pull later members of the probe run into the hole
	 * unless their home lies cyclically in (hole, j]. */
	size_t j = i;
	for (;;) {
		j = (j + 1) & m;
		if (!h->t[j].used)
			break;
		size_t home = hash(h->t[j].family, h->t[j].addr) & m;
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		h->t[i] = h->t[j];
		h->t[j].used = false;
		i = j;
	}
}

/* ---- netlink messages ---------------------------------------------------- */

bool hostaddr_parse(const uint8_t *msg, size_t len, struct hostaddr_msg *out)
{
	struct reader r;
	rd_init(&r, msg, len);
	uint32_t mlen = rd_h32(&r);
	uint16_t type = rd_h16(&r);
	rd_skip(&r, 2 + 4 + 4); /* flags, seq, pid */
	if (!rd_ok(&r) || mlen != len || (type != RTM_NEWADDR && type != RTM_DELADDR))
		return false;
	uint8_t family = rd_u8(&r);
	rd_skip(&r, 3); /* prefixlen, flags, scope */
	uint32_t ifindex = rd_h32(&r);
	size_t alen = alen_of(family);
	if (!rd_ok(&r) || !alen || ifindex > INT32_MAX)
		return false;
	memset(out, 0, sizeof(*out));
	out->add = type == RTM_NEWADDR;
	out->family = family;
	out->ifindex = (int)ifindex;
	bool have_local = false, have_addr = false;
	uint8_t addr[16] = {0};
	uint16_t atype;
	struct reader v;
	while (nl_next_attr(&r, &atype, &v)) {
		if (rd_left(&v) != alen)
			continue;
		if (atype == IFA_LOCAL) {
			rd_bytes(&v, out->addr, alen);
			have_local = true;
		} else if (atype == IFA_ADDRESS) {
			rd_bytes(&v, addr, alen);
			have_addr = true;
		}
	}
	if (!rd_ok(&r) || (!have_local && !have_addr))
		return false;
	if (!have_local)
		memcpy(out->addr, addr, alen);
	return true;
}

bool hostaddr_feed(struct hostaddr *h, const uint8_t *buf, size_t len)
{
	struct reader r;
	rd_init(&r, buf, len);
	const uint8_t *msg;
	uint32_t mlen;
	while (nl_next_msg(&r, &msg, &mlen)) {
		struct hostaddr_msg m;
		if (!hostaddr_parse(msg, mlen, &m))
			continue; /* NLMSG_DONE, errors, other families */
		if (m.add)
			hostaddr_add(h, m.family, m.addr, m.ifindex);
		else
			hostaddr_del(h, m.family, m.addr, m.ifindex);
	}
	return rd_ok(&r) && rd_left(&r) == 0;
}

/* ---- the socket ---------------------------------------------------------- */

static int send_dump(struct hostaddr *h)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = ++h->seq;
	req.ifa.ifa_family = AF_UNSPEC;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (sendto(h->fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static void clear(struct hostaddr *h)
{
	memset(h->t, 0, h->slots * sizeof(*h->t));
	h->n = 0;
}

int hostaddr_open(struct hostaddr *h)
{
	if (h->fd >= 0)
		return h->fd;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK,
				 .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	/* room for bursts of notifications (many addresses changing at
	 * once) before the kernel reports an overrun */
	int rcvbuf = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	h->fd = fd;
	clear(h);
	int rc = send_dump(h);
	if (rc < 0) {
		close(fd);
		h->fd = -1;
		return rc;
	}
	/* The kernel fills each dump part as the previous one is read, so
	 * draining now gets the whole set before the first packet arrives. */
	hostaddr_input(h);
	return fd;
}

void hostaddr_input(struct hostaddr *h)
{
	uint8_t buf[16384] __attribute__((aligned(8)));
	for (int rounds = 0; h->fd >= 0 && rounds < 4096; rounds++) {
		ssize_t n = recv(h->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			/* notifications were lost: start over from a dump
			 * (until it arrives, fewer packets pass, never more) */
			log_info("host address notifications overran: reading them afresh");
			clear(h);
			h->resync = true;
		}
		if (h->resync) {
			int rc = send_dump(h);
			h->resync = rc == -EBUSY; /* a dump still running: after it */
			if (rc < 0 && !h->resync)
				log_warn("cannot dump the host's addresses: %s", strerror(-rc));
			if (n < 0)
				continue;
		}
		if (n <= 0)
			return;
		if (!hostaddr_feed(h, buf, (size_t)n))
			log_debug("malformed rtnetlink address message skipped");
	}
}

/* The destination address through a reader (an IPv4 header's is at 16,
 * an IPv6 header's at 24); a packet too short for its header is not
 * for us. */
bool hostaddr_for_us(const struct hostaddr *h, const uint8_t *pkt, size_t len)
{
	struct reader r;
	rd_init(&r, pkt, len);
	uint8_t version = rd_u8(&r) >> 4;
	if (version == 4) {
		rd_skip(&r, 15);
		const uint8_t *d = rd_take(&r, 4);
		if (!d)
			return false;
		/* multicast and the limited broadcast: this host is a receiver
		 * (the kernel never forwards the latter); a subnet-directed
		 * broadcast into a LAN is forwarding, and not in the set */
		uint32_t dst = be32_get(d);
		if (dst >> 28 == 0xe || dst == 0xffffffffu)
			return true;
		return hostaddr_has(h, AF_INET, d);
	}
	if (version == 6) {
		rd_skip(&r, 23);
		const uint8_t *d = rd_take(&r, 16);
		if (!d)
			return false;
		return d[0] == 0xff || hostaddr_has(h, AF_INET6, d);
	}
	return false;
}
