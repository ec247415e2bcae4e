/* EAP-TLS reassembly on arbitrary packet streams: the input is cut into
 * packets by a leading length byte each; whatever they hold, the
 * reassembled length stays within the announced length and the bound,
 * a finished message has exactly its announced length, and a stream of
 * fragments ends in an error after EAPTLS_FRAGS_MAX of them. */
#include "ppp/eaptls_frag.h"

#include <stdlib.h>

static uint8_t buf[EAPTLS_MSG_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eaptls_rx rx = {.buf = buf};
	char err[200];
	size_t off = 0;
	unsigned more_in_a_row = 0;
	while (off < size) {
		size_t n = data[off++];
		if (n > size - off)
			n = size - off;
		struct reader r;
		rd_init(&r, data + off, n);
		off += n;
		uint8_t flags;
		enum eaptls_rx_result res = eaptls_rx_packet(&rx, &r, &flags, err, sizeof(err));
		if (rx.len > EAPTLS_MSG_MAX || (rx.total && rx.len > rx.total))
			abort();
		if (res == EAPTLS_RX_DONE && rx.total && rx.len != rx.total)
			abort();
		if (res == EAPTLS_RX_MORE && ++more_in_a_row > EAPTLS_FRAGS_MAX)
			abort();
		if (res != EAPTLS_RX_MORE)
			more_in_a_row = 0;
		if (res == EAPTLS_RX_ERROR)
			eaptls_rx_reset(&rx);
	}
	return 0;
}
