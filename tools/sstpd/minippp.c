/* sstpd: a deliberately small PPP server, used only while the PPP layer's
 * own server role (ppp_new with PPP_SERVER) is not available. It speaks
 * the same ops/events contract as ppp.h: LCP (MRU, Auth, Magic), MS-CHAPv2,
 * CHAP-MD5 and PAP, IPCP with RFC 1877 DNS, IPV6CP, echo and terminate.
 * Not the RFC 1661 automaton: a straight-line server that is just strict
 * enough to tell a client's mistakes apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/bytes.h"
#include "ppp/chap_crypto.h"
#include "ppp/ppp.h"
#include "sstpd.h"

#define RESTART_MS 3000
#define MAX_TRIES 10
#define FRAME_MAX 1600

enum { CONFREQ = 1, CONFACK, CONFNAK, CONFREJ, TERMREQ, TERMACK, CODEREJ, PROTREJ, ECHOREQ, ECHOREP,
       DISCREQ };

enum phase { PH_INIT, PH_LCP, PH_AUTH, PH_NETWORK, PH_TERM, PH_DEAD };

/* One configuration exchange: our request and whether each side acked. */
struct cp {
	uint16_t proto;
	uint8_t id;
	bool ours_acked, theirs_acked, up, enabled;
	unsigned tries;
	uint64_t deadline;
};

struct mppp {
	struct ppp_config cfg;
	struct ppp_ops ops;
	void *ctx;
	enum phase phase;
	struct cp lcp, ipcp, ipv6cp;
	int auth_idx;
	enum ppp_auth auth;
	bool auth_insisted; /* re-asked the last method once after a Nak */
	uint16_t mru;
	bool send_mru;
	uint32_t magic;
	/* authentication */
	uint8_t chal[16];
	uint8_t auth_id;
	unsigned auth_tries;
	uint64_t auth_deadline;
	uint64_t term_deadline;
	uint8_t peer_ifid[8];
	bool auth_failed;
	int code;
	char reason[160];
	uint8_t buf[FRAME_MAX];
};

static void rnd(struct mppp *m, void *p, size_t n)
{
	if (m->cfg.random) {
		m->cfg.random(m->ctx, p, n);
		return;
	}
	if (getrandom(p, n, 0) != (ssize_t)n)
		memset(p, 0x5a, n);
}

static void begin(struct writer *w, struct mppp *m, uint16_t proto, uint8_t code, uint8_t id)
{
	wr_init(w, m->buf, sizeof(m->buf));
	wr_u8(w, 0xff);
	wr_u8(w, 0x03);
	wr_be16(w, proto);
	wr_u8(w, code);
	wr_u8(w, id);
	wr_be16(w, 0);
}

static void send_pkt(struct mppp *m, struct writer *w)
{
	if (!wr_ok(w))
		return;
	wr_patch_be16(w, 6, (uint16_t)(w->len - 4));
	m->ops.output(m->ctx, w->p, w->len);
}

static void die(struct mppp *m, bool auth_failed, int code, const char *why)
{
	if (m->phase == PH_DEAD)
		return;
	m->phase = PH_DEAD;
	if (why != m->reason)
		snprintf(m->reason, sizeof(m->reason), "%s", why);
	struct ppp_down_info di = { auth_failed || m->auth_failed, code ? code : m->code, m->reason };
	if (m->ipcp.up)
		m->ops.event(m->ctx, PPP_EV_IPCP_DOWN, NULL);
	if (m->ipv6cp.up)
		m->ops.event(m->ctx, PPP_EV_IPV6CP_DOWN, NULL);
	m->ipcp.up = m->ipv6cp.up = false;
	m->ops.event(m->ctx, PPP_EV_DEAD, &di);
}

/* After a failure message, let the client end the link itself (its
 * Terminate-Request gets an Ack) so that it sees the failure before the
 * SSTP disconnect, as with RRAS; give up waiting after one restart time. */
static void fail_later(struct mppp *m, int code, const char *why, uint64_t now)
{
	m->auth_failed = true;
	m->code = code;
	snprintf(m->reason, sizeof(m->reason), "%s", why);
	m->phase = PH_TERM;
	m->term_deadline = now + RESTART_MS;
}

/* ------------------------------------------------------------ our requests */

