/* The HTTP layer of SSTP (MS-SSTP 3.2.4.1, 3.3.4.1): one request, one
 * reply, then the stream belongs to SSTP. Only what SSTP needs is parsed;
 * the header block is bounded so a peer cannot make us buffer forever. */
#include "sstp/sstp_wire.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char huge_length[] = "18446744073709551615";

/* Offset just past CRLF CRLF, 0 if not (yet) present within the limit. */
static size_t header_end(const uint8_t *buf, size_t len)
{
	size_t lim = len < SSTP_HTTP_MAX_HEADER ? len : SSTP_HTTP_MAX_HEADER;
	for (size_t i = 0; i + 4 <= lim; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n')
			return i + 4;
	return 0;
}

/* Copies the first line (without CRLF) into a bounded NUL-terminated
 * buffer, replacing anything not printable ASCII. */
static void first_line(const uint8_t *buf, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	if (!cap)
		return;
	for (size_t i = 0; i < len && buf[i] != '\r' && buf[i] != '\n' && n + 1 < cap; i++)
		out[n++] = buf[i] >= 0x20 && buf[i] < 0x7f ? (char)buf[i] : '?';
	out[n] = '\0';
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static ssize_t fail(char *err, size_t errlen, const char *what, const uint8_t *buf, size_t len)
{
	char line[121];
	first_line(buf, len, line, sizeof(line));
	if (errlen)
		snprintf(err, errlen, "%s%s%s%s", what, line[0] ? ": \"" : "", line,
			 line[0] ? "\"" : "");
	return -1;
}

ssize_t sstp_http_parse_response(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	static const char prefix[] = "HTTP/1.";
	size_t pl = sizeof(prefix) - 1;
	size_t cmp = len < pl ? len : pl;
	if (memcmp(buf, prefix, cmp) != 0)
		return fail(err, errlen, "not an HTTP/1.x response", buf, len);
	size_t end = header_end(buf, len);
	if (!end) {
		if (len >= SSTP_HTTP_MAX_HEADER)
			return fail(err, errlen, "HTTP response header longer than 8192 bytes", buf,
				    len);
		return 0;
	}
	/* "HTTP/1.x NNN" then SP reason or CRLF */
	if (end < pl + 6 || !is_digit(buf[pl]) || buf[pl + 1] != ' ' || !is_digit(buf[pl + 2]) ||
	    !is_digit(buf[pl + 3]) || !is_digit(buf[pl + 4]) ||
	    (buf[pl + 5] != ' ' && buf[pl + 5] != '\r'))
		return fail(err, errlen, "malformed HTTP status line", buf, len);
	int status = (buf[pl + 2] - '0') * 100 + (buf[pl + 3] - '0') * 10 + (buf[pl + 4] - '0');
	if (status != 200)
		return fail(err, errlen, "server refused SSTP", buf, len);
	return (ssize_t)end;
}

ssize_t sstp_http_parse_request(const uint8_t *buf, size_t len, int *status, char *err,
				size_t errlen)
{
	*status = 0;
	size_t end = header_end(buf, len);
	if (!end) {
		if (len >= SSTP_HTTP_MAX_HEADER)
			return fail(err, errlen, "HTTP request header longer than 8192 bytes", buf,
				    len);
		/* a request line that is already broken need not wait for more */
		for (size_t i = 0; i < len; i++)
			if (buf[i] < 0x20 && buf[i] != '\r' && buf[i] != '\n')
				return fail(err, errlen, "malformed HTTP request", buf, len);
		return 0;
	}
	char line[512];
	size_t ll = 0;
	while (ll < end && buf[ll] != '\r')
		ll++;
	if (ll >= sizeof(line) || buf[ll + 1] != '\n')
		return fail(err, errlen, "malformed HTTP request line", buf, len);
	for (size_t i = 0; i < ll; i++) {
		if (buf[i] < 0x20 || buf[i] >= 0x7f)
			return fail(err, errlen, "malformed HTTP request line", buf, len);
		line[i] = (char)buf[i];
	}
	line[ll] = '\0';
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strchr(sp2 + 1, ' ') || strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return fail(err, errlen, "malformed HTTP request line", buf, len);
	*sp1 = '\0';
	*sp2 = '\0';
	bool ok = strcmp(line, "SSTP_DUPLEX_POST") == 0 && strcasecmp(sp1 + 1, SSTP_HTTP_URI) == 0;
	*status = ok ? 200 : 404;
	return (ssize_t)end;
}

static bool header_safe(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

size_t sstp_http_build_request(char *out, size_t cap, const char *host, const uint8_t guid[16])
{
	if (!header_safe(host))
		return 0;
	/* An IPv6 literal (two or more colons) needs brackets in Host. */
	const char *c1 = strchr(host, ':');
	bool bracket = host[0] != '[' && c1 && strchr(c1 + 1, ':');
	uint8_t g[16];
	memcpy(g, guid, 16);
	g[6] = (uint8_t)((g[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
	g[8] = (uint8_t)((g[8] & 0x3f) | 0x80);
	int n = snprintf(out, cap,
			 "SSTP_DUPLEX_POST %s HTTP/1.1\r\n"
			 "Host: %s%s%s\r\n"
			 "Content-Length: %s\r\n"
			 "SSTPCORRELATIONID: {%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-"
			 "%02X%02X%02X%02X%02X%02X}\r\n"
			 "\r\n",
			 SSTP_HTTP_URI, bracket ? "[" : "", host, bracket ? "]" : "", huge_length,
			 g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11],
			 g[12], g[13], g[14], g[15]);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

size_t sstp_http_build_reply(char *out, size_t cap, int status)
{
	int n;
	if (status == 200)
		n = snprintf(out, cap,
			     "HTTP/1.1 200 OK\r\n"
			     "Content-Length: %s\r\n"
			     "Server: Microsoft-HTTPAPI/2.0\r\n"
			     "\r\n",
			     huge_length);
	else
		n = snprintf(out, cap,
			     "HTTP/1.1 404 Not Found\r\n"
			     "Content-Length: 0\r\n"
			     "Connection: close\r\n"
			     "\r\n");
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}
