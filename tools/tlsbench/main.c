/* tlsbench -- a raw TLS stream over src/tls, the ceiling for any TLS
 * tunnel: the same wolfSSL, the same receive buffer and the same record
 * size as sstpc's data path, with nothing on top. tools/bench/run.sh
 * compares the tunnel against it. See docs/benchmarks.md.
 *
 *   tlsbench server ADDR PORT CERT KEY [CONNECTIONS [CIPHERS]]
 *   tlsbench client ADDR PORT CA up|down|bidir SECONDS [CHUNK]
 *   tlsbench tunnel-server ADDR PORT CERT KEY TUN [CIPHERS]
 *   tlsbench tunnel-client ADDR PORT CA TUN
 *
 * The client asks for a direction and a duration in a 16-byte request:
 * "up" streams client -> server, "down" server -> client. The sender writes
 * CHUNK bytes per tls_write (default 16 KiB, one TLS record, as sstpc's
 * OUT_FLUSH_AT) until the time is up, then sends close_notify; the receiver
 * reads until it sees it and answers with its own. "bidir" does both at
 * once on both sides, in one thread each (bidir.c). Each side prints one
 * key=value line with the bytes moved, the wall time and its own CPU time
 * (utime+stime from /proc/self/stat, the figure run.sh reads for sstpc).
 * The tunnel modes carry a TUN's packets instead (tunnel.c). */
#include "tlsbench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TLSBENCH_MAGIC "TLSB"
#define TLSBENCH_REQ_LEN 16
#define TLSBENCH_CHUNK_MAX (64 * 1024)
/* The receiver reads into a buffer as large as sstpc's input buffer. */
#define TLSBENCH_RBUF (64 * 1024)

static uint8_t tlsbench_buf[TLSBENCH_RBUF];

double tlsbench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* utime + stime of this process in seconds (fields 14 and 15); *user gets
 * utime alone. */
static double tlsbench_cpu(double *user)
{
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* The command name may hold spaces: count fields after its ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	unsigned long long ut = 0, st = 0;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	double hz = (double)sysconf(_SC_CLK_TCK);
	*user = (double)ut / hz;
	return (double)(ut + st) / hz;
}

_Noreturn void tlsbench_die(const char *what, struct tls *t)
{
	fprintf(stderr, "tlsbench: %s%s%s\n", what, t ? ": " : "", t ? tls_error(t) : "");
	exit(1);
}