static void send_lcp_req(struct mppp *m)
{
	struct writer w;
	begin(&w, m, PPP_PROTO_LCP, CONFREQ, m->lcp.id);
	if (m->send_mru) {
		wr_u8(&w, 1);
		wr_u8(&w, 4);
		wr_be16(&w, m->mru);
	}
	switch (m->auth) {
	case PPP_AUTH_MSCHAPV2: wr_bytes(&w, "\x03\x05\xc2\x23\x81", 5); break;
	case PPP_AUTH_CHAP_MD5: wr_bytes(&w, "\x03\x05\xc2\x23\x05", 5); break;
	case PPP_AUTH_PAP: wr_bytes(&w, "\x03\x04\xc0\x23", 4); break;
	case PPP_AUTH_EAP_MSCHAPV2: wr_bytes(&w, "\x03\x04\xc2\x27", 4); break;
	default: break;
	}
	wr_u8(&w, 5);
	wr_u8(&w, 6);
	wr_be32(&w, m->magic);
	send_pkt(m, &w);
}

static void send_ipcp_req(struct mppp *m)
{
	struct writer w;
	begin(&w, m, PPP_PROTO_IPCP, CONFREQ, m->ipcp.id);
	wr_u8(&w, 3);
	wr_u8(&w, 6);
	wr_bytes(&w, &m->cfg.local_ip4, 4);
	send_pkt(m, &w);
}

static void send_ipv6cp_req(struct mppp *m)
{
	struct writer w;
	begin(&w, m, PPP_PROTO_IPV6CP, CONFREQ, m->ipv6cp.id);
	wr_u8(&w, 1);
	wr_u8(&w, 10);
	wr_bytes(&w, m->cfg.local_ifid, 8);
	send_pkt(m, &w);
}

static void cp_send(struct mppp *m, struct cp *cp, uint64_t now)
{
	cp->deadline = now + RESTART_MS;
	if (cp->proto == PPP_PROTO_LCP)
		send_lcp_req(m);
	else if (cp->proto == PPP_PROTO_IPCP)
		send_ipcp_req(m);
	else
		send_ipv6cp_req(m);
}

static void cp_new_req(struct mppp *m, struct cp *cp, uint64_t now)
{
	cp->id++;
	cp->tries = 0;
	cp->ours_acked = false;
	cp_send(m, cp, now);
}

/* -------------------------------------------------------- authentication */

static void send_challenge(struct mppp *m, uint64_t now)
{
	struct writer w;
	m->auth_deadline = now + RESTART_MS;
	if (m->auth == PPP_AUTH_PAP)
		return; /* the client speaks first */
	begin(&w, m, PPP_PROTO_CHAP, 1, m->auth_id);
	wr_u8(&w, 16);
	wr_bytes(&w, m->chal, 16);
	const char *name = m->cfg.hostname ? m->cfg.hostname : "sstpd";
	wr_bytes(&w, name, strlen(name));
	send_pkt(m, &w);
}

static void start_network(struct mppp *m, uint64_t now)
{
	m->phase = PH_NETWORK;
	if (m->ipcp.enabled)
		cp_new_req(m, &m->ipcp, now);
	if (m->ipv6cp.enabled)
		cp_new_req(m, &m->ipv6cp, now);
}

static void auth_ok(struct mppp *m, const char *user, const uint8_t *hlak, uint64_t now)
{
	struct ppp_auth_info ai = { 0 };
	ai.method = m->auth;
	if (hlak) {
		ai.have_keys = true;
		memcpy(ai.hlak, hlak, 32);
	}
	snprintf(ai.peer_name, sizeof(ai.peer_name), "%s", user);
	m->auth_deadline = UINT64_MAX;
	m->ops.event(m->ctx, PPP_EV_AUTH_OK, &ai);
	if (m->phase == PH_AUTH)
		start_network(m, now);
}

