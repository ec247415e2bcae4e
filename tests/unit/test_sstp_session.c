/* Client and server state machines wired back to back with a fake clock. */
#include "sstp/sstp_wire.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

struct end {
	struct sstp *s;
	uint8_t out[16384]; /* bytes this end sent, not yet delivered */
	size_t out_len;
	int events[16];
	int nev;
	char reason[256];
	char notes[2048]; /* every EV_CLOSING text, one per line */
	int frames;
	uint8_t last_frame[64];
	size_t last_len;
	uint8_t rnd;
};

static void t_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct end *e = ctx;
	ck_assert_uint_le(e->out_len + len, sizeof(e->out));
	memcpy(e->out + e->out_len, buf, len);
	e->out_len += len;
}

static void t_frame(void *ctx, const uint8_t *f, size_t len)
{
	struct end *e = ctx;
	e->frames++;
	e->last_len = len < sizeof(e->last_frame) ? len : sizeof(e->last_frame);
	memcpy(e->last_frame, f, e->last_len);
}

static void t_event(void *ctx, enum sstp_event ev, const void *arg)
{
	struct end *e = ctx;
	if (e->nev < 16)
		e->events[e->nev++] = (int)ev;
	if (ev == SSTP_EV_CLOSED)
		snprintf(e->reason, sizeof(e->reason), "%s", (const char *)arg);
	if (ev == SSTP_EV_CLOSING) {
		size_t l = strlen(e->notes);
		snprintf(e->notes + l, sizeof(e->notes) - l, "%s\n", (const char *)arg);
	}
}

static void t_random(void *ctx, void *buf, size_t len)
{
	struct end *e = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(e->rnd++ * 37 + 11);
}

static const struct sstp_ops ops = {t_send, t_frame, t_event};

static bool has_event(const struct end *e, int ev)
{
	for (int i = 0; i < e->nev; i++)
		if (e->events[i] == ev)
			return true;
	return false;
}

static struct end C, S;

/* CALL_ABORT with Status Info INVALID_FRAME_RECEIVED (7) */
#define CALL_ABORT_INVALID_FRAME "10 01 00 14 00 05 00 01 00 02 00 0c 00 00 00 00 00 00 00 07"
static uint64_t now;

static void setup_pair(uint8_t client_hashes, uint8_t server_hashes, uint32_t faults)
{
	memset(&C, 0, sizeof(C));
	memset(&S, 0, sizeof(S));
	now = 1000;
	struct sstp_config cc = {.role = SSTP_CLIENT,
				 .host = "vpn.test",
				 .negotiation_ms = 60000,
				 .hello_ms = 10000,
				 .disconnect_ms = 5000,
				 .hash_set = client_hashes,
				 .random = t_random};
	for (int i = 0; i < 32; i++)
		cc.cert_sha256[i] = (uint8_t)(0xa0 + i);
	for (int i = 0; i < 20; i++)
		cc.cert_sha1[i] = (uint8_t)(0x50 + i);
	struct sstp_config sc = cc;
	sc.role = SSTP_SERVER;
	sc.hash_set = server_hashes;
	sc.faults = faults;
	C.s = sstp_new(&cc, &ops, &C);
	S.s = sstp_new(&sc, &ops, &S);
	ck_assert_ptr_nonnull(C.s);
	ck_assert_ptr_nonnull(S.s);
}

static void teardown_pair(void)
{
	sstp_free(C.s);
	sstp_free(S.s);
}

/* Delivers everything pending in both directions, in chunks of `chunk`
 * bytes to exercise partial packets, until quiet. */
