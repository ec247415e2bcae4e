#include "ppp/ppp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppp/chap_crypto.h"
#include "ppp/ppp_internal.h"
#include "core/random.h"
#include "core/secret.h"

/* First IPCP / IPV6CP Configure-Request retransmission; later ones double
 * up to the restart timer. */
#define NCP_FIRST_RETRANSMIT_MS 500

const char *ppp_auth_name(enum ppp_auth a)
{
	switch (a) {
	case PPP_AUTH_NONE:
		return "none";
	case PPP_AUTH_PAP:
		return "PAP";
	case PPP_AUTH_CHAP_MD5:
		return "CHAP-MD5";
	case PPP_AUTH_MSCHAPV2:
		return "MS-CHAPv2";
	case PPP_AUTH_EAP_MSCHAPV2:
		return "EAP-MSCHAPv2";
	case PPP_AUTH_EAP_TLS:
		return "EAP-TLS";
	case PPP_AUTH_PEAP:
		return "PEAP";
	}
	return "?";
}

uint8_t ppp_auth_value(enum ppp_auth a, uint8_t *val)
{
	switch (a) {
	case PPP_AUTH_PAP:
		be16_put(val, PPP_PROTO_PAP);
		return 2;
	case PPP_AUTH_CHAP_MD5:
		be16_put(val, PPP_PROTO_CHAP);
		val[2] = 0x05;
		return 3;
	case PPP_AUTH_MSCHAPV2:
		be16_put(val, PPP_PROTO_CHAP);
		val[2] = 0x81;
		return 3;
	case PPP_AUTH_EAP_MSCHAPV2:
		be16_put(val, PPP_PROTO_EAP);
		return 2;
	case PPP_AUTH_EAP_TLS:
		be16_put(val, PPP_PROTO_EAP);
		return 2;
	case PPP_AUTH_PEAP:
		be16_put(val, PPP_PROTO_EAP);
		return 2;
	default:
		return 0;
	}
}

void ppp_random(struct ppp *p, void *buf, size_t len)
{
	if (p->cfg.random) {
		p->cfg.random(p->ctx, buf, len);
		return;
	}
	random_bytes(buf, len);
}

void ppp_send(struct ppp *p, uint16_t proto, const uint8_t *pkt, size_t len)
{
	if (len + PPP_HDR_LEN > sizeof(p->out) || p->dead)
		return;
	ppp_frame_put(p->out, proto);
	memcpy(p->out + 4, pkt, len);
	p->ops->output(p->ctx, p->out, len + PPP_HDR_LEN);
}

void ppp_fsm_send(void *ctx, uint16_t proto, const uint8_t *pkt, size_t len)
{
	ppp_send(ctx, proto, pkt, len);
}

void ppp_set_reason(struct ppp *p, bool auth_failed, int code, const char *fmt, ...)
{
	if (p->down.reason)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	p->down.reason = p->reason;
	p->down.auth_failed = auth_failed;
	p->down.code = code;
}

void ppp_report_dead(struct ppp *p)
{
	if (p->dead)
		return;
	if (!p->down.reason)
		ppp_set_reason(p, false, 0, "LCP: %s",
			       p->lcp.reason ? p->lcp.reason : "link closed");
	p->phase = PHASE_DEAD;
	p->echo_next = UINT64_MAX;
	p->auth_deadline = UINT64_MAX;
	p->ops->event(p->ctx, PPP_EV_DEAD, &p->down);
	p->dead = true;
}

void ppp_fail(struct ppp *p, bool auth_failed, int code, const char *reason, uint64_t now)
{
	ppp_set_reason(p, auth_failed, code, "%s", reason);
	p->phase = PHASE_TERMINATE;
	p->auth_deadline = UINT64_MAX;
	fsm_close(&p->lcp, NULL, now);
	if (p->lcp.state == FSM_CLOSED || p->lcp.state == FSM_INITIAL ||
	    p->lcp.state == FSM_STOPPED)
		ppp_report_dead(p);
}

