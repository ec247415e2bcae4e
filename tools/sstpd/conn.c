/* sstpd: one client connection: the link (TLS server handshake, SSTP and
 * PPP in their server roles, the data path to and from the client; see
 * link/link.h) and what is the test server's own: the address pool, the
 * route to the client, router advertisements and the fault modes that act
 * per connection, as hooks of the link. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/random.h"
#include "link/link.h"
#include "ppp/ppp.h"
#include "sstp/sstp.h"
#include "sstp/sstp_wire.h"
#include "radius_relay.h"
#include "sstpd.h"
#include "tls/tls.h"
#include "tun/ra.h"
#include "tun/netcfg.h"

#define TLS_HANDSHAKE_MS 15000
#define PACK_DELAY_MS 50

struct conn {
	struct server *srv;
	struct loop *loop;
	const struct sstpd_opts *o;
	unsigned id;
	char addr[80];
	struct loop_timer timer; /* the handshake limit, faults, RAs */
	struct link *link;

	bool up;
	bool sstp_framing;	/* past the HTTP reply: what is sent are SSTP packets */
	uint64_t rnd;		/* fault reserved-bits: xorshift state */
	uint64_t scrambled;	/* fault reserved-bits: packets sent with reserved bits set */
	uint64_t deadline;	/* TLS handshake limit */
	uint64_t fault_at;	/* abort-after / late malformed packet */
	uint64_t ra_at;		/* --ipv6-prefix: next router advertisement */
	unsigned ra_flood_sent; /* fault ra-flood: RAs with new prefixes so far */
	uint64_t since;

	uint32_t peer4; /* host order, from the pool */
	uint8_t peer_ifid[8];
	struct netcfg *nc;

	struct ppp_faults pf;
	struct radius_relay *relay; /* --radius */

	char user[SSTPD_NAME_MAX];
	enum ppp_auth auth;
	char reason[256];
	uint64_t drops;

	/* A TSO super-packet whose segments TLS could not all take yet: the
	 * segmenter reads from tso_buf (allocated on first need); tso.pkt is
	 * NULL when nothing is pending. */
	struct gso tso;
	uint16_t tso_proto;
	uint8_t *tso_buf;
	/* logged at the end: super-packets, their segments, how many had
	 * to wait for TLS */
	uint64_t tso_pkts, tso_segs, tso_waited;
};

static void conn_after(struct conn *c);

static uint64_t now_ms(struct conn *c)
{
	return loop_now(c->loop);
}

#define clog(lvl, c, fmt, ...) log_msg(lvl, "#%u %s: " fmt, (c)->id, (c)->addr, ##__VA_ARGS__)

/* --ipv6-prefix: RAs repeat well inside the valid lifetime. */
#define RA_INTERVAL_MS 30000
#define RA_VALID 600
#define RA_PREFERRED 300
#define RA_ROUTER_LIFETIME 1800

/* ra-flood: RA_FLOOD_TOTAL RAs, each with a prefix never seen before
 * (PREFIX with its fourth 16-bit group counting 1, 2, ...), RA_FLOOD_BATCH
 * every RA_FLOOD_TICK_MS: 10,000 in 10 s. */
#define RA_FLOOD_TOTAL 10000
#define RA_FLOOD_BATCH 10
#define RA_FLOOD_TICK_MS 10

static void send_ra_flood(struct conn *c, const uint8_t id[8])
{
	uint8_t prefix[8], pkt[128];
	for (int i = 0; i < RA_FLOOD_BATCH && c->ra_flood_sent < RA_FLOOD_TOTAL; i++) {
		memcpy(prefix, c->o->prefix6, 8);
		be16_put(prefix + 6, (uint16_t)++c->ra_flood_sent);
		size_t n = ra_build(pkt, sizeof(pkt), id, prefix, RA_ROUTER_LIFETIME, RA_VALID,
				    RA_PREFERRED);
		if (n)
			conn_queue_ip(c, PPP_PROTO_IPV6, pkt, n);
	}
	if (c->ra_flood_sent < RA_FLOOD_TOTAL)
		c->ra_at = loop_now(c->loop) + RA_FLOOD_TICK_MS;
	else if (c->ra_flood_sent == RA_FLOOD_TOTAL)
		clog(LOG_LVL_NOTICE, c,
		     "fault ra-flood: %u router advertisements with new prefixes sent",
		     c->ra_flood_sent++);
}

