/* The TUN side of the client's data path: packets read from the TUN
 * (offloads: TSO super-packets cut into segments by tun/gso.c) go into the
 * link's output in place; packets from the link go to the TUN behind a
 * virtio header, through source validation, the forwarding policy and MSS
 * clamping; router advertisements are noted for SLAAC. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/log.h"
#include "session/session_internal.h"
#include "tun/gro.h"
#include "tun/hostaddr.h"
#include "tun/mss.h"
#include "tun/netcfg.h"
#include "tun/ra.h"

static uint64_t now_ms(struct session *s)
{
	return loop_now(s->loop);
}

/* Not reading, the TUN is still watched (LOOP_WATCH), so that its device
 * deleted while the tunnel connects, closes or waits to reconnect stops
 * us at once (docs/tun.md). Only the back-pressure of the data path sets
 * no interest at all: a wakeup per packet queued behind a blocked TLS
 * socket would cost, and reading resumes (and sees the error) when it
 * unblocks. */
void tun_want(struct session *s, bool reading)
{
	unsigned ev = reading ? LOOP_READ : s->link && link_blocked(s->link) ? 0 : LOOP_WATCH;
	if (ev != s->tun_events && !s->tun_lost) {
		loop_mod_fd(s->loop, s->tun_fd, ev);
		s->tun_events = ev;
	}
}

/* Back-pressure: the TUN is read only while TLS takes more. */
void link_blocked_cb(void *ctx, bool blocked)
{
	struct session *s = ctx;
	tun_want(s, !blocked && s->state == SESSION_UP && !link_ending(s->link));
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
	if (slaac_note(&s->at.slaac, &ra, now_ms(s)))
		loop_timer_set(s->loop, &s->slaac_timer, slaac_deadline(&s->at.slaac));
}

/* Applies what the RAs asked since the last batch: each autonomous /64
 * becomes prefix::<our IPV6CP id>/64 with the RA's lifetimes. */
