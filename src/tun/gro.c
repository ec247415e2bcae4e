/* Downstream GRO over one batch of packets. The merge rules follow the
 * kernel's tcp_gro_receive / inet_gro_receive / ipv6_gro_receive, made
 * stricter where the kernel would lose a byte (window, urgent pointer) so
 * that segmenting a super-packet gives back exactly what came in. */
#include "tun/gro.h"
#include "tun/csum.h"

#include <string.h>

#include "core/bytes.h"

#define PROTO_TCP 6
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_URG 0x20
#define TH_CWR 0x80
#define IP_MF_OFFSET 0x3fff
#define IP_MAX 65535

/* What gro_add needs to know of a TCP segment that may merge. */
struct seg {
	const uint8_t *p;
	size_t len, thoff, hl, plen;
	uint32_t seq;
	uint16_t id;
	uint8_t flags;
	bool v6;
};

void gro_init(struct gro *g)
{
	g->used = g->nent = g->nslice = 0;
}

/* One pass over the IP header and the first 4 bytes of TCP: the flow key
 * (IP version, addresses, ports; k->len 0 when the packet is not TCP in
 * IPv4 or IPv6 with the ports readable) and, in s, what the merge rules
 * need of the IP header. True when the IP header allows merging: IPv4
 * without options or fragmentation, IPv6 with TCP as the next header, the
 * length field equal to the packet (no trailing padding). r is left at
 * the TCP sequence number. */
static bool ip_parse(struct reader *r, struct gro_key *k, struct seg *s)
{
	k->len = 0;
	uint8_t vihl = rd_u8(r), proto;
	unsigned ver = vihl >> 4;
	size_t alen;
	bool mergeable;
	if (ver == 4) {
		rd_skip(r, 1);
		uint16_t tot = rd_be16(r);
		s->id = rd_be16(r);
		uint16_t frag = rd_be16(r);
		rd_skip(r, 1);
		proto = rd_u8(r);
		rd_skip(r, 2);
		s->thoff = (size_t)(vihl & 0x0f) * 4;
		alen = 8;
		mergeable = vihl == 0x45 && tot == s->len && !(frag & IP_MF_OFFSET);
	} else if (ver == 6) {
		rd_skip(r, 3);
		uint16_t plen = rd_be16(r);
		proto = rd_u8(r);
		rd_skip(r, 1);
		s->thoff = 40;
		s->v6 = true;
		alen = 32;
		mergeable = s->len >= 40 && plen == s->len - 40;
	} else {
		return false;
	}
	const uint8_t *addrs = rd_take(r, alen);
	if (!rd_ok(r) || proto != PROTO_TCP || s->thoff < 20)
		return false;
	rd_skip(r, s->thoff - (s->v6 ? 40 : 20)); /* IPv4 options */
	const uint8_t *ports = rd_take(r, 4);
	if (!ports)
		return false;
	k->b[0] = (uint8_t)ver;
	memcpy(k->b + 1, addrs, alen);
	memcpy(k->b + 1 + alen, ports, 4);
	k->len = (uint8_t)(1 + alen + 4);
	return mergeable;
}

void gro_flow_key(const uint8_t *pkt, size_t len, struct gro_key *k)
{
	struct seg s = {.p = pkt, .len = len};
	struct reader r;
	rd_init(&r, pkt, len);
	ip_parse(&r, k, &s);
}

/* The TCP checksum field holds exactly the value a segmenter computes:
 * ~(pseudo header + segment with the field as zero). Summed with the
 * field in it, the segment gives 0xffff exactly when the field is that
 * value or 0xffff; 0xffff is never it, because the pseudo header's
 * protocol keeps the sum without the field from being 0. Two calls of
 * csum_add per packet instead of four. */
static bool tcp_csum_exact(const struct seg *s)
{
	const uint8_t *th = s->p + s->thoff;
	size_t tcplen = s->len - s->thoff;
	uint32_t ph = s->v6 ? csum_add(0, s->p + 8, 32) : csum_add(0, s->p + 12, 8);
	ph += PROTO_TCP + (uint32_t)tcplen;
	return csum_add(csum_fold(ph), th, tcplen) == 0xffff && be16_get(th + 16) != 0xffff;
}

/* Options: none, or the timestamp option in its usual NOP NOP form (the
 * kernel requires all option bytes to be equal; SACK blocks never are). */
static bool tcp_opts_ok(const uint8_t *opt, size_t n)
{
	static const uint8_t ts[4] = {1, 1, 8, 10};
	return n == 0 || (n == 12 && memcmp(opt, ts, 4) == 0);
}

/* Parses a packet once: its flow key, and whether it is a segment that
 * could start or join a super-packet (data, no SYN/RST/URG/FIN, right
 * checksums; false: it is written as it came). */
