#include "session/session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/notify.h"
#include "ppp/ppp.h"
#include "session/auth_policy.h"
#include "session/eap_glue.h"
#include "session/backoff.h"
#include "sstp/sstp.h"
#include "tls/dial.h"
#include "tls/tls.h"
#include "tun/gso.h"
#include "tun/hostaddr.h"
#include "tun/ra.h"
#include "tun/slaac.h"
#include "tun/mss.h"
#include "tun/netcfg.h"
#include "tun/nl.h"
#include "tun/srcvalid.h"
#include "tun/tun.h"
#include "core/secret.h"
#include "session/control.h"
#include "session/hooks.h"

/* Plaintext staged for one wolfSSL_write: at least one full 16 KiB TLS
 * record plus room for one more maximal SSTP packet. */
#define OUT_CAP (64 * 1024)
#define OUT_FLUSH_AT (16 * 1024)
#define IN_CAP (64 * 1024)
/* Bytes in front of s->in that are ours: with IFF_VNET_HDR each TUN write
 * needs a 10-byte virtio_net_hdr before the IP packet, written over the
 * 4-8 bytes of SSTP/PPP header in front of it plus the tail of the packet
 * before (already handled); the first packet in the buffer needs these. */
#define IN_HEADROOM 16
/* A TSO super-packet from the TUN: up to 64 KiB (GSO_LEGACY_MAX_SIZE) plus
 * slack so that a truncated read shows as one. */
#define GSO_BUF (64 * 1024 + 1024)
/* SSTP data header + FF 03 + 2-byte protocol in front of every IP packet. */
#define DATA_HDR (SSTP_HDR_LEN + PPP_HDR_LEN)
#define MAX_IP_PACKET (SSTP_MAX_PPP - PPP_HDR_LEN)
/* Packets read from the TUN per readiness event before the other direction
 * gets a turn. */
#define TUN_BUDGET 256
#define CLOSE_GRACE_MS 5000
/* The up-script waits for both IPCP and IPV6CP, or this long after the
 * first of them (a server without IPv6 rejects IPV6CP or never answers). */
#define UP_HOOK_WAIT_MS 2000

struct session {
	struct conf conf;
	struct loop *loop;
	struct loop_timer timer;
	enum session_state state;
	bool admin_down;  /* disconnect interface / disable */
	bool stopping;    /* SIGTERM, SIGINT */
	bool restart;     /* SIGHUP changed the configuration: reconnect at once */
	const char *restart_why; /* NULL: the configuration; else what asked to reconnect */
	int exit_code;

	int tun_fd;
	int ifindex;
	unsigned tun_events;
	struct netcfg *nc;
	uint16_t mss4, mss6;
	bool vnet;           /* IFF_VNET_HDR: offloads on (tun/gso.h) */
	uint8_t *gso_buf;    /* one super-packet being cut into segments */
	struct gso gso;      /* its segmenter; gso.pkt NULL when none is pending */
	uint32_t gso_proto;  /* PPP protocol of its segments */
	struct srcvalid sv6; /* IPv6 source validation (no kernel rp_filter for v6) */
	struct slaac slaac;  /* SLAAC from the server's RAs, applied from slaac_timer */
	struct loop_timer slaac_timer;
	struct loop_timer up_hook_timer;
	struct hostaddr *ha; /* ip disable-forwarding: the host's addresses (tun/hostaddr.h) */

	struct dial *dial;   /* resolving, connecting, proxy exchange */
	int sock;
	unsigned sock_events;
	struct sockaddr_storage peer;
	struct tls *tls;
	struct sstp *sstp;
	struct ppp *ppp;
	bool handshaking;
	bool sstp_closed;  /* SSTP said CLOSED: tear down after the callback returns */
	bool sstp_ending;  /* SSTP said CLOSING: no more data, output still flushed */
	bool ppp_dead;
	bool ipcp_up, ipv6cp_up;
	bool auth_failed;
	bool auth_retry;   /* the server insisted on an allowed method: retry, not a failure */
	struct auth_memory auth_mem; /* per server: the method that worked */
	bool read_again;   /* the read budget ran out with records still inside wolfSSL */
	bool v4_applied, v6_applied; /* host changes made for this connection */
	bool ncp_lost;     /* IPCP/IPV6CP went down after up: reconnect */
	struct hooks *hooks; /* up-script / down-script (session/hooks.h) */
	bool hook_up;      /* the up-script ran for this connection: the down-script follows */
	int srv;           /* index into conf.servers of the server in use (or next) */
	char server_cur[256]; /* the name the current attempt was made to */
	unsigned round_tries; /* servers tried without success since the last one that worked */
	bool round_auth_failed; /* one of them refused our credentials */

	uint8_t *out;
	size_t out_len;
	size_t out_inflight; /* length of the write wolfSSL asked to see again */
	bool write_blocked;
	uint8_t *in;         /* IN_HEADROOM bytes into in_alloc */
	uint8_t *in_alloc;
	size_t in_len;

	uint64_t deadline;   /* connect timeout, close grace or backoff end */
	uint64_t up_since;
	uint64_t last_rx;    /* when the server last sent anything */
	unsigned fails;      /* consecutive failed attempts */
	unsigned reconnects;
	char error[256];     /* why the last attempt ended */
	char phase[32];

	/* facts for show */
	enum ppp_auth auth;
	int binding_hash;
	char tls_version[32], tls_cipher[64];
	uint32_t local4, peer4, dns4[2];
	uint8_t local6[8], peer6[8];
	uint64_t drops;
	uint64_t fwd_drops; /* ip disable-forwarding: not for this host */
};

