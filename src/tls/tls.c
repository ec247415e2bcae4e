/* wolfSSL sessions for both roles: verification, pins, and a receive
 * buffer that lets one recv() feed many TLS records. See docs/tls.md. */
#include "tls/tls.h"

#include "core/bytes.h"
#include "core/secret.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <wolfssl/error-ssl.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfio.h>

#ifndef SSTPC_WOLFSSL_ORIGIN
#define SSTPC_WOLFSSL_ORIGIN "unknown"
#endif

/* One recv() takes up to this much ciphertext: about four full records. */
#define TLS_RBUF_SIZE (64 * 1024)
/* Memory mode: the most TLS output one handshake flight may hold (a
 * certificate chain and its messages), and what one feed may add. */
#define TLS_MEM_OUT_MAX (64 * 1024)

/* Largest leaf certificate we keep a copy of (for the crypto binding hash). */
#define TLS_LEAF_MAX (16 * 1024)

/* Extended key usage bits as wolfSSL_X509_get_extended_key_usage reports
 * them (XKU_* in wolfssl/openssl/x509v3.h, kept out of this file so the
 * OpenSSL-compat macros do not leak in). */
#define TLS_XKU_SSL_SERVER 0x1
#define TLS_XKU_ANYEKU 0x100
#define TLS_EXFLAG_XKUSAGE 0x4

/* OpenSSL's X509_V_ERR_* values: a wolfSSL built with
 * WOLFSSL_ERROR_CODE_OPENSSL (Debian's) hands these to verify callbacks. */
enum {
	TLS_X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT = 2,
	TLS_X509_V_ERR_CERT_SIGNATURE_FAILURE = 7,
	TLS_X509_V_ERR_CERT_NOT_YET_VALID = 9,
	TLS_X509_V_ERR_CERT_HAS_EXPIRED = 10,
	TLS_X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT = 18,
	TLS_X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN = 19,
	TLS_X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20,
	TLS_X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21,
	TLS_X509_V_ERR_INVALID_PURPOSE = 26,
	TLS_X509_V_ERR_HOSTNAME_MISMATCH = 62,
	TLS_X509_V_ERR_IP_ADDRESS_MISMATCH = 64,
};

#define TLS_MSG_EXPIRED "certificate has expired"
#define TLS_MSG_NOT_YET_VALID "certificate is not yet valid"
#define TLS_MSG_UNKNOWN_CA "unknown certificate authority (self-signed or untrusted issuer)"
#define TLS_MSG_NO_SERVER_AUTH "certificate lacks the serverAuth extended key usage"
#define TLS_MSG_PIN_MISMATCH "public key pin mismatch"

struct tls_server_ctx {
	WOLFSSL_CTX *ctx;
	uint8_t *leaf; /* our own certificate, DER */
	size_t leaf_len;
};

struct tls {
	WOLFSSL_CTX *own_ctx; /* client: one context per connection */
	WOLFSSL *ssl;
	int fd;
	bool server;
	bool handshake_done;
	const struct tls_server_ctx *sctx;
	char err[320];

	/* client verification */
	char name[256];
	bool name_is_ip;
	uint8_t (*pins)[32];
	int npins;
	bool pin_only;	    /* pins and no CA file: the chain need not verify */
	bool verify_failed; /* err holds the verification reason */
	bool leaf_checked;
	bool sent_cert; /* client: we have a certificate to present */
	uint8_t *leaf;
	size_t leaf_len;

	/* memory mode (TLS inside EAP): no socket; rbuf holds what was fed,
	 * mout what wolfSSL wrote, until the caller takes it */
	bool mem;
	uint8_t *mout;
	size_t mout_len;

	/* ciphertext read ahead of wolfSSL: rbuf[rpos, rend) is unread */
	uint8_t *rbuf;
	size_t rpos, rend;
	int sock_errno;
};

static bool tls_inited;

bool tls_global_init(void)
{
	if (tls_inited)
		return true;
	if (wolfSSL_Init() != WOLFSSL_SUCCESS)
		return false;
	tls_inited = true;
	return true;
}

static bool tls_cpu_has_aesni(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	if (__get_cpuid(1, &a, &b, &c, &d))
		return (c & bit_AES) != 0;
#endif
	return false;
}

const char *tls_library_info(void)
{
	static char info[96];
	bool aesni = false;
#ifdef WOLFSSL_AESNI
	aesni = tls_cpu_has_aesni();
#else
	(void)tls_cpu_has_aesni;
#endif
	snprintf(info, sizeof(info), "wolfSSL %s (%s, AES-NI %s)", wolfSSL_lib_version(),
		 SSTPC_WOLFSSL_ORIGIN, aesni ? "on" : "off");
	return info;
}

/* ---- I/O callbacks ---- */