void ppp_auth_success(struct ppp *p, enum ppp_auth method, const uint8_t *hlak, uint64_t now)
{
	struct ppp_auth_info info;
	memset(&info, 0, sizeof(info));
	info.method = method;
	if (hlak) {
		info.have_keys = true;
		memcpy(info.hlak, hlak, 32);
	}
	if (p->cfg.role == PPP_SERVER)
		memcpy(info.peer_name, p->peer_name,
		       strnlen(p->peer_name, sizeof(info.peer_name) - 1));
	else if (p->offered_text[0] && method == PPP_AUTH_NONE)
		info.server_offers = p->offered_text, info.server_auth = p->offered_auth;
	p->auth_ok = method;
	p->auth_deadline = UINT64_MAX;
	/* the session must see this before the first NCP frame leaves */
	p->ops->event(p->ctx, PPP_EV_AUTH_OK, &info);
	secure_wipe(&info, sizeof(info));
	if (p->dead || p->phase != PHASE_AUTHENTICATE)
		return;
	p->phase = PHASE_NETWORK;
	p->ipcp_failed = !p->cfg.ipv4;
	p->ipv6cp_failed = !p->cfg.ipv6;
	if (p->cfg.ipv4) {
		fsm_open(&p->ipcp, now);
		fsm_up(&p->ipcp, now);
	}
	if (p->cfg.ipv6) {
		fsm_open(&p->ipv6cp, now);
		fsm_up(&p->ipv6cp, now);
	}
	if (!p->cfg.ipv4 && !p->cfg.ipv6)
		ppp_fail(p, false, 0, "no network protocol enabled", now);
}

/* This-Layer-Down of IPCP or IPV6CP: tell the session once. */
void ppp_ncp_down(struct fsm *f, uint64_t now)
{
	struct ppp *p = f->ctx;
	bool v4 = f == &p->ipcp;
	bool *up = v4 ? &p->ipcp_up : &p->ipv6cp_up;
	if (*up) {
		*up = false;
		p->ops->event(p->ctx, v4 ? PPP_EV_IPCP_DOWN : PPP_EV_IPV6CP_DOWN, NULL);
	}
}

/* This-Layer-Finished of IPCP or IPV6CP. */
void ppp_ncp_finished(struct fsm *f, uint64_t now)
{
	struct ppp *p = f->ctx;
	if (f == &p->ipcp)
		p->ipcp_failed = true;
	else
		p->ipv6cp_failed = true;
	/* IPv4 and IPv6 are independent: only losing both ends the link */
	if (p->ipcp_failed && p->ipv6cp_failed && !p->ipcp_up && !p->ipv6cp_up &&
	    p->phase == PHASE_NETWORK) {
		const char *r = p->cfg.ipv4 ? p->ipcp.reason : p->ipv6cp.reason;
		char msg[200];
		snprintf(msg, sizeof(msg), "no network protocol could be negotiated (%s)",
			 r ? r : "rejected");
		ppp_fail(p, false, 0, msg, now);
	}
}

static void fsm_discarded(void *ctx, const struct fsm *f, uint8_t code, uint8_t id, const char *why)
{
	struct ppp *p = ctx;
	struct ppp_discard_info di = {f->cb->name, code, id, why, f->discards};
	p->ops->event(p->ctx, PPP_EV_DISCARDED, &di);
}

struct ppp *ppp_new(const struct ppp_config *cfg, const struct ppp_ops *ops, void *ctx)
{
	if (!cfg || !ops || !ops->output || !ops->event)
		return NULL;
	if (cfg->role != PPP_CLIENT && cfg->role != PPP_SERVER)
		return NULL;
	struct ppp *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->cfg = *cfg;
	p->ops = ops;
	p->ctx = ctx;
	if (cfg->username)
		snprintf(p->username, sizeof(p->username), "%s", cfg->username);
	if (cfg->password)
		snprintf(p->password, sizeof(p->password), "%s", cfg->password);
	p->cfg.username = p->username;
	p->cfg.password = p->password;
	snprintf(p->hostname, sizeof(p->hostname), "%s",
		 cfg->hostname && cfg->hostname[0] ? cfg->hostname : "sstpd");
	p->cfg.hostname = p->hostname;
	if (cfg->role == PPP_SERVER) {
		p->our_auth = cfg->auth[0];
		p->ip_local = cfg->local_ip4;
		memcpy(p->ifid_local, cfg->local_ifid, 8);
	} else {
		p->cfg.nak_lcp_forever = p->cfg.rras_lcp = p->cfg.reject_auth = false;
		p->cfg.auth_giveup = false;
	}
	p->mru = cfg->mru;
	p->phase = PHASE_DEAD;
	p->echo_next = UINT64_MAX;
	p->auth_deadline = UINT64_MAX;
	fsm_init(&p->lcp, &lcp_callbacks, p, ppp_fsm_send, cfg->restart_ms, cfg->max_configure,
		 cfg->max_terminate, cfg->max_failure);
	fsm_init(&p->ipcp, &ipcp_callbacks, p, ppp_fsm_send, cfg->restart_ms, cfg->max_configure,
		 cfg->max_terminate, cfg->max_failure);
	fsm_init(&p->ipv6cp, &ipv6cp_callbacks, p, ppp_fsm_send, cfg->restart_ms,
		 cfg->max_configure, cfg->max_terminate, cfg->max_failure);
	p->lcp.discarded = p->ipcp.discarded = p->ipv6cp.discarded = fsm_discarded;
	/* A server may discard our first NCP request when it arrives before
	 * its own network phase has begun (accel-ppp does, right after
	 * MS-CHAPv2 Success; RFC 1661 3.4 allows it): retransmit soon, then
	 * back off to the restart timer. */
	fsm_set_fast_restart(&p->ipcp, NCP_FIRST_RETRANSMIT_MS);
	fsm_set_fast_restart(&p->ipv6cp, NCP_FIRST_RETRANSMIT_MS);
	if (p->cfg.echo_interval_ms && !p->cfg.echo_failures)
		p->cfg.echo_failures = 5;
	return p;
}

