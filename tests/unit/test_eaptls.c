/* EAP-TLS (RFC 5216): the framing (L/M/S flags, reassembly at odd sizes,
 * its bounds) and whole conversations of our PPP client with a scripted
 * EAP server in the test that runs a real wolfSSL server session; the
 * keys checked against the TLS 1.2 PRF computed independently (Python's
 * hmac) from the server session's master secret and randoms. */
#include "testutil.h"
#include "core/bytes.h"
#include "core/conf.h"
#include "ppp/chap_crypto.h"
#include "ppp/eaptls_frag.h"
#include "ppp/peap_binding.h"
#include "ppp/ppp.h"
#include "session/eap_glue.h"
#include "tls/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- framing ---- */

static uint8_t rxbuf[EAPTLS_MSG_MAX];

static enum eaptls_rx_result rx_hex(struct eaptls_rx *rx, const char *hex, char *err)
{
	uint8_t b[2048];
	size_t n = tu_hex(b, sizeof(b), hex);
	struct reader r;
	rd_init(&r, b, n);
	uint8_t flags;
	return eaptls_rx_packet(rx, &r, &flags, err, 200);
}

START_TEST(reassembly_and_errors)
{
	struct eaptls_rx rx = {.buf = rxbuf};
	char err[200];
	/* unfragmented, with and without L */
	ck_assert_int_eq(rx_hex(&rx, "00 16030100", err), EAPTLS_RX_DONE);
	ck_assert_uint_eq(rx.len, 4);
	ck_assert_int_eq(rx_hex(&rx, "80 00000002 aabb", err), EAPTLS_RX_DONE);
	ck_assert_uint_eq(rx.len, 2);
	ck_assert_int_eq(rx_hex(&rx, "00", err), EAPTLS_RX_EMPTY);
	/* three fragments of 3 + 1 + 2 = 6 bytes, L only in the first */
	ck_assert_int_eq(rx_hex(&rx, "c0 00000006 010203", err), EAPTLS_RX_MORE);
	ck_assert_int_eq(rx_hex(&rx, "40 04", err), EAPTLS_RX_MORE);
	ck_assert_int_eq(rx_hex(&rx, "00 0506", err), EAPTLS_RX_DONE);
	ck_assert_uint_eq(rx.len, 6);
	ck_assert_mem_eq(rx.buf, "\x01\x02\x03\x04\x05\x06", 6);
	/* the next message starts afresh */
	ck_assert_int_eq(rx_hex(&rx, "00 ff", err), EAPTLS_RX_DONE);
	ck_assert_uint_eq(rx.len, 1);

	eaptls_rx_reset(&rx);
	ck_assert_int_eq(rx_hex(&rx, "80 00010001 00", err), EAPTLS_RX_ERROR);
	ck_assert_str_eq(err, "EAP-TLS: TLS message of 65537 bytes announced (at most 65536)");
	eaptls_rx_reset(&rx);
	ck_assert_int_eq(rx_hex(&rx, "c0 00000002 0102", err), EAPTLS_RX_MORE);
	ck_assert_int_eq(rx_hex(&rx, "00 03", err), EAPTLS_RX_ERROR);
	ck_assert_str_eq(err,
			 "EAP-TLS: fragments exceed the announced TLS Message Length of 2 bytes");
	eaptls_rx_reset(&rx);
	ck_assert_int_eq(rx_hex(&rx, "c0 00000004 0102", err), EAPTLS_RX_MORE);
	ck_assert_int_eq(rx_hex(&rx, "00 03", err), EAPTLS_RX_ERROR);
	ck_assert_str_eq(err, "EAP-TLS: message ended after 3 of 4 announced bytes");
	eaptls_rx_reset(&rx);
	ck_assert_int_eq(rx_hex(&rx, "c0 00000004 0102", err), EAPTLS_RX_MORE);
	ck_assert_int_eq(rx_hex(&rx, "c0 00000005 03", err), EAPTLS_RX_ERROR);
	ck_assert_str_eq(err, "EAP-TLS: TLS Message Length changed from 4 to 5 mid-message");
	eaptls_rx_reset(&rx);
	ck_assert_int_eq(rx_hex(&rx, "40", err), EAPTLS_RX_ERROR);
	ck_assert_str_eq(err, "EAP-TLS: empty fragment with the M flag (no progress)");
	eaptls_rx_reset(&rx);
	ck_assert_int_eq(rx_hex(&rx, "80 0000", err), EAPTLS_RX_ERROR);
	ck_assert_str_eq(err, "EAP-TLS: L flag without the 4-byte TLS Message Length");
	eaptls_rx_reset(&rx);
	ck_assert_int_eq(rx_hex(&rx, "", err), EAPTLS_RX_ERROR);
	/* a stream that never ends: bounded by the fragment count */
	eaptls_rx_reset(&rx);
	enum eaptls_rx_result res = EAPTLS_RX_MORE;
	int i = 0;
	while (res == EAPTLS_RX_MORE && i < 1000) {
		res = rx_hex(&rx, "40 01", err);
		i++;
	}
	ck_assert_int_eq(res, EAPTLS_RX_ERROR);
	ck_assert_int_eq(i, EAPTLS_FRAGS_MAX + 1);
	ck_assert_str_eq(err, "EAP-TLS: more than 128 fragments in one TLS message");
}
END_TEST

/* tx then rx at odd sizes: the bytes come back, L only in the first of
 * several fragments, M on all but the last. */
