/* The link in both roles at once: a client link and a server link over a
 * socketpair on one loop, real TLS (certificates made at test time by
 * tests/certs/gen-certs.sh), SSTP and PPP (PAP) up to IPCP; then IP
 * packets both ways through link_data_buf/commit and the owner's data
 * callback, byte for byte; a frame whose version nibble does not match
 * the negotiated protocol dropped; numbered packets of varied sizes
 * staged in bursts through a small socket buffer, so that writes of whole
 * records leave tails and block, received complete and in order; and the
 * server's close seen by the client as a close with TLS close_notify. */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "link/link.h"
#include "tls/tls.h"

static void certs_setup(void)
{
	tu_certs_make("link");
	ck_assert(tls_global_init());
}

static void certs_teardown(void)
{
	tu_certs_remove();
}

/* One end's owner: what the link told it. */
struct end {
	bool server;
	struct link *link;
	bool ipcp_up;
	bool freed;
	char failed[256];
	uint8_t got[2048];
	size_t got_len;
	unsigned packets, batches;
	bool numbered;	   /* check packets made by make_numbered */
	uint32_t next_num; /* the number the next one must carry */
	char wrong[128];   /* the first that did not */
};

/* Packet number `num`: its size and every byte follow from the number. */
static size_t make_numbered(uint8_t *p, uint32_t num)
{
	size_t len = 600 + (num * 389) % 800;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(num * 7 + i * 13);
	p[0] = 0x45;
	memcpy(p + 4, &num, sizeof(num));
	return len;
}

static void check_numbered(struct end *e, const uint8_t *pkt, size_t len)
{
	uint8_t want[2048];
	size_t n = make_numbered(want, e->next_num);
	if (!e->wrong[0] && (len != n || memcmp(pkt, want, n) != 0))
		snprintf(e->wrong, sizeof(e->wrong),
			 "packet %u (%zu bytes) is not the one expected (%zu bytes)", e->next_num,
			 len, n);
	e->next_num++;
}

static void data_cb(void *ctx, uint8_t *pkt, size_t len)
{
	struct end *e = ctx;
	if (e->numbered)
		check_numbered(e, pkt, len);
	ck_assert_uint_le(len, sizeof(e->got));
	memcpy(e->got, pkt, len);
	e->got_len = len;
	e->packets++;
}

static void batch_cb(void *ctx)
{
	((struct end *)ctx)->batches++;
}

static void established_cb(void *ctx)
{
	struct end *e = ctx;
	struct sstp_config sc = {.role = e->server ? SSTP_SERVER : SSTP_CLIENT,
				 .host = "server.test",
				 .negotiation_ms = 60000,
				 .hello_ms = 60000,
				 .disconnect_ms = 2000,
				 .hash_set = SSTP_CERT_HASH_SHA256};
	ck_assert(tls_cert_hashes(link_tls(e->link), sc.cert_sha1, sc.cert_sha256));
	struct ppp_config pc = {.role = e->server ? PPP_SERVER : PPP_CLIENT,
				.mru = 1400,
				.username = "alice",
				.password = "s3cret",
				.auth = {PPP_AUTH_PAP},
				.ipv4 = true,
				.local_ip4 = htonl(0x0a4d0001),
				.peer_ip4 = htonl(0x0a4d0002)};
	ck_assert(link_start(e->link, &sc, &pc));
}

static void sstp_event_cb(void *ctx, enum sstp_event ev, const void *arg)
{
	(void)ctx, (void)ev, (void)arg;
}

static void ppp_event_cb(void *ctx, enum ppp_event ev, const void *arg)
{
	struct end *e = ctx;
	static const uint8_t zero[32];
	if (ev == PPP_EV_AUTH_OK && e->server)
		sstp_set_hlak(link_sstp(e->link), zero);
	else if (ev == PPP_EV_AUTH_OK)
		sstp_auth_done(link_sstp(e->link), zero, 0);
	else if (ev == PPP_EV_IPCP_UP)
		e->ipcp_up = true;
	(void)arg;
}

static bool secret_cb(void *ctx, const char *user, char *pw, size_t pwlen)
{
	(void)ctx;
	return strcmp(user, "alice") == 0 && snprintf(pw, pwlen, "s3cret") > 0;
}

static void failed_cb(void *ctx, const char *why)
{
	struct end *e = ctx;
	if (!e->failed[0])
		snprintf(e->failed, sizeof(e->failed), "%s", why);
}

/* The owner's rule: free the link once link_after says it is closed. */
static void wake(struct end *e)
{
	if (e->link && link_after(e->link)) {
		link_free(e->link);
		e->link = NULL;
		e->freed = true;
	}
}

static void wake_cb(void *ctx)
{
	wake(ctx);
}

static const struct link_ops ops = {
    .data = data_cb,
    .rx_batch_end = batch_cb,
    .established = established_cb,
    .sstp_event = sstp_event_cb,
    .ppp_event = ppp_event_cb,
    .ppp_secret = secret_cb,
    .failed = failed_cb,
    .wake = wake_cb,
};

static struct loop *L;
static struct end C, S;
static struct tls_server_ctx *SCTX;
static int SV[2]; /* the socketpair: client end, server end */

static void run_until(bool *flag)
{
	for (int i = 0; i < 500 && !*flag; i++)
		loop_run_once(L, 20);
	ck_assert(*flag);
}

