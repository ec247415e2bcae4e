/* sstpd: the SSTP test server built from our own stack in its server role.
 * Internal interfaces between main.c (options), server.c (listener, TUN,
 * forwarding, signals) and conn.c (one client). PPP is the PPP layer's
 * server role; its LCP and credential faults are ppp_config fields. */
#ifndef SSTPD_SSTPD_H
#define SSTPD_SSTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "core/loop.h"
#include "ppp/ppp.h"
#include "tun/gso.h"

/* Fault modes (--fault): bits of a uint64_t, room for more. */
#define FAULT_NAK_FIRST_CONNECT (UINT64_C(1) << 0)
#define FAULT_REJECT_AUTH (UINT64_C(1) << 1)
#define FAULT_SILENT (UINT64_C(1) << 2)
#define FAULT_ABORT_AFTER (UINT64_C(1) << 3)
#define FAULT_BAD_VERSION (UINT64_C(1) << 4)
#define FAULT_LEN_ZERO (UINT64_C(1) << 5)
#define FAULT_LEN_TOO_BIG (UINT64_C(1) << 6)
#define FAULT_ATTR_SHORT (UINT64_C(1) << 7)
#define FAULT_LEN_OVERRUN (UINT64_C(1) << 8)
#define FAULT_DRIBBLE (UINT64_C(1) << 9)
#define FAULT_PACK (UINT64_C(1) << 10)
#define FAULT_NAK_LCP_FOREVER (UINT64_C(1) << 11)
#define FAULT_RRAS_LCP (UINT64_C(1) << 12)
#define FAULT_NO_DNS (UINT64_C(1) << 13)
#define FAULT_SHA1_ONLY (UINT64_C(1) << 14)
#define FAULT_EAP_ONLY_GIVEUP (UINT64_C(1) << 15)
#define FAULT_NO_AUTH (UINT64_C(1) << 16)
#define FAULT_DROP_FIRST_IPCP (UINT64_C(1) << 17)
#define FAULT_ACK_ALTERED (UINT64_C(1) << 18)
#define FAULT_REJECT_UNSENT (UINT64_C(1) << 19)
#define FAULT_UP_THEN_DROP (UINT64_C(1) << 20)
/* hostile IPCP values and RA flood (docs/test-server.md) */
#define FAULT_IPCP_LOOPBACK (UINT64_C(1) << 21)
#define FAULT_IPCP_LOCAL_IS_PEER (UINT64_C(1) << 22)
#define FAULT_IPCP_LOCAL_IS_SERVER (UINT64_C(1) << 23)
#define FAULT_IPCP_PEER_PUBLIC (UINT64_C(1) << 24)
#define FAULT_IPCP_PEER_IS_SERVER (UINT64_C(1) << 25)
#define FAULT_DNS_LOOPBACK (UINT64_C(1) << 26)
#define FAULT_RA_FLOOD (UINT64_C(1) << 27)
/* reserved fields and the disconnect handshake (docs/sstp.md) */
#define FAULT_RESERVED_BITS (UINT64_C(1) << 28)
#define FAULT_DISCONNECT_AFTER (UINT64_C(1) << 29)
/* --radius: every RADIUS reply is ignored (a server that never answers) */
#define FAULT_RADIUS_DROP (UINT64_C(1) << 30)
/* --radius: the HLAK made from the Access-Accept's keys has one bit
 * flipped, so the client's crypto binding cannot verify */
#define FAULT_RADIUS_BAD_KEYS (UINT64_C(1) << 31)
/* every PPP control frame from the client discarded: LCP never opens, the
 * connection holds in PPP negotiation until the client's timeouts end it */
#define FAULT_STALL_PPP (UINT64_C(1) << 32)
#define FAULT_MALFORMED                                                                            \
	(FAULT_BAD_VERSION | FAULT_LEN_ZERO | FAULT_LEN_TOO_BIG | FAULT_ATTR_SHORT |               \
	 FAULT_LEN_OVERRUN)

/* Parses a comma-separated list of fault names; false names the bad one. */
bool sstpd_faults_parse(const char *list, uint64_t *out, char *err, size_t errlen);
const char *sstpd_fault_names(void);

/* The largest packet read from the server's TUN: a TSO super-packet of
 * up to 64 KiB of IP (without its virtio header). */
#define SSTPD_TSO_BUF (64 * 1024 + 1024)

#define SSTPD_MAX_USERS 256
#define SSTPD_NAME_MAX 64

struct sstpd_user {
	char name[SSTPD_NAME_MAX];
	char password[SSTPD_NAME_MAX];
};

struct sstpd_net {
	bool set;
	uint8_t addr[16]; /* network byte order */
	unsigned plen;
};

struct sstpd_opts {
	struct sockaddr_storage listen;
	socklen_t listen_len;
	const char *cert, *key, *users_file, *tun, *pidfile;
	const char *client_ca; /* --require-client-cert CA: mutual TLS */
	const char *ciphers;   /* --ciphers LIST: the suites it accepts (wolfSSL names) */
	/* --radius HOST:PORT, --radius-secret-file: EAP relayed to RADIUS */
	struct sockaddr_storage radius;
	socklen_t radius_len;
	char radius_secret[128];
	uint32_t pool_net; /* host byte order */
	unsigned pool_plen;
	uint32_t local4;  /* host byte order */
	uint32_t dns4[2]; /* host byte order, 0 = none */
	bool ipv6;
	bool has_prefix6; /* --ipv6-prefix: RAs for SLAAC, PREFIX::1 on the TUN */
	uint8_t prefix6[8];
	/* --client-net: packets to these go to the first client (a LAN behind it) */
	struct sstpd_net client_net4, client_net6;
	uint8_t hash_set;
	enum ppp_auth auth[4];
	uint64_t faults;
	unsigned fault_after_ms; /* 0 = not given */
	unsigned mtu;
	bool no_offload; /* --no-offload (or SSTPC_NO_OFFLOAD=1): a plain TUN */
	struct sstpd_user *users;
	int nusers;
};

