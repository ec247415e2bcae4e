/* sstpd: one client connection: TLS server handshake, SSTP and PPP in their
 * server roles, the data path between the client and the server's TUN, and
 * the fault modes that act per connection. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/log.h"
#include "core/loop.h"
#include "ppp/ppp.h"
#include "sstp/sstp.h"
#include "sstp/sstp_wire.h"
#include "radius_relay.h"
#include "sstpd.h"
#include "tls/tls.h"
#include "tun/ra.h"
#include "tun/netcfg.h"

#define OUT_CAP (64 * 1024)
#define OUT_FLUSH_AT (16 * 1024)
#define IN_CAP (64 * 1024)
#define DATA_HDR (SSTP_HDR_LEN + PPP_HDR_LEN)
#define TLS_HANDSHAKE_MS 15000
#define PACK_DELAY_MS 50

struct conn {
	struct server *srv;
	struct loop *loop;
	const struct sstpd_opts *o;
	unsigned id;
	char addr[80];
	struct loop_timer timer;

	int fd;
	unsigned sock_events;
	struct tls *tls;
	struct sstp *sstp;
	struct ppp *ppp;
	bool handshaking;
	bool closed;    /* tear down once the current callback returns */
	bool ppp_dead;
	bool up;
	bool ipcp_up, ipv6cp_up;
	bool silent;
	bool reread;       /* stopped reading with plaintext still inside TLS */
	bool sstp_framing; /* past the HTTP reply: what is sent are SSTP packets */
	uint64_t rnd;      /* fault reserved-bits: xorshift state */
	uint64_t scrambled; /* fault reserved-bits: packets sent with reserved bits set */
	uint64_t deadline; /* TLS handshake limit */
	uint64_t fault_at; /* abort-after / late malformed packet */
	uint64_t pack_at;  /* pack: when the held output goes out */
	uint64_t ra_at;    /* --ipv6-prefix: next router advertisement */
	unsigned ra_flood_sent; /* fault ra-flood: RAs with new prefixes so far */
	uint64_t since;

	uint8_t *out;
	size_t out_len;
	size_t out_inflight;
	bool write_blocked;
	uint8_t *in;
	size_t in_len;

	uint32_t peer4; /* host order, from the pool */
	uint8_t peer_ifid[8];
	struct netcfg *nc;

	struct ppp_faults pf;
	struct radius_relay *relay; /* --radius */

	char user[SSTPD_NAME_MAX];
	enum ppp_auth auth;
	char reason[256];
	uint64_t drops;
};

static void conn_after(struct conn *c);


static uint64_t now_ms(struct conn *c) { return loop_now(c->loop); }

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
		size_t n = ra_build(pkt, sizeof(pkt), id, prefix, RA_ROUTER_LIFETIME, RA_VALID, RA_PREFERRED);
		if (n)
			conn_queue_ip(c, PPP_PROTO_IPV6, pkt, n);
	}
	if (c->ra_flood_sent < RA_FLOOD_TOTAL)
		c->ra_at = loop_now(c->loop) + RA_FLOOD_TICK_MS;
	else if (c->ra_flood_sent == RA_FLOOD_TOTAL)
		clog(LOG_LVL_NOTICE, c, "fault ra-flood: %u router advertisements with new prefixes sent",
		     c->ra_flood_sent++);
}

static void send_ra(struct conn *c)
{
	uint8_t id[8], pkt[128];
	sstpd_ipv6_id(c->o, id);
	size_t n = ra_build(pkt, sizeof(pkt), id, c->o->prefix6, RA_ROUTER_LIFETIME, RA_VALID, RA_PREFERRED);
	if (n && conn_queue_ip(c, PPP_PROTO_IPV6, pkt, n))
		clog(LOG_LVL_DEBUG, c, "router advertisement sent");
	c->ra_at = loop_now(c->loop) + RA_INTERVAL_MS;
	if (c->o->faults & FAULT_RA_FLOOD)
		send_ra_flood(c, id);
}

