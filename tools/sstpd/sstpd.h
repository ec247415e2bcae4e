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

#include "core/loop.h"
#include "ppp/ppp.h"

/* Fault modes (--fault). */
enum {
	FAULT_NAK_FIRST_CONNECT = 1u << 0,
	FAULT_REJECT_AUTH = 1u << 1,
	FAULT_SILENT = 1u << 2,
	FAULT_ABORT_AFTER = 1u << 3,
	FAULT_BAD_VERSION = 1u << 4,
	FAULT_LEN_ZERO = 1u << 5,
	FAULT_LEN_TOO_BIG = 1u << 6,
	FAULT_ATTR_SHORT = 1u << 7,
	FAULT_LEN_OVERRUN = 1u << 8,
	FAULT_DRIBBLE = 1u << 9,
	FAULT_PACK = 1u << 10,
	FAULT_NAK_LCP_FOREVER = 1u << 11,
	FAULT_RRAS_LCP = 1u << 12,
	FAULT_NO_DNS = 1u << 13,
	FAULT_SHA1_ONLY = 1u << 14,
	FAULT_EAP_ONLY_GIVEUP = 1u << 15,
	FAULT_NO_AUTH = 1u << 16,
	FAULT_DROP_FIRST_IPCP = 1u << 17,
	FAULT_ACK_ALTERED = 1u << 18,
	FAULT_REJECT_UNSENT = 1u << 19,
	FAULT_UP_THEN_DROP = 1u << 20,
	/* hostile IPCP values and RA flood (docs/test-server.md) */
	FAULT_IPCP_LOOPBACK = 1u << 21,
	FAULT_IPCP_LOCAL_IS_PEER = 1u << 22,
	FAULT_IPCP_LOCAL_IS_SERVER = 1u << 23,
	FAULT_IPCP_PEER_PUBLIC = 1u << 24,
	FAULT_IPCP_PEER_IS_SERVER = 1u << 25,
	FAULT_DNS_LOOPBACK = 1u << 26,
	FAULT_RA_FLOOD = 1u << 27,
	/* --radius: every RADIUS reply is ignored (a server that never answers) */
	FAULT_RADIUS_DROP = 1u << 30, /* 28 and 29: other branches' fault modes */
	/* --radius: the HLAK made from the Access-Accept's keys has one bit
	 * flipped, so the client's crypto binding cannot verify */
	FAULT_RADIUS_BAD_KEYS = 1u << 31,
};
#define FAULT_MALFORMED (FAULT_BAD_VERSION | FAULT_LEN_ZERO | FAULT_LEN_TOO_BIG | FAULT_ATTR_SHORT | FAULT_LEN_OVERRUN)

/* Parses a comma-separated list of fault names; false names the bad one. */
bool sstpd_faults_parse(const char *list, unsigned *out, char *err, size_t errlen);
const char *sstpd_fault_names(void);

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
	/* --radius HOST:PORT, --radius-secret-file: EAP relayed to RADIUS */
	struct sockaddr_storage radius;
	socklen_t radius_len;
	char radius_secret[128];
	uint32_t pool_net;    /* host byte order */
	unsigned pool_plen;
	uint32_t local4;      /* host byte order */
	uint32_t dns4[2];     /* host byte order, 0 = none */
	bool ipv6;
	bool has_prefix6;     /* --ipv6-prefix: RAs for SLAAC, PREFIX::1 on the TUN */
	uint8_t prefix6[8];
	/* --client-net: packets to these go to the first client (a LAN behind it) */
	struct sstpd_net client_net4, client_net6;
	uint8_t hash_set;
	enum ppp_auth auth[4];
	unsigned faults;
	unsigned fault_after_ms; /* 0 = not given */
	unsigned mtu;
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
/* Writes an IP packet from a client to the TUN device. */
void server_tun_write(struct server *srv, const uint8_t *pkt, size_t len);
/* Connection finished and freed itself. */
void server_conn_gone(struct server *srv, struct conn *c);
const char *server_tun_name(struct server *srv);
int server_tun_ifindex(struct server *srv);
bool server_stopping(struct server *srv);

/* ppp_faults.c: drop-first-ipcp, ack-altered, reject-unsent, once each per
 * connection. Each returns what it did, for the log, or NULL. */
struct ppp_faults {
	unsigned faults;
	bool dropped, altered, rejected;
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
/* Pushes staged output to TLS (after a TUN batch). */
void conn_flush(struct conn *c);
bool conn_ipv6_match(const struct conn *c, const uint8_t ifid[8]);
uint32_t conn_peer4(const struct conn *c);

#endif
