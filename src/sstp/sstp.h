/* SSTP ([MS-SSTP]): the client/server state machine, and the packet
 * framing the data path needs. The wire format of control messages, the
 * HTTP handshake and the crypto binding are in sstp/sstp_wire.h.
 *
 * SSTP knows nothing of TLS sockets, PPP internals or TUN: bytes of the TLS
 * stream go in through sstp_input(), bytes to write come out through
 * ops->send(), PPP frames through ops->ppp_frame(). No I/O, no clock. */
#ifndef SSTPC_SSTP_SSTP_H
#define SSTPC_SSTP_SSTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SSTP_VERSION 0x10
#define SSTP_HDR_LEN 4
#define SSTP_LEN_MASK 0x0fff /* the 4 bits above the 12-bit length are reserved (R) */
#define SSTP_MAX_PACKET 4095 /* 12-bit length field */
#define SSTP_MAX_PPP (SSTP_MAX_PACKET - SSTP_HDR_LEN)

/* Certificate hash protocols of the crypto binding (MS-SSTP 2.2.7), bits
 * of sstp_config.hash_set. */
#define SSTP_CERT_HASH_SHA1 0x01
#define SSTP_CERT_HASH_SHA256 0x02

/* The 4-byte header of a data packet carrying ppp_len bytes of PPP frame:
 * the data path writes this in front of each frame itself. */
static inline void sstp_data_header(uint8_t hdr[4], size_t ppp_len)
{
	size_t n = ppp_len + SSTP_HDR_LEN;
	hdr[0] = SSTP_VERSION;
	hdr[1] = 0;
	hdr[2] = (uint8_t)((n >> 8) & 0x0f);
	hdr[3] = (uint8_t)n;
}

/* Length of the packet starting at buf if its header is complete and
 * valid: > 0 the full packet length (may exceed avail: wait for more),
 * 0 = fewer than 4 bytes available, -1 = malformed header (bad version or
 * length < 4). The 7 reserved bits of byte 1 and the 4 R bits above the
 * 12-bit length are ignored on receipt, as MS-SSTP 2.2.1-2.2.3 require. */
ssize_t sstp_packet_len(const uint8_t *buf, size_t avail);
/* True if the (valid) packet header has the C bit: a control packet. */
static inline bool sstp_is_control(const uint8_t *pkt)
{
	return (pkt[1] & 0x01) != 0;
}

enum sstp_role { SSTP_CLIENT, SSTP_SERVER };

struct sstp_config {
	enum sstp_role role;
	const char *host;	 /* client: HTTP Host header */
	uint32_t negotiation_ms; /* 60000 */
	uint32_t hello_ms;	 /* 60000: echo after this idle time, abort after as long again */
	uint32_t disconnect_ms;	 /* 5000: wait for DISCONNECT_ACK (DISCONNECT_STATE_TIMER_1) */
	uint32_t disconnect_wait_ms; /* 1000: after our DISCONNECT_ACK, wait for the peer to close
					(TIMER_2) */
	uint32_t
	    abort_ms; /* 3000: after our CALL_ABORT, wait for the peer's (ABORT_STATE_TIMER_1) */
	uint32_t abort_wait_ms; /* 1000: after the abort exchange, wait for the peer to close
				   (TIMER_2) */
	/* Leaf certificate hashes of the server (client: as received; server: own). */
	uint8_t cert_sha1[20];
	uint8_t cert_sha256[32];
	/* server: hash set offered in CALL_CONNECT_ACK (bitmask); client: accepted set */
	uint8_t hash_set;
	/* server fault injection, see tools/sstpd; 0 = none */
	uint32_t faults;
	void (*random)(void *ctx, void *buf, size_t len);
};

/* Fault injection (server role, for the test server). The packet faults
 * apply to the first control packet sent after HTTP (CONNECT_ACK/NAK). */
