/* What IPCP and IPV6CP negotiated, applied to the host: the TUN's
 * addresses, the routes (a host route for the server first where the
 * tunnel's routes would cover it), DNS and the interface's sysctls. Every
 * change goes through the netcfg journal (tun/tun.h), so the session's
 * teardown undoes them all; nothing here remembers anything. */
#ifndef SSTPC_SESSION_APPLY_H
#define SSTPC_SESSION_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "ppp/ppp.h"

struct conf;
struct netcfg;
struct srcvalid;

struct apply_target {
	const struct conf *conf;
	struct netcfg *nc;
	int ifindex;
	/* The server the tunnel's own TCP connection goes to. */
	const struct sockaddr_storage *server;
};

/* Address, peer route, default and configured routes, DNS. False with why
 * when the parameters are refused and the connection must end (the server
 * gave us its own address); problems with single changes are logged. */
bool apply_ipv4(const struct apply_target *t, const struct ppp_ipcp_info *ip, char *why,
		size_t whylen);
/* Link-local address, accept_ra off, routes; fills sv6 for the data path's
 * IPv6 source validation (built before our own routes exist). */
void apply_ipv6(const struct apply_target *t, const struct ppp_ipv6cp_info *ip,
		struct srcvalid *sv6);
/* ip disable-forwarding and ip source-validation, once the tunnel is up. */
void apply_sysctls(const struct apply_target *t);

#endif
