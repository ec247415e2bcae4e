/* TCP and TLS (wolfSSL) for both roles. Non-blocking once connected. */
#ifndef SSTPC_TLS_TLS_H
#define SSTPC_TLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Return values of tls_handshake/tls_read/tls_write besides byte counts. */
#define TLS_WANT_READ (-2)
#define TLS_WANT_WRITE (-3)
#define TLS_ERROR (-1)
/* tls_read: 0 = the peer closed the stream (close_notify or TCP FIN). */

struct tls_client_config {
	const char *server_name;   /* SNI and the name the certificate must match (IP literal ok) */
	const char *ca_file;	   /* NULL/"" = system trust store */
	const uint8_t (*pins)[32]; /* SHA-256 of the SubjectPublicKeyInfo; any match trusts */
	int npins;	       /* with pins and no ca_file, the chain is not required to verify */
	const char *cert_file; /* NULL/"" = none; else a PEM file with our certificate
				* chain and its private key (mutual TLS) */
	/* the same from memory (DER), as tunnel.conf's pki entries give them;
	 * used instead of ca_file / cert_file when set */
	const uint8_t *ca_der, *cert_der, *key_der;
	size_t ca_der_len, cert_der_len, key_der_len;
	bool memory; /* no socket (fd -1): TLS inside EAP, see tls_mem_*;
		      * TLS 1.2 only (RFC 5216 keys), no SNI */
};

struct tls;
struct tls_server_ctx;

/* Once per process (idempotent). */
bool tls_global_init(void);
/* "wolfSSL 5.5.4 (static, AES-NI)" style description for --version. */
const char *tls_library_info(void);

/* Resolves host (IP literal or FQDN) and connects (tls/dial.h: every
 * address, one overall timeout_ms), waiting on a private loop: for tools
 * and tests; the daemon dials on its own loop. Returns a connected, non-blocking fd with
 * TCP_NODELAY, or -1 with the reason in err. peer gets the address used. */
int tcp_connect(const char *host, uint16_t port, int timeout_ms, struct sockaddr_storage *peer,
		char *err, size_t errlen);
/* "10.1.2.3:443" / "[2001:db8::1]:443" for messages. */
void tcp_format_addr(const struct sockaddr *sa, char *out, size_t outlen);
/* Same through an HTTP CONNECT proxy (Basic auth when user is non-NULL);
 * a refusal (e.g. 407) is a clear error naming the status line. */
int tcp_connect_proxy(const char *proxy, uint16_t proxy_port, const char *user, const char *pass,
		      const char *host, uint16_t port, int timeout_ms,
		      struct sockaddr_storage *peer, char *err, size_t errlen);

/* The CONNECT reply parser (proxy.c), exposed for tests and fuzzing. The
 * status line and headers must end (CRLFCRLF) within PROXY_REPLY_MAX. */
#define PROXY_REPLY_MAX 8192
enum proxy_parse { PROXY_REPLY_INCOMPLETE, PROXY_REPLY_OK, PROXY_REPLY_BAD };
struct proxy_reply {
	int status;	       /* e.g. 200, 407 */
	size_t header_len;     /* bytes up to and including CRLFCRLF; tunnel data follows */
	char status_line[128]; /* printable ASCII only, for messages */
};
enum proxy_parse proxy_parse_reply(const uint8_t *buf, size_t len, struct proxy_reply *out);
/* Writes the CONNECT request for host:port (Basic auth when user is
 * non-NULL) into req; its length, or -1 with the reason in err (text that
 * would break the request, too long). Holds the credentials: wipe it. */
int proxy_request(char *req, size_t cap, const char *user, const char *pass, const char *host,
		  uint16_t port, char *err, size_t errlen);
/* false with the reason in err unless the proxy answered 2xx. */
bool proxy_reply_accepts(const struct proxy_reply *rep, const char *host, uint16_t port, char *err,
			 size_t errlen);

struct tls *tls_client_new(const struct tls_client_config *cfg, int fd, char *err, size_t errlen);
/* A client context kept across reconnects (trust store, versions, suites:
 * parsing the system trust store costs milliseconds per connect). Built
 * from cfg's ca_file and npins; make a new one when those change. */
struct tls_client_ctx;
struct tls_client_ctx *tls_client_ctx_new(const struct tls_client_config *cfg, char *err,
					  size_t errlen);
void tls_client_ctx_free(struct tls_client_ctx *c);
/* As tls_client_new over a shared context (NULL: a private one), which
 * must outlive the connection. cfg must be the one ctx was built from. */
struct tls *tls_client_new_ctx(struct tls_client_ctx *ctx, const struct tls_client_config *cfg,
			       int fd, char *err, size_t errlen);