START_TEST(fragment_roundtrip)
{
	static uint8_t msg[EAPTLS_MSG_MAX];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	static const size_t sizes[] = {1, 289, 290, 291, 1399, 1400, 1401, 4097, 65536};
	static const size_t frags[] = {290, 1400, 997};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t f = 0; f < sizeof(frags) / sizeof(frags[0]); f++) {
			struct eaptls_rx rx = {.buf = rxbuf};
			size_t off = 0, nfrag = 0;
			enum eaptls_rx_result res = EAPTLS_RX_MORE;
			while (off < sizes[s]) {
				uint8_t out[1500];
				size_t was = off;
				size_t n = eaptls_tx_fragment(msg, sizes[s], &off, frags[f], 0, out,
							      sizeof(out));
				bool more = off < sizes[s];
				ck_assert_uint_eq(off - was, more ? frags[f] : sizes[s] - was);
				ck_assert_uint_eq(out[0] & EAPTLS_FLAG_M, more ? EAPTLS_FLAG_M : 0);
				bool want_l = was == 0 && more;
				ck_assert_uint_eq(out[0] & EAPTLS_FLAG_L,
						  want_l ? EAPTLS_FLAG_L : 0);
				ck_assert_uint_eq(n, 1 + (want_l ? 4 : 0) + (off - was));
				if (want_l)
					ck_assert_uint_eq(be32_get(out + 1), sizes[s]);
				struct reader r;
				rd_init(&r, out, n);
				uint8_t fl;
				char err[200];
				if (nfrag++ > EAPTLS_FRAGS_MAX)
					break;
				res = eaptls_rx_packet(&rx, &r, &fl, err, sizeof(err));
				if (sizes[s] / frags[f] >= EAPTLS_FRAGS_MAX) {
					/* 65536 bytes in 290-byte pieces: over the bound */
					if (res == EAPTLS_RX_ERROR)
						break;
				}
				ck_assert_int_eq(res, more ? EAPTLS_RX_MORE : EAPTLS_RX_DONE);
			}
			if (sizes[s] / frags[f] >= EAPTLS_FRAGS_MAX) {
				ck_assert_int_eq(res, EAPTLS_RX_ERROR);
				continue;
			}
			ck_assert_int_eq(res, EAPTLS_RX_DONE);
			ck_assert_uint_eq(rx.len, sizes[s]);
			ck_assert_mem_eq(rx.buf, msg, sizes[s]);
		}
	}
}
END_TEST

/* ---- conversations ---- */

static void certs_setup(void)
{
	tu_certs_make("eaptls");
	/* noeku.pem is a clientAuth certificate of the test CA: the client's */
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cd '%s' && cat noeku.pem noeku.key > client.pem", tu_certdir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert(tls_global_init());
}

static void certs_teardown(void)
{
	tu_certs_remove();
}

#define MAXF 64
struct harness {
	uint8_t frames[MAXF][1600];
	size_t lens[MAXF];
	int n, head;
	int auth_ok, dead;
	struct ppp_auth_info auth;
	char reason[256];
};

static void h_output(void *ctx, const uint8_t *f, size_t len)
{
	struct harness *h = ctx;
	if (h->head == h->n)
		h->head = h->n = 0;
	ck_assert_int_lt(h->n, MAXF);
	ck_assert_uint_le(len, sizeof(h->frames[0]));
	memcpy(h->frames[h->n], f, len);
	h->lens[h->n++] = len;
}

static void h_event(void *ctx, enum ppp_event ev, const void *arg)
{
	struct harness *h = ctx;
	if (ev == PPP_EV_AUTH_OK) {
		h->auth_ok++;
		h->auth = *(const struct ppp_auth_info *)arg;
	} else if (ev == PPP_EV_DEAD) {
		const struct ppp_down_info *d = arg;
		h->dead++;
		snprintf(h->reason, sizeof(h->reason), "%s", d->reason ? d->reason : "");
	}
}

static const struct ppp_ops h_ops = {.output = h_output, .event = h_event};

static void peer(struct ppp *p, const uint8_t *f, size_t n, uint64_t now)
{
	ppp_input(p, f, n, now);
}

static void peer_hex(struct ppp *p, const char *hex, uint64_t now)
{
	uint8_t f[1600];
	size_t n = tu_hex(f, sizeof(f), hex);
	peer(p, f, n, now);
}

/* The next frame we sent; must be EAP (c227). */
static const uint8_t *next_eap(struct harness *h, size_t *len)
{
	ck_assert_msg(h->head < h->n, "no frame sent");
	const uint8_t *f = h->frames[h->head];
	*len = h->lens[h->head++];
	ck_assert_uint_ge(*len, 8);
	ck_assert_uint_eq(be16_get(f + 2), 0xc227);
	ck_assert_uint_eq(be16_get(f + 6), *len - 4);
	return f;
}

static void skip_frames(struct harness *h)
{
	h->head = h->n;
}

/* LCP: the server asks for EAP with MRU 300 (so our flights fragment). */
static void lcp_eap(struct ppp *p, struct harness *h)
{
	ppp_lower_up(p, 0);
	ck_assert_int_ge(h->n, 1);
	const uint8_t *cr = h->frames[0];
	peer_hex(p, "ff03c021 0100000c 0304c227 0104012c", 10);
	char ack[80];
	snprintf(ack, sizeof(ack), "ff03c021 0201000e 010405dc 0506%02x%02x%02x%02x", cr[14],
		 cr[15], cr[16], cr[17]);
	peer_hex(p, ack, 20);
	skip_frames(h);
	peer_hex(p, "ff03c227 01010005 01", 30);
	size_t n;
	const uint8_t *f = next_eap(h, &n);
	ck_assert_uint_eq(f[4], 2); /* Response */
	ck_assert_uint_eq(f[8], 1); /* Identity */
	ck_assert_mem_eq(f + 9, "User", 4);
}

struct eap_srv {
	struct tls_server_ctx *ctx;
	struct tls *tls;
	uint8_t id;
	uint8_t type; /* 13 EAP-TLS, 25 PEAP */
	uint64_t now;
};

