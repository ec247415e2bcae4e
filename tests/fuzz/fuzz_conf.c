/* conf_parse on arbitrary bytes: must never crash, read out of bounds or
 * accept a config that conf_print cannot reproduce. */
#include "core/conf.h"
#include "core/log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The printed config with each masked pki private key put back (base64),
 * as the password is put back below: secrets are masked, not lost. */
static size_t unmask_keys(const struct conf *c, char *out, size_t n, size_t cap)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static char tmp[65536];
	for (int i = 0; i < c->npki; i++) {
		if (!c->pki[i].key_len)
			continue;
		char mask[160], b64[4 * CONF_PKI_DER_MAX / 3 + 8];
		snprintf(mask, sizeof(mask), "pki certificate %s private key '********'\n",
			 c->pki[i].name);
		char *at = strstr(out, mask);
		if (!at)
			abort(); /* a key must be printed, masked */
		const uint8_t *d = c->pki[i].key;
		size_t k = 0, len = c->pki[i].key_len;
		for (size_t j = 0; j < len; j += 3) {
			uint32_t v = (uint32_t)d[j] << 16 |
				     (j + 1 < len ? (uint32_t)d[j + 1] << 8 : 0) |
				     (j + 2 < len ? d[j + 2] : 0);
			b64[k++] = tbl[v >> 18 & 63];
			b64[k++] = tbl[v >> 12 & 63];
			b64[k++] = j + 1 < len ? tbl[v >> 6 & 63] : '=';
			b64[k++] = j + 2 < len ? tbl[v & 63] : '=';
		}
		b64[k] = 0;
		int m = snprintf(tmp, sizeof(tmp), "%.*spki certificate %s private key %s\n%s",
				 (int)(at - out), out, c->pki[i].name, b64, at + strlen(mask));
		if (m < 0 || (size_t)m >= cap)
			return 0;
		memcpy(out, tmp, (size_t)m + 1);
		n = (size_t)m;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf c, again;
	char err[512];
	log_set_level(LOG_LVL_ERROR);
	if (!conf_parse(&c, "fuzz.conf", (const char *)data, size, err, sizeof(err))) {
		if (strlen(err) == 0)
			abort(); /* every failure must say why */
		return 0;
	}
	/* What conf_print writes must parse back to the same settings (apart
	 * from the masked secrets). */
	static char out[65536];
	FILE *f = fmemopen(out, sizeof(out), "w");
	if (!f)
		return 0;
	conf_print(&c, f);
	long n = ftell(f);
	fclose(f);
	if (n < 0 || (size_t)n >= sizeof(out))
		return 0;
	n = (long)unmask_keys(&c, out, (size_t)n, sizeof(out));
	if (n == 0)
		return 0;
	if (!conf_parse(&again, "print", out, (size_t)n, err, sizeof(err))) {
		fprintf(stderr, "printed config does not parse: %s\n%s", err, out);
		abort();
	}
	memcpy(again.password, c.password, sizeof(c.password));
	memcpy(again.proxy_password, c.proxy_password, sizeof(c.proxy_password));
	if (memcmp(&c, &again, sizeof(c)) != 0) {
		fprintf(stderr, "printed config differs:\n%s", out);
		abort();
	}
	return 0;
}
