/* ICMPv6 Router Advertisements (RFC 4861 4.2, 4.6.2) on the tunnel: the
 * client parses them to do SLAAC itself (the kernel cannot on a TUN, see
 * docs/tun.md), the test server builds them. */
#ifndef SSTPC_TUN_RA_H
#define SSTPC_TUN_RA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RA_ICMP6_TYPE 134
/* Prefix Information options kept per RA; more are counted, not kept. */
#define RA_MAX_PREFIXES 8

struct ra_prefix {
	uint8_t prefix[16];
	uint8_t plen;
	bool onlink;		   /* L flag */
	bool autonomous;	   /* A flag: may be used for SLAAC */
	uint32_t valid, preferred; /* seconds; 0xffffffff = infinity */
};

struct ra_info {
	uint8_t src[16];	  /* the router's link-local address */
	uint16_t router_lifetime; /* seconds; 0 = not a default router */
	unsigned nprefix;	  /* kept in p[] */
	unsigned dropped;	  /* valid options beyond RA_MAX_PREFIXES */
	struct ra_prefix p[RA_MAX_PREFIXES];
};

/* The cheap test for the data path: an IPv6 packet whose next header is
 * ICMPv6 (no extension headers) of type 134. Reads 41 bytes at most. */
static inline bool ra_maybe(const uint8_t *pkt, size_t len)
{
	return len > 40 && pkt[0] >> 4 == 6 && pkt[6] == 58 && pkt[40] == RA_ICMP6_TYPE;
}

/* Parses a whole IPv6 packet carrying an RA and validates it as RFC 4861
 * 6.1.2 asks (hop limit 255, link-local source, ICMPv6 checksum, code 0,
 * length, every option length > 0). Prefix options that RFC 4862 5.5.3 says
 * to ignore (link-local prefix, preferred > valid) are left out. False on
 * anything malformed; never reads outside pkt[0..len). */
bool ra_parse(const uint8_t *pkt, size_t len, struct ra_info *out);

/* Builds an RA from fe80::<src_id> to ff02::1 with one Prefix Information
 * option (L and A set) for prefix/64. Returns the packet length or 0 if cap
 * is too small. */
size_t ra_build(uint8_t *buf, size_t cap, const uint8_t src_id[8], const uint8_t prefix[8],
		uint16_t router_lifetime, uint32_t valid, uint32_t preferred);

/* ICMPv6 checksum of an IPv6 packet (no extension headers) over
 * pkt[40..40+icmp_len), with the checksum field as it is: 0 for a valid
 * packet when the field is filled in. */
uint16_t ra_icmp6_csum(const uint8_t *pkt, size_t icmp_len);

#endif
