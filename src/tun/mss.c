/* TCP MSS clamping in the data path: no allocation, every offset checked
 * against the packet, anything unexpected passes unchanged. */
#include "tun/mss.h"

#include "core/bytes.h"

#define IPPROTO_TCP_NUM 6
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MAXSEG 2
#define TCPOLEN_MAXSEG 4
#define TH_SYN 0x02
#define IP6_NH_HOPOPTS 0
#define IP6_NH_ROUTING 43
#define IP6_NH_FRAGMENT 44
#define IP6_NH_DSTOPTS 60
#define IP6_MAX_EXT 8

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
static uint16_t csum_replace16(uint16_t hc, uint16_t m, uint16_t m2)
{
	uint32_t s = (uint32_t)(uint16_t)~hc + (uint16_t)~m + m2;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t bswap16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

static bool tcp_clamp(uint8_t *tcp, size_t len, uint16_t mss)
{
	if (len < 20 || mss == 0) /* 0: no clamping for this family */
		return false;
	size_t doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < 20 || doff > len || !(tcp[13] & TH_SYN))
		return false;
	bool changed = false;
	size_t i = 20;
	while (i < doff) {
		uint8_t kind = tcp[i];
		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= doff)
			break;
		size_t olen = tcp[i + 1];
		if (olen < 2 || olen > doff - i)
			break;
		if (kind == TCPOPT_MAXSEG && olen == TCPOLEN_MAXSEG) {
			uint16_t old = be16_get(tcp + i + 2);
			if (old > mss) {
				be16_put(tcp + i + 2, mss);
				/* The value sits at an odd offset after an odd number
				 * of NOPs: then its bytes land swapped in the 16-bit
				 * words the checksum adds up. */
				bool odd = (i + 2) & 1;
				uint16_t m = odd ? bswap16(old) : old;
				uint16_t m2 = odd ? bswap16(mss) : mss;
				be16_put(tcp + 16, csum_replace16(be16_get(tcp + 16), m, m2));
				changed = true;
			}
		}
		i += olen;
	}
	return changed;
}

static bool clamp4(uint8_t *pkt, size_t len, uint16_t mss)
{
	if (len < 20)
		return false;
	size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
	size_t tot = be16_get(pkt + 2);
	if (ihl < 20 || tot < ihl || tot > len)
		return false;
	/* Only the first fragment holds the TCP header. */
	if ((be16_get(pkt + 6) & 0x1fff) != 0 || pkt[9] != IPPROTO_TCP_NUM)
		return false;
	return tcp_clamp(pkt + ihl, tot - ihl, mss);
}

static bool clamp6(uint8_t *pkt, size_t len, uint16_t mss)
{
	if (len < 40)
		return false;
	size_t end = 40 + (size_t)be16_get(pkt + 4);
	if (end > len)
		return false;
	uint8_t nh = pkt[6];
	size_t off = 40;
	for (int n = 0; n < IP6_MAX_EXT && nh != IPPROTO_TCP_NUM; n++) {
		if (end - off < 8)
			return false;
		size_t hlen;
		if (nh == IP6_NH_HOPOPTS || nh == IP6_NH_ROUTING || nh == IP6_NH_DSTOPTS) {
			hlen = ((size_t)pkt[off + 1] + 1) * 8;
		} else if (nh == IP6_NH_FRAGMENT) {
			if ((be16_get(pkt + off + 2) & 0xfff8) != 0)
				return false;
			hlen = 8;
		} else {
			return false;
		}
		if (hlen > end - off)
			return false;
		nh = pkt[off];
		off += hlen;
	}
	if (nh != IPPROTO_TCP_NUM)
		return false;
	return tcp_clamp(pkt + off, end - off, mss);
}

bool mss_clamp(uint8_t *pkt, size_t len, uint16_t mss4, uint16_t mss6)
{
	if (!pkt || len < 1)
		return false;
	switch (pkt[0] >> 4) {
	case 4:
		return clamp4(pkt, len, mss4);
	case 6:
		return clamp6(pkt, len, mss6);
	default:
		return false;
	}
}