/* Sends an EAP-TLS Request with type-data td. */
static void srv_request(struct ppp *p, struct eap_srv *s, const uint8_t *td, size_t n)
{
	uint8_t f[1600];
	struct writer w;
	wr_init(&w, f, sizeof(f));
	wr_be16(&w, 0xff03);
	wr_be16(&w, 0xc227);
	wr_u8(&w, 1);
	wr_u8(&w, ++s->id);
	wr_be16(&w, (uint16_t)(5 + n));
	wr_u8(&w, s->type);
	wr_bytes(&w, td, n);
	ck_assert(wr_ok(&w));
	s->now += 10;
	peer(p, f, w.len, s->now);
}

/* Collects the client's (possibly fragmented) TLS message, acknowledging
 * each fragment as the server must; parsed here without the module under
 * test. Returns its length in msg (0 = an empty acknowledgement). */
static size_t srv_collect(struct ppp *p, struct harness *h, struct eap_srv *s, uint8_t *msg,
			  size_t cap, int *nfrags)
{
	size_t len = 0;
	*nfrags = 0;
	for (;;) {
		size_t n;
		const uint8_t *f = next_eap(h, &n);
		ck_assert_uint_eq(f[4], 2);
		ck_assert_uint_eq(f[5], s->id);
		ck_assert_uint_eq(f[8], s->type);
		ck_assert_uint_le(n - 4, 300); /* within our MRU of 300 */
		uint8_t fl = f[9];
		size_t off = 10;
		if (fl & 0x80)
			off += 4;
		ck_assert_uint_le(len + (n - off), cap);
		memcpy(msg + len, f + off, n - off);
		len += n - off;
		(*nfrags)++;
		if (!(fl & 0x40))
			return len;
		uint8_t ackd = 0;
		srv_request(p, s, &ackd, 1);
	}
}

/* Sends msg in frag-byte fragments, checking each acknowledgement. */
static void srv_send(struct ppp *p, struct harness *h, struct eap_srv *s, const uint8_t *msg,
		     size_t len, size_t frag)
{
	size_t off = 0;
	while (off < len) {
		uint8_t td[1500];
		size_t n = 0, take = len - off > frag ? frag : len - off;
		bool more = off + take < len;
		td[n++] = (uint8_t)((off == 0 && more ? 0x80 : 0) | (more ? 0x40 : 0));
		if (off == 0 && more) {
			be32_put(td + n, (uint32_t)len);
			n += 4;
		}
		memcpy(td + n, msg + off, take);
		srv_request(p, s, td, n + take);
		off += take;
		if (more) {
			size_t fl;
			const uint8_t *f = next_eap(h, &fl);
			ck_assert_uint_eq(fl, 10); /* Response, EAP-TLS, Flags 0 */
			ck_assert_uint_eq(f[9], 0);
		}
	}
}

static void run_server(struct eap_srv *s, const uint8_t *in, size_t len, bool expect_done)
{
	ck_assert(tls_mem_feed(s->tls, in, len));
	int rc = tls_handshake(s->tls);
	ck_assert_int_eq(rc, expect_done ? 0 : TLS_WANT_READ);
}

static void srv_new_type(struct eap_srv *s, uint8_t type)
{
	char err[256], ca[512], cert[512], key[512];
	snprintf(ca, sizeof(ca), "%s/ca.pem", tu_certdir);
	snprintf(cert, sizeof(cert), "%s/good.pem", tu_certdir);
	snprintf(key, sizeof(key), "%s/good.key", tu_certdir);
	memset(s, 0, sizeof(*s));
	s->id = 1;
	s->type = type;
	s->ctx = tls_server_ctx_new(cert, key, err, sizeof(err));
	ck_assert_msg(s->ctx != NULL, "%s", err);
	if (type == 13)
		ck_assert(tls_server_ctx_require_client_cert(s->ctx, ca, err, sizeof(err)));
	/* a SHA-256 PRF suite, so the test's PRF is known */
	ck_assert(tls_server_ctx_set_ciphers(s->ctx, "ECDHE-ECDSA-AES128-GCM-SHA256"));
	s->tls = tls_server_new_mem(s->ctx, err, sizeof(err));
	ck_assert_msg(s->tls != NULL, "%s", err);
	s->now = 100;
}

static void srv_new(struct eap_srv *s)
{
	srv_new_type(s, 13);
}

static void srv_free(struct eap_srv *s)
{
	tls_free(s->tls);
	tls_server_ctx_free(s->ctx);
}

static struct conf C;

static struct ppp *client(struct harness *h, const char *server_name)
{
	memset(h, 0, sizeof(*h));
	conf_defaults(&C);
	snprintf(C.auth_server_name, sizeof(C.auth_server_name), "%s", server_name);
	snprintf(C.auth_ca_file, sizeof(C.auth_ca_file), "%s/ca.pem", tu_certdir);
	snprintf(C.auth_cert_file, sizeof(C.auth_cert_file), "%s/client.pem", tu_certdir);
	struct ppp_config cfg = {.role = PPP_CLIENT,
				 .mru = 1500,
				 .username = "User",
				 .password = "",
				 .auth = {PPP_AUTH_EAP_TLS},
				 .ipv4 = true,
				 .eap_tls = &eap_glue_ops,
				 .eap_tls_ctx = &C};
	struct ppp *p = ppp_new(&cfg, &h_ops, h);
	ck_assert_ptr_nonnull(p);
	lcp_eap(p, h);
	return p;
}