static int tls_io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct tls *t = ctx;
	(void)ssl;
	if (sz <= 0)
		return 0;
	if (t->mem && t->rpos == t->rend)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	if (t->rpos == t->rend) {
		ssize_t n;
		do
			n = recv(t->fd, t->rbuf, TLS_RBUF_SIZE, 0);
		while (n < 0 && errno == EINTR);
		if (n == 0)
			return WOLFSSL_CBIO_ERR_CONN_CLOSE;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return WOLFSSL_CBIO_ERR_WANT_READ;
			t->sock_errno = errno;
			if (errno == ECONNRESET)
				return WOLFSSL_CBIO_ERR_CONN_RST;
			return WOLFSSL_CBIO_ERR_GENERAL;
		}
		t->rpos = 0;
		t->rend = (size_t)n;
	}
	size_t take = t->rend - t->rpos;
	if (take > (size_t)sz)
		take = (size_t)sz;
	memcpy(buf, t->rbuf + t->rpos, take);
	t->rpos += take;
	return (int)take;
}

/* Our own send so that a vanished peer is EPIPE, never SIGPIPE. */
static int tls_io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct tls *t = ctx;
	(void)ssl;
	if (t->mem) {
		if (sz <= 0 || (size_t)sz > TLS_MEM_OUT_MAX - t->mout_len)
			return WOLFSSL_CBIO_ERR_GENERAL;
		memcpy(t->mout + t->mout_len, buf, (size_t)sz);
		t->mout_len += (size_t)sz;
		return sz;
	}
	ssize_t n;
	do
		n = send(t->fd, buf, (size_t)sz, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return WOLFSSL_CBIO_ERR_WANT_WRITE;
	t->sock_errno = errno;
	if (errno == ECONNRESET)
		return WOLFSSL_CBIO_ERR_CONN_RST;
	if (errno == EPIPE)
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	return WOLFSSL_CBIO_ERR_GENERAL;
}

/* ---- certificate checks ---- */

/* Reads one DER header; *hdr gets the header length. */
static bool tls_der_tlv(struct reader *r, uint8_t *tag, size_t *len, size_t *hdr)
{
	size_t start = r->off;
	*tag = rd_u8(r);
	uint8_t b = rd_u8(r);
	if (!rd_ok(r))
		return false;
	if (b < 0x80) {
		*len = b;
	} else {
		unsigned n = b & 0x7f;
		if (n == 0 || n > 4) {
			rd_fail(r);
			return false;
		}
		size_t v = 0;
		for (unsigned i = 0; i < n; i++)
			v = v << 8 | rd_u8(r);
		if (!rd_ok(r))
			return false;
		*len = v;
	}
	*hdr = r->off - start;
	if (*len > rd_left(r)) {
		rd_fail(r);
		return false;
	}
	return true;
}

/* Positions tbs right after the subject, i.e. at the SubjectPublicKeyInfo. */
static bool tls_der_tbs(const uint8_t *der, size_t len, struct reader *tbs)
{
	struct reader r, cert;
	uint8_t tag;
	size_t l, h;
	rd_init(&r, der, len);
	if (!tls_der_tlv(&r, &tag, &l, &h) || tag != 0x30 || !rd_sub(&r, l, &cert))
		return false;
	if (!tls_der_tlv(&cert, &tag, &l, &h) || tag != 0x30 || !rd_sub(&cert, l, tbs))
		return false;
	/* version [0] (optional), serial, signature, issuer, validity, subject */
	static const uint8_t want[] = {0x02, 0x30, 0x30, 0x30, 0x30};
	if (!tls_der_tlv(tbs, &tag, &l, &h))
		return false;
	if (tag == 0xa0) {
		rd_skip(tbs, l);
		if (!tls_der_tlv(tbs, &tag, &l, &h))
			return false;
	}
	for (size_t i = 0;; i++) {
		if (tag != want[i] || !rd_skip(tbs, l))
			return false;
		if (i + 1 == sizeof(want))
			return true;
		if (!tls_der_tlv(tbs, &tag, &l, &h))
			return false;
	}
}

bool tls_der_spki(const uint8_t *der, size_t len, const uint8_t **spki, size_t *spki_len)
{
	struct reader tbs;
	uint8_t tag;
	size_t l, h;
	if (!tls_der_tbs(der, len, &tbs))
		return false;
	const uint8_t *start = rd_ptr(&tbs);
	if (!tls_der_tlv(&tbs, &tag, &l, &h) || tag != 0x30)
		return false;
	*spki = start;
	*spki_len = h + l;
	return true;
}

