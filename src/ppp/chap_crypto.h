/* The pure cryptography of PPP authentication: MS-CHAPv2 (RFC 2759),
 * MPPE master keys (RFC 3079) and CHAP-MD5 (RFC 1994). wolfCrypt inside. */
#ifndef SSTPC_PPP_CHAP_CRYPTO_H
#define SSTPC_PPP_CHAP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NtPasswordHash: MD4 of the UTF-16LE password (ASCII/UTF-8 input is
 * converted; false for invalid UTF-8 or a password over 256 characters). */
bool mschap_nt_password_hash(const char *password, uint8_t hash[16]);
/* ChallengeHash over PeerChallenge, AuthenticatorChallenge and the user name
 * without any DOMAIN\ prefix (RFC 2759 8.2). */
void mschap_challenge_hash(const uint8_t peer_chal[16], const uint8_t auth_chal[16],
			   const char *username, uint8_t out[8]);
/* GenerateNTResponse. */
bool mschap_nt_response(const uint8_t auth_chal[16], const uint8_t peer_chal[16],
			const char *username, const char *password, uint8_t out[24]);
/* GenerateAuthenticatorResponse: 42 chars "S=<40 upper hex>" + NUL. */
bool mschap_auth_response(const char *password, const uint8_t nt_response[24],
			  const uint8_t peer_chal[16], const uint8_t auth_chal[16],
			  const char *username, char out[43]);
/* The client's MasterSendKey || MasterReceiveKey (RFC 3079 3.4 with
 * 16-byte keys, taken before any session-key step): the SSTP HLAK. */
bool mschap_client_hlak(const char *password, const uint8_t nt_response[24], uint8_t hlak[32]);
/* CHAP-MD5: MD5(id || secret || challenge). */
void chap_md5_response(uint8_t id, const char *secret, const uint8_t *chal, size_t chal_len,
		       uint8_t out[16]);

#endif