static void conn_fail(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void conn_fail(struct conn *c, const char *fmt, ...)
{
	if (!c->reason[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
		va_end(ap);
	}
	c->closed = true;
}

static void sock_want(struct conn *c, unsigned events)
{
	if (c->fd >= 0 && events != c->sock_events) {
		loop_mod_fd(c->loop, c->fd, events);
		c->sock_events = events;
	}
}

uint32_t conn_peer4(const struct conn *c) { return c->peer4; }

bool conn_ipv6_match(const struct conn *c, const uint8_t ifid[8])
{
	return c->ipv6cp_up && memcmp(c->peer_ifid, ifid, 8) == 0;
}

/* ------------------------------------------------------------------ output */

static void flush_out(struct conn *c)
{
	bool dribble = c->o->faults & FAULT_DRIBBLE;
	while (c->tls && c->out_len > 0 && !c->closed) {
		size_t wlen = c->write_blocked ? c->out_inflight : (dribble ? 1 : c->out_len);
		ssize_t n = tls_write(c->tls, c->out, wlen);
		if (n == TLS_WANT_WRITE || n == TLS_WANT_READ) {
			c->write_blocked = true;
			c->out_inflight = wlen;
			sock_want(c, LOOP_READ | LOOP_WRITE);
			return;
		}
		if (n < 0) {
			conn_fail(c, "TLS write failed: %s", tls_error(c->tls));
			return;
		}
		c->write_blocked = false;
		if ((size_t)n > wlen)
			n = (ssize_t)wlen;
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	if (!c->write_blocked)
		sock_want(c, LOOP_READ);
}

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
		if ((id == SSTP_ATTR_STATUS_INFO || id == SSTP_ATTR_CRYPTO_BINDING_REQ) && alen >= 8)
			for (int k = 4; k < 7; k++)
				p[off + k] = rnd8(c);
		off += alen;
	}
}

static void stage(struct conn *c, const uint8_t *buf, size_t len)
{
	if (c->silent)
		return;
	if (len > OUT_CAP - c->out_len) {
		conn_fail(c, "output buffer overflow (client not reading)");
		return;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
}

/* One call per SSTP packet (or the HTTP reply, before sstp_framing). */
static void sstp_send_cb(void *ctx, const uint8_t *buf, size_t len)
{
	struct conn *c = ctx;
	size_t at = c->out_len;
	stage(c, buf, len);
	if ((c->o->faults & FAULT_RESERVED_BITS) && c->sstp_framing && c->out_len == at + len)
		scramble_reserved(c, c->out + at, len);
}

bool conn_queue_ip(struct conn *c, uint16_t proto, const uint8_t *pkt, size_t len)
{
	if (c->closed || c->silent || len > SSTP_MAX_PPP - PPP_HDR_LEN)
		return false;
	if (c->sstp && sstp_is_ending(c->sstp))
		return false; /* the call is ending: no more data */
	if ((proto == PPP_PROTO_IP && !c->ipcp_up) || (proto == PPP_PROTO_IPV6 && !c->ipv6cp_up))
		return false;
	if (OUT_CAP - c->out_len < DATA_HDR + len) {
		if (!c->write_blocked)
			flush_out(c);
		if (OUT_CAP - c->out_len < DATA_HDR + len) {
			c->drops++;
			return false;
		}
	}
	uint8_t *h = c->out + c->out_len;
	sstp_data_header(h, len + PPP_HDR_LEN);
	h[4] = 0xff;
	h[5] = 0x03;
	be16_put(h + 6, proto);
	memcpy(h + DATA_HDR, pkt, len);
	if (c->o->faults & FAULT_RESERVED_BITS)
		scramble_reserved(c, h, DATA_HDR + len);
	c->out_len += DATA_HDR + len;
	if (c->out_len >= OUT_FLUSH_AT && !c->write_blocked && !(c->o->faults & FAULT_PACK))
		flush_out(c);
	return true;
}

void conn_flush(struct conn *c)
{
	conn_after(c);
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
	static const uint8_t echo[8] = { 0x10, 0x01, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00 };
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
		static const uint8_t a[12] = { 0x10, 0x01, 0x00, 0x0c, 0x00, 0x08, 0x00, 0x01,
					       0x00, 0x02, 0x00, 0x02 };
		memcpy(p, a, sizeof(a));
		n = sizeof(a);
		what = "attr-short";
	} else if (f & FAULT_LEN_OVERRUN) {
		p[2] = 0x0f;
		p[3] = 0xff; /* claims 4095, 8 bytes follow, then nothing */
		what = "len-overrun";
	}
	clog(LOG_LVL_NOTICE, c, "fault %s: sending a malformed SSTP packet", what);
	stage(c, p, n);
}

/* -------------------------------------------------------------- data path */

static void sstp_frame_cb(void *ctx, const uint8_t *frame, size_t len)
{
	struct conn *c = ctx;
	size_t off = (len >= 2 && frame[0] == 0xff && frame[1] == 0x03) ? 2 : 0;
	uint16_t proto = 0;
	size_t hl = 0;
	if (len > off && (frame[off] & 1)) {
		proto = frame[off];
		hl = 1;
	} else if (len >= off + 2) {
		proto = be16_get(frame + off);
		hl = 2;
	}
	if (proto == PPP_PROTO_IP || proto == PPP_PROTO_IPV6) {
		if ((proto == PPP_PROTO_IP && c->ipcp_up) || (proto == PPP_PROTO_IPV6 && c->ipv6cp_up))
			server_tun_write(c->srv, frame + off + hl, len - off - hl);
		else
			c->drops++;
		return;
	}
	if (!(c->ppp != NULL))
		return;
	const char *fault = ppp_faults_input(&c->pf, frame, len);
	if (fault) {
		clog(LOG_LVL_NOTICE, c, "%s", fault);
		return;
	}
	ppp_input(c->ppp, frame, len, now_ms(c));
}

static void read_stream(struct conn *c)
{
	c->reread = false;
	for (int i = 0; c->tls && !c->closed; i++) {
		if (i == 64) {
			/* Give others a turn; the socket will not wake us for
			 * records wolfSSL already holds, so the timer does. */
			c->reread = tls_pending(c->tls);
			break;
		}
		ssize_t n = tls_read(c->tls, c->in + c->in_len, IN_CAP - c->in_len);
		if (n == TLS_WANT_READ)
			break;
		if (n == TLS_WANT_WRITE) {
			sock_want(c, LOOP_READ | LOOP_WRITE);
			break;
		}
		if (n <= 0) {
			char why[200];
			if (n == 0)
				snprintf(why, sizeof(why), "the client closed the connection (%s)",
					 tls_close_notify_received(c->tls) ? "TLS close_notify received"
									   : "without TLS close_notify");
			else
				snprintf(why, sizeof(why), "TLS read failed: %s", tls_error(c->tls));
			if (c->sstp)
				sstp_lower_closed(c->sstp, why, now_ms(c));
			conn_fail(c, "%s", why);
			return;
		}
		if (c->silent)
			continue; /* fault silent: read and discard */
		c->in_len += (size_t)n;
		uint64_t now = now_ms(c);
		size_t used = sstp_input(c->sstp, c->in, c->in_len, now);
		if (c->ppp)
			ppp_saw_traffic(c->ppp, now);
		if (used > c->in_len)
			used = c->in_len;
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		if (c->in_len == IN_CAP) {
			conn_fail(c, "SSTP stream out of sync");
			return;
		}
	}
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
	case SSTP_EV_PPP_START:
		clog(LOG_LVL_INFO, c, "CALL_CONNECT_REQUEST accepted, starting PPP");
		if (c->ppp)
			ppp_lower_up(c->ppp, now_ms(c));
		break;
	case SSTP_EV_CONNECTED: {
		int h = sstp_binding_hash(c->sstp);
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
	case SSTP_EV_CLOSED:
		conn_fail(c, "%s", arg ? (const char *)arg : "SSTP session closed");
		break;
	}
}

/* ------------------------------------------------------------- PPP events */

static void ppp_output_cb(void *ctx, const uint8_t *frame, size_t len)
{
	struct conn *c = ctx;
	if (!c->sstp || c->closed || c->silent)
		return;
	uint8_t altered[64];
	const char *fault = ppp_faults_output(&c->pf, &frame, &len, altered, sizeof(altered));
	if (fault)
		clog(LOG_LVL_NOTICE, c, "%s", fault);
	sstp_send_ppp(c->sstp, frame, len);
}

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
		/* The frame that brought us up (our last Configure-Ack) still goes
		 * out, so the client comes up too and then meets the silence. */
		if (!c->write_blocked)
			flush_out(c);
		c->silent = true;
		c->out_len = 0;
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
	if (c->ppp)
		ppp_eap_relay_reply(c->ppp, r, eap, len, hlak, reason, now_ms(c));
	conn_after(c);
}