const char *session_state_name(enum session_state s)
{
	static const char *const names[] = { "disconnected", "connecting", "negotiating", "connected",
					     "closing", "waiting to reconnect", "stopped" };
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static uint64_t now_ms(struct session *s) { return loop_now(s->loop); }

/* The `server` entry chosen next (conf.servers, tried in order on failure). */
static const char *list_server(const struct session *s)
{
	return s->conf.nservers > 0 ? s->conf.servers[s->srv] : s->conf.server;
}

/* The server of the current attempt: a reload may change the list under
 * it, but the hooks, show and the logs speak of the one connected to. */
static const char *cur_server(const struct session *s)
{
	return s->server_cur[0] ? s->server_cur : list_server(s);
}

static void session_rearm(struct session *s);
static void session_after(struct session *s);
static void session_start_connect(struct session *s);

/* ------------------------------------------------------------ fd interest */

static void sock_want(struct session *s, unsigned events)
{
	if (s->sock >= 0 && events != s->sock_events) {
		loop_mod_fd(s->loop, s->sock, events);
		s->sock_events = events;
	}
}

static void tun_want(struct session *s, bool reading)
{
	unsigned ev = reading ? LOOP_READ : 0;
	if (ev != s->tun_events) {
		loop_mod_fd(s->loop, s->tun_fd, ev);
		s->tun_events = ev;
	}
}

/* -------------------------------------------------------------- failures */

static void set_error(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct session *s, const char *fmt, ...)
{
	if (s->error[0])
		return; /* the first reason is the real one */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

/* Something broke below PPP: nothing more can be said to the server. */
static void session_fail(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void session_fail(struct session *s, const char *fmt, ...)
{
	if (!s->error[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->error, sizeof(s->error), fmt, ap);
		va_end(ap);
	}
	s->sstp_closed = true;
}

/* ------------------------------------------------------------- TLS output */

/* Writes what is staged; with whole_records only full 16 KiB TLS records,
 * keeping the tail for the next write (one record and one send() each, not
 * a full one plus a runt). */
static void flush_staged(struct session *s, bool whole_records)
{
	if (s->handshaking)
		return; /* the handshake owns the socket's interest set */
	while (s->tls && s->out_len > 0 && !s->sstp_closed) {
		size_t wlen = s->write_blocked ? s->out_inflight : s->out_len;
		if (!s->write_blocked && whole_records)
			wlen -= wlen % OUT_FLUSH_AT;
		if (wlen == 0)
			break;
		ssize_t n = tls_write(s->tls, s->out, wlen);
		if (n == TLS_WANT_WRITE || n == TLS_WANT_READ) {
			s->write_blocked = true;
			s->out_inflight = wlen;
			sock_want(s, LOOP_READ | LOOP_WRITE);
			tun_want(s, false); /* back-pressure: stop taking packets */
			return;
		}
		if (n < 0) {
			session_fail(s, "TLS write failed: %s", tls_error(s->tls));
			return;
		}
		s->write_blocked = false;
		if ((size_t)n > wlen)
			n = (ssize_t)wlen;
		memmove(s->out, s->out + n, s->out_len - (size_t)n);
		s->out_len -= (size_t)n;
	}
	if (!s->write_blocked) {
		sock_want(s, LOOP_READ);
		tun_want(s, s->state == SESSION_UP && !s->sstp_ending);
	}
}

/* Before teardown: what SSTP staged on its way out (a CALL_ABORT, a
 * CALL_DISCONNECT) still goes to the server; one try, no waiting. */
static void flush_final(struct session *s)
{
	if (!s->tls || s->handshaking || s->write_blocked || s->out_len == 0)
		return;
	bool closed = s->sstp_closed;
	s->sstp_closed = false;
	flush_staged(s, false);
	s->sstp_closed = closed || s->sstp_closed;
}

static void flush_out(struct session *s) { flush_staged(s, false); }

/* SSTP's output: control packets and PPP control frames. */
static void sstp_send_cb(void *ctx, const uint8_t *buf, size_t len)
{
	struct session *s = ctx;
	if (len > OUT_CAP - s->out_len) {
		/* Only reachable if the socket has been stuck for 64 KiB of
		 * control traffic: the connection is unusable. */
		session_fail(s, "output buffer overflow (server not reading)");
		return;
	}
	memcpy(s->out + s->out_len, buf, len);
	s->out_len += len;
}

/* -------------------------------------------------------------- data path */

/* "LCP Configure-Request id 1, 14 bytes" style trace of control frames. */
static void trace_frame(const char *dir, const uint8_t *f, size_t len)
{
	if (log_get_level() < LOG_LVL_DEBUG || len < 6)
		return;
	size_t off = (f[0] == 0xff && f[1] == 0x03) ? 2 : 0;
	uint16_t proto = be16_get(f + off);
	if ((proto == PPP_PROTO_PAP || proto == PPP_PROTO_CHAP || proto == PPP_PROTO_EAP) &&
	    len - off >= 6) {
		/* PAP carries the password, MS-CHAP material that allows an offline
		 * attack on it: code, id and length only */
		log_debug("%s %04x code %u id %u length %zu", dir, proto, f[off + 2], f[off + 3],
			  len - off - 2);
		return;
	}
	char hex[2 * 48 + 1];
	size_t n = len - off < 48 ? len - off : 48;
	hex_encode(hex, f + off, n);
	log_debug("%s %s%s", dir, hex, len - off > 48 ? "..." : "");
}

/* A Router Advertisement from the server: SLAAC is done here, since the
 * kernel does none on the TUN (docs/tun.md). In the data path the RA is
 * only noted (tun/slaac.h); the addresses change from slaac_timer. */
static void session_ra(struct session *s, const uint8_t *pkt, size_t len)
{
	struct ra_info ra;
	if (!ra_parse(pkt, len, &ra)) {
		log_debug("malformed router advertisement dropped");
		return;
	}
	if (slaac_note(&s->slaac, &ra, now_ms(s)))
		loop_timer_set(s->loop, &s->slaac_timer, slaac_deadline(&s->slaac));
}

/* Applies what the RAs asked since the last batch: each autonomous /64
 * becomes prefix::<our IPV6CP id>/64 with the RA's lifetimes. */
static void on_slaac_timer(void *arg, uint64_t now)
{
	struct session *s = arg;
	struct slaac_entry e;
	enum slaac_op op;
	bool batch = false;
	while ((op = slaac_next(&s->slaac, now, &e)) != SLAAC_NONE) {
		uint8_t addr[16];
		char a[INET6_ADDRSTRLEN];
		memcpy(addr, e.prefix, 8);
		memcpy(addr + 8, s->local6, 8);
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		int rc = s->nc ? netcfg_addr6_slaac(s->nc, e.prefix, s->local6, op == SLAAC_SET ? e.valid : 0,
						    e.preferred)
			       : -ENODEV;
		batch |= op != SLAAC_EXPIRED;
		slaac_done(&s->slaac, e.prefix, rc >= 0, now);
		if (rc < 0)
			log_err("IPv6 address %s/64 from router advertisement: %s", a, strerror(-rc));
		else if (rc == 1)
			log_notice("IPv6 address %s/64 from router advertisement", a);
		else if (op == SLAAC_WITHDRAW)
			log_notice("IPv6 address %s/64 withdrawn by router advertisement", a);
		else if (op == SLAAC_EXPIRED)
			log_info("IPv6 address %s/64 expired", a);
		else
			log_debug("IPv6 address %s/64 refreshed (valid %u s)", a, e.valid);
	}
	if (batch)
		slaac_batch_done(&s->slaac, now);
	if (s->slaac.refused != s->slaac.refused_logged) {
		log_warn("router advertisements: %llu new prefixes ignored, at most %d at once",
			 (unsigned long long)(s->slaac.refused - s->slaac.refused_logged), SLAAC_MAX);
		s->slaac.refused_logged = s->slaac.refused;
	}
	if (s->ha)
		hostaddr_input(s->ha);
	loop_timer_set(s->loop, &s->slaac_timer, slaac_deadline(&s->slaac));
}

/* IP packet from the server: straight to the TUN device. */
static void deliver_ip(struct session *s, uint8_t *pkt, size_t len)
{
	if (len == 0)
		return;
	if (s->sv6.mode != SRCVALID_OFF && pkt[0] >> 4 == 6 && len >= 40 && !srcvalid_check6(&s->sv6, pkt + 8)) {
		s->drops++;
		return;
	}
	if (s->ha && !hostaddr_for_us(s->ha, pkt, len)) {
		s->fwd_drops++;
		return;
	}
	if (ra_maybe(pkt, len))
		session_ra(s, pkt, len); /* and the RA still goes to the TUN */
	if (s->mss4)
		mss_clamp(pkt, len, s->mss4, s->mss6);
	if (s->vnet) {
		/* GSO_NONE, no checksum flags: a plain packet. The bytes in
		 * front are this packet's SSTP/PPP header and the end of the
		 * one before, both done with (IN_HEADROOM covers the first). */
		pkt -= GSO_VNET_HDR_LEN;
		len += GSO_VNET_HDR_LEN;
		memset(pkt, 0, GSO_VNET_HDR_LEN);
	}
	if (write(s->tun_fd, pkt, len) < 0)
		s->drops++;
}

static void sstp_frame_cb(void *ctx, const uint8_t *frame, size_t len)
{
	struct session *s = ctx;
	/* frame points into s->in, which we own and may rewrite in place. */
	uint8_t *f = s->in + (frame - s->in);
	size_t off = 0;
	if (len >= 2 && f[0] == 0xff && f[1] == 0x03)
		off = 2;
	if (len > off) {
		uint16_t proto;
		size_t hl;
		if (f[off] & 1) { /* protocol field compressed (PFC) */
			proto = f[off];
			hl = 1;
		} else if (len - off >= 2) {
			proto = be16_get(f + off);
			hl = 2;
		} else {
			s->drops++;
			return;
		}
		if (proto == PPP_PROTO_IP || proto == PPP_PROTO_IPV6) {
			uint8_t *pkt = f + off + hl;
			size_t plen = len - off - hl;
			/* The TUN (IFF_NO_PI) goes by the version nibble: it must
			 * match the protocol that was negotiated. */
			unsigned v = plen ? pkt[0] >> 4 : 0;
			if ((proto == PPP_PROTO_IP && s->ipcp_up && v == 4) ||
			    (proto == PPP_PROTO_IPV6 && s->ipv6cp_up && v == 6))
				deliver_ip(s, pkt, plen);
			else
				s->drops++;
			return;
		}
	}
	trace_frame("ppp <", frame, len);
	if (s->ppp)
		ppp_input(s->ppp, frame, len, now_ms(s));
}

/* The TUN fd failed (the device was deleted under us): epoll would report
 * the error forever, so stop, undoing what we changed. */
static void tun_gone(struct session *s, int err)
{
	log_err("%s: the TUN device failed (%s): stopping", s->conf.ifname, strerror(err));
	loop_del_fd(s->loop, s->tun_fd);
	s->tun_events = 0;
	s->exit_code = 1;
	s->stopping = true;
}

static void session_close(struct session *s);

static void frame_ip(uint8_t *hdr, size_t iplen, uint16_t proto)
{
	sstp_data_header(hdr, iplen + PPP_HDR_LEN);
	hdr[4] = 0xff;
	hdr[5] = 0x03;
	be16_put(hdr + 6, proto);
}

static bool room_for(struct session *s, size_t n)
{
	if (OUT_CAP - s->out_len >= n)
		return true;
	flush_staged(s, true);
	return !s->write_blocked && OUT_CAP - s->out_len >= n;
}

/* Cuts the pending super-packet into segments, each written straight
 * behind its SSTP+PPP header in the output buffer. False if TLS cannot
 * take more: the rest stays pending until the socket is writable. */
static bool gso_drain(struct session *s)
{
	size_t n;
	while ((n = gso_next_len(&s->gso)) > 0) {
		if (!room_for(s, DATA_HDR + n))
			return false;
		uint8_t *hdr = s->out + s->out_len;
		struct writer w;
		wr_init(&w, hdr + DATA_HDR, OUT_CAP - s->out_len - DATA_HDR);
		if (!gso_next(&s->gso, &w))
			break; /* cannot happen: room was checked */
		frame_ip(hdr, n, (uint16_t)s->gso_proto);
		s->out_len += DATA_HDR + n;
		if (s->out_len >= OUT_FLUSH_AT) {
			flush_staged(s, true);
			if (s->write_blocked)
				break;
		}
	}
	if (gso_next_len(&s->gso) > 0)
		return false;
	s->gso.pkt = NULL;
	return true;
}

/* One TUN read behind a virtio_net_hdr: a plain packet lands in place in
 * the output buffer (iov 1); a super-packet spills into gso_buf (iov 2),
 * its head is copied in front of the spill and the segmenter takes over.
 * Returns the IP packet length written at ip (0: nothing to send, < 0:
 * the TUN is empty). */
static ssize_t tun_read_vnet(struct session *s, uint8_t *ip)
{
	uint8_t vh[GSO_VNET_HDR_LEN];
	struct iovec iov[3] = {
		{ vh, sizeof(vh) },
		{ ip, MAX_IP_PACKET },
		{ s->gso_buf + MAX_IP_PACKET, GSO_BUF - MAX_IP_PACKET },
	};
	ssize_t n = readv(s->tun_fd, iov, 3);
	if (n <= 0)
		return -1; /* errno as readv left it */
	struct reader r;
	struct gso_vnet v;
	rd_init(&r, vh, (size_t)n < sizeof(vh) ? (size_t)n : sizeof(vh));
	if (!gso_vnet_parse(&r, &v) || (size_t)n == sizeof(vh) + GSO_BUF) {
		s->drops++;
		return 0;
	}
	size_t len = (size_t)n - sizeof(vh);
	if (v.gso_type == VIRTIO_NET_HDR_GSO_NONE && len <= MAX_IP_PACKET) {
		if (!gso_csum_complete(ip, len, &v)) {
			s->drops++;
			return 0;
		}
		return (ssize_t)len;
	}
	memcpy(s->gso_buf, ip, len < MAX_IP_PACKET ? len : MAX_IP_PACKET);
	size_t max_seg = s->conf.mtu && s->conf.mtu < MAX_IP_PACKET ? s->conf.mtu : MAX_IP_PACKET;
	unsigned ver = s->gso_buf[0] >> 4;
	if ((ver == 4 && s->ipcp_up) || (ver == 6 && s->ipv6cp_up)) {
		s->gso_proto = ver == 4 ? PPP_PROTO_IP : PPP_PROTO_IPV6;
		if (gso_start(&s->gso, &v, s->gso_buf, len, max_seg))
			return 0;
	}
	s->gso.pkt = NULL;
	s->drops++;
	return 0;
}

/* TUN → server: read until the TUN is empty or a record is full, frame each
 * packet in place behind its SSTP+PPP header, then one TLS write. */
static void tun_input(struct session *s)
{
	for (int i = 0; i < TUN_BUDGET && s->state == SESSION_UP && !s->sstp_ending && !s->write_blocked;
	     i++) {
		if (s->gso.pkt && !gso_drain(s))
			break;
		if (!room_for(s, DATA_HDR + MAX_IP_PACKET))
			break;
		uint8_t *hdr = s->out + s->out_len;
		ssize_t n;
		if (s->vnet) {
			n = tun_read_vnet(s, hdr + DATA_HDR);
			if (n == 0)
				continue; /* dropped, or a super-packet now pending */
		} else {
			n = read(s->tun_fd, hdr + DATA_HDR, MAX_IP_PACKET);
		}
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				tun_gone(s, errno);
				session_close(s);
				return;
			}
			break; /* EAGAIN: the TUN is empty */
		}
		uint16_t proto;
		unsigned v = hdr[DATA_HDR] >> 4;
		if (v == 4 && s->ipcp_up)
			proto = PPP_PROTO_IP;
		else if (v == 6 && s->ipv6cp_up)
			proto = PPP_PROTO_IPV6;
		else {
			s->drops++;
			continue;
		}
		if (s->mss4)
			mss_clamp(hdr + DATA_HDR, (size_t)n, s->mss4, s->mss6);
		frame_ip(hdr, (size_t)n, proto);
		s->out_len += DATA_HDR + (size_t)n;
		if (s->out_len >= OUT_FLUSH_AT)
			flush_staged(s, true);
	}
	if (s->gso.pkt && !s->write_blocked)
		gso_drain(s); /* the budget ran out mid super-packet */
	flush_out(s); /* the TUN is empty (or the budget spent): no added latency */
}

static void on_tun(void *arg, int fd, unsigned events)
{
	(void)events;
	struct session *s = arg;
	if (s->state != SESSION_UP || s->sstp_ending || s->write_blocked) {
		/* Only an error wakes us here (epoll always reports those). */
		uint8_t probe[64];
		if (read(fd, probe, sizeof(probe)) < 0 && errno != EAGAIN && errno != EINTR) {
			tun_gone(s, errno);
			session_close(s);
		}
		return;
	}
	tun_input(s);
	session_after(s);
}

/* ------------------------------------------------------------ TLS input */

static void read_stream(struct session *s)
{
	s->read_again = false;
	for (int i = 0; s->tls && !s->sstp_closed; i++) {
		if (i == 64) {
			/* Give the TUN its turn. What wolfSSL already holds will not
			 * wake epoll again: come back from the timer at once. */
			s->read_again = tls_pending(s->tls);
			break;
		}
		ssize_t n = tls_read(s->tls, s->in + s->in_len, IN_CAP - s->in_len);
		if (n == TLS_WANT_READ)
			break;
		if (n == TLS_WANT_WRITE) {
			sock_want(s, LOOP_READ | LOOP_WRITE);
			break;
		}
		if (n <= 0) {
			char why[200];
			if (n == 0)
				snprintf(why, sizeof(why), "the server closed the connection (%s)",
					 tls_close_notify_received(s->tls) ? "TLS close_notify received"
									   : "without TLS close_notify");
			else
				snprintf(why, sizeof(why), "TLS read failed: %s", tls_error(s->tls));
			/* Ends a disconnect or abort exchange the way it should. */
			if (s->sstp)
				sstp_lower_closed(s->sstp, why, now_ms(s));
			session_fail(s, "%s", why);
			return;
		}
		s->in_len += (size_t)n;
		uint64_t now = now_ms(s);
		s->last_rx = now;
		size_t used = sstp_input(s->sstp, s->in, s->in_len, now);
		/* Only complete SSTP packets count as life (see sstp_input). */
		if (s->ppp && used > 0)
			ppp_saw_traffic(s->ppp, now);
		if (used > s->in_len)
			used = s->in_len;
		memmove(s->in, s->in + used, s->in_len - used);
		s->in_len -= used;
		if (s->in_len == IN_CAP) {
			session_fail(s, "SSTP stream out of sync");
			return;
		}
	}
}

/* ----------------------------------------------------------- SSTP events */

static void sstp_event_cb(void *ctx, enum sstp_event ev, const void *arg)
{
	struct session *s = ctx;
	uint64_t now = now_ms(s);
	switch (ev) {
	case SSTP_EV_HTTP_OK:
		snprintf(s->phase, sizeof(s->phase), "SSTP call setup");
		break;
	case SSTP_EV_PPP_START:
		snprintf(s->phase, sizeof(s->phase), "PPP negotiation");
		if (s->ppp)
			ppp_lower_up(s->ppp, now);
		break;
	case SSTP_EV_CONNECTED:
		s->binding_hash = sstp_binding_hash(s->sstp);
		log_info("SSTP call connected (crypto binding %s)",
			 s->binding_hash == SSTP_CERT_HASH_SHA256 ? "SHA-256" : "SHA-1");
		break;
	case SSTP_EV_CLOSING:
		log_notice("SSTP: %s", (const char *)arg);
		/* The cause, before a SIGTERM during the exchange claims it. */
		if (*sstp_reason(s->sstp))
			set_error(s, "%s", sstp_reason(s->sstp));
		s->sstp_ending = true;
		tun_want(s, false);
		break;
	case SSTP_EV_CLOSED:
		log_info("SSTP: %s", arg ? (const char *)arg : "closed");
		set_error(s, "%s", arg ? (const char *)arg : "SSTP session closed");
		s->sstp_closed = true;
		break;
	}
}

/* ------------------------------------------------------------ PPP events */

static void ppp_output_cb(void *ctx, const uint8_t *frame, size_t len)
{
	struct session *s = ctx;
	trace_frame("ppp >", frame, len);
	if (s->sstp && !s->sstp_closed)
		sstp_send_ppp(s->sstp, frame, len);
}

/* True if a route we are about to add via the tunnel (the default route, or
 * a configured prefix) would cover the server's own address: then the
 * server needs a host route through the path it uses now, or the tunnel's
 * connection would be routed into the tunnel. */
static bool server_covered(const struct session *s, int family)
{
	const struct conf *c = &s->conf;
	if (s->peer.ss_family != family)
		return false;
	if (!c->no_default_route)
		return true;
	const uint8_t *a = family == AF_INET ? (const uint8_t *)&((const struct sockaddr_in *)&s->peer)->sin_addr
					     : ((const struct sockaddr_in6 *)&s->peer)->sin6_addr.s6_addr;
	for (int i = 0; i < c->nroutes; i++)
		if (c->routes[i].family == family &&
		    srcvalid_prefix_match(a, c->routes[i].addr, c->routes[i].plen, family == AF_INET ? 4 : 16))
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
		log_warn("IPCP: the server's address %s rejected (%s)", a, why ? why : "equal to ours");
	}
}

