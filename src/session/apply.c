/* Turning what IPCP and IPV6CP negotiated into host configuration:
 * addresses, routes (the server's host route first), DNS and sysctls, each
 * through the netcfg journal so that the teardown undoes them (apply.h). */
#include "session/apply.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "core/conf.h"
#include "core/log.h"
#include "tun/netcfg.h"
#include "tun/nl.h"
#include "tun/srcvalid.h"
#include "tun/tun.h"

/* True if a route we are about to add via the tunnel (the default route, or
 * a configured prefix) would cover the server's own address: then the
 * server needs a host route through the path it uses now, or the tunnel's
 * connection would be routed into the tunnel. */
static bool server_covered(const struct apply_target *t, int family)
{
	const struct conf *c = t->conf;
	if (t->server->ss_family != family)
		return false;
	if (!c->no_default_route)
		return true;
	const uint8_t *a = family == AF_INET
			       ? (const uint8_t *)&((const struct sockaddr_in *)t->server)->sin_addr
			       : ((const struct sockaddr_in6 *)t->server)->sin6_addr.s6_addr;
	for (int i = 0; i < c->nroutes; i++)
		if (c->routes[i].family == family &&
		    srcvalid_prefix_match(a, c->routes[i].addr, c->routes[i].plen,
					  family == AF_INET ? 4 : 16))
			return true;
	return false;
}

/* IPCP refused what the server offered (ppp/ipcp.c): say so once. */
static void ipcp_warn_refused(const struct ppp_ipcp_info *ip)
{
	char a[INET_ADDRSTRLEN];
	for (int i = 0; i < 2; i++) {
		if (!ip->dns_refused[i])
			continue;
		inet_ntop(AF_INET, &ip->dns_refused[i], a, sizeof(a));
		log_warn("IPCP: DNS server %s from the server ignored (%s)", a,
			 ppp_ip4_unusable(ip->dns_refused[i]));
	}
	if (ip->peer_refused) {
		inet_ntop(AF_INET, &ip->peer_refused, a, sizeof(a));
		const char *why = ppp_ip4_unusable(ip->peer_refused);
		log_warn("IPCP: the server's address %s rejected (%s)", a,
			 why ? why : "equal to ours");
	}
}

/* The address carries no route to the peer (netcfg_addr4): the server's
 * side of the link gets a host route only where the host has no route at
 * all to that address, so that it can shadow none (a public peer address,
 * or the server's own, keeps the host's path). Asked before our own routes
 * exist. */
static void peer_route4(const struct apply_target *t, uint32_t peer)
{
	uint8_t gw[16];
	int oif, rc;
	if (!peer)
		return;
	/* In a VRF the route goes into the VRF's own table, which holds the
	 * tunnel's routes only: it cannot shadow the host's (main-table)
	 * route to that address, and the lookup below would ask main. */
	if (!t->conf->vrf[0] && nl_route_get(AF_INET, &peer, gw, &oif) == 0)
		return;
	rc = netcfg_route(t->nc, AF_INET, &peer, 32, t->conf->default_route_distance);
	if (rc < 0)
		log_warn("cannot add the route to the server's tunnel address: %s", strerror(-rc));
}

bool apply_ipv4(const struct apply_target *t, const struct ppp_ipcp_info *ip, char *why,
		size_t whylen)
{
	const struct conf *c = t->conf;
	char l[INET_ADDRSTRLEN], p[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &ip->local, l, sizeof(l));
	inet_ntop(AF_INET, &ip->peer, p, sizeof(p));
	ipcp_warn_refused(ip);
	if (t->server->ss_family == AF_INET &&
	    ((const struct sockaddr_in *)t->server)->sin_addr.s_addr == ip->local) {
		/* a local route for it would send the tunnel's own packets to
		 * ourselves */
		snprintf(why, whylen, "the server assigned us its own address %s: refused", l);
		return false;
	}
	int rc = nl_link_set_up(t->ifindex, true);
	if (rc == 0)
		rc = netcfg_addr4(t->nc, ip->local, ip->peer);
	if (rc < 0) {
		log_err("cannot set address %s peer %s on %s: %s", l, p, c->ifname, strerror(-rc));
		return true;
	}
	log_notice("IPv4 up: local %s peer %s", l, p);
	if (server_covered(t, AF_INET)) {
		/* Keep the tunnel's own connection off the tunnel. */
		rc = netcfg_server_route(t->nc, (const struct sockaddr *)t->server);
		if (rc < 0)
			log_warn("cannot add a host route to the server: %s", strerror(-rc));
	}
	peer_route4(t, ip->peer);
	if (!c->no_default_route) {
		static const uint8_t any[16];
		rc = netcfg_route(t->nc, AF_INET, any, 0, c->default_route_distance);
		if (rc < 0)
			log_err("cannot add the default route: %s", strerror(-rc));
	}
	for (int i = 0; i < c->nroutes; i++) {
		if (c->routes[i].family != AF_INET)
			continue;
		rc = netcfg_route(t->nc, AF_INET, c->routes[i].addr, c->routes[i].plen,
				  c->default_route_distance);
		if (rc < 0)
			log_err("cannot add route %d: %s", i, strerror(-rc));
	}
	if (!c->no_peer_dns && (ip->dns[0] || ip->dns[1])) {
		uint32_t v4[2];
		int n = 0;
		for (int i = 0; i < 2; i++)
			if (ip->dns[i])
				v4[n++] = ip->dns[i];
		rc = netcfg_dns(t->nc, v4, n);
		/* A minimal root or a container may have no /etc at all, or a
		 * read-only one: the tunnel works without our DNS, so that is a
		 * notice, not an error (as if no-peer-dns had been set). */
		if (rc == -ENOENT || rc == -EROFS || rc == -EACCES || rc == -EPERM)
			log_notice("DNS servers not installed (%s): going on as with no-peer-dns",
				   strerror(-rc));
		else if (rc < 0)
			log_err("cannot install DNS servers: %s", strerror(-rc));
	}
	return true;
}

