/* PEAP phase 2 on arbitrary inner packets: the input is cut into packets
 * by a leading length byte each and handed to peap_inner as the tunnel
 * would deliver them (Identity, EAP-MSCHAPv2, Extensions with Result and
 * cryptobinding TLVs, whole or compressed). The TLS session is a stand-in
 * that keeps what PPP writes and derives fixed keys, so every path runs
 * without a handshake. Nothing may crash or read out of bounds. */
#include "ppp/ppp_internal.h"

#include <stdlib.h>
#include <string.h>

static uint8_t out[65536];
static size_t out_len;

static void *f_start(void *ctx, bool with_cert, char *err, size_t errlen)
{
	(void)ctx, (void)with_cert, (void)err, (void)errlen;
	return out;
}
static int f_input(void *tls, const uint8_t *in, size_t len, char *err, size_t errlen)
{
	(void)tls, (void)in, (void)len, (void)err, (void)errlen;
	return 1;
}
static const uint8_t *f_output(void *tls, size_t *len)
{
	(void)tls;
	*len = out_len;
	return out;
}
static void f_consume(void *tls, size_t n)
{
	(void)tls;
	out_len = n > out_len ? 0 : out_len - n;
}
static bool f_keys(void *tls, uint8_t k[128])
{
	(void)tls;
	memset(k, 0x42, 128);
	return true;
}
static void f_free(void *tls)
{
	(void)tls;
}
static bool f_write(void *tls, const uint8_t *d, size_t len)
{
	(void)tls;
	if (len > sizeof(out) - out_len)
		out_len = 0;
	memcpy(out + out_len, d, len);
	out_len += len;
	return true;
}
static int f_read(void *tls, uint8_t *buf, size_t cap)
{
	(void)tls, (void)buf, (void)cap;
	return 0;
}
static const struct ppp_eap_tls_ops fake = {.start = f_start,
					    .input = f_input,
					    .output = f_output,
					    .consume = f_consume,
					    .keys = f_keys,
					    .free = f_free,
					    .write = f_write,
					    .read = f_read};

static void o_output(void *ctx, const uint8_t *f, size_t len)
{
	(void)ctx, (void)f, (void)len;
}
static void o_event(void *ctx, enum ppp_event ev, const void *arg)
{
	(void)ctx, (void)ev, (void)arg;
}
static const struct ppp_ops ops = {o_output, o_event, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ppp_config cfg = {.role = PPP_CLIENT,
				 .mru = 1500,
				 .username = "alice",
				 .password = "pw",
				 .auth = {PPP_AUTH_PEAP},
				 .ipv4 = true,
				 .eap_tls = &fake};
	struct ppp *p = ppp_new(&cfg, &ops, NULL);
	if (!p)
		return 0;
	p->tls = out; /* as after the outer handshake */
	p->tls_type = 25;
	p->tls_done = true;
	out_len = 0;
	size_t off = 0;
	while (off < size && !p->dead) {
		size_t n = data[off++];
		if (n > size - off)
			n = size - off;
		peap_inner(p, 7, data + off, n, 1000);
		off += n;
	}
	p->tls = NULL; /* not ours to free */
	ppp_free(p);
	return 0;
}
