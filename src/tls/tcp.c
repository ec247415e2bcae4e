/* TCP connect for tools and tests (a blocking wrapper of tls/dial.c) and
 * addresses in messages. */
#include "tls/tls.h"

#include "tls/dial.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

/* "10.1.2.3:443" or "[2001:db8::1]:443" for messages. */
void tcp_format_addr(const struct sockaddr *sa, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, outlen, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, outlen, "[%s]:%u", host, port);
	} else {
		snprintf(out, outlen, "(family %d)", sa->sa_family);
	}
}

int tcp_connect(const char *host, uint16_t port, int timeout_ms, struct sockaddr_storage *peer,
		char *err, size_t errlen)
{
	struct dial_params p = {
	    .host = host, .port = port, .timeout_ms = timeout_ms > 0 ? (unsigned)timeout_ms : 0};
	return dial_blocking(&p, peer, err, errlen);
}
