/* TLS client and server over a socketpair, with certificates made at test
 * time by tests/certs/gen-certs.sh. */
#include "testutil.h"
#include "core/bytes.h"
#include "tls/tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void certs_setup(void)
{
	tu_certs_make("tls");
	ck_assert(tls_global_init());
}

static void certs_teardown(void)
{
	tu_certs_remove();
}

/* Runs a shell pipeline and decodes its first hex word into out. */
static void shell_hex(const char *cmd, uint8_t *out, size_t n)
{
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	char line[256] = "";
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	pclose(f);
	line[2 * n] = 0;
	ck_assert_msg(hex_decode(out, n, line), "bad hex from: %s", cmd);
}

static void spki_pin(const char *cert, uint8_t pin[32])
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "openssl x509 -in '%s' -pubkey -noout | openssl pkey -pubin -outform DER | "
		 "sha256sum",
		 tu_cert_path(cert));
	shell_hex(cmd, pin, 32);
}

/* When set, clients are made over this context (as across reconnects). */
static struct tls_client_ctx *shared_ctx;

struct pair {
	int cfd, sfd;
	struct tls_server_ctx *sctx;
	struct tls *c, *s;
	char err[256];
};

static void pair_free(struct pair *p)
{
	tls_free(p->c);
	tls_free(p->s);
	tls_server_ctx_free(p->sctx);
	close(p->cfd);
	close(p->sfd);
}

/* Handshakes a client with cfg against a server using cert; returns the
 * client's final tls_handshake result. */
static int pair_connect(struct pair *p, const char *cert, const struct tls_client_config *cfg)
{
	memset(p, 0, sizeof(*p));
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	p->cfd = sv[0];
	p->sfd = sv[1];
	char key[128];
	snprintf(key, sizeof(key), "%.*s.key", (int)(strlen(cert) - 4), cert);
	p->sctx = tls_server_ctx_new(tu_cert_path(cert), tu_cert_path(key), p->err, sizeof(p->err));
	ck_assert_msg(p->sctx != NULL, "%s", p->err);
	p->s = tls_server_new(p->sctx, p->sfd, p->err, sizeof(p->err));
	ck_assert_ptr_nonnull(p->s);
	p->c = tls_client_new_ctx(shared_ctx, cfg, p->cfd, p->err, sizeof(p->err));
	ck_assert_msg(p->c != NULL, "%s", p->err);
	int rc = TLS_WANT_READ, rs = TLS_WANT_READ;
	for (int i = 0; i < 100; i++) {
		if (rc != 0)
			rc = tls_handshake(p->c);
		if (rs != 0 && rs != TLS_ERROR)
			rs = tls_handshake(p->s);
		if (rc == TLS_ERROR || (rc == 0 && rs == 0))
			break;
		if (rs == TLS_ERROR && rc != 0) {
			/* server gave up: one more client round sees the alert */
			rc = tls_handshake(p->c);
			break;
		}
	}
	return rc;
}

static struct tls_client_config cfg_ca(const char *name)
{
	struct tls_client_config c = {.server_name = name, .ca_file = tu_cert_path("ca.pem")};
	return c;
}

static void expect_fail(const char *cert, const struct tls_client_config *cfg, const char *msg)
{
	struct pair p;
	int rc = pair_connect(&p, cert, cfg);
	ck_assert_int_eq(rc, TLS_ERROR);
	ck_assert_str_eq(tls_error(p.c), msg);
	pair_free(&p);
}

static void expect_ok(const char *cert, const struct tls_client_config *cfg)
{
	struct pair p;
	int rc = pair_connect(&p, cert, cfg);
	ck_assert_msg(rc == 0, "handshake: %d %s", rc, tls_error(p.c));
	pair_free(&p);
}

static uint32_t fnv(uint32_t h, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* Moves len bytes from a to b and from b to a at the same time. */
static void transfer_both(struct tls *a, struct tls *b, size_t len)
{
	static uint8_t src[16384 + 7], dst[20000];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 31 + 7);
	struct tls *ends[2] = {a, b};
	size_t sent[2] = {0, 0}, got[2] = {0, 0};
	uint32_t hs[2] = {2166136261u, 2166136261u}, hr[2] = {2166136261u, 2166136261u};
	size_t pending[2] = {0, 0}; /* a WANT_WRITE chunk to repeat */
	for (int iter = 0; iter < 1000000 && (got[0] < len || got[1] < len); iter++) {
		for (int k = 0; k < 2; k++) {
			struct tls *w = ends[k], *r = ends[1 - k];
			if (sent[k] < len) {
				size_t off = sent[k] % 7;
				size_t n = pending[k];
				if (!n) {
					n = len - sent[k];
					if (n > 16384)
						n = 16384;
				}
				ssize_t m = tls_write(w, src + off, n);
				if (m > 0) {
					ck_assert_uint_eq((size_t)m, n);
					hs[k] = fnv(hs[k], src + off, n);
					sent[k] += n;
					pending[k] = 0;
				} else {
					ck_assert_msg(m == TLS_WANT_WRITE || m == TLS_WANT_READ,
						      "write %zd %s", m, tls_error(w));
					pending[k] = n;
				}
			}
			for (;;) {
				ssize_t m = tls_read(r, dst, sizeof(dst));
				if (m > 0) {
					hr[k] = fnv(hr[k], dst, (size_t)m);
					got[k] += (size_t)m;
					continue;
				}
				ck_assert_msg(m == TLS_WANT_READ, "read %zd %s", m, tls_error(r));
				break;
			}
		}
	}
	ck_assert_uint_eq(got[0], len);
	ck_assert_uint_eq(got[1], len);
	ck_assert_uint_eq(hs[0], hr[0]);
	ck_assert_uint_eq(hs[1], hr[1]);
}

