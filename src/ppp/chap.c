/* CHAP (RFC 1994) with MD5 and MS-CHAPv2 (RFC 2759), client role. */
#include <stdio.h>
#include <string.h>

#include "ppp/chap_crypto.h"
#include "ppp/ppp_internal.h"
#include "core/secret.h"

enum { CHAP_CHALLENGE = 1, CHAP_RESPONSE = 2, CHAP_SUCCESS = 3, CHAP_FAILURE = 4 };

void mschapv2_make_response(struct ppp *p, const uint8_t chal[16], uint8_t value[49])
{
	memcpy(p->auth_chal, chal, 16);
	ppp_random(p, p->peer_chal, 16);
	mschap_nt_response(p->auth_chal, p->peer_chal, p->username, p->password, p->nt_resp);
	memcpy(value, p->peer_chal, 16);
	memset(value + 16, 0, 8);
	memcpy(value + 24, p->nt_resp, 24);
	value[48] = 0; /* flags */
}

bool mschapv2_check_success(struct ppp *p, const uint8_t *msg, size_t len)
{
	char want[43];
	if (!mschap_auth_response(p->password, p->nt_resp, p->peer_chal, p->auth_chal, p->username,
				  want))
		return false;
	/* "S=<40 hex>" first, maybe followed by " M=..." */
	if (len < 42 || msg[0] != 'S' || msg[1] != '=')
		return false;
	for (size_t i = 2; i < 42; i++) {
		uint8_t c = msg[i];
		if (c >= 'a' && c <= 'f')
			c = (uint8_t)(c - 'a' + 'A');
		if (c != (uint8_t)want[i])
			return false;
	}
	return len == 42 || msg[42] == ' ';
}

static const char *mschap_error_text(int e)
{
	switch (e) {
	case 646:
		return "restricted logon hours";
	case 647:
		return "account disabled";
	case 648:
		return "password expired";
	case 649:
		return "no dial-in permission";
	case 691:
		return "wrong user name or password";
	case 709:
		return "error changing password";
	default:
		return "unknown error";
	}
}

int mschapv2_failure_reason(const uint8_t *msg, size_t len, const char *method, char *out,
			    size_t outlen)
{
	/* copy into a bounded, printable, NUL-terminated buffer before any str* */
	char m[200];
	size_t n = len < sizeof(m) - 1 ? len : sizeof(m) - 1;
	for (size_t i = 0; i < n; i++)
		m[i] = msg[i] >= 0x20 && msg[i] < 0x7f ? (char)msg[i] : '?';
	m[n] = 0;
	int code = 0;
	const char *e = strstr(m, "E=");
	if (e && (e == m || e[-1] == ' ')) {
		for (e += 2; *e >= '0' && *e <= '9' && code < 100000000; e++)
			code = code * 10 + (*e - '0');
	}
	const char *text = strstr(m, "M=");
	if (code)
		snprintf(out, outlen, "%s authentication failed: E=%d (%s)%s%s", method, code,
			 mschap_error_text(code), text ? ": " : "", text ? text + 2 : "");
	else
		snprintf(out, outlen, "%s authentication failed: %s", method,
			 m[0] ? m : "no reason given");
	return code;
}

static void chap_send(struct ppp *p, uint8_t code, uint8_t id, const uint8_t *val, size_t vlen,
		      const char *name)
{
	uint8_t buf[4 + 1 + 64 + PPP_NAME_MAX];
	struct writer w;
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, code);
	wr_u8(&w, id);
	wr_be16(&w, 0);
	wr_u8(&w, (uint8_t)vlen);
	wr_bytes(&w, val, vlen);
	wr_bytes(&w, name, strlen(name));
	if (!wr_ok(&w))
		return;
	wr_patch_be16(&w, 2, (uint16_t)w.len);
	ppp_send(p, PPP_PROTO_CHAP, buf, w.len);
}

