/* Arbitrary bytes as the SSTP stream after a canned HTTP exchange, into a
 * client and a server instance, plus the bare framing/control parsers. */
#include "sstp/sstp_wire.h"

#include <string.h>

struct fctx {
	int closed;
	int ppp_start;
};

static void f_send(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
}
static uint8_t sink;
static void f_frame(void *ctx, const uint8_t *f, size_t len)
{
	for (size_t i = 0; i < len; i++) /* touch every byte: ASan checks the bounds */
		sink ^= f[i];
	(void)ctx;
}
static void f_event(void *ctx, enum sstp_event ev, const void *arg)
{
	struct fctx *c = ctx;
	if (ev == SSTP_EV_CLOSED) {
		c->closed++;
		(void)strlen(arg);
	}
	if (ev == SSTP_EV_PPP_START)
		c->ppp_start++;
}
static void f_random(void *ctx, void *buf, size_t len)
{
	memset(buf, 0x5a, len);
}

static const struct sstp_ops ops = {f_send, f_frame, f_event};

static void run(enum sstp_role role, const uint8_t *data, size_t size)
{
	static const char reply[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n";
	static const char req[] = "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ "
				  "HTTP/1.1\r\nHost: x\r\n\r\n";
	struct fctx c = {0};
	struct sstp_config cfg = {
	    .role = role, .host = "fuzz", .hello_ms = 1000, .random = f_random};
	struct sstp *s = sstp_new(&cfg, &ops, &c);
	uint64_t now = 1;
	sstp_start(s, now);
	const char *h = role == SSTP_CLIENT ? reply : req;
	sstp_input(s, (const uint8_t *)h, strlen(h), now);
	static uint8_t buf[8192];
	size_t have = 0, off = 0;
	const uint8_t hlak[32] = {0};
	/* feed in pieces of varying size so partial packets are exercised */
	while (off < size) {
		size_t n = 1 + (data[off] % 97) * 13;
		if (n > size - off)
			n = size - off;
		if (n > sizeof(buf) - have)
			n = sizeof(buf) - have;
		memcpy(buf + have, data + off, n);
		have += n;
		off += n;
		size_t used = sstp_input(s, buf, have, now);
		if (used > have)
			__builtin_trap();
		memmove(buf, buf + used, have - used);
		have -= used;
		if (have == sizeof(buf))
			have = 0; /* a real caller would abort here */
		if (c.ppp_start) {
			if (role == SSTP_CLIENT)
				sstp_auth_done(s, hlak, now);
			else
				sstp_set_hlak(s, hlak);
		}
		now += 700;
		sstp_timeout(s, now);
	}
	sstp_disconnect(s, now);
	sstp_timeout(s, now + 100000);
	/* an ending timer may still be running: the peer closes */
	sstp_lower_closed(s, "fuzz: stream ended", now + 100000);
	if (c.closed != 1)
		__builtin_trap(); /* every path ends in exactly one CLOSED */
	if (c.closed > 1)
		__builtin_trap(); /* CLOSED must be reported once */
	sstp_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ssize_t n = sstp_packet_len(data, size);
	if (n > 0 && (size_t)n <= size && size >= 4 && sstp_is_control(data)) {
		struct sstp_ctrl c;
		const char *why;
		if (sstp_ctrl_parse(data, (size_t)n, &c, &why)) {
			for (unsigned i = 0; i < c.nattr; i++) {
				struct sstp_status st;
				if (sstp_status_parse(&c.attr[i], &st) && st.val_len > 64)
					__builtin_trap();
			}
		} else if (!why) {
			__builtin_trap();
		}
	}
	run(SSTP_CLIENT, data, size);
	run(SSTP_SERVER, data, size);
	return 0;
}