static void send_ra(struct conn *c)
{
	uint8_t id[8], pkt[128];
	sstpd_ipv6_id(c->o, id);
	size_t n = ra_build(pkt, sizeof(pkt), id, c->o->prefix6, RA_ROUTER_LIFETIME, RA_VALID,
			    RA_PREFERRED);
	if (n && conn_queue_ip(c, PPP_PROTO_IPV6, pkt, n))
		clog(LOG_LVL_DEBUG, c, "router advertisement sent");
	c->ra_at = loop_now(c->loop) + RA_INTERVAL_MS;
	if (c->o->faults & FAULT_RA_FLOOD)
		send_ra_flood(c, id);
}

/* The link's failures: the first reason is kept. */
static void link_failed_cb(void *ctx, const char *why)
{
	struct conn *c = ctx;
	if (!c->reason[0])
		snprintf(c->reason, sizeof(c->reason), "%s", why);
}

uint32_t conn_peer4(const struct conn *c)
{
	return c->peer4;
}

bool conn_ipv6_match(const struct conn *c, const uint8_t ifid[8])
{
	return link_ip_proto(c->link, 6) && memcmp(c->peer_ifid, ifid, 8) == 0;
}

/* ------------------------------------------------------------------ output */

/* Fault reserved-bits: a random byte (xorshift64; no need for quality). */
static uint8_t rnd8(struct conn *c)
{
	c->rnd ^= c->rnd << 13;
	c->rnd ^= c->rnd >> 7;
	c->rnd ^= c->rnd << 17;
	return (uint8_t)(c->rnd >> 24);
}

/* Fault reserved-bits: sets at random every field MS-SSTP 2.2 says a
 * receiver ignores: the 7 reserved bits of byte 1, the 4 R bits above the
 * length and, in control packets, each attribute's reserved byte and R
 * bits and the 3 reserved bytes that open a Status Info or Crypto Binding
 * Request value. p holds one whole packet of len bytes. */
static void scramble_reserved(struct conn *c, uint8_t *p, size_t len)
{
	if (len < SSTP_HDR_LEN)
		return;
	c->scrambled++;
	p[1] = (uint8_t)((p[1] & 0x01) | (rnd8(c) & 0xfe));
	p[2] = (uint8_t)((p[2] & 0x0f) | (rnd8(c) & 0xf0));
	if (!(p[1] & 0x01) || len < 8)
		return;
	unsigned nattr = be16_get(p + 6);
	size_t off = 8;
	for (unsigned i = 0; i < nattr && off + 4 <= len; i++) {
		size_t alen = be16_get(p + off + 2) & SSTP_LEN_MASK;
		if (alen < 4 || alen > len - off)
			return;
		uint8_t id = p[off + 1];
		p[off] = rnd8(c);
		p[off + 2] = (uint8_t)((p[off + 2] & 0x0f) | (rnd8(c) & 0xf0));
		if ((id == SSTP_ATTR_STATUS_INFO || id == SSTP_ATTR_CRYPTO_BINDING_REQ) &&
		    alen >= 8)
			for (int k = 4; k < 7; k++)
				p[off + k] = rnd8(c);
		off += alen;
	}
}

/* Every SSTP packet as the link stages it (the HTTP reply before them). */
static void link_staged_cb(void *ctx, uint8_t *pkt, size_t len)
{
	struct conn *c = ctx;
	if ((c->o->faults & FAULT_RESERVED_BITS) && c->sstp_framing)
		scramble_reserved(c, pkt, len);
}

/* Whether IP packets of this protocol may go to the client now. */
static bool conn_takes_ip(struct conn *c, uint16_t proto)
{
	struct link *l = c->link;
	if (link_closed(l) || link_silent(l) || link_ending(l))
		return false;
	return link_ip_proto(l, proto == PPP_PROTO_IP ? 4 : 6) == proto;
}

