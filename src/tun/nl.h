/* rtnetlink: the link settings the daemon changes and reads, and below
 * them the internals shared by tun.c, nl.c, nl_show.c and netcfg.c (and
 * the unit tests, which check the encoded bytes). Messages are built into
 * a caller buffer by bounded writers; replies are parsed through struct
 * reader. */
#ifndef SSTPC_TUN_NL_H
#define SSTPC_TUN_NL_H

#include "core/bytes.h"

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Link settings through rtnetlink. 0 or -errno. */
int nl_link_index(const char *name); /* > 0 ifindex, or -errno */
int nl_link_set_mtu(int ifindex, unsigned mtu);
int nl_link_set_up(int ifindex, bool up);
int nl_link_set_alias(int ifindex, const char *alias);
int nl_link_set_master(int ifindex, int master_ifindex); /* 0 = no master */
/* TUN transmit queue length (packets queued towards the daemon). */
int nl_link_set_txqlen(int ifindex, unsigned qlen);
/* True if ifname exists and is a VRF device. */
bool nl_link_is_vrf(const char *ifname, int *ifindex);
/* The routing table of VRF device ifindex; 0 if it is none or unknown. */
uint32_t nl_link_vrf_table(int ifindex);
struct nl_link_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped,
	    tx_dropped, multicast, collisions, rx_over_errors, tx_carrier_errors;
};
int nl_link_stats(int ifindex, struct nl_link_stats *st);
/* The route the kernel uses now to reach dst: gateway (zero if direct) and
 * output interface. */
int nl_route_get(int family, const void *dst, void *gw, int *oif);

/* Our own routing protocol number would hide our routes from tools that
 * filter on "static"; keep static unless the caller asks otherwise. */
#define NL_RTPROT_DEFAULT 4 /* RTPROT_STATIC */

/* Netlink messages are host-endian, so this is separate from struct writer. */
struct nlmsg {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool err;
};

void nlm_init(struct nlmsg *m, void *buf, size_t cap, uint16_t type, uint16_t flags);
/* Appends n zeroed bytes padded to 4; returns where they start or NULL. */
uint8_t *nlm_reserve(struct nlmsg *m, size_t n);
void nlm_attr(struct nlmsg *m, uint16_t type, const void *data, size_t n);
void nlm_attr_u8(struct nlmsg *m, uint16_t type, uint8_t v);
void nlm_attr_u32(struct nlmsg *m, uint16_t type, uint32_t v);
void nlm_attr_str(struct nlmsg *m, uint16_t type, const char *s);
size_t nlm_nest_begin(struct nlmsg *m, uint16_t type);
void nlm_nest_end(struct nlmsg *m, size_t at);
/* Patches nlmsg_len; returns the total length, or 0 if anything overflowed. */
size_t nlm_end(struct nlmsg *m);

/* Starts an RTM_*LINK message with its ifinfomsg. */
void nl_enc_link_start(struct nlmsg *m, void *buf, size_t cap, uint16_t type, uint16_t flags,
		       int ifindex);

struct nl_addr {
	int family; /* AF_INET or AF_INET6 */
	int ifindex;
	uint8_t plen;
	uint8_t local[16];
	bool has_peer; /* point-to-point: IFA_ADDRESS is the peer */
	uint8_t peer[16];
	bool nodad;
	/* IFA_F_NOPREFIXROUTE (in IFA_FLAGS): the kernel installs no route for
	 * the prefix (IPv4 point-to-point: none to the peer), so the address
	 * routes nothing the configuration did not route (docs/tun.md). */
	bool noprefixroute;
	/* add: replace an existing address (refreshing its lifetimes) instead
	 * of failing with EEXIST. */
	bool replace;
	/* IFA_CACHEINFO lifetimes in seconds (0xffffffff = forever), IPv6 only;
	 * the kernel removes the address when valid runs out. */
	bool has_lifetime;
	uint32_t valid, preferred;
};

struct nl_route {
	int family;
	uint8_t dst[16];
	uint8_t plen;
	bool has_gw;
	uint8_t gw[16];
	int oif;
	uint32_t metric;
	uint32_t table;	  /* 0 = main */
	uint8_t protocol; /* 0 = NL_RTPROT_DEFAULT */
};