bool tls_der_ip_san_match(const uint8_t *der, size_t len, const uint8_t *ip, size_t iplen)
{
	static const uint8_t san_oid[] = {0x55, 0x1d, 0x11}; /* 2.5.29.17 */
	struct reader tbs, exts, ext, names;
	uint8_t tag;
	size_t l, h;
	if (!tls_der_tbs(der, len, &tbs))
		return false;
	/* SubjectPublicKeyInfo, then optional [1] [2] unique IDs, then [3] */
	while (tls_der_tlv(&tbs, &tag, &l, &h)) {
		if (tag != 0xa3) {
			rd_skip(&tbs, l);
			continue;
		}
		if (!rd_sub(&tbs, l, &exts) || !tls_der_tlv(&exts, &tag, &l, &h) || tag != 0x30)
			return false;
		while (tls_der_tlv(&exts, &tag, &l, &h)) {
			if (tag != 0x30 || !rd_sub(&exts, l, &ext))
				return false;
			if (!tls_der_tlv(&ext, &tag, &l, &h) || tag != 0x06)
				return false;
			const uint8_t *oid = rd_take(&ext, l);
			if (!oid || l != sizeof(san_oid) || memcmp(oid, san_oid, l) != 0)
				continue;
			if (!tls_der_tlv(&ext, &tag, &l, &h))
				return false;
			if (tag == 0x01) { /* critical flag */
				rd_skip(&ext, l);
				if (!tls_der_tlv(&ext, &tag, &l, &h))
					return false;
			}
			if (tag != 0x04 || !tls_der_tlv(&ext, &tag, &l, &h) || tag != 0x30 ||
			    !rd_sub(&ext, l, &names))
				return false;
			while (tls_der_tlv(&names, &tag, &l, &h)) {
				const uint8_t *v = rd_take(&names, l);
				if (tag == 0x87 && v && l == iplen && memcmp(v, ip, iplen) == 0)
					return true; /* iPAddress [7] */
			}
			return false;
		}
		return false;
	}
	return false;
}

__attribute__((format(printf, 2, 3))) static void tls_set_err(struct tls *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
}

static void tls_verify_fail(struct tls *t, const char *reason)
{
	if (t->verify_failed)
		return; /* the first reason is the one that matters */
	t->verify_failed = true;
	snprintf(t->err, sizeof(t->err), "%s", reason);
}

static void tls_name_mismatch(struct tls *t)
{
	char msg[300];
	snprintf(msg, sizeof(msg), "certificate name mismatch: wanted '%s'", t->name);
	tls_verify_fail(t, msg);
}

/* A chain error that a pin may stand in for. */
static bool tls_is_chain_error(int e)
{
	switch (e) {
	case ASN_NO_SIGNER_E:
	case ASN_SELF_SIGNED_E:
	case TLS_X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case TLS_X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case TLS_X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case TLS_X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case TLS_X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return true;
	default:
		return false;
	}
}

/* Reason text for a wolfSSL or OpenSSL-numbered verification error. */
static void tls_verify_error(struct tls *t, int e)
{
	char msg[128];
	switch (e) {
	case ASN_AFTER_DATE_E:
	case TLS_X509_V_ERR_CERT_HAS_EXPIRED:
		tls_verify_fail(t, TLS_MSG_EXPIRED);
		return;
	case ASN_BEFORE_DATE_E:
	case TLS_X509_V_ERR_CERT_NOT_YET_VALID:
		tls_verify_fail(t, TLS_MSG_NOT_YET_VALID);
		return;
	case EXTKEYUSE_AUTH_E:
	case TLS_X509_V_ERR_INVALID_PURPOSE:
		tls_verify_fail(t, TLS_MSG_NO_SERVER_AUTH);
		return;
	case DOMAIN_NAME_MISMATCH:
	case IPADDR_MISMATCH:
	case TLS_X509_V_ERR_HOSTNAME_MISMATCH:
	case TLS_X509_V_ERR_IP_ADDRESS_MISMATCH:
		tls_name_mismatch(t);
		return;
	case ASN_SIG_CONFIRM_E:
	case TLS_X509_V_ERR_CERT_SIGNATURE_FAILURE:
		tls_verify_fail(t, "certificate signature does not verify");
		return;
	default:
		if (tls_is_chain_error(e)) {
			tls_verify_fail(t, TLS_MSG_UNKNOWN_CA);
			return;
		}
		snprintf(msg, sizeof(msg), "certificate verification failed (error %d)", e);
		tls_verify_fail(t, msg);
	}
}

/* Dates, name, EKU and pin of the server's leaf. The chain (issuer trust)
 * is wolfSSL's part; everything here holds even when a pin replaces it. */