bool conn_queue_ip(struct conn *c, uint16_t proto, const uint8_t *pkt, size_t len)
{
	struct link *l = c->link;
	if (len > LINK_MAX_IP || !conn_takes_ip(c, proto))
		return false;
	if (c->tso.pkt) { /* it would overtake the pending segments */
		c->drops++;
		return false;
	}
	uint8_t *p = link_data_buf(l, len);
	if (!p) {
		c->drops++;
		return false;
	}
	memcpy(p, pkt, len);
	link_data_commit(l, proto, len);
	return true;
}

/* ------------------------------------------------------ TSO super-packets */

/* TSO: the kernel hands the server's TUN TCP super-packets of up to 64 KiB
 * (tun/gso.h), cut here into segments straight into the link's output.
 * When TLS blocks halfway, the rest is kept and continued from conn_after
 * once the link drains, as sstpc does (gso_drain), rather than dropped:
 * dropping would lose up to ~45 consecutive segments of one flow, a burst
 * loss TCP recovers from slowly, while keeping it costs one copy of the
 * packet, and only when the socket is full. Until it is done, further
 * packets for this client are dropped (counted): queued, they would
 * overtake it. Drops count packets read from the TUN, and a rest given up
 * by its segments. */
static void tso_drain(struct conn *c)
{
	size_t n;
	while ((n = gso_next_len(&c->tso)) > 0) {
		uint8_t *ip = link_data_buf(c->link, n);
		if (!ip)
			return;
		struct writer w;
		wr_init(&w, ip, n);
		if (!gso_next(&c->tso, &w))
			return; /* cannot happen: room was checked */
		link_data_commit(c->link, c->tso_proto, n);
	}
	c->tso.pkt = NULL;
}

/* Gives up what is pending, counted as dropped packets. */
static void tso_drop(struct conn *c)
{
	c->drops += gso_segs_left(&c->tso);
	c->tso.pkt = NULL;
}

/* From conn_after: the link may have drained, or may be ending. */
static void tso_resume(struct conn *c)
{
	if (!c->tso.pkt)
		return;
	if (!conn_takes_ip(c, c->tso_proto))
		tso_drop(c);
	else if (!link_blocked(c->link))
		tso_drain(c);
}

size_t conn_queue_tso(struct conn *c, uint16_t proto, const struct gso_vnet *v, const uint8_t *pkt,
		      size_t len)
{
	if (!conn_takes_ip(c, proto))
		return 0;
	if (c->tso.pkt) {
		c->drops++;
		return 0;
	}
	/* The connection's MTU is the MRU sstpd offered and its TUN's MTU,
	 * from which the kernel's TCP took the segment size. */
	size_t mtu = c->o->mtu < LINK_MAX_IP ? c->o->mtu : LINK_MAX_IP;
	if (!gso_start(&c->tso, v, pkt, len, mtu)) {
		c->tso.pkt = NULL;
		c->drops++;
		return 0;
	}
	size_t segs = gso_segs_left(&c->tso);
	c->tso_proto = proto;
	c->tso_pkts++;
	c->tso_segs += segs;
	tso_drain(c);
	if (!c->tso.pkt)
		return segs;
	c->tso_waited++;
	/* pkt is the server's read buffer, reused by the next read: the
	 * segmenter's offsets stay valid over a copy. */
	if (!c->tso_buf && !(c->tso_buf = malloc(SSTPD_TSO_BUF))) {
		tso_drop(c);
		return segs;
	}
	memcpy(c->tso_buf, pkt, len);
	c->tso.pkt = c->tso_buf;
	return segs;
}

/* Malformed packets sent by sstpd itself once the tunnel has been up for
 * --fault-after seconds (without --fault-after the SSTP layer malforms the
 * CONNECT_ACK instead). */
