/* What `show interfaces sstpc` reads from the kernel: one link's facts as
 * `ip addr` prints them (flags, qdisc, operational state, group, queue
 * length, master) and its addresses with their lifetimes. Read-only; the
 * parsers take whole rtnetlink messages and go through the bounded reader. */
#ifndef SSTPC_TUN_NL_SHOW_H
#define SSTPC_TUN_NL_SHOW_H

#include "tun/nl.h"

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NL_SHOW_MAX_ADDRS 32

struct nl_show_addr {
	int family; /* AF_INET / AF_INET6 */
	uint8_t prefixlen;
	uint8_t scope;
	uint32_t flags; /* IFA_FLAGS when given, else ifa_flags */
	bool has_local, has_address, has_broadcast, has_cacheinfo;
	uint8_t local[16], address[16], broadcast[16];
	char label[IF_NAMESIZE];
	uint32_t valid, preferred; /* seconds, 0xffffffff = forever */
};

/* Parse one RTM_NEWLINK / RTM_NEWADDR message (header included). */
bool nl_show_parse_addr(const uint8_t *msg, size_t len, int *ifindex, struct nl_show_addr *out);

/* The addresses of ifindex in the kernel's order (IPv4 first, as `ip addr`
 * shows them); returns how many (at most max) or -errno. */
int nl_show_addrs(int ifindex, struct nl_show_addr *out, int max);
/* The name of ifindex (for `master NAME`), "" if unknown. */
void nl_show_ifname(int ifindex, char name[IF_NAMESIZE]);

#endif
