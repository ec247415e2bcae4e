#ifndef SSTPC_TUN_SRCVALID_H
#define SSTPC_TUN_SRCVALID_H

#include <stdbool.h>
#include <stdint.h>

/* IPv6 source validation (RFC 3704) in the data path, server -> TUN: the
 * kernel has no IPv6 rp_filter. strict: the source must be routed back via
 * the tunnel (a default route via the tunnel, a configured `ipv6 route`
 * prefix, or fe80::/10); loose: the same, plus any source when the host had
 * an IPv6 route for global space when IPV6CP came up. Multicast, :: and ::1
 * sources are always dropped while validation is on. See docs/tun.md. */
#define SRCVALID_MAX 32
enum srcvalid_mode { SRCVALID_OFF, SRCVALID_STRICT, SRCVALID_LOOSE };
struct srcvalid {
	enum srcvalid_mode mode;
	bool any; /* a default route makes every (unicast) source valid */
	unsigned n;
	struct {
		uint8_t addr[16];
		uint8_t plen;
	} p[SRCVALID_MAX];
};
void srcvalid_init(struct srcvalid *sv, enum srcvalid_mode mode);
void srcvalid_allow_any(struct srcvalid *sv);
/* Adds a prefix routed via the tunnel (plen 0 = default: any). 0 or -1 when
 * full or plen > 128. */
int srcvalid_add(struct srcvalid *sv, const uint8_t prefix[16], unsigned plen);
/* True if the packet with this source may be delivered. */
bool srcvalid_check6(const struct srcvalid *sv, const uint8_t src[16]);
/* True if the first plen bits of addr (alen bytes long) equal prefix's. */
bool srcvalid_prefix_match(const uint8_t *addr, const uint8_t *prefix, unsigned plen,
			   unsigned alen);

#endif