static void send_late_malformed(struct conn *c)
{
	uint64_t f = c->o->faults;
	uint8_t p[32];
	size_t n = 0;
	/* An ECHO_REQUEST as the base: 10 01 00 08 00 08 00 00 */
	static const uint8_t echo[8] = {0x10, 0x01, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00};
	memcpy(p, echo, sizeof(echo));
	n = sizeof(echo);
	const char *what = "";
	if (f & FAULT_BAD_VERSION) {
		p[0] = 0x11;
		what = "bad-version";
	} else if (f & FAULT_LEN_ZERO) {
		p[2] = p[3] = 0;
		what = "len-zero";
	} else if (f & FAULT_LEN_TOO_BIG) {
		p[2] = 0xf0; /* reserved bits: claims more than 4095 */
		what = "len-too-big";
	} else if (f & FAULT_ATTR_SHORT) {
		/* one attribute whose length (2) is shorter than its own header */
		static const uint8_t a[12] = {0x10, 0x01, 0x00, 0x0c, 0x00, 0x08,
					      0x00, 0x01, 0x00, 0x02, 0x00, 0x02};
		memcpy(p, a, sizeof(a));
		n = sizeof(a);
		what = "attr-short";
	} else if (f & FAULT_LEN_OVERRUN) {
		p[2] = 0x0f;
		p[3] = 0xff; /* claims 4095, 8 bytes follow, then nothing */
		what = "len-overrun";
	}
	clog(LOG_LVL_NOTICE, c, "fault %s: sending a malformed SSTP packet", what);
	link_stage(c->link, p, n);
}

/* -------------------------------------------------------------- data path */

static void link_data_cb(void *ctx, uint8_t *pkt, size_t len)
{
	struct conn *c = ctx;
	server_tun_write(c->srv, pkt, len);
}

/* GRO merges within one read batch of one client (the server's one
 * struct gro is shared: batches do not interleave in the one loop). */
static void link_rx_batch_end_cb(void *ctx)
{
	struct conn *c = ctx;
	server_tun_batch_end(c->srv);
}

/* Faults drop-first-ipcp, ack-altered, reject-unsent (ppp_faults.c). */
static bool link_ctrl_in_cb(void *ctx, const uint8_t *frame, size_t len)
{
	struct conn *c = ctx;
	const char *fault = ppp_faults_input(&c->pf, frame, len);
	if (fault && *fault)
		clog(LOG_LVL_NOTICE, c, "%s", fault);
	return fault != NULL;
}

static void link_ctrl_out_cb(void *ctx, const uint8_t **frame, size_t *len, uint8_t *buf,
			     size_t cap)
{
	struct conn *c = ctx;
	const char *fault = ppp_faults_output(&c->pf, frame, len, buf, cap);
	if (fault)
		clog(LOG_LVL_NOTICE, c, "%s", fault);
}

/* ------------------------------------------------------------ SSTP events */

static void sstp_event_cb(void *ctx, enum sstp_event ev, const void *arg)
{
	struct conn *c = ctx;
	switch (ev) {
	case SSTP_EV_HTTP_OK:
		c->sstp_framing = true;
		clog(LOG_LVL_INFO, c, "SSTP_DUPLEX_POST accepted");
		break;
	case SSTP_EV_PPP_START: /* the link starts PPP */
		clog(LOG_LVL_INFO, c, "CALL_CONNECT_REQUEST accepted, starting PPP");
		break;
	case SSTP_EV_CONNECTED: {
		int h = sstp_binding_hash(link_sstp(c->link));
		clog(LOG_LVL_NOTICE, c, "crypto binding verified (%s)",
		     h == SSTP_CERT_HASH_SHA256 ? "SHA-256" : "SHA-1");
		break;
	}
	case SSTP_EV_CLOSING:
		/* "received CALL_DISCONNECT ...; sent CALL_DISCONNECT_ACK", "received
		 * CALL_ABORT (status ...)", "timed out waiting for ...": the
		 * integration tests read these lines. */
		clog(LOG_LVL_NOTICE, c, "SSTP: %s", (const char *)arg);
		break;
	case SSTP_EV_CLOSED: /* the link fails with arg as the reason */
		break;
	}
}

/* ------------------------------------------------------------- PPP events */

static bool ppp_secret_cb(void *ctx, const char *user, char *pw, size_t pwlen)
{
	struct conn *c = ctx;
	snprintf(c->user, sizeof(c->user), "%s", user);
	for (int i = 0; i < c->o->nusers; i++) {
		if (strcmp(c->o->users[i].name, user) == 0) {
			snprintf(pw, pwlen, "%s", c->o->users[i].password);
			return true;
		}
	}
	clog(LOG_LVL_NOTICE, c, "unknown user '%s'", user);
	return false;
}

