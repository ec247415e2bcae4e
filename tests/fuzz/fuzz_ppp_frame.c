/* The PPP header parser on arbitrary bytes: the reader and buffer forms
 * agree, the header never claims more than the frame, and a parsed
 * two-byte protocol written back parses to the same value. */
#include <string.h>

#include "ppp/ppp_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t p1 = 0, p2 = 0;
	size_t hl = ppp_frame_parse(data, size, &p1);
	struct reader r;
	rd_init(&r, data, size);
	bool ok = ppp_frame_read(&r, &p2);
	if (ok != (hl != 0) || hl > size || hl > PPP_HDR_LEN)
		__builtin_trap();
	if (!ok)
		return 0;
	if (p1 != p2 || rd_left(&r) != size - hl)
		__builtin_trap();
	uint8_t h[PPP_HDR_LEN];
	ppp_frame_put(h, p1);
	uint16_t back;
	if (ppp_frame_parse(h, sizeof(h), &back) == 0 || back != p1)
		__builtin_trap();
	return 0;
}