static bool tls_check_leaf(struct tls *t, WOLFSSL_X509 *x)
{
	t->leaf_checked = true;
	int der_len = 0;
	const unsigned char *der = wolfSSL_X509_get_der(x, &der_len);
	if (!der || der_len <= 0 || der_len > TLS_LEAF_MAX) {
		tls_verify_fail(t, "server certificate is unreadable or too large");
		return false;
	}
	memcpy(t->leaf, der, (size_t)der_len);
	t->leaf_len = (size_t)der_len;

	WOLFSSL_ASN1_TIME *nb = wolfSSL_X509_get_notBefore(x);
	WOLFSSL_ASN1_TIME *na = wolfSSL_X509_get_notAfter(x);
	if (!nb || wolfSSL_X509_cmp_current_time(nb) > 0) {
		tls_verify_fail(t, TLS_MSG_NOT_YET_VALID);
		return false;
	}
	if (!na || wolfSSL_X509_cmp_current_time(na) < 0) {
		tls_verify_fail(t, TLS_MSG_EXPIRED);
		return false;
	}

	/* wolfSSL parses iPAddress SANs only with WOLFSSL_IP_ALT_NAME, which
	 * common builds lack, so IP literals are matched here; an IP in the CN
	 * does not count (RFC 6125 1.7.2). */
	bool ok;
	if (t->name_is_ip) {
		uint8_t ip[16];
		size_t iplen = inet_pton(AF_INET, t->name, ip) == 1 ? 4 : 16;
		if (iplen == 16 && inet_pton(AF_INET6, t->name, ip) != 1)
			iplen = 0;
		ok = iplen && tls_der_ip_san_match(t->leaf, t->leaf_len, ip, iplen);
	} else {
		ok = wolfSSL_X509_check_host(x, t->name, strlen(t->name), 0, NULL) ==
		     WOLFSSL_SUCCESS;
	}
	if (!ok) {
		tls_name_mismatch(t);
		return false;
	}

	/* An absent EKU means "any purpose" (RFC 5280 4.2.1.12); a present
	 * one must name serverAuth or anyExtendedKeyUsage. */
	if (wolfSSL_X509_get_extension_flags(x) & TLS_EXFLAG_XKUSAGE) {
		unsigned xku = wolfSSL_X509_get_extended_key_usage(x);
		if (!(xku & (TLS_XKU_SSL_SERVER | TLS_XKU_ANYEKU))) {
			tls_verify_fail(t, TLS_MSG_NO_SERVER_AUTH);
			return false;
		}
	}

	if (t->npins > 0) {
		const uint8_t *spki;
		size_t spki_len;
		uint8_t h[32];
		if (!tls_der_spki(t->leaf, t->leaf_len, &spki, &spki_len) ||
		    wc_Sha256Hash(spki, (word32)spki_len, h) != 0) {
			tls_verify_fail(t, "server certificate public key is unreadable");
			return false;
		}
		bool match = false;
		for (int i = 0; i < t->npins; i++)
			match |= memcmp(h, t->pins[i], 32) == 0;
		if (!match) {
			tls_verify_fail(t, TLS_MSG_PIN_MISMATCH);
			return false;
		}
	}
	return true;
}

static int tls_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
	struct tls *t = store ? store->userCtx : NULL;
	if (!t)
		return 0;
	int depth = wolfSSL_X509_STORE_CTX_get_error_depth(store);
	if (!preverify) {
		int e = wolfSSL_X509_STORE_CTX_get_error(store);
		if (!(t->pin_only && tls_is_chain_error(e))) {
			tls_verify_error(t, e);
			return 0;
		}
		/* pin-only: the pin on the leaf decides instead of the chain */
	}
	if (depth == 0) {
		WOLFSSL_X509 *x = wolfSSL_X509_STORE_CTX_get_current_cert(store);
		if (!x) {
			tls_verify_fail(t, "server certificate missing");
			return 0;
		}
		if (!tls_check_leaf(t, x))
			return 0;
	}
	return 1;
}

/* ---- sessions ---- */

static struct tls *tls_alloc(int fd)
{
	struct tls *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->fd = fd;
	t->rbuf = malloc(TLS_RBUF_SIZE);
	if (!t->rbuf) {
		free(t);
		return NULL;
	}
	return t;
}

static bool tls_attach(struct tls *t, WOLFSSL_CTX *ctx, char *err, size_t errlen)
{
	t->ssl = wolfSSL_new(ctx);
	if (!t->ssl) {
		snprintf(err, errlen, "wolfSSL_new failed");
		return false;
	}
	wolfSSL_SSLSetIORecv(t->ssl, tls_io_recv);
	wolfSSL_SSLSetIOSend(t->ssl, tls_io_send);
	wolfSSL_SetIOReadCtx(t->ssl, t);
	wolfSSL_SetIOWriteCtx(t->ssl, t);
	return true;
}