static void pump_chunked(size_t chunk)
{
	static uint8_t inbuf[2][16384];
	static size_t inlen[2];
	inlen[0] = inlen[1] = 0;
	for (int round = 0; round < 1000; round++) {
		bool moved = false;
		struct end *src[2] = {&C, &S};
		struct end *dst[2] = {&S, &C};
		for (int d = 0; d < 2; d++) {
			if (!src[d]->out_len)
				continue;
			size_t n = src[d]->out_len < chunk ? src[d]->out_len : chunk;
			memcpy(inbuf[d] + inlen[d], src[d]->out, n);
			inlen[d] += n;
			memmove(src[d]->out, src[d]->out + n, src[d]->out_len - n);
			src[d]->out_len -= n;
			size_t used = sstp_input(dst[d]->s, inbuf[d], inlen[d], now);
			ck_assert_uint_le(used, inlen[d]);
			memmove(inbuf[d], inbuf[d] + used, inlen[d] - used);
			inlen[d] -= used;
			moved = true;
		}
		if (!moved)
			return;
	}
	ck_abort_msg("pump did not settle");
}

static void pump(void)
{
	pump_chunked(100000);
}

/* Lets every ending timer of both ends run out (each exchange needs at
 * most two), delivering what they send. */
static void settle(void)
{
	for (int i = 0; i < 3; i++) {
		now += 5000;
		sstp_timeout(C.s, now);
		sstp_timeout(S.s, now);
		pump();
	}
}

static void assert_note(const struct end *e, const char *want)
{
	ck_assert_msg(strstr(e->notes, want), "notes lack '%s':\n%s", want, e->notes);
}