/* Waits until fd is ready for what TLS asked for; false on timeout. */
static bool tlsbench_wait(int fd, ssize_t want)
{
	struct pollfd p = {.fd = fd, .events = want == TLS_WANT_WRITE ? POLLOUT : POLLIN};
	int r;
	do
		r = poll(&p, 1, TLSBENCH_IO_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

void tlsbench_handshake(struct tls *t)
{
	for (;;) {
		int rc = tls_handshake(t);
		if (rc == 0)
			return;
		if ((rc != TLS_WANT_READ && rc != TLS_WANT_WRITE) || !tlsbench_wait(tls_fd(t), rc))
			tlsbench_die("handshake", t);
	}
}

/* The whole buffer, retrying with the same buffer after TLS_WANT_*. */
static void tlsbench_write_all(struct tls *t, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = tls_write(t, buf + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if ((n != TLS_WANT_READ && n != TLS_WANT_WRITE) || !tlsbench_wait(tls_fd(t), n))
			tlsbench_die("write", t);
	}
}

/* > 0 bytes or 0 at the peer's close_notify / FIN. */
static size_t tlsbench_read(struct tls *t, uint8_t *buf, size_t len)
{
	for (;;) {
		ssize_t n = tls_read(t, buf, len);
		if (n >= 0)
			return (size_t)n;
		if ((n != TLS_WANT_READ && n != TLS_WANT_WRITE) || !tlsbench_wait(tls_fd(t), n))
			tlsbench_die("read", t);
	}
}

void tlsbench_close(struct tls *t)
{
	tls_shutdown(t);
	int fd = tls_fd(t);
	tls_free(t);
	close(fd);
}

static uint64_t tlsbench_send_for(struct tls *t, double seconds, size_t chunk)
{
	uint64_t bytes = 0;
	double end = tlsbench_now() + seconds;
	/* The clock is read once per 16 chunks (256 KiB at the default). */
	for (unsigned i = 0;; i++) {
		if ((i & 15) == 0 && tlsbench_now() >= end)
			break;
		tlsbench_write_all(t, tlsbench_buf, chunk);
		bytes += chunk;
	}
	return bytes;
}

static uint64_t tlsbench_drain(struct tls *t)
{
	uint64_t bytes = 0;
	size_t n;
	while ((n = tlsbench_read(t, tlsbench_buf, sizeof(tlsbench_buf))) > 0)
		bytes += n;
	return bytes;
}

static const char *tlsbench_dir_name(char dir)
{
	return dir == 'u' ? "up" : dir == 'd' ? "down" : "bidir";
}

/* bytes is everything moved (both ways for bidir, each way in *count). */
static void tlsbench_report(const char *role, char dir, uint64_t bytes, double secs, double cpu,
			    double user, struct tls *t, const struct tlsbench_bidir_count *count)
{
	double gb = (double)bytes / 1e9;
	if (gb <= 0)
		gb = 1e-9;
	printf("role=%s dir=%s bytes=%llu seconds=%.3f mbyte_s=%.1f cpu_s=%.2f cpu_s_per_gb=%.2f "
	       "user_s_per_gb=%.2f sys_s_per_gb=%.2f version=%s cipher=%s",
	       role, tlsbench_dir_name(dir), (unsigned long long)bytes, secs,
	       secs > 0 ? (double)bytes / secs / 1e6 : 0.0, cpu, cpu / gb, user / gb,
	       (cpu - user) / gb, tls_version(t), tls_cipher(t));
	if (count)
		printf(" sent=%llu received=%llu", (unsigned long long)count->sent,
		       (unsigned long long)count->received);
	printf("\n");
	fflush(stdout);
}

/* Both ways at once for secs; the bytes of both directions. */
static uint64_t tlsbench_both(struct tls *t, double secs, size_t chunk,
			      struct tlsbench_bidir_count *count)
{
	tlsbench_bidir(t, secs, chunk, count);
	return count->sent + count->received;
}

/* The server's context (CIPHERS or the baseline's suite) and a listening
 * socket on ADDR:PORT; exits on failure. */
static int tlsbench_listen(const char *addr, const char *port, const char *cert, const char *key,
			   const char *ciphers, struct tls_server_ctx **ctx_out)
{
	char err[256];
	struct tls_server_ctx *ctx = tls_server_ctx_new(cert, key, err, sizeof(err));
	if (!ctx) {
		fprintf(stderr, "tlsbench: %s\n", err);
		exit(1);
	}
	/* What SoftEther (OpenSSL's default order) picks with sstpc; wolfSSL
	 * alone would settle on AES-128-GCM, the client's first choice. */
	if (!ciphers)
		ciphers = "TLS13-AES256-GCM-SHA384";
	if (!tls_server_ctx_set_ciphers(ctx, ciphers)) {
		fprintf(stderr, "tlsbench: no usable cipher in '%s'\n", ciphers);
		exit(1);
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "tlsbench: bad IPv4 address %s\n", addr);
		exit(2);
	}
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 4) < 0) {
		perror("tlsbench: listen");
		exit(1);
	}
	printf("listening\n");
	fflush(stdout);
	*ctx_out = ctx;
	return ls;
}

/* A new stream (or the reason it could not be made, fatal) with its
 * handshake done. */