static void chap_input(struct mppp *m, struct reader *r, uint8_t code, uint8_t id, uint64_t now)
{
	if (m->phase != PH_AUTH || code != 2 || id != m->auth_id)
		return;
	uint8_t vlen = rd_u8(r);
	const uint8_t *val = rd_take(r, vlen);
	char user[SSTPD_NAME_MAX];
	size_t nlen = rd_left(r);
	if (!rd_ok(r) || nlen == 0 || nlen >= sizeof(user))
		return;
	memcpy(user, rd_ptr(r), nlen);
	user[nlen] = '\0';
	if (strlen(user) != nlen)
		return; /* NUL inside the name */
	char pw[SSTPD_NAME_MAX];
	bool known = m->ops.get_secret && m->ops.get_secret(m->ctx, user, pw, sizeof(pw));
	struct writer w;
	if (m->auth == PPP_AUTH_MSCHAPV2) {
		if (vlen != 49)
			return;
		const uint8_t *peer_chal = val, *nt = val + 24;
		uint8_t expect[24];
		char sresp[43];
		if (known && mschap_nt_response(m->chal, peer_chal, user, pw, expect) &&
		    memcmp(expect, nt, 24) == 0 && mschap_auth_response(pw, nt, peer_chal, m->chal, user, sresp)) {
			uint8_t hlak[32];
			mschap_client_hlak(pw, nt, hlak);
			begin(&w, m, PPP_PROTO_CHAP, 3, id);
			wr_bytes(&w, sresp, 42);
			wr_bytes(&w, " M=Welcome", 10);
			send_pkt(m, &w);
			memset(pw, 0, sizeof(pw));
			auth_ok(m, user, hlak, now);
			return;
		}
		char msg[128], hex[33];
		hex_encode(hex, m->chal, 16);
		snprintf(msg, sizeof(msg), "E=691 R=0 C=%s V=3 M=Authentication failure", hex);
		begin(&w, m, PPP_PROTO_CHAP, 4, id);
		wr_bytes(&w, msg, strlen(msg));
		send_pkt(m, &w);
		memset(pw, 0, sizeof(pw));
		fail_later(m, 691, "MS-CHAPv2 authentication failed: E=691", now);
		return;
	}
	/* CHAP-MD5 */
	uint8_t expect[16];
	bool ok = false;
	if (known && vlen == 16) {
		chap_md5_response(id, pw, m->chal, 16, expect);
		ok = memcmp(expect, val, 16) == 0;
	}
	memset(pw, 0, sizeof(pw));
	begin(&w, m, PPP_PROTO_CHAP, ok ? 3 : 4, id);
	wr_bytes(&w, ok ? "Welcome" : "Authentication failure", ok ? 7 : 22);
	send_pkt(m, &w);
	if (ok)
		auth_ok(m, user, NULL, now);
	else
		fail_later(m, 0, "CHAP authentication failed", now);
}

static void pap_input(struct mppp *m, struct reader *r, uint8_t code, uint8_t id, uint64_t now)
{
	if (m->phase != PH_AUTH || code != 1)
		return;
	char user[SSTPD_NAME_MAX], given[SSTPD_NAME_MAX], pw[SSTPD_NAME_MAX];
	uint8_t ul = rd_u8(r);
	const uint8_t *u = rd_take(r, ul);
	uint8_t pl = rd_u8(r);
	const uint8_t *p = rd_take(r, pl);
	if (!rd_ok(r) || ul == 0 || ul >= sizeof(user) || pl >= sizeof(given))
		return;
	memcpy(user, u, ul);
	user[ul] = '\0';
	memcpy(given, p, pl);
	given[pl] = '\0';
	bool ok = strlen(user) == ul && strlen(given) == pl && m->ops.get_secret &&
		  m->ops.get_secret(m->ctx, user, pw, sizeof(pw)) && strcmp(pw, given) == 0;
	memset(pw, 0, sizeof(pw));
	memset(given, 0, sizeof(given));
	struct writer w;
	begin(&w, m, PPP_PROTO_PAP, ok ? 2 : 3, id);
	wr_u8(&w, 0);
	send_pkt(m, &w);
	if (ok)
		auth_ok(m, user, NULL, now);
	else
		fail_later(m, 0, "PAP authentication failed", now);
}

static void start_auth(struct mppp *m, uint64_t now)
{
	m->phase = PH_AUTH;
	m->auth_tries = 0;
	rnd(m, m->chal, sizeof(m->chal));
	m->auth_id++;
	send_challenge(m, now);
}

/* -------------------------------------------------------------------- LCP */

static enum ppp_auth auth_from_opt(const uint8_t *v, size_t n)
{
	if (n >= 3 && v[0] == 0xc2 && v[1] == 0x23 && v[2] == 0x81)
		return PPP_AUTH_MSCHAPV2;
	if (n >= 3 && v[0] == 0xc2 && v[1] == 0x23 && v[2] == 0x05)
		return PPP_AUTH_CHAP_MD5;
	if (n >= 2 && v[0] == 0xc0 && v[1] == 0x23)
		return PPP_AUTH_PAP;
	if (n >= 2 && v[0] == 0xc2 && v[1] == 0x27)
		return PPP_AUTH_EAP_MSCHAPV2;
	return PPP_AUTH_NONE;
}