START_TEST(good_cert_connects_and_data_flows)
{
	struct tls_client_config cfg = cfg_ca("server.test");
	struct pair p;
	int rc = pair_connect(&p, "good.pem", &cfg);
	ck_assert_msg(rc == 0, "%s", tls_error(p.c));
	ck_assert_int_eq(tls_handshake(p.s), 0);
	ck_assert_str_eq(tls_version(p.c), "TLSv1.3");
	ck_assert(strlen(tls_cipher(p.c)) > 0);
	ck_assert_int_eq(tls_fd(p.c), p.cfd);
	transfer_both(p.c, p.s, 1024 * 1024);
	ck_assert(!tls_pending(p.c));

	/* close_notify reads as 0 on the other side */
	tls_shutdown(p.s);
	uint8_t b[64];
	ck_assert_int_eq(tls_read(p.c, b, sizeof(b)), 0);
	pair_free(&p);
}
END_TEST

START_TEST(tcp_fin_reads_as_close)
{
	struct tls_client_config cfg = cfg_ca("server.test");
	struct pair p;
	ck_assert_int_eq(pair_connect(&p, "good.pem", &cfg), 0);
	shutdown(p.sfd, SHUT_WR);
	uint8_t b[64];
	ssize_t n;
	for (int i = 0; i < 10 && (n = tls_read(p.c, b, sizeof(b))) == TLS_WANT_READ; i++)
		;
	ck_assert_int_eq(n, 0);
	pair_free(&p);
}
END_TEST

START_TEST(cert_hashes_match_openssl)
{
	uint8_t want256[32], want1[20];
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s' -outform DER | sha256sum",
		 tu_cert_path("good.pem"));
	shell_hex(cmd, want256, 32);
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s' -outform DER | sha1sum",
		 tu_cert_path("good.pem"));
	shell_hex(cmd, want1, 20);

	struct tls_client_config cfg = cfg_ca("server.test");
	struct pair p;
	ck_assert_int_eq(pair_connect(&p, "good.pem", &cfg), 0);
	uint8_t s1[20], s256[32];
	ck_assert(tls_cert_hashes(p.c, s1, s256));
	ck_assert_mem_eq(s256, want256, 32);
	ck_assert_mem_eq(s1, want1, 20);
	memset(s1, 0, sizeof(s1));
	memset(s256, 0, sizeof(s256));
	ck_assert(tls_cert_hashes(p.s, s1, s256));
	ck_assert_mem_eq(s256, want256, 32);
	ck_assert_mem_eq(s1, want1, 20);
	pair_free(&p);
}
END_TEST

START_TEST(expired_fails)
{
	struct tls_client_config cfg = cfg_ca("server.test");
	expect_fail("expired.pem", &cfg, "certificate has expired");
}
END_TEST

START_TEST(unknown_ca_fails)
{
	struct tls_client_config cfg = cfg_ca("server.test");
	expect_fail("self.pem", &cfg,
		    "unknown certificate authority (self-signed or untrusted issuer)");
	/* a CA file that does not hold the issuer */
	cfg.ca_file = tu_cert_path("self.pem");
	expect_fail("good.pem", &cfg,
		    "unknown certificate authority (self-signed or untrusted issuer)");
}
END_TEST

START_TEST(wrong_name_fails)
{
	struct tls_client_config cfg = cfg_ca("server.test");
	expect_fail("wrongname.pem", &cfg, "certificate name mismatch: wanted 'server.test'");
	cfg.server_name = "evil.test";
	expect_fail("good.pem", &cfg, "certificate name mismatch: wanted 'evil.test'");
}
END_TEST

/* One context over several connections: each handshakes and verifies on
 * its own (the name, the chain, the expiry are per connection). */
