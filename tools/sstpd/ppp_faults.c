/* sstpd fault modes that drop or rewrite PPP control frames on their way
 * in or out, where the PPP layer's server role is not the place for them:
 * drop-first-ipcp, ack-altered, reject-unsent (each acts once per
 * connection, so a client that discards the bad packet and retransmits
 * comes up) and stall-ppp (drops every one: a server slow to answer). */
#include <string.h>

#include "core/bytes.h"
#include "ppp/fsm.h"
#include "sstpd.h"

/* Frames here are FF 03 + 2-byte protocol + code, id, length, options
 * (what the PPP layer sends; our client sends the same). */
#define CP_OFF 4

/* The whole 4-byte control header must be there: a frame cut inside it is
 * left alone (the PPP layer drops it), never rewritten. */
static bool is_ipcp(const uint8_t *f, size_t len, uint8_t code)
{
	struct reader r;
	rd_init(&r, f, len);
	uint8_t addr = rd_u8(&r), ctrl = rd_u8(&r);
	uint16_t proto = rd_be16(&r);
	uint8_t c = rd_u8(&r);
	rd_skip(&r, 3); /* id, length */
	return rd_ok(&r) && addr == 0xff && ctrl == 0x03 && proto == PPP_PROTO_IPCP && c == code;
}

const char *ppp_faults_input(struct ppp_faults *pf, const uint8_t *frame, size_t len)
{
	if (pf->faults & FAULT_STALL_PPP) {
		if (pf->stalled)
			return ""; /* dropped; said once */
		pf->stalled = true;
		return "fault stall-ppp: discarding every PPP control frame from the client";
	}
	if ((pf->faults & FAULT_DROP_FIRST_IPCP) && !pf->dropped &&
	    is_ipcp(frame, len, CP_CONF_REQ)) {
		pf->dropped = true;
		return "fault drop-first-ipcp: discarding the client's first IPCP "
		       "Configure-Request";
	}
	return NULL;
}

const char *ppp_faults_output(struct ppp_faults *pf, const uint8_t **frame, size_t *len,
			      uint8_t *out, size_t cap)
{
	const uint8_t *f = *frame;
	size_t n = *len;
	bool reply =
	    is_ipcp(f, n, CP_CONF_ACK) || is_ipcp(f, n, CP_CONF_NAK) || is_ipcp(f, n, CP_CONF_REJ);
	if ((pf->faults & FAULT_REJECT_UNSENT) && !pf->rejected && reply && cap >= CP_OFF + 4 + 6) {
		/* Primary NBNS (130, RFC 1877), which sstpc never requests */
		static const uint8_t nbns[6] = {130, 6, 0, 0, 0, 0};
		pf->rejected = true;
		memcpy(out, f, CP_OFF + 2);
		out[CP_OFF] = CP_CONF_REJ;
		be16_put(out + CP_OFF + 2, 4 + sizeof(nbns));
		memcpy(out + CP_OFF + 4, nbns, sizeof(nbns));
		*frame = out;
		*len = CP_OFF + 4 + sizeof(nbns);
		return "fault reject-unsent: IPCP reply replaced by a Configure-Reject of NBNS "
		       "(never requested)";
	}
	if ((pf->faults & FAULT_ACK_ALTERED) && !pf->altered && is_ipcp(f, n, CP_CONF_ACK) &&
	    n > CP_OFF + 4 && n <= cap) {
		pf->altered = true;
		memcpy(out, f, n);
		out[n - 1] ^= 0x01; /* the last byte of the last option: another address */
		*frame = out;
		return "fault ack-altered: IPCP Configure-Ack sent with an altered value";
	}
	return NULL;
}
