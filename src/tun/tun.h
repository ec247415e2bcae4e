/* The TUN device and everything the daemon changes on the host: links,
 * addresses, routes, sysctls, DNS, all through rtnetlink and the kernel's
 * own files, every change recorded in a journal and undone in reverse. */
#ifndef SSTPC_TUN_TUN_H
#define SSTPC_TUN_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Creates (or attaches to) TUN `name` (IFF_TUN|IFF_NO_PI, non-blocking).
 * Returns the fd or -errno; *ifindex set. */
int tun_open(const char *name, int *ifindex, char *err, size_t errlen);
/* The same; with offload, IFF_VNET_HDR and checksum + TSO offloads (see
 * tun/gso.h): every read then starts with a virtio_net_hdr and every write
 * must too. *vnet says whether the kernel took them (false: plain packets,
 * as tun_open). */
int tun_open_offload(const char *name, bool offload, int *ifindex, bool *vnet, char *err, size_t errlen);
/* Deletes the device (the fd must be closed first, or the device is
 * removed when the last fd closes; this makes it explicit). */
int tun_delete(const char *name);

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

/* Change journal bound to one interface. */
struct netcfg;
struct netcfg *netcfg_new(const char *ifname, int ifindex);
void netcfg_free(struct netcfg *nc);       /* undoes everything first */
/* Where DNS goes: AUTO picks systemd-resolved (resolvectl), then
 * resolvconf, then the resolv.conf file. Tests force FILE. */
enum netcfg_dns_backend {
	NETCFG_DNS_AUTO,
	NETCFG_DNS_RESOLVECTL,
	NETCFG_DNS_RESOLVCONF,
	NETCFG_DNS_FILE,
};
void netcfg_set_dns_backend(struct netcfg *nc, enum netcfg_dns_backend b);
/* resolv.conf path for the FILE backend (default /etc/resolv.conf; the
 * environment variable SSTPC_RESOLV_CONF, read by netcfg_new, overrides). */
int netcfg_set_resolv_path(struct netcfg *nc, const char *path);
/* Routing protocol number for our routes (default RTPROT_STATIC). */
/* The daemon's run directory: the resolv.conf backup lives there while the
 * file is changed. Setting it also restores what a previous run that did not
 * end cleanly left changed (resolvfile.h). Unset: no backup on disk. */
void netcfg_set_state_dir(struct netcfg *nc, const char *dir);
/* The daemon is stopping: DNS helpers (resolvconf, resolvectl) get a short
 * deadline from now on, so that SIGTERM is answered within a second. */
void netcfg_set_stopping(struct netcfg *nc);
void netcfg_set_route_proto(struct netcfg *nc, uint8_t proto);
/* Table for routes through the tunnel (0 = main): a VRF's table when the
 * device is enslaved to one, so they sit beside its connected routes. */
void netcfg_set_route_table(struct netcfg *nc, uint32_t table);
/* Number of journal records (changes that netcfg_undo would revert). */
size_t netcfg_pending(const struct netcfg *nc);
/* IPv4 point-to-point address local peer peer/32 (network byte order, as
 * IPCP gives them). DNS addresses below are network byte order too. */
int netcfg_addr4(struct netcfg *nc, uint32_t local, uint32_t peer);
/* fe80::<id>/64 on the tunnel (addr_gen_mode none set when the device is made). */
int netcfg_addr6_ll(struct netcfg *nc, const uint8_t id[8]);
/* prefix::<id>/64 from a router advertisement, with its lifetimes in seconds
 * (0xffffffff = forever; the kernel expires it): added and journaled, or
 * refreshed (NLM_F_REPLACE) when already there; valid 0 removes it and its
 * journal record. Returns 1 when added, 0 when refreshed or removed, or
 * -errno. */
int netcfg_addr6_slaac(struct netcfg *nc, const uint8_t prefix[8], const uint8_t id[8],
		       uint32_t valid, uint32_t preferred);
/* Route via the tunnel (dst/plen, family AF_INET/AF_INET6; plen 0 = default). */
int netcfg_route(struct netcfg *nc, int family, const void *dst, int plen, unsigned metric);
/* Host route to the server through the path used now (not through the tunnel). */
int netcfg_server_route(struct netcfg *nc, const struct sockaddr *server);
/* Writes a sysctl under /proc/sys (path like "net/ipv4/conf/sstpc0/rp_filter"),
 * remembering the old value. */
int netcfg_sysctl(struct netcfg *nc, const char *path, const char *value);
/* Installs DNS servers (resolvconf, systemd-resolved or /etc/resolv.conf with
 * a byte-exact backup). */
int netcfg_dns(struct netcfg *nc, const uint32_t *v4, int n4);
/* Undoes every change, newest first; leaves what someone else changed since. */
void netcfg_undo(struct netcfg *nc);

/* TCP MSS clamping on one IP packet, in place: lowers the MSS option of a
 * SYN or SYN-ACK to mss4 (IPv4) / mss6 (IPv6) and fixes the checksum
 * incrementally (RFC 1624). Anything it cannot parse passes unchanged.
 * Returns true if the packet was changed. */
bool mss_clamp(uint8_t *pkt, size_t len, uint16_t mss4, uint16_t mss6);

/* IPv6 source validation (RFC 3704) in the data path, server -> TUN: the
 * kernel has no IPv6 rp_filter. strict: the source must be routed back via
 * the tunnel (a default route via the tunnel, a configured `ipv6 route`
 * prefix, or fe80::/10); loose: the same, plus any source when the host had
 * an IPv6 route for global space when IPV6CP came up. Multicast, :: and ::1
 * sources are always dropped while validation is on. See docs/tun.md. */
#define SRCVALID_MAX 32
enum srcvalid_mode { SRCVALID_OFF, SRCVALID_STRICT, SRCVALID_LOOSE };
struct srcvalid {
	enum srcvalid_mode mode;
	bool any; /* a default route makes every (unicast) source valid */
	unsigned n;
	struct {
		uint8_t addr[16];
		uint8_t plen;
	} p[SRCVALID_MAX];
};
void srcvalid_init(struct srcvalid *sv, enum srcvalid_mode mode);
void srcvalid_allow_any(struct srcvalid *sv);
/* Adds a prefix routed via the tunnel (plen 0 = default: any). 0 or -1 when
 * full or plen > 128. */
int srcvalid_add(struct srcvalid *sv, const uint8_t prefix[16], unsigned plen);
/* True if the packet with this source may be delivered. */
bool srcvalid_check6(const struct srcvalid *sv, const uint8_t src[16]);
/* True if the first plen bits of addr (alen bytes long) equal prefix's. */
bool srcvalid_prefix_match(const uint8_t *addr, const uint8_t *prefix, unsigned plen, unsigned alen);

#endif
