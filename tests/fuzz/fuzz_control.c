/* The control socket's request parser over arbitrary bytes: never reads
 * past the input, accepts only the known commands, always advances. */
#include <stdint.h>
#include <string.h>

#include "core/bytes.h"
#include "session/control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r;
	rd_init(&r, data, size);
	for (int i = 0; i < 64; i++) {
		size_t before = rd_left(&r);
		enum control_req req = 0;
		if (!control_parse(&r, &req))
			break;
		if (req < CONTROL_REQ_SHOW || req > CONTROL_REQ_RECONNECT)
			__builtin_trap();
		if (rd_left(&r) >= before)
			__builtin_trap(); /* an accepted frame must consume bytes */
	}
	return 0;
}
