/* `pki` entries in tunnel.conf, in VyOS's own syntax, so the certificate
 * and key keys can name them as VyOS does:
 *   pki ca NAME certificate BASE64            (the DER, base64, one line)
 *   pki certificate NAME certificate BASE64
 *   pki certificate NAME private key BASE64   (PKCS#8 or traditional DER)
 * `set pki ...` lines are taken as written. Encrypted keys (VyOS's
 * `private key password-protected`) are refused with a clear message. */
#ifndef SSTPC_CORE_CONF_PKI_H
#define SSTPC_CORE_CONF_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_MAX_PKI 4
#define CONF_PKI_DER_MAX 2900 /* base64 of it plus the key path fit a 4096-character line */

struct conf_pki {
	char name[64];
	bool ca;			/* pki ca (else pki certificate) */
	uint8_t cert[CONF_PKI_DER_MAX]; /* DER */
	size_t cert_len;
	uint8_t key[CONF_PKI_DER_MAX]; /* DER; secret */
	size_t key_len;
};

/* One line's words after `pki`; false with the reason in why. */
bool conf_pki_line(struct conf_pki *pki, int *npki, char **w, int n, char *why, size_t whylen);
/* The entry NAME of that kind, or NULL. */
const struct conf_pki *conf_pki_find(const struct conf_pki *pki, int npki, const char *name,
				     bool ca);
/* Prints the entries as `pki ...` lines, private keys masked. */
void conf_pki_print(const struct conf_pki *pki, int npki, FILE *out);

#endif