static struct tls *tlsbench_ready(struct tls *t, const char *err)
{
	if (!t) {
		fprintf(stderr, "tlsbench: %s\n", err);
		exit(1);
	}
	tlsbench_handshake(t);
	return t;
}

/* The next connection with TCP_NODELAY, its handshake done. */
static struct tls *tlsbench_accept(struct tls_server_ctx *ctx, int ls)
{
	char err[256];
	int one = 1;
	int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		perror("tlsbench: accept");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return tlsbench_ready(tls_server_new(ctx, fd, err, sizeof(err)), err);
}

static int tlsbench_server(int argc, char **argv)
{
	if (argc < 6)
		return 2;
	int conns = argc > 6 ? atoi(argv[6]) : 2;
	struct tls_server_ctx *ctx;
	int ls =
	    tlsbench_listen(argv[2], argv[3], argv[4], argv[5], argc > 7 ? argv[7] : NULL, &ctx);
	for (int c = 0; c < conns; c++) {
		struct tls *t = tlsbench_accept(ctx, ls);
		uint8_t req[TLSBENCH_REQ_LEN];
		size_t got = 0;
		while (got < sizeof(req)) {
			size_t n = tlsbench_read(t, req + got, sizeof(req) - got);
			if (n == 0)
				tlsbench_die("request cut short", NULL);
			got += n;
		}
		if (memcmp(req, TLSBENCH_MAGIC, 4) != 0)
			tlsbench_die("bad request", NULL);
		char dir = (char)req[4];
		uint32_t secs = (uint32_t)req[8] << 24 | (uint32_t)req[9] << 16 |
				(uint32_t)req[10] << 8 | req[11];
		uint32_t chunk = (uint32_t)req[12] << 24 | (uint32_t)req[13] << 16 |
				 (uint32_t)req[14] << 8 | req[15];
		if (chunk == 0 || chunk > TLSBENCH_CHUNK_MAX || secs == 0 || secs > 3600)
			tlsbench_die("request out of range", NULL);
		struct tlsbench_bidir_count count = {0};
		double u0, u1, c0 = tlsbench_cpu(&u0), t0 = tlsbench_now();
		uint64_t bytes = dir == 'u'   ? tlsbench_drain(t)
				 : dir == 'b' ? tlsbench_both(t, secs, chunk, &count)
					      : tlsbench_send_for(t, secs, chunk);
		double t1 = tlsbench_now(), c1 = tlsbench_cpu(&u1);
		tlsbench_report("server", dir, bytes, t1 - t0, c1 - c0, u1 - u0, t,
				dir == 'b' ? &count : NULL);
		if (dir == 'd') {
			/* Our close_notify ends the client's count; then wait
			 * for its own so nothing is cut off by a reset. */
			tls_shutdown(t);
			tlsbench_drain(t);
		}
		tlsbench_close(t);
	}
	close(ls);
	tls_server_ctx_free(ctx);
	return 0;
}

/* A TLS stream to ADDR:PORT checked against CA, its handshake done. */
static struct tls *tlsbench_connect(const char *addr, const char *port, const char *ca)
{
	char err[256];
	struct sockaddr_storage peer;
	int fd = tcp_connect(addr, (uint16_t)atoi(port), 5000, &peer, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "tlsbench: %s\n", err);
		exit(1);
	}
	struct tls_client_config cfg = {.server_name = addr, .ca_file = ca};
	return tlsbench_ready(tls_client_new(&cfg, fd, err, sizeof(err)), err);
}

