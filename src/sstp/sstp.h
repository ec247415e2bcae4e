/* SSTP ([MS-SSTP]): HTTP handshake, packet framing, control messages,
 * crypto binding and the client/server state machines.
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

/* Message types (MS-SSTP 2.2.4). */
enum {
	SSTP_MSG_CALL_CONNECT_REQUEST = 0x0001,
	SSTP_MSG_CALL_CONNECT_ACK = 0x0002,
	SSTP_MSG_CALL_CONNECT_NAK = 0x0003,
	SSTP_MSG_CALL_CONNECTED = 0x0004,
	SSTP_MSG_CALL_ABORT = 0x0005,
	SSTP_MSG_CALL_DISCONNECT = 0x0006,
	SSTP_MSG_CALL_DISCONNECT_ACK = 0x0007,
	SSTP_MSG_ECHO_REQUEST = 0x0008,
	SSTP_MSG_ECHO_RESPONSE = 0x0009,
};

/* Attribute ids (MS-SSTP 2.2.5). */
enum {
	SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID = 1,
	SSTP_ATTR_STATUS_INFO = 2,
	SSTP_ATTR_CRYPTO_BINDING = 3,
	SSTP_ATTR_CRYPTO_BINDING_REQ = 4,
};

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
static inline bool sstp_is_control(const uint8_t *pkt) { return (pkt[1] & 0x01) != 0; }

/* Status values of the Status Info attribute (MS-SSTP 2.2.8). */
enum {
	SSTP_ATTRIB_STATUS_NO_ERROR = 0x00,
	SSTP_ATTRIB_STATUS_DUPLICATE_ATTRIBUTE = 0x01,
	SSTP_ATTRIB_STATUS_UNRECOGNIZED_ATTRIBUTE = 0x02,
	SSTP_ATTRIB_STATUS_INVALID_ATTRIB_VALUE_LENGTH = 0x03,
	SSTP_ATTRIB_STATUS_VALUE_NOT_SUPPORTED = 0x04,
	SSTP_ATTRIB_STATUS_UNACCEPTED_FRAME_RECEIVED = 0x05,
	SSTP_ATTRIB_STATUS_RETRY_COUNT_EXCEEDED = 0x06,
	SSTP_ATTRIB_STATUS_INVALID_FRAME_RECEIVED = 0x07,
	SSTP_ATTRIB_STATUS_NEGOTIATION_TIMEOUT = 0x08,
	SSTP_ATTRIB_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG = 0x09,
	SSTP_ATTRIB_STATUS_REQUIRED_ATTRIBUTE_MISSING = 0x0a,
	SSTP_ATTRIB_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG = 0x0b,
};
const char *sstp_status_name(uint32_t status);
const char *sstp_msg_name(uint16_t type);

#define SSTP_PROTOCOL_PPP 1
#define SSTP_NONCE_LEN 32
#define SSTP_CALL_CONNECTED_LEN 112
#define SSTP_MAX_ATTRS 16
#define SSTP_STATUS_VALUE_MAX 64

/* View of one attribute: val points into the packet (value only, after
 * the 4-byte attribute header). */
struct sstp_attr {
	uint8_t id;
	uint16_t len;
	const uint8_t *val;
};

struct sstp_ctrl {
	uint16_t type;
	unsigned nattr;
	struct sstp_attr attr[SSTP_MAX_ATTRS];
};

/* Parses a whole control packet (header included, len = its exact length).
 * False on any inconsistency, *why set to a static reason. */
bool sstp_ctrl_parse(const uint8_t *pkt, size_t len, struct sstp_ctrl *c, const char **why);
const struct sstp_attr *sstp_ctrl_find(const struct sstp_ctrl *c, uint8_t id);

struct sstp_status {
	uint8_t attrib_id;
	uint32_t status;
	const uint8_t *val;
	size_t val_len;
};
/* Status Info attribute value (>= 8 bytes, value <= 64). */
bool sstp_status_parse(const struct sstp_attr *a, struct sstp_status *st);

/* Builders: return the packet length, 0 if cap is too small. */
size_t sstp_build_ctrl(uint8_t *out, size_t cap, uint16_t type, const struct sstp_attr *attrs,
		       unsigned nattr);
size_t sstp_build_connect_request(uint8_t *out, size_t cap);
size_t sstp_build_connect_ack(uint8_t *out, size_t cap, uint8_t hash_bitmask,
			      const uint8_t nonce[SSTP_NONCE_LEN]);
size_t sstp_build_connect_nak(uint8_t *out, size_t cap, uint8_t attrib_id, uint32_t status,
			      const uint8_t *val, size_t val_len);
/* CALL_ABORT / CALL_DISCONNECT, with one Status Info if with_status. */
size_t sstp_build_status_msg(uint8_t *out, size_t cap, uint16_t type, bool with_status,
			     uint8_t attrib_id, uint32_t status);
/* CALL_DISCONNECT_ACK, ECHO_REQUEST, ECHO_RESPONSE (no attributes). */
size_t sstp_build_simple(uint8_t *out, size_t cap, uint16_t type);

/* HTTP layer (MS-SSTP 3.2.4.1 / 3.3.4.1). */
#define SSTP_HTTP_URI "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/"
#define SSTP_HTTP_MAX_HEADER 8192
/* Writes the SSTP_DUPLEX_POST request (NUL-terminated); guid = 16 random
 * bytes for SSTPCORRELATIONID. Returns the length, 0 if cap is too small. */