/* The address carries no route to the peer (netcfg_addr4): the server's
 * side of the link gets a host route only where the host has no route at
 * all to that address, so that it can shadow none (a public peer address,
 * or the server's own, keeps the host's path). Asked before our own routes
 * exist. */
static void peer_route4(struct session *s, uint32_t peer)
{
	uint8_t gw[16];
	int oif, rc;
	if (!peer)
		return;
	/* In a VRF the route goes into the VRF's own table, which holds the
	 * tunnel's routes only: it cannot shadow the host's (main-table)
	 * route to that address, and the lookup below would ask main. */
	if (!s->conf.vrf[0] && nl_route_get(AF_INET, &peer, gw, &oif) == 0)
		return;
	rc = netcfg_route(s->nc, AF_INET, &peer, 32, s->conf.default_route_distance);
	if (rc < 0)
		log_warn("cannot add the route to the server's tunnel address: %s", strerror(-rc));
}

static void apply_ipv4(struct session *s, const struct ppp_ipcp_info *ip)
{
	const struct conf *c = &s->conf;
	char l[INET_ADDRSTRLEN], p[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &ip->local, l, sizeof(l));
	inet_ntop(AF_INET, &ip->peer, p, sizeof(p));
	s->local4 = ip->local;
	s->peer4 = ip->peer;
	memcpy(s->dns4, ip->dns, sizeof(s->dns4));
	ipcp_warn_refused(ip);
	if (s->peer.ss_family == AF_INET &&
	    ((const struct sockaddr_in *)&s->peer)->sin_addr.s_addr == ip->local) {
		/* a local route for it would send the tunnel's own packets to
		 * ourselves */
		session_fail(s, "the server assigned us its own address %s: refused", l);
		return;
	}
	int rc = nl_link_set_up(s->ifindex, true);
	if (rc == 0)
		rc = netcfg_addr4(s->nc, ip->local, ip->peer);
	if (rc < 0) {
		log_err("cannot set address %s peer %s on %s: %s", l, p, c->ifname, strerror(-rc));
		return;
	}
	log_notice("IPv4 up: local %s peer %s", l, p);
	if (server_covered(s, AF_INET)) {
		/* Keep the tunnel's own connection off the tunnel. */
		rc = netcfg_server_route(s->nc, (const struct sockaddr *)&s->peer);
		if (rc < 0)
			log_warn("cannot add a host route to the server: %s", strerror(-rc));
	}
	peer_route4(s, ip->peer);
	if (!c->no_default_route) {
		static const uint8_t any[16];
		rc = netcfg_route(s->nc, AF_INET, any, 0, c->default_route_distance);
		if (rc < 0)
			log_err("cannot add the default route: %s", strerror(-rc));
	}
	for (int i = 0; i < c->nroutes; i++) {
		if (c->routes[i].family != AF_INET)
			continue;
		rc = netcfg_route(s->nc, AF_INET, c->routes[i].addr, c->routes[i].plen, c->default_route_distance);
		if (rc < 0)
			log_err("cannot add route %d: %s", i, strerror(-rc));
	}
	if (!c->no_peer_dns && (ip->dns[0] || ip->dns[1])) {
		uint32_t v4[2];
		int n = 0;
		for (int i = 0; i < 2; i++)
			if (ip->dns[i])
				v4[n++] = ip->dns[i];
		rc = netcfg_dns(s->nc, v4, n);
		/* A minimal root or a container may have no /etc at all, or a
		 * read-only one: the tunnel works without our DNS, so that is a
		 * notice, not an error (as if no-peer-dns had been set). */
		if (rc == -ENOENT || rc == -EROFS || rc == -EACCES || rc == -EPERM)
			log_notice("DNS servers not installed (%s): going on as with no-peer-dns",
				   strerror(-rc));
		else if (rc < 0)
			log_err("cannot install DNS servers: %s", strerror(-rc));
	}
}

