#include "ppp/chap_crypto.h"
#include "core/secret.h"

#include <string.h>

#include <wolfssl/wolfcrypt/des3.h>
#include <wolfssl/wolfcrypt/md4.h>
#include <wolfssl/wolfcrypt/md5.h>
#include <wolfssl/wolfcrypt/sha.h>

/* RFC 2759 8.7 */
static const char rfc2759_magic1[] = "Magic server to client signing constant";
static const char rfc2759_magic2[] = "Pad to make it do more than one iteration";
/* RFC 3079 3.4 */
static const char rfc3079_magic1[] = "This is the MPPE Master Key";
static const char rfc3079_magic2[] =
    "On the client side, this is the send key; on the server side, it is the receive key.";
static const char rfc3079_magic3[] =
    "On the client side, this is the receive key; on the server side, it is the send key.";

#define MSCHAP_MAX_PW 256

/* UTF-8 to UTF-16LE; returns the byte count or -1 on invalid input or
 * more than MSCHAP_MAX_PW UTF-16 units. */
static int utf8_to_utf16le(const char *in, uint8_t out[2 * MSCHAP_MAX_PW])
{
	const uint8_t *s = (const uint8_t *)in;
	size_t n = 0;
	while (*s) {
		uint32_t cp;
		int more;
		if (*s < 0x80) {
			cp = *s;
			more = 0;
		} else if ((*s & 0xe0) == 0xc0) {
			cp = *s & 0x1f;
			more = 1;
		} else if ((*s & 0xf0) == 0xe0) {
			cp = *s & 0x0f;
			more = 2;
		} else if ((*s & 0xf8) == 0xf0) {
			cp = *s & 0x07;
			more = 3;
		} else {
			return -1;
		}
		s++;
		for (int i = 0; i < more; i++, s++) {
			if ((*s & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (*s & 0x3f);
		}
		/* reject overlong forms, surrogates and out-of-range code points */
		static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
		if (cp < min_cp[more] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		if (cp >= 0x10000) {
			if (n + 2 > MSCHAP_MAX_PW)
				return -1;
			cp -= 0x10000;
			uint16_t hi = (uint16_t)(0xd800 | cp >> 10),
				 lo = (uint16_t)(0xdc00 | (cp & 0x3ff));
			out[2 * n] = (uint8_t)hi;
			out[2 * n + 1] = (uint8_t)(hi >> 8);
			out[2 * n + 2] = (uint8_t)lo;
			out[2 * n + 3] = (uint8_t)(lo >> 8);
			n += 2;
		} else {
			if (n + 1 > MSCHAP_MAX_PW)
				return -1;
			out[2 * n] = (uint8_t)cp;
			out[2 * n + 1] = (uint8_t)(cp >> 8);
			n++;
		}
	}
	return (int)(2 * n);
}

static void md4(const void *in, size_t len, uint8_t out[16])
{
	Md4 m;
	wc_InitMd4(&m);
	wc_Md4Update(&m, in, (word32)len);
	wc_Md4Final(&m, out);
	explicit_bzero(&m, sizeof(m)); /* held the password */
}

bool mschap_nt_password_hash(const char *password, uint8_t hash[16])
{
	uint8_t u[2 * MSCHAP_MAX_PW];
	int n = password ? utf8_to_utf16le(password, u) : -1;
	if (n < 0) {
		memset(hash, 0, 16);
		return false;
	}
	md4(u, (size_t)n, hash);
	secure_wipe(u, sizeof(u));
	return true;
}

void mschap_challenge_hash(const uint8_t peer_chal[16], const uint8_t auth_chal[16],
			   const char *username, uint8_t out[8])
{
	wc_Sha sha;
	uint8_t d[WC_SHA_DIGEST_SIZE];
	wc_InitSha(&sha);
	wc_ShaUpdate(&sha, peer_chal, 16);
	wc_ShaUpdate(&sha, auth_chal, 16);
	/* RFC 2759 8.2: the user name without any prepended domain (as
	 * Windows and pppd hash DOMAIN\user) */
	const char *bs = strrchr(username, '\\');
	const char *u = bs ? bs + 1 : username;
	wc_ShaUpdate(&sha, (const byte *)u, (word32)strlen(u));
	wc_ShaFinal(&sha, d);
	wc_ShaFree(&sha);
	explicit_bzero(&sha, sizeof(sha));
	memcpy(out, d, 8);
}

/* RFC 2759 8.6: 7 key bytes spread over 8 with the low (parity) bit unused */
static void des_encrypt(const uint8_t clear[8], const uint8_t k7[7], uint8_t out[8])
{
	uint8_t key[8];
	key[0] = k7[0] & 0xfe;
	key[1] = (uint8_t)(k7[0] << 7 | k7[1] >> 1);
	key[2] = (uint8_t)(k7[1] << 6 | k7[2] >> 2);
	key[3] = (uint8_t)(k7[2] << 5 | k7[3] >> 3);
	key[4] = (uint8_t)(k7[3] << 4 | k7[4] >> 4);
	key[5] = (uint8_t)(k7[4] << 3 | k7[5] >> 5);
	key[6] = (uint8_t)(k7[5] << 2 | k7[6] >> 6);
	key[7] = (uint8_t)(k7[6] << 1);
	Des des;
	wc_Des_SetKey(&des, key, NULL, DES_ENCRYPTION);
	wc_Des_EcbEncrypt(&des, out, clear, 8);
	secure_wipe(&des, sizeof(des));
	secure_wipe(key, sizeof(key));
}

static void challenge_response(const uint8_t chal[8], const uint8_t pw_hash[16], uint8_t out[24])
{
	uint8_t z[21] = {0};
	memcpy(z, pw_hash, 16);
	des_encrypt(chal, z, out);
	des_encrypt(chal, z + 7, out + 8);
	des_encrypt(chal, z + 14, out + 16);
	secure_wipe(z, sizeof(z));
}

bool mschap_nt_response(const uint8_t auth_chal[16], const uint8_t peer_chal[16],
			const char *username, const char *password, uint8_t out[24])
{
	uint8_t ch[8], h[16];
	if (!mschap_nt_password_hash(password, h)) {
		memset(out, 0, 24);
		return false;
	}
	mschap_challenge_hash(peer_chal, auth_chal, username, ch);
	challenge_response(ch, h, out);
	secure_wipe(h, sizeof(h));
	return true;
}

bool mschap_auth_response(const char *password, const uint8_t nt_response[24],
			  const uint8_t peer_chal[16], const uint8_t auth_chal[16],
			  const char *username, char out[43])
{
	uint8_t h[16], hh[16], ch[8], d[WC_SHA_DIGEST_SIZE];
	out[0] = 0;
	if (!mschap_nt_password_hash(password, h))
		return false;
	md4(h, 16, hh);
	wc_Sha sha;
	wc_InitSha(&sha);
	wc_ShaUpdate(&sha, hh, 16);
	wc_ShaUpdate(&sha, nt_response, 24);
	wc_ShaUpdate(&sha, (const byte *)rfc2759_magic1, sizeof(rfc2759_magic1) - 1);
	wc_ShaFinal(&sha, d);
	mschap_challenge_hash(peer_chal, auth_chal, username, ch);
	wc_InitSha(&sha);
	wc_ShaUpdate(&sha, d, sizeof(d));
	wc_ShaUpdate(&sha, ch, 8);
	wc_ShaUpdate(&sha, (const byte *)rfc2759_magic2, sizeof(rfc2759_magic2) - 1);
	wc_ShaFinal(&sha, d);
	wc_ShaFree(&sha);
	explicit_bzero(&sha, sizeof(sha));
	static const char hex[] = "0123456789ABCDEF";
	out[0] = 'S';
	out[1] = '=';
	for (int i = 0; i < 20; i++) {
		out[2 + 2 * i] = hex[d[i] >> 4];
		out[3 + 2 * i] = hex[d[i] & 15];
	}
	out[42] = 0;
	secure_wipe(h, sizeof(h));
	secure_wipe(hh, sizeof(hh));
	return true;
}

/* RFC 3079 3.4 GetAsymmetricStartKey with a 16-byte key */
static void asymmetric_start_key(const uint8_t master[16], const char *magic, size_t mlen,
				 uint8_t out[16])
{
	static const uint8_t pad1[40] = {0};
	uint8_t pad2[40], d[WC_SHA_DIGEST_SIZE];
	memset(pad2, 0xf2, sizeof(pad2));
	wc_Sha sha;
	wc_InitSha(&sha);
	wc_ShaUpdate(&sha, master, 16);
	wc_ShaUpdate(&sha, pad1, sizeof(pad1));
	wc_ShaUpdate(&sha, (const byte *)magic, (word32)mlen);
	wc_ShaUpdate(&sha, pad2, sizeof(pad2));
	wc_ShaFinal(&sha, d);
	wc_ShaFree(&sha);
	explicit_bzero(&sha, sizeof(sha));
	memcpy(out, d, 16);
}

bool mschap_client_hlak(const char *password, const uint8_t nt_response[24], uint8_t hlak[32])
{
	uint8_t h[16], hh[16], d[WC_SHA_DIGEST_SIZE];
	if (!mschap_nt_password_hash(password, h)) {
		memset(hlak, 0, 32);
		return false;
	}
	md4(h, 16, hh);
	wc_Sha sha;
	wc_InitSha(&sha);
	wc_ShaUpdate(&sha, hh, 16);
	wc_ShaUpdate(&sha, nt_response, 24);
	wc_ShaUpdate(&sha, (const byte *)rfc3079_magic1, sizeof(rfc3079_magic1) - 1);
	wc_ShaFinal(&sha, d);
	wc_ShaFree(&sha);
	explicit_bzero(&sha, sizeof(sha));
	/* the client sends with Magic2 and receives with Magic3 */
	asymmetric_start_key(d, rfc3079_magic2, sizeof(rfc3079_magic2) - 1, hlak);
	asymmetric_start_key(d, rfc3079_magic3, sizeof(rfc3079_magic3) - 1, hlak + 16);
	secure_wipe(h, sizeof(h));
	secure_wipe(hh, sizeof(hh));
	secure_wipe(d, sizeof(d));
	return true;
}

void chap_md5_response(uint8_t id, const char *secret, const uint8_t *chal, size_t chal_len,
		       uint8_t out[16])
{
	wc_Md5 md5;
	wc_InitMd5(&md5);
	wc_Md5Update(&md5, &id, 1);
	wc_Md5Update(&md5, (const byte *)secret, (word32)strlen(secret));
	wc_Md5Update(&md5, chal, (word32)chal_len);
	wc_Md5Final(&md5, out);
	explicit_bzero(&md5, sizeof(md5)); /* held the secret */
	wc_Md5Free(&md5);
}
