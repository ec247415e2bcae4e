/* HTTP CONNECT proxy client (RFC 9110 9.3.6): the request, the reply
 * parser and its verdict; tls/dial.c drives the exchange on the loop. */
#include "tls/tls.h"

#include "core/bytes.h"
#include "tls/dial.h"

#include <stdio.h>
#include <string.h>

static const char proxy_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* out must hold 4 * ((n + 2) / 3) + 1 bytes. */
static void proxy_base64(char *out, const uint8_t *in, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = proxy_b64[v >> 18 & 63];
		out[o++] = proxy_b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? proxy_b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? proxy_b64[v & 63] : '=';
	}
	out[o] = 0;
}

/* Copies the status line with anything unprintable replaced, so a hostile
 * proxy cannot put control characters into our logs. */
static void proxy_sanitise(char *out, size_t outlen, const uint8_t *p, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < outlen; i++)
		out[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[o] = 0;
}

enum proxy_parse proxy_parse_reply(const uint8_t *buf, size_t len, struct proxy_reply *out)
{
	memset(out, 0, sizeof(*out));
	if (len > PROXY_REPLY_MAX)
		len = PROXY_REPLY_MAX;
	/* The header ends at the first empty line. */
	size_t end = 0;
	for (size_t i = 0; i + 3 < len; i++) {
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n') {
			end = i + 4;
			break;
		}
	}
	if (!end)
		return len >= PROXY_REPLY_MAX ? PROXY_REPLY_BAD : PROXY_REPLY_INCOMPLETE;
	out->header_len = end;

	size_t line = 0;
	while (buf[line] != '\r')
		line++;
	proxy_sanitise(out->status_line, sizeof(out->status_line), buf, line);

	/* "HTTP/1.x SSS[ reason]" */
	struct reader r;
	rd_init(&r, buf, line);
	const uint8_t *v = rd_take(&r, 7);
	uint8_t minor = rd_u8(&r);
	uint8_t sp = rd_u8(&r);
	const uint8_t *code = rd_take(&r, 3);
	if (!rd_ok(&r) || memcmp(v, "HTTP/1.", 7) != 0 || minor < '0' || minor > '9' || sp != ' ')
		return PROXY_REPLY_BAD;
	int status = 0;
	for (int i = 0; i < 3; i++) {
		if (code[i] < '0' || code[i] > '9')
			return PROXY_REPLY_BAD;
		status = status * 10 + (code[i] - '0');
	}
	if (rd_left(&r) > 0 && rd_u8(&r) != ' ')
		return PROXY_REPLY_BAD;
	if (status < 100)
		return PROXY_REPLY_BAD;
	out->status = status;
	return PROXY_REPLY_OK;
}

/* A host or credential that would break the request line or headers. */
static bool proxy_bad_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* "host:port", or "[v6]:port" for an IPv6 literal (the authority form). */
static void proxy_authority(char *out, size_t outlen, const char *host, uint16_t port)
{
	snprintf(out, outlen, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
}

int proxy_request(char *req, size_t cap, const char *user, const char *pass, const char *host,
		  uint16_t port, char *err, size_t errlen)
{
	if (proxy_bad_text(host) || strlen(host) > 255 || (user && proxy_bad_text(user)) ||
	    (pass && proxy_bad_text(pass)) || (user && strchr(user, ':'))) {
		snprintf(err, errlen, "proxy: host, user or password holds invalid characters");
		return -1;
	}
	char authority[300];
	proxy_authority(authority, sizeof(authority), host, port);
	int n;
	if (user) {
		char cred[400];
		char b64[4 * ((sizeof(cred) + 2) / 3) + 1];
		int cl = snprintf(cred, sizeof(cred), "%s:%s", user, pass ? pass : "");
		if (cl < 0 || (size_t)cl >= sizeof(cred)) {
			explicit_bzero(cred, sizeof(cred));
			snprintf(err, errlen, "proxy user name or password too long");
			return -1;
		}
		proxy_base64(b64, (const uint8_t *)cred, (size_t)cl);
		n = snprintf(req, cap,
			     "CONNECT %s HTTP/1.1\r\nHost: %s\r\nProxy-Authorization: Basic %s\r\n"
			     "\r\n",
			     authority, authority, b64);
		explicit_bzero(cred, sizeof(cred));
		explicit_bzero(b64, sizeof(b64));
	} else {
		n = snprintf(req, cap, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", authority,
			     authority);
	}
	if (n < 0 || (size_t)n >= cap) {
		explicit_bzero(req, cap);
		snprintf(err, errlen, "proxy request too long");
		return -1;
	}
	return n;
}

bool proxy_reply_accepts(const struct proxy_reply *rep, const char *host, uint16_t port, char *err,
			 size_t errlen)
{
	if (rep->status == 407) {
		snprintf(err, errlen, "proxy authentication required (407)");
		return false;
	}
	if (rep->status < 200 || rep->status > 299) {
		char authority[300];
		proxy_authority(authority, sizeof(authority), host, port);
		snprintf(err, errlen, "proxy refused CONNECT to %s: %s", authority,
			 rep->status_line);
		return false;
	}
	return true;
}

int tcp_connect_proxy(const char *proxy, uint16_t proxy_port, const char *user, const char *pass,
		      const char *host, uint16_t port, int timeout_ms,
		      struct sockaddr_storage *peer, char *err, size_t errlen)
{
	struct dial_params p = {.host = host,
				.port = port,
				.proxy_host = proxy,
				.proxy_port = proxy_port,
				.proxy_user = user,
				.proxy_pass = pass,
				.timeout_ms = timeout_ms > 0 ? (unsigned)timeout_ms : 0};
	return dial_blocking(&p, peer, err, errlen);
}
