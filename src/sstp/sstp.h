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
 * 0 = fewer than 4 bytes available, -1 = malformed header (bad version,
 * length < 4 or reserved bits). */
ssize_t sstp_packet_len(const uint8_t *buf, size_t avail);

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
	uint32_t disconnect_ms;       /* 5000: wait for DISCONNECT_ACK */
	/* Leaf certificate hashes of the server (client: as received; server: own). */
	uint8_t cert_sha1[20];
	uint8_t cert_sha256[32];
	/* server: hash set offered in CALL_CONNECT_ACK (bitmask); client: accepted set */
	uint8_t hash_set;
	/* server fault injection, see tools/sstpd; 0 = none */
	uint32_t faults;
	void (*random)(void *ctx, void *buf, size_t len);
};

enum sstp_event {
	SSTP_EV_HTTP_OK,      /* client: 200 received; server: request accepted */
	SSTP_EV_PPP_START,    /* client: CONNECT_ACK received; server: CONNECT_REQUEST accepted */
	SSTP_EV_CONNECTED,    /* server: CALL_CONNECTED verified; client: sent */
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
/* Immediate CALL_ABORT (e.g. a protocol error found above SSTP). */
void sstp_abort(struct sstp *s, const char *reason, uint64_t now);
uint64_t sstp_deadline(const struct sstp *s);
void sstp_timeout(struct sstp *s, uint64_t now);
/* Any bytes of the stream arrived (restarts the hello timer); the data path
 * calls it once per batch. */
void sstp_saw_traffic(struct sstp *s, uint64_t now);
bool sstp_is_connected(const struct sstp *s);
/* Hash used for the binding (0 before). */
int sstp_binding_hash(const struct sstp *s);

#endif