/* Encoders: return the message length or 0 if it does not fit. Sequence
 * numbers are filled in by nl_talk. */
size_t nl_enc_set_master(void *buf, size_t cap, int ifindex, int master);
size_t nl_enc_addr(void *buf, size_t cap, bool add, const struct nl_addr *a);
size_t nl_enc_route(void *buf, size_t cap, bool add, const struct nl_route *rt);
size_t nl_enc_route_get(void *buf, size_t cap, int family, const void *dst);

/* Sends one request (NLM_F_REQUEST|NLM_F_ACK added), waits for the ack.
 * cb is called for every non-error reply message of the request (whole
 * message, header included) and may return -errno to fail the request.
 * Returns 0, the kernel's -errno, or a local -errno. */
typedef int (*nl_reply_cb)(const uint8_t *msg, size_t len, void *arg);
int nl_talk(void *req, size_t len, nl_reply_cb cb, void *arg);

/* Several requests at once, concatenated in buf (each NLM_F_REQUEST |
 * NLM_F_ACK and its own sequence number are filled in): one send, then
 * every ack. errs[i] = 0 or the kernel's -errno for request i. Returns 0,
 * or a local -errno (errs then unknown). Undoing many addresses this way
 * takes one round trip instead of one each. */
int nl_talk_batch(void *buf, size_t len, size_t n, int *errs);

/* Test seam: with a transport set, nl_talk and nl_talk_batch hand their
 * finished requests (flags and sequence numbers filled in) to it instead
 * of the kernel; same contracts as above. NULL: the kernel again. */
struct nl_transport {
	int (*talk)(void *req, size_t len, nl_reply_cb cb, void *arg);
	int (*talk_batch)(void *buf, size_t len, size_t n, int *errs);
};
void nl_set_transport(const struct nl_transport *t);

struct nl_link_info {
	int ifindex;
	unsigned type;	/* ARPHRD_* (ifi_type) */
	unsigned flags; /* ifi_flags: IFF_*, with IFF_LOWER_UP and IFF_RUNNING */
	unsigned mtu;
	unsigned txqlen;
	unsigned group;
	int operstate; /* IF_OPER_*, -1 if absent */
	int master;    /* ifindex of the master (a VRF), 0 if none */
	char name[IF_NAMESIZE];
	char qdisc[32];	    /* "" if absent */
	char alias[256];    /* IFLA_IFALIAS, "" if none */
	char kind[32];	    /* IFLA_INFO_KIND, "" if none */
	uint32_t vrf_table; /* IFLA_VRF_TABLE of a VRF, else 0 */
	bool has_stats;
	struct nl_link_stats stats;
};

/* Parsing helpers for every rtnetlink reader (nl.c, nl_show.c,
 * hostaddr.c). nl_msg_header: reads the nlmsghdr of msg into r, bounded by
 * its length; false unless it is whole and of type want. nl_next_attr walks
 * attributes: true with type and payload, false at the end or on a
 * malformed one (r then fails). nl_copy_str: a NUL-terminated copy of at
 * most cap - 1 bytes, stopping at the first NUL. */
/* nl_next_msg: the next whole message of a receive buffer (padding
 * skipped); false at the end, or on a malformed length (r then fails). */
bool nl_next_msg(struct reader *r, const uint8_t **msg, uint32_t *len);
bool nl_msg_header(struct reader *r, const uint8_t *msg, size_t len, uint16_t want);
bool nl_next_attr(struct reader *r, uint16_t *type, struct reader *payload);
void nl_copy_str(char *dst, size_t cap, struct reader *p);

/* Parses one RTM_NEWLINK message (header included); false if malformed or
 * without an ifindex. */
bool nl_parse_link(const uint8_t *msg, size_t len, struct nl_link_info *out);
/* Parses one RTM_NEWROUTE message: gateway (family-sized, zero if none) and
 * output interface. */
bool nl_parse_route(const uint8_t *msg, size_t len, int family, uint8_t gw[16], int *oif);

int nl_link_get(int ifindex, const char *name, struct nl_link_info *out);
int nl_addr_change(bool add, const struct nl_addr *a);
int nl_route_change(bool add, const struct nl_route *rt);
/* IFLA_AF_SPEC / AF_INET6 settings. */
int nl_link_set_addr_gen_mode(int ifindex, uint8_t mode);

#endif