static bool tls_is_ip_literal(const char *s)
{
	uint8_t a[16];
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* What the client offers. TLS 1.3: its AEAD suites, as wolfSSL orders
 * them. TLS 1.2: only ECDHE (forward secrecy) with an AEAD cipher. No CBC
 * (padding oracles, SHA-1 MACs), no static RSA key exchange (no forward
 * secrecy), no finite-field DHE (small or shared groups), and no 3DES: the
 * library is built with DES for MS-CHAP, which would otherwise put 3DES
 * suites into the ClientHello. */
#if defined(HAVE_CHACHA) && defined(HAVE_POLY1305)
#define TLS13_CHACHA ":TLS13-CHACHA20-POLY1305-SHA256"
#define TLS12_CHACHA ":ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#else
#define TLS13_CHACHA ""
#define TLS12_CHACHA ""
#endif
static const char tls_client_ciphers[] =
    "TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384" TLS13_CHACHA
    ":ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
    ":ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384" TLS12_CHACHA;

/* The per-configuration part of a client: versions, suites, trust store
 * (the system store takes milliseconds to parse), verify callback. */
static WOLFSSL_CTX *tls_client_ctx_make(const struct tls_client_config *cfg, char *err,
					size_t errlen)
{
	bool have_ca = cfg->ca_file && cfg->ca_file[0];
	/* EAP-TLS keys come from the TLS 1.2 PRF (RFC 5216); RFC 9190's
	 * TLS 1.3 keys need the exporter, which this wolfSSL build lacks. */
	WOLFSSL_CTX *ctx =
	    wolfSSL_CTX_new(cfg->memory ? wolfTLSv1_2_client_method() : wolfSSLv23_client_method());
	if (!ctx) {
		snprintf(err, errlen, "wolfSSL_CTX_new failed");
		return NULL;
	}
	if (wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot set TLS 1.2 as the minimum version");
		goto fail;
	}
	if (wolfSSL_CTX_set_cipher_list(ctx, tls_client_ciphers) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot set the TLS cipher suites");
		goto fail;
	}
	if (cfg->ca_der_len) {
		if (wolfSSL_CTX_load_verify_buffer(ctx, cfg->ca_der, (long)cfg->ca_der_len,
						   WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS) {
			snprintf(err, errlen, "cannot load the CA certificate of the pki entry");
			goto fail;
		}
	} else if (have_ca) {
		if (wolfSSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL) != WOLFSSL_SUCCESS) {
			snprintf(err, errlen, "cannot load CA certificates from %s", cfg->ca_file);
			goto fail;
		}
	} else if (cfg->npins <= 0) {
		if (wolfSSL_CTX_load_system_CA_certs(ctx) != WOLFSSL_SUCCESS) {
			snprintf(err, errlen, "cannot load the system trust store");
			goto fail;
		}
	}
	if (cfg->cert_der_len) {
		if (wolfSSL_CTX_use_certificate_buffer(ctx, cfg->cert_der, (long)cfg->cert_der_len,
						       WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS ||
		    wolfSSL_CTX_use_PrivateKey_buffer(ctx, cfg->key_der, (long)cfg->key_der_len,
						      WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS ||
		    wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS) {
			snprintf(err, errlen,
				 "cannot use the pki certificate and private key (unreadable, or "
				 "the key does not match the certificate)");
			goto fail;
		}
	} else if (cfg->cert_file && cfg->cert_file[0]) {
		if (!tls_ctx_use_cert_file(ctx, cfg->cert_file, err, errlen))
			goto fail;
	}
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, tls_verify_cb);
	return ctx;
fail:
	wolfSSL_CTX_free(ctx);
	return NULL;
}

struct tls_client_ctx {
	WOLFSSL_CTX *ctx;
};

struct tls_client_ctx *tls_client_ctx_new(const struct tls_client_config *cfg, char *err,
					  size_t errlen)
{
	if (!tls_global_init()) {
		snprintf(err, errlen, "wolfSSL initialisation failed");
		return NULL;
	}
	struct tls_client_ctx *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->ctx = tls_client_ctx_make(cfg, err, errlen);
	if (!c->ctx) {
		free(c);
		return NULL;
	}
	return c;
}

void tls_client_ctx_free(struct tls_client_ctx *c)
{
	if (!c)
		return;
	wolfSSL_CTX_free(c->ctx);
	free(c);
}

struct tls *tls_client_new(const struct tls_client_config *cfg, int fd, char *err, size_t errlen)
{
	return tls_client_new_ctx(NULL, cfg, fd, err, errlen);
}

struct tls *tls_client_new_ctx(struct tls_client_ctx *shared, const struct tls_client_config *cfg,
			       int fd, char *err, size_t errlen)
{
	if (!tls_global_init()) {
		snprintf(err, errlen, "wolfSSL initialisation failed");
		return NULL;
	}
	if (!cfg->server_name || !cfg->server_name[0] ||
	    strlen(cfg->server_name) >= sizeof(((struct tls *)0)->name)) {
		snprintf(err, errlen, "TLS: server name missing or too long");
		return NULL;
	}
	struct tls *t = tls_alloc(fd);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->leaf = malloc(TLS_LEAF_MAX);
	if (!t->leaf) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	snprintf(t->name, sizeof(t->name), "%s", cfg->server_name);
	t->name_is_ip = tls_is_ip_literal(t->name);
	bool have_ca = (cfg->ca_file && cfg->ca_file[0]) || cfg->ca_der_len;
	if (cfg->npins > 0) {
		t->pins = malloc((size_t)cfg->npins * 32);
		if (!t->pins) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		memcpy(t->pins, cfg->pins, (size_t)cfg->npins * 32);
		t->npins = cfg->npins;
		t->pin_only = !have_ca;
	}
	if (cfg->memory) {
		t->mem = true;
		t->mout = malloc(TLS_MEM_OUT_MAX);
		if (!t->mout) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		/* the TLS inside EAP has settings of its own: never a shared context */
		shared = NULL;
	}
	t->sent_cert = cfg->cert_der_len || (cfg->cert_file && cfg->cert_file[0]);
	if (!shared) {
		t->own_ctx = tls_client_ctx_make(cfg, err, errlen);
		if (!t->own_ctx)
			goto fail;
	}
	if (!tls_attach(t, shared ? shared->ctx : t->own_ctx, err, errlen))
		goto fail;
	wolfSSL_SetCertCbCtx(t->ssl, t);
	if (t->mem) {
		wolfSSL_KeepArrays(t->ssl); /* the master secret, for the EAP keys */
		return t;
	}
	/* RFC 6066 3: literal IPv4 and IPv6 addresses are not permitted. */
	if (!t->name_is_ip && wolfSSL_UseSNI(t->ssl, WOLFSSL_SNI_HOST_NAME, t->name,
					     (unsigned short)strlen(t->name)) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot set SNI");
		goto fail;
	}
	return t;
fail:
	tls_free(t);
	return NULL;
}

bool tls_ctx_use_cert_file(struct WOLFSSL_CTX *ctx, const char *file, char *err, size_t errlen)
{
	/* wolfSSL's PEM readers look for their own BEGIN line, so the chain
	 * and the key may share one file, as MikroTik and VyOS exports do. */
	if (wolfSSL_CTX_use_certificate_chain_file(ctx, file) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot load a certificate chain from %s", file);
		return false;
	}
	if (wolfSSL_CTX_use_PrivateKey_file(ctx, file, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot load an unencrypted private key from %s", file);
		return false;
	}
	if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "%s: the private key does not match the certificate", file);
		return false;
	}
	return true;
}

struct tls_server_ctx *tls_server_ctx_new(const char *cert_file, const char *key_file, char *err,
					  size_t errlen)
{
	if (!tls_global_init()) {
		snprintf(err, errlen, "wolfSSL initialisation failed");
		return NULL;
	}
	struct tls_server_ctx *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
	if (!s->ctx) {
		snprintf(err, errlen, "wolfSSL_CTX_new failed");
		goto fail;
	}
	wolfSSL_CTX_SetMinVersion(s->ctx, WOLFSSL_TLSV1_2);
	if (wolfSSL_CTX_use_certificate_chain_file(s->ctx, cert_file) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot load certificate %s", cert_file);
		goto fail;
	}
	if (wolfSSL_CTX_use_PrivateKey_file(s->ctx, key_file, WOLFSSL_FILETYPE_PEM) !=
	    WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot load private key %s", key_file);
		goto fail;
	}
	WOLFSSL_X509 *x = wolfSSL_X509_load_certificate_file(cert_file, WOLFSSL_FILETYPE_PEM);
	int der_len = 0;
	const unsigned char *der = x ? wolfSSL_X509_get_der(x, &der_len) : NULL;
	if (der && der_len > 0 && (s->leaf = malloc((size_t)der_len))) {
		memcpy(s->leaf, der, (size_t)der_len);
		s->leaf_len = (size_t)der_len;
	}
	wolfSSL_X509_free(x);
	if (!s->leaf) {
		snprintf(err, errlen, "cannot read certificate %s", cert_file);
		goto fail;
	}
	wolfSSL_CTX_set_verify(s->ctx, WOLFSSL_VERIFY_NONE, NULL);
	return s;
fail:
	tls_server_ctx_free(s);
	return NULL;
}

void tls_server_ctx_free(struct tls_server_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->ctx)
		wolfSSL_CTX_free(ctx->ctx);
	free(ctx->leaf);
	free(ctx);
}

