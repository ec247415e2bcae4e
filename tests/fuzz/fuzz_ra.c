/* ra_parse on arbitrary bytes: never crashes or loops, and what it accepts
 * is internally consistent (hop limit 255, link-local source, at most
 * RA_MAX_PREFIXES kept, no link-local prefix, preferred <= valid). */
#include "tun/ra.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ra_info ra;
	if (!ra_parse(data, size, &ra))
		return 0;
	if (size < 56 || !ra_maybe(data, size) || data[7] != 255 || ra.src[0] != 0xfe ||
	    ra.nprefix > RA_MAX_PREFIXES)
		abort();
	for (unsigned i = 0; i < ra.nprefix; i++)
		if (ra.p[i].preferred > ra.p[i].valid || ra.p[i].plen > 128 ||
		    (ra.p[i].prefix[0] == 0xfe && (ra.p[i].prefix[1] & 0xc0) == 0x80))
			abort();
	return 0;
}
