/* sstpd: the listener, the one server-side TUN device (tun_dev.c), the
 * address pool and forwarding from the TUN to the client that owns the
 * destination. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "ppp/ppp.h"
#include "sstpd.h"
#include "tls/tls.h"
#include "tun/netcfg.h"
#include "tun/nl.h"
#include "tun/srcvalid.h"
#include "tun/tun.h"

/* Packets (TSO: the segments they make) taken from the TUN per readiness
 * event, so that the clients' sockets are served in between. */
#define TUN_BUDGET 256
#define STOP_GRACE_MS 3000
#define MAX_CONNS 1024

struct server {
	struct sstpd_opts opts;
	struct loop *loop;
	struct tls_server_ctx *tls;
	int lfd;
	struct sstpd_tun tun;
	struct netcfg *nc;
	bool stopping;
	int exit_code;
	struct loop_timer stop_timer;
	unsigned next_id;

	struct conn **conns;
	size_t nconns;
	/* pool: host offset → owner (NULL = free) */
	struct conn **owner;
	uint32_t pool_size;

	struct conn *dirty[TUN_BUDGET];
	size_t ndirty;
};

struct loop *server_loop(struct server *srv)
{
	return srv->loop;
}
const struct sstpd_opts *server_opts(struct server *srv)
{
	return &srv->opts;
}
struct tls_server_ctx *server_tls(struct server *srv)
{
	return srv->tls;
}
const char *server_tun_name(struct server *srv)
{
	return srv->opts.tun;
}
int server_tun_ifindex(struct server *srv)
{
	return srv->tun.ifindex;
}
bool server_stopping(struct server *srv)
{
	return srv->stopping;
}

uint32_t server_pool_get(struct server *srv, struct conn *c)
{
	uint32_t local_off = srv->opts.local4 - srv->opts.pool_net;
	/* skip the network and broadcast addresses and our own */
	for (uint32_t off = 1; off + 1 < srv->pool_size; off++) {
		if (off == local_off || srv->owner[off])
			continue;
		srv->owner[off] = c;
		return srv->opts.pool_net + off;
	}
	return 0;
}

void server_pool_put(struct server *srv, uint32_t addr)
{
	uint32_t off = addr - srv->opts.pool_net;
	if (addr && off < srv->pool_size)
		srv->owner[off] = NULL;
}

void server_tun_write(struct server *srv, const uint8_t *pkt, size_t len)
{
	sstpd_tun_write(&srv->tun, pkt, len);
}

void server_tun_batch_end(struct server *srv)
{
	sstpd_tun_flush(&srv->tun);
}

static void server_stop_now(struct server *srv)
{
	loop_timer_cancel(srv->loop, &srv->stop_timer);
	loop_stop(srv->loop);
}

void server_conn_gone(struct server *srv, struct conn *c)
{
	for (size_t i = 0; i < srv->nconns; i++) {
		if (srv->conns[i] == c) {
			memmove(srv->conns + i, srv->conns + i + 1,
				(srv->nconns - i - 1) * sizeof(*srv->conns));
			srv->nconns--;
			break;
		}
	}
	for (size_t i = 0; i < srv->ndirty; i++)
		if (srv->dirty[i] == c)
			srv->dirty[i] = NULL;
	if (srv->stopping && srv->nconns == 0)
		server_stop_now(srv);
}

/* ------------------------------------------------------------ TUN → clients */

/* --client-net: the first client, when dst lies in net. */
static struct conn *route_client_net(struct server *srv, const struct sstpd_net *net,
				     const uint8_t *dst, unsigned alen)
{
	if (!net->set || srv->nconns == 0 ||
	    !srcvalid_prefix_match(dst, net->addr, net->plen, alen))
		return NULL;
	return srv->conns[0];
}

static struct conn *route_ipv4(struct server *srv, const uint8_t *pkt, size_t len)
{
	if (len < 20)
		return NULL;
	uint32_t dst =
	    (uint32_t)pkt[16] << 24 | (uint32_t)pkt[17] << 16 | (uint32_t)pkt[18] << 8 | pkt[19];
	uint32_t off = dst - srv->opts.pool_net;
	if (off < srv->pool_size)
		return srv->owner[off];
	return route_client_net(srv, &srv->opts.client_net4, pkt + 16, 4);
}

static struct conn *route_ipv6(struct server *srv, const uint8_t *pkt, size_t len)
{
	if (len < 40)
		return NULL;
	/* Clients only have link-local addresses made of their IPV6CP id,
	 * and with --ipv6-prefix PREFIX::<that id> from our RAs. */
	const uint8_t *dst = pkt + 24;
	struct conn *lan = route_client_net(srv, &srv->opts.client_net6, dst, 16);
	if (lan)
		return lan;
	if ((dst[0] != 0xfe || (dst[1] & 0xc0) != 0x80) &&
	    !(srv->opts.has_prefix6 && memcmp(dst, srv->opts.prefix6, 8) == 0))
		return NULL;
	for (size_t i = 0; i < srv->nconns; i++)
		if (conn_ipv6_match(srv->conns[i], dst + 8))
			return srv->conns[i];
	return NULL;
}

