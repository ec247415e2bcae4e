/* IPv6 source validation for packets from the server (RFC 3704). The kernel
 * has rp_filter for IPv4 only, so the daemon checks IPv6 sources itself,
 * before the packet reaches the TUN. The set of acceptable sources is built
 * once when IPV6CP comes up; the per-packet check is a bounded scan (at
 * most SRCVALID_MAX prefixes) with no allocation and no syscall. */
#include "tun/srcvalid.h"

#include <string.h>

bool srcvalid_prefix_match(const uint8_t *addr, const uint8_t *prefix, unsigned plen, unsigned alen)
{
	if (plen > alen * 8)
		return false;
	unsigned full = plen / 8, rest = plen % 8;
	if (memcmp(addr, prefix, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return ((addr[full] ^ prefix[full]) & mask) == 0;
}

void srcvalid_init(struct srcvalid *sv, enum srcvalid_mode mode)
{
	memset(sv, 0, sizeof(*sv));
	sv->mode = mode;
}

void srcvalid_allow_any(struct srcvalid *sv)
{
	sv->any = true;
}

int srcvalid_add(struct srcvalid *sv, const uint8_t prefix[16], unsigned plen)
{
	if (plen > 128)
		return -1;
	if (plen == 0) {
		sv->any = true;
		return 0;
	}
	if (sv->n >= SRCVALID_MAX)
		return -1;
	memcpy(sv->p[sv->n].addr, prefix, 16);
	sv->p[sv->n].plen = (uint8_t)plen;
	sv->n++;
	return 0;
}

/* Sources no router may forward (RFC 4291 2.5.2, 2.5.3, 2.7): never valid
 * on a packet from the server, whatever the routes say. */
static bool never_a_source(const uint8_t *a)
{
	static const uint8_t zero[15];
	if (a[0] == 0xff)
		return true; /* multicast */
	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return true; /* :: and ::1 */
	return false;
}

bool srcvalid_check6(const struct srcvalid *sv, const uint8_t src[16])
{
	if (sv->mode == SRCVALID_OFF)
		return true;
	if (never_a_source(src))
		return false;
	/* The peer's own link-local and anything on the link: fe80::/10 is
	 * routed back through the tunnel by the on-link /64 of our address. */
	if (src[0] == 0xfe && (src[1] & 0xc0) == 0x80)
		return true;
	if (sv->any)
		return true;
	for (unsigned i = 0; i < sv->n; i++)
		if (srcvalid_prefix_match(src, sv->p[i].addr, sv->p[i].plen, 16))
			return true;
	return false;
}