/* The method after a Nak: the client's suggestion if we offer it, else the
 * next one in our list; false when none is left. */
static bool next_auth(struct mppp *m, enum ppp_auth suggested)
{
	for (int i = 0; i < 4; i++) {
		if (suggested != PPP_AUTH_NONE && m->cfg.auth[i] == suggested && suggested != PPP_AUTH_EAP_MSCHAPV2) {
			m->auth_idx = i;
			m->auth = suggested;
			return true;
		}
	}
	for (int i = m->auth_idx + 1; i < 4; i++) {
		enum ppp_auth a = m->cfg.auth[i];
		if (a != PPP_AUTH_NONE && a != PPP_AUTH_EAP_MSCHAPV2) {
			m->auth_idx = i;
			m->auth = a;
			return true;
		}
	}
	/* Out of methods: insist on the current one once, as pppd does. A
	 * client may Nak a method it allows but does not prefer, and only takes
	 * it when the server asks again (RFC 1661 leaves the choice to us). */
	if (suggested != PPP_AUTH_NONE && m->auth != PPP_AUTH_NONE && !m->auth_insisted) {
		m->auth_insisted = true;
		return true;
	}
	return false;
}

/* Answers a Configure-Request of any CP: Reject what we do not know, Nak
 * values we want different, else Ack. */
static void cp_got_req(struct mppp *m, struct cp *cp, uint8_t id, struct reader *opts, uint64_t now)
{
	uint8_t rej[FRAME_MAX], nak[FRAME_MAX];
	struct writer wr, wn;
	wr_init(&wr, rej, sizeof(rej));
	wr_init(&wn, nak, sizeof(nak));
	while (rd_left(opts) > 0) {
		uint8_t t = rd_u8(opts), l = rd_u8(opts);
		if (!rd_ok(opts) || l < 2)
			return;
		const uint8_t *v = rd_take(opts, l - 2u);
		if (!v)
			return;
		size_t n = l - 2u;
		bool known = false;
		if (cp->proto == PPP_PROTO_LCP) {
			known = (t == 1 && n == 2) || (t == 2 && n == 4) || (t == 5 && n == 4) || (t == 7 && n == 0) ||
				(t == 8 && n == 0);
		} else if (cp->proto == PPP_PROTO_IPCP) {
			if (t == 3 && n == 4) {
				known = true;
				if (memcmp(v, &m->cfg.peer_ip4, 4) != 0) {
					wr_u8(&wn, 3);
					wr_u8(&wn, 6);
					wr_bytes(&wn, &m->cfg.peer_ip4, 4);
				}
			} else if ((t == 129 || t == 131) && n == 4) {
				uint32_t dns = m->cfg.dns4[t == 129 ? 0 : 1];
				if (dns) {
					known = true;
					if (memcmp(v, &dns, 4) != 0) {
						wr_u8(&wn, t);
						wr_u8(&wn, 6);
						wr_bytes(&wn, &dns, 4);
					}
				}
			}
		} else if (t == 1 && n == 8) {
			static const uint8_t zero[8];
			known = true;
			if (memcmp(v, zero, 8) == 0 || memcmp(v, m->cfg.local_ifid, 8) == 0) {
				wr_u8(&wn, 1);
				wr_u8(&wn, 10);
				wr_bytes(&wn, m->cfg.peer_ifid, 8);
			} else {
				memcpy(m->peer_ifid, v, 8);
			}
		}
		if (!known) {
			wr_u8(&wr, t);
			wr_u8(&wr, l);
			wr_bytes(&wr, v, n);
		}
	}
	struct writer w;
	if (wr.len) {
		begin(&w, m, cp->proto, CONFREJ, id);
		wr_bytes(&w, rej, wr.len);
	} else if (wn.len) {
		begin(&w, m, cp->proto, CONFNAK, id);
		wr_bytes(&w, nak, wn.len);
	} else {
		begin(&w, m, cp->proto, CONFACK, id);
		wr_bytes(&w, opts->p, opts->len);
		cp->theirs_acked = true;
	}
	send_pkt(m, &w);
}