static void up(void)
{
	char err[256];
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	SV[0] = sv[0];
	SV[1] = sv[1];
	L = loop_new();
	ck_assert_ptr_nonnull(L);
	SCTX = tls_server_ctx_new(tu_cert_path("good.pem"), tu_cert_path("good.key"), err,
				  sizeof(err));
	ck_assert_msg(SCTX != NULL, "%s", err);
	memset(&C, 0, sizeof(C));
	memset(&S, 0, sizeof(S));
	S.server = true;
	struct tls *st = tls_server_new(SCTX, sv[1], err, sizeof(err));
	ck_assert_ptr_nonnull(st);
	struct tls_client_config tc = {.server_name = "server.test",
				       .ca_file = tu_cert_path("ca.pem")};
	struct tls *ct = tls_client_new(&tc, sv[0], err, sizeof(err));
	ck_assert_msg(ct != NULL, "%s", err);
	struct link_config scfg = {.peer_word = "client"}, ccfg = {.peer_word = "server"};
	S.link = link_new(L, sv[1], st, &scfg, &ops, &S);
	C.link = link_new(L, sv[0], ct, &ccfg, &ops, &C);
	ck_assert(S.link && C.link);
	run_until(&C.ipcp_up);
	run_until(&S.ipcp_up);
	ck_assert_str_eq(C.failed, "");
	ck_assert_str_eq(S.failed, "");
}

static void down(void)
{
	link_free(C.link);
	link_free(S.link);
	tls_server_ctx_free(SCTX);
	loop_free(L);
}

/* A 28-byte IPv4 header + 8 bytes: version nibble v. */
static size_t make_packet(uint8_t *p, unsigned v, uint8_t fill)
{
	memset(p, fill, 36);
	p[0] = (uint8_t)(v << 4 | 5);
	return 36;
}

static void send_ip(struct end *from, uint16_t proto, const uint8_t *pkt, size_t len)
{
	uint8_t *b = link_data_buf(from->link, len);
	ck_assert_ptr_nonnull(b);
	memcpy(b, pkt, len);
	link_data_commit(from->link, proto, len);
	wake(from);
}

START_TEST(both_roles_carry_ip_both_ways)
{
	up();
	ck_assert_uint_eq(link_ip_proto(C.link, 4), PPP_PROTO_IP);
	ck_assert_uint_eq(link_ip_proto(C.link, 6), 0); /* IPV6CP not run */
	uint8_t pkt[64];
	size_t n = make_packet(pkt, 4, 0xc1);
	send_ip(&C, PPP_PROTO_IP, pkt, n);
	bool got = false;
	for (int i = 0; i < 500 && !got; i++) {
		loop_run_once(L, 20);
		got = S.packets == 1;
	}
	ck_assert(got);
	ck_assert_uint_eq(S.got_len, n);
	ck_assert_mem_eq(S.got, pkt, n);
	ck_assert_uint_ge(S.batches, 1);

	n = make_packet(pkt, 4, 0x5e);
	send_ip(&S, PPP_PROTO_IP, pkt, n);
	got = false;
	for (int i = 0; i < 500 && !got; i++) {
		loop_run_once(L, 20);
		got = C.packets == 1;
	}
	ck_assert(got);
	ck_assert_mem_eq(C.got, pkt, n);

	/* an IPv6 nibble in a PPP IPv4 frame: dropped and counted, not delivered */
	n = make_packet(pkt, 6, 0x66);
	send_ip(&S, PPP_PROTO_IP, pkt, n);
	got = false;
	for (int i = 0; i < 500 && !got; i++) {
		loop_run_once(L, 20);
		got = link_drops(C.link) == 1;
	}
	ck_assert(got);
	ck_assert_uint_eq(C.packets, 1);
	down();
}
END_TEST

/* Output staged faster than the socket takes it: link_data_commit writes
 * whole 16 KiB records and keeps the tail of a packet cut by a record
 * boundary, a write blocks in the small socket buffer, and the packets
 * staged after it must follow the tail on the wire, every byte in order. */
START_TEST(partial_writes_keep_the_order)
{
	up();
	int small = 4096;
	ck_assert_int_eq(setsockopt(SV[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	S.numbered = true;
	uint32_t sent = 0;
	unsigned refused = 0;
	for (int burst = 0; burst < 6; burst++) {
		/* one burst: stage until the link refuses (blocked and full) */
		for (int k = 0; k < 200; k++) {
			uint8_t pkt[2048];
			size_t n = make_numbered(pkt, sent);
			uint8_t *b = link_data_buf(C.link, n);
			if (!b) {
				refused++;
				break;
			}
			memcpy(b, pkt, n);
			link_data_commit(C.link, PPP_PROTO_IP, n);
			sent++;
		}
		wake(&C);
		for (int i = 0; i < 1000 && S.next_num < sent; i++)
			loop_run_once(L, 20);
		ck_assert_msg(S.wrong[0] == 0, "%s", S.wrong);
		ck_assert_uint_eq(S.next_num, sent);
	}
	ck_assert_uint_gt(refused, 0); /* the blocked path was taken */
	ck_assert_str_eq(C.failed, "");
	down();
}
END_TEST

START_TEST(server_close_reaches_the_client_with_close_notify)
{
	up();
	link_fail(S.link, "test over");
	wake(&S);
	ck_assert(S.freed);
	ck_assert_str_eq(S.failed, "test over");
	run_until(&C.freed);
	ck_assert_str_eq(C.failed, "the server closed the connection (TLS close_notify received)");
	down();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("link");
	TCase *tc = tcase_create("link");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, certs_setup, certs_teardown);
	tcase_add_test(tc, both_roles_carry_ip_both_ways);
	tcase_add_test(tc, partial_writes_keep_the_order);
	tcase_add_test(tc, server_close_reaches_the_client_with_close_notify);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
