/* EAP-TLS (RFC 5216; EAP type 13) and the outer part of PEAPv0 (type
 * 25, MS-PEAP), client role. The TLS session itself is the caller's
 * (cfg.eap_tls); this file moves its messages through EAP: Start,
 * fragments acknowledged one by one, the final empty Response, PEAP's
 * tunnelled packets (eap_peap.c), and the keys at EAP Success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/secret.h"
#include "ppp/ppp_internal.h"

#define EAP_TYPE_TLS 13
#define EAP_TYPE_PEAP 25
/* Data bytes per fragment we send: the Response (4 EAP + 1 type + 1 flags
 * + 4 length) must fit the server's MRU; 1400 keeps it well inside the
 * usual 1500 and what Windows sends. */
#define EAPTLS_FRAG_DATA 1400

void eaptls_free(struct ppp *p)
{
	if (p->tls && p->cfg.eap_tls)
		p->cfg.eap_tls->free(p->tls);
	p->tls = NULL;
	if (p->tls_rx.buf) {
		secure_wipe(p->tls_rx.buf, EAPTLS_MSG_MAX);
		free(p->tls_rx.buf);
		p->tls_rx.buf = NULL;
	}
	if (p->tls_out) {
		secure_wipe(p->tls_out, p->tls_out_len);
		free(p->tls_out);
		p->tls_out = NULL;
	}
	secure_wipe(p->peap_hlak, sizeof(p->peap_hlak));
}

static void eaptls_give_up(struct ppp *p, const char *why, uint64_t now)
{
	p->tls_failed = true;
	ppp_fail(p, true, 0, why, now);
}

/* Sends the next fragment of tls_out, or an empty Response (an
 * acknowledgement) when nothing is pending. */
static void eaptls_send_next(struct ppp *p, uint8_t id)
{
	uint8_t td[10 + EAPTLS_FRAG_DATA];
	size_t n;
	size_t mru_room = p->peer_mru > 64 ? (size_t)p->peer_mru - 10 : 54;
	size_t frag = mru_room < EAPTLS_FRAG_DATA ? mru_room : EAPTLS_FRAG_DATA;
	if (p->tls_out && p->tls_out_off < p->tls_out_len) {
		n = eaptls_tx_fragment(p->tls_out, p->tls_out_len, &p->tls_out_off, frag, 0, td,
				       sizeof(td));
	} else {
		td[0] = 0;
		n = 1;
	}
	/* PEAP: version 0 in the Flags of every Response (MS-PEAP 2.2.1) */
	eap_respond_outer(p, id, p->tls_type, td, n);
}

/* Takes what the TLS session wrote as the next message to send. */
static bool eaptls_take_output(struct ppp *p)
{
	size_t len = 0;
	const uint8_t *out = p->cfg.eap_tls->output(p->tls, &len);
	if (p->tls_out) {
		secure_wipe(p->tls_out, p->tls_out_len);
		free(p->tls_out);
		p->tls_out = NULL;
	}
	p->tls_out_len = p->tls_out_off = 0;
	if (len == 0)
		return true;
	p->tls_out = malloc(len);
	if (!p->tls_out)
		return false;
	memcpy(p->tls_out, out, len);
	p->tls_out_len = len;
	p->cfg.eap_tls->consume(p->tls, len);
	return true;
}

/* Runs the handshake on a whole message from the server (len 0 at Start)
 * and answers with what it wrote (or an acknowledgement). */
static void eaptls_run(struct ppp *p, uint8_t id, const uint8_t *msg, size_t len, uint64_t now)
{
	char err[256] = "";
	int rc = p->cfg.eap_tls->input(p->tls, msg, len, err, sizeof(err));
	if (!eaptls_take_output(p)) {
		eaptls_give_up(p, "EAP-TLS: out of memory", now);
		return;
	}
	if (rc < 0) {
		/* Our alert (if any) still goes out; the server ends with EAP
		 * Failure, and the reason is ours, not its. */
		p->tls_failed = true;
		snprintf(p->eap_fail, sizeof(p->eap_fail), "%s: %s",
			 p->tls_type == EAP_TYPE_PEAP ? "PEAP" : "EAP-TLS",
			 err[0] ? err : "TLS handshake failed");
		ppp_set_reason(p, true, 0, "%s", p->eap_fail);
	} else if (rc == 1) {
		p->tls_done = true;
	}
	eaptls_send_next(p, id);
}

static bool eaptls_start(struct ppp *p, uint8_t type, uint64_t now)
{
	char err[256] = "";
	if (!p->cfg.eap_tls) {
		eaptls_give_up(p, "EAP-TLS: no certificate configured (authentication certificate)",
			       now);
		return false;
	}
	eaptls_free(p);
	p->tls_done = p->tls_failed = false;
	p->tls_type = type;
	p->peap_tunnel = p->peap_full = p->peap_result_ok = p->peap_bound = false;
	p->eap_mschap_ok = p->chap_answered = false;
	p->tls_rx.buf = malloc(EAPTLS_MSG_MAX);
	eaptls_rx_reset(&p->tls_rx);
	if (!p->tls_rx.buf) {
		eaptls_give_up(p, "EAP-TLS: out of memory", now);
		return false;
	}
	p->tls = p->cfg.eap_tls->start(p->cfg.eap_tls_ctx, type == EAP_TYPE_TLS, err, sizeof(err));
	if (!p->tls) {
		char why[300];
		snprintf(why, sizeof(why), "%s: %s", type == EAP_TYPE_TLS ? "EAP-TLS" : "PEAP",
			 err[0] ? err : "cannot start TLS");
		eaptls_give_up(p, why, now);
		return false;
	}
	return true;
}