void chap_input(struct ppp *p, struct reader *r, uint64_t now)
{
	if (p->phase != PHASE_AUTHENTICATE ||
	    (p->peer_auth != PPP_AUTH_MSCHAPV2 && p->peer_auth != PPP_AUTH_CHAP_MD5))
		return;
	bool ms = p->peer_auth == PPP_AUTH_MSCHAPV2;
	const char *method = ppp_auth_name(p->peer_auth);
	uint8_t code = rd_u8(r), id = rd_u8(r);
	uint16_t len = rd_be16(r);
	struct reader d;
	if (!rd_ok(r) || len < 4 || !rd_sub(r, (size_t)len - 4, &d))
		return;
	switch (code) {
	case CHAP_CHALLENGE: {
		uint8_t vs = rd_u8(&d);
		const uint8_t *chal = rd_take(&d, vs);
		if (!chal || vs == 0)
			return;
		p->auth_id = id;
		if (ms) {
			if (vs != 16)
				return;
			uint8_t val[49];
			mschapv2_make_response(p, chal, val);
			chap_send(p, CHAP_RESPONSE, id, val, sizeof(val), p->username);
		} else {
			uint8_t val[16];
			chap_md5_response(id, p->password, chal, vs, val);
			chap_send(p, CHAP_RESPONSE, id, val, sizeof(val), p->username);
		}
		p->chap_answered = true;
		break;
	}
	case CHAP_SUCCESS:
		if (!p->chap_answered || id != p->auth_id)
			return;
		if (ms) {
			if (!mschapv2_check_success(p, rd_ptr(&d), rd_left(&d))) {
				ppp_fail(
				    p, true, 0,
				    "MS-CHAPv2: the server failed to prove it knows the password "
				    "(bad or missing S= authenticator response)",
				    now);
				return;
			}
			uint8_t hlak[32];
			mschap_client_hlak(p->password, p->nt_resp, hlak);
			ppp_auth_success(p, PPP_AUTH_MSCHAPV2, hlak, now);
			secure_wipe(hlak, sizeof(hlak));
		} else {
			ppp_auth_success(p, PPP_AUTH_CHAP_MD5, NULL, now);
		}
		break;
	case CHAP_FAILURE: {
		if (!p->chap_answered || id != p->auth_id)
			return;
		char why[240];
		int e = mschapv2_failure_reason(rd_ptr(&d), rd_left(&d), method, why, sizeof(why));
		ppp_fail(p, true, e, why, now);
		break;
	}
	default:
		break;
	}
}

/* --- server role --- */

enum { CHAP_SRV_CHALLENGED = 0, CHAP_SRV_SUCCEEDED, CHAP_SRV_FAILED };

static void hex_upper(char *out, const uint8_t *in, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = 0;
}

bool mschapv2_srv_verify(struct ppp *p, const char *pw, const uint8_t chal[16],
			 const uint8_t resp[49], char success[64], uint8_t hlak[32])
{
	const uint8_t *peer_chal = resp, *nt = resp + 24;
	uint8_t want[24];
	char s[43];
	/* the user name exactly as the client sent it goes into ChallengeHash */
	bool ok = mschap_nt_response(chal, peer_chal, p->peer_name, pw, want) &&
		  ppp_secret_eq(want, nt, 24) &&
		  mschap_auth_response(pw, nt, peer_chal, chal, p->peer_name, s) &&
		  mschap_client_hlak(pw, nt, hlak);
	secure_wipe(want, sizeof(want));
	if (!ok) {
		secure_wipe(hlak, 32);
		return false;
	}
	snprintf(success, 64, "%s M=Welcome", s);
	return true;
}

size_t mschapv2_srv_failure(struct ppp *p, char *out, size_t outlen)
{
	/* RFC 2759 6: C= is a fresh challenge for a retry; R=0 says none is allowed */
	uint8_t c[16];
	char hex[33];
	ppp_random(p, c, sizeof(c));
	hex_upper(hex, c, sizeof(c));
	int n = snprintf(out, outlen, "E=691 R=0 C=%s V=3 M=Authentication failed", hex);
	return n > 0 && (size_t)n < outlen ? (size_t)n : 0;
}

static void chap_srv_send(struct ppp *p, uint8_t code, uint8_t id, const void *msg, size_t len,
			  bool retrans, uint64_t now)
{
	uint8_t buf[4 + 1 + 16 + PPP_NAME_MAX];
	struct writer w;
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, code);
	wr_u8(&w, id);
	wr_be16(&w, (uint16_t)(4 + len));
	wr_bytes(&w, msg, len);
	if (wr_ok(&w))
		ppp_auth_send(p, PPP_PROTO_CHAP, buf, w.len, retrans, now);
}

