/* EAP-TLS's TLS session: a memory-mode client from src/tls that verifies
 * the EAP server's certificate (CA, name, dates, serverAuth) exactly as
 * the SSTP connection's, and presents the configured certificate. */
#include "session/eap_glue.h"

#include <stdio.h>

#include "tls/tls.h"

void eap_glue_pki(const struct conf *c, const char *ca, const char *cert,
		  struct tls_client_config *tc)
{
	const struct conf_pki *e;
	if (ca && (e = conf_pki_find(c->pki, c->npki, ca, true))) {
		tc->ca_der = e->cert;
		tc->ca_der_len = e->cert_len;
	}
	if (cert && (e = conf_pki_find(c->pki, c->npki, cert, false))) {
		tc->cert_der = e->cert;
		tc->cert_der_len = e->cert_len;
		tc->key_der = e->key;
		tc->key_der_len = e->key_len;
	}
}

static void *glue_start(void *ctx, bool with_cert, char *err, size_t errlen)
{
	const struct conf *c = ctx;
	bool own_ca = c->auth_ca_file[0];
	const char *ca = own_ca ? c->auth_ca_file : c->ca_file;
	bool ca_pki = own_ca ? c->auth_ca_pki : c->ca_pki;
	struct tls_client_config tc = {
	    .server_name = c->auth_server_name,
	    .ca_file = ca[0] && !ca_pki ? ca : NULL,
	    .cert_file = with_cert && !c->auth_cert_pki ? c->auth_cert_file : NULL,
	    .memory = true};
	eap_glue_pki(c, ca_pki ? ca : NULL,
		     with_cert && c->auth_cert_pki ? c->auth_cert_file : NULL, &tc);
	return tls_client_new(&tc, -1, err, errlen);
}

static int glue_input(void *tls, const uint8_t *in, size_t len, char *err, size_t errlen)
{
	struct tls *t = tls;
	if (len && !tls_mem_feed(t, in, len)) {
		snprintf(err, errlen, "%s", tls_error(t));
		return -1;
	}
	int rc = tls_handshake(t);
	if (rc == 0)
		return 1;
	if (rc == TLS_WANT_READ)
		return 0;
	snprintf(err, errlen, "%s", tls_error(t));
	return -1;
}

static const uint8_t *glue_output(void *tls, size_t *len)
{
	return tls_mem_output(tls, len);
}

static void glue_consume(void *tls, size_t n)
{
	tls_mem_consume(tls, n);
}

static bool glue_keys(void *tls, uint8_t out[128])
{
	bool ok = tls_eap_keys(tls, "client EAP encryption", out, 128);
	tls_forget_secrets(tls);
	return ok;
}

static void glue_free(void *tls)
{
	tls_free(tls);
}

static bool glue_write(void *tls, const uint8_t *data, size_t len)
{
	return tls_write(tls, data, len) == (ssize_t)len;
}

static int glue_read(void *tls, uint8_t *buf, size_t cap)
{
	ssize_t n = tls_read(tls, buf, cap);
	if (n > 0)
		return (int)n;
	return n == TLS_WANT_READ ? 0 : -1;
}

const struct ppp_eap_tls_ops eap_glue_ops = {
    .start = glue_start,
    .input = glue_input,
    .output = glue_output,
    .consume = glue_consume,
    .keys = glue_keys,
    .free = glue_free,
    .write = glue_write,
    .read = glue_read,
};