static void cp_check_up(struct mppp *m, struct cp *cp, uint64_t now)
{
	if (cp->up || !cp->ours_acked || !cp->theirs_acked)
		return;
	cp->up = true;
	cp->deadline = UINT64_MAX;
	if (cp->proto == PPP_PROTO_LCP) {
		start_auth(m, now);
	} else if (cp->proto == PPP_PROTO_IPCP) {
		struct ppp_ipcp_info ii = { m->cfg.local_ip4, m->cfg.peer_ip4, { m->cfg.dns4[0], m->cfg.dns4[1] } };
		m->ops.event(m->ctx, PPP_EV_IPCP_UP, &ii);
	} else {
		struct ppp_ipv6cp_info vi;
		memcpy(vi.local_id, m->cfg.local_ifid, 8);
		memcpy(vi.peer_id, m->peer_ifid, 8);
		m->ops.event(m->ctx, PPP_EV_IPV6CP_UP, &vi);
	}
}

static void cp_input(struct mppp *m, struct cp *cp, uint8_t code, uint8_t id, struct reader *r, uint64_t now)
{
	switch (code) {
	case CONFREQ:
		if (cp->up)
			return; /* renegotiation: not supported by this small server */
		cp_got_req(m, cp, id, r, now);
		break;
	case CONFACK:
		if (id == cp->id)
			cp->ours_acked = true;
		break;
	case CONFNAK:
	case CONFREJ:
		if (id != cp->id || cp->up)
			return;
		if (cp->proto == PPP_PROTO_LCP) {
			while (rd_left(r) > 0) {
				uint8_t t = rd_u8(r), l = rd_u8(r);
				if (!rd_ok(r) || l < 2)
					return;
				const uint8_t *v = rd_take(r, l - 2u);
				if (!v)
					return;
				if (t == 3) {
					if (code == CONFREJ) {
						die(m, false, 0, "the client refuses to authenticate");
						return;
					}
					if (!next_auth(m, auth_from_opt(v, l - 2u))) {
						die(m, true, 0, "no authentication method in common");
						return;
					}
				} else if (t == 1) {
					if (code == CONFREJ)
						m->send_mru = false;
					else if (l == 4)
						m->mru = be16_get(v);
				}
			}
		}
		if (++cp->tries > MAX_TRIES) {
			die(m, false, 0, "configuration does not converge");
			return;
		}
		cp->id++;
		cp_send(m, cp, now);
		return;
	case TERMREQ: {
		struct writer w;
		begin(&w, m, cp->proto, TERMACK, id);
		send_pkt(m, &w);
		if (cp->proto == PPP_PROTO_LCP)
			die(m, false, 0, m->phase == PH_TERM ? m->reason : "the client terminated the link");
		break;
	}
	case TERMACK:
		if (m->phase == PH_TERM && cp->proto == PPP_PROTO_LCP)
			die(m, false, 0, m->reason[0] ? m->reason : "closed");
		break;
	case ECHOREQ:
		if (cp->proto == PPP_PROTO_LCP && cp->up) {
			struct writer w;
			begin(&w, m, PPP_PROTO_LCP, ECHOREP, id);
			wr_be32(&w, m->magic);
			wr_bytes(&w, rd_ptr(r) + (rd_left(r) >= 4 ? 4 : rd_left(r)),
				 rd_left(r) >= 4 ? rd_left(r) - 4 : 0);
			send_pkt(m, &w);
		}
		break;
	default:
		break;
	}
	cp_check_up(m, cp, now);
}

/* ---------------------------------------------------------------- public */

struct mppp *mppp_new(const struct ppp_config *cfg, const struct ppp_ops *ops, void *ctx)
{
	struct mppp *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cfg = *cfg;
	m->ops = *ops;
	m->ctx = ctx;
	m->mru = cfg->mru ? cfg->mru : 1500;
	m->send_mru = m->mru != 1500;
	m->lcp.proto = PPP_PROTO_LCP;
	m->lcp.enabled = true;
	m->ipcp.proto = PPP_PROTO_IPCP;
	m->ipcp.enabled = cfg->ipv4;
	m->ipv6cp.proto = PPP_PROTO_IPV6CP;
	m->ipv6cp.enabled = cfg->ipv6;
	memcpy(m->peer_ifid, cfg->peer_ifid, 8);
	m->lcp.deadline = m->ipcp.deadline = m->ipv6cp.deadline = UINT64_MAX;
	m->auth_deadline = m->term_deadline = UINT64_MAX;
	m->auth_idx = -1;
	if (!next_auth(m, PPP_AUTH_NONE)) {
		free(m);
		return NULL;
	}
	rnd(m, &m->magic, sizeof(m->magic));
	return m;
}