/* PEAP after the handshake: a whole message of TLS records from the
 * server holds inner packets; answer them through the tunnel. */
static void peap_phase2(struct ppp *p, uint8_t id, const uint8_t *msg, size_t len, uint64_t now)
{
	char err[256] = "";
	if (p->cfg.eap_tls->input(p->tls, msg, len, err, sizeof(err)) < 0) {
		eaptls_give_up(p, "PEAP: the tunnel failed", now);
		return;
	}
	uint8_t plain[4096];
	int n;
	while ((n = p->cfg.eap_tls->read(p->tls, plain, sizeof(plain))) > 0 && !p->dead)
		peap_inner(p, id, plain, (size_t)n, now);
	secure_wipe(plain, sizeof(plain));
	if (n < 0) {
		eaptls_give_up(p, "PEAP: cannot decrypt the tunnel's records", now);
		return;
	}
	if (p->dead || p->tls_failed)
		return;
	if (!eaptls_take_output(p)) {
		eaptls_give_up(p, "PEAP: out of memory", now);
		return;
	}
	eaptls_send_next(p, id);
}

void eaptls_request(struct ppp *p, uint8_t id, uint8_t type, struct reader *d, uint64_t now)
{
	if (p->tls_failed)
		return;
	/* A Start (S set) begins a new conversation, also after a restart. */
	struct reader peek = *d; /* the flags stay for eaptls_rx_packet */
	uint8_t first = rd_u8(&peek);
	if (rd_ok(&peek) && (first & EAPTLS_FLAG_S)) {
		if (eaptls_start(p, type, now))
			eaptls_run(p, id, NULL, 0, now);
		return;
	}
	if (!p->tls || type != p->tls_type)
		return; /* no Start seen for this method: nothing to answer */
	/* Our message still has fragments to go: this Request is the
	 * server's acknowledgement of the last one. */
	if (p->tls_out && p->tls_out_off < p->tls_out_len) {
		eaptls_send_next(p, id);
		return;
	}
	char err[200];
	uint8_t flags;
	switch (eaptls_rx_packet(&p->tls_rx, d, &flags, err, sizeof(err))) {
	case EAPTLS_RX_ERROR:
		eaptls_give_up(p, err, now);
		return;
	case EAPTLS_RX_MORE:
	case EAPTLS_RX_EMPTY:
		eaptls_send_next(p, id); /* acknowledge */
		return;
	case EAPTLS_RX_DONE:
		if (p->tls_type == EAP_TYPE_PEAP && p->tls_done)
			peap_phase2(p, id, p->tls_rx.buf, p->tls_rx.len, now);
		else
			eaptls_run(p, id, p->tls_rx.buf, p->tls_rx.len, now);
		return;
	}
}

void eaptls_failure_reason(struct ppp *p)
{
	/* FreeRADIUS sends no alert when it refuses a client certificate: the
	 * EAP Failure (after its reject delay) is all we get. */
	if (p->tls_type == EAP_TYPE_PEAP)
		snprintf(p->eap_fail, sizeof(p->eap_fail), "PEAP: EAP Failure %s",
			 p->tls_done
			     ? "inside the tunnel (user unknown, or the inner method refused)"
			     : "during the TLS handshake");
	else if (!p->tls_done)
		snprintf(p->eap_fail, sizeof(p->eap_fail),
			 "EAP-TLS: the EAP server ended the TLS handshake with EAP Failure: it "
			 "refused our "
			 "client certificate (authentication certificate) or the handshake");
	else
		snprintf(
		    p->eap_fail, sizeof(p->eap_fail),
		    "EAP-TLS: EAP Failure after a complete TLS handshake: the EAP server refused "
		    "the user '%.60s'",
		    p->username);
}

void eaptls_success(struct ppp *p, uint64_t now)
{
	bool peap = p->tls_type == EAP_TYPE_PEAP;
	if (!p->tls_done || !p->cfg.eap_tls) {
		/* Success before the server proved itself (its Finished): a
		 * server skipping the handshake must not get a tunnel. */
		ppp_fail(p, true, 0,
			 peap ? "EAP: Success before the PEAP handshake finished"
			      : "EAP: Success before the EAP-TLS handshake finished",
			 now);
		return;
	}
	if (peap && !(p->eap_mschap_ok && p->peap_result_ok)) {
		/* the inner method proves the password and the server's
		 * knowledge of it; without it (and its Result) no tunnel */
		ppp_fail(p, true, 0,
			 "PEAP: Success without a verified inner EAP-MSCHAPv2 and Result TLV", now);
		return;
	}
	uint8_t keys[128];
	if (peap && p->peap_bound) {
		/* MS-PEAP 3.1.5.7 case 1: the CSK's first 32 bytes, the peer's
		 * MS-MPPE-Send-Key */
		ppp_auth_success(p, PPP_AUTH_PEAP, p->peap_hlak, now);
		secure_wipe(p->peap_hlak, sizeof(p->peap_hlak));
		eaptls_free(p);
		return;
	}
	if (!p->cfg.eap_tls->keys(p->tls, keys)) {
		ppp_fail(p, true, 0, "EAP-TLS: cannot derive the MSK", now);
		return;
	}
	/* [MS-SSTP] 3.2.5.2.4: the client's HLAK for EAP-TLS is its
	 * MasterSendKey, the first 32 bytes of the MSK (RFC 5216 2.3). PEAP
	 * without cryptobinding takes its keys from the same Key_Material
	 * (MS-PEAP 3.1.5.7 case 2): the peer's MS-MPPE-Send-Key, first. */
	ppp_auth_success(p, peap ? PPP_AUTH_PEAP : PPP_AUTH_EAP_TLS, keys, now);
	secure_wipe(keys, sizeof(keys));
	eaptls_free(p);
}
