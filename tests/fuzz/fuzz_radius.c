/* The RADIUS reply parser on arbitrary bytes, for a fixed request (id
 * 0x42, authenticator a0..af, secret "nas-Secret.7", as the seeds were
 * made): never reads out of bounds, and whatever it accepts stays within
 * its buffers. Seeds: replies made by tests/unit/radius_oracle.py. */
#include "ppp/radius.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t eap[5] = {2, 1, 0, 5, 1};
	struct radius_request rq = {.id = 0x42, .user = "alice", .eap = eap, .eap_len = 5};
	for (int i = 0; i < 16; i++)
		rq.authenticator[i] = (uint8_t)(0xa0 + i);
	static struct radius_reply r;
	char err[200];
	if (size > RADIUS_MAX)
		size = RADIUS_MAX;
	if (radius_parse_reply(data, size, &rq, "nas-Secret.7", &r, err, sizeof(err))) {
		if (r.eap_len > RADIUS_EAP_MAX || r.state_len > RADIUS_STATE_MAX ||
		    r.send_key_len > RADIUS_MPPE_KEY_MAX || r.recv_key_len > RADIUS_MPPE_KEY_MAX)
			abort();
		uint8_t hlak[32];
		radius_hlak(&r, hlak);
	}
	return 0;
}
