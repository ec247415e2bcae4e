/* TCP connect: resolve, then try each address with a bounded wait. */
#include "tls/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long tcp_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

/* One address: 0 and *fdp on success, -errno otherwise. */
static int tcp_try(const struct addrinfo *ai, int timeout_ms, int *fdp)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return -errno;
	int one = 1;
	/* Without it a TLS handshake alone waits on Nagle + delayed ACK. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		*fdp = fd;
		return 0;
	}
	int e = errno;
	if (e != EINPROGRESS) {
		close(fd);
		return -e;
	}
	long long deadline = tcp_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		long long left = deadline - tcp_now_ms();
		if (left <= 0) {
			close(fd);
			return -ETIMEDOUT;
		}
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			continue;
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		if (soerr) {
			close(fd);
			return -soerr;
		}
		*fdp = fd;
		return 0;
	}
}

int tcp_connect(const char *host, uint16_t port, int timeout_ms, struct sockaddr_storage *peer,
		char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_protocol = IPPROTO_TCP, .ai_flags = AI_ADDRCONFIG };
	char service[8];
	snprintf(service, sizeof(service), "%u", port);
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, service, &hints, &res);
	if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY || rc == EAI_NODATA) {
		/* AI_ADDRCONFIG hides loopback-only setups (no global address). */
		hints.ai_flags = 0;
		rc = getaddrinfo(host, service, &hints, &res);
	}
	if (rc != 0) {
		snprintf(err, errlen, "resolve %s: %s", host,
			 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	char where[INET6_ADDRSTRLEN + 16] = "";
	int last = -ENOENT;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		tcp_format_addr(ai->ai_addr, where, sizeof(where));
		last = tcp_try(ai, timeout_ms, &fd);
		if (last == 0) {
			if (peer) {
				memset(peer, 0, sizeof(*peer));
				memcpy(peer, ai->ai_addr, ai->ai_addrlen);
			}
			break;
		}
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (where[0])
			snprintf(err, errlen, "connect to %s: %s", where, strerror(-last));
		else
			snprintf(err, errlen, "resolve %s: no IPv4/IPv6 address", host);
		return -1;
	}
	return fd;
}