static void apply_sysctls(struct session *s)
{
	const struct conf *c = &s->conf;
	char path[128];
	if (c->ip_disable_forwarding) {
		snprintf(path, sizeof(path), "net/ipv4/conf/%s/forwarding", c->ifname);
		netcfg_sysctl(s->nc, path, "0");
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/forwarding", c->ifname);
		netcfg_sysctl(s->nc, path, "0");
	}
	if (c->source_validation != CONF_SRCVALID_UNSET) {
		const char *v = c->source_validation == CONF_SRCVALID_STRICT  ? "1"
				: c->source_validation == CONF_SRCVALID_LOOSE ? "2"
									      : "0";
		snprintf(path, sizeof(path), "net/ipv4/conf/%s/rp_filter", c->ifname);
		netcfg_sysctl(s->nc, path, v);
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
			log_warn("ip source-validation: net.ipv4.conf.all.rp_filter is %c, so the kernel uses %s on "
				 "%s, not what was configured",
				 all[0], all[0] == '1' ? "strict" : "loose", c->ifname);
	}
}

static void apply_ipv6(struct session *s, const struct ppp_ipv6cp_info *ip)
{
	const struct conf *c = &s->conf;
	memcpy(s->local6, ip->local_id, 8);
	memcpy(s->peer6, ip->peer_id, 8);
	int rc = nl_link_set_up(s->ifindex, true);
	if (rc == 0)
		rc = netcfg_addr6_ll(s->nc, ip->local_id);
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
	netcfg_sysctl(s->nc, ra_path, "0");
	char l6[INET6_ADDRSTRLEN], p6[INET6_ADDRSTRLEN];
	uint8_t a[16] = { 0xfe, 0x80 };
	memcpy(a + 8, ip->local_id, 8);
	inet_ntop(AF_INET6, a, l6, sizeof(l6));
	memcpy(a + 8, ip->peer_id, 8);
	inet_ntop(AF_INET6, a, p6, sizeof(p6));
	log_notice("IPv6 up: local %s peer %s", l6, p6);
	if (server_covered(s, AF_INET6)) {
		rc = netcfg_server_route(s->nc, (const struct sockaddr *)&s->peer);
		if (rc < 0)
			log_warn("cannot add a host route to the server: %s", strerror(-rc));
	}
	/* The sources that route back through the tunnel, for the data path's
	 * IPv6 source validation (built before our own routes exist, so the
	 * loose probe sees only the host's other routes). */
	enum srcvalid_mode m = c->source_validation == CONF_SRCVALID_STRICT  ? SRCVALID_STRICT
			       : c->source_validation == CONF_SRCVALID_LOOSE ? SRCVALID_LOOSE
									     : SRCVALID_OFF;
	srcvalid_init(&s->sv6, m);
	if (m == SRCVALID_LOOSE) {
		static const uint8_t global[16] = { 0x20 };
		uint8_t gw[16];
		int oif;
		if (nl_route_get(AF_INET6, global, gw, &oif) == 0)
			srcvalid_allow_any(&s->sv6);
	}
	if (!c->no_default_route)
		srcvalid_allow_any(&s->sv6);
	for (int i = 0; i < c->nroutes; i++)
		if (c->routes[i].family == AF_INET6)
			srcvalid_add(&s->sv6, c->routes[i].addr, c->routes[i].plen);
	if (!c->no_default_route) {
		static const uint8_t any[16];
		rc = netcfg_route(s->nc, AF_INET6, any, 0, c->default_route_distance);
		if (rc < 0)
			log_warn("cannot add the IPv6 default route: %s", strerror(-rc));
	}
	for (int i = 0; i < c->nroutes; i++) {
		if (c->routes[i].family != AF_INET6)
			continue;
		rc = netcfg_route(s->nc, AF_INET6, c->routes[i].addr, c->routes[i].plen,
				  c->default_route_distance);
		if (rc < 0)
			log_err("cannot add IPv6 route %d: %s", i, strerror(-rc));
	}
}

/* ------------------------------------------------------------- hooks */

/* The facts an up/down script gets (session/hooks.h); peer is the caller's
 * buffer for the server's address. */
static void hook_facts(const struct session *s, struct hook_facts *f, const char *reason,
		       char peer[INET6_ADDRSTRLEN])
{
	peer[0] = '\0';
	if (s->peer.ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&s->peer)->sin_addr, peer, INET6_ADDRSTRLEN);
	else if (s->peer.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&s->peer)->sin6_addr, peer, INET6_ADDRSTRLEN);
	*f = (struct hook_facts){ .ifname = s->conf.ifname, .reason = reason, .error = s->error,
				  .server = cur_server(s), .server_address = peer, .port = s->conf.port,
				  .local4 = s->v4_applied ? s->local4 : 0, .peer4 = s->v4_applied ? s->peer4 : 0,
				  .have6 = s->v6_applied };
	if (s->v4_applied && !s->conf.no_peer_dns)
		memcpy(f->dns4, s->dns4, sizeof(f->dns4));
	memcpy(f->local6, s->local6, 8);
	memcpy(f->peer6, s->peer6, 8);
}

static void run_up_hook(struct session *s)
{
	loop_timer_cancel(s->loop, &s->up_hook_timer);
	if (s->hook_up || s->state != SESSION_UP)
		return;
	s->hook_up = true; /* the down-script is owed from now on */
	struct hook_facts f;
	char peer[INET6_ADDRSTRLEN];
	hook_facts(s, &f, "up", peer);
	hooks_run(s->hooks, HOOK_UP, s->conf.up_script, s->conf.script_timeout * 1000, &f);
}

static void on_up_hook_timer(void *arg, uint64_t now)
{
	(void)now;
	run_up_hook(arg);
}

/* After each NCP up: at once when every protocol asked for is up, else
 * from the timer. */
static void maybe_up_hook(struct session *s)
{
	if (s->hook_up || s->state != SESSION_UP)
		return;
	if (s->ipcp_up && (s->ipv6cp_up || s->conf.ipv6_disable))
		run_up_hook(s);
	else if (s->up_hook_timer.deadline == UINT64_MAX)
		loop_timer_set(s->loop, &s->up_hook_timer, now_ms(s) + UP_HOOK_WAIT_MS);
}

/* Started as the connection ends, before the journal is undone; the
 * teardown does not wait for it (docs/config.md). */
static void run_down_hook(struct session *s)
{
	loop_timer_cancel(s->loop, &s->up_hook_timer);
	if (!s->hook_up)
		return;
	s->hook_up = false;
	const char *why = s->stopping	 ? "stop"
			  : s->admin_down ? "disconnect"
			  : s->restart	 ? (s->restart_why ? "reconnect" : "reload")
					 : "lost";
	struct hook_facts f;
	char peer[INET6_ADDRSTRLEN];
	hook_facts(s, &f, why, peer);
	hooks_run(s->hooks, HOOK_DOWN, s->conf.down_script, s->conf.script_timeout * 1000, &f);
}

static void session_went_up(struct session *s)
{
	if (s->state == SESSION_UP)
		return;
	s->state = SESSION_UP;
	s->up_since = now_ms(s);
	s->deadline = UINT64_MAX;
	/* fails is not reset here: only a session that lasts does that
	 * (session/backoff.h), when it ends. */
	s->error[0] = '\0';
	apply_sysctls(s);
	notify_send("READY=1\nSTATUS=connected to %s", cur_server(s));
	log_notice("tunnel up (%s, %s, %s)", s->tls_version, s->tls_cipher, ppp_auth_name(s->auth));
	s->round_tries = 0;
	s->round_auth_failed = false;
	maybe_up_hook(s);
}

/* PPP ended before a method was agreed: remember the method the server
 * insists on (taken at once next time), or say which methods did not meet
 * and wait the long authentication back-off. */
static void note_auth_outcome(struct session *s, const struct ppp_down_info *di)
{
	char msg[256];
	if (di->retry_with != PPP_AUTH_NONE) {
		auth_memory_put(&s->auth_mem, cur_server(s), s->conf.port, di->retry_with);
		s->auth_retry = true;
		log_notice("the server insists on %s: taking it on the next attempt",
			   ppp_auth_name(di->retry_with));
	} else if (auth_policy_explain(&s->conf, di, msg, sizeof(msg))) {
		snprintf(s->error, sizeof(s->error), "%s", msg);
		s->auth_failed = true;
	}
}

static void on_hostaddr(void *arg, int fd, unsigned events)
{
	(void)fd, (void)events;
	struct session *s = arg;
	hostaddr_input(s->ha);
}

/* ip disable-forwarding: from now on the data path delivers only what is
 * for this host, in every kernel and for IPv6 too (the per-interface IPv6
 * forwarding sysctl does not stop forwarding). Learnt before the first
 * packet; kept current on the loop. */
