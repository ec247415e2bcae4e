/* The option walk of the automaton with every protocol's option table:
 * LCP, IPCP and IPV6CP, each option type in a Configure-Request (answered
 * Ack, Nak with our value, or Reject), in a Configure-Nak and in a
 * Configure-Reject of our request, plus unknown types, known types of the
 * wrong length and malformed lists. Exact bytes throughout; randomness is
 * a counter (0x41, 0x42, ...), so our magic number is 41424344 on the wire. */
#include <arpa/inet.h>
#include <string.h>

#include "ppp/ppp.h"
#include "testutil.h"

struct peer {
	struct tu_capture cap;
	int discarded, ipcp_up, ipv6cp_up;
	struct ppp_ipcp_info ipcp;
	struct ppp_ipv6cp_info ipv6cp;
	uint8_t rnd;
	uint64_t now;
};

static void o_output(void *ctx, const uint8_t *f, size_t len)
{
	tu_capture_add(&((struct peer *)ctx)->cap, f, len);
}

static void o_event(void *ctx, enum ppp_event ev, const void *arg)
{
	struct peer *t = ctx;
	if (ev == PPP_EV_DISCARDED)
		t->discarded++;
	if (ev == PPP_EV_IPCP_UP) {
		t->ipcp_up++;
		t->ipcp = *(const struct ppp_ipcp_info *)arg;
	}
	if (ev == PPP_EV_IPV6CP_UP) {
		t->ipv6cp_up++;
		t->ipv6cp = *(const struct ppp_ipv6cp_info *)arg;
	}
}

/* A 4-byte draw is a magic number (a host-order uint32 sent big-endian):
 * built so that the wire shows the counter bytes in order on any host. */