static void went_up(struct conn *c)
{
	if (c->up)
		return;
	c->up = true;
	if (c->o->faults & FAULT_SILENT) {
		clog(LOG_LVL_NOTICE, c, "fault silent: discarding everything from now on");
		link_go_silent(c->link);
	}
	if ((c->o->faults & (FAULT_ABORT_AFTER | FAULT_UP_THEN_DROP | FAULT_DISCONNECT_AFTER)) ||
	    ((c->o->faults & FAULT_MALFORMED) && c->o->fault_after_ms))
		c->fault_at = now_ms(c) + c->o->fault_after_ms;
}

/* The RADIUS server's answer for PPP; from the loop, so the output goes
 * out and the timers are rearmed here. */
static void relay_done(void *ctx, enum ppp_relay_result r, const uint8_t *eap, size_t len,
		       const uint8_t hlak[32], const char *reason)
{
	struct conn *c = ctx;
	if (c->link && link_ppp(c->link))
		ppp_eap_relay_reply(link_ppp(c->link), r, eap, len, hlak, reason, now_ms(c));
	conn_after(c);
}

static void relay_eap(struct conn *c, const struct ppp_eap_relay *ev)
{
	if (!c->relay)
		c->relay = relay_new(c->loop, c->o, c->id, relay_done, c);
	if (!c->relay) {
		link_fail(c->link, "cannot open the RADIUS socket");
		return;
	}
	snprintf(c->user, sizeof(c->user), "%s", ev->identity);
	relay_send(c->relay, ev->pkt, ev->len, ev->identity);
}