size_t sstp_http_build_request(char *out, size_t cap, const char *host, const uint8_t guid[16]);
/* Client: > 0 bytes consumed by a complete 200 response (SSTP may follow),
 * 0 = incomplete, -1 = error with a printable reason in err. */
ssize_t sstp_http_parse_response(const uint8_t *buf, size_t len, char *err, size_t errlen);
/* Server: > 0 consumed with *status 200 (SSTP request) or 404 (other method
 * or URI), 0 = incomplete, -1 = malformed or too long (err set). */
ssize_t sstp_http_parse_request(const uint8_t *buf, size_t len, int *status, char *err,
				size_t errlen);
/* 200 or 404 reply; returns length, 0 if cap too small. */
size_t sstp_http_build_reply(char *out, size_t cap, int status);

/* Crypto binding (MS-SSTP 3.2.5.2): CMK and compound MAC. hash is
 * SSTP_CERT_HASH_SHA1 or _SHA256; mac_len = 20 or 32. The 112-byte
 * CALL_CONNECTED message is built by sstp_build_call_connected(). */
bool sstp_cmk(int hash, const uint8_t hlak[32], uint8_t *cmk);
bool sstp_compound_mac(int hash, const uint8_t *cmk, const uint8_t *msg, size_t len, uint8_t *mac);
/* Builds the whole CALL_CONNECTED (112 bytes) into out, MAC included. */
bool sstp_build_call_connected(uint8_t out[112], int hash, const uint8_t nonce[32],
			       const uint8_t *cert_hash, const uint8_t hlak[32]);

enum sstp_role { SSTP_CLIENT, SSTP_SERVER };

struct sstp_config {
	enum sstp_role role;
	const char *host;             /* client: HTTP Host header */
	uint32_t negotiation_ms;      /* 60000 */
	uint32_t hello_ms;            /* 60000: echo after this idle time, abort after as long again */
	uint32_t disconnect_ms;       /* 5000: wait for DISCONNECT_ACK (DISCONNECT_STATE_TIMER_1) */
	uint32_t disconnect_wait_ms;  /* 1000: after our DISCONNECT_ACK, wait for the peer to close (TIMER_2) */
	uint32_t abort_ms;            /* 3000: after our CALL_ABORT, wait for the peer's (ABORT_STATE_TIMER_1) */
	uint32_t abort_wait_ms;       /* 1000: after the abort exchange, wait for the peer to close (TIMER_2) */
	/* Leaf certificate hashes of the server (client: as received; server: own). */
	uint8_t cert_sha1[20];
	uint8_t cert_sha256[32];
	/* server: hash set offered in CALL_CONNECT_ACK (bitmask); client: accepted set */
	uint8_t hash_set;
	/* server fault injection, see tools/sstpd; 0 = none */
	uint32_t faults;
	/* server, optional: may rewrite each outgoing control packet (buf has
	 * room for SSTP_MAX_PACKET bytes; *len may change) */
	void (*fault_hook)(void *ctx, uint16_t msg_type, uint8_t *buf, size_t *len);
	void (*random)(void *ctx, void *buf, size_t len);
};

/* Fault injection (server role, for the test server). The packet faults
 * apply to the first control packet sent after HTTP (CONNECT_ACK/NAK). */
#define SSTP_FAULT_NAK_FIRST_CONNECT (1u << 0)      /* NAK the first CONNECT_REQUEST */
#define SSTP_FAULT_SILENT_AFTER_CONNECTED (1u << 1) /* drop all input, send nothing */
#define SSTP_FAULT_BAD_VERSION (1u << 2)            /* version 0x11 */
#define SSTP_FAULT_LEN_ZERO (1u << 3)               /* length field 0 */
#define SSTP_FAULT_LEN_TOO_BIG (1u << 4)            /* reserved length bits set: claims > 4095 */
#define SSTP_FAULT_ATTR_SHORT (1u << 5)             /* attribute length 2 (< its header) */
#define SSTP_FAULT_OFFER_SHA1_ONLY (1u << 6)        /* hash bitmask 0x01 */
#define SSTP_FAULT_LEN_OVERRUN (1u << 7)            /* header claims 4095, fewer bytes follow */

enum sstp_event {
	SSTP_EV_HTTP_OK,      /* client: 200 received; server: request accepted */
	SSTP_EV_PPP_START,    /* client: CONNECT_ACK received; server: CONNECT_REQUEST accepted */
	SSTP_EV_CONNECTED,    /* server: CALL_CONNECTED verified; client: sent */
	SSTP_EV_CLOSING,      /* arg: const char *, one step of an ending call (what was received,
			       * sent, awaited, or how the handshake ended): worth a notice-level log
			       * line. From the first one on, no data passes; output must still be
			       * flushed until EV_CLOSED. */
	SSTP_EV_CLOSED,       /* arg: const char *reason; session over (abort, disconnect, timeout, error) */
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
/* Any bytes of the stream arrived (restarts the hello timer); the data path
 * calls it once per batch. */
void sstp_saw_traffic(struct sstp *s, uint64_t now);
bool sstp_is_connected(const struct sstp *s);
/* Hash used for the binding (0 before). */
int sstp_binding_hash(const struct sstp *s);
/* Packets dropped (data before CONNECT_ACK, data before CALL_CONNECTED on
 * the server, ...). */
uint64_t sstp_dropped(const struct sstp *s);

#endif