/* RFC 5216 2.3 with the TLS 1.2 PRF (RFC 5246 5, P_SHA256), in Python. */
static void prf_python(const uint8_t ms[48], const uint8_t cr[32], const uint8_t sr[32],
		       uint8_t out[128])
{
	char cmd[1024], hx[3][200];
	const uint8_t *in[3] = {ms, cr, sr};
	size_t ln[3] = {48, 32, 32};
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < ln[k]; i++)
			sprintf(hx[k] + 2 * i, "%02x", in[k][i]);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import hmac,hashlib,sys\n"
		 "s=bytes.fromhex(sys.argv[1]); seed=b\"client EAP "
		 "encryption\"+bytes.fromhex(sys.argv[2])+bytes.fromhex(sys.argv[3])\n"
		 "a=seed; o=b\"\"\n"
		 "while len(o)<128:\n"
		 "  a=hmac.new(s,a,hashlib.sha256).digest(); "
		 "o+=hmac.new(s,a+seed,hashlib.sha256).digest()\n"
		 "print(o[:128].hex())' %s %s %s",
		 hx[0], hx[1], hx[2]);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	char line[300] = "";
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	pclose(f);
	ck_assert_uint_ge(strlen(line), 256);
	line[256] = 0;
	ck_assert_uint_eq(tu_hex(out, 128, line), 128);
}

START_TEST(full_handshake_keys)
{
	struct harness h;
	struct eap_srv s;
	srv_new(&s);
	struct ppp *p = client(&h, "server.test");
	static uint8_t msg[EAPTLS_MSG_MAX];
	int nf;
	uint8_t start = 0x20;
	srv_request(p, &s, &start, 1);
	size_t n = srv_collect(p, &h, &s, msg, sizeof(msg), &nf);
	ck_assert_uint_gt(n, 0); /* ClientHello */
	run_server(&s, msg, n, false);
	size_t olen;
	const uint8_t *out = tls_mem_output(s.tls, &olen);
	ck_assert_uint_gt(olen, 333);
	/* the server's flight in odd 333-byte fragments, each acknowledged */
	uint8_t flight[8192];
	memcpy(flight, out, olen);
	tls_mem_consume(s.tls, olen);
	srv_send(p, &h, &s, flight, olen, 333);
	/* our certificate flight: fragmented to fit the server's MRU of 300 */
	n = srv_collect(p, &h, &s, msg, sizeof(msg), &nf);
	ck_assert_int_gt(nf, 1);
	run_server(&s, msg, n, true);
	out = tls_mem_output(s.tls, &olen);
	memcpy(flight, out, olen);
	tls_mem_consume(s.tls, olen);
	srv_send(p, &h, &s, flight, olen, 1000);
	/* the handshake is done: an empty Response */
	n = srv_collect(p, &h, &s, msg, sizeof(msg), &nf);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(h.auth_ok, 0);
	char succ[40];
	snprintf(succ, sizeof(succ), "ff03c227 03%02x0004", s.id);
	peer_hex(p, succ, 900);
	ck_assert_int_eq(h.auth_ok, 1);
	ck_assert_int_eq(h.auth.method, PPP_AUTH_EAP_TLS);
	ck_assert(h.auth.have_keys);
	uint8_t ms[48], cr[32], sr[32], keys[128], server_keys[128];
	ck_assert(tls_key_inputs(s.tls, ms, cr, sr));
	prf_python(ms, cr, sr, keys);
	/* HLAK = MSK[0:32] (the client's MasterSendKey) */
	ck_assert_mem_eq(h.auth.hlak, keys, 32);
	/* and wolfSSL's server side agrees with the independent PRF */
	ck_assert(tls_eap_keys(s.tls, "client EAP encryption", server_keys, 128));
	ck_assert_mem_eq(server_keys, keys, 128);
	ck_assert_str_eq(ppp_auth_name(PPP_AUTH_EAP_TLS), "EAP-TLS");
	ppp_free(p);
	srv_free(&s);
}
END_TEST

/* The EAP server's certificate names another host: our alert goes out,
 * and the reason is ours, kept through the EAP Failure. */
START_TEST(wrong_server_name)
{
	struct harness h;
	struct eap_srv s;
	srv_new(&s);
	struct ppp *p = client(&h, "radius.example");
	static uint8_t msg[EAPTLS_MSG_MAX];
	int nf;
	uint8_t start = 0x20;
	srv_request(p, &s, &start, 1);
	size_t n = srv_collect(p, &h, &s, msg, sizeof(msg), &nf);
	run_server(&s, msg, n, false);
	size_t olen;
	const uint8_t *out = tls_mem_output(s.tls, &olen);
	uint8_t flight[8192];
	memcpy(flight, out, olen);
	tls_mem_consume(s.tls, olen);
	srv_send(p, &h, &s, flight, olen, 1200);
	n = srv_collect(p, &h, &s, msg, sizeof(msg), &nf);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(msg[0], 21); /* a TLS alert record */
	char fail[40];
	snprintf(fail, sizeof(fail), "ff03c227 04%02x0004", s.id);
	peer_hex(p, fail, 900);
	ck_assert_int_eq(h.auth_ok, 0);
	ppp_timeout(p, 100000);
	ppp_timeout(p, 200000);
	const struct ppp_down_info *d = ppp_failure(p);
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(
	    strstr(d->reason, "EAP-TLS: certificate name mismatch: wanted 'radius.example'"), "%s",
	    d->reason);
	ck_assert(d->auth_failed);
	ppp_free(p);
	srv_free(&s);
}
END_TEST

/* EAP Success before the server's Finished: no tunnel. */
START_TEST(success_too_early)
{
	struct harness h;
	struct eap_srv s;
	srv_new(&s);
	struct ppp *p = client(&h, "server.test");
	static uint8_t msg[EAPTLS_MSG_MAX];
	int nf;
	uint8_t start = 0x20;
	srv_request(p, &s, &start, 1);
	(void)srv_collect(p, &h, &s, msg, sizeof(msg), &nf);
	char succ[40];
	snprintf(succ, sizeof(succ), "ff03c227 03%02x0004", s.id);
	peer_hex(p, succ, 900);
	ck_assert_int_eq(h.auth_ok, 0);
	const struct ppp_down_info *d = ppp_failure(p);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->reason, "EAP: Success before the EAP-TLS handshake finished");
	ppp_free(p);
	srv_free(&s);
}
END_TEST

