/* sstpd: the server's one TUN device, opened with offloads like sstpc's
 * (IFF_VNET_HDR, checksum + TSO: tun/tun.h) unless told not to. Reads
 * come behind a virtio_net_hdr: a plain packet gets its partial checksum
 * finished here, a TSO super-packet goes to the client's connection to be
 * cut (conn_queue_tso). Writes from the clients go through GRO (tun/gro.h)
 * and leave at the end of each client's read batch. Without offloads:
 * one plain read and write per packet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/log.h"
#include "sstpd.h"
#include "tun/gro.h"
#include "tun/tun.h"

/* SSTPC_NO_OFFLOAD=1 is the same escape hatch as sstpc's. */
static bool offload_wanted(const struct sstpd_opts *o)
{
	const char *no = getenv("SSTPC_NO_OFFLOAD");
	return !o->no_offload && !(no && *no && strcmp(no, "0") != 0);
}

bool sstpd_tun_open(struct sstpd_tun *t, const struct sstpd_opts *o, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->buf = malloc(SSTPD_TSO_BUF);
	if (!t->buf) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	int fd = tun_open_offload(o->tun, offload_wanted(o), &t->ifindex, &t->vnet, err, errlen);
	if (fd < 0)
		return false;
	t->fd = fd;
	if (t->vnet && !(t->gro = malloc(sizeof(*t->gro)))) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (t->gro)
		gro_init(t->gro);
	log_info("%s: TUN offloads %s", o->tun,
		 t->vnet ? "on (TSO, checksum, GRO)" : "off (one packet per read)");
	return true;
}

void sstpd_tun_close(struct sstpd_tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	free(t->gro);
	free(t->buf);
	t->gro = NULL;
	t->buf = NULL;
}

ssize_t sstpd_tun_read(struct sstpd_tun *t, struct gso_vnet *v)
{
	memset(v, 0, sizeof(*v));
	if (!t->vnet)
		return read(t->fd, t->buf, SSTPD_TSO_BUF);
	uint8_t vh[GSO_VNET_HDR_LEN];
	struct iovec iov[2] = {{vh, sizeof(vh)}, {t->buf, SSTPD_TSO_BUF}};
	ssize_t n = readv(t->fd, iov, 2);
	if (n <= 0)
		return -1; /* errno as readv left it */
	struct reader r;
	rd_init(&r, vh, (size_t)n < sizeof(vh) ? (size_t)n : sizeof(vh));
	/* A read that filled the buffer may have been cut short. */
	if (!gso_vnet_parse(&r, v) || (size_t)n == sizeof(vh) + SSTPD_TSO_BUF)
		return 0;
	size_t len = (size_t)n - sizeof(vh);
	if (v->gso_type == VIRTIO_NET_HDR_GSO_NONE && !gso_csum_complete(t->buf, len, v))
		return 0;
	return (ssize_t)len;
}

/* One TUN packet of GRO's: iov[0] is the virtio header. */
static void gro_emit(void *ctx, const struct iovec *iov, int iovcnt)
{
	struct sstpd_tun *t = ctx;
	if (writev(t->fd, iov, iovcnt) < 0)
		log_debug("TUN write: %s", strerror(errno));
}

void sstpd_tun_write(struct sstpd_tun *t, const uint8_t *pkt, size_t len)
{
	if (len == 0)
		return;
	if (t->gro) {
		if (!gro_put(t->gro, pkt, len, gro_emit, t))
			log_debug("TUN write: a %zu-byte packet does not fit GRO", len);
		return;
	}
	if (write(t->fd, pkt, len) < 0)
		log_debug("TUN write: %s", strerror(errno));
}

void sstpd_tun_flush(struct sstpd_tun *t)
{
	if (t->gro)
		gro_flush(t->gro, gro_emit, t);
}
