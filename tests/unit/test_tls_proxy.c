/* HTTP CONNECT through a tiny proxy run in a child process on loopback. */
#include "testutil.h"
#include "tls/tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* The child: accept one client, read its request, answer with reply
 * (400 if want_header is missing from the request), and on 2xx relay to
 * 127.0.0.1:target until either side closes. */
static void proxy_child(int lfd, const char *reply, const char *want_header, uint16_t target)
{
	int c = accept(lfd, NULL, NULL);
	if (c < 0)
		_exit(1);
	char req[4096];
	size_t n = 0;
	while (n < sizeof(req) - 1) {
		ssize_t r = read(c, req + n, sizeof(req) - 1 - n);
		if (r <= 0)
			_exit(2);
		n += (size_t)r;
		req[n] = 0;
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	char line[128];
	snprintf(line, sizeof(line), "CONNECT server.test:%u HTTP/1.1\r\nHost: server.test:%u\r\n",
		 target, target);
	if (strncmp(req, line, strlen(line)) != 0 || (want_header && !strstr(req, want_header)) ||
	    (!want_header && strstr(req, "Proxy-Authorization"))) {
		const char *bad = "HTTP/1.1 400 Bad Request\r\n\r\n";
		if (write(c, bad, strlen(bad)) < 0)
			_exit(3);
		_exit(0);
	}
	if (write(c, reply, strlen(reply)) < 0)
		_exit(3);
	if (reply[9] != '2')
		_exit(0);
	int t = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(target),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(t, (struct sockaddr *)&a, sizeof(a)) < 0)
		_exit(4);
	struct pollfd p[2] = {{.fd = c, .events = POLLIN}, {.fd = t, .events = POLLIN}};
	char buf[4096];
	for (;;) {
		if (poll(p, 2, 5000) <= 0)
			_exit(5);
		for (int i = 0; i < 2; i++) {
			if (!p[i].revents)
				continue;
			ssize_t r = read(p[i].fd, buf, sizeof(buf));
			if (r <= 0)
				_exit(0);
			if (write(p[1 - i].fd, buf, (size_t)r) != r)
				_exit(6);
		}
	}
}

struct run {
	pid_t pid;
	int fd;
	int tfd; /* the target's listening socket */
	uint16_t target;
	char err[256];
};

static void run_proxy(struct run *r, const char *reply, const char *want_header, const char *user,
		      const char *pass)
{
	uint16_t pport;
	int lfd = listen_loopback(&pport);
	r->tfd = listen_loopback(&r->target);
	r->pid = fork();
	ck_assert_int_ge(r->pid, 0);
	if (r->pid == 0) {
		proxy_child(lfd, reply, want_header, r->target);
		_exit(0);
	}
	close(lfd);
	r->err[0] = 0;
	r->fd = tcp_connect_proxy("127.0.0.1", pport, user, pass, "server.test", r->target, 3000,
				  NULL, r->err, sizeof(r->err));
}

static void run_end(struct run *r)
{
	if (r->fd >= 0)
		close(r->fd);
	close(r->tfd);
	int st;
	/* SIGKILL: the child inherited check's SIGTERM handler, which would
	 * signal the whole test process group. */
	kill(r->pid, SIGKILL);
	waitpid(r->pid, &st, 0);
}

static void expect_tunnel(struct run *r, const char *early)
{
	ck_assert_msg(r->fd >= 0, "%s", r->err);
	int a = accept(r->tfd, NULL, NULL);
	ck_assert_int_ge(a, 0);
	char buf[64] = "";
	struct pollfd p = {.fd = r->fd, .events = POLLIN};
	size_t want = 0;
	if (early) {
		/* bytes the proxy sent right after its header belong to the tunnel */
		want = strlen(early);
		size_t got = 0;
		while (got < want) {
			ck_assert_int_eq(poll(&p, 1, 3000), 1);
			ssize_t n = read(r->fd, buf + got, want - got);
			ck_assert_int_gt(n, 0);
			got += (size_t)n;
		}
		ck_assert_mem_eq(buf, early, want);
	}
	ck_assert_int_eq(write(r->fd, "ping", 4), 4);
	ck_assert_int_eq(read(a, buf, 4), 4);
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert_int_eq(write(a, "pong", 4), 4);
	ck_assert_int_eq(poll(&p, 1, 3000), 1);
	ck_assert_int_eq(read(r->fd, buf, 4), 4);
	ck_assert_mem_eq(buf, "pong", 4);
	close(a);
}

START_TEST(proxy_200_without_auth)
{
	struct run r;
	run_proxy(&r, "HTTP/1.1 200 Connection established\r\nX-Foo: bar\r\n\r\n", NULL, NULL,
		  NULL);
	expect_tunnel(&r, NULL);
	run_end(&r);
}
END_TEST

