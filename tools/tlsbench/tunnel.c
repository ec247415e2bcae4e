/* tlsbench's tunnel mode: the floor for any TLS tunnel through a TUN.
 *
 * Each end opens a TUN with the offloads sstpc uses (IFF_VNET_HDR, TSO,
 * checksum) and moves every TUN read, a virtio-net header and a packet of
 * up to 64 KiB as the kernel's TSO hands it out, through the TLS stream
 * behind a 4-byte length; the other end writes it to its own TUN as it
 * came. No segmenting, no checksums, no framing protocol, no PPP: the
 * kernel work of a tunnel (the inner TCP's send and receive, the TUN
 * copies, the wake-ups) and the TLS work, and nothing else. SSTP cannot
 * carry a 64 KiB packet (one IP packet per frame, each within the MRU), so
 * this is a floor no SSTP client can reach; how far sstpc stays above it
 * is what SSTP and sstpc add. tools/bench/run.sh runs iperf3 through it.
 * Both ends run until the stream ends or they are signalled. */
#include "tlsbench.h"

#include "core/bytes.h"
#include "tun/tun.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A TUN read: the virtio-net header (at most 12 bytes), then the packet
 * (at most 64 KiB with TSO). */
#define TUNNEL_PACKET_MAX (65536 + 64)
#define TUNNEL_LEN_BYTES 4
/* Outgoing frames are gathered until this much is waiting (one 64 KiB
 * super-packet, or a run of small ones such as ACKs), as sstpc gathers. */
#define TUNNEL_OUT_FLUSH (64 * 1024)
#define TUNNEL_OUT_CAP (TUNNEL_OUT_FLUSH + TUNNEL_LEN_BYTES + TUNNEL_PACKET_MAX)
/* Frames left over at the end of the buffer move to its front when a
 * whole one might no longer fit behind them: with 1 MiB that is under 4%
 * of the bytes moved once more (a read is one record, 16 KiB). */
#define TUNNEL_IN_CAP (1024 * 1024)

struct tunnel {
	struct tls *t;
	int tun;
	bool read_wants_write; /* tls_read's last answer was TLS_WANT_WRITE */
	bool write_blocked;    /* tls_write's last answer was TLS_WANT_WRITE */
	size_t out_off;	       /* frames in out[out_off, out_len) still to write */
	size_t out_len;
	size_t in_off; /* in[in_off, in_len) is not yet written to the TUN */
	size_t in_len;
	uint64_t tun_drops; /* TUN writes the kernel refused */
	uint8_t out[TUNNEL_OUT_CAP];
	uint8_t in[TUNNEL_IN_CAP];
};

static struct tunnel tunnel;

/* Gathers TUN reads behind their lengths until the flush size or EAGAIN. */
static void tunnel_fill(struct tunnel *k)
{
	while (k->out_len < TUNNEL_OUT_FLUSH) {
		uint8_t *p = k->out + k->out_len;
		ssize_t n = read(k->tun, p + TUNNEL_LEN_BYTES, TUNNEL_PACKET_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			tlsbench_die("TUN read failed", NULL);
		be32_put(p, (uint32_t)n);
		k->out_len += TUNNEL_LEN_BYTES + (size_t)n;
	}
}

/* Writes what is gathered; stops at TLS_WANT_* (retried with the same
 * buffer and length, as tls_write asks). */
static void tunnel_flush(struct tunnel *k)
{
	while (k->out_off < k->out_len) {
		ssize_t n = tls_write(k->t, k->out + k->out_off, k->out_len - k->out_off);
		if (n == TLS_WANT_WRITE || n == TLS_WANT_READ) {
			k->write_blocked = n == TLS_WANT_WRITE;
			return;
		}
		if (n <= 0)
			tlsbench_die("TLS write", k->t);
		k->out_off += (size_t)n;
	}
	k->out_off = k->out_len = 0;
	k->write_blocked = false;
}

/* Writes every whole frame in in[] to the TUN and keeps the rest. */
static void tunnel_deliver(struct tunnel *k)
{
	struct reader r;
	rd_init(&r, k->in + k->in_off, k->in_len - k->in_off);
	for (;;) {
		struct reader frame = r; /* r moves on only past whole frames */
		uint32_t len = rd_be32(&frame);
		if (!rd_ok(&frame))
			break;
		if (len == 0 || len > TUNNEL_PACKET_MAX) {
			fprintf(stderr, "tlsbench: tunnel frame of %u bytes (at most %d)\n", len,
				TUNNEL_PACKET_MAX);
			tlsbench_die("bad tunnel frame", NULL);
		}
		const uint8_t *pkt = rd_take(&frame, len);
		if (!pkt)
			break;
		if (write(k->tun, pkt, len) != (ssize_t)len)
			k->tun_drops++;
		r = frame;
	}
	size_t off = k->in_len - rd_left(&r);
	k->in_off = off;
	if (off == k->in_len) {
		k->in_off = k->in_len = 0;
	} else if (sizeof(k->in) - k->in_len < TUNNEL_LEN_BYTES + TUNNEL_PACKET_MAX) {
		memmove(k->in, k->in + off, k->in_len - off);
		k->in_len -= off;
		k->in_off = 0;
	}
}

/* Reads the stream until TLS has nothing more; false once the peer has
 * closed it. */
static bool tunnel_receive(struct tunnel *k)
{
	for (;;) {
		ssize_t n = tls_read(k->t, k->in + k->in_len, sizeof(k->in) - k->in_len);
		k->read_wants_write = n == TLS_WANT_WRITE;
		if (n == TLS_WANT_READ || n == TLS_WANT_WRITE)
			return true;
		if (n == 0)
			return false;
		if (n < 0)
			tlsbench_die("TLS read", k->t);
		k->in_len += (size_t)n;
		tunnel_deliver(k);
	}
}

/* The relay until the stream ends. */
static void tunnel_run(struct tunnel *k)
{
	int fd = tls_fd(k->t);
	printf("tunnel up\n");
	fflush(stdout);
	for (;;) {
		bool pollout = k->read_wants_write || k->write_blocked;
		struct pollfd p[2] = {
		    {.fd = fd, .events = POLLIN | (pollout ? POLLOUT : 0)},
		    /* a TUN read only when the last frames are out */
		    {.fd = k->tun, .events = k->out_len ? 0 : POLLIN},
		};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			tlsbench_die("poll", NULL);
		}
		bool readable = p[0].revents & (POLLIN | POLLERR | POLLHUP);
		if ((readable || (k->read_wants_write && p[0].revents)) && !tunnel_receive(k))
			break;
		/* A write that waited for the socket (either way: TLS may
		 * need to read first) is retried on any event of it. */
		if (k->out_len && p[0].revents)
			tunnel_flush(k);
		if (p[1].revents & POLLIN) {
			tunnel_fill(k);
			tunnel_flush(k);
		}
	}
	fprintf(stderr, "tlsbench: tunnel ended (%llu TUN writes refused)\n",
		(unsigned long long)k->tun_drops);
}

int tlsbench_tun_open(const char *name)
{
	char err[256];
	int ifindex;
	bool vnet = false;
	int fd = tun_open_offload(name, true, &ifindex, &vnet, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "tlsbench: %s\n", err);
		exit(1);
	}
	if (!vnet)
		tlsbench_die("this kernel's TUN takes no offloads: no floor to measure", NULL);
	return fd;
}

void tlsbench_tunnel(struct tls *t, int tun)
{
	tunnel.t = t;
	tunnel.tun = tun;
	tunnel_run(&tunnel);
}
