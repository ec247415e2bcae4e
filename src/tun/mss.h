/* TCP MSS clamping in the data path. */
#ifndef SSTPC_TUN_MSS_H
#define SSTPC_TUN_MSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCP MSS clamping on one IP packet, in place: lowers the MSS option of a
 * SYN or SYN-ACK to mss4 (IPv4) / mss6 (IPv6) and fixes the checksum
 * incrementally (RFC 1624). Anything it cannot parse passes unchanged.
 * Returns true if the packet was changed. */
bool mss_clamp(uint8_t *pkt, size_t len, uint16_t mss4, uint16_t mss6);

#endif