bool tls_server_ctx_require_client_cert(struct tls_server_ctx *ctx, const char *ca_file, char *err,
					size_t errlen)
{
	if (wolfSSL_CTX_load_verify_locations(ctx->ctx, ca_file, NULL) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot load client CA certificates from %s", ca_file);
		return false;
	}
	wolfSSL_CTX_set_verify(ctx->ctx, WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			       NULL);
	return true;
}

void tls_peer_subject(struct tls *t, char *out, size_t outlen)
{
	out[0] = 0;
	WOLFSSL_X509 *x = wolfSSL_get_peer_certificate(t->ssl);
	if (!x)
		return;
	WOLFSSL_X509_NAME *n = wolfSSL_X509_get_subject_name(x);
	if (n && outlen > 1)
		wolfSSL_X509_NAME_oneline(n, out, (int)outlen);
	wolfSSL_X509_free(x);
}

bool tls_server_ctx_set_ciphers(struct tls_server_ctx *ctx, const char *list)
{
	return wolfSSL_CTX_set_cipher_list(ctx->ctx, list) == WOLFSSL_SUCCESS;
}

struct tls *tls_server_new(struct tls_server_ctx *ctx, int fd, char *err, size_t errlen)
{
	struct tls *t = tls_alloc(fd);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->server = true;
	t->sctx = ctx;
	if (!tls_attach(t, ctx->ctx, err, errlen)) {
		tls_free(t);
		return NULL;
	}
	return t;
}