static bool fwd_policy_start(struct session *s)
{
	if (!s->conf.ip_disable_forwarding || s->ha)
		return true;
	s->ha = hostaddr_new();
	int fd = s->ha ? hostaddr_open(s->ha) : -ENOMEM;
	if (fd >= 0)
		fd = loop_add_fd(s->loop, fd, LOOP_READ, on_hostaddr, s);
	if (fd < 0) {
		/* open but not watched would go stale: fail closed instead */
		session_fail(s, "ip disable-forwarding: cannot follow the host's addresses: %s", strerror(-fd));
		hostaddr_free(s->ha);
		s->ha = NULL;
		return false;
	}
	return true;
}

static void fwd_policy_stop(struct session *s)
{
	if (!s->ha)
		return;
	if (hostaddr_fd(s->ha) >= 0)
		loop_del_fd(s->loop, hostaddr_fd(s->ha));
	hostaddr_free(s->ha);
	s->ha = NULL;
}

static void ppp_event_cb(void *ctx, enum ppp_event ev, const void *arg)
{
	struct session *s = ctx;
	uint64_t now = now_ms(s);
	switch (ev) {
	case PPP_EV_AUTH_OK: {
		const struct ppp_auth_info *ai = arg;
		char why[200];
		if (!auth_policy_allows(&s->conf, ai->method, why, sizeof(why))) {
			/* a server that dropped authentication after we refused
			 * its methods: the mismatch is the real reason */
			struct ppp_down_info offer = { .server_offers = ai->server_offers,
						       .server_auth = ai->server_auth };
			auth_policy_explain(&s->conf, &offer, why, sizeof(why));
			/* no CALL_CONNECTED: the server gets no tunnel */
			set_error(s, "%s", why);
			s->auth_failed = true;
			ppp_close(s->ppp, why, now);
			break;
		}
		auth_memory_put(&s->auth_mem, cur_server(s), s->conf.port, ai->method);
		s->auth = ai->method;
		log_info("authenticated with %s", ppp_auth_name(ai->method));
		static const uint8_t zero[32];
		/* CALL_CONNECTED must precede the first NCP frame. */
		sstp_auth_done(s->sstp, ai->have_keys ? ai->hlak : zero, now);
		break;
	}
	case PPP_EV_IPCP_UP: {
		const struct ppp_ipcp_info *ip = arg;
		s->ipcp_up = true;
		if (s->v4_applied) {
			/* A renegotiation: the same parameters need nothing, new
			 * ones a fresh start (the journal undoes as a whole). */
			if (ip->local != s->local4 || ip->peer != s->peer4 ||
			    memcmp(ip->dns, s->dns4, sizeof(s->dns4)) != 0) {
				set_error(s, "the server renegotiated IPCP with new parameters");
				s->ncp_lost = true;
			}
			break;
		}
		s->v4_applied = true;
		if (!fwd_policy_start(s))
			break;
		apply_ipv4(s, ip);
		if (s->ha)
			hostaddr_input(s->ha); /* our new address */
		if (!s->sstp_closed) /* not refused there */
			session_went_up(s);
		maybe_up_hook(s);
		break;
	}
	case PPP_EV_IPV6CP_UP: {
		const struct ppp_ipv6cp_info *ip = arg;
		s->ipv6cp_up = true;
		if (s->v6_applied) {
			if (memcmp(ip->local_id, s->local6, 8) != 0 || memcmp(ip->peer_id, s->peer6, 8) != 0) {
				set_error(s, "the server renegotiated IPV6CP with new identifiers");
				s->ncp_lost = true;
			}
			break;
		}
		s->v6_applied = true;
		if (!fwd_policy_start(s))
			break;
		apply_ipv6(s, ip);
		if (s->ha)
			hostaddr_input(s->ha);
		session_went_up(s);
		maybe_up_hook(s);
		break;
	}
	case PPP_EV_IPCP_DOWN:
	case PPP_EV_IPV6CP_DOWN:
		if (ev == PPP_EV_IPCP_DOWN)
			s->ipcp_up = false;
		else
			s->ipv6cp_up = false;
		log_notice("%s down", ev == PPP_EV_IPCP_DOWN ? "IPv4" : "IPv6");
		/* Routes and DNS of a protocol the server closed would blackhole
		 * its traffic: start afresh rather than half-configured. */
		if (s->state == SESSION_UP) {
			set_error(s, "the server closed %s", ev == PPP_EV_IPCP_DOWN ? "IPCP" : "IPV6CP");
			s->ncp_lost = true;
		}
		break;
	case PPP_EV_EAP_RELAY: /* the server role's */
		break;
	case PPP_EV_DISCARDED: {
		const struct ppp_discard_info *d = arg;
		log_debug("%s: discarded code %u id %u: %s (%u so far)", d->protocol, d->code, d->id,
			  d->why, d->count);
		break;
	}
	case PPP_EV_DEAD: {
		const struct ppp_down_info *di = arg;
		s->ppp_dead = true;
		if (di && di->reason)
			set_error(s, "%s", di->reason);
		if (di && di->auth_failed)
			s->auth_failed = true;
		if (di)
			note_auth_outcome(s, di);
		if (s->sstp && !s->sstp_closed) {
			sstp_disconnect(s->sstp, now);
			/* A server silent for a whole keepalive interval (the echo
			 * check gave up) will not acknowledge the disconnect either:
			 * send it for the record and go now rather than wait out
			 * the acknowledgement timer. */
			uint64_t quiet = (uint64_t)s->conf.keepalive_interval * 1000;
			if (quiet && now - s->last_rx >= quiet) {
				flush_out(s);
				session_fail(s, "the server went silent");
			}
		}
		break;
	}
	}
}

/* ------------------------------------------------------- session life */

static uint64_t backoff_delay(struct session *s)
{
	uint32_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)time(NULL);
	return backoff_delay_ms(s->conf.backoff_min, s->conf.backoff_max, s->fails, s->auth_failed, r);
}

/* Several servers: a failed attempt moves on to the next one at once; only
 * a whole round without success counts as one failure for the backoff
 * (docs/config.md). True when the next server is due now. */
static bool next_server(struct session *s)
{
	int n = s->conf.nservers;
	if (n < 2 || s->round_tries + 1 >= (unsigned)n)
		return false;
	s->round_tries++;
	s->round_auth_failed = s->round_auth_failed || s->auth_failed;
	log_err("connection to %s failed: %s", cur_server(s), s->error[0] ? s->error : "unknown reason");
	s->srv = (s->srv + 1) % n;
	log_notice("trying the next server, %s", list_server(s));
	notify_send("STATUS=trying %s", list_server(s));
	s->state = SESSION_BACKOFF;
	s->deadline = now_ms(s);
	return true;
}

/* Tears the connection down (the server has been told what it can be told)
 * and decides what comes next. */
static void session_teardown(struct session *s)
{
	bool was_up = s->state == SESSION_UP;
	/* Addresses applied: this server worked (it may have been closing). */
	bool worked = was_up || s->v4_applied || s->v6_applied;
	/* A server that hangs up right after refusing our credentials closes
	 * SSTP before LCP has finished terminating: PPP's reason is the real
	 * one. */
	const struct ppp_down_info *di = s->ppp && !s->ppp_dead ? ppp_failure(s->ppp) : NULL;
	if (di && di->reason && !s->stopping && !s->admin_down) {
		snprintf(s->error, sizeof(s->error), "%s", di->reason);
		s->auth_failed = s->auth_failed || di->auth_failed;
		note_auth_outcome(s, di);
	}
	run_down_hook(s);
	if (s->nc)
		netcfg_undo(s->nc);
	if (s->ifindex > 0 && !s->conf.disable)
		nl_link_set_up(s->ifindex, false);
	tun_want(s, false);
	if (s->ppp) {
		ppp_free(s->ppp);
		s->ppp = NULL;
	}
	if (s->sstp) {
		sstp_free(s->sstp);
		s->sstp = NULL;
	}
	if (s->tls) {
		tls_shutdown(s->tls);
		tls_free(s->tls);
		s->tls = NULL;
	}
	dial_free(s->dial);
	s->dial = NULL;
	if (s->sock >= 0) {
		loop_del_fd(s->loop, s->sock);
		close(s->sock);
		s->sock = -1;
	}
	s->sock_events = 0;
	s->out_len = s->in_len = 0;
	s->gso.pkt = NULL;
	s->write_blocked = false;
	s->ipcp_up = s->ipv6cp_up = false;
	s->sstp_closed = s->ppp_dead = s->sstp_ending = false;
	s->read_again = false;
	s->v4_applied = s->v6_applied = s->ncp_lost = false;
	srcvalid_init(&s->sv6, SRCVALID_OFF);
	fwd_policy_stop(s);
	slaac_init(&s->slaac);
	loop_timer_cancel(s->loop, &s->slaac_timer);
	s->handshaking = false;
	s->tls_version[0] = s->tls_cipher[0] = '\0';
	s->binding_hash = 0;

	if (s->stopping) {
		log_notice("stopped (%s)", s->error[0] ? s->error : "signal");
		s->state = SESSION_STOPPED;
		loop_stop(s->loop);
		return;
	}
	if (s->restart && !s->admin_down) {
		s->restart = false;
		s->fails = s->round_tries = 0;
		log_notice("reconnecting %s", s->restart_why ? s->restart_why : "with the new configuration");
		notify_send(s->restart_why ? "STATUS=reconnecting" : "STATUS=reconnecting: configuration reloaded");
		s->restart_why = NULL;
		s->state = SESSION_BACKOFF;
		s->deadline = now_ms(s);
		return;
	}
	s->restart = false;
	s->restart_why = NULL;
	if (s->admin_down) {
		log_notice("disconnected%s%s", s->error[0] ? ": " : "", s->error);
		s->state = SESSION_IDLE;
		s->deadline = UINT64_MAX;
		notify_send("STATUS=disconnected");
		return;
	}
	uint64_t up_ms = was_up ? now_ms(s) - s->up_since : 0;
	if (!worked && !s->auth_retry && next_server(s))
		return;
	s->auth_failed = s->auth_failed || s->round_auth_failed;
	s->round_auth_failed = false;
	/* The next round starts where this one started; after a drop, with
	 * the server that was just working. */
	if (!worked && !s->auth_retry && s->conf.nservers > 1)
		s->srv = (s->srv + 1) % s->conf.nservers;
	s->round_tries = 0;
	/* A retry with the method the server insisted on is not a failure. */
	if (was_up || !s->auth_retry)
		s->fails = backoff_fails_after(s->fails, was_up, up_ms);
	log_err("%s: %s", was_up ? "tunnel down" : "connection failed",
		s->error[0] ? s->error : "unknown reason");
	if (was_up && s->fails > 1)
		log_notice("the tunnel was up for only %llu s: counted as failure %u in a row",
			   (unsigned long long)(up_ms / 1000), s->fails);
	if (s->conf.max_fail && s->fails >= s->conf.max_fail) {
		log_err("giving up after %u failed attempt%s", s->fails, s->fails == 1 ? "" : "s");
		s->exit_code = 1;
		s->state = SESSION_STOPPED;
		loop_stop(s->loop);
		return;
	}
	uint64_t d = backoff_delay(s);
	log_notice("reconnecting in %llu.%01llu s%s", (unsigned long long)(d / 1000),
		   (unsigned long long)(d % 1000 / 100),
		   s->auth_failed ? " (authentication failed: waiting longer)" : "");
	notify_send("STATUS=reconnecting: %s", s->error);
	s->state = SESSION_BACKOFF;
	s->deadline = now_ms(s) + d;
}

