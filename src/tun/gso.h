/* TUN offloads (IFF_VNET_HDR): every packet read from the TUN comes behind
 * a virtio_net_hdr. With TSO on, a TCP packet may be a "super-packet" of up
 * to 64 KiB that the segmenter here cuts into MTU-sized IP packets; with
 * checksum offload on, the TCP/UDP checksum may be left for us to finish.
 * Pure functions over caller-owned buffers: no I/O, no allocation. */
#ifndef SSTPC_TUN_GSO_H
#define SSTPC_TUN_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

/* sizeof(struct virtio_net_hdr): what TUNSETVNETHDRSZ is set to. */
#define GSO_VNET_HDR_LEN 10
/* The longest IP + TCP header: both with the most options. */
#define GSO_MAX_HDR (60 + 60)
/* Values of linux/virtio_net.h, named as there. */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_GSO_NONE 0
#define VIRTIO_NET_HDR_GSO_TCPV4 1
#define VIRTIO_NET_HDR_GSO_UDP 3
#define VIRTIO_NET_HDR_GSO_TCPV6 4
#define VIRTIO_NET_HDR_GSO_ECN 0x80

struct gso_vnet {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

/* Reads the 10-byte header (host byte order, as the TUN writes it without
 * TUNSETVNETLE/BE). False if the reader is short. */
bool gso_vnet_parse(struct reader *r, struct gso_vnet *v);

/* For a packet that is not GSO: finishes the checksum the kernel left
 * partial (NEEDS_CSUM: a pseudo-header sum sits in the field at
 * csum_start + csum_offset; the one's complement of the sum of everything
 * from csum_start is stored there). A no-op without NEEDS_CSUM. False (drop
 * the packet) if the offsets do not fit the packet. */
bool gso_csum_complete(uint8_t *pkt, size_t len, const struct gso_vnet *v);

/* Segmentation of one TCP super-packet (IPv4 or IPv6, no IPv6 extension
 * headers). */
struct gso {
	const uint8_t *pkt;
	size_t len;
	size_t thoff; /* where TCP starts */
	size_t hl;    /* IP + TCP header length, copied into every segment */
	size_t off;   /* payload offset (from pkt) of the next segment */
	size_t mss;
	uint32_t seq;
	uint16_t id;
	uint16_t ip_sum; /* IPv4 header words the same in every segment */
	/* the pseudo header's addresses and protocol, and the TCP header
	 * words the same in every segment */
	uint16_t th_sum;
	bool v6;
};

/* Validates the header and the packet: gso_type TCPV4/TCPV6 matching the
 * IP version, a TCP header inside the packet, gso_size > 0 and every
 * segment (headers + gso_size) no longer than max_seg. False: drop. */
bool gso_start(struct gso *g, const struct gso_vnet *v, const uint8_t *pkt, size_t len,
	       size_t max_seg);
/* Length of the next segment, 0 when all are written. */
size_t gso_next_len(const struct gso *g);
/* How many segments are still to come (0 when all are written): what a
 * caller that must give up the rest counts as dropped. */
size_t gso_segs_left(const struct gso *g);
/* Appends the next segment (a complete IP packet with every checksum
 * right) to w. False when none is left or w has no room (then nothing is
 * consumed and w is unchanged: give it room and call again). */
bool gso_next(struct gso *g, struct writer *w);

#endif