struct tls_server_ctx *tls_server_ctx_new(const char *cert_file, const char *key_file, char *err,
					  size_t errlen);
void tls_server_ctx_free(struct tls_server_ctx *ctx);
/* Restricts the server's cipher suites (wolfSSL list syntax, e.g.
 * "TLS13-AES256-GCM-SHA384"), so a test peer or tools/tlsbench can pick
 * what a real server would. false if wolfSSL knows none of them. */
bool tls_server_ctx_set_ciphers(struct tls_server_ctx *ctx, const char *list);
/* Mutual TLS: the server requires a client certificate that chains to a
 * CA in ca_file; a client without one fails the handshake. */
bool tls_server_ctx_require_client_cert(struct tls_server_ctx *ctx, const char *ca_file, char *err,
					size_t errlen);
/* Loads our certificate chain and private key from one PEM file (both
 * blocks in it, any order) into a wolfSSL context. */
struct WOLFSSL_CTX;
bool tls_ctx_use_cert_file(struct WOLFSSL_CTX *ctx, const char *file, char *err, size_t errlen);
/* The subject of the peer's certificate ("/CN=alice"), "" without one. */
void tls_peer_subject(struct tls *t, char *out, size_t outlen);
struct tls *tls_server_new(struct tls_server_ctx *ctx, int fd, char *err, size_t errlen);
/* Drives the handshake: 0 done, TLS_WANT_READ/WRITE, TLS_ERROR with a
 * specific reason in tls_error() (certificate expired, unknown CA, name
 * mismatch, pin mismatch, no serverAuth EKU, ...). */
int tls_handshake(struct tls *t);
/* > 0 bytes, 0 peer closed, TLS_WANT_READ/WRITE, TLS_ERROR. */
ssize_t tls_read(struct tls *t, void *buf, size_t len);
/* > 0 bytes written (all of len unless partial writes happen), TLS_WANT_*,
 * TLS_ERROR. After TLS_WANT_*, call again with the same buffer and length. */
ssize_t tls_write(struct tls *t, const void *buf, size_t len);
/* Plaintext already decrypted and waiting inside the TLS object. */
bool tls_pending(struct tls *t);
/* Sends close_notify (best effort, non-blocking). */
void tls_shutdown(struct tls *t);
void tls_free(struct tls *t); /* does not close the fd */
int tls_fd(const struct tls *t);
const char *tls_error(const struct tls *t);
/* The server's leaf certificate (client) / own certificate (server). */
bool tls_cert_hashes(struct tls *t, uint8_t sha1[20], uint8_t sha256[32]);
const char *tls_version(struct tls *t);
/* Finds the SubjectPublicKeyInfo (whole DER TLV) inside a DER certificate:
 * its SHA-256 is what pins hold (curl --pinnedpubkey sha256//). */
bool tls_der_spki(const uint8_t *der, size_t len, const uint8_t **spki, size_t *spki_len);
/* True if the certificate's subjectAltName holds this iPAddress (4 or 16
 * bytes in network order). */
bool tls_der_ip_san_match(const uint8_t *der, size_t len, const uint8_t *ip, size_t iplen);
const char *tls_cipher(struct tls *t);
/* True once the peer's close_notify alert has been read (a clean TLS
 * close, not just a TCP FIN). */
bool tls_close_notify_received(struct tls *t);

/* Memory mode: TLS carried inside EAP (EAP-TLS, PEAP). The caller feeds
 * what the peer sent and takes what wolfSSL wrote; tls_handshake returns
 * TLS_WANT_READ when it needs more. A client is made by tls_client_new
 * with cfg->memory (fd ignored); a server (tests) here. */
struct tls *tls_server_new_mem(struct tls_server_ctx *ctx, char *err, size_t errlen);
/* false (reason in tls_error) when the input would exceed 64 KiB unread. */
bool tls_mem_feed(struct tls *t, const uint8_t *in, size_t len);
const uint8_t *tls_mem_output(const struct tls *t, size_t *len);
void tls_mem_consume(struct tls *t, size_t n);
/* RFC 5216 2.3: PRF(master secret, label, client.random || server.random)
 * after the handshake, len bytes (128: MSK || EMSK). Holds keys: wipe. */
bool tls_eap_keys(struct tls *t, const char *label, uint8_t *out, size_t len);
/* For tests that recompute the keys independently: the master secret and
 * both randoms of a finished memory-mode handshake. */
bool tls_key_inputs(struct tls *t, uint8_t master[48], uint8_t client_random[32],
		    uint8_t server_random[32]);
/* Drops (and zeroes) the master secret kept for tls_eap_keys. */
void tls_forget_secrets(struct tls *t);

#endif