/* Everything that must happen after a callback returned: deferred
 * teardown, output, and the timer. */
static void session_after(struct session *s)
{
	if (s->ncp_lost) {
		s->ncp_lost = false;
		if (s->state == SESSION_UP && s->ppp && !s->ppp_dead) {
			s->state = SESSION_CLOSING;
			s->deadline = now_ms(s) + CLOSE_GRACE_MS;
			ppp_close(s->ppp, s->error, now_ms(s));
		}
	}
	if (s->state != SESSION_STOPPED && s->state != SESSION_IDLE && s->state != SESSION_BACKOFF) {
		if (!s->sstp_closed)
			flush_out(s);
		if (s->sstp_closed) {
			flush_final(s);
			session_teardown(s);
		}
	}
	session_rearm(s);
}

static void on_sock(void *arg, int fd, unsigned events)
{
	struct session *s = arg;
	if (s->handshaking) {
		int rc = tls_handshake(s->tls);
		if (rc == TLS_WANT_READ) {
			sock_want(s, LOOP_READ);
		} else if (rc == TLS_WANT_WRITE) {
			sock_want(s, LOOP_READ | LOOP_WRITE);
		} else if (rc < 0) {
			session_fail(s, "TLS handshake with %s failed: %s", cur_server(s), tls_error(s->tls));
		} else {
			s->handshaking = false;
			snprintf(s->tls_version, sizeof(s->tls_version), "%s", tls_version(s->tls));
			snprintf(s->tls_cipher, sizeof(s->tls_cipher), "%s", tls_cipher(s->tls));
			log_info("TLS established (%s, %s)", s->tls_version, s->tls_cipher);
			struct sstp_config sc = { 0 };
			sc.role = SSTP_CLIENT;
			sc.host = s->conf.server_name[0] ? s->conf.server_name : cur_server(s);
			sc.negotiation_ms = 60000;
			sc.hello_ms = s->conf.sstp_hello * 1000;
			sc.disconnect_ms = 5000;
			sc.hash_set = SSTP_CERT_HASH_SHA1 | SSTP_CERT_HASH_SHA256;
			static const struct sstp_ops ops = { sstp_send_cb, sstp_frame_cb, sstp_event_cb };
			if (!tls_cert_hashes(s->tls, sc.cert_sha1, sc.cert_sha256)) {
				session_fail(s, "cannot read the server certificate");
			} else if (!(s->sstp = sstp_new(&sc, &ops, s))) {
				session_fail(s, "out of memory");
			} else {
				snprintf(s->phase, sizeof(s->phase), "HTTP handshake");
				sock_want(s, LOOP_READ);
				sstp_start(s->sstp, now_ms(s));
				/* The reply may already be decrypted inside wolfSSL. */
				read_stream(s);
			}
		}
	} else {
		if ((events & LOOP_WRITE) && s->write_blocked) {
			flush_out(s);
			/* A super-packet half cut: the TUN may be empty and never
			 * wake us for the rest. */
			if (!s->write_blocked && s->gso.pkt)
				tun_input(s);
		}
		if ((events & LOOP_READ) || (s->tls && tls_pending(s->tls)))
			read_stream(s);
	}
	session_after(s);
}

static void on_dialed(void *arg, int fd, const struct sockaddr_storage *peer, const char *err);

/* CONNECTING: resolve, TCP, proxy (tls/dial.h) under the connect timeout;
 * the TLS handshake and everything after it follow in on_dialed. */
static void session_start_connect(struct session *s)
{
	const struct conf *c = &s->conf;
	s->state = SESSION_CONNECTING;
	s->error[0] = '\0';
	s->auth_failed = false;
	s->auth_retry = false;
	s->auth = PPP_AUTH_NONE;
	snprintf(s->phase, sizeof(s->phase), "resolving");
	snprintf(s->server_cur, sizeof(s->server_cur), "%s", list_server(s));
	s->deadline = now_ms(s) + (uint64_t)c->connect_timeout * 1000;
	if (s->reconnects++ > 0)
		log_notice("reconnecting to %s port %u", cur_server(s), c->port);
	else
		log_notice("connecting to %s port %u", cur_server(s), c->port);

	bool auth = c->proxy_user[0] != '\0';
	struct dial_params dp = { .host = cur_server(s), .port = c->port,
				  .proxy_host = c->proxy_host, .proxy_port = c->proxy_port,
				  .proxy_user = auth ? c->proxy_user : NULL,
				  .proxy_pass = auth ? c->proxy_password : NULL,
				  .timeout_ms = c->connect_timeout * 1000 };
	s->dial = dial_start(s->loop, &dp, on_dialed, s);
	if (!s->dial)
		session_fail(s, "out of memory");
}

/* The TCP connection is there (past the proxy): TLS, then SSTP and PPP. */
static void session_start_tls(struct session *s)
{
	const struct conf *c = &s->conf;
	char err[256];
	snprintf(s->phase, sizeof(s->phase), "TLS handshake");
	const char *name = c->server_name[0] ? c->server_name : cur_server(s);
	struct tls_client_config tc = { .server_name = name, .ca_file = c->ca_file[0] ? c->ca_file : NULL,
					.pins = (const uint8_t(*)[32])c->pins, .npins = c->npins,
					.cert_file = c->cert_file };
	eap_glue_pki(c, c->ca_pki ? c->ca_file : NULL, c->cert_pki ? c->cert_file : NULL, &tc);
	s->tls = tls_client_new(&tc, s->sock, err, sizeof(err));
	if (!s->tls) {
		session_fail(s, "%s", err);
		return;
	}
	struct ppp_config pc = { 0 };
	pc.role = PPP_CLIENT;
	pc.mru = (uint16_t)(c->mtu > 4091 ? 4091 : c->mtu);
	pc.username = c->username;
	pc.password = c->password;
	for (int i = 0; i < c->nauth && i < (int)(sizeof(pc.auth) / sizeof(pc.auth[0])); i++) {
		switch (c->auth[i]) {
		case CONF_AUTH_EAP_MSCHAPV2: pc.auth[i] = PPP_AUTH_EAP_MSCHAPV2; break;
		case CONF_AUTH_EAP_TLS: pc.auth[i] = PPP_AUTH_EAP_TLS; break;
		case CONF_AUTH_PEAP: pc.auth[i] = PPP_AUTH_PEAP; break;
		case CONF_AUTH_MSCHAPV2: pc.auth[i] = PPP_AUTH_MSCHAPV2; break;
		case CONF_AUTH_PAP: pc.auth[i] = PPP_AUTH_PAP; break;
		case CONF_AUTH_CHAP_MD5: pc.auth[i] = PPP_AUTH_CHAP_MD5; break;
		}
	}
	pc.auth_known = auth_memory_get(&s->auth_mem, cur_server(s), c->port);
	pc.eap_tls = &eap_glue_ops;
	pc.eap_tls_ctx = &s->conf;
	pc.ipv4 = true;
	pc.ipv6 = !c->ipv6_disable;
	pc.echo_interval_ms = c->keepalive_interval * 1000;
	pc.echo_failures = c->keepalive_failure;
	static const struct ppp_ops pops = { ppp_output_cb, ppp_event_cb, NULL };
	s->ppp = ppp_new(&pc, &pops, s);
	if (!s->ppp) {
		session_fail(s, "out of memory");
		return;
	}
	s->handshaking = true;
	s->sock_events = LOOP_READ | LOOP_WRITE;
	int rc = loop_add_fd(s->loop, s->sock, s->sock_events, on_sock, s);
	if (rc < 0) {
		session_fail(s, "epoll: %s", strerror(-rc));
		return;
	}
	s->state = SESSION_NEGOTIATING;
}

static void on_dialed(void *arg, int fd, const struct sockaddr_storage *peer, const char *err)
{
	struct session *s = arg;
	if (fd < 0) {
		session_fail(s, "%s", err);
	} else {
		char where[INET6_ADDRSTRLEN + 16];
		tcp_format_addr((const struct sockaddr *)peer, where, sizeof(where));
		log_info("TCP connected to %s after %llu ms%s", where,
			 (unsigned long long)(now_ms(s) + (uint64_t)s->conf.connect_timeout * 1000 - s->deadline),
			 s->conf.proxy_host[0] ? " (the proxy)" : "");
		s->sock = fd;
		s->peer = *peer;
		session_start_tls(s);
	}
	/* peer and err live in the dial: freed only now. */
	dial_free(s->dial);
	s->dial = NULL;
	session_after(s);
}