/* ---- PEAPv0 with EAP-MSCHAPv2 (MS-PEAP), RFC 2759's vectors inside ---- */

#define CHAL "5B5D7C7D7B3F2F3E3C2C602132262628"
#define PEER_CHAL "21402324255E262A28295F2B3A337C7E"
#define NTRESP "82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF"
#define S_OK "S=407A5589115FD0D6209F510FE9C04566932CDA56"

static void rfc_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	if (len == 16)
		tu_hex(buf, 16, PEER_CHAL);
	else
		memset(buf, 0x5a, len);
}

/* The outer handshake of PEAP (no client certificate) up to the client's
 * empty Response after the server's Finished. */
static struct ppp *peap_client(struct harness *h, struct eap_srv *s)
{
	memset(h, 0, sizeof(*h));
	conf_defaults(&C);
	snprintf(C.auth_server_name, sizeof(C.auth_server_name), "server.test");
	snprintf(C.auth_ca_file, sizeof(C.auth_ca_file), "%s/ca.pem", tu_certdir);
	struct ppp_config cfg = {.role = PPP_CLIENT,
				 .mru = 1500,
				 .username = "User",
				 .password = "clientPass",
				 .auth = {PPP_AUTH_PEAP},
				 .ipv4 = true,
				 .eap_tls = &eap_glue_ops,
				 .eap_tls_ctx = &C,
				 .random = rfc_random};
	struct ppp *p = ppp_new(&cfg, &h_ops, h);
	ck_assert_ptr_nonnull(p);
	lcp_eap(p, h);
	srv_new_type(s, 25);
	static uint8_t msg[EAPTLS_MSG_MAX];
	int nf;
	uint8_t start = 0x20; /* S, version 0 */
	srv_request(p, s, &start, 1);
	size_t n = srv_collect(p, h, s, msg, sizeof(msg), &nf);
	run_server(s, msg, n, false);
	size_t olen;
	const uint8_t *out = tls_mem_output(s->tls, &olen);
	uint8_t flight[8192];
	memcpy(flight, out, olen);
	tls_mem_consume(s->tls, olen);
	srv_send(p, h, s, flight, olen, 500);
	n = srv_collect(p, h, s, msg, sizeof(msg), &nf);
	run_server(s, msg, n, true);
	out = tls_mem_output(s->tls, &olen);
	memcpy(flight, out, olen);
	tls_mem_consume(s->tls, olen);
	srv_send(p, h, s, flight, olen, 1000);
	n = srv_collect(p, h, s, msg, sizeof(msg), &nf);
	ck_assert_uint_eq(n, 0);
	return p;
}

/* One inner Request through the tunnel: written by the server's TLS and
 * sent as EAP-PEAP; the client's EAP-PEAP answer collected into msg, its
 * length returned (0: no TLS record in it). */
static size_t tunnel_send(struct ppp *p, struct harness *h, struct eap_srv *s, const char *hex,
			  uint8_t *msg, size_t cap)
{
	uint8_t in[512];
	size_t n = tu_hex(in, sizeof(in), hex);
	ck_assert_int_eq(tls_write(s->tls, in, n), (ssize_t)n);
	size_t olen;
	const uint8_t *out = tls_mem_output(s->tls, &olen);
	uint8_t rec[2048];
	memcpy(rec, out, olen);
	tls_mem_consume(s->tls, olen);
	srv_send(p, h, s, rec, olen, 1000);
	int nf;
	return srv_collect(p, h, s, msg, cap, &nf);
}

/* One inner Request; the client's inner answer (the plaintext) into ans,
 * its length returned. */
static size_t tunnel(struct ppp *p, struct harness *h, struct eap_srv *s, const char *hex,
		     uint8_t *ans, size_t cap)
{
	static uint8_t msg[EAPTLS_MSG_MAX];
	size_t m = tunnel_send(p, h, s, hex, msg, sizeof(msg));
	ck_assert_uint_gt(m, 0);
	ck_assert(tls_mem_feed(s->tls, msg, m));
	ssize_t r = tls_read(s->tls, ans, cap);
	ck_assert_int_gt(r, 0);
	return (size_t)r;
}

/* One inner Request that the client must leave unanswered: its EAP-PEAP
 * Response carries no TLS record. */
static void tunnel_silent(struct ppp *p, struct harness *h, struct eap_srv *s, const char *hex)
{
	static uint8_t msg[EAPTLS_MSG_MAX];
	ck_assert_uint_eq(tunnel_send(p, h, s, hex, msg, sizeof(msg)), 0);
}

START_TEST(peap_mschapv2_keys)
{
	struct harness h;
	struct eap_srv s;
	struct ppp *p = peap_client(&h, &s);
	uint8_t a[512];
	/* Identity, written whole as FreeRADIUS does: answered compressed */
	size_t n = tunnel(p, &h, &s, "01 07 0005 01", a, sizeof(a));
	tu_expect_bytes("frame", a, n, "01 55736572", false);
	/* MS-CHAPv2 Challenge, compressed: Response with RFC 2759's NT-Response */
	n = tunnel(p, &h, &s, "1a 01 08 0018 10" CHAL "737276", a, sizeof(a));
	tu_expect_bytes("frame", a, n,
			"1a 02 08 003a 31" PEER_CHAL "0000000000000000" NTRESP "00 55736572",
			false);
	/* Success with the right S=: acknowledged */
	char succ[200];
	snprintf(
	    succ, sizeof(succ), "1a 03 08 002e %s",
	    "533d34303741353538393131354644304436323039463531304645394330343536363933324344413536"
	    "204d3d4f4b");
	n = tunnel(p, &h, &s, succ, a, sizeof(a));
	tu_expect_bytes("frame", a, n, "1a 03", false);
	/* Extensions with Result Success: ours, with its header */
	n = tunnel(p, &h, &s, "01 0a 000b 21 8003 0002 0001", a, sizeof(a));
	tu_expect_bytes("frame", a, n, "02 0a 000b 21 8003 0002 0001", false);
	char fin[40];
	snprintf(fin, sizeof(fin), "ff03c227 03%02x0004", s.id);
	peer_hex(p, fin, 900);
	ck_assert_int_eq(h.auth_ok, 1);
	ck_assert_int_eq(h.auth.method, PPP_AUTH_PEAP);
	uint8_t ms[48], cr[32], sr[32], keys[128];
	ck_assert(tls_key_inputs(s.tls, ms, cr, sr));
	prf_python(ms, cr, sr, keys);
	/* MS-PEAP 3.1.5.7, no cryptobinding: the peer's Send-Key = Key_Material[0:32] */
	ck_assert_mem_eq(h.auth.hlak, keys, 32);
	ppp_free(p);
	srv_free(&s);
}
END_TEST

