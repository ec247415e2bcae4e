/* EAP-TLS / PEAP record framing (RFC 5216 3.1, 2.1.5): the Flags octet
 * with L (length included), M (more fragments), S (start), reassembly of
 * what the server sends and fragmentation of what we send. Bounded: a
 * message larger than EAPTLS_MSG_MAX or a stream of more than
 * EAPTLS_FRAGS_MAX fragments is an error, never an endless exchange. */
#ifndef SSTPC_PPP_EAPTLS_FRAG_H
#define SSTPC_PPP_EAPTLS_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

#define EAPTLS_FLAG_L 0x80
#define EAPTLS_FLAG_M 0x40
#define EAPTLS_FLAG_S 0x20
#define EAPTLS_VERSION_MASK 0x07 /* PEAP's version bits */
#define EAPTLS_MSG_MAX (64 * 1024)
#define EAPTLS_FRAGS_MAX 128

enum eaptls_rx_result {
	EAPTLS_RX_ERROR = -1, /* reason in err; the exchange must end */
	EAPTLS_RX_MORE,	      /* a fragment was taken: acknowledge it */
	EAPTLS_RX_DONE,	      /* a whole message is in buf[0, len) */
	EAPTLS_RX_EMPTY,      /* no data and not a fragment: an acknowledgement or a Start */
};

struct eaptls_rx {
	uint8_t *buf;	/* EAPTLS_MSG_MAX bytes, the caller's */
	size_t len;	/* reassembled so far */
	size_t total;	/* from the L field; 0 = not given */
	unsigned frags; /* fragments of the message in progress */
	bool active;	/* inside a fragmented message */
};

/* One Request's type-data after the type octet: Flags, [Length], data.
 * *flags gets the Flags octet. After EAPTLS_RX_DONE the next call starts
 * a new message. */
enum eaptls_rx_result eaptls_rx_packet(struct eaptls_rx *rx, struct reader *d, uint8_t *flags,
				       char *err, size_t errlen);
void eaptls_rx_reset(struct eaptls_rx *rx);

/* Writes the next fragment of msg[*off, total) as type-data (Flags,
 * Length in the first fragment of a fragmented message, data) with at
 * most frag_max data bytes; advances *off. flags_extra goes into every
 * Flags octet (PEAP's version). Returns the bytes written into out. */
size_t eaptls_tx_fragment(const uint8_t *msg, size_t total, size_t *off, size_t frag_max,
			  uint8_t flags_extra, uint8_t *out, size_t cap);

#endif
