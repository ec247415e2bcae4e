/* The Internet checksum (RFC 1071), shared by GSO segmentation, router
 * advertisements and their tests. */
#ifndef SSTPC_TUN_CSUM_H
#define SSTPC_TUN_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* The one's complement sum of n bytes starting at an even offset of the
 * summed range, added to sum, folded to 16 bits (big-endian value). */
uint16_t csum_add(uint16_t sum, const uint8_t *p, size_t n);

#endif