static bool seg_parse(struct seg *s, struct gro_key *k, const uint8_t *pkt, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->p = pkt;
	s->len = len;
	struct reader r;
	rd_init(&r, pkt, len);
	if (!ip_parse(&r, k, s) || len > IP_MAX)
		return false;
	if (!s->v6 && csum_add(0, pkt, 20) != 0xffff)
		return false;
	s->seq = rd_be32(&r);
	rd_skip(&r, 4);
	size_t doff = (size_t)(rd_u8(&r) >> 4) * 4;
	s->flags = rd_u8(&r);
	s->hl = s->thoff + doff;
	if (!rd_ok(&r) || doff < 20 || s->hl >= len)
		return false;
	if (s->flags & (TH_FIN | TH_SYN | TH_RST | TH_URG))
		return false;
	s->plen = len - s->hl;
	return tcp_opts_ok(pkt + s->thoff + 20, doff - 20) && tcp_csum_exact(s);
}

/* The rules for s to follow entry e (whose head is h). */
static bool seg_follows(const struct gro_entry *e, const uint8_t *h, const struct seg *s)
{
	if (!e->open || s->v6 != e->v6 || s->hl != e->hl || s->seq != e->next_seq)
		return false;
	if (s->plen > e->mss || e->len + s->plen > IP_MAX || (s->flags & TH_CWR))
		return false;
	if (((s->flags ^ h[e->thoff + 13]) & (uint8_t) ~(TH_PSH | TH_CWR)) != 0)
		return false;
	const uint8_t *p = s->p, *th = p + e->thoff, *hth = h + e->thoff;
	if (e->v6) {
		/* version, traffic class (ECN too), flow label; hop limit */
		if (memcmp(p, h, 4) || memcmp(p + 6, h + 6, 2))
			return false;
	} else {
		/* segmenting increments the IP ID; TOS (ECN too), DF, TTL */
		if (s->id != (uint16_t)(be16_get(h + 4) + e->count) || p[1] != h[1] ||
		    memcmp(p + 6, h + 6, 3))
			return false;
	}
	/* ack, data offset, window, urgent pointer, options */
	return memcmp(th + 8, hth + 8, 5) == 0 && memcmp(th + 14, hth + 14, 2) == 0 &&
	       memcmp(th + 18, hth + 18, e->hl - e->thoff - 18) == 0;
}

static uint8_t *arena_put(struct gro *g, const uint8_t *p, size_t n)
{
	uint8_t *d = g->arena + g->used;
	memcpy(d, p, n);
	g->used += n;
	return d;
}

/* Appends the payload to the entry, extending its last slice when that
 * ends where the arena does (one flow at a time: one contiguous run). */
static bool entry_append(struct gro *g, struct gro_entry *e, const struct seg *s)
{
	struct gro_slice *last = &g->slice[e->last];
	if (last->off + last->len == g->used) {
		last->len += (uint32_t)s->plen;
	} else {
		if (g->nslice == GRO_MAX_SLICES)
			return false;
		int16_t i = (int16_t)g->nslice++;
		g->slice[i] = (struct gro_slice){(uint32_t)g->used, (uint32_t)s->plen, -1};
		last->next = i;
		e->last = i;
	}
	arena_put(g, s->p + s->hl, s->plen);
	e->count++;
	e->len += (uint32_t)s->plen;
	e->next_seq += (uint32_t)s->plen;
	/* a short segment or PSH ends the run, as in tcp_gro_receive */
	e->open = s->plen == e->mss && !(s->flags & TH_PSH);
	if (s->flags & TH_PSH)
		g->arena[g->slice[e->first].off + e->thoff + 13] |= TH_PSH;
	return true;
}

static bool entry_new(struct gro *g, const struct gro_key *k, const struct seg *s, bool head)
{
	if (g->nent == GRO_MAX_ENTRIES || g->nslice == GRO_MAX_SLICES)
		return false;
	struct gro_entry *e = &g->ent[g->nent++];
	int16_t i = (int16_t)g->nslice++;
	g->slice[i] = (struct gro_slice){(uint32_t)g->used, (uint32_t)s->len, -1};
	arena_put(g, s->p, s->len);
	*e = (struct gro_entry){
	    .key = *k, .first = i, .last = i, .count = 1, .len = (uint32_t)s->len};
	if (head) {
		e->open = s->plen > 0 && !(s->flags & TH_PSH);
		e->v6 = s->v6;
		e->thoff = (uint8_t)s->thoff;
		e->hl = (uint8_t)s->hl;
		e->mss = (uint16_t)s->plen;
		e->next_seq = s->seq + (uint32_t)s->plen;
	}
	return true;
}

/* The latest entry of the flow within GRO_SCAN, or NULL. */
static struct gro_entry *flow_latest(struct gro *g, const struct gro_key *k)
{
	for (size_t n = 0; n < GRO_SCAN && n < g->nent; n++) {
		struct gro_entry *e = &g->ent[g->nent - 1 - n];
		if (e->key.len == k->len && memcmp(e->key.b, k->b, k->len) == 0)
			return e;
	}
	return NULL;
}