void mppp_free(struct mppp *m)
{
	free(m);
}

void mppp_lower_up(struct mppp *m, uint64_t now)
{
	m->phase = PH_LCP;
	cp_new_req(m, &m->lcp, now);
}

void mppp_input(struct mppp *m, const uint8_t *frame, size_t len, uint64_t now)
{
	if (m->phase == PH_DEAD || m->phase == PH_INIT)
		return;
	struct reader r;
	rd_init(&r, frame, len);
	if (len >= 2 && frame[0] == 0xff && frame[1] == 0x03)
		rd_skip(&r, 2);
	uint16_t proto = rd_u8(&r);
	if (!(proto & 1))
		proto = (uint16_t)(proto << 8 | rd_u8(&r));
	uint8_t code = rd_u8(&r), id = rd_u8(&r);
	uint16_t plen = rd_be16(&r);
	if (!rd_ok(&r) || plen < 4 || (size_t)plen - 4 > rd_left(&r))
		return;
	struct reader body;
	rd_sub(&r, plen - 4u, &body);
	switch (proto) {
	case PPP_PROTO_LCP: cp_input(m, &m->lcp, code, id, &body, now); return;
	case PPP_PROTO_CHAP: chap_input(m, &body, code, id, now); return;
	case PPP_PROTO_PAP: pap_input(m, &body, code, id, now); return;
	case PPP_PROTO_IPCP:
		if (m->phase == PH_NETWORK && m->ipcp.enabled) {
			cp_input(m, &m->ipcp, code, id, &body, now);
			return;
		}
		break;
	case PPP_PROTO_IPV6CP:
		if (m->phase == PH_NETWORK && m->ipv6cp.enabled) {
			cp_input(m, &m->ipv6cp, code, id, &body, now);
			return;
		}
		break;
	default:
		break;
	}
	if (m->lcp.up) {
		struct writer w;
		begin(&w, m, PPP_PROTO_LCP, PROTREJ, ++m->lcp.id);
		wr_be16(&w, proto);
		wr_u8(&w, code);
		wr_u8(&w, id);
		wr_be16(&w, plen);
		wr_bytes(&w, body.p, body.len > 1400 ? 1400 : body.len);
		send_pkt(m, &w);
	}
}

void mppp_close(struct mppp *m, const char *reason, uint64_t now)
{
	if (m->phase == PH_DEAD || m->phase == PH_TERM)
		return;
	snprintf(m->reason, sizeof(m->reason), "%s", reason ? reason : "closed");
	m->phase = PH_TERM;
	struct writer w;
	begin(&w, m, PPP_PROTO_LCP, TERMREQ, ++m->lcp.id);
	send_pkt(m, &w);
	m->term_deadline = now + RESTART_MS;
}

uint64_t mppp_deadline(const struct mppp *m)
{
	if (m->phase == PH_DEAD)
		return UINT64_MAX;
	uint64_t d = m->term_deadline;
	const struct cp *cps[3] = { &m->lcp, &m->ipcp, &m->ipv6cp };
	for (int i = 0; i < 3; i++)
		if (!cps[i]->up && cps[i]->deadline < d)
			d = cps[i]->deadline;
	if (m->phase == PH_AUTH && m->auth_deadline < d)
		d = m->auth_deadline;
	return d;
}

void mppp_timeout(struct mppp *m, uint64_t now)
{
	if (m->phase == PH_DEAD)
		return;
	if (m->term_deadline <= now) {
		die(m, false, 0, m->reason);
		return;
	}
	if (m->phase == PH_AUTH && m->auth_deadline <= now) {
		if (++m->auth_tries > MAX_TRIES) {
			die(m, false, 0, "no answer to the authentication request");
			return;
		}
		send_challenge(m, now);
	}
	struct cp *cps[3] = { &m->lcp, &m->ipcp, &m->ipv6cp };
	for (int i = 0; i < 3; i++) {
		struct cp *cp = cps[i];
		if (cp->up || cp->deadline > now)
			continue;
		if (++cp->tries > MAX_TRIES) {
			die(m, false, 0, "the client does not answer configuration requests");
			return;
		}
		cp_send(m, cp, now);
	}
}
