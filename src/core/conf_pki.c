/* VyOS `pki` entries in tunnel.conf; see conf_pki.h. */
#include "core/conf_pki.h"

#include <string.h>

#include "core/secret.h"

static int b64_val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Strict base64 (padding required as the length demands); false on any
 * other character or when the result exceeds cap. */
static bool b64_decode(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t sl = strlen(s), n = 0;
	if (sl == 0 || sl % 4 != 0)
		return false;
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < sl; i++) {
		if (s[i] == '=') {
			/* only in the last two places, and only padding after it */
			if (i < sl - 2 || (i == sl - 2 && s[sl - 1] != '='))
				return false;
			break;
		}
		int v = b64_val(s[i]);
		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return false;
			out[n++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	*len = n;
	return true;
}

static struct conf_pki *pki_get(struct conf_pki *pki, int *npki, const char *name, bool ca,
				char *why, size_t whylen)
{
	for (int i = 0; i < *npki; i++)
		if (pki[i].ca == ca && strcmp(pki[i].name, name) == 0)
			return &pki[i];
	if (*npki >= CONF_MAX_PKI) {
		snprintf(why, whylen, "pki: at most %d entries", CONF_MAX_PKI);
		return NULL;
	}
	bool name_ok = name[0] && strlen(name) < sizeof(pki->name);
	for (const char *q = name; *q && name_ok; q++)
		name_ok = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			  (*q >= '0' && *q <= '9') || *q == '-' || *q == '_' || *q == '.';
	if (!name_ok) {
		snprintf(why, whylen,
			 "pki: a name of 1-%zu letters, digits, '-', '_' or '.' expected",
			 sizeof(pki->name) - 1);
		return NULL;
	}
	struct conf_pki *e = &pki[(*npki)++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->ca = ca;
	return e;
}

bool conf_pki_line(struct conf_pki *pki, int *npki, char **w, int n, char *why, size_t whylen)
{
	bool ca = n >= 1 && strcmp(w[0], "ca") == 0;
	if (n < 3 || (!ca && strcmp(w[0], "certificate") != 0)) {
		snprintf(why, whylen,
			 "pki: expected 'pki ca NAME certificate BASE64' or 'pki certificate NAME "
			 "certificate|private key ...'");
		return false;
	}
	const char *what = w[2];
	bool is_key = !ca && strcmp(what, "private") == 0 && n >= 4 && strcmp(w[3], "key") == 0;
	if (is_key && n == 5 && strcmp(w[4], "password-protected") == 0) {
		snprintf(why, whylen,
			 "pki certificate %.64s: an encrypted private key is not supported: give "
			 "it unencrypted (openssl pkey -in KEY -outform DER | base64 -w0)",
			 w[1]);
		return false;
	}
	int vi = is_key ? 4 : 3;
	if (!(is_key || strcmp(what, "certificate") == 0) || n != vi + 1) {
		snprintf(why, whylen, "pki %s %.64s: expected 'certificate BASE64'%s", w[0], w[1],
			 ca ? "" : " or 'private key BASE64'");
		return false;
	}
	struct conf_pki *e = pki_get(pki, npki, w[1], ca, why, whylen);
	if (!e)
		return false;
	uint8_t *dst = is_key ? e->key : e->cert;
	size_t *dlen = is_key ? &e->key_len : &e->cert_len;
	if (*dlen) {
		snprintf(why, whylen, "pki %s %.64s: %s given twice", w[0], w[1],
			 is_key ? "private key" : "certificate");
		return false;
	}
	/* DER starts with a SEQUENCE (0x30); PEM pasted whole is a mistake
	 * worth naming */
	if (!b64_decode(w[vi], dst, CONF_PKI_DER_MAX, dlen) || *dlen < 2 || dst[0] != 0x30) {
		secure_wipe(dst, CONF_PKI_DER_MAX);
		*dlen = 0;
		snprintf(why, whylen,
			 "pki %s %.64s: %s: expected the base64 of a DER %s on one line, without "
			 "the -----BEGIN/END----- lines (at most %d bytes)",
			 w[0], w[1], is_key ? "private key" : "certificate",
			 is_key ? "key" : "certificate", CONF_PKI_DER_MAX);
		return false;
	}
	return true;
}

const struct conf_pki *conf_pki_find(const struct conf_pki *pki, int npki, const char *name,
				     bool ca)
{
	for (int i = 0; i < npki; i++)
		if (pki[i].ca == ca && strcmp(pki[i].name, name) == 0)
			return &pki[i];
	return NULL;
}

static void b64_print(const uint8_t *d, size_t n, FILE *out)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
			     (i + 2 < n ? d[i + 2] : 0);
		fputc(tbl[v >> 18 & 63], out);
		fputc(tbl[v >> 12 & 63], out);
		fputc(i + 1 < n ? tbl[v >> 6 & 63] : '=', out);
		fputc(i + 2 < n ? tbl[v & 63] : '=', out);
	}
}

void conf_pki_print(const struct conf_pki *pki, int npki, FILE *out)
{
	for (int i = 0; i < npki; i++) {
		const struct conf_pki *e = &pki[i];
		if (e->cert_len) {
			fprintf(out, "pki %s %s certificate ", e->ca ? "ca" : "certificate",
				e->name);
			b64_print(e->cert, e->cert_len, out);
			fputc('\n', out);
		}
		if (e->key_len)
			fprintf(out, "pki certificate %s private key '********'\n", e->name);
	}
}