bool gro_add(struct gro *g, const uint8_t *pkt, size_t len)
{
	if (len > GRO_ARENA - g->used)
		return false;
	struct gro_key k;
	struct seg s;
	bool head = seg_parse(&s, &k, pkt, len) && s.plen > 0;
	struct gro_entry *e = k.len ? flow_latest(g, &k) : NULL;
	if (head && e && seg_follows(e, g->arena + g->slice[e->first].off, &s))
		return entry_append(g, e, &s);
	if (e)
		e->open = false; /* a later segment must not pass this one */
	return entry_new(g, &k, &s, head);
}

/* Turns the head's headers into those of the super-packet: lengths, the
 * IPv4 header checksum, and the pseudo-header sum in the TCP checksum field
 * that NEEDS_CSUM asks for. */
static void super_headers(uint8_t *p, const struct gro_entry *e, struct gso_vnet *v)
{
	uint16_t tcplen = (uint16_t)(e->len - e->thoff);
	uint16_t ps;
	if (e->v6) {
		be16_put(p + 4, tcplen);
		ps = csum_add(0, p + 8, 32);
	} else {
		be16_put(p + 2, (uint16_t)e->len);
		be16_put(p + 10, 0);
		be16_put(p + 10, (uint16_t)~csum_add(0, p, 20));
		ps = csum_add(0, p + 12, 8);
	}
	const uint8_t ph[4] = {0, PROTO_TCP, (uint8_t)(tcplen >> 8), (uint8_t)tcplen};
	be16_put(p + e->thoff + 16, csum_add(ps, ph, sizeof(ph)));
	v->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	v->gso_type = e->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	/* a CWR on the head: the segmenter must keep it on the first only */
	if (p[e->thoff + 13] & TH_CWR)
		v->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	v->hdr_len = e->hl;
	v->gso_size = e->mss;
	v->csum_start = e->thoff;
	v->csum_offset = 16;
}

static void vnet_put(uint8_t *b, const struct gso_vnet *v)
{
	/* host byte order, as gso_vnet_parse reads it */
	uint16_t f[4] = {v->hdr_len, v->gso_size, v->csum_start, v->csum_offset};
	b[0] = v->flags;
	b[1] = v->gso_type;
	memcpy(b + 2, f, sizeof(f));
}

size_t gro_flush(struct gro *g, gro_emit_fn emit, void *ctx)
{
	for (size_t i = 0; i < g->nent; i++) {
		const struct gro_entry *e = &g->ent[i];
		struct gso_vnet v = {0};
		if (e->count > 1)
			super_headers(g->arena + g->slice[e->first].off, e, &v);
		vnet_put(g->vhdr, &v);
		g->iov[0] = (struct iovec){g->vhdr, GSO_VNET_HDR_LEN};
		int n = 1;
		for (int16_t s = e->first; s >= 0; s = g->slice[s].next)
			g->iov[n++] = (struct iovec){g->arena + g->slice[s].off, g->slice[s].len};
		emit(ctx, g->iov, n);
	}
	size_t n = g->nent;
	gro_init(g);
	return n;
}

/* A full batch: every entry goes out but an open last one that is a
 * single run of bytes (its flow arrived alone) and short; that one moves
 * to the arena's start and goes on growing. Without this a bulk flow's
 * super-packets were cut where the arena happened to end: 64 KiB, 64 KiB,
 * then one of a segment or two, a third of the TUN writes for 1% of the
 * bytes. The order of flows is kept: everything emitted started before
 * the kept one. */
static void flush_but_tail(struct gro *g, gro_emit_fn emit, void *ctx)
{
	const struct gro_entry *t = g->nent ? &g->ent[g->nent - 1] : NULL;
	if (!t || !t->open || t->first != t->last || t->len > GRO_KEEP_MAX) {
		gro_flush(g, emit, ctx);
		return;
	}
	struct gro_entry keep = *t;
	struct gro_slice run = g->slice[keep.first];
	g->nent--;
	gro_flush(g, emit, ctx);
	memmove(g->arena, g->arena + run.off, run.len);
	g->slice[0] = (struct gro_slice){0, run.len, -1};
	keep.first = keep.last = 0;
	g->ent[0] = keep;
	g->nent = g->nslice = 1;
	g->used = run.len;
}

bool gro_put(struct gro *g, const uint8_t *pkt, size_t len, gro_emit_fn emit, void *ctx)
{
	if (gro_add(g, pkt, len))
		return true;
	flush_but_tail(g, emit, ctx);
	if (gro_add(g, pkt, len))
		return true;
	/* bigger than the room the kept tail left: the tail goes out too */
	gro_flush(g, emit, ctx);
	return gro_add(g, pkt, len);
}