/* One packet read from the TUN to the client it is for: the packets it
 * made (a super-packet: its segments), 0 when none went. */
static size_t tun_to_client(struct server *srv, const struct gso_vnet *v, size_t n,
			    struct conn **to)
{
	const uint8_t *pkt = srv->tun.buf;
	struct conn *c = NULL;
	uint16_t proto = 0;
	unsigned ver = pkt[0] >> 4;
	if (ver == 4) {
		c = route_ipv4(srv, pkt, n);
		proto = PPP_PROTO_IP;
	} else if (ver == 6) {
		c = route_ipv6(srv, pkt, n);
		proto = PPP_PROTO_IPV6;
	}
	*to = c;
	if (!c)
		return 0;
	if (v->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return conn_queue_tso(c, proto, v, pkt, n);
	return conn_queue_ip(c, proto, pkt, n) ? 1 : 0;
}

static void on_tun(void *arg, int fd, unsigned events)
{
	struct server *srv = arg;
	srv->ndirty = 0;
	for (size_t budget = TUN_BUDGET; budget > 0;) {
		struct gso_vnet v;
		ssize_t n = sstpd_tun_read(&srv->tun, &v);
		if (n < 0)
			break;
		struct conn *c = NULL;
		size_t sent = n > 0 ? tun_to_client(srv, &v, (size_t)n, &c) : 0;
		size_t cost = sent ? sent : 1;
		budget = cost < budget ? budget - cost : 0;
		if (sent == 0)
			continue;
		if (srv->ndirty == 0 || srv->dirty[srv->ndirty - 1] != c)
			srv->dirty[srv->ndirty++] = c;
		if (srv->ndirty == TUN_BUDGET)
			break;
	}
	/* One TLS write per client per batch; a flush may end a connection,
	 * which clears its dirty slots. */
	for (size_t i = 0; i < srv->ndirty; i++) {
		struct conn *c = srv->dirty[i];
		if (!c)
			continue;
		for (size_t j = i + 1; j < srv->ndirty; j++)
			if (srv->dirty[j] == c)
				srv->dirty[j] = NULL;
		conn_flush(c);
	}
	srv->ndirty = 0;
}

/* ------------------------------------------------------------------ accept */

static void on_listen(void *arg, int fd, unsigned events)
{
	struct server *srv = arg;
	for (int i = 0; i < 64 && !srv->stopping; i++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int cfd =
		    accept4(fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		char addr[80];
		tcp_format_addr((struct sockaddr *)&peer, addr, sizeof(addr));
		if (srv->nconns >= MAX_CONNS) {
			log_warn("#- %s: refused, %d connections already", addr, MAX_CONNS);
			close(cfd);
			continue;
		}
		int one = 1;
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		unsigned id = ++srv->next_id;
		log_notice("#%u %s: accepted", id, addr);
		struct conn *c = conn_new(srv, cfd, &peer, id);
		if (!c)
			continue; /* conn_new closed cfd and said why */
		srv->conns[srv->nconns++] = c;
	}
}

/* ----------------------------------------------------------------- signals */

static void on_stop_timer(void *arg, uint64_t now)
{
	struct server *srv = arg;
	if (srv->nconns)
		log_warn("%zu client(s) did not finish in time", srv->nconns);
	loop_stop(srv->loop);
}

static void on_signal(void *arg, int signo)
{
	struct server *srv = arg;
	if (srv->stopping)
		return;
	log_notice("%s: disconnecting %zu client(s)", signo == SIGTERM ? "SIGTERM" : "SIGINT",
		   srv->nconns);
	srv->stopping = true;
	if (srv->lfd >= 0) {
		loop_del_fd(srv->loop, srv->lfd);
		close(srv->lfd);
		srv->lfd = -1;
	}
	if (srv->nconns == 0) {
		loop_stop(srv->loop);
		return;
	}
	loop_timer_set(srv->loop, &srv->stop_timer, loop_now(srv->loop) + STOP_GRACE_MS);
	/* From the end: a client that goes at once shifts only those after it. */
	for (size_t i = srv->nconns; i-- > 0;)
		if (i < srv->nconns)
			conn_shutdown(srv->conns[i]);
}

/* ------------------------------------------------------------------- setup */

static int listen_on(const struct sstpd_opts *o, char *err, size_t errlen)
{
	int fd = socket(o->listen.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	char addr[80];
	tcp_format_addr((const struct sockaddr *)&o->listen, addr, sizeof(addr));
	if (bind(fd, (const struct sockaddr *)&o->listen, o->listen_len) < 0 ||
	    listen(fd, 64) < 0) {
		snprintf(err, errlen, "listen on %s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	log_notice("listening on %s", addr);
	return fd;
}

struct server *server_new(const struct sstpd_opts *o, char *err, size_t errlen)
{
	struct server *srv = calloc(1, sizeof(*srv));
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->opts = *o;
	srv->lfd = -1;
	srv->tun.fd = -1;
	srv->pool_size = 1u << (32 - o->pool_plen);
	srv->owner = calloc(srv->pool_size, sizeof(*srv->owner));
	srv->conns = calloc(MAX_CONNS, sizeof(*srv->conns));
	srv->loop = loop_new();
	if (!srv->owner || !srv->conns || !srv->loop) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	loop_timer_init(&srv->stop_timer, on_stop_timer, srv);
	if (!tls_global_init()) {
		snprintf(err, errlen, "TLS library initialisation failed");
		goto fail;
	}
	srv->tls = tls_server_ctx_new(o->cert, o->key, err, errlen);
	if (!srv->tls)
		goto fail;
	if (o->client_ca &&
	    !tls_server_ctx_require_client_cert(srv->tls, o->client_ca, err, errlen))
		goto fail;
	if (o->ciphers && !tls_server_ctx_set_ciphers(srv->tls, o->ciphers)) {
		snprintf(err, errlen, "--ciphers %s: no suite of the list is known to wolfSSL",
			 o->ciphers);
		goto fail;
	}

	if (!sstpd_tun_open(&srv->tun, o, err, errlen))
		goto fail;
	int rc = nl_link_set_mtu(srv->tun.ifindex, o->mtu);
	if (rc == 0)
		rc = nl_link_set_up(srv->tun.ifindex, true);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot set MTU / up: %s", o->tun, strerror(-rc));
		goto fail;
	}
	srv->nc = netcfg_new(o->tun, srv->tun.ifindex);
	if (!srv->nc) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	uint32_t local = htonl(o->local4);
	rc = netcfg_addr4(srv->nc, local, local);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot add the local address: %s", o->tun,
			 strerror(-rc));
		goto fail;
	}
	if (o->ipv6) {
		uint8_t id[8];
		sstpd_ipv6_id(o, id);
		rc = netcfg_addr6_ll(srv->nc, id);
		if (rc < 0)
			log_warn("%s: cannot add the IPv6 link-local address: %s", o->tun,
				 strerror(-rc));
		/* PREFIX::1/64, forever; the prefix route (explicit: the
		 * address comes without one) sends the clients' PREFIX::<id>
		 * addresses to the TUN, where route_ipv6 finds them. */
		static const uint8_t one[8] = {[7] = 1};
		uint8_t net[16] = {0};
		memcpy(net, o->prefix6, 8);
		if (o->has_prefix6 && ((rc = netcfg_addr6_slaac(srv->nc, o->prefix6, one,
								0xffffffffu, 0xffffffffu)) < 0 ||
				       (rc = netcfg_route(srv->nc, AF_INET6, net, 64, 0)) < 0))
			log_warn("%s: cannot add PREFIX::1/64: %s", o->tun, strerror(-rc));
	}
	rc = loop_add_fd(srv->loop, srv->tun.fd, LOOP_READ, on_tun, srv);
	if (rc < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-rc));
		goto fail;
	}
	srv->lfd = listen_on(o, err, errlen);
	if (srv->lfd < 0)
		goto fail;
	rc = loop_add_fd(srv->loop, srv->lfd, LOOP_READ, on_listen, srv);
	if (rc < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-rc));
		goto fail;
	}
	loop_add_signal(srv->loop, SIGTERM, on_signal, srv);
	loop_add_signal(srv->loop, SIGINT, on_signal, srv);
	signal(SIGPIPE, SIG_IGN);
	char l[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &local, l, sizeof(l));
	log_notice("%s up: local %s, pool %u addresses, faults 0x%llx", o->tun, l,
		   srv->pool_size - 3, (unsigned long long)o->faults);
	return srv;