void ppp_free(struct ppp *p)
{
	if (!p)
		return;
	secure_wipe(p->password, sizeof(p->password));
	secure_wipe(p->nt_resp, sizeof(p->nt_resp));
	secure_wipe(p->srv_pkt, sizeof(p->srv_pkt));
	secure_wipe(p->srv_hlak, sizeof(p->srv_hlak));
	eaptls_free(p);
	free(p);
}

void ppp_lower_up(struct ppp *p, uint64_t now)
{
	p->now = now;
	if (p->dead || p->phase != PHASE_DEAD)
		return;
	p->phase = PHASE_ESTABLISH;
	ppp_random(p, &p->magic, sizeof(p->magic));
	if (!p->magic)
		p->magic = 1;
	fsm_open(&p->lcp, now);
	fsm_up(&p->lcp, now);
}

void ppp_input(struct ppp *p, const uint8_t *frame, size_t len, uint64_t now)
{
	p->now = now;
	if (p->dead || p->phase == PHASE_DEAD)
		return;
	struct reader r;
	rd_init(&r, frame, len);
	uint16_t proto;
	if (!ppp_frame_read(&r, &proto))
		return;
	const uint8_t *pkt = rd_ptr(&r);
	size_t plen = rd_left(&r);

	switch (proto) {
	case PPP_PROTO_IP:
	case PPP_PROTO_IPV6:
		return;
	case PPP_PROTO_LCP:
		/* a server that ends LCP right after refusing our answer to its
		 * Auth-Protocol: say which methods did not meet */
		if (plen >= 1 && pkt[0] == CP_TERM_REQ && p->lcp.state != FSM_OPENED)
			lcp_terminated_early(p);
		fsm_input(&p->lcp, pkt, plen, now);
		return;
	case PPP_PROTO_PAP:
	case PPP_PROTO_CHAP:
	case PPP_PROTO_EAP:
		if (p->phase != PHASE_AUTHENTICATE && p->phase != PHASE_NETWORK)
			return;
		if (p->cfg.role == PPP_SERVER) {
			if (proto == PPP_PROTO_PAP)
				pap_srv_input(p, &r, now);
			else if (proto == PPP_PROTO_CHAP)
				chap_srv_input(p, &r, now);
			else
				eap_srv_input(p, &r, now);
		} else if (proto == PPP_PROTO_PAP) {
			pap_input(p, &r, now);
		} else if (proto == PPP_PROTO_CHAP) {
			chap_input(p, &r, now);
		} else {
			eap_input(p, &r, now);
		}
		return;
	case PPP_PROTO_IPCP:
		if (p->cfg.ipv4) {
			if (p->phase == PHASE_NETWORK)
				fsm_input(&p->ipcp, pkt, plen, now);
			return;
		}
		break;
	case PPP_PROTO_IPV6CP:
		if (p->cfg.ipv6) {
			if (p->phase == PHASE_NETWORK)
				fsm_input(&p->ipv6cp, pkt, plen, now);
			return;
		}
		break;
	default:
		break;
	}
	/* RFC 1661 5.7: unknown protocols get a Protocol-Reject, only when LCP is Opened */
	if (p->lcp.state == FSM_OPENED)
		lcp_protocol_reject(p, proto, pkt, plen);
}

void ppp_close(struct ppp *p, const char *reason, uint64_t now)
{
	p->now = now;
	if (p->dead)
		return;
	ppp_fail(p, false, 0, reason ? reason : "closed by administrator", now);
}

/* --- server role: the authenticator's common part --- */

void ppp_auth_send(struct ppp *p, uint16_t proto, const uint8_t *pkt, size_t len, bool retrans,
		   uint64_t now)
{
	if (len > sizeof(p->srv_pkt))
		return;
	memcpy(p->srv_pkt, pkt, len);
	p->srv_len = (uint16_t)len;
	p->srv_proto = proto;
	ppp_send(p, proto, pkt, len);
	if (retrans) {
		p->auth_tries++;
		p->auth_deadline = now + p->lcp.restart_ms;
	}
}