/* A wrong password: the inner Failure's E=691 is the reason kept. */
START_TEST(peap_wrong_password)
{
	struct harness h;
	struct eap_srv s;
	struct ppp *p = peap_client(&h, &s);
	uint8_t a[512];
	size_t n = tunnel(p, &h, &s, "01", a, sizeof(a)); /* compressed Identity */
	tu_expect_bytes("frame", a, n, "01 55736572", false);
	n = tunnel(p, &h, &s, "1a 01 08 0018 10" CHAL "737276", a, sizeof(a));
	ck_assert_uint_eq(a[1], 2);
	/* "E=691 R=0 V=3" */
	n = tunnel(p, &h, &s, "1a 04 08 0011 453d363931205230205633", a, sizeof(a));
	tu_expect_bytes("frame", a, n, "1a 04", false);
	n = tunnel(p, &h, &s, "01 0a 000b 21 8003 0002 0002", a, sizeof(a));
	tu_expect_bytes("frame", a, n, "02 0a 000b 21 8003 0002 0002", false);
	char fail[40];
	snprintf(fail, sizeof(fail), "ff03c227 04%02x0004", s.id);
	peer_hex(p, fail, 900);
	ck_assert_int_eq(h.auth_ok, 0);
	const struct ppp_down_info *d = ppp_failure(p);
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(strstr(d->reason, "PEAP (inner EAP-MSCHAPv2) authentication failed: E=691"),
		      "%s", d->reason);
	ppp_free(p);
	srv_free(&s);
}
END_TEST

/* A Result Success without the inner proof gives no tunnel. */
START_TEST(peap_binding_and_early_result)
{
	struct harness h;
	struct eap_srv s;
	struct ppp *p = peap_client(&h, &s);
	uint8_t a[512];
	/* Result Success before any inner method: we answer Failure */
	size_t n = tunnel(p, &h, &s, "01 0a 000b 21 8003 0002 0001", a, sizeof(a));
	tu_expect_bytes("frame", a, n, "02 0a 000b 21 8003 0002 0002", false);
	char fin[40];
	snprintf(fin, sizeof(fin), "ff03c227 03%02x0004", s.id);
	peer_hex(p, fin, 900);
	ck_assert_int_eq(h.auth_ok, 0);
	ck_assert_ptr_nonnull(ppp_failure(p));
	ck_assert_str_eq(ppp_failure(p)->reason,
			 "PEAP: Result Success without a verified inner EAP-MSCHAPv2");
	ppp_free(p);
	srv_free(&s);
}
END_TEST

/* MS-PEAP 3.1.5.5 / 3.1.5.7 against values captured from hostapd 2.10 as
 * a PEAP server with eapol_test as the peer on this machine (password
 * "sd-Pw.1"): the ISK from the inner MS-CHAPv2, IPMK and CMK from TK and
 * ISK, the Compound MAC of request and response, the CSK (whose first 32
 * bytes hostapd sent as MS-MPPE-Recv-Key). */
START_TEST(peap_binding_vectors)
{
	uint8_t nt[24], isk[32], tk[60], want[60], ipmk[40], cmk[20], csk[128], wcsk[128];
	tu_hex(nt, 24, "338582c630dce2cd7a2e508270db58767ed1f24723c32dd7");
	ck_assert(mschap_client_hlak("sd-Pw.1", nt, isk));
	tu_hex(want, 32, "782a4bde4a1fac12246fd18f19730992bd50c2692468f321ff5faadedeb0fa9d");
	ck_assert_mem_eq(isk, want, 32);
	tu_hex(tk, 60,
	       "2835c6291d19ee96fa23248ac124e7d10df82feb9958dae408ebe1730e016a4e"
	       "6c834e8d9172f3ede6d96533bbfd3955edbbcdcbef77f254a78bc569");
	peap_cmk(tk, isk, ipmk, cmk);
	tu_hex(want, 60,
	       "c787ae9741a05aa3c73f747042484539dba4fa79435a351c6341bf16b568069f"
	       "4d65e6bef48f9de14af0705081b82022dd7d68039310def9118ec8f2");
	ck_assert_mem_eq(ipmk, want, 40);
	ck_assert_mem_eq(cmk, want + 40, 20);
	uint8_t tlv[60], mac[20], wmac[20];
	tu_hex(tlv, 60,
	       "000c0038 00000000 2a682bfe389f97df38b9b9099a5068e1e996d1ce231a719bc993bd3592e97a38"
	       "7897ea5c62d9e183a4dab5ffec7c930aafab6571");
	peap_compound_mac(cmk, tlv, mac);
	ck_assert_mem_eq(mac, tlv + 40, 20); /* the server's request verifies */
	tlv[7] = 1;
	peap_compound_mac(cmk, tlv, mac);
	tu_hex(wmac, 20, "04ce2e4ad40367969125 32ac55ff9a4bc4d3a962");
	ck_assert_mem_eq(mac, wmac, 20); /* the response eapol_test sent */
	peap_csk(ipmk, csk);
	tu_hex(wcsk, 128,
	       "6b030841c630a83a572863e7944443c552385a6aa32fbd8685f5cd1007868928"
	       "b914c0d75346a906ea817a67ee147e431c6310a8cdb8f7330b87a8c281b4abae"
	       "3b284358a32d20734a22aaedc04022191cd6bb911c27e4881a4e71d44f17cb8b"
	       "deec6c6ffa4a79a52b50368b5563831c1e2f72ae0c72b5793b6223d7ffc41990");
	ck_assert_mem_eq(csk, wcsk, 128);
}
END_TEST