static void o_random(void *ctx, void *buf, size_t len)
{
	uint8_t b[8];
	tu_counter_bytes(&((struct peer *)ctx)->rnd, len == 4 ? b : buf, len);
	if (len == 4) {
		uint32_t v =
		    (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		memcpy(buf, &v, 4);
	}
}

static const struct ppp_ops o_ops = {.output = o_output, .event = o_event};

static struct ppp *start(struct peer *t, struct ppp_config *cfg)
{
	memset(t, 0, sizeof(*t));
	cfg->mru = cfg->mru ? cfg->mru : 1500;
	cfg->username = "u";
	cfg->password = "p";
	cfg->random = o_random;
	struct ppp *p = ppp_new(cfg, &o_ops, t);
	ck_assert_ptr_nonnull(p);
	ppp_lower_up(p, 0);
	return p;
}

static void from_peer(struct ppp *p, struct peer *t, const char *hex)
{
	uint8_t f[512];
	size_t n = tu_hex(f, sizeof(f), hex);
	ppp_input(p, f, n, ++t->now);
}

/* LCP Opened with no authentication asked: the NCPs send their requests. */
static void open_lcp(struct ppp *p, struct peer *t)
{
	tu_expect_next(&t->cap, "ff03c021 0101000e 010405dc 050641424344", false);
	from_peer(p, t, "ff03c021 0201000e 010405dc 050641424344");
	from_peer(p, t, "ff03c021 01010004");
	tu_expect_next(&t->cap, "ff03c021 02010004", false);
}

START_TEST(lcp_request_options)
{
	struct peer t;
	struct ppp_config cfg = {.role = PPP_CLIENT, .auth = {PPP_AUTH_PAP}, .ipv4 = true};
	struct ppp *p = start(&t, &cfg);
	tu_expect_next(&t.cap, "ff03c021 0101000e 010405dc 050641424344", false);
	/* unknown types (PFC 7, ACFC 8, Callback 13) and a known type of the
	 * wrong length (MRU with 3 bytes) are Rejected, in order, whatever
	 * else the request holds; the acceptable ones are left out */
	from_peer(p, &t,
		  "ff03c021 01010024 01040578 020600000000 0304c023 050612345678 0702 0802"
		  " 0d0306 0105000000");
	tu_expect_next(&t.cap, "ff03c021 04010010 0702 0802 0d0306 0105000000", false);
	/* an MRU below 128 and our own magic number (a loop) are Nak'd with
	 * our values: MRU 128 and a fresh odd magic */
	from_peer(p, &t, "ff03c021 01020012 01040040 0304c023 050641424344");
	tu_expect_next(&t.cap, "ff03c021 0302000e 01040080 0506494a4b4d", false);
	/* everything acceptable: Acked exactly */
	from_peer(p, &t, "ff03c021 01030018 01040578 020600000000 0304c023 050612345678");
	tu_expect_next(&t.cap, "ff03c021 02030018 01040578 020600000000 0304c023 050612345678",
		       false);
	tu_expect_none(&t.cap);
	ppp_free(p);
}
END_TEST

START_TEST(lcp_nak_and_reject_of_ours)
{
	struct peer t;
	struct ppp_config cfg = {.role = PPP_CLIENT, .auth = {PPP_AUTH_PAP}, .ipv4 = true};
	struct ppp *p = start(&t, &cfg);
	tu_expect_next(&t.cap, "ff03c021 0101000e 010405dc 050641424344", false);
	/* Nak: a smaller MRU is taken, a bigger one is not; the magic is
	 * drawn again; an option we did not send is ignored */
	from_peer(p, &t, "ff03c021 03010010 01040578 050600000001 0702");
	tu_expect_next(&t.cap, "ff03c021 0102000e 01040578 050645464748", false);
	from_peer(p, &t, "ff03c021 0302000c 01040600 05040000");
	/* a Nak option of the wrong length (magic with 2 bytes) is ignored */
	tu_expect_next(&t.cap, "ff03c021 0103000e 01040578 050645464748", false);
	/* Reject: the option is not sent again */
	from_peer(p, &t, "ff03c021 04030008 01040578");
	tu_expect_next(&t.cap, "ff03c021 0104000a 050645464748", false);
	from_peer(p, &t, "ff03c021 0404000a 050645464748");
	tu_expect_next(&t.cap, "ff03c021 01050004", false);
	tu_expect_none(&t.cap);
	ck_assert_int_eq(t.discarded, 0);
	ppp_free(p);
}
END_TEST

START_TEST(malformed_lists_change_nothing)
{
	struct peer t;
	struct ppp_config cfg = {.role = PPP_CLIENT, .auth = {PPP_AUTH_PAP}, .ipv4 = true};
	struct ppp *p = start(&t, &cfg);
	tu_expect_next(&t.cap, "ff03c021 0101000e 010405dc 050641424344", false);
	/* a request whose magic is ours (would be Nak'd, drawing a new magic)
	 * followed by an option that overruns the list: dropped whole, so our
	 * magic stays */
	from_peer(p, &t, "ff03c021 0101000c 050641424344 0105");
	from_peer(p, &t, "ff03c021 0101000b 050641424344 01");	 /* option header cut */
	from_peer(p, &t, "ff03c021 0101000c 050641424344 0001"); /* option length 1 */
	tu_expect_none(&t.cap);
	/* a Nak with a malformed list is discarded, not half taken */
	from_peer(p, &t, "ff03c021 03010010 01040578 050600000001 0709");
	tu_expect_none(&t.cap);
	ck_assert_int_eq(t.discarded, 1);
	/* the request is still unanswered: its Ack opens LCP */
	from_peer(p, &t, "ff03c021 0201000e 010405dc 050641424344");
	from_peer(p, &t, "ff03c021 01020004");
	tu_expect_next(&t.cap, "ff03c021 02020004", false);
	ppp_free(p);
}
END_TEST

START_TEST(ipcp_client_options)
{
	struct peer t;
	struct ppp_config cfg = {.role = PPP_CLIENT, .auth = {PPP_AUTH_PAP}, .ipv4 = true};
	struct ppp *p = start(&t, &cfg);
	open_lcp(p, &t);
	tu_expect_next(&t.cap, "ff038021 01010016 030600000000 810600000000 830600000000", false);
	/* the server asking us for DNS servers (129), NBNS (130) and IP
	 * compression (2): Rejected; its own usable address is not listed */
	from_peer(p, &t, "ff038021 0101001c 03060a000001 81060a000035 82060a000035 02062d0f0100");
	tu_expect_next(&t.cap, "ff038021 04010016 81060a000035 82060a000035 02062d0f0100", false);
	/* an address of the wrong length: Rejected */
	from_peer(p, &t, "ff038021 0102000f 03060a000001 03050a0000");
	tu_expect_next(&t.cap, "ff038021 04020009 03050a0000", false);
	from_peer(p, &t, "ff038021 0103000a 03060a000001");
	tu_expect_next(&t.cap, "ff038021 0203000a 03060a000001", false);
	/* Nak: our address and DNS servers; a DNS server on loopback is
	 * refused (no longer asked for) */
	from_peer(p, &t, "ff038021 03010016 03060a000002 810608080808 83067f000001");
	tu_expect_next(&t.cap, "ff038021 01020010 03060a000002 810608080808", false);
	/* Reject of the primary DNS: asked no more */
	from_peer(p, &t, "ff038021 0402000a 810608080808");
	tu_expect_next(&t.cap, "ff038021 0103000a 03060a000002", false);
	from_peer(p, &t, "ff038021 0203000a 03060a000002");
	ck_assert_int_eq(t.ipcp_up, 1);
	ck_assert_uint_eq(t.ipcp.local, htonl(0x0a000002));
	ck_assert_uint_eq(t.ipcp.peer, htonl(0x0a000001));
	ck_assert_uint_eq(t.ipcp.dns[0], 0);
	ck_assert_uint_eq(t.ipcp.dns[1], 0);
	ck_assert_uint_eq(t.ipcp.dns_refused[1], htonl(0x7f000001));
	ppp_free(p);
}
END_TEST

START_TEST(ipcp_server_max_failure)
{
	/* Nak'ing an address the client did not list stops at Max-Failure:
	 * after that the request is Acked as it is (RFC 1661 4.6 turns Naks
	 * into Rejects, and there is nothing of the client's to Reject) */
	struct peer t;
	struct ppp_config cfg = {.role = PPP_SERVER,
				 .ipv4 = true,
				 .max_failure = 1,
				 .local_ip4 = htonl(0x0a070001),
				 .peer_ip4 = htonl(0x0a070002),
				 .dns4 = {htonl(0x0a070035), 0}};
	struct ppp *p = start(&t, &cfg);
	tu_expect_next(&t.cap, "ff03c021 0101000e 010405dc 050641424344", false);
	from_peer(p, &t, "ff03c021 0201000e 010405dc 050641424344");
	from_peer(p, &t, "ff03c021 01010004");
	tu_expect_next(&t.cap, "ff03c021 02010004", false);
	tu_expect_next(&t.cap, "ff038021 0101000a 03060a070001", false);
	from_peer(p, &t, "ff038021 0101000a 810600000000");
	tu_expect_next(&t.cap, "ff038021 03010010 81060a070035 03060a070002", false);
	/* Max-Failure reached: the DNS Nak becomes a Reject of the client's option */
	from_peer(p, &t, "ff038021 0102000a 810600000000");
	tu_expect_next(&t.cap, "ff038021 0402000a 810600000000", false);
	from_peer(p, &t, "ff038021 01030004");
	tu_expect_next(&t.cap, "ff038021 02030004", false);
	tu_expect_none(&t.cap);
	ppp_free(p);
}
END_TEST

START_TEST(ipv6cp_options)
{
	struct peer t;
	struct ppp_config cfg = {
	    .role = PPP_CLIENT, .auth = {PPP_AUTH_PAP}, .ipv4 = false, .ipv6 = true};
	struct ppp *p = start(&t, &cfg);
	open_lcp(p, &t);
	/* our id: the next 8 counter bytes */
	tu_expect_next(&t.cap, "ff038057 0101000e 010a 45464748494a4b4c", false);
	/* an id of the wrong length and an unknown type: Rejected */
	from_peer(p, &t, "ff038057 0101000e 0108 000000000001 0202");
	tu_expect_next(&t.cap, "ff038057 0401000e 0108 000000000001 0202", false);
	/* zero: Nak'd with an id for the peer */
	from_peer(p, &t, "ff038057 0102000e 010a 0000000000000000");
	tu_expect_next(&t.cap, "ff038057 0302000e 010a 4d4e4f5051525354", false);
	/* ours: Nak'd, and ours renewed */
	from_peer(p, &t, "ff038057 0103000e 010a 45464748494a4b4c");
	tu_expect_next(&t.cap, "ff038057 0303000e 010a 5d5e5f6061626364", false);
	from_peer(p, &t, "ff038057 0104000e 010a 0200000000000001");
	tu_expect_next(&t.cap, "ff038057 0204000e 010a 0200000000000001", false);
	/* a Nak of ours: the suggestion is taken (our request was the
	 * first, id 1; the renewal did not send a new one) */
	from_peer(p, &t, "ff038057 0301000e 010a 0300000000000007");
	tu_expect_next(&t.cap, "ff038057 0102000e 010a 0300000000000007", false);
	/* a Reject of it: IPV6CP runs without (the peer's id stays) */
	from_peer(p, &t, "ff038057 0402000e 010a 0300000000000007");
	tu_expect_next(&t.cap, "ff038057 01030004", false);
	from_peer(p, &t, "ff038057 02030004");
	ck_assert_int_eq(t.ipv6cp_up, 1);
	static const uint8_t peer_id[8] = {2, 0, 0, 0, 0, 0, 0, 1};
	ck_assert_mem_eq(t.ipv6cp.peer_id, peer_id, 8);
	ppp_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ppp_options");
	TCase *tc = tcase_create("walk");
	tcase_add_test(tc, lcp_request_options);
	tcase_add_test(tc, lcp_nak_and_reject_of_ours);
	tcase_add_test(tc, malformed_lists_change_nothing);
	tcase_add_test(tc, ipcp_client_options);
	tcase_add_test(tc, ipcp_server_max_failure);
	tcase_add_test(tc, ipv6cp_options);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
