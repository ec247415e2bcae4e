/* The PPP frame header (RFC 1661 2, 6.5, 6.6): address and control FF 03,
 * then the protocol field. Written once here for every place that frames
 * or parses a PPP frame.
 *
 * On receipt the header may be compressed: FF 03 is optional
 * (Address-and-Control-Field-Compression) and a protocol whose first byte
 * is odd is that one byte (Protocol-Field-Compression). We never ask for
 * either, so what we send is always the full 4 bytes. */
#ifndef SSTPC_PPP_PPP_FRAME_H
#define SSTPC_PPP_PPP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

/* Frames we send always start FF 03 and carry a 2-byte protocol. */
#define PPP_HDR_LEN 4

/* Reads the header at r's position and leaves r at the information field.
 * False (r failed) when the frame ends inside the protocol field. */
bool ppp_frame_read(struct reader *r, uint16_t *proto);
/* The same on a buffer: the header's length (the information field starts
 * there), 0 when the frame is too short to hold one. */
size_t ppp_frame_parse(const uint8_t *frame, size_t len, uint16_t *proto);
/* Writes the uncompressed header FF 03 <proto>. */
void ppp_frame_write(struct writer *w, uint16_t proto);
static inline void ppp_frame_put(uint8_t hdr[PPP_HDR_LEN], uint16_t proto)
{
	hdr[0] = 0xff;
	hdr[1] = 0x03;
	be16_put(hdr + 2, proto);
}

#endif