/* A conversation with cryptobinding: the test's server builds its request
 * from the session's keys; the client's response must verify, the HLAK is
 * the CSK's first 32 bytes; a request with a wrong MAC is refused. */
static void peap_to_extensions(struct ppp *p, struct harness *h, struct eap_srv *s)
{
	uint8_t a[512];
	char succ[200];
	(void)tunnel(p, h, s, "01", a, sizeof(a));
	(void)tunnel(p, h, s, "1a 01 08 0018 10" CHAL "737276", a, sizeof(a));
	snprintf(
	    succ, sizeof(succ), "1a 03 08 002e %s",
	    "533d34303741353538393131354644304436323039463531304645394330343536363933324344413536"
	    "204d3d4f4b");
	(void)tunnel(p, h, s, succ, a, sizeof(a));
}

static void cb_request(struct eap_srv *s, uint8_t tlv[60], uint8_t ipmk[40], uint8_t cmk[20])
{
	uint8_t ms[48], cr[32], sr[32], km[128], nt[24], isk[32];
	ck_assert(tls_key_inputs(s->tls, ms, cr, sr));
	prf_python(ms, cr, sr, km);
	tu_hex(nt, 24, NTRESP);
	ck_assert(mschap_client_hlak("clientPass", nt, isk));
	peap_cmk(km, isk, ipmk, cmk);
	tu_hex(tlv, 60, "000c0038 00000000");
	for (int i = 0; i < 32; i++)
		tlv[8 + i] = (uint8_t)(0x30 + i);
	memset(tlv + 40, 0, 20);
	peap_compound_mac(cmk, tlv, tlv + 40);
}

/* The Extensions Request carrying tlv (a Result TLV of Success, then the
 * cryptobinding TLV), as tunnel() takes it. */
static void cb_request_hex(char *hex, size_t cap, const uint8_t tlv[60])
{
	size_t n = (size_t)snprintf(hex, cap, "01 0b 0047 21 8003 0002 0001 ");
	for (int i = 0; i < 60 && n + 3 <= cap; i++, n += 2)
		snprintf(hex + n, cap - n, "%02x", tlv[i]);
}

START_TEST(peap_cryptobinding)
{
	struct harness h;
	struct eap_srv s;
	struct ppp *p = peap_client(&h, &s);
	peap_to_extensions(p, &h, &s);
	uint8_t tlv[60], ipmk[40], cmk[20], a[512];
	cb_request(&s, tlv, ipmk, cmk);
	char hex[400];
	cb_request_hex(hex, sizeof(hex), tlv);
	size_t n = tunnel(p, &h, &s, hex, a, sizeof(a));
	ck_assert_uint_eq(n, 5 + 6 + 60);
	tu_expect_bytes("frame", a, 11, "02 0b 0047 21 8003 0002 0001", false);
	uint8_t *resp = a + 11, mac[20];
	ck_assert_mem_eq(resp, tlv, 7);
	ck_assert_uint_eq(resp[7], 1);
	ck_assert_mem_eq(resp + 8, tlv + 8, 32);
	peap_compound_mac(cmk, resp, mac);
	ck_assert_mem_eq(resp + 40, mac, 20);
	char fin[40];
	snprintf(fin, sizeof(fin), "ff03c227 03%02x0004", s.id);
	peer_hex(p, fin, 900);
	ck_assert_int_eq(h.auth_ok, 1);
	ck_assert_int_eq(h.auth.method, PPP_AUTH_PEAP);
	uint8_t csk[128];
	peap_csk(ipmk, csk);
	ck_assert_mem_eq(h.auth.hlak, csk, 32);
	ppp_free(p);
	srv_free(&s);

	/* the same with one bit of the server's MAC flipped */
	p = peap_client(&h, &s);
	peap_to_extensions(p, &h, &s);
	cb_request(&s, tlv, ipmk, cmk);
	tlv[59] ^= 1;
	cb_request_hex(hex, sizeof(hex), tlv);
	n = tunnel(p, &h, &s, hex, a, sizeof(a));
	tu_expect_bytes("frame", a, n, "02 0b 000b 21 8003 0002 0002", false);
	ck_assert_ptr_nonnull(ppp_failure(p));
	ck_assert_msg(
	    strstr(ppp_failure(p)->reason, "PEAP: the server's cryptobinding does not verify"),
	    "%s", ppp_failure(p)->reason);
	ppp_free(p);
	srv_free(&s);
}
END_TEST

/* A cryptobinding request of another version, RecvVersion or SubType is
 * refused with its own reason (and a Result of Failure), before any key
 * is derived. */
