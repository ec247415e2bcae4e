/* Downstream GRO: the decrypted IP packets of one batch are merged, where a
 * TCP flow's segments follow each other exactly, into super-packets that go
 * to the TUN (IFF_VNET_HDR) behind a GSO virtio_net_hdr, so the kernel
 * takes one write() per up to 64 KiB instead of one per segment. Everything
 * else is written as it came behind a plain header. Nothing is held past
 * gro_flush, so no latency is added.
 *
 * Merging is exact: segmenting a super-packet the way the kernel does
 * (tun/gso.c is the model) gives back the input packets byte for byte.
 * The rules are in docs/tun.md.
 *
 * Use: gro_init once; per batch gro_add every packet in arrival order (it
 * copies; false means the arena is full: gro_flush and add again), then
 * gro_flush. No allocation: a fixed arena lives in the struct. */
#ifndef SSTPC_TUN_GRO_H
#define SSTPC_TUN_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "tun/gso.h"

#define GRO_ARENA (128 * 1024)
#define GRO_MAX_ENTRIES 128
#define GRO_MAX_SLICES 256
/* How many entries back gro_add looks for the packet's flow: more flows
 * interleaved than this in one batch merge less, never wrongly. */
#define GRO_SCAN 8
/* The longest entry gro_put keeps across a full arena (it is copied). */
#define GRO_KEEP_MAX (16 * 1024)
/* The largest header merged: IPv6 + TCP with the timestamp option. */
#define GRO_MAX_HDR (40 + 32)

/* A flow: version, addresses, ports. Zero length for packets not keyed. */
struct gro_key {
	uint8_t len;
	uint8_t b[1 + 32 + 4];
};

struct gro_slice {
	uint32_t off, len;
	int16_t next; /* -1 at the end */
};

struct gro_entry {
	struct gro_key key;
	int16_t first, last; /* slices: the first holds the whole head packet */
	bool open;	     /* a following segment may still merge */
	bool v6;
	uint8_t thoff, hl; /* TCP offset, IP + TCP header length */
	uint16_t mss;	   /* payload of the head segment */
	uint16_t count;	   /* segments merged */
	uint32_t len;	   /* IP packet length so far */
	uint32_t next_seq;
};

struct gro {
	size_t used; /* arena bytes used */
	size_t nent, nslice;
	struct gro_entry ent[GRO_MAX_ENTRIES];
	struct gro_slice slice[GRO_MAX_SLICES];
	uint8_t vhdr[GSO_VNET_HDR_LEN]; /* the one being emitted */
	struct iovec iov[GRO_MAX_SLICES + 1];
	uint8_t arena[GRO_ARENA];
};

/* Writes one TUN packet: iov[0] is the virtio_net_hdr. */
typedef void (*gro_emit_fn)(void *ctx, const struct iovec *iov, int iovcnt);

void gro_init(struct gro *g);
/* Copies the packet in (merged into its flow's super-packet when the rules
 * allow). False when there is no room: nothing was added. */
bool gro_add(struct gro *g, const uint8_t *pkt, size_t len);
/* Emits every entry in the order it was started and empties the batch.
 * Returns the number of packets emitted. */
size_t gro_flush(struct gro *g, gro_emit_fn emit, void *ctx);
/* gro_add, and when the arena is full, gro_flush through emit and add
 * again; an open entry last in the batch that is still short stays (moved
 * to the arena's start) so that a bulk flow is not cut where the arena
 * ends. False only for a packet that does not fit an empty arena. */
bool gro_put(struct gro *g, const uint8_t *pkt, size_t len, gro_emit_fn emit, void *ctx);

/* The flow key gro_add uses (exposed for tests): IPv4 or IPv6 with TCP as
 * the protocol and the ports readable. */
void gro_flow_key(const uint8_t *pkt, size_t len, struct gro_key *k);

#endif
