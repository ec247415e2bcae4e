/* PAP (RFC 1334), client role; also the overall authentication deadline. */
#include <stdio.h>
#include <string.h>

#include "ppp/ppp_internal.h"
#include "core/secret.h"

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
	secure_wipe(buf, sizeof(buf));
	p->auth_tries++;
	p->auth_deadline = now + p->lcp.restart_ms;
}

void pap_start(struct ppp *p, uint64_t now)
{
	pap_send(p, now);
}

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

/* --- server role --- */

enum { PAP_SRV_WAIT = 0, PAP_SRV_ACKED, PAP_SRV_NAKED };

static void pap_srv_reply(struct ppp *p, uint8_t code, uint8_t id, const char *msg)
{
	uint8_t buf[64];
	size_t ml = strlen(msg);
	struct writer w;
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, code);
	wr_u8(&w, id);
	wr_be16(&w, (uint16_t)(5 + ml));
	wr_u8(&w, (uint8_t)ml);
	wr_bytes(&w, msg, ml);
	if (wr_ok(&w))
		ppp_auth_send(p, PPP_PROTO_PAP, buf, w.len, false, p->now);
}

void pap_srv_input(struct ppp *p, struct reader *r, uint64_t now)
{
	if (p->our_auth != PPP_AUTH_PAP || p->srv_state == PAP_SRV_NAKED)
		return;
	uint8_t code = rd_u8(r), id = rd_u8(r);
	uint16_t len = rd_be16(r);
	struct reader d;
	if (!rd_ok(r) || len < 4 || !rd_sub(r, (size_t)len - 4, &d) || code != PAP_AUTH_REQ)
		return;
	if (p->srv_state == PAP_SRV_ACKED) {
		/* our Ack was lost: the client retransmits, acknowledge again */
		if (p->srv_len >= 2 && p->srv_proto == PPP_PROTO_PAP) {
			p->srv_pkt[1] = id;
			ppp_send(p, PPP_PROTO_PAP, p->srv_pkt, p->srv_len);
		}
		return;
	}
	if (p->phase != PHASE_AUTHENTICATE)
		return;
	uint8_t ul = rd_u8(&d);
	const uint8_t *user = rd_take(&d, ul);
	uint8_t pl = rd_u8(&d);
	const uint8_t *pw = rd_take(&d, pl);
	if (!rd_ok(&d))
		return; /* malformed: dropped, the client retransmits */
	char secret[PPP_NAME_MAX];
	bool ok = ppp_take_peer_name(p, user, ul) &&
		  ppp_get_secret(p, p->peer_name, secret, sizeof(secret)) && strlen(secret) == pl &&
		  ppp_secret_eq(secret, pw, pl);
	secure_wipe(secret, sizeof(secret));
	if (ok) {
		pap_srv_reply(p, PAP_AUTH_ACK, id, "Welcome");
		p->srv_state = PAP_SRV_ACKED;
		ppp_auth_success(p, PPP_AUTH_PAP, NULL, now);
	} else {
		pap_srv_reply(p, PAP_AUTH_NAK, id, "Authentication failed");
		p->srv_state = PAP_SRV_NAKED;
		ppp_auth_refused(p, 0, now);
	}
}
