/* The HTTP response (client) and request (server) parsers. */
#include "sstp/sstp_wire.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[160];
	memset(err, 0, sizeof(err));
	ssize_t r = sstp_http_parse_response(data, size, err, sizeof(err));
	if (r > (ssize_t)size || (r < 0 && strlen(err) >= sizeof(err)))
		__builtin_trap();
	if (r < 0)
		for (const char *p = err; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				__builtin_trap(); /* error text must be printable */
	int status;
	r = sstp_http_parse_request(data, size, &status, err, sizeof(err));
	if (r > (ssize_t)size || (r > 0 && status != 200 && status != 404))
		__builtin_trap();
	return 0;
}