/* The server's IPV6CP interface id: 02:00:00:00 + the IPv4 address. */
static inline void sstpd_ipv6_id(const struct sstpd_opts *o, uint8_t id[8])
{
	id[0] = 0x02;
	id[1] = id[2] = id[3] = 0;
	id[4] = (uint8_t)(o->local4 >> 24);
	id[5] = (uint8_t)(o->local4 >> 16);
	id[6] = (uint8_t)(o->local4 >> 8);
	id[7] = (uint8_t)o->local4;
}

struct server;
struct conn;

/* server.c */
struct server *server_new(const struct sstpd_opts *o, char *err, size_t errlen);
int server_run(struct server *srv);
void server_free(struct server *srv);
/* What a connection needs from the server. */
struct loop *server_loop(struct server *srv);
const struct sstpd_opts *server_opts(struct server *srv);
struct tls_server_ctx *server_tls(struct server *srv);
/* Hands out a pool address (host order), 0 when the pool is exhausted. */
uint32_t server_pool_get(struct server *srv, struct conn *c);
void server_pool_put(struct server *srv, uint32_t addr);
/* Writes an IP packet from a client to the TUN device; with offloads it
 * waits in GRO for the end of the client's read batch. */
void server_tun_write(struct server *srv, const uint8_t *pkt, size_t len);
/* The end of a client's read batch: what GRO holds goes to the TUN. */
void server_tun_batch_end(struct server *srv);
/* Connection finished and freed itself. */
void server_conn_gone(struct server *srv, struct conn *c);
const char *server_tun_name(struct server *srv);
int server_tun_ifindex(struct server *srv);
bool server_stopping(struct server *srv);

/* tun_dev.c: the server's TUN, with offloads unless o->no_offload or
 * SSTPC_NO_OFFLOAD=1 (logged at info either way). */
struct gro;
struct sstpd_tun {
	int fd;
	int ifindex;
	bool vnet;	 /* IFF_VNET_HDR: checksum + TSO offload, GRO */
	struct gro *gro; /* with vnet */
	uint8_t *buf;	 /* the packet read last (SSTPD_TSO_BUF) */
};
bool sstpd_tun_open(struct sstpd_tun *t, const struct sstpd_opts *o, char *err, size_t errlen);
void sstpd_tun_close(struct sstpd_tun *t);
/* One packet into t->buf, its partial checksum finished unless it is a
 * super-packet (v->gso_type): the IP length, 0 when it was malformed
 * (drop it), -1 with errno when none was read. */
ssize_t sstpd_tun_read(struct sstpd_tun *t, struct gso_vnet *v);
/* A packet from a client (copied: into GRO, or written at once). */
void sstpd_tun_write(struct sstpd_tun *t, const uint8_t *pkt, size_t len);
/* What GRO holds, to the TUN. */
void sstpd_tun_flush(struct sstpd_tun *t);

/* ppp_faults.c: drop-first-ipcp, ack-altered, reject-unsent, once each per
 * connection; stall-ppp on every frame from the client. Each returns what
 * it did, for the log ("" when already said), or NULL. */
struct ppp_faults {
	uint64_t faults;
	bool dropped, altered, rejected, stalled;
};
/* A frame from the client: non-NULL = drop it. */
const char *ppp_faults_input(struct ppp_faults *pf, const uint8_t *frame, size_t len);
/* A frame to the client: may point *frame at a rewritten copy in out. */
const char *ppp_faults_output(struct ppp_faults *pf, const uint8_t **frame, size_t *len,
			      uint8_t *out, size_t cap);

/* conn.c */
struct conn *conn_new(struct server *srv, int fd, const struct sockaddr_storage *peer, unsigned id);
void conn_free(struct conn *c);
/* SIGTERM: CALL_DISCONNECT and let it finish. */
void conn_shutdown(struct conn *c);
/* Hard stop at exit. */
/* Data path from the TUN: appends one IP packet (proto PPP_PROTO_IP or
 * _IPV6) to the output; false = dropped (blocked or not up). */
bool conn_queue_ip(struct conn *c, uint16_t proto, const uint8_t *pkt, size_t len);
/* A TSO super-packet from the TUN, cut into segments no longer than the
 * connection's MTU; returns how many it makes (0: dropped). Segments TLS
 * cannot take yet stay pending in the connection (conn.c says why). */
size_t conn_queue_tso(struct conn *c, uint16_t proto, const struct gso_vnet *v, const uint8_t *pkt,
		      size_t len);
/* Pushes staged output to TLS (after a TUN batch). */
void conn_flush(struct conn *c);
bool conn_ipv6_match(const struct conn *c, const uint8_t ifid[8]);
uint32_t conn_peer4(const struct conn *c);

#endif
