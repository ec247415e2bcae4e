/* Everything the daemon changes on the host for one interface: addresses,
 * routes, sysctls, DNS, all through rtnetlink and the kernel's own files,
 * every change recorded in a journal and undone in reverse. */
#ifndef SSTPC_TUN_NETCFG_H
#define SSTPC_TUN_NETCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The change journal, bound to one interface. */
struct netcfg;
struct netcfg *netcfg_new(const char *ifname, int ifindex);
void netcfg_free(struct netcfg *nc); /* undoes everything first */
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
/* The daemon's run directory: the resolv.conf backup lives there while the
 * file is changed. Setting it also restores what a previous run that did not
 * end cleanly left changed (resolvfile.h). Unset: no backup on disk. */
void netcfg_set_state_dir(struct netcfg *nc, const char *dir);
/* The daemon is stopping: DNS helpers (resolvconf, resolvectl) get a short
 * deadline from now on, so that SIGTERM is answered within a second. */
void netcfg_set_stopping(struct netcfg *nc);
/* Routing protocol number for our routes (default RTPROT_STATIC). */
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

#endif
