/* PEAP cryptobinding (MS-PEAP 3.1.5.5) and its keys (3.1.5.7): PRF+,
 * IPMK and CMK from the tunnel key and the inner session key, the
 * Compound MAC, the CSK. Pure functions; tested with values captured from
 * hostapd 2.10 as a PEAP server (tests/unit/test_eaptls.c). */
#ifndef SSTPC_PPP_PEAP_BINDING_H
#define SSTPC_PPP_PEAP_BINDING_H

#include <stddef.h>
#include <stdint.h>

#define PEAP_CB_TLV_LEN 60 /* 4-byte TLV header + 56-byte value */

/* PRF+ (K, S, LEN) with HMAC-SHA1: T1 = HMAC(K, S | 1 | 0 | 0),
 * Ti = HMAC(K, Ti-1 | S | i | 0 | 0); S = label | seed. */
void peap_prf_plus(const uint8_t *key, size_t key_len, const void *label, size_t label_len,
		   const uint8_t *seed, size_t seed_len, uint8_t *out, size_t len);
/* IPMK (40) and CMK (20) from TK (the first 40 of its 60 bytes count) and
 * the peer's ISK (inner MasterSendKey | MasterReceiveKey). */
void peap_cmk(const uint8_t tk[60], const uint8_t isk[32], uint8_t ipmk[40], uint8_t cmk[20]);
/* HMAC-SHA1(CMK, the cryptobinding TLV with its Compound MAC zeroed | 25). */
void peap_compound_mac(const uint8_t cmk[20], const uint8_t tlv[PEAP_CB_TLV_LEN], uint8_t mac[20]);
/* CSK = PRF+(IPMK, "Session Key Generating Function\0", 128). */
void peap_csk(const uint8_t ipmk[40], uint8_t csk[128]);

#endif
