/* PEAP cryptobinding keys and MAC; see peap_binding.h. */
#include "ppp/peap_binding.h"

#include <string.h>

#include <wolfssl/wolfcrypt/hmac.h>

#include "core/secret.h"

static void hmac_sha1_parts(const uint8_t *key, size_t klen, const uint8_t *a, size_t alen,
			    const void *b, size_t blen, const uint8_t *c, size_t clen,
			    const uint8_t *d, size_t dlen, uint8_t out[20])
{
	Hmac h;
	wc_HmacInit(&h, NULL, INVALID_DEVID);
	wc_HmacSetKey(&h, WC_SHA, key, (word32)klen);
	wc_HmacUpdate(&h, a, (word32)alen);
	wc_HmacUpdate(&h, b, (word32)blen);
	wc_HmacUpdate(&h, c, (word32)clen);
	wc_HmacUpdate(&h, d, (word32)dlen);
	wc_HmacFinal(&h, out);
	wc_HmacFree(&h);
}

void peap_prf_plus(const uint8_t *key, size_t key_len, const void *label, size_t label_len,
		   const uint8_t *seed, size_t seed_len, uint8_t *out, size_t len)
{
	uint8_t t[20];
	size_t tlen = 0;
	for (uint8_t i = 1; len > 0; i++) {
		const uint8_t tail[3] = {i, 0, 0};
		hmac_sha1_parts(key, key_len, t, tlen, label, label_len, seed, seed_len, tail, 3,
				t);
		tlen = 20;
		size_t n = len < 20 ? len : 20;
		memcpy(out, t, n);
		out += n;
		len -= n;
	}
	secure_wipe(t, sizeof(t));
}

void peap_cmk(const uint8_t tk[60], const uint8_t isk[32], uint8_t ipmk[40], uint8_t cmk[20])
{
	/* the label without its NUL here, with it for the CSK: both as
	 * hostapd and Windows compute them */
	static const char label[] = "Inner Methods Compound Keys";
	uint8_t imck[60];
	peap_prf_plus(tk, 40, label, sizeof(label) - 1, isk, 32, imck, sizeof(imck));
	memcpy(ipmk, imck, 40);
	memcpy(cmk, imck + 40, 20);
	secure_wipe(imck, sizeof(imck));
}

void peap_compound_mac(const uint8_t cmk[20], const uint8_t tlv[PEAP_CB_TLV_LEN], uint8_t mac[20])
{
	uint8_t buf[PEAP_CB_TLV_LEN];
	memcpy(buf, tlv, sizeof(buf));
	memset(buf + PEAP_CB_TLV_LEN - 20, 0, 20);
	static const uint8_t peap_type = 25;
	hmac_sha1_parts(cmk, 20, buf, sizeof(buf), &peap_type, 1, NULL, 0, NULL, 0, mac);
}

void peap_csk(const uint8_t ipmk[40], uint8_t csk[128])
{
	static const char label[] = "Session Key Generating Function"; /* with its NUL */
	peap_prf_plus(ipmk, 40, label, sizeof(label), NULL, 0, csk, 128);
}