START_TEST(peap_cryptobinding_version)
{
	static const struct {
		int at;
		const char *reason;
	} cases[] = {
	    {5,
	     "PEAP: cryptobinding request of version 1, RecvVersion 0, subtype 0 (want 0, 0, 0)"},
	    {6,
	     "PEAP: cryptobinding request of version 0, RecvVersion 1, subtype 0 (want 0, 0, 0)"},
	    {7,
	     "PEAP: cryptobinding request of version 0, RecvVersion 0, subtype 1 (want 0, 0, 0)"},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct harness h;
		struct eap_srv s;
		struct ppp *p = peap_client(&h, &s);
		peap_to_extensions(p, &h, &s);
		uint8_t tlv[60], ipmk[40], cmk[20], a[512];
		cb_request(&s, tlv, ipmk, cmk);
		tlv[cases[c].at] = 1;
		peap_compound_mac(cmk, tlv, tlv + 40); /* a MAC that would verify */
		char hex[400];
		cb_request_hex(hex, sizeof(hex), tlv);
		size_t n = tunnel(p, &h, &s, hex, a, sizeof(a));
		tu_expect_bytes("frame", a, n, "02 0b 000b 21 8003 0002 0002", false);
		ck_assert_ptr_nonnull(ppp_failure(p));
		ck_assert_str_eq(ppp_failure(p)->reason, cases[c].reason);
		ppp_free(p);
		srv_free(&s);
	}
}
END_TEST

/* Truncated inner packets are dropped without an answer: a compressed
 * MS-CHAPv2 Challenge cut inside its header and inside its value. The
 * conversation then goes on as if they never came. */
START_TEST(peap_truncated_inner)
{
	struct harness h;
	struct eap_srv s;
	struct ppp *p = peap_client(&h, &s);
	uint8_t a[512];
	tunnel_silent(p, &h, &s, "1a 01 08");
	tunnel_silent(p, &h, &s, "1a 01 08 0018 10 5b5d7c");
	ck_assert_ptr_null(ppp_failure(p));
	size_t n = tunnel(p, &h, &s, "01 07 0005 01", a, sizeof(a));
	tu_expect_bytes("frame", a, n, "01 55736572", false);
	ppp_free(p);
	srv_free(&s);
}
END_TEST

/* A compressed Identity Request with a prompt ("ABCD"): its first bytes
 * read as Code 1 (Request), an Identifier and a Length, but the Length is
 * not the packet's, so it is no whole Request (of Type 0x44). */
START_TEST(peap_compressed_identity_with_prompt)
{
	struct harness h;
	struct eap_srv s;
	struct ppp *p = peap_client(&h, &s);
	uint8_t a[512];
	size_t n = tunnel(p, &h, &s, "01 41424344", a, sizeof(a));
	tu_expect_bytes("frame", a, n, "01 55736572", false);
	ck_assert_ptr_null(ppp_failure(p));
	ppp_free(p);
	srv_free(&s);
}
END_TEST

/* A server whose fragments never end: bounded, a clear reason. */
START_TEST(endless_fragments)
{
	struct harness h;
	struct eap_srv s;
	srv_new(&s);
	struct ppp *p = client(&h, "server.test");
	static uint8_t msg[EAPTLS_MSG_MAX];
	int nf;
	uint8_t start = 0x20;
	srv_request(p, &s, &start, 1);
	(void)srv_collect(p, &h, &s, msg, sizeof(msg), &nf);
	uint8_t td[1 + 4 + 100];
	memset(td, 0x16, sizeof(td));
	td[0] = 0x40;
	int sent = 0;
	while (!ppp_failure(p) && sent < 1000) {
		srv_request(p, &s, td, 101);
		skip_frames(&h);
		sent++;
	}
	ck_assert_int_eq(sent, EAPTLS_FRAGS_MAX + 1);
	ck_assert_str_eq(ppp_failure(p)->reason,
			 "EAP-TLS: more than 128 fragments in one TLS message");
	ppp_free(p);
	srv_free(&s);
}
END_TEST

/* Only EAP-MSCHAPv2 allowed: a Start of EAP-TLS is Nak'd towards 26;
 * only EAP-TLS allowed: EAP-MSCHAPv2 is Nak'd towards 13. */
START_TEST(nak_towards_allowed_method)
{
	struct harness h;
	memset(&h, 0, sizeof(h));
	struct ppp_config cfg = {.role = PPP_CLIENT,
				 .mru = 1500,
				 .username = "User",
				 .password = "",
				 .auth = {PPP_AUTH_EAP_TLS},
				 .ipv4 = true,
				 .eap_tls = &eap_glue_ops,
				 .eap_tls_ctx = &C};
	struct ppp *p = ppp_new(&cfg, &h_ops, &h);
	lcp_eap(p, &h);
	peer_hex(p, "ff03c227 01020006 1a01", 50);
	size_t n;
	const uint8_t *f = next_eap(&h, &n);
	ck_assert_uint_eq(n, 10);
	ck_assert_uint_eq(f[8], 3);  /* Nak */
	ck_assert_uint_eq(f[9], 13); /* EAP-TLS */
	ppp_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("eaptls");
	TCase *tc = tcase_create("frag");
	tcase_add_test(tc, reassembly_and_errors);
	tcase_add_test(tc, fragment_roundtrip);
	suite_add_tcase(s, tc);
	TCase *tc2 = tcase_create("conversation");
	tcase_add_unchecked_fixture(tc2, certs_setup, certs_teardown);
	tcase_set_timeout(tc2, 60);
	tcase_add_test(tc2, full_handshake_keys);
	tcase_add_test(tc2, wrong_server_name);
	tcase_add_test(tc2, success_too_early);
	tcase_add_test(tc2, endless_fragments);
	tcase_add_test(tc2, nak_towards_allowed_method);
	tcase_add_test(tc2, peap_mschapv2_keys);
	tcase_add_test(tc2, peap_wrong_password);
	tcase_add_test(tc2, peap_binding_and_early_result);
	tcase_add_test(tc2, peap_binding_vectors);
	tcase_add_test(tc2, peap_cryptobinding);
	tcase_add_test(tc2, peap_cryptobinding_version);
	tcase_add_test(tc2, peap_truncated_inner);
	tcase_add_test(tc2, peap_compressed_identity_with_prompt);
	suite_add_tcase(s, tc2);
	return tu_run(s);
}