#define SSTP_FAULT_NAK_FIRST_CONNECT (1u << 0)	    /* NAK the first CONNECT_REQUEST */
#define SSTP_FAULT_SILENT_AFTER_CONNECTED (1u << 1) /* drop all input, send nothing */
#define SSTP_FAULT_BAD_VERSION (1u << 2)	    /* version 0x11 */
#define SSTP_FAULT_LEN_ZERO (1u << 3)		    /* length field 0 */
#define SSTP_FAULT_LEN_TOO_BIG (1u << 4)	    /* reserved length bits set: claims > 4095 */
#define SSTP_FAULT_ATTR_SHORT (1u << 5)		    /* attribute length 2 (< its header) */
#define SSTP_FAULT_OFFER_SHA1_ONLY (1u << 6)	    /* hash bitmask 0x01 */
#define SSTP_FAULT_LEN_OVERRUN (1u << 7)	    /* header claims 4095, fewer bytes follow */

enum sstp_event {
	SSTP_EV_HTTP_OK,   /* client: 200 received; server: request accepted */
	SSTP_EV_PPP_START, /* client: CONNECT_ACK received; server: CONNECT_REQUEST accepted */
	SSTP_EV_CONNECTED, /* server: CALL_CONNECTED verified; client: sent */
	SSTP_EV_CLOSING,   /* arg: const char *, one step of an ending call (what was received,
			    * sent, awaited, or how the handshake ended): worth a notice-level log
			    * line. From the first one on, no data passes; output must still be
			    * flushed until EV_CLOSED. */
	SSTP_EV_CLOSED, /* arg: const char *reason; session over (abort, disconnect, timeout, error)
			 */
};

struct sstp_ops {
	void (*send)(void *ctx, const uint8_t *buf, size_t len);
	/* A data packet's PPP frame (points into the input buffer). */
	void (*ppp_frame)(void *ctx, const uint8_t *frame, size_t len);
	void (*event)(void *ctx, enum sstp_event ev, const void *arg);
};

struct sstp;

struct sstp *sstp_new(const struct sstp_config *cfg, const struct sstp_ops *ops, void *ctx);
void sstp_free(struct sstp *s);
/* Client: sends the SSTP_DUPLEX_POST request. Server: waits for one. */
void sstp_start(struct sstp *s, uint64_t now);
/* Feeds bytes of the TLS stream. Consumes every complete packet (calling
 * back for each) and returns how many bytes were consumed; the caller keeps
 * the rest and presents it again with more. */
size_t sstp_input(struct sstp *s, const uint8_t *buf, size_t len, uint64_t now);
/* Client: PPP authentication succeeded; sends CALL_CONNECTED with the
 * binding computed from hlak (32 zero bytes for PAP / CHAP). */
void sstp_auth_done(struct sstp *s, const uint8_t hlak[32], uint64_t now);
/* Server: the keys the PPP authenticator derived, to verify CALL_CONNECTED. */
void sstp_set_hlak(struct sstp *s, const uint8_t hlak[32]);
/* Sends a PPP control frame as an SSTP data packet. */
void sstp_send_ppp(struct sstp *s, const uint8_t *frame, size_t len);
/* Clean close: CALL_DISCONNECT, CLOSED once acknowledged or timed out. */
void sstp_disconnect(struct sstp *s, uint64_t now);
/* CALL_ABORT (e.g. a protocol error found above SSTP), then the abort
 * exchange: CLOSED once the peer answered and closed, or timed out. */
void sstp_abort(struct sstp *s, const char *reason, uint64_t now);
/* The TLS stream ended (peer closed it, or an error): CLOSED now. In the
 * wait after a CALL_DISCONNECT_ACK or an abort exchange this is how the
 * handshake is meant to end; otherwise why becomes the reason. */
void sstp_lower_closed(struct sstp *s, const char *why, uint64_t now);
/* True from the first EV_CLOSING on: the call is ending. */
bool sstp_is_ending(const struct sstp *s);
/* Why the call ends, as EV_CLOSED will say it: "" until known (our own
 * sstp_disconnect gives none). */
const char *sstp_reason(const struct sstp *s);
uint64_t sstp_deadline(const struct sstp *s);
void sstp_timeout(struct sstp *s, uint64_t now);
bool sstp_is_connected(const struct sstp *s);
/* Hash used for the binding (0 before). */
int sstp_binding_hash(const struct sstp *s);
/* Packets dropped (data before CONNECT_ACK, data before CALL_CONNECTED on
 * the server, ...). */
uint64_t sstp_dropped(const struct sstp *s);

#endif
