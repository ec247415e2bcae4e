/* Crypto binding (MS-SSTP 3.2.5.2): ties the PPP authentication to this TLS
 * connection so that a relayed PPP exchange cannot be spliced in. */
#include "sstp/sstp_wire.h"

#include "core/bytes.h"
#include "core/secret.h"

#include <string.h>
#include <wolfssl/wolfcrypt/hmac.h>

static const char cmk_label[] = "SSTP inner method derived CMK";

static bool hash_params(int hash, int *type, size_t *len)
{
	switch (hash) {
	case SSTP_CERT_HASH_SHA1:
		*type = WC_SHA;
		*len = 20;
		return true;
	case SSTP_CERT_HASH_SHA256:
		*type = WC_SHA256;
		*len = 32;
		return true;
	default:
		return false;
	}
}

static bool hmac2(int type, const uint8_t *key, size_t klen, const uint8_t *a, size_t alen,
		  const uint8_t *b, size_t blen, uint8_t *out)
{
	Hmac h;
	if (wc_HmacInit(&h, NULL, INVALID_DEVID) != 0)
		return false;
	bool ok = wc_HmacSetKey(&h, type, key, (word32)klen) == 0 &&
		  wc_HmacUpdate(&h, a, (word32)alen) == 0 &&
		  (blen == 0 || wc_HmacUpdate(&h, b, (word32)blen) == 0) &&
		  wc_HmacFinal(&h, out) == 0;
	wc_HmacFree(&h);
	explicit_bzero(&h, sizeof(h)); /* keyed with the HLAK / CMK */
	return ok;
}

bool sstp_cmk(int hash, const uint8_t hlak[32], uint8_t *cmk)
{
	int type;
	size_t len;
	if (!hash_params(hash, &type, &len))
		return false;
	/* T1 of the PRF+ of the spec: label || output length (LE16) || 0x01 */
	uint8_t tail[3] = {(uint8_t)len, 0, 0x01};
	return hmac2(type, hlak, 32, (const uint8_t *)cmk_label, sizeof(cmk_label) - 1, tail,
		     sizeof(tail), cmk);
}

bool sstp_compound_mac(int hash, const uint8_t *cmk, const uint8_t *msg, size_t len, uint8_t *mac)
{
	int type;
	size_t hl;
	if (!hash_params(hash, &type, &hl))
		return false;
	return hmac2(type, cmk, hl, msg, len, NULL, 0, mac);
}

bool sstp_build_call_connected(uint8_t out[112], int hash, const uint8_t nonce[32],
			       const uint8_t *cert_hash, const uint8_t hlak[32])
{
	int type;
	size_t hl;
	if (!hash_params(hash, &type, &hl))
		return false;
	uint8_t v[100];
	memset(v, 0, sizeof(v));
	v[3] = (uint8_t)hash;
	memcpy(v + 4, nonce, 32);
	memcpy(v + 36, cert_hash, hl); /* SHA-1: 12 zero bytes of padding follow */
	struct sstp_attr a = {SSTP_ATTR_CRYPTO_BINDING, sizeof(v), v};
	if (sstp_build_ctrl(out, 112, SSTP_MSG_CALL_CONNECTED, &a, 1) != 112)
		return false;
	uint8_t cmk[32], mac[32];
	bool ok = sstp_cmk(hash, hlak, cmk) && sstp_compound_mac(hash, cmk, out, 112, mac);
	if (ok)
		memcpy(out + 80, mac, hl);
	secure_wipe(cmk, sizeof(cmk));
	return ok;
}
