#include "ppp/ppp_frame.h"

bool ppp_frame_read(struct reader *r, uint16_t *proto)
{
	const uint8_t *p = rd_ptr(r);
	if (rd_left(r) >= 2 && p[0] == 0xff && p[1] == 0x03)
		rd_skip(r, 2);
	uint16_t v = rd_u8(r);
	/* RFC 1661 2: an even first byte means the field has a second one */
	if (!(v & 1))
		v = (uint16_t)(v << 8 | rd_u8(r));
	*proto = rd_ok(r) ? v : 0;
	return rd_ok(r);
}

size_t ppp_frame_parse(const uint8_t *frame, size_t len, uint16_t *proto)
{
	struct reader r;
	rd_init(&r, frame, len);
	if (!ppp_frame_read(&r, proto))
		return 0;
	return r.off;
}

void ppp_frame_write(struct writer *w, uint16_t proto)
{
	uint8_t *h = wr_reserve(w, PPP_HDR_LEN);
	if (h)
		ppp_frame_put(h, proto);
}