void apply_sysctls(const struct apply_target *t)
{
	const struct conf *c = t->conf;
	char path[128];
	if (c->ip_disable_forwarding) {
		snprintf(path, sizeof(path), "net/ipv4/conf/%s/forwarding", c->ifname);
		netcfg_sysctl(t->nc, path, "0");
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/forwarding", c->ifname);
		netcfg_sysctl(t->nc, path, "0");
	}
	if (c->source_validation != CONF_SRCVALID_UNSET) {
		const char *v = c->source_validation == CONF_SRCVALID_STRICT  ? "1"
				: c->source_validation == CONF_SRCVALID_LOOSE ? "2"
									      : "0";
		snprintf(path, sizeof(path), "net/ipv4/conf/%s/rp_filter", c->ifname);
		netcfg_sysctl(t->nc, path, v);
		/* The kernel applies max(conf.all.rp_filter, conf.<if>.rp_filter).
		 * Changing `all` would change every interface, so it is left
		 * alone; say when it overrides what was asked. */
		char all[8] = "";
		FILE *f = fopen("/proc/sys/net/ipv4/conf/all/rp_filter", "r");
		if (f) {
			if (!fgets(all, sizeof(all), f))
				all[0] = '\0';
			fclose(f);
		}
		if (all[0] >= '0' && all[0] <= '2' && all[0] > v[0])
			log_warn("ip source-validation: net.ipv4.conf.all.rp_filter is %c, so the "
				 "kernel uses %s on "
				 "%s, not what was configured",
				 all[0], all[0] == '1' ? "strict" : "loose", c->ifname);
	}
}

void apply_ipv6(const struct apply_target *t, const struct ppp_ipv6cp_info *ip,
		struct srcvalid *sv6)
{
	const struct conf *c = t->conf;
	int rc = nl_link_set_up(t->ifindex, true);
	if (rc == 0)
		rc = netcfg_addr6_ll(t->nc, ip->local_id);
	if (rc < 0) {
		log_err("cannot set the IPv6 link-local address: %s", strerror(-rc));
		return;
	}
	/* No IPv6 token: the kernel refuses it on a TUN (IFF_NOARP), so SLAAC
	 * happens in session_ra. The kernel must not act on the RAs it still
	 * sees on the TUN either: its default route would ignore
	 * no-default-route and default-route-distance. */
	char ra_path[96];
	snprintf(ra_path, sizeof(ra_path), "net/ipv6/conf/%s/accept_ra", c->ifname);
	netcfg_sysctl(t->nc, ra_path, "0");
	char l6[INET6_ADDRSTRLEN], p6[INET6_ADDRSTRLEN];
	uint8_t a[16] = {0xfe, 0x80};
	memcpy(a + 8, ip->local_id, 8);
	inet_ntop(AF_INET6, a, l6, sizeof(l6));
	memcpy(a + 8, ip->peer_id, 8);
	inet_ntop(AF_INET6, a, p6, sizeof(p6));
	log_notice("IPv6 up: local %s peer %s", l6, p6);
	if (server_covered(t, AF_INET6)) {
		rc = netcfg_server_route(t->nc, (const struct sockaddr *)t->server);
		if (rc < 0)
			log_warn("cannot add a host route to the server: %s", strerror(-rc));
	}
	/* The sources that route back through the tunnel, for the data path's
	 * IPv6 source validation (built before our own routes exist, so the
	 * loose probe sees only the host's other routes). */
	enum srcvalid_mode m = c->source_validation == CONF_SRCVALID_STRICT  ? SRCVALID_STRICT
			       : c->source_validation == CONF_SRCVALID_LOOSE ? SRCVALID_LOOSE
									     : SRCVALID_OFF;
	srcvalid_init(sv6, m);
	if (m == SRCVALID_LOOSE) {
		static const uint8_t global[16] = {0x20};
		uint8_t gw[16];
		int oif;
		if (nl_route_get(AF_INET6, global, gw, &oif) == 0)
			srcvalid_allow_any(sv6);
	}
	if (!c->no_default_route)
		srcvalid_allow_any(sv6);
	for (int i = 0; i < c->nroutes; i++)
		if (c->routes[i].family == AF_INET6)
			srcvalid_add(sv6, c->routes[i].addr, c->routes[i].plen);
	if (!c->no_default_route) {
		static const uint8_t any[16];
		rc = netcfg_route(t->nc, AF_INET6, any, 0, c->default_route_distance);
		if (rc < 0)
			log_warn("cannot add the IPv6 default route: %s", strerror(-rc));
	}
	for (int i = 0; i < c->nroutes; i++) {
		if (c->routes[i].family != AF_INET6)
			continue;
		rc = netcfg_route(t->nc, AF_INET6, c->routes[i].addr, c->routes[i].plen,
				  c->default_route_distance);
		if (rc < 0)
			log_err("cannot add IPv6 route %d: %s", i, strerror(-rc));
	}
}