void on_slaac_timer(void *arg, uint64_t now)
{
	struct session *s = arg;
	struct slaac_entry e;
	enum slaac_op op;
	bool batch = false;
	while ((op = slaac_next(&s->at.slaac, now, &e)) != SLAAC_NONE) {
		uint8_t addr[16];
		char a[INET6_ADDRSTRLEN];
		memcpy(addr, e.prefix, 8);
		memcpy(addr + 8, s->local6, 8);
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		int rc = s->nc ? netcfg_addr6_slaac(s->nc, e.prefix, s->local6,
						    op == SLAAC_SET ? e.valid : 0, e.preferred)
			       : -ENODEV;
		batch |= op != SLAAC_EXPIRED;
		slaac_done(&s->at.slaac, e.prefix, rc >= 0, now);
		if (rc < 0)
			log_err("IPv6 address %s/64 from router advertisement: %s", a,
				strerror(-rc));
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
		slaac_batch_done(&s->at.slaac, now);
	if (s->at.slaac.refused != s->at.slaac.refused_logged) {
		log_warn("router advertisements: %llu new prefixes ignored, at most %d at once",
			 (unsigned long long)(s->at.slaac.refused - s->at.slaac.refused_logged),
			 SLAAC_MAX);
		s->at.slaac.refused_logged = s->at.slaac.refused;
	}
	if (s->ha)
		hostaddr_input(s->ha);
	loop_timer_set(s->loop, &s->slaac_timer, slaac_deadline(&s->at.slaac));
}

/* One TUN packet of GRO's: iov[0] the virtio header. */
static void gro_emit(void *ctx, const struct iovec *iov, int iovcnt)
{
	struct session *s = ctx;
	if (writev(s->tun_fd, iov, iovcnt) < 0)
		s->drops++;
}

/* IP packet from the server: straight to the TUN device. */
static void deliver_ip(struct session *s, uint8_t *pkt, size_t len)
{
	if (len == 0)
		return;
	if (s->at.sv6.mode != SRCVALID_OFF && pkt[0] >> 4 == 6 && len >= 40 &&
	    !srcvalid_check6(&s->at.sv6, pkt + 8)) {
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
	if (s->gro) { /* written at the batch's end (link_rx_batch_end_cb) */
		if (!gro_put(s->gro, pkt, len, gro_emit, s))
			s->drops++;
		return;
	}
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

/* The TUN fd failed (the device was deleted under us, in any state): epoll
 * would report the error forever, so stop, undoing what we changed. No
 * reconnect: without its device the tunnel has nowhere to go. */
static void tun_gone(struct session *s, int err)
{
	/* EBADFD is how a TUN fd reports its device deleted */
	if (err == EBADFD)
		snprintf(s->error, sizeof(s->error), "%s: the TUN device was deleted",
			 s->conf.ifname);
	else
		snprintf(s->error, sizeof(s->error), "%s: the TUN device failed (%s)",
			 s->conf.ifname, strerror(err));
	log_err("%s: stopping", s->error);
	loop_del_fd(s->loop, s->tun_fd);
	s->tun_events = 0;
	s->tun_lost = true;
	s->exit_code = 1;
	s->stopping = true;
}

/* Cuts the pending super-packet into segments, each written straight
 * behind its SSTP+PPP header in the link's output. False if TLS cannot
 * take more: the rest stays pending until the socket is writable. */
static bool gso_drain(struct session *s)
{
	size_t n;
	while ((n = gso_next_len(&s->gso)) > 0) {
		uint8_t *ip = link_data_buf(s->link, n);
		if (!ip)
			return false;
		struct writer w;
		wr_init(&w, ip, n);
		if (!gso_next(&s->gso, &w))
			break; /* cannot happen: room was checked */
		link_data_commit(s->link, (uint16_t)s->gso_proto, n);
		if (link_blocked(s->link))
			break;
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
	    {vh, sizeof(vh)},
	    {ip, MAX_IP_PACKET},
	    {s->gso_buf + MAX_IP_PACKET, GSO_BUF - MAX_IP_PACKET},
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
	s->gso_proto = link_ip_proto(s->link, ver);
	if (s->gso_proto) {
		if (gso_start(&s->gso, &v, s->gso_buf, len, max_seg))
			return 0;
	}
	s->gso.pkt = NULL;
	s->drops++;
	return 0;
}

/* TUN → server: read until the TUN is empty or a record is full, each
 * packet in place in the link's output behind room for its SSTP+PPP
 * header, then one TLS write. */
void tun_input(struct session *s)
{
	struct link *l = s->link;
	for (int i = 0;
	     i < TUN_BUDGET && s->state == SESSION_UP && !link_ending(l) && !link_blocked(l); i++) {
		if (s->gso.pkt && !gso_drain(s))
			break;
		uint8_t *ip = link_data_buf(l, MAX_IP_PACKET);
		if (!ip)
			break;
		ssize_t n;
		if (s->vnet) {
			n = tun_read_vnet(s, ip);
			if (n == 0)
				continue; /* dropped, or a super-packet now pending */
		} else {
			n = read(s->tun_fd, ip, MAX_IP_PACKET);
		}
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				tun_gone(s, errno);
				session_close(s);
				return;
			}
			break; /* EAGAIN: the TUN is empty */
		}
		uint16_t proto = link_ip_proto(l, ip[0] >> 4);
		if (!proto) {
			s->drops++;
			continue;
		}
		if (s->mss4)
			mss_clamp(ip, (size_t)n, s->mss4, s->mss6);
		link_data_commit(l, proto, (size_t)n);
	}
	if (s->gso.pkt && !link_blocked(l))
		gso_drain(s); /* the budget ran out mid super-packet */
	link_flush(l);	      /* the TUN is empty (or the budget spent): no added latency */
}

void on_tun(void *arg, int fd, unsigned events)
{
	struct session *s = arg;
	if (s->state != SESSION_UP || !s->link || link_ending(s->link) || link_blocked(s->link)) {
		/* With no interest set only an error wakes us, but a readiness
		 * event can still arrive from the same epoll batch, queued
		 * before the link blocked: reading then would drop a packet.
		 * It stays queued for when reading resumes. */
		if (!(events & LOOP_ERROR))
			return;
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

void link_data_cb(void *ctx, uint8_t *pkt, size_t len)
{
	deliver_ip(ctx, pkt, len);
}

void link_rx_batch_end_cb(void *ctx)
{
	struct session *s = ctx;
	if (s->gro)
		gro_flush(s->gro, gro_emit, s);
}
