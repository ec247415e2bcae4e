/* dns_backup_parse on arbitrary bytes (the run directory's resolv.conf
 * backup is read back at start): never crashes, and what it accepts is a
 * valid record that encodes back to exactly the same bytes. */
#include "tun/dnsbackup.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_backup b;
	if (!dns_backup_parse(data, size, &b))
		return 0;
	if (b.path[0] != '/' || b.orig_len > DNSBACKUP_FILE_MAX ||
	    b.ours_len > DNSBACKUP_FILE_MAX || (!b.existed && b.orig_len) ||
	    dns_backup_size(&b) != size)
		abort();
	uint8_t *out = malloc(size);
	if (!out || dns_backup_encode(&b, out, size) != size || memcmp(out, data, size) != 0)
		abort();
	free(out);
	return 0;
}
