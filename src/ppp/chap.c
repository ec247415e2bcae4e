/* CHAP (RFC 1994) with MD5 and MS-CHAPv2 (RFC 2759), client role. */
#include <stdio.h>
#include <string.h>

#include "ppp/chap_crypto.h"
#include "ppp/ppp_internal.h"

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
	case 646: return "restricted logon hours";
	case 647: return "account disabled";
	case 648: return "password expired";
	case 649: return "no dial-in permission";
	case 691: return "wrong user name or password";
	case 709: return "error changing password";
	default: return "unknown error";
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
		snprintf(out, outlen, "%s authentication failed: %s", method, m[0] ? m : "no reason given");
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
				ppp_fail(p, true, 0,
					 "MS-CHAPv2: the server failed to prove it knows the password "
					 "(bad or missing S= authenticator response)",
					 now);
				return;
			}
			uint8_t hlak[32];
			mschap_client_hlak(p->password, p->nt_resp, hlak);
			ppp_auth_success(p, PPP_AUTH_MSCHAPV2, hlak, now);
			memset(hlak, 0, sizeof(hlak));
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