/* The peer ended the handshake with a fatal alert: name it, and say what
 * the usual reason is when it is about our (missing) client certificate. */
static void tls_explain_alert(struct tls *t)
{
	WOLFSSL_ALERT_HISTORY h;
	memset(&h, 0, sizeof(h));
	wolfSSL_get_alert_history(t->ssl, &h);
	int code = h.last_rx.code;
	const char *name = code == 40	 ? "handshake_failure"
			   : code == 42	 ? "bad_certificate"
			   : code == 46	 ? "certificate_unknown"
			   : code == 48	 ? "unknown_ca"
			   : code == 116 ? "certificate_required"
					 : "fatal";
	bool about_cert = code == 40 || code == 42 || code == 46 || code == 48 || code == 116;
	const char *hint =
	    !about_cert || t->server ? ""
	    : t->mem ? "; an EAP server refuses a client certificate it does not trust "
		       "(authentication certificate)"
		     : "; a server that requires a client certificate refuses a missing or "
		       "untrusted one (ssl certificate)";
	tls_set_err(t, "the peer refused the TLS handshake: alert %d (%s)%s", code, name, hint);
}

/* ---- memory mode (TLS carried inside EAP) ---- */

struct tls *tls_server_new_mem(struct tls_server_ctx *ctx, char *err, size_t errlen)
{
	struct tls *t = tls_server_new(ctx, -1, err, errlen);
	if (!t)
		return NULL;
	t->mem = true;
	t->mout = malloc(TLS_MEM_OUT_MAX);
	if (!t->mout) {
		snprintf(err, errlen, "out of memory");
		tls_free(t);
		return NULL;
	}
	wolfSSL_KeepArrays(t->ssl);
	return t;
}

bool tls_mem_feed(struct tls *t, const uint8_t *in, size_t len)
{
	if (t->rpos > 0) {
		memmove(t->rbuf, t->rbuf + t->rpos, t->rend - t->rpos);
		t->rend -= t->rpos;
		t->rpos = 0;
	}
	if (len > TLS_RBUF_SIZE - t->rend) {
		tls_set_err(t, "TLS input of %zu bytes exceeds the %d-byte buffer", len,
			    TLS_RBUF_SIZE);
		return false;
	}
	memcpy(t->rbuf + t->rend, in, len);
	t->rend += len;
	return true;
}

const uint8_t *tls_mem_output(const struct tls *t, size_t *len)
{
	*len = t->mout_len;
	return t->mout;
}

void tls_mem_consume(struct tls *t, size_t n)
{
	if (n > t->mout_len)
		n = t->mout_len;
	memmove(t->mout, t->mout + n, t->mout_len - n);
	t->mout_len -= n;
}

bool tls_eap_keys(struct tls *t, const char *label, uint8_t *out, size_t len)
{
	if (!t->handshake_done || len > UINT32_MAX)
		return false;
	return wolfSSL_make_eap_keys(t->ssl, out, (unsigned)len, label) == 0;
}

bool tls_key_inputs(struct tls *t, uint8_t master[48], uint8_t client_random[32],
		    uint8_t server_random[32])
{
	unsigned char *ms, *sr, *cr;
	unsigned int msl, srl, crl;
	if (wolfSSL_get_keys(t->ssl, &ms, &msl, &sr, &srl, &cr, &crl) != WOLFSSL_SUCCESS ||
	    msl != 48 || srl != 32 || crl != 32)
		return false;
	memcpy(master, ms, 48);
	memcpy(client_random, cr, 32);
	memcpy(server_random, sr, 32);
	return true;
}

void tls_forget_secrets(struct tls *t)
{
	if (t && t->ssl)
		wolfSSL_FreeArrays(t->ssl);
}

/* Fills t->err from a failed wolfSSL call unless a reason is already set. */
static void tls_explain(struct tls *t, int e)
{
	if (t->verify_failed)
		return;
	char buf[160];
	switch (e) {
	case ASN_AFTER_DATE_E:
	case ASN_BEFORE_DATE_E:
	case ASN_NO_SIGNER_E:
	case ASN_SELF_SIGNED_E:
	case ASN_SIG_CONFIRM_E:
	case EXTKEYUSE_AUTH_E:
	case DOMAIN_NAME_MISMATCH:
	case IPADDR_MISMATCH:
		tls_verify_error(t, e);
		return;
	case SOCKET_PEER_CLOSED_E:
	case SOCKET_ERROR_E:
		/* A server that distrusts our certificate may send its alert
		 * and close while we still write (TLS 1.3 sends Certificate
		 * and Finished in one flight): we see only the closed socket. */
		if (t->sent_cert && !t->handshake_done) {
			tls_set_err(t,
				    "connection closed by the server during the TLS handshake "
				    "(%s): a server "
				    "that requires a client certificate does this when it does not "
				    "trust ours "
				    "(ssl certificate)",
				    e == SOCKET_ERROR_E && t->sock_errno ? strerror(t->sock_errno)
									 : "closed");
			return;
		}
		if (e == SOCKET_PEER_CLOSED_E) {
			tls_set_err(t, "%s", "connection closed by the peer");
			return;
		}
		if (t->sock_errno) {
			tls_set_err(t, "socket error: %s", strerror(t->sock_errno));
			return;
		}
		break;
	case VERSION_ERROR:
		tls_set_err(t, "%s", "TLS version mismatch (TLS 1.2 or 1.3 required)");
		return;
	case MATCH_SUITE_ERROR:
		tls_set_err(t, "%s", "no common TLS cipher suite");
		return;
	case FATAL_ERROR:
		tls_explain_alert(t);
		return;
	default:
		break;
	}
	wolfSSL_ERR_error_string_n((unsigned long)e, buf, sizeof(buf));
	snprintf(t->err, sizeof(t->err), "TLS error %d: %s", e, buf);
}