void ppp_auth_start(struct ppp *p, uint64_t now)
{
	p->srv_len = 0;
	p->srv_state = 0;
	p->auth_tries = 0;
	p->peer_name[0] = 0;
	/* a client that never sends a PAP request gets as long as LCP would */
	p->auth_deadline = now + (uint64_t)p->lcp.restart_ms * p->lcp.max_configure;
	switch (p->our_auth) {
	case PPP_AUTH_NONE:
		ppp_auth_success(p, PPP_AUTH_NONE, NULL, now);
		break;
	case PPP_AUTH_PAP:
		break;
	case PPP_AUTH_CHAP_MD5:
	case PPP_AUTH_MSCHAPV2:
		chap_srv_start(p, now);
		break;
	case PPP_AUTH_EAP_MSCHAPV2:
	case PPP_AUTH_EAP_TLS: /* EAP: the server role speaks EAP-MSCHAPv2 inside */
	case PPP_AUTH_PEAP:
		eap_srv_start(p, now);
		break;
	}
}

static void auth_srv_timeout(struct ppp *p, uint64_t now)
{
	if (p->phase != PHASE_AUTHENTICATE) {
		p->auth_deadline = UINT64_MAX;
		return;
	}
	if (p->srv_len && p->auth_tries < p->lcp.max_configure) {
		ppp_auth_send(p, p->srv_proto, p->srv_pkt, p->srv_len, true, now);
		return;
	}
	char msg[120];
	snprintf(msg, sizeof(msg), "%s authentication: no answer from the client",
		 ppp_auth_name(p->our_auth));
	ppp_fail(p, false, 0, msg, now);
}

void ppp_auth_refused(struct ppp *p, int code, uint64_t now)
{
	/* the name is the peer's: no control characters into the logs */
	char name[PPP_NAME_MAX], msg[PPP_NAME_MAX + 120];
	size_t i = 0;
	for (; p->peer_name[i] && i < sizeof(name) - 1; i++) {
		uint8_t c = (uint8_t)p->peer_name[i];
		name[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	name[i] = 0;
	snprintf(msg, sizeof(msg), "%s authentication of user \"%s\" failed%s",
		 ppp_auth_name(p->our_auth), name,
		 code == 691 ? ": E=691 (wrong user name or password)" : "");
	ppp_fail(p, true, code, msg, now);
}

bool ppp_get_secret(struct ppp *p, const char *user, char *pw, size_t pwlen)
{
	memset(pw, 0, pwlen);
	if (p->cfg.reject_auth || !p->ops->get_secret)
		return false;
	bool ok = p->ops->get_secret(p->ctx, user, pw, pwlen);
	pw[pwlen - 1] = 0;
	return ok;
}

bool ppp_take_peer_name(struct ppp *p, const uint8_t *name, size_t len)
{
	if (!name || len >= sizeof(p->peer_name) || memchr(name, 0, len))
		return false;
	memcpy(p->peer_name, name, len);
	p->peer_name[len] = 0;
	return true;
}

bool ppp_secret_eq(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	uint8_t d = 0;
	for (size_t i = 0; i < len; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t ppp_deadline(const struct ppp *p)
{
	if (p->dead)
		return UINT64_MAX;
	uint64_t d = min64(p->lcp.deadline, min64(p->ipcp.deadline, p->ipv6cp.deadline));
	return min64(d, min64(p->echo_next, p->auth_deadline));
}

void ppp_timeout(struct ppp *p, uint64_t now)
{
	p->now = now;
	if (p->dead)
		return;
	fsm_timeout(&p->lcp, now);
	if (!p->dead)
		fsm_timeout(&p->ipcp, now);
	if (!p->dead)
		fsm_timeout(&p->ipv6cp, now);
	if (!p->dead && now >= p->echo_next)
		lcp_echo_timeout(p, now);
	if (!p->dead && now >= p->auth_deadline) {
		if (p->cfg.role == PPP_SERVER)
			auth_srv_timeout(p, now);
		else
			pap_timeout(p, now);
	}
}

void ppp_saw_traffic(struct ppp *p, uint64_t now)
{
	p->echo_missed = 0;
	if (p->echo_next != UINT64_MAX)
		p->echo_next = now + p->cfg.echo_interval_ms;
}

enum ppp_auth ppp_auth_method(const struct ppp *p)
{
	return p->auth_ok;
}

bool ppp_is_dead(const struct ppp *p)
{
	return p->dead;
}

const struct ppp_down_info *ppp_failure(const struct ppp *p)
{
	if (p->down.reason)
		return &p->down;
	/* the server hung up while we refused its authentication method */
	if (p->cfg.role == PPP_CLIENT && p->auth_refusing && p->lcp.state != FSM_OPENED)
		return &p->auth_pending;
	return NULL;
}
