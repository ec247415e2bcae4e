/* PAP (RFC 1334), client role; also the overall authentication deadline. */
#include <stdio.h>
#include <string.h>

#include "ppp/ppp_internal.h"

enum { PAP_AUTH_REQ = 1, PAP_AUTH_ACK = 2, PAP_AUTH_NAK = 3 };

static void pap_send(struct ppp *p, uint64_t now)
{
	uint8_t buf[4 + 2 + 2 * PPP_NAME_MAX];
	size_t ul = strlen(p->username), pl = strlen(p->password);
	if (ul > 255 || pl > 255)
		return;
	struct writer w;
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, PAP_AUTH_REQ);
	wr_u8(&w, ++p->auth_id);
	wr_be16(&w, (uint16_t)(4 + 2 + ul + pl));
	wr_u8(&w, (uint8_t)ul);
	wr_bytes(&w, p->username, ul);
	wr_u8(&w, (uint8_t)pl);
	wr_bytes(&w, p->password, pl);
	if (wr_ok(&w))
		ppp_send(p, PPP_PROTO_PAP, buf, w.len);
	memset(buf, 0, sizeof(buf));
	p->auth_tries++;
	p->auth_deadline = now + p->lcp.restart_ms;
}

void pap_start(struct ppp *p, uint64_t now) { pap_send(p, now); }

void pap_timeout(struct ppp *p, uint64_t now)
{
	if (p->phase != PHASE_AUTHENTICATE) {
		p->auth_deadline = UINT64_MAX;
		return;
	}
	if (p->peer_auth == PPP_AUTH_PAP && p->auth_tries < p->lcp.max_configure) {
		pap_send(p, now);
		return;
	}
	char msg[120];
	snprintf(msg, sizeof(msg), "%s authentication: no answer from the server",
		 ppp_auth_name(p->peer_auth));
	ppp_fail(p, false, 0, msg, now);
}

void pap_input(struct ppp *p, struct reader *r, uint64_t now)
{
	if (p->phase != PHASE_AUTHENTICATE || p->peer_auth != PPP_AUTH_PAP)
		return;
	uint8_t code = rd_u8(r), id = rd_u8(r);
	uint16_t len = rd_be16(r);
	struct reader d;
	if (!rd_ok(r) || len < 4 || !rd_sub(r, (size_t)len - 4, &d) || id != p->auth_id)
		return;
	uint8_t ml = rd_u8(&d);
	const uint8_t *m = rd_take(&d, ml);
	char msg[128];
	size_t n = 0;
	for (; m && n < ml && n < sizeof(msg) - 1; n++)
		msg[n] = m[n] >= 0x20 && m[n] < 0x7f ? (char)m[n] : '?';
	msg[n] = 0;
	if (code == PAP_AUTH_ACK) {
		ppp_auth_success(p, PPP_AUTH_PAP, NULL, now);
	} else if (code == PAP_AUTH_NAK) {
		char why[200];
		snprintf(why, sizeof(why), "PAP authentication failed%s%s", n ? ": " : "", msg);
		ppp_fail(p, true, 0, why, now);
	}
}
