#include "testutil.h"
#include "tls/tls.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A listening socket on 127.0.0.1 with an ephemeral port. */
static int listen_loopback(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	socklen_t sl = sizeof(a);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &sl), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

START_TEST(tcp_connect_loopback)
{
	uint16_t port;
	int lfd = listen_loopback(&port);
	struct sockaddr_storage peer;
	char err[256] = "";
	int fd = tcp_connect("127.0.0.1", port, 2000, &peer, err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	int nd = 0;
	socklen_t sl = sizeof(nd);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nd, &sl), 0);
	ck_assert_int_ne(nd, 0);
	ck_assert_int_eq(peer.ss_family, AF_INET);
	ck_assert_uint_eq(ntohs(((struct sockaddr_in *)&peer)->sin_port), port);
	int afd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(afd, 0);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	char c = 0;
	ck_assert_int_eq(read(afd, &c, 1), 1);
	ck_assert_int_eq(c, 'x');
	close(afd);
	close(fd);
	close(lfd);
}
END_TEST

START_TEST(tcp_connect_refused_names_address)
{
	uint16_t port;
	int lfd = listen_loopback(&port);
	close(lfd); /* nothing listens there now */
	char err[256] = "";
	int fd = tcp_connect("127.0.0.1", port, 2000, NULL, err, sizeof(err));
	ck_assert_int_eq(fd, -1);
	char want[128];
	snprintf(want, sizeof(want), "connect to 127.0.0.1:%u: Connection refused", port);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(tcp_connect_localhost_tries_each_address)
{
	/* localhost may resolve to ::1 first, where nothing listens: the
	 * connect must move on to 127.0.0.1. */
	uint16_t port;
	int lfd = listen_loopback(&port);
	struct sockaddr_storage peer;
	char err[256] = "";
	int fd = tcp_connect("localhost", port, 2000, &peer, err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	ck_assert_int_eq(peer.ss_family, AF_INET);
	close(fd);
	close(lfd);
}
END_TEST

START_TEST(tcp_connect_bad_literal)
{
	char err[256] = "";
	ck_assert_int_eq(tcp_connect("", 443, 500, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "resolving"));
}
END_TEST

START_TEST(tcp_format_v6)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(443)};
	inet_pton(AF_INET6, "2001:db8::1", &a.sin6_addr);
	char out[64];
	tcp_format_addr((struct sockaddr *)&a, out, sizeof(out));
	ck_assert_str_eq(out, "[2001:db8::1]:443");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tls_tcp");
	TCase *tc = tcase_create("tcp");
	tcase_add_test(tc, tcp_connect_loopback);
	tcase_add_test(tc, tcp_connect_refused_names_address);
	tcase_add_test(tc, tcp_connect_localhost_tries_each_address);
	tcase_add_test(tc, tcp_connect_bad_literal);
	tcase_add_test(tc, tcp_format_v6);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
