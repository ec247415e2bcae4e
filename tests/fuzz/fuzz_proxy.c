/* libFuzzer target for the HTTP CONNECT reply parser. */
#include "tls/tls.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_reply rep;
	enum proxy_parse r = proxy_parse_reply(data, size, &rep);
	if (r == PROXY_REPLY_OK) {
		/* the header lies inside the input and the status is a 3-digit code */
		if (rep.header_len < 4 || rep.header_len > size || rep.status < 100 ||
		    rep.status > 999)
			abort();
		if (memcmp(data + rep.header_len - 4, "\r\n\r\n", 4) != 0)
			abort();
	}
	if (strlen(rep.status_line) >= sizeof(rep.status_line))
		abort();
	return 0;
}
