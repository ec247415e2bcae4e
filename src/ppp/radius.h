/* RADIUS (RFC 2865) for a NAS that relays EAP (RFC 3579): Access-Request
 * with EAP-Message split at 253 bytes, State and Message-Authenticator;
 * replies checked (Response Authenticator, Message-Authenticator) and
 * parsed with the bounded reader; MS-MPPE-Send/Recv-Key (RFC 2548 2.4.2,
 * 2.4.3) decrypted. No I/O: tools/sstpd owns the UDP socket. */
#ifndef SSTPC_PPP_RADIUS_H
#define SSTPC_PPP_RADIUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	RADIUS_ACCESS_REQUEST = 1,
	RADIUS_ACCESS_ACCEPT = 2,
	RADIUS_ACCESS_REJECT = 3,
	RADIUS_ACCESS_CHALLENGE = 11
};

#define RADIUS_MAX 4096	    /* RFC 2865 3: the largest packet */
#define RADIUS_EAP_MAX 4000 /* one EAP packet carried in EAP-Message attributes */
#define RADIUS_STATE_MAX 253
#define RADIUS_MPPE_KEY_MAX 64

struct radius_request {
	uint8_t id;
	uint8_t authenticator[16]; /* random, kept to check the reply */
	const char *user;	   /* User-Name */
	const uint8_t *eap;	   /* the client's EAP packet */
	size_t eap_len;
	const uint8_t *state; /* from the last Access-Challenge, or NULL */
	size_t state_len;
	const char *nas_id; /* NAS-Identifier */
};

struct radius_reply {
	uint8_t code;		     /* ACCEPT, REJECT or CHALLENGE */
	uint8_t eap[RADIUS_EAP_MAX]; /* the EAP-Message attributes joined */
	size_t eap_len;
	uint8_t state[RADIUS_STATE_MAX];
	size_t state_len;
	uint8_t send_key[RADIUS_MPPE_KEY_MAX], recv_key[RADIUS_MPPE_KEY_MAX]; /* MS-MPPE-*-Key */
	size_t send_key_len, recv_key_len;
};

/* Writes the Access-Request; its length, or 0 when it does not fit. */
size_t radius_access_request(const struct radius_request *rq, const char *secret, uint8_t *out,
			     size_t cap);
/* Checks and parses a reply to rq: false with the reason in err (wrong
 * id, length, authenticator, Message-Authenticator missing or wrong, an
 * attribute shorter than its header, EAP too long, keys undecryptable). */
bool radius_parse_reply(const uint8_t *pkt, size_t len, const struct radius_request *rq,
			const char *secret, struct radius_reply *out, char *err, size_t errlen);
/* RFC 2548 2.4.2: decrypts an MS-MPPE key attribute value (Salt, String)
 * with the Request Authenticator; the key (without length and padding)
 * into key, its length into *key_len. */
bool radius_mppe_decrypt(const uint8_t *val, size_t len, const char *secret,
			 const uint8_t req_auth[16], uint8_t *key, size_t cap, size_t *key_len);
/* The server's HLAK from the MPPE keys ([MS-SSTP] 3.2.5.2.4): the first
 * 32 bytes of MS-MPPE-Recv-Key || MS-MPPE-Send-Key (the client's send key
 * first, as the client computes it), zero-padded. */
void radius_hlak(const struct radius_reply *r, uint8_t hlak[32]);

#endif