static void relay_eap(struct conn *c, const struct ppp_eap_relay *ev)
{
	if (!c->relay)
		c->relay = relay_new(c->loop, c->o, c->id, relay_done, c);
	if (!c->relay) {
		conn_fail(c, "cannot open the RADIUS socket");
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
		clog(LOG_LVL_NOTICE, c, "user '%s' authenticated with %s", c->user, ppp_auth_name(ai->method));
		if (c->sstp)
			sstp_set_hlak(c->sstp, ai->have_keys ? ai->hlak : zero);
		break;
	}
	case PPP_EV_IPCP_UP: {
		const struct ppp_ipcp_info *ip = arg;
		char l[INET_ADDRSTRLEN], p[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &ip->local, l, sizeof(l));
		inet_ntop(AF_INET, &ip->peer, p, sizeof(p));
		c->ipcp_up = true;
		if (!c->nc) {
			c->nc = netcfg_new(server_tun_name(c->srv), server_tun_ifindex(c->srv));
			uint32_t peer = htonl(c->peer4);
			int rc = c->nc ? netcfg_route(c->nc, AF_INET, &peer, 32, 0) : -ENOMEM;
			if (rc < 0 && rc != -EEXIST)
				clog(LOG_LVL_WARN, c, "cannot add the route to %s: %s", p, strerror(-rc));
		}
		clog(LOG_LVL_NOTICE, c, "IPv4 up: server %s client %s (user '%s')", l, p, c->user);
		went_up(c);
		break;
	}
	case PPP_EV_IPV6CP_UP: {
		const struct ppp_ipv6cp_info *ip = arg;
		memcpy(c->peer_ifid, ip->peer_id, 8);
		c->ipv6cp_up = true;
		const uint8_t *d = ip->peer_id;
		clog(LOG_LVL_NOTICE, c, "IPv6 up: client fe80::%02x%02x:%02x%02x:%02x%02x:%02x%02x", d[0], d[1],
		     d[2], d[3], d[4], d[5], d[6], d[7]);
		/* The client is up by now: the Ack that opened it went out
		 * before this RA, on the same ordered stream. */
		if (c->o->has_prefix6)
			send_ra(c);
		went_up(c);
		break;
	}
	case PPP_EV_IPCP_DOWN:
		c->ipcp_up = false;
		clog(LOG_LVL_INFO, c, "IPv4 down");
		break;
	case PPP_EV_IPV6CP_DOWN:
		c->ipv6cp_up = false;
		c->ra_at = UINT64_MAX;
		clog(LOG_LVL_INFO, c, "IPv6 down");
		break;
	case PPP_EV_EAP_RELAY:
		relay_eap(c, arg);
		break;
	case PPP_EV_DISCARDED: {
		const struct ppp_discard_info *d = arg;
		clog(LOG_LVL_DEBUG, c, "%s: discarded code %u id %u: %s", d->protocol, d->code, d->id,
		     d->why);
		break;
	}
	case PPP_EV_DEAD: {
		const struct ppp_down_info *di = arg;
		c->ppp_dead = true;
		if (di && di->reason && !c->reason[0])
			snprintf(c->reason, sizeof(c->reason), "PPP: %s", di->reason);
		if (di && di->auth_failed)
			clog(LOG_LVL_NOTICE, c, "authentication failed for user '%s'", c->user);
		if (c->sstp && !c->closed)
			sstp_disconnect(c->sstp, now);
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

static bool start_protocols(struct conn *c)
{
	const struct sstpd_opts *o = c->o;
	struct sstp_config sc = { 0 };
	sc.role = SSTP_SERVER;
	sc.negotiation_ms = 60000;
	sc.hello_ms = 60000;
	sc.disconnect_ms = 2000;
	sc.hash_set = o->hash_set;
	if (!tls_cert_hashes(c->tls, sc.cert_sha1, sc.cert_sha256)) {
		conn_fail(c, "cannot hash our own certificate");
		return false;
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
	static const struct sstp_ops sops = { sstp_send_cb, sstp_frame_cb, sstp_event_cb };
	c->sstp = sstp_new(&sc, &sops, c);

	c->peer4 = server_pool_get(c->srv, c);
	if (!c->peer4) {
		conn_fail(c, "address pool exhausted");
		return false;
	}
	struct ppp_config pc = { 0 };
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
	uint8_t id[8] = { 0x02, 0, 0, 0 };
	be32_put(id + 4, o->local4);
	memcpy(pc.local_ifid, id, 8);
	be32_put(id + 4, c->peer4);
	memcpy(pc.peer_ifid, id, 8);
	static const struct ppp_ops pops = { ppp_output_cb, ppp_event_cb, ppp_secret_cb };
	c->ppp = ppp_new(&pc, &pops, c);
	if (!c->sstp || !c->ppp) {
		conn_fail(c, "out of memory");
		return false;
	}
	sstp_start(c->sstp, now_ms(c));
	return true;
}

static void on_sock(void *arg, int fd, unsigned events)
{
	struct conn *c = arg;
	if (c->handshaking) {
		int rc = tls_handshake(c->tls);
		if (rc == TLS_WANT_READ) {
			sock_want(c, LOOP_READ);
		} else if (rc == TLS_WANT_WRITE) {
			sock_want(c, LOOP_READ | LOOP_WRITE);
		} else if (rc < 0) {
			conn_fail(c, "TLS handshake failed: %s", tls_error(c->tls));
		} else {
			c->handshaking = false;
			c->deadline = UINT64_MAX;
			clog(LOG_LVL_INFO, c, "TLS established (%s, %s)", tls_version(c->tls), tls_cipher(c->tls));
			if (server_opts(c->srv)->client_ca) {
				char subj[256];
				tls_peer_subject(c->tls, subj, sizeof(subj));
				clog(LOG_LVL_INFO, c, "client certificate verified: %s", subj);
			}
			sock_want(c, LOOP_READ);
			if (start_protocols(c))
				read_stream(c); /* the request may already be decrypted */
		}
	} else {
		if ((events & LOOP_WRITE) && c->write_blocked)
			flush_out(c);
		if ((events & LOOP_READ) || (c->tls && tls_pending(c->tls)))
			read_stream(c);
	}
	conn_after(c);
}

static void on_timer(void *arg, uint64_t now)
{
	struct conn *c = arg;
	if (!c->silent) {
		if (c->sstp && sstp_deadline(c->sstp) <= now)
			sstp_timeout(c->sstp, now);
		if ((c->ppp ? ppp_deadline(c->ppp) : UINT64_MAX) <= now)
			ppp_timeout(c->ppp, now);
	}
	if (c->deadline <= now)
		conn_fail(c, "timed out in the TLS handshake");
	if (c->fault_at <= now) {
		c->fault_at = UINT64_MAX;
		if (c->o->faults & FAULT_UP_THEN_DROP) {
			/* The frame that brought the client up went out already;
			 * now the TCP connection just ends, as a crashing or
			 * overloaded server's would. */
			clog(LOG_LVL_NOTICE, c, "fault up-then-drop: dropping the connection");
			if (!c->write_blocked)
				flush_out(c);
			conn_fail(c, "fault up-then-drop");
		} else if (c->o->faults & FAULT_ABORT_AFTER) {
			clog(LOG_LVL_NOTICE, c, "fault abort-after: sending CALL_ABORT");
			sstp_abort(c->sstp, "fault abort-after", now);
		} else if (c->o->faults & FAULT_DISCONNECT_AFTER) {
			clog(LOG_LVL_NOTICE, c, "fault disconnect-after: sending CALL_DISCONNECT");
			if (!c->reason[0])
				snprintf(c->reason, sizeof(c->reason), "fault disconnect-after");
			sstp_disconnect(c->sstp, now);
		} else if (c->o->faults & FAULT_MALFORMED) {
			send_late_malformed(c);
		}
	}
	if (c->pack_at <= now) {
		c->pack_at = UINT64_MAX;
		flush_out(c);
	}
	if (c->ra_at <= now && c->ipv6cp_up && !c->closed)
		send_ra(c);
	if (c->reread && !c->handshaking)
		read_stream(c);
	conn_after(c);
}

static void conn_rearm(struct conn *c)
{
	uint64_t d = c->reread ? now_ms(c) : c->deadline;
	if (c->fault_at < d)
		d = c->fault_at;
	if (c->pack_at < d)
		d = c->pack_at;
	if (c->ra_at < d)
		d = c->ra_at;
	if (!c->silent) {
		if (c->sstp && sstp_deadline(c->sstp) < d)
			d = sstp_deadline(c->sstp);
		if ((c->ppp ? ppp_deadline(c->ppp) : UINT64_MAX) < d)
			d = (c->ppp ? ppp_deadline(c->ppp) : UINT64_MAX);
	}
	loop_timer_set(c->loop, &c->timer, d);
}

static void conn_after(struct conn *c)
{
	if (!c->closed && c->out_len > 0 && !c->write_blocked) {
		if (c->o->faults & FAULT_PACK) {
			/* Hold output so that what follows joins it in one record. */
			if (c->pack_at == UINT64_MAX)
				c->pack_at = now_ms(c) + PACK_DELAY_MS;
		} else {
			flush_out(c);
		}
	}
	if (c->closed) {
		/* What the SSTP layer staged on its way out (a CALL_ABORT, a
		 * CALL_DISCONNECT_ACK) must still reach the client, or it only
		 * sees the connection drop; one best-effort write, no waiting. */
		if (c->tls && !c->handshaking && c->out_len > 0 && !c->write_blocked && !c->silent) {
			c->closed = false;
			flush_out(c);
			c->closed = true;
		}
		conn_free(c);
		return;
	}
	conn_rearm(c);
}

void conn_shutdown(struct conn *c)
{
	if (c->handshaking || !c->sstp || c->silent) {
		conn_fail(c, "server shutting down");
	} else {
		if (!c->reason[0])
			snprintf(c->reason, sizeof(c->reason), "server shutting down");
		sstp_disconnect(c->sstp, now_ms(c));
		if (c->pack_at != UINT64_MAX) {
			c->pack_at = UINT64_MAX;
			flush_out(c);
		}
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
	c->fd = fd;
	c->deadline = loop_now(c->loop) + TLS_HANDSHAKE_MS;
	c->fault_at = UINT64_MAX;
	c->pack_at = UINT64_MAX;
	c->ra_at = UINT64_MAX;
	c->since = loop_now(c->loop);
	if (getrandom(&c->rnd, sizeof(c->rnd), 0) != sizeof(c->rnd) || !c->rnd)
		c->rnd = 0x9e3779b97f4a7c15ull ^ (uint64_t)c->since;
	tcp_format_addr((const struct sockaddr *)peer, c->addr, sizeof(c->addr));
	loop_timer_init(&c->timer, on_timer, c);
	c->out = malloc(OUT_CAP);
	c->in = malloc(IN_CAP);
	if (!c->out || !c->in) {
		clog(LOG_LVL_ERROR, c, "out of memory");
		goto fail;
	}
	c->tls = tls_server_new(server_tls(srv), fd, err, sizeof(err));
	if (!c->tls) {
		clog(LOG_LVL_ERROR, c, "%s", err);
		goto fail;
	}
	c->handshaking = true;
	c->sock_events = LOOP_READ;
	int rc = loop_add_fd(c->loop, fd, LOOP_READ, on_sock, c);
	if (rc < 0) {
		clog(LOG_LVL_ERROR, c, "epoll: %s", strerror(-rc));
		goto fail;
	}
	conn_rearm(c);
	return c;
fail:
	if (c->tls)
		tls_free(c->tls);
	close(fd);
	free(c->out);
	free(c->in);
	free(c);
	return NULL;
}

void conn_free(struct conn *c)
{
	uint64_t secs = (now_ms(c) - c->since) / 1000;
	clog(LOG_LVL_NOTICE, c, "disconnected after %llu s%s%s%s: %s", (unsigned long long)secs,
	     c->user[0] ? " (user '" : "", c->user, c->user[0] ? "')" : "",
	     c->reason[0] ? c->reason : "closed");
	if (c->drops)
		clog(LOG_LVL_INFO, c, "%llu packet(s) dropped", (unsigned long long)c->drops);
	if (c->o->faults & FAULT_RESERVED_BITS)
		clog(LOG_LVL_NOTICE, c, "fault reserved-bits: %llu SSTP packet(s) sent with reserved bits set",
		     (unsigned long long)c->scrambled);
	loop_timer_cancel(c->loop, &c->timer);
	relay_free(c->relay);
	if (c->ppp)
		ppp_free(c->ppp);
	if (c->sstp)
		sstp_free(c->sstp);
	if (c->tls) {
		if (!c->handshaking)
			tls_shutdown(c->tls);
		tls_free(c->tls);
	}
	if (c->fd >= 0) {
		loop_del_fd(c->loop, c->fd);
		close(c->fd);
	}
	if (c->nc)
		netcfg_free(c->nc);
	server_pool_put(c->srv, c->peer4);
	server_conn_gone(c->srv, c);
	free(c->out);
	free(c->in);
	free(c);
}