void chap_srv_start(struct ppp *p, uint64_t now)
{
	/* RFC 1994 4.1: a new identifier for every new challenge */
	uint8_t rnd;
	ppp_random(p, &rnd, 1);
	p->auth_id = (uint8_t)(p->auth_id + 1 + (rnd & 0x0f));
	ppp_random(p, p->auth_chal, 16);
	uint8_t val[1 + 16 + PPP_NAME_MAX];
	size_t hl = strlen(p->hostname);
	val[0] = 16;
	memcpy(val + 1, p->auth_chal, 16);
	memcpy(val + 17, p->hostname, hl);
	p->srv_state = CHAP_SRV_CHALLENGED;
	chap_srv_send(p, CHAP_CHALLENGE, p->auth_id, val, 17 + hl, true, now);
}

void chap_srv_input(struct ppp *p, struct reader *r, uint64_t now)
{
	if (p->our_auth != PPP_AUTH_MSCHAPV2 && p->our_auth != PPP_AUTH_CHAP_MD5)
		return;
	bool ms = p->our_auth == PPP_AUTH_MSCHAPV2;
	uint8_t code = rd_u8(r), id = rd_u8(r);
	uint16_t len = rd_be16(r);
	struct reader d;
	if (!rd_ok(r) || len < 4 || !rd_sub(r, (size_t)len - 4, &d) || code != CHAP_RESPONSE ||
	    id != p->auth_id)
		return;
	if (p->srv_state == CHAP_SRV_SUCCEEDED) {
		/* RFC 1994 4.2: our Success was lost, send it again */
		if (p->srv_proto == PPP_PROTO_CHAP && p->srv_len)
			ppp_send(p, PPP_PROTO_CHAP, p->srv_pkt, p->srv_len);
		return;
	}
	if (p->srv_state != CHAP_SRV_CHALLENGED || p->phase != PHASE_AUTHENTICATE)
		return;
	uint8_t vs = rd_u8(&d);
	const uint8_t *val = rd_take(&d, vs);
	if (!val || vs != (ms ? 49 : 16))
		return; /* malformed: dropped, the challenge is retransmitted */
	bool named = ppp_take_peer_name(p, rd_ptr(&d), rd_left(&d));
	char pw[PPP_NAME_MAX];
	bool known = named && ppp_get_secret(p, p->peer_name, pw, sizeof(pw));
	if (ms) {
		char success[64];
		uint8_t hlak[32];
		if (known && mschapv2_srv_verify(p, pw, p->auth_chal, val, success, hlak)) {
			secure_wipe(pw, sizeof(pw));
			p->srv_state = CHAP_SRV_SUCCEEDED;
			chap_srv_send(p, CHAP_SUCCESS, id, success, strlen(success), false, now);
			ppp_auth_success(p, PPP_AUTH_MSCHAPV2, hlak, now);
			secure_wipe(hlak, sizeof(hlak));
			return;
		}
		secure_wipe(pw, sizeof(pw));
		char fail[96];
		size_t fl = mschapv2_srv_failure(p, fail, sizeof(fail));
		p->srv_state = CHAP_SRV_FAILED;
		chap_srv_send(p, CHAP_FAILURE, id, fail, fl, false, now);
		ppp_auth_refused(p, 691, now);
		return;
	}
	uint8_t want[16];
	bool ok = false;
	if (known) {
		chap_md5_response(id, pw, p->auth_chal, 16, want);
		ok = ppp_secret_eq(want, val, 16);
	}
	secure_wipe(pw, sizeof(pw));
	secure_wipe(want, sizeof(want));
	if (ok) {
		p->srv_state = CHAP_SRV_SUCCEEDED;
		chap_srv_send(p, CHAP_SUCCESS, id, "Welcome", 7, false, now);
		ppp_auth_success(p, PPP_AUTH_CHAP_MD5, NULL, now);
	} else {
		p->srv_state = CHAP_SRV_FAILED;
		chap_srv_send(p, CHAP_FAILURE, id, "Authentication failed", 21, false, now);
		ppp_auth_refused(p, 0, now);
	}
}
