/* The dial on a real loop: blackholed addresses, happy eyeballs, a silent
 * proxy, cancellation — while the loop keeps serving a timer. */
#include "testutil.h"
#include "core/loop.h"
#include "tls/dial.h"
#include "tls/tls.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A listener on a loopback address whose accept queue is full, so that
 * Linux drops every further SYN to it: a blackholed address on loopback.
 * The sockets that fill it go to fill[2]. */
static int blackhole(int family, uint16_t *port, int fill[2])
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons(*port);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons(*port);
		len = sizeof(*a);
	}
	int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(l, 0);
	int one = 1;
	if (family == AF_INET6)
		setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	ck_assert_int_eq(bind(l, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(listen(l, 0), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(((struct sockaddr_in *)&ss)->sin_port); /* same offset in both */
	/* backlog 0 holds one connection; the second waits on the SYN queue
	 * or is dropped; from then on SYNs are dropped. */
	for (int i = 0; i < 2; i++) {
		fill[i] = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(fill[i], 0);
		int rc = connect(fill[i], (struct sockaddr *)&ss, len);
		ck_assert(rc == 0 || errno == EINPROGRESS);
		usleep(50000);
	}
	return l;
}

static int listen_on(int family, uint16_t port)
{
	int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(l, 0);
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons(port);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons(port);
		len = sizeof(*a);
	}
	ck_assert_int_eq(bind(l, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(listen(l, 8), 0);
	return l;
}

/* Binds a hosts file with this content over /etc/hosts for this process
 * only (a new mount namespace; check forks each test). */
static bool private_hosts(const char *content)
{
	if (geteuid() != 0) {
		printf("SKIP: not root, /etc/hosts cannot be replaced privately\n");
		return false;
	}
	char path[] = "/tmp/sstpc-hosts-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount(path, "/etc/hosts", NULL, MS_BIND, NULL), 0);
	unlink(path); /* the mount keeps it while this process lives */
	return true;
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

struct outcome {
	bool done;
	int fd;
	int family;
	char err[400];
	uint64_t at;
	struct loop *l;
};

static void on_done(void *arg, int fd, const struct sockaddr_storage *peer, const char *err)
{
	struct outcome *o = arg;
	o->done = true;
	o->fd = fd;
	o->at = loop_now(o->l);
	if (fd >= 0)
		o->family = peer->ss_family;
	else
		snprintf(o->err, sizeof(o->err), "%s", err);
}

struct ticker {
	struct loop_timer t;
	struct loop *l;
	unsigned ticks;
};

static void on_tick(void *arg, uint64_t now)
{
	struct ticker *k = arg;
	k->ticks++;
	loop_timer_set(k->l, &k->t, now + 100);
}

/* Runs the loop until the dial reports or limit_ms passed. */
static void run_until_done(struct loop *l, struct outcome *o, unsigned limit_ms)
{
	uint64_t end = loop_now(l) + limit_ms;
	while (!o->done && loop_now(l) < end)
		ck_assert_int_ge(loop_run_once(l, 50), 0);
}

START_TEST(blackholed_address_times_out_at_the_deadline)
{
	uint16_t port = 0;
	int fill[2];
	int bl = blackhole(AF_INET, &port, fill);
	struct loop *l = loop_new();
	struct ticker k = {.l = l};
	loop_timer_init(&k.t, on_tick, &k);
	loop_timer_set(l, &k.t, loop_now(l) + 100);
	struct outcome o = {.l = l, .fd = -1};
	struct dial_params p = {.host = "127.0.0.1", .port = port, .timeout_ms = 1500};
	uint64_t t0 = loop_now(l);
	struct dial *d = dial_start(l, &p, on_done, &o);
	ck_assert_ptr_nonnull(d);
	ck_assert(!o.done); /* never reports from inside dial_start */
	run_until_done(l, &o, 5000);
	ck_assert(o.done);
	ck_assert_int_eq(o.fd, -1);
	char want[128];
	snprintf(want, sizeof(want), "connect to 127.0.0.1:%u: timed out after 2 s", port);
	ck_assert_str_eq(o.err, want);
	ck_assert_uint_ge(o.at - t0, 1500);
	ck_assert_uint_lt(o.at - t0, 2500);
	/* the loop served the 100 ms timer all along */
	ck_assert_uint_ge(k.ticks, 10);
	dial_free(d);
	loop_timer_cancel(l, &k.t);
	loop_free(l);
	close(fill[0]);
	close(fill[1]);
	close(bl);
}
END_TEST

START_TEST(dead_first_family_costs_one_stagger_step)
{
	/* "dual.test" is ::1 and 127.0.0.1 (a hosts file of our own, bound
	 * over /etc/hosts in a private mount namespace of this forked test):
	 * whichever comes first is blackholed, the other listens. */
	if (!private_hosts("::1 dual.test\n127.0.0.1 dual.test\n"))
		return;
	struct addrinfo *res = NULL;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	ck_assert_int_eq(getaddrinfo("dual.test", "1", &hints, &res), 0);
	int first = res->ai_family, other = first == AF_INET ? AF_INET6 : AF_INET;
	bool both = false;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		both |= ai->ai_family == other;
	freeaddrinfo(res);
	ck_assert(both);
	uint16_t port = 0;
	int fill[2];
	int bl = blackhole(first, &port, fill);
	int good = listen_on(other, port);
	struct loop *l = loop_new();
	struct outcome o = {.l = l, .fd = -1};
	struct dial_params p = {.host = "dual.test", .port = port, .timeout_ms = 5000};
	uint64_t t0 = loop_now(l);
	struct dial *d = dial_start(l, &p, on_done, &o);
	run_until_done(l, &o, 6000);
	ck_assert_msg(o.fd >= 0, "%s", o.err);
	ck_assert_int_eq(o.family, other);
	ck_assert_uint_ge(o.at - t0, 200);  /* waited for the first one a little */
	ck_assert_uint_lt(o.at - t0, 1500); /* but not its whole timeout */
	close(o.fd);
	dial_free(d);
	loop_free(l);
	close(good);
	close(fill[0]);
	close(fill[1]);
	close(bl);
}
END_TEST

START_TEST(silent_proxy_times_out_in_the_exchange)
{
	uint16_t port = 0;
	int fill[2] = {-1, -1};
	int lp = listen_on(AF_INET, 0);
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);
	ck_assert_int_eq(getsockname(lp, (struct sockaddr *)&a, &sl), 0);
	port = ntohs(a.sin_port);
	(void)fill;
	struct loop *l = loop_new();
	struct outcome o = {.l = l, .fd = -1};
	struct dial_params p = {.host = "server.test",
				.port = 443,
				.proxy_host = "127.0.0.1",
				.proxy_port = port,
				.timeout_ms = 1000};
	uint64_t t0 = loop_now(l);
	struct dial *d = dial_start(l, &p, on_done, &o);
	run_until_done(l, &o, 4000);
	ck_assert_int_eq(o.fd, -1);
	ck_assert_str_eq(o.err, "proxy: no reply within 1 s");
	ck_assert_uint_ge(o.at - t0, 1000);
	ck_assert_uint_lt(o.at - t0, 2000);
	dial_free(d);
	loop_free(l);
	close(lp);
}
END_TEST

START_TEST(free_cancels_without_callback_or_leak)
{
	uint16_t port = 0;
	int fill[2];
	int bl = blackhole(AF_INET, &port, fill);
	struct loop *l = loop_new();
	int before = count_fds();
	/* one while connecting, one while resolving a name */
	struct outcome o1 = {.l = l, .fd = -1}, o2 = {.l = l, .fd = -1};
	struct dial_params p1 = {.host = "127.0.0.1", .port = port, .timeout_ms = 5000};
	struct dial_params p2 = {.host = "localhost", .port = port, .timeout_ms = 5000};
	struct dial *d1 = dial_start(l, &p1, on_done, &o1);
	struct dial *d2 = dial_start(l, &p2, on_done, &o2);
	ck_assert_int_ge(loop_run_once(l, 0), 0); /* both begin */
	dial_free(d2);
	for (int i = 0; i < 4; i++)
		ck_assert_int_ge(loop_run_once(l, 50), 0);
	dial_free(d1);
	for (int i = 0; i < 4; i++)
		ck_assert_int_ge(loop_run_once(l, 50), 0);
	ck_assert(!o1.done && !o2.done);
	/* the abandoned resolver thread lets go of its eventfd when it ends */
	for (int i = 0; i < 50 && count_fds() != before; i++)
		usleep(20000);
	ck_assert_int_eq(count_fds(), before);
	loop_free(l);
	close(fill[0]);
	close(fill[1]);
	close(bl);
}
END_TEST

START_TEST(name_that_does_not_resolve)
{
	char err[400];
	struct dial_params p = {.host = "no-such-host.invalid", .port = 443, .timeout_ms = 5000};
	ck_assert_int_eq(dial_blocking(&p, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "resolving no-such-host.invalid: ", 32) == 0, "%s", err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tls_dial");
	TCase *tc = tcase_create("dial");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, blackholed_address_times_out_at_the_deadline);
	tcase_add_test(tc, dead_first_family_costs_one_stagger_step);
	tcase_add_test(tc, silent_proxy_times_out_in_the_exchange);
	tcase_add_test(tc, free_cancels_without_callback_or_leak);
	tcase_add_test(tc, name_that_does_not_resolve);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
