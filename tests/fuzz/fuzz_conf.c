/* conf_parse on arbitrary bytes: must never crash, read out of bounds or
 * accept a config that conf_print cannot reproduce. */
#include "core/conf.h"
#include "core/log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