static const uint8_t hlak[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static void bring_up(void)
{
	sstp_start(S.s, now);
	sstp_start(C.s, now);
	pump();
	ck_assert(has_event(&C, SSTP_EV_HTTP_OK));
	ck_assert(has_event(&S, SSTP_EV_HTTP_OK));
	ck_assert(has_event(&C, SSTP_EV_PPP_START));
	ck_assert(has_event(&S, SSTP_EV_PPP_START));
}

START_TEST(full_connect_sha256)
{
	setup_pair(0, SSTP_CERT_HASH_SHA1 | SSTP_CERT_HASH_SHA256, 0);
	sstp_start(S.s, now);
	sstp_start(C.s, now);
	pump_chunked(7); /* HTTP and packets split across reads */
	ck_assert(has_event(&C, SSTP_EV_PPP_START));
	ck_assert(has_event(&S, SSTP_EV_PPP_START));
	ck_assert_int_eq(sstp_binding_hash(C.s), SSTP_CERT_HASH_SHA256);

	/* PPP control passes before the binding; IP does not reach the server */
	const uint8_t lcp[] = {0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4};
	const uint8_t ip[] = {0xff, 0x03, 0x00, 0x21, 0x45, 0};
	sstp_send_ppp(C.s, lcp, sizeof(lcp));
	sstp_send_ppp(C.s, ip, sizeof(ip));
	pump();
	ck_assert_int_eq(S.frames, 1);
	ck_assert_mem_eq(S.last_frame, lcp, sizeof(lcp));
	ck_assert_uint_eq(sstp_dropped(S.s), 1);

	sstp_set_hlak(S.s, hlak);
	sstp_auth_done(C.s, hlak, now);
	ck_assert(sstp_is_connected(C.s));
	pump();
	ck_assert(sstp_is_connected(S.s));
	ck_assert(has_event(&S, SSTP_EV_CONNECTED));
	ck_assert(has_event(&C, SSTP_EV_CONNECTED));
	ck_assert_int_eq(sstp_binding_hash(S.s), SSTP_CERT_HASH_SHA256);
	sstp_send_ppp(C.s, ip, sizeof(ip));
	sstp_send_ppp(S.s, lcp, sizeof(lcp));
	pump();
	ck_assert_int_eq(S.frames, 2);
	ck_assert_mem_eq(S.last_frame, ip, sizeof(ip));
	ck_assert_int_eq(C.frames, 1);
	teardown_pair();
}
END_TEST

START_TEST(sha1_only_server)
{
	setup_pair(0, 0, SSTP_FAULT_OFFER_SHA1_ONLY);
	bring_up();
	ck_assert_int_eq(sstp_binding_hash(C.s), SSTP_CERT_HASH_SHA1);
	sstp_set_hlak(S.s, hlak);
	sstp_auth_done(C.s, hlak, now);
	pump();
	ck_assert(sstp_is_connected(S.s));
	teardown_pair();
}
END_TEST

START_TEST(no_common_hash)
{
	setup_pair(SSTP_CERT_HASH_SHA256, SSTP_CERT_HASH_SHA1, 0);
	sstp_start(S.s, now);
	sstp_start(C.s, now);
	pump();
	ck_assert(!has_event(&C, SSTP_EV_PPP_START));
	assert_note(&C, "sent CALL_ABORT (status VALUE_NOT_SUPPORTED (4))");
	assert_note(&C,
		    "received CALL_ABORT from the server (status NO_ERROR (0) for attribute 0): "
		    "abort handshake completed");
	assert_note(&S, "received CALL_ABORT from the client (status VALUE_NOT_SUPPORTED (4) for "
			"attribute 4); sent CALL_ABORT in reply");
	settle();
	ck_assert(has_event(&C, SSTP_EV_CLOSED));
	ck_assert_ptr_nonnull(strstr(C.reason, "hash set 0x01"));
	ck_assert(has_event(&S, SSTP_EV_CLOSED)); /* got our CALL_ABORT */
	ck_assert_ptr_nonnull(strstr(S.reason, "VALUE_NOT_SUPPORTED"));
	teardown_pair();
}
END_TEST

START_TEST(wrong_hlak_rejected)
{
	setup_pair(0, 0, 0);
	bring_up();
	uint8_t other[32] = {9};
	sstp_set_hlak(S.s, other);
	sstp_auth_done(C.s, hlak, now);
	pump();
	settle();
	ck_assert(!sstp_is_connected(S.s));
	ck_assert(has_event(&S, SSTP_EV_CLOSED));
	ck_assert_ptr_nonnull(strstr(S.reason, "compound MAC differs"));
	ck_assert(has_event(&C, SSTP_EV_CLOSED));
	ck_assert_ptr_nonnull(strstr(C.reason, "CALL_ABORT"));
	teardown_pair();
}
END_TEST

START_TEST(wrong_cert_hash_rejected)
{
	/* a client that saw another certificate (an interceptor's) */
	struct sstp_config cc = {.role = SSTP_CLIENT, .host = "vpn.test", .random = t_random};
	memset(cc.cert_sha256, 0x77, 32);
	setup_pair(0, 0, 0);
	sstp_free(C.s);
	C.s = sstp_new(&cc, &ops, &C);
	bring_up();
	sstp_set_hlak(S.s, hlak);
	sstp_auth_done(C.s, hlak, now);
	pump();
	settle();
	ck_assert(!sstp_is_connected(S.s));
	ck_assert_ptr_nonnull(strstr(S.reason, "cert hash 7777"));
	ck_assert_ptr_nonnull(strstr(S.reason, "differs from our certificate's a0a1a2"));
	teardown_pair();
}
END_TEST

START_TEST(connected_before_auth_rejected)
{
	setup_pair(0, 0, 0);
	bring_up();
	sstp_auth_done(C.s, hlak, now); /* server never called set_hlak */
	pump();
	settle();
	ck_assert(!sstp_is_connected(S.s));
	ck_assert_str_eq(S.reason, "CALL_CONNECTED before PPP authentication finished");
	teardown_pair();
}
END_TEST

START_TEST(hello_timer_echo_then_abort)
{
	setup_pair(0, 0, 0);
	bring_up();
	sstp_set_hlak(S.s, hlak);
	sstp_auth_done(C.s, hlak, now);
	pump();
	ck_assert(sstp_is_connected(S.s));
	ck_assert_uint_eq(sstp_deadline(C.s), now + 10000);
	/* echo answered: stays up */
	now += 10000;
	sstp_timeout(C.s, now);
	ck_assert_uint_eq(C.out_len, 8);
	ck_assert_uint_eq(C.out[5], SSTP_MSG_ECHO_REQUEST);
	pump();
	ck_assert(sstp_is_connected(C.s));
	ck_assert_uint_eq(sstp_deadline(C.s), now + 10000);
	/* now the peer goes silent */
	now += 10000;
	sstp_timeout(C.s, now);
	ck_assert_uint_eq(C.out_len, 8);
	C.out_len = 0;
	now += 9999;
	sstp_timeout(C.s, now);
	ck_assert(sstp_is_connected(C.s));
	now += 1;
	sstp_timeout(C.s, now);
	ck_assert(!sstp_is_connected(C.s));
	ck_assert_ptr_nonnull(strstr(C.reason, "peer not responding"));
	ck_assert_uint_eq(C.out[5], SSTP_MSG_CALL_ABORT);
	ck_assert_uint_eq(sstp_deadline(C.s), UINT64_MAX);
	teardown_pair();
}
END_TEST

START_TEST(traffic_defers_echo)
{
	setup_pair(0, 0, 0);
	bring_up();
	sstp_set_hlak(S.s, hlak);
	sstp_auth_done(C.s, hlak, now);
	pump();
	/* a data packet from the server restarts the client's hello timer */
	now += 9000;
	static const uint8_t lcp[] = {0xff, 0x03, 0xc0, 0x21, 11, 1, 0, 4}; /* Discard-Request */
	sstp_send_ppp(S.s, lcp, sizeof(lcp));
	pump();
	ck_assert_int_eq(C.frames, 1);
	now += 9000;
	sstp_timeout(C.s, now);
	ck_assert_uint_eq(C.out_len, 0);
	/* without it the echo goes out once the 10 s are up */
	now += 1000;
	sstp_timeout(C.s, now);
	ck_assert_uint_eq(C.out_len, 8);
	ck_assert_uint_eq(C.out[5], SSTP_MSG_ECHO_REQUEST);
	teardown_pair();
}
END_TEST

START_TEST(negotiation_timeout)
{
	setup_pair(0, 0, 0);
	bring_up();
	ck_assert_uint_eq(sstp_deadline(C.s), 61000);
	now = 61000;
	sstp_timeout(C.s, now);
	ck_assert(has_event(&C, SSTP_EV_CLOSED));
	ck_assert_ptr_nonnull(strstr(C.reason, "negotiation timed out"));
	assert_note(&C, "not waiting for the silent server");
	pump();
	settle();
	ck_assert_ptr_nonnull(strstr(S.reason, "NEGOTIATION_TIMEOUT"));
	teardown_pair();
}
END_TEST

START_TEST(disconnect_handshake)
{
	setup_pair(0, 0, 0);
	bring_up();
	sstp_set_hlak(S.s, hlak);
	sstp_auth_done(C.s, hlak, now);
	pump();
	sstp_disconnect(C.s, now);
	ck_assert(!has_event(&C, SSTP_EV_CLOSED));
	ck_assert_uint_eq(sstp_deadline(C.s), now + 5000);
	pump();
	ck_assert(has_event(&C, SSTP_EV_CLOSED));
	ck_assert_str_eq(C.reason, "disconnect handshake completed (CALL_DISCONNECT acknowledged)");
	assert_note(&C,
		    "received CALL_DISCONNECT_ACK from the server: CALL_DISCONNECT acknowledged, "
		    "disconnect handshake completed");
	/* the server acknowledged and now waits (1 s) for the client to close */
	ck_assert(!has_event(&S, SSTP_EV_CLOSED));
	assert_note(&S,
		    "received CALL_DISCONNECT from the client (status NO_ERROR (0) for attribute "
		    "0); sent CALL_DISCONNECT_ACK, waiting up to 1000 ms for the client to close");
	sstp_lower_closed(S.s, "the client closed the connection", now);
	ck_assert(has_event(&S, SSTP_EV_CLOSED));
	ck_assert_ptr_nonnull(strstr(S.reason, "peer disconnected"));
	assert_note(&S,
		    "the client closed the connection after our CALL_DISCONNECT_ACK: disconnect "
		    "handshake completed");
	teardown_pair();
}
END_TEST

START_TEST(disconnect_without_ack_times_out)
{
	setup_pair(0, 0, SSTP_FAULT_SILENT_AFTER_CONNECTED);
	bring_up();
	sstp_set_hlak(S.s, hlak);
	sstp_auth_done(C.s, hlak, now);
	pump();
	ck_assert(sstp_is_connected(S.s));
	sstp_disconnect(C.s, now);
	pump();
	ck_assert(!has_event(&C, SSTP_EV_CLOSED));
	now += 5000;
	sstp_timeout(C.s, now);
	ck_assert_ptr_nonnull(strstr(C.reason, "no CALL_DISCONNECT_ACK"));
	assert_note(&C,
		    "timed out waiting for the server's CALL_DISCONNECT_ACK (5000 ms): disconnect "
		    "handshake incomplete");
	teardown_pair();
}
END_TEST

START_TEST(peer_abort_reason)
{
	setup_pair(0, 0, 0);
	bring_up();
	sstp_abort(S.s, "test abort", now);
	assert_note(&S, "test abort; sent CALL_ABORT (status NO_ERROR (0)), waiting up to 3000 ms");
	pump();
	settle();
	ck_assert_str_eq(S.reason, "test abort");
	ck_assert_ptr_nonnull(strstr(C.reason, "peer aborted"));
	ck_assert_ptr_nonnull(strstr(C.reason, "NO_ERROR"));
	teardown_pair();
}
END_TEST

START_TEST(nak_first_connect_then_retry)
{
	/* the client sends CALL_CONNECT_REQUEST again on the same connection */
	setup_pair(0, 0, SSTP_FAULT_NAK_FIRST_CONNECT);
	sstp_start(S.s, now);
	sstp_start(C.s, now);
	pump();
	ck_assert(has_event(&C, SSTP_EV_PPP_START));
	ck_assert(has_event(&S, SSTP_EV_PPP_START));
	ck_assert(!has_event(&C, SSTP_EV_CLOSED));
	teardown_pair();
}
END_TEST

/* Connected pair with both ends' output delivered and cleared. */
static void connected_pair(void)
{
	setup_pair(0, 0, 0);
	bring_up();
	sstp_set_hlak(S.s, hlak);
	sstp_auth_done(C.s, hlak, now);
	pump();
	ck_assert(sstp_is_connected(S.s));
}

/* Delivers what the server sent to the client only. */
static void server_to_client(void)
{
	size_t used = sstp_input(C.s, S.out, S.out_len, now);
	ck_assert_uint_eq(used, S.out_len);
	S.out_len = 0;
}

START_TEST(server_disconnect_is_acknowledged_on_the_wire)
{
	connected_pair();
	sstp_disconnect(S.s, now);
	server_to_client();
	/* exactly one CALL_DISCONNECT_ACK goes out, and the call is not closed
	 * yet: the ACK must reach the server before the connection goes */
	tu_expect_bytes("client's answer", C.out, C.out_len, "10 01 00 08 00 07 00 00", false);
	ck_assert(!has_event(&C, SSTP_EV_CLOSED));
	ck_assert(sstp_is_ending(C.s));
	ck_assert_uint_eq(sstp_deadline(C.s), now + 1000);
	assert_note(&C,
		    "received CALL_DISCONNECT from the server (status NO_ERROR (0) for attribute "
		    "0); sent CALL_DISCONNECT_ACK, waiting up to 1000 ms for the server to close");
	/* nothing more passes: PPP from us is dropped, data to us too */
	const uint8_t lcp[] = {0xff, 0x03, 0xc0, 0x21, 9, 1, 0, 8, 0, 0, 0, 0};
	sstp_send_ppp(C.s, lcp, sizeof(lcp));
	ck_assert_uint_eq(C.out_len, 8);
	sstp_send_ppp(S.s, lcp, sizeof(lcp));
	int frames = C.frames;
	server_to_client();
	ck_assert_int_eq(C.frames, frames);
	/* the server got its ACK and closes: the handshake is complete */
	pump();
	ck_assert(has_event(&S, SSTP_EV_CLOSED));
	ck_assert_str_eq(S.reason, "disconnect handshake completed (CALL_DISCONNECT acknowledged)");
	sstp_lower_closed(C.s, "the server closed the connection", now);
	ck_assert(has_event(&C, SSTP_EV_CLOSED));
	ck_assert_str_eq(
	    C.reason, "peer disconnected (CALL_DISCONNECT, status NO_ERROR (0) for attribute 0)");
	assert_note(&C,
		    "the server closed the connection after our CALL_DISCONNECT_ACK: disconnect "
		    "handshake completed");
	teardown_pair();
}
END_TEST

START_TEST(server_disconnect_wait_ends_by_timer)
{
	connected_pair();
	sstp_disconnect(S.s, now);
	server_to_client();
	now += 999;
	sstp_timeout(C.s, now);
	ck_assert(!has_event(&C, SSTP_EV_CLOSED));
	now += 1;
	sstp_timeout(C.s, now);
	ck_assert(has_event(&C, SSTP_EV_CLOSED));
	ck_assert_ptr_nonnull(strstr(C.reason, "peer disconnected (CALL_DISCONNECT"));
	assert_note(&C, "the server did not close within 1000 ms of our CALL_DISCONNECT_ACK");
	teardown_pair();
}
END_TEST

START_TEST(disconnect_collision_acknowledged)
{
	connected_pair();
	sstp_disconnect(C.s, now);
	sstp_disconnect(S.s, now);
	pump();
	/* each sent its own CALL_DISCONNECT and answers the other's */
	ck_assert(has_event(&C, SSTP_EV_CLOSED) || sstp_is_ending(C.s));
	settle();
	ck_assert(has_event(&C, SSTP_EV_CLOSED));
	ck_assert(has_event(&S, SSTP_EV_CLOSED));
	teardown_pair();
}
END_TEST

START_TEST(malformed_control_gets_call_abort_then_waits)
{
	connected_pair();
	/* ECHO_REQUEST with one attribute of length 2 (< its header) */
	uint8_t bad[12];
	tu_hex(bad, sizeof(bad), "10 01 00 0c 00 08 00 01 00 02 00 02");
	ck_assert_uint_eq(sstp_input(C.s, bad, sizeof(bad), now), sizeof(bad));
	tu_expect_bytes("CALL_ABORT", C.out, C.out_len, CALL_ABORT_INVALID_FRAME, false);
	ck_assert(!has_event(&C, SSTP_EV_CLOSED));
	ck_assert_str_eq(sstp_reason(C.s),
			 "malformed SSTP control packet: attribute length shorter than its header");
	ck_assert_uint_eq(sstp_deadline(C.s), now + 3000);
	/* other messages are ignored meanwhile: no ECHO_RESPONSE */
	const uint8_t echo[8] = {0x10, 0x01, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00};
	sstp_input(C.s, echo, sizeof(echo), now);
	ck_assert_uint_eq(C.out_len, 20);
	now += 3000;
	sstp_timeout(C.s, now);
	ck_assert(has_event(&C, SSTP_EV_CLOSED));
	ck_assert_str_eq(C.reason,
			 "malformed SSTP control packet: attribute length shorter than its header");
	assert_note(
	    &C,
	    "timed out waiting for the server's CALL_ABORT (3000 ms): abort handshake incomplete");
	teardown_pair();
}
END_TEST

START_TEST(abort_answered_then_closed_by_peer)
{
	connected_pair();
	sstp_abort(C.s, "test", now);
	pump(); /* server answers with its CALL_ABORT */
	assert_note(
	    &C, "received CALL_ABORT from the server (status NO_ERROR (0) for attribute 0): abort "
		"handshake completed");
	ck_assert_uint_eq(sstp_deadline(C.s), now + 1000);
	sstp_lower_closed(C.s, "the server closed the connection", now);
	ck_assert_str_eq(C.reason, "test");
	assert_note(&C, "the server closed the connection: abort handshake completed");
	teardown_pair();
}
END_TEST

START_TEST(data_packet_with_reserved_bits_accepted)
{
	/* MS-SSTP 2.2.1/2.2.2: reserved and R bits set, length 21, a valid
	 * LCP Echo-Request inside */
	setup_pair(0, 0, 0);
	bring_up();
	uint8_t pkt[21];
	tu_hex(pkt, sizeof(pkt), "10 fe f0 15 ff 03 c0 21 09 01 00 0d 12 34 56 78 61 62 63 64 65");
	ck_assert_uint_eq(sstp_input(C.s, pkt, sizeof(pkt), now), sizeof(pkt));
	ck_assert(!has_event(&C, SSTP_EV_CLOSED));
	ck_assert_int_eq(C.frames, 1);
	ck_assert_uint_eq(C.last_len, 17);
	ck_assert_mem_eq(C.last_frame, pkt + 4, 17);
	teardown_pair();
}
END_TEST

START_TEST(connect_ack_reserved_fields_ignored)
{
	/* CALL_CONNECT_ACK with the header's reserved and R bits, the
	 * attribute's reserved byte and R bits and the binding request's 3
	 * reserved bytes all set */
	setup_pair(0, 0, 0);
	sstp_start(C.s, now);
	C.out_len = 0;
	uint8_t buf[256];
	const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n";
	size_t n = strlen(r);
	memcpy(buf, r, n);
	n += tu_hex(buf + n, sizeof(buf) - n,
		    "10 ff 70 30 00 02 00 01 ee 04 f0 28 ab cd ef 02"
		    "0101010101010101010101010101010101010101010101010101010101010101");
	ck_assert_uint_eq(sstp_input(C.s, buf, n, now), n);
	ck_assert(has_event(&C, SSTP_EV_PPP_START));
	ck_assert_int_eq(sstp_binding_hash(C.s), SSTP_CERT_HASH_SHA256);
	teardown_pair();
}
END_TEST

static void check_fault(uint32_t fault, const char *want)
{
	setup_pair(0, 0, fault);
	sstp_start(S.s, now);
	sstp_start(C.s, now);
	pump();
	settle();
	ck_assert_msg(!has_event(&C, SSTP_EV_PPP_START), "fault %x: PPP started", fault);
	ck_assert_msg(has_event(&C, SSTP_EV_CLOSED),
		      "fault %x: not closed (nev %d %d, server '%s' %zu %zu)", fault, C.nev, S.nev,
		      S.reason, C.out_len, S.out_len);
	ck_assert_msg(strstr(C.reason, want), "reason '%s' lacks '%s'", C.reason, want);
	teardown_pair();
}

START_TEST(packet_faults)
{
	check_fault(SSTP_FAULT_BAD_VERSION, "malformed SSTP header 11 01");
	check_fault(SSTP_FAULT_LEN_ZERO, "malformed SSTP header 10 01 00 00");
	check_fault(SSTP_FAULT_ATTR_SHORT, "attribute length shorter than its header");
	/* framing lost: no CALL_ABORT (3.1.5.1); a bad attribute: CALL_ABORT */
	check_fault(SSTP_FAULT_BAD_VERSION, "malformed SSTP header");
	assert_note(&C, "SSTP framing lost, closing without CALL_ABORT");
	check_fault(SSTP_FAULT_ATTR_SHORT, "attribute length");
	assert_note(&C, "sent CALL_ABORT (status INVALID_FRAME_RECEIVED (7))");
	assert_note(&S, "received CALL_ABORT from the client (status INVALID_FRAME_RECEIVED (7)");
	/* the R bits above the length are ignored: the call goes on */
	setup_pair(0, 0, SSTP_FAULT_LEN_TOO_BIG);
	bring_up();
	ck_assert(!has_event(&C, SSTP_EV_CLOSED));
	teardown_pair();
}
END_TEST

START_TEST(len_overrun_waits_then_times_out)
{
	setup_pair(0, 0, SSTP_FAULT_LEN_OVERRUN);
	sstp_start(S.s, now);
	sstp_start(C.s, now);
	pump();
	ck_assert(!has_event(&C, SSTP_EV_CLOSED));
	now += 60000;
	sstp_timeout(C.s, now);
	ck_assert_ptr_nonnull(strstr(C.reason, "negotiation timed out"));
	teardown_pair();
}
END_TEST

START_TEST(http_error_and_404)
{
	setup_pair(0, 0, 0);
	sstp_start(C.s, now);
	const char *r = "HTTP/1.1 503 Service Unavailable\r\n\r\n";
	ck_assert_uint_eq(sstp_input(C.s, (const uint8_t *)r, strlen(r), now), strlen(r));
	ck_assert_str_eq(C.reason, "server refused SSTP: \"HTTP/1.1 503 Service Unavailable\"");
	sstp_start(S.s, now);
	r = "GET / HTTP/1.1\r\n\r\n";
	sstp_input(S.s, (const uint8_t *)r, strlen(r), now);
	ck_assert(has_event(&S, SSTP_EV_CLOSED));
	ck_assert(strncmp((char *)S.out, "HTTP/1.1 404", 12) == 0);
	teardown_pair();
}
END_TEST

START_TEST(client_drops_data_before_ack_and_answers_echo)
{
	setup_pair(0, 0, 0);
	sstp_start(C.s, now);
	C.out_len = 0;
	uint8_t buf[256];
	const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n";
	size_t n = strlen(r);
	memcpy(buf, r, n);
	n += tu_hex(buf + n, sizeof(buf) - n, "10 00 00 08 ff 03 c0 21  10 01 00 08 00 08 00 00");
	ck_assert_uint_eq(sstp_input(C.s, buf, n, now), n);
	ck_assert_int_eq(C.frames, 0);
	ck_assert_uint_eq(sstp_dropped(C.s), 1);
	/* CONNECT_REQUEST (14) then ECHO_RESPONSE (8) */
	ck_assert_uint_eq(C.out_len, 22);
	ck_assert_uint_eq(C.out[14 + 5], SSTP_MSG_ECHO_RESPONSE);
	/* an unknown message type aborts */
	n = tu_hex(buf, sizeof(buf), "10 01 00 08 00 42 00 00 10 00");
	C.out_len = 0;
	ck_assert_uint_eq(sstp_input(C.s, buf, n, now), 8);
	assert_note(
	    &C, "unknown SSTP message type 0x0042; sent CALL_ABORT (status INVALID_FRAME_RECEIVED");
	tu_expect_bytes("CALL_ABORT", C.out, C.out_len, CALL_ABORT_INVALID_FRAME, false);
	teardown_pair();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sstp_session");
	TCase *tc = tcase_create("session");
	tcase_add_test(tc, full_connect_sha256);
	tcase_add_test(tc, sha1_only_server);
	tcase_add_test(tc, no_common_hash);
	tcase_add_test(tc, wrong_hlak_rejected);
	tcase_add_test(tc, wrong_cert_hash_rejected);
	tcase_add_test(tc, connected_before_auth_rejected);
	tcase_add_test(tc, hello_timer_echo_then_abort);
	tcase_add_test(tc, traffic_defers_echo);
	tcase_add_test(tc, negotiation_timeout);
	tcase_add_test(tc, disconnect_handshake);
	tcase_add_test(tc, disconnect_without_ack_times_out);
	tcase_add_test(tc, peer_abort_reason);
	tcase_add_test(tc, nak_first_connect_then_retry);
	tcase_add_test(tc, packet_faults);
	tcase_add_test(tc, len_overrun_waits_then_times_out);
	tcase_add_test(tc, http_error_and_404);
	tcase_add_test(tc, client_drops_data_before_ack_and_answers_echo);
	tcase_add_test(tc, server_disconnect_is_acknowledged_on_the_wire);
	tcase_add_test(tc, server_disconnect_wait_ends_by_timer);
	tcase_add_test(tc, disconnect_collision_acknowledged);
	tcase_add_test(tc, malformed_control_gets_call_abort_then_waits);
	tcase_add_test(tc, abort_answered_then_closed_by_peer);
	tcase_add_test(tc, data_packet_with_reserved_bits_accepted);
	tcase_add_test(tc, connect_ack_reserved_fields_ignored);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
