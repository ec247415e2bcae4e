/* The host's own addresses, learned from rtnetlink (a dump, then the
 * RTMGRP_IPV4_IFADDR / RTMGRP_IPV6_IFADDR notifications, read on the event
 * loop without blocking), for the data path's forwarding policy: with
 * `ip disable-forwarding` a packet from the tunnel is delivered only when it
 * is for this host (docs/tun.md). Lookups are a hash probe, no allocation. */
#ifndef SSTPC_TUN_HOSTADDR_H
#define SSTPC_TUN_HOSTADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hostaddr;

/* An empty set without a socket (tests, fuzzing); NULL when out of memory. */
struct hostaddr *hostaddr_new(void);
void hostaddr_free(struct hostaddr *h);
/* Opens the non-blocking rtnetlink socket, subscribes to address changes
 * and asks for a dump of every address, which it reads at once. Returns
 * the fd to watch for reading, or -errno. */
int hostaddr_open(struct hostaddr *h);
/* The socket hostaddr_open made, or -1. */
int hostaddr_fd(const struct hostaddr *h);
/* Reads what the kernel sent until EAGAIN (dump parts, notifications); on
 * an overrun (ENOBUFS) the set is rebuilt from a fresh dump. */
void hostaddr_input(struct hostaddr *h);
/* Applies a buffer of netlink messages (as one recv() returns them):
 * RTM_NEWADDR adds, RTM_DELADDR removes, anything else is skipped. False
 * when the buffer is malformed (what came before it is kept). */
bool hostaddr_feed(struct hostaddr *h, const uint8_t *buf, size_t len);

/* One RTM_NEWADDR / RTM_DELADDR message (header included): the address
 * (IFA_LOCAL, else IFA_ADDRESS). False when malformed or not an address
 * message of AF_INET / AF_INET6. */
struct hostaddr_msg {
	bool add;
	int family;
	int ifindex;
	uint8_t addr[16];
};
bool hostaddr_parse(const uint8_t *msg, size_t len, struct hostaddr_msg *out);

/* Set operations on (address, interface): adding one already there does
 * nothing (a dump and notifications may both report it); the address is
 * the host's while it is on any interface. */
int hostaddr_add(struct hostaddr *h, int family, const uint8_t *addr, int ifindex);
void hostaddr_del(struct hostaddr *h, int family, const uint8_t *addr, int ifindex);
bool hostaddr_has(const struct hostaddr *h, int family, const uint8_t *addr);
size_t hostaddr_count(const struct hostaddr *h);

/* True if this IP packet is for this host: its destination is one of the
 * host's addresses, multicast, or the limited broadcast. False for
 * anything else, and for a packet too short to say. */
bool hostaddr_for_us(const struct hostaddr *h, const uint8_t *pkt, size_t len);

#endif