fail:
	server_free(srv);
	return NULL;
}

int server_run(struct server *srv)
{
	int rc = loop_run(srv->loop);
	if (rc < 0) {
		log_err("event loop: %s", strerror(-rc));
		return 1;
	}
	return srv->exit_code;
}

void server_free(struct server *srv)
{
	if (!srv)
		return;
	while (srv->nconns > 0)
		conn_free(srv->conns[srv->nconns - 1]); /* calls server_conn_gone */
	if (srv->lfd >= 0) {
		if (srv->loop)
			loop_del_fd(srv->loop, srv->lfd);
		close(srv->lfd);
	}
	if (srv->nc)
		netcfg_free(srv->nc);
	if (srv->tun.fd >= 0) {
		loop_del_fd(srv->loop, srv->tun.fd);
		sstpd_tun_close(&srv->tun);
		tun_delete(srv->opts.tun);
		log_notice("%s removed", srv->opts.tun);
	}
	sstpd_tun_close(&srv->tun); /* a failed open's buffers */
	if (srv->tls)
		tls_server_ctx_free(srv->tls);
	if (srv->loop) {
		loop_timer_cancel(srv->loop, &srv->stop_timer);
		loop_free(srv->loop);
	}
	free(srv->owner);
	free(srv->conns);
	free(srv);
}