static void on_timer(void *arg, uint64_t now)
{
	struct session *s = arg;
	if (s->read_again)
		read_stream(s);
	if (s->sstp && sstp_deadline(s->sstp) <= now)
		sstp_timeout(s->sstp, now);
	if (s->ppp && ppp_deadline(s->ppp) <= now)
		ppp_timeout(s->ppp, now);
	if (s->deadline <= now) {
		s->deadline = UINT64_MAX;
		switch (s->state) {
		case SESSION_BACKOFF:
			session_start_connect(s);
			break;
		case SESSION_CONNECTING:
		case SESSION_NEGOTIATING:
			/* The dial names what it waited for at this same deadline. */
			if (s->dial)
				break;
			session_fail(s, "timed out after %u s in %s", s->conf.connect_timeout, s->phase);
			break;
		case SESSION_CLOSING:
			session_fail(s, "the server did not acknowledge the disconnect in time");
			break;
		default:
			break;
		}
	}
	session_after(s);
}

static void session_rearm(struct session *s)
{
	uint64_t d = s->read_again ? now_ms(s) : s->deadline;
	if (s->sstp) {
		uint64_t t = sstp_deadline(s->sstp);
		if (t < d)
			d = t;
	}
	if (s->ppp) {
		uint64_t t = ppp_deadline(s->ppp);
		if (t < d)
			d = t;
	}
	loop_timer_set(s->loop, &s->timer, d);
}

/* Ends the session politely: LCP Terminate, then CALL_DISCONNECT. */
static void session_close(struct session *s)
{
	uint64_t now = now_ms(s);
	switch (s->state) {
	case SESSION_NEGOTIATING:
	case SESSION_UP:
		s->state = SESSION_CLOSING;
		s->deadline = now + CLOSE_GRACE_MS;
		if (s->ppp && !s->ppp_dead)
			ppp_close(s->ppp, "administrative close", now);
		else if (s->sstp && !s->sstp_closed)
			sstp_disconnect(s->sstp, now);
		if (!s->sstp) /* still in the TLS handshake */
			s->sstp_closed = true;
		set_error(s, "closed by the administrator");
		break;
	case SESSION_CONNECTING:
		s->sstp_closed = true;
		break;
	case SESSION_BACKOFF:
	case SESSION_IDLE:
		if (s->stopping) {
			s->state = SESSION_STOPPED;
			loop_stop(s->loop);
		} else {
			s->state = SESSION_IDLE;
			s->deadline = UINT64_MAX;
		}
		break;
	default:
		break;
	}
	session_after(s);
}

/* The MSS targets follow the MTU and `ip adjust-mss`. */
static void session_set_mss(struct session *s)
{
	const struct conf *c = &s->conf;
	s->mss4 = s->mss6 = 0;
	if (c->adjust_mss < 0) {
		s->mss4 = (uint16_t)(c->mtu - 40);
		s->mss6 = (uint16_t)(c->mtu - 60);
	} else if (c->adjust_mss > 0) {
		s->mss4 = s->mss6 = (uint16_t)c->adjust_mss;
	}
}

/* The new configuration equals the running one but for the server list. */
static bool same_but_servers(const struct conf *o, struct conf *n)
{
	char server[sizeof(n->server)], servers[sizeof(n->servers)];
	int cnt = n->nservers;
	memcpy(server, n->server, sizeof(server));
	memcpy(servers, n->servers, sizeof(servers));
	memcpy(n->server, o->server, sizeof(server));
	memcpy(n->servers, o->servers, sizeof(servers));
	n->nservers = o->nservers;
	bool same = memcmp(n, o, sizeof(*n)) == 0;
	memcpy(n->server, server, sizeof(server));
	memcpy(n->servers, servers, sizeof(servers));
	n->nservers = cnt;
	return same;
}

static int server_index(const struct conf *c, const char *name)
{
	for (int i = 0; i < c->nservers; i++)
		if (strcmp(c->servers[i], name) == 0)
			return i;
	return -1;
}

/* SIGHUP: read the file again. An invalid file changes nothing (the tunnel
 * keeps running on what it has); a valid, different one is applied: the
 * device's own settings at once, everything else by reconnecting. */
static void session_reload(struct session *s)
{
	struct conf *n = malloc(sizeof(*n)); /* large; once per SIGHUP */
	char err[512];
	if (!n) {
		log_err("SIGHUP: out of memory: keeping the running configuration");
		return;
	}
	if (!s->conf.path[0]) {
		log_err("SIGHUP: the configuration did not come from a file: nothing to reload");
		goto out;
	}
	if (!conf_load(n, s->conf.path, err, sizeof(err))) {
		log_err("SIGHUP: %s: keeping the running configuration", err);
		goto out;
	}
	if (!conf_secrets_private(n, err, sizeof(err))) {
		log_err("SIGHUP: %s; keeping the running configuration", err);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		const char *script = i ? n->down_script : n->up_script;
		if (script[0] && !hooks_script_ok(script, err, sizeof(err))) {
			log_err("SIGHUP: %s: %s; keeping the running configuration", i ? "down-script" : "up-script", err);
			goto out;
		}
	}
	if (strcmp(n->ifname, s->conf.ifname) != 0) {
		log_err("SIGHUP: interface %s renamed to %s: needs a restart; keeping the running "
			"configuration", s->conf.ifname, n->ifname);
		goto out;
	}
	if (strcmp(n->vrf, s->conf.vrf) != 0) {
		log_warn("SIGHUP: a changed vrf takes effect at the next start");
		memcpy(n->vrf, s->conf.vrf, sizeof(n->vrf));
	}
	if (memcmp(n, &s->conf, sizeof(*n)) == 0) {
		log_notice("SIGHUP: configuration unchanged");
		goto out;
	}
	struct conf *o = &s->conf;
	/* A changed server list alone keeps a session whose server is still
	 * listed; otherwise a reconnect starts with the same server, or with
	 * the first when it was removed. */
	int idx = server_index(n, cur_server(s));
	bool keep = idx >= 0 && same_but_servers(o, n);
	if (n->log_level != o->log_level)
		log_set_level((enum log_level)n->log_level);
	int rc;
	if (strcmp(n->description, o->description) != 0 &&
	    (rc = nl_link_set_alias(s->ifindex, n->description)) < 0)
		log_err("SIGHUP: cannot set the description: %s", strerror(-rc));
	if (n->mtu != o->mtu && (rc = nl_link_set_mtu(s->ifindex, n->mtu)) < 0)
		log_err("SIGHUP: cannot set MTU %u: %s", n->mtu, strerror(-rc));
	bool was_disabled = o->disable;
	*o = *n;
	s->srv = idx >= 0 ? idx : 0;
	session_set_mss(s);
	log_notice("SIGHUP: configuration reloaded");
	if (o->disable && !was_disabled) {
		s->admin_down = true;
		if (s->ifindex > 0)
			nl_link_set_up(s->ifindex, false);
		session_close(s);
	} else if (!o->disable && was_disabled) {
		s->admin_down = false;
		s->fails = s->round_tries = 0;
		if (s->state == SESSION_IDLE || s->state == SESSION_BACKOFF) {
			session_start_connect(s);
			session_after(s);
		} else {
			s->restart = true; /* still closing: teardown reconnects */
		}
	} else if (s->state == SESSION_BACKOFF) {
		s->fails = s->round_tries = 0;
		s->deadline = now_ms(s);
		session_after(s);
	} else if (keep) {
		log_notice("SIGHUP: the server in use, %s, is still in the list: session kept", cur_server(s));
	} else if (s->state != SESSION_IDLE && s->state != SESSION_STOPPED) {
		/* Routes, DNS, keepalive, server, credentials: all are set up
		 * while connecting, so a clean reconnect applies every one. */
		s->restart = true;
		session_close(s);
	}
out:
	secure_wipe(n, sizeof(*n)); /* the password */
	free(n);
}

static void on_signal(void *arg, int signo)
{
	struct session *s = arg;
	if (signo == SIGTERM || signo == SIGINT) {
		log_notice("%s: closing the tunnel", signo == SIGTERM ? "SIGTERM" : "SIGINT");
		s->stopping = true;
		if (s->nc)
			netcfg_set_stopping(s->nc); /* DNS helpers: no long waits */
		notify_send("STOPPING=1");
		session_close(s);
	} else if (signo == SIGHUP && !s->stopping) {
		log_notice("SIGHUP: reloading %s", s->conf.path);
		notify_send("RELOADING=1");
		session_reload(s);
		notify_send("READY=1");
	}
}

bool session_connect(struct session *s, char *err, size_t errlen)
{
	if (s->conf.disable) {
		snprintf(err, errlen, "%s is disabled in its configuration (remove `disable` and reload)",
			 s->conf.ifname);
		return false;
	}
	s->admin_down = false;
	if (s->state == SESSION_IDLE || s->state == SESSION_BACKOFF) {
		s->fails = s->round_tries = 0;
		session_start_connect(s);
		session_after(s);
	}
	return true;
}

bool session_reconnect(struct session *s, char *err, size_t errlen)
{
	if (s->conf.disable) {
		snprintf(err, errlen, "%s is disabled in its configuration: it is not connected",
			 s->conf.ifname);
		return false;
	}
	log_notice("clear interfaces connection: reconnecting now");
	s->admin_down = false;
	if (s->state == SESSION_IDLE || s->state == SESSION_BACKOFF) {
		s->fails = s->round_tries = 0;
		session_start_connect(s);
		session_after(s);
	} else if (s->state != SESSION_STOPPED) {
		s->restart = true; /* the teardown starts the new session at once */
		s->restart_why = "at the administrator's request";
		session_close(s);
	}
	return true;
}

bool session_disconnect(struct session *s, char *err, size_t errlen)
{
	if (s->conf.disable) {
		snprintf(err, errlen, "%s is disabled in its configuration: it is not connected",
			 s->conf.ifname);
		return false;
	}
	s->admin_down = true;
	session_close(s);
	return true;
}

/* A sysctl the configuration asked for by name must be settable: in a
 * container /proc/sys is read-only, in an empty root there is none. The
 * other sysctls only say so and go on (`ip disable-forwarding` is also
 * enforced in the data path); strict or loose IPv4 source validation has
 * no such stand-in, so its absence is a setup error, named at start. */