START_TEST(proxy_200_with_basic_auth)
{
	struct run r;
	/* base64("alice:s3cret") */
	run_proxy(&r, "HTTP/1.0 200 OK\r\n\r\n",
		  "\r\nProxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n", "alice", "s3cret");
	expect_tunnel(&r, NULL);
	run_end(&r);
}
END_TEST

START_TEST(proxy_tunnel_bytes_after_header_are_kept)
{
	struct run r;
	run_proxy(&r, "HTTP/1.1 200 OK\r\n\r\nEARLY", NULL, NULL, NULL);
	expect_tunnel(&r, "EARLY");
	run_end(&r);
}
END_TEST

START_TEST(proxy_407)
{
	struct run r;
	run_proxy(&r,
		  "HTTP/1.1 407 Proxy Authentication Required\r\n"
		  "Proxy-Authenticate: Basic realm=\"x\"\r\n\r\n",
		  NULL, NULL, NULL);
	ck_assert_int_eq(r.fd, -1);
	ck_assert_str_eq(r.err, "proxy authentication required (407)");
	run_end(&r);
}
END_TEST

START_TEST(proxy_403_sanitised)
{
	struct run r;
	run_proxy(&r, "HTTP/1.1 403 No\x1b[31m way\r\n\r\n", NULL, NULL, NULL);
	ck_assert_int_eq(r.fd, -1);
	char want[128];
	snprintf(want, sizeof(want),
		 "proxy refused CONNECT to server.test:%u: HTTP/1.1 403 No?[31m way", r.target);
	ck_assert_str_eq(r.err, want);
	run_end(&r);
}
END_TEST

START_TEST(proxy_not_http)
{
	struct run r;
	run_proxy(&r, "SSH-2.0-OpenSSH\r\n\r\n", NULL, NULL, NULL);
	ck_assert_int_eq(r.fd, -1);
	ck_assert_str_eq(r.err, "malformed proxy reply: SSH-2.0-OpenSSH");
	run_end(&r);
}
END_TEST

START_TEST(proxy_unreachable)
{
	uint16_t port;
	int l = listen_loopback(&port);
	close(l);
	char err[256];
	ck_assert_int_eq(tcp_connect_proxy("127.0.0.1", port, NULL, NULL, "h", 443, 1000, NULL, err,
					   sizeof(err)),
			 -1);
	char want[128];
	snprintf(want, sizeof(want), "proxy: connect to 127.0.0.1:%u: Connection refused", port);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(tcp_connect_proxy("127.0.0.1", port, NULL, NULL, "h\r\nX: y", 443, 1000,
					   NULL, err, sizeof(err)),
			 -1);
}
END_TEST

START_TEST(parse_reply_cases)
{
	struct proxy_reply rep;
	const char *ok = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nrest";
	ck_assert_int_eq(proxy_parse_reply((const uint8_t *)ok, strlen(ok), &rep), PROXY_REPLY_OK);
	ck_assert_int_eq(rep.status, 200);
	ck_assert_uint_eq(rep.header_len, strlen(ok) - 4);
	ck_assert_str_eq(rep.status_line, "HTTP/1.1 200 OK");
	const char *nore = "HTTP/1.1 200\r\n\r\n";
	ck_assert_int_eq(proxy_parse_reply((const uint8_t *)nore, strlen(nore), &rep),
			 PROXY_REPLY_OK);
	/* every prefix is incomplete, never OK */
	for (size_t i = 0; i < strlen(ok) - 4; i++)
		ck_assert_int_eq(proxy_parse_reply((const uint8_t *)ok, i, &rep),
				 PROXY_REPLY_INCOMPLETE);
	const char *bad[] = {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
			     "HTTP/1.1 200OK\r\n\r\n", "HTTP/1.1 099 x\r\n\r\n", "\r\n\r\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(proxy_parse_reply((const uint8_t *)bad[i], strlen(bad[i]), &rep),
				 PROXY_REPLY_BAD);
	static uint8_t big[PROXY_REPLY_MAX + 10];
	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(proxy_parse_reply(big, sizeof(big), &rep), PROXY_REPLY_BAD);
	ck_assert_int_eq(proxy_parse_reply(big, PROXY_REPLY_MAX - 1, &rep), PROXY_REPLY_INCOMPLETE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tls_proxy");
	TCase *tc = tcase_create("proxy");
	tcase_add_test(tc, proxy_200_without_auth);
	tcase_add_test(tc, proxy_200_with_basic_auth);
	tcase_add_test(tc, proxy_tunnel_bytes_after_header_are_kept);
	tcase_add_test(tc, proxy_407);
	tcase_add_test(tc, proxy_403_sanitised);
	tcase_add_test(tc, proxy_not_http);
	tcase_add_test(tc, proxy_unreachable);
	tcase_add_test(tc, parse_reply_cases);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