START_TEST(shared_ctx_across_connections)
{
	struct tls_client_config cfg = cfg_ca("server.test");
	char err[128];
	shared_ctx = tls_client_ctx_new(&cfg, err, sizeof(err));
	ck_assert_msg(shared_ctx != NULL, "%s", err);
	expect_ok("good.pem", &cfg);
	expect_fail("expired.pem", &cfg, "certificate has expired");
	expect_ok("good.pem", &cfg);
	cfg.server_name = "evil.test";
	expect_fail("good.pem", &cfg, "certificate name mismatch: wanted 'evil.test'");
	tls_client_ctx_free(shared_ctx);
	shared_ctx = NULL;
	cfg.ca_file = tu_cert_path("missing.pem");
	ck_assert_ptr_null(tls_client_ctx_new(&cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cannot load CA certificates from"));
}
END_TEST

START_TEST(eku_rules)
{
	struct tls_client_config cfg = cfg_ca("server.test");
	expect_fail("noeku.pem", &cfg, "certificate lacks the serverAuth extended key usage");
	/* no EKU extension at all: any purpose (documented in docs/tls.md) */
	expect_ok("noekuext.pem", &cfg);
}
END_TEST

START_TEST(pin_rules)
{
	uint8_t good[32], self[32];
	spki_pin("good.pem", good);
	spki_pin("self.pem", self);
	uint8_t pins[2][32];
	memset(pins[0], 0xab, 32);

	/* CA and a wrong pin: both must hold */
	struct tls_client_config cfg = cfg_ca("server.test");
	cfg.pins = (const uint8_t(*)[32])pins;
	cfg.npins = 1;
	expect_fail("good.pem", &cfg, "public key pin mismatch");
	/* CA and a right pin (second of two) */
	memcpy(pins[1], good, 32);
	cfg.npins = 2;
	expect_ok("good.pem", &cfg);
	/* a right pin does not excuse an untrusted chain when a CA is given */
	memcpy(pins[1], self, 32);
	expect_fail("self.pem", &cfg,
		    "unknown certificate authority (self-signed or untrusted issuer)");

	/* pin only: self-signed with the matching pin connects */
	cfg.ca_file = NULL;
	expect_ok("self.pem", &cfg);
	/* pin only: the wrong key fails */
	expect_fail("good.pem", &cfg, "public key pin mismatch");
	/* pin only still checks dates and the name */
	memcpy(pins[1], good, 32);
	cfg.server_name = "other.test";
	expect_fail("good.pem", &cfg, "certificate name mismatch: wanted 'other.test'");
}
END_TEST

START_TEST(ip_literal_checks_ip_san)
{
	struct tls_client_config cfg = cfg_ca("127.0.0.1");
	expect_ok("ip.pem", &cfg);
	expect_fail("good.pem", &cfg, "certificate name mismatch: wanted '127.0.0.1'");
	cfg.server_name = "127.0.0.2";
	expect_fail("ip.pem", &cfg, "certificate name mismatch: wanted '127.0.0.2'");
}
END_TEST

START_TEST(spki_matches_openssl)
{
	char cmd[512];
	uint8_t der[4096], want[512];
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s' -outform DER", tu_cert_path("good.pem"));
	FILE *f = popen(cmd, "r");
	size_t n = fread(der, 1, sizeof(der), f);
	pclose(f);
	snprintf(cmd, sizeof(cmd),
		 "openssl x509 -in '%s' -pubkey -noout | openssl pkey -pubin -outform DER",
		 tu_cert_path("good.pem"));
	f = popen(cmd, "r");
	size_t wn = fread(want, 1, sizeof(want), f);
	pclose(f);
	const uint8_t *spki;
	size_t len;
	ck_assert(tls_der_spki(der, n, &spki, &len));
	ck_assert_uint_eq(len, wn);
	ck_assert_mem_eq(spki, want, wn);
	/* every truncation fails cleanly */
	for (size_t i = 0; i < n; i++)
		ck_assert(!tls_der_spki(der, i, &spki, &len) || spki + len <= der + i);
}
END_TEST

START_TEST(bad_config)
{
	char err[256];
	struct tls_client_config cfg = {.server_name = "x", .ca_file = "/nonexistent/ca.pem"};
	ck_assert_ptr_null(tls_client_new(&cfg, -1, err, sizeof(err)));
	ck_assert_str_eq(err, "cannot load CA certificates from /nonexistent/ca.pem");
	ck_assert_ptr_null(
	    tls_server_ctx_new("/nonexistent/c.pem", tu_cert_path("good.key"), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/c.pem"));
}
END_TEST

START_TEST(library_info)
{
	const char *s = tls_library_info();
	ck_assert_msg(strncmp(s, "wolfSSL 5.", 10) == 0, "%s", s);
	ck_assert_ptr_nonnull(strstr(s, "(static, AES-NI "));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("tls");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, certs_setup, certs_teardown);
	tcase_add_test(tc, good_cert_connects_and_data_flows);
	tcase_add_test(tc, tcp_fin_reads_as_close);
	tcase_add_test(tc, cert_hashes_match_openssl);
	tcase_add_test(tc, expired_fails);
	tcase_add_test(tc, unknown_ca_fails);
	tcase_add_test(tc, wrong_name_fails);
	tcase_add_test(tc, shared_ctx_across_connections);
	tcase_add_test(tc, eku_rules);
	tcase_add_test(tc, pin_rules);
	tcase_add_test(tc, ip_literal_checks_ip_san);
	tcase_add_test(tc, spki_matches_openssl);
	tcase_add_test(tc, bad_config);
	tcase_add_test(tc, library_info);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