static bool rp_filter_writable(const struct conf *c, char *err, size_t errlen)
{
	if (c->source_validation != CONF_SRCVALID_STRICT && c->source_validation != CONF_SRCVALID_LOOSE)
		return true;
	char path[96];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter", c->ifname);
	if (access(path, W_OK) == 0)
		return true;
	snprintf(err, errlen,
		 "ip source-validation %s: cannot write net.ipv4.conf.%s.rp_filter (%s: no writable /proc/sys, "
		 "as in a container); remove the key to run without it",
		 c->source_validation == CONF_SRCVALID_STRICT ? "strict" : "loose", c->ifname, strerror(errno));
	return false;
}

struct session *session_new(const struct conf *c, struct loop *l, char *err, size_t errlen)
{
	struct session *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->conf = *c;
	s->loop = l;
	s->sock = -1;
	s->tun_fd = -1;
	s->deadline = UINT64_MAX;
	s->out = malloc(OUT_CAP);
	s->in_alloc = malloc(IN_HEADROOM + IN_CAP);
	s->gso_buf = malloc(GSO_BUF);
	s->in = s->in_alloc ? s->in_alloc + IN_HEADROOM : NULL;
	if (!s->out || !s->in || !s->gso_buf) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	loop_timer_init(&s->timer, on_timer, s);
	loop_timer_init(&s->slaac_timer, on_slaac_timer, s);
	loop_timer_init(&s->up_hook_timer, on_up_hook_timer, s);
	s->hooks = hooks_new(l);
	if (!s->hooks) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	session_set_mss(s);
	if (!tls_global_init()) {
		snprintf(err, errlen, "TLS library initialisation failed");
		goto fail;
	}

	int vrf_index = 0;
	uint32_t vrf_table = 0;
	if (c->vrf[0] && !nl_link_is_vrf(c->vrf, &vrf_index)) {
		snprintf(err, errlen, "vrf %s: no such VRF device (create it first: ip link add %s type vrf table N)",
			 c->vrf, c->vrf);
		goto fail;
	}
	/* Our routes through the tunnel belong in the VRF's table (where the
	 * kernel puts the connected ones), not in main. */
	if (vrf_index > 0 && !(vrf_table = nl_link_vrf_table(vrf_index))) {
		snprintf(err, errlen, "vrf %s: cannot read its routing table", c->vrf);
		goto fail;
	}
	/* Offloads are the default; SSTPC_NO_OFFLOAD=1 is the escape hatch
	 * (docs/tun.md). */
	const char *no = getenv("SSTPC_NO_OFFLOAD");
	s->tun_fd = tun_open_offload(c->ifname, !(no && *no && strcmp(no, "0") != 0), &s->ifindex,
				     &s->vnet, err, errlen);
	if (s->tun_fd < 0) {
		s->tun_fd = -1;
		goto fail;
	}
	log_info("%s: TUN offloads %s", c->ifname,
		 s->vnet ? "on (TSO, checksum)" : "off (one packet per read)");
	int rc = nl_link_set_mtu(s->ifindex, c->mtu);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot set MTU %u: %s", c->ifname, c->mtu, strerror(-rc));
		goto fail;
	}
	if (c->description[0] && (rc = nl_link_set_alias(s->ifindex, c->description)) < 0) {
		snprintf(err, errlen, "%s: cannot set the description: %s", c->ifname, strerror(-rc));
		goto fail;
	}
	if (vrf_index > 0 && (rc = nl_link_set_master(s->ifindex, vrf_index)) < 0) {
		snprintf(err, errlen, "%s: cannot enslave to vrf %s: %s", c->ifname, c->vrf, strerror(-rc));
		goto fail;
	}
	if (!rp_filter_writable(c, err, errlen))
		goto fail;
	s->nc = netcfg_new(c->ifname, s->ifindex);
	if (!s->nc) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	netcfg_set_route_table(s->nc, vrf_table);
	netcfg_set_state_dir(s->nc, control_dir()); /* restores resolv.conf after a crash */
	rc = loop_add_fd(l, s->tun_fd, 0, on_tun, s);
	if (rc < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-rc));
		goto fail;
	}
	loop_add_signal(l, SIGTERM, on_signal, s);
	loop_add_signal(l, SIGINT, on_signal, s);
	loop_add_signal(l, SIGHUP, on_signal, s);
	return s;
fail:
	session_free(s);
	return NULL;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	hooks_free(s->hooks); /* a down-script gets its time while the device still exists */
	loop_timer_cancel(s->loop, &s->up_hook_timer);
	if (s->ppp)
		ppp_free(s->ppp);
	if (s->sstp)
		sstp_free(s->sstp);
	if (s->tls)
		tls_free(s->tls);
	dial_free(s->dial);
	if (s->sock >= 0) {
		loop_del_fd(s->loop, s->sock);
		close(s->sock);
	}
	if (s->nc)
		netcfg_free(s->nc);
	fwd_policy_stop(s);
	loop_timer_cancel(s->loop, &s->timer);
	loop_timer_cancel(s->loop, &s->slaac_timer);
	if (s->tun_fd >= 0) {
		loop_del_fd(s->loop, s->tun_fd);
		close(s->tun_fd);
		tun_delete(s->conf.ifname);
	}
	free(s->out);
	free(s->in_alloc);
	free(s->gso_buf);
	secure_wipe(&s->conf, sizeof(s->conf)); /* the password */
	free(s);
}

int session_run(struct session *s)
{
	if (s->conf.disable) {
		log_notice("%s is disabled: administratively down, not connecting", s->conf.ifname);
		s->admin_down = true;
		s->state = SESSION_IDLE;
		notify_send("READY=1\nSTATUS=disabled");
	} else {
		session_start_connect(s);
		session_after(s);
	}
	if (s->state != SESSION_STOPPED)
		loop_run(s->loop);
	return s->exit_code;
}

void session_describe(struct session *s, char *buf, size_t len, bool json)
{
	char l4[INET_ADDRSTRLEN] = "", p4[INET_ADDRSTRLEN] = "";
	if (s->ipcp_up) {
		inet_ntop(AF_INET, &s->local4, l4, sizeof(l4));
		inet_ntop(AF_INET, &s->peer4, p4, sizeof(p4));
	}
	char l6[INET6_ADDRSTRLEN] = "", p6[INET6_ADDRSTRLEN] = "";
	if (s->ipv6cp_up) {
		uint8_t a[16] = { 0xfe, 0x80 };
		memcpy(a + 8, s->local6, 8);
		inet_ntop(AF_INET6, a, l6, sizeof(l6));
		memcpy(a + 8, s->peer6, 8);
		inet_ntop(AF_INET6, a, p6, sizeof(p6));
	}
	char peer[INET6_ADDRSTRLEN] = "";
	if (s->peer.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&s->peer)->sin_addr, peer, sizeof(peer));
	else if (s->peer.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&s->peer)->sin6_addr, peer, sizeof(peer));
	uint64_t up = s->state == SESSION_UP ? (now_ms(s) - s->up_since) / 1000 : 0;
	const char *bind = s->binding_hash == SSTP_CERT_HASH_SHA256 ? "SHA-256"
			   : s->binding_hash == SSTP_CERT_HASH_SHA1 ? "SHA-1"
								     : "";
	char list[CONF_MAX_SERVERS * 260] = "";
	for (int i = 0, o = 0; i < s->conf.nservers; i++) {
		int k = snprintf(list + o, sizeof(list) - (size_t)o, json ? "%s\"%s\"" : "%s%s", i ? (json ? "," : " ") : "",
				 s->conf.servers[i]);
		if (k > 0 && (size_t)k < sizeof(list) - (size_t)o)
			o += k;
	}
	char err[sizeof(s->error)];
	/* error texts are ours, but keep JSON valid regardless */
	size_t j = 0;
	for (size_t i = 0; s->error[i] && j + 1 < sizeof(err); i++)
		err[j++] = (s->error[i] == '"' || s->error[i] == '\\' || (unsigned char)s->error[i] < 32)
				   ? '\''
				   : s->error[i];
	err[j] = '\0';
	if (json)
		snprintf(buf, len,
			 "\"state\":\"%s\",\"server\":\"%s\",\"server_address\":\"%s\",\"port\":%u,"
			 "\"tls_version\":\"%s\",\"tls_cipher\":\"%s\",\"auth\":\"%s\","
			 "\"crypto_binding\":\"%s\",\"local_ipv4\":\"%s\",\"peer_ipv4\":\"%s\","
			 "\"local_ipv6\":\"%s\",\"peer_ipv6\":\"%s\","
			 "\"uptime\":%llu,\"reconnects\":%u,\"dropped\":%llu,\"forward_dropped\":%llu,"
			 "\"last_error\":\"%s\",\"servers\":[%s],\"server_index\":%d", session_state_name(s->state), cur_server(s), peer, s->conf.port,
		 s->tls_version, s->tls_cipher, s->auth ? ppp_auth_name(s->auth) : "", bind, l4, p4, l6, p6,
		 (unsigned long long)up, s->reconnects > 0 ? s->reconnects - 1 : 0,
		 (unsigned long long)s->drops, (unsigned long long)s->fwd_drops, err, list,
		 server_index(&s->conf, cur_server(s)));
	else
		snprintf(buf, len,
			 "    state %s\n    server %s (%s) port %u\n    tls %s %s\n    auth %s\n"
			 "    crypto-binding %s\n    ipv4 %s peer %s\n    ipv6 %s peer %s\n    uptime %llu s\n"
			 "    reconnects %u\n    dropped %llu\n    forward-dropped %llu\n    last-error %s\n    servers %s\n", session_state_name(s->state), cur_server(s), peer, s->conf.port,
		 s->tls_version, s->tls_cipher, s->auth ? ppp_auth_name(s->auth) : "", bind, l4, p4, l6, p6,
		 (unsigned long long)up, s->reconnects > 0 ? s->reconnects - 1 : 0,
		 (unsigned long long)s->drops, (unsigned long long)s->fwd_drops, err, list);
}