static void ppp_event_cb(void *ctx, enum ppp_event ev, const void *arg)
{
	struct conn *c = ctx;
	uint64_t now = now_ms(c);
	switch (ev) {
	case PPP_EV_AUTH_OK: {
		const struct ppp_auth_info *ai = arg;
		static const uint8_t zero[32];
		c->auth = ai->method;
		snprintf(c->user, sizeof(c->user), "%s", ai->peer_name);
		clog(LOG_LVL_NOTICE, c, "user '%s' authenticated with %s", c->user,
		     ppp_auth_name(ai->method));
		if (link_sstp(c->link))
			sstp_set_hlak(link_sstp(c->link), ai->have_keys ? ai->hlak : zero);
		break;
	}
	case PPP_EV_IPCP_UP: {
		const struct ppp_ipcp_info *ip = arg;
		char l[INET_ADDRSTRLEN], p[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &ip->local, l, sizeof(l));
		inet_ntop(AF_INET, &ip->peer, p, sizeof(p));
		if (!c->nc) {
			c->nc = netcfg_new(server_tun_name(c->srv), server_tun_ifindex(c->srv));
			uint32_t peer = htonl(c->peer4);
			int rc = c->nc ? netcfg_route(c->nc, AF_INET, &peer, 32, 0) : -ENOMEM;
			if (rc < 0 && rc != -EEXIST)
				clog(LOG_LVL_WARN, c, "cannot add the route to %s: %s", p,
				     strerror(-rc));
		}
		clog(LOG_LVL_NOTICE, c, "IPv4 up: server %s client %s (user '%s')", l, p, c->user);
		went_up(c);
		break;
	}
	case PPP_EV_IPV6CP_UP: {
		const struct ppp_ipv6cp_info *ip = arg;
		memcpy(c->peer_ifid, ip->peer_id, 8);
		const uint8_t *d = ip->peer_id;
		clog(LOG_LVL_NOTICE, c, "IPv6 up: client fe80::%02x%02x:%02x%02x:%02x%02x:%02x%02x",
		     d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
		/* The client is up by now: the Ack that opened it went out
		 * before this RA, on the same ordered stream. */
		if (c->o->has_prefix6)
			send_ra(c);
		went_up(c);
		break;
	}
	case PPP_EV_IPCP_DOWN:
		clog(LOG_LVL_INFO, c, "IPv4 down");
		break;
	case PPP_EV_IPV6CP_DOWN:
		c->ra_at = UINT64_MAX;
		clog(LOG_LVL_INFO, c, "IPv6 down");
		break;
	case PPP_EV_EAP_RELAY:
		relay_eap(c, arg);
		break;
	case PPP_EV_DISCARDED: {
		const struct ppp_discard_info *d = arg;
		clog(LOG_LVL_DEBUG, c, "%s: discarded code %u id %u: %s", d->protocol, d->code,
		     d->id, d->why);
		break;
	}
	case PPP_EV_DEAD: {
		const struct ppp_down_info *di = arg;
		if (di && di->reason && !c->reason[0])
			snprintf(c->reason, sizeof(c->reason), "PPP: %s", di->reason);
		if (di && di->auth_failed)
			clog(LOG_LVL_NOTICE, c, "authentication failed for user '%s'", c->user);
		if (!link_closed(c->link))
			sstp_disconnect(link_sstp(c->link), now);
		break;
	}
	}
}

/* -------------------------------------------------------- connection life */

/* Hostile IPCP values: what the client is told its address, the server's
 * and the DNS servers are (the TUN and the routes here stay as they are). */
static void hostile_ipcp(const struct sstpd_opts *o, struct ppp_config *pc)
{
	uint32_t listen4 = 0;
	if (o->listen.ss_family == AF_INET)
		listen4 = ((const struct sockaddr_in *)&o->listen)->sin_addr.s_addr;
	if (o->faults & FAULT_IPCP_LOOPBACK)
		pc->peer_ip4 = htonl(0x7f000001);
	if (o->faults & FAULT_IPCP_LOCAL_IS_PEER)
		pc->peer_ip4 = pc->local_ip4;
	if ((o->faults & FAULT_IPCP_LOCAL_IS_SERVER) && listen4)
		pc->peer_ip4 = listen4;
	if (o->faults & FAULT_IPCP_PEER_PUBLIC)
		pc->local_ip4 = htonl(0x08080808);
	if ((o->faults & FAULT_IPCP_PEER_IS_SERVER) && listen4)
		pc->local_ip4 = listen4;
	if (o->faults & FAULT_DNS_LOOPBACK) {
		pc->dns4[0] = htonl(0x7f000001);
		pc->dns4[1] = htonl(0xe00000fb);
	}
}

/* TLS is up: SSTP and PPP in their server roles, with the faults that are
 * theirs (docs/test-server.md). */
static void link_established_cb(void *ctx)
{
	struct conn *c = ctx;
	c->deadline = UINT64_MAX;
	struct tls *tls = link_tls(c->link);
	clog(LOG_LVL_INFO, c, "TLS established (%s, %s)", tls_version(tls), tls_cipher(tls));
	if (server_opts(c->srv)->client_ca) {
		char subj[256];
		tls_peer_subject(tls, subj, sizeof(subj));
		clog(LOG_LVL_INFO, c, "client certificate verified: %s", subj);
	}
	const struct sstpd_opts *o = c->o;
	struct sstp_config sc = {0};
	sc.role = SSTP_SERVER;
	sc.negotiation_ms = 60000;
	sc.hello_ms = 60000;
	sc.disconnect_ms = 2000;
	sc.hash_set = o->hash_set;
	if (!tls_cert_hashes(tls, sc.cert_sha1, sc.cert_sha256)) {
		link_fail(c->link, "cannot hash our own certificate");
		return;
	}
	if (o->faults & FAULT_NAK_FIRST_CONNECT)
		sc.faults |= SSTP_FAULT_NAK_FIRST_CONNECT;
	if (o->faults & FAULT_SHA1_ONLY)
		sc.faults |= SSTP_FAULT_OFFER_SHA1_ONLY;
	if (!o->fault_after_ms) {
		if (o->faults & FAULT_BAD_VERSION)
			sc.faults |= SSTP_FAULT_BAD_VERSION;
		if (o->faults & FAULT_LEN_ZERO)
			sc.faults |= SSTP_FAULT_LEN_ZERO;
		if (o->faults & FAULT_LEN_TOO_BIG)
			sc.faults |= SSTP_FAULT_LEN_TOO_BIG;
		if (o->faults & FAULT_ATTR_SHORT)
			sc.faults |= SSTP_FAULT_ATTR_SHORT;
		if (o->faults & FAULT_LEN_OVERRUN)
			sc.faults |= SSTP_FAULT_LEN_OVERRUN;
	}
	c->peer4 = server_pool_get(c->srv, c);
	if (!c->peer4) {
		link_fail(c->link, "address pool exhausted");
		return;
	}
	struct ppp_config pc = {0};
	pc.role = PPP_SERVER;
	pc.mru = (uint16_t)((o->faults & FAULT_RRAS_LCP) ? 4091 : o->mtu);
	memcpy(pc.auth, o->auth, sizeof(o->auth));
	pc.hostname = "sstpd";
	pc.nak_lcp_forever = (o->faults & FAULT_NAK_LCP_FOREVER) != 0;
	pc.rras_lcp = (o->faults & FAULT_RRAS_LCP) != 0;
	pc.reject_auth = (o->faults & FAULT_REJECT_AUTH) != 0;
	pc.auth_giveup = (o->faults & FAULT_EAP_ONLY_GIVEUP) != 0;
	pc.eap_relay = o->radius_len != 0;
	c->pf.faults = o->faults;
	pc.ipv4 = true;
	pc.ipv6 = o->ipv6;
	pc.local_ip4 = htonl(o->local4);
	pc.peer_ip4 = htonl(c->peer4);
	pc.dns4[0] = htonl(o->dns4[0]);
	pc.dns4[1] = htonl(o->dns4[1]);
	hostile_ipcp(o, &pc);
	uint8_t id[8] = {0x02, 0, 0, 0};
	be32_put(id + 4, o->local4);
	memcpy(pc.local_ifid, id, 8);
	be32_put(id + 4, c->peer4);
	memcpy(pc.peer_ifid, id, 8);
	link_start(c->link, &sc, &pc);
}

static void link_wake_cb(void *ctx)
{
	conn_after(ctx);
}

static const struct link_ops conn_link_ops = {
    .data = link_data_cb,
    .rx_batch_end = link_rx_batch_end_cb,
    .established = link_established_cb,
    .sstp_event = sstp_event_cb,
    .ppp_event = ppp_event_cb,
    .ppp_secret = ppp_secret_cb,
    .failed = link_failed_cb,
    .wake = link_wake_cb,
    .ctrl_in = link_ctrl_in_cb,
    .ctrl_out = link_ctrl_out_cb,
    .staged = link_staged_cb,
};

/* The connection's own deadlines; the layers' are the link's. */
static void on_timer(void *arg, uint64_t now)
{
	struct conn *c = arg;
	if (c->deadline <= now)
		link_fail(c->link, "timed out in the TLS handshake");
	if (c->fault_at <= now) {
		c->fault_at = UINT64_MAX;
		if (c->o->faults & FAULT_UP_THEN_DROP) {
			/* The frame that brought the client up went out already;
			 * now the TCP connection just ends, as a crashing or
			 * overloaded server's would. */
			clog(LOG_LVL_NOTICE, c, "fault up-then-drop: dropping the connection");
			link_flush(c->link);
			link_fail(c->link, "fault up-then-drop");
		} else if (c->o->faults & FAULT_ABORT_AFTER) {
			clog(LOG_LVL_NOTICE, c, "fault abort-after: sending CALL_ABORT");
			sstp_abort(link_sstp(c->link), "fault abort-after", now);
		} else if (c->o->faults & FAULT_DISCONNECT_AFTER) {
			clog(LOG_LVL_NOTICE, c, "fault disconnect-after: sending CALL_DISCONNECT");
			if (!c->reason[0])
				snprintf(c->reason, sizeof(c->reason), "fault disconnect-after");
			sstp_disconnect(link_sstp(c->link), now);
		} else if (c->o->faults & FAULT_MALFORMED) {
			send_late_malformed(c);
		}
	}
	if (c->ra_at <= now && link_ip_proto(c->link, 6) && !link_closed(c->link))
		send_ra(c);
	conn_after(c);
}

static void conn_rearm(struct conn *c)
{
	uint64_t d = c->deadline;
	if (c->fault_at < d)
		d = c->fault_at;
	if (c->ra_at < d)
		d = c->ra_at;
	loop_timer_set(c->loop, &c->timer, d);
}

/* After every event: output, and the teardown once the link is closed
 * (what SSTP staged on its way out has had its one try). */
static void conn_after(struct conn *c)
{
	tso_resume(c); /* the TUN may not wake us again for the rest */
	if (link_after(c->link)) {
		conn_free(c);
		return;
	}
	conn_rearm(c);
}

void conn_flush(struct conn *c)
{
	conn_after(c);
}

void conn_shutdown(struct conn *c)
{
	if (link_handshaking(c->link) || !link_sstp(c->link) || link_silent(c->link)) {
		link_fail(c->link, "server shutting down");
	} else {
		if (!c->reason[0])
			snprintf(c->reason, sizeof(c->reason), "server shutting down");
		sstp_disconnect(link_sstp(c->link), now_ms(c));
		link_flush(c->link); /* fault pack: no holding back now */
	}
	conn_after(c);
}

struct conn *conn_new(struct server *srv, int fd, const struct sockaddr_storage *peer, unsigned id)
{
	struct conn *c = calloc(1, sizeof(*c));
	char err[256];
	if (!c) {
		close(fd);
		log_err("#%u: out of memory", id);
		return NULL;
	}
	c->srv = srv;
	c->loop = server_loop(srv);
	c->o = server_opts(srv);
	c->id = id;
	c->deadline = loop_now(c->loop) + TLS_HANDSHAKE_MS;
	c->fault_at = UINT64_MAX;
	c->ra_at = UINT64_MAX;
	c->since = loop_now(c->loop);
	random_bytes(&c->rnd, sizeof(c->rnd));
	if (!c->rnd) /* a zero state would stay zero */
		c->rnd = 0x9e3779b97f4a7c15ull ^ (uint64_t)c->since;
	tcp_format_addr((const struct sockaddr *)peer, c->addr, sizeof(c->addr));
	loop_timer_init(&c->timer, on_timer, c);
	struct tls *tls = tls_server_new(server_tls(srv), fd, err, sizeof(err));
	if (!tls) {
		clog(LOG_LVL_ERROR, c, "%s", err);
		close(fd);
		free(c);
		return NULL;
	}
	struct link_config lc = {.peer_word = "client",
				 .dribble = (c->o->faults & FAULT_DRIBBLE) != 0,
				 .pack_ms = (c->o->faults & FAULT_PACK) ? PACK_DELAY_MS : 0};
	c->link = link_new(c->loop, fd, tls, &lc, &conn_link_ops, c);
	if (!c->link) {
		clog(LOG_LVL_ERROR, c, "out of memory");
		free(c);
		return NULL;
	}
	conn_rearm(c);
	return c;
}

void conn_free(struct conn *c)
{
	uint64_t secs = (now_ms(c) - c->since) / 1000;
	tso_drop(c);
	uint64_t drops = c->drops + link_drops(c->link);
	clog(LOG_LVL_NOTICE, c, "disconnected after %llu s%s%s%s: %s", (unsigned long long)secs,
	     c->user[0] ? " (user '" : "", c->user, c->user[0] ? "')" : "",
	     c->reason[0] ? c->reason : "closed");
	if (drops)
		clog(LOG_LVL_INFO, c, "%llu packet(s) dropped", (unsigned long long)drops);
	if (c->tso_pkts)
		clog(LOG_LVL_INFO, c,
		     "TSO: %llu super-packet(s) cut into %llu segments, %llu waited for TLS",
		     (unsigned long long)c->tso_pkts, (unsigned long long)c->tso_segs,
		     (unsigned long long)c->tso_waited);
	if (c->o->faults & FAULT_RESERVED_BITS)
		clog(LOG_LVL_NOTICE, c,
		     "fault reserved-bits: %llu SSTP packet(s) sent with reserved bits set",
		     (unsigned long long)c->scrambled);
	loop_timer_cancel(c->loop, &c->timer);
	free(c->tso_buf);
	link_free(c->link); /* TLS close_notify, socket closed */
	if (c->nc)
		netcfg_free(c->nc);
	server_pool_put(c->srv, c->peer4);
	server_conn_gone(c->srv, c);
	free(c);
}