static int tlsbench_client(int argc, char **argv)
{
	if (argc < 7)
		return 2;
	char dir = strcmp(argv[5], "up") == 0	   ? 'u'
		   : strcmp(argv[5], "down") == 0  ? 'd'
		   : strcmp(argv[5], "bidir") == 0 ? 'b'
						   : 0;
	int secs = atoi(argv[6]);
	int chunk = argc > 7 ? atoi(argv[7]) : 16384;
	if (!dir || secs <= 0 || chunk <= 0 || chunk > TLSBENCH_CHUNK_MAX)
		return 2;
	struct tls *t = tlsbench_connect(argv[2], argv[3], argv[4]);
	uint8_t req[TLSBENCH_REQ_LEN] = {'T', 'L', 'S', 'B', (uint8_t)dir};
	req[8] = (uint8_t)(secs >> 24), req[9] = (uint8_t)(secs >> 16);
	req[10] = (uint8_t)(secs >> 8), req[11] = (uint8_t)secs;
	req[12] = (uint8_t)(chunk >> 24), req[13] = (uint8_t)(chunk >> 16);
	req[14] = (uint8_t)(chunk >> 8), req[15] = (uint8_t)chunk;
	for (size_t i = 0; i < sizeof(tlsbench_buf); i++)
		tlsbench_buf[i] = (uint8_t)(i * 131 + 7);
	tlsbench_write_all(t, req, sizeof(req));

	double u0, u1, c0 = tlsbench_cpu(&u0), t0 = tlsbench_now();
	uint64_t bytes;
	struct tlsbench_bidir_count count = {0};
	if (dir == 'b') {
		bytes = tlsbench_both(t, secs, (size_t)chunk, &count);
	} else if (dir == 'u') {
		bytes = tlsbench_send_for(t, secs, (size_t)chunk);
		tls_shutdown(t);
		/* Done when the server has read everything: its close_notify
		 * comes only after ours. */
		tlsbench_drain(t);
	} else {
		bytes = tlsbench_drain(t);
	}
	double t1 = tlsbench_now(), c1 = tlsbench_cpu(&u1);
	tlsbench_report("client", dir, bytes, t1 - t0, c1 - c0, u1 - u0, t,
			dir == 'b' ? &count : NULL);
	tlsbench_close(t);
	return 0;
}

/* tunnel-server ADDR PORT CERT KEY TUN [CIPHERS] / tunnel-client ADDR
 * PORT CA TUN: the TUN is there before the stream (the bench gives it its
 * address meanwhile); the relay runs until the stream ends. */
static int tlsbench_tunnel_mode(int argc, char **argv, bool server)
{
	struct tls_server_ctx *ctx = NULL;
	struct tls *t;
	int tun;
	if (server) {
		tun = tlsbench_tun_open(argv[6]);
		int ls = tlsbench_listen(argv[2], argv[3], argv[4], argv[5],
					 argc > 7 ? argv[7] : NULL, &ctx);
		t = tlsbench_accept(ctx, ls);
		close(ls);
	} else {
		tun = tlsbench_tun_open(argv[5]);
		t = tlsbench_connect(argv[2], argv[3], argv[4]);
	}
	tlsbench_tunnel(t, tun);
	tlsbench_close(t);
	close(tun);
	if (ctx)
		tls_server_ctx_free(ctx);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;
	if (argc > 1 && strcmp(argv[1], "server") == 0)
		rc = tlsbench_server(argc, argv);
	else if (argc > 1 && strcmp(argv[1], "client") == 0)
		rc = tlsbench_client(argc, argv);
	else if (argc > 6 && strcmp(argv[1], "tunnel-server") == 0)
		rc = tlsbench_tunnel_mode(argc, argv, true);
	else if (argc > 5 && strcmp(argv[1], "tunnel-client") == 0)
		rc = tlsbench_tunnel_mode(argc, argv, false);
	if (rc == 2)
		fprintf(stderr,
			"usage: tlsbench server ADDR PORT CERT KEY [CONNECTIONS [CIPHERS]]\n"
			"       tlsbench client ADDR PORT CA up|down|bidir SECONDS [CHUNK]\n"
			"       tlsbench tunnel-server ADDR PORT CERT KEY TUN [CIPHERS]\n"
			"       tlsbench tunnel-client ADDR PORT CA TUN\n");
	return rc;
}
