/* What session.c (lifecycle, reconnect, reload, the layers' events) and
 * tun_path.c (the TUN side of the data path) share: the session's state.
 * Not for other modules (session.h is their interface). */
#ifndef SSTPC_SESSION_SESSION_INTERNAL_H
#define SSTPC_SESSION_SESSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/conf.h"
#include "core/loop.h"
#include "link/link.h"
#include "ppp/ppp.h"
#include "session/auth_policy.h"
#include "session/session.h"
#include "session/timeline.h"
#include "tun/gso.h"
#include "tun/slaac.h"
#include "tun/srcvalid.h"
#include "tun/tun.h"

/* A TSO super-packet from the TUN: up to 64 KiB (GSO_LEGACY_MAX_SIZE) plus
 * slack so that a truncated read shows as one. */
#define GSO_BUF (64 * 1024 + 1024)
#define MAX_IP_PACKET LINK_MAX_IP
/* Packets read from the TUN per readiness event before the other direction
 * gets a turn. */
#define TUN_BUDGET 256
#define CLOSE_GRACE_MS 5000

/* What one connection attempt learnt and changed: zeroed as a whole when it
 * ends (the connection itself is the link, freed then). */
struct attempt {
	bool dead; /* failed or closed: tear down after the callback returns */
	bool ppp_dead;
	bool v4_applied, v6_applied; /* host changes made for this connection */
	bool ncp_lost;		     /* IPCP/IPV6CP went down after up: reconnect */
	struct srcvalid sv6;	     /* IPv6 source validation (no kernel rp_filter for v6) */
	struct slaac slaac;	     /* SLAAC from the server's RAs, applied from slaac_timer */
	int binding_hash;
	char tls_version[32], tls_cipher[64];
};

struct session {
	struct conf conf;
	struct loop *loop;
	struct loop_timer timer;
	enum session_state state;
	bool admin_down;	 /* disconnect interface / disable */
	bool stopping;		 /* SIGTERM, SIGINT */
	bool restart;		 /* SIGHUP changed the configuration: reconnect at once */
	const char *restart_why; /* NULL: the configuration; else what asked to reconnect */
	int exit_code;

	int tun_fd;
	int ifindex;
	unsigned tun_events;
	bool tun_lost; /* the device was deleted under us: its name is no longer ours */
	struct netcfg *nc;
	uint16_t mss4, mss6;
	bool vnet;	    /* IFF_VNET_HDR: offloads on (tun/gso.h) */
	uint8_t *gso_buf;   /* one super-packet being cut into segments */
	struct gso gso;	    /* its segmenter; gso.pkt NULL when none is pending */
	uint32_t gso_proto; /* PPP protocol of its segments */
	struct gro *gro;    /* downstream GRO, with vnet only (tun/gro.h) */
	struct loop_timer slaac_timer;
	struct loop_timer up_hook_timer;
	struct hostaddr *ha; /* ip disable-forwarding: the host's addresses (tun/hostaddr.h) */

	struct dial *dial; /* resolving, connecting, proxy exchange */
	struct link *link; /* TLS, SSTP, PPP: from the TCP connection to teardown */
	/* The trust store, suites and our certificate, kept across reconnects;
	 * stale after a reload changed them: remade before the next connection
	 * (the current one may still use it). */
	struct tls_client_ctx *tls_ctx;
	bool tls_ctx_stale;
	/* The CA and certificate files as read into it (size, mtime, inode):
	 * a file changed on disk is read again by the next connection, as it
	 * was when each connection read them. */
	uint64_t tls_files_stamp;
	struct attempt at;
	struct sockaddr_storage peer;
	bool auth_failed;
	bool auth_retry; /* the server insisted on an allowed method: retry, not a failure */
	struct auth_memory auth_mem; /* per server: the method that worked */
	struct hooks *hooks;	     /* up-script / down-script (session/hooks.h) */
	bool hook_up;		/* the up-script ran for this connection: the down-script follows */
	int srv;		/* index into conf.servers of the server in use (or next) */
	char server_cur[256];	/* the name the current attempt was made to */
	unsigned round_tries;	/* servers tried without success since the last one that worked */
	bool round_auth_failed; /* one of them refused our credentials */

	uint64_t deadline; /* connect timeout, close grace or backoff end */
	uint64_t up_since;
	unsigned fails; /* consecutive failed attempts */
	unsigned reconnects;
	char error[256]; /* why the last attempt ended */
	char phase[32];
	struct timeline tl; /* where this attempt's connect time went */

	/* facts for show */
	enum ppp_auth auth;
	uint32_t local4, peer4, dns4[2];
	uint8_t local6[8], peer6[8];
	uint64_t drops;
	uint64_t fwd_drops; /* ip disable-forwarding: not for this host */
};

/* session.c */
void session_after(struct session *s);
void session_close(struct session *s);

/* tun_path.c: reading the TUN only when wanted, TUN → link (on_tun, and
 * the rest of a super-packet once TLS takes more), link → TUN, SLAAC. */
void tun_want(struct session *s, bool reading);
void on_tun(void *arg, int fd, unsigned events);
void tun_input(struct session *s);
void on_slaac_timer(void *arg, uint64_t now);
void link_data_cb(void *ctx, uint8_t *pkt, size_t len);
void link_blocked_cb(void *ctx, bool blocked);
void link_rx_batch_end_cb(void *ctx);

#endif
