/* Router Advertisement parsing and building. Every byte goes through the
 * bounded reader: the packet comes from the server, which we trust with our
 * addresses but not with our memory. */
#include "tun/ra.h"
#include "tun/csum.h"

#include "core/bytes.h"

#include <string.h>

#define IP6_HDR 40
#define RA_HDR 16 /* type, code, checksum, hop limit, flags, lifetime, 2 timers */
#define OPT_PREFIX_INFO 3
#define PIO_LEN 32
#define PIO_FLAG_L 0x80
#define PIO_FLAG_A 0x40

uint16_t ra_icmp6_csum(const uint8_t *pkt, size_t icmp_len)
{
	/* Pseudo header (RFC 8200 8.1): source, destination, upper-layer
	 * length, three zero bytes and the next header. */
	uint8_t tail[8] = {0, 0, 0, 0, 0, 0, 0, 58};
	be32_put(tail, (uint32_t)icmp_len);
	uint16_t s = csum_add(0, pkt + 8, 32);
	s = csum_add(s, tail, sizeof(tail));
	s = csum_add(s, pkt + IP6_HDR, icmp_len);
	return (uint16_t)~s;
}

static bool parse_pio(struct reader *o, struct ra_info *out)
{
	struct ra_prefix p = {0};
	p.plen = rd_u8(o);
	uint8_t flags = rd_u8(o);
	p.valid = rd_be32(o);
	p.preferred = rd_be32(o);
	rd_skip(o, 4); /* reserved */
	rd_bytes(o, p.prefix, 16);
	if (!rd_ok(o) || p.plen > 128)
		return false;
	p.onlink = flags & PIO_FLAG_L;
	p.autonomous = flags & PIO_FLAG_A;
	/* RFC 4862 5.5.3 a) and c): silently ignore the option. */
	if ((p.prefix[0] == 0xfe && (p.prefix[1] & 0xc0) == 0x80) || p.preferred > p.valid)
		return true;
	if (out->nprefix < RA_MAX_PREFIXES)
		out->p[out->nprefix++] = p;
	else
		out->dropped++;
	return true;
}

bool ra_parse(const uint8_t *pkt, size_t len, struct ra_info *out)
{
	memset(out, 0, sizeof(*out));
	struct reader r;
	rd_init(&r, pkt, len);
	uint8_t vtc = rd_u8(&r);
	rd_skip(&r, 3); /* traffic class, flow label */
	uint16_t plen = rd_be16(&r);
	uint8_t nh = rd_u8(&r);
	uint8_t hops = rd_u8(&r);
	rd_bytes(&r, out->src, 16);
	rd_skip(&r, 16); /* destination: ff02::1 or ours; the TUN delivers only ours */
	/* Trailing bytes past the payload length are link padding: ignored. */
	struct reader icmp;
	if (!rd_sub(&r, plen, &icmp) || vtc >> 4 != 6 || nh != 58 || hops != 255)
		return false;
	if (!(out->src[0] == 0xfe && (out->src[1] & 0xc0) == 0x80))
		return false;
	if (plen < RA_HDR || ra_icmp6_csum(pkt, plen) != 0)
		return false;
	uint8_t type = rd_u8(&icmp);
	uint8_t code = rd_u8(&icmp);
	rd_skip(&icmp, 4); /* checksum, current hop limit, flags */
	out->router_lifetime = rd_be16(&icmp);
	rd_skip(&icmp, 8); /* reachable time, retransmit timer */
	if (!rd_ok(&icmp) || type != RA_ICMP6_TYPE || code != 0)
		return false;
	while (rd_left(&icmp) > 0) {
		uint8_t otype = rd_u8(&icmp);
		uint8_t olen = rd_u8(&icmp); /* units of 8 bytes, type and length included */
		struct reader o;
		/* A zero length would never advance: RFC 4861 4.6 says drop the packet. */
		if (!rd_ok(&icmp) || olen == 0 || !rd_sub(&icmp, (size_t)olen * 8 - 2, &o))
			return false;
		if (otype == OPT_PREFIX_INFO && (olen * 8 != PIO_LEN || !parse_pio(&o, out)))
			return false;
	}
	return rd_ok(&icmp);
}

size_t ra_build(uint8_t *buf, size_t cap, const uint8_t src_id[8], const uint8_t prefix[8],
		uint16_t router_lifetime, uint32_t valid, uint32_t preferred)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	const size_t icmp_len = RA_HDR + PIO_LEN;
	struct writer w;
	wr_init(&w, buf, cap);
	wr_be32(&w, 0x60000000);
	wr_be16(&w, (uint16_t)icmp_len);
	wr_u8(&w, 58);
	wr_u8(&w, 255); /* hop limit 255: proves the RA came from the link */
	wr_be16(&w, 0xfe80);
	wr_zero(&w, 6);
	wr_bytes(&w, src_id, 8);
	wr_bytes(&w, all_nodes, 16);
	wr_u8(&w, RA_ICMP6_TYPE);
	wr_u8(&w, 0);
	wr_be16(&w, 0); /* checksum, filled in below */
	wr_u8(&w, 64);	/* current hop limit */
	wr_u8(&w, 0);	/* no M/O flags: SLAAC only */
	wr_be16(&w, router_lifetime);
	wr_be32(&w, 0);
	wr_be32(&w, 0);
	wr_u8(&w, OPT_PREFIX_INFO);
	wr_u8(&w, PIO_LEN / 8);
	wr_u8(&w, 64);
	wr_u8(&w, PIO_FLAG_L | PIO_FLAG_A);
	wr_be32(&w, valid);
	wr_be32(&w, preferred);
	wr_be32(&w, 0);
	wr_bytes(&w, prefix, 8);
	wr_zero(&w, 8);
	if (!wr_ok(&w))
		return 0;
	be16_put(buf + IP6_HDR + 2, ra_icmp6_csum(buf, icmp_len));
	return w.len;
}
