/* The SSTP wire format, for the SSTP module itself (sstp.c, packet.c,
 * http.c, binding.c), its tests and the test server's packet faults:
 * control messages and their attributes (MS-SSTP 2.2), the HTTP handshake
 * (3.2.4.1 / 3.3.4.1) and the crypto binding (3.2.5.2). The state machine
 * and the data-packet framing are in sstp/sstp.h. */
#ifndef SSTPC_SSTP_SSTP_WIRE_H
#define SSTPC_SSTP_SSTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sstp/sstp.h"

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

#endif