/* e: what wolfSSL_get_error said (asked once per failed call: it is on
 * every WANT_READ of the data path). */
static int tls_map_error(struct tls *t, int e)
{
	if (e == WOLFSSL_ERROR_WANT_READ)
		return TLS_WANT_READ;
	if (e == WOLFSSL_ERROR_WANT_WRITE)
		return TLS_WANT_WRITE;
	tls_explain(t, e);
	return TLS_ERROR;
}

static int tls_map(struct tls *t, int ret)
{
	return tls_map_error(t, wolfSSL_get_error(t->ssl, ret));
}

int tls_handshake(struct tls *t)
{
	if (t->handshake_done)
		return 0;
	if (t->verify_failed)
		return TLS_ERROR;
	int ret = t->server ? wolfSSL_accept(t->ssl) : wolfSSL_connect(t->ssl);
	if (ret != WOLFSSL_SUCCESS)
		return tls_map(t, ret);
	if (!t->server && !t->leaf_checked) {
		/* The callback should have seen the leaf; never trust without. */
		WOLFSSL_X509 *x = wolfSSL_get_peer_certificate(t->ssl);
		bool ok = x && tls_check_leaf(t, x);
		if (!x)
			tls_verify_fail(t, "server sent no certificate");
		wolfSSL_X509_free(x);
		if (!ok)
			return TLS_ERROR;
	}
	t->handshake_done = true;
	return 0;
}

ssize_t tls_read(struct tls *t, void *buf, size_t len)
{
	if (len > INT32_MAX)
		len = INT32_MAX;
	int n = wolfSSL_read(t->ssl, buf, (int)len);
	if (n > 0)
		return n;
	int e = wolfSSL_get_error(t->ssl, n);
	if (e == WOLFSSL_ERROR_ZERO_RETURN || e == SOCKET_PEER_CLOSED_E)
		return 0;
	return tls_map_error(t, e);
}

ssize_t tls_write(struct tls *t, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (len > INT32_MAX)
		len = INT32_MAX;
	int n = wolfSSL_write(t->ssl, buf, (int)len);
	if (n > 0)
		return n;
	return tls_map(t, n);
}

bool tls_pending(struct tls *t)
{
	/* Ciphertext already pulled off the socket counts too: the socket
	 * will not signal readable for it again. */
	return wolfSSL_pending(t->ssl) > 0 || t->rpos < t->rend;
}

void tls_shutdown(struct tls *t)
{
	if (t && t->ssl)
		wolfSSL_shutdown(t->ssl);
}

void tls_free(struct tls *t)
{
	if (!t)
		return;
	if (t->ssl)
		wolfSSL_free(t->ssl);
	if (t->own_ctx)
		wolfSSL_CTX_free(t->own_ctx);
	free(t->pins);
	free(t->leaf);
	free(t->rbuf);
	if (t->mout) {
		secure_wipe(t->mout, t->mout_len);
		free(t->mout);
	}
	free(t);
}

int tls_fd(const struct tls *t)
{
	return t->fd;
}

const char *tls_error(const struct tls *t)
{
	return t->err[0] ? t->err : "no error";
}

bool tls_cert_hashes(struct tls *t, uint8_t sha1[20], uint8_t sha256[32])
{
	const unsigned char *der = NULL;
	int len = 0;
	if (t->server) {
		der = t->sctx->leaf;
		len = (int)t->sctx->leaf_len;
	} else if (t->leaf_len > 0) {
		der = t->leaf;
		len = (int)t->leaf_len;
	}
	if (!der || len <= 0)
		return false;
	return wc_ShaHash(der, (word32)len, sha1) == 0 &&
	       wc_Sha256Hash(der, (word32)len, sha256) == 0;
}

const char *tls_version(struct tls *t)
{
	return wolfSSL_get_version(t->ssl);
}

const char *tls_cipher(struct tls *t)
{
	const char *c = wolfSSL_get_cipher_name(t->ssl);
	return c ? c : "none";
}

bool tls_close_notify_received(struct tls *t)
{
	return t && t->ssl && (wolfSSL_get_shutdown(t->ssl) & WOLFSSL_RECEIVED_SHUTDOWN) != 0;
}
