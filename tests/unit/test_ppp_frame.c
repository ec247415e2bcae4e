/* The PPP frame header helper: every header form a peer may send (with and
 * without address/control, with a one- or two-byte protocol) and the one we
 * write, in exact bytes. */
#include "ppp/ppp.h"
#include "ppp/ppp_frame.h"
#include "testutil.h"

/* Parses hex and checks the protocol and where the information field starts. */
static void check_parse(const char *hex, uint16_t want_proto, size_t want_hl)
{
	uint8_t f[16];
	size_t n = tu_hex(f, sizeof(f), hex);
	uint16_t proto = 0xbeef;
	ck_assert_uint_eq(ppp_frame_parse(f, n, &proto), want_hl);
	if (want_hl)
		ck_assert_uint_eq(proto, want_proto);
	struct reader r;
	rd_init(&r, f, n);
	ck_assert(ppp_frame_read(&r, &proto) == (want_hl != 0));
	if (want_hl) {
		ck_assert_uint_eq(proto, want_proto);
		ck_assert_uint_eq(rd_left(&r), n - want_hl);
		ck_assert_ptr_eq(rd_ptr(&r), f + want_hl);
	}
}

START_TEST(full_header)
{
	check_parse("ff 03 c0 21 01 01 00 04", PPP_PROTO_LCP, 4);
	check_parse("ff 03 00 21 45", PPP_PROTO_IP, 4);
	check_parse("ff 03 80 57", PPP_PROTO_IPV6CP, 4); /* empty information field */
}
END_TEST

START_TEST(address_control_compressed)
{
	check_parse("c0 23 01", PPP_PROTO_PAP, 2);
	check_parse("80 21 01 01 00 04", PPP_PROTO_IPCP, 2);
	check_parse("00 57 60", PPP_PROTO_IPV6, 2);
}
END_TEST

START_TEST(protocol_compressed)
{
	/* odd first byte: the protocol is that one byte */
	check_parse("ff 03 21 45 00", PPP_PROTO_IP, 3);
	check_parse("57 60 00", PPP_PROTO_IPV6, 1);
	check_parse("21", PPP_PROTO_IP, 1);
}
END_TEST

START_TEST(ff03_is_only_skipped_whole)
{
	/* FF alone is an odd one-byte protocol, not half an address field */
	check_parse("ff", 0x00ff, 1);
	check_parse("ff 21", 0x00ff, 1);
	/* 03 without FF is an odd protocol too */
	check_parse("03 c0", 0x0003, 1);
}
END_TEST

START_TEST(truncated_headers_fail)
{
	check_parse("", 0, 0);
	check_parse("ff 03", 0, 0);
	check_parse("ff 03 c0", 0, 0);
	check_parse("c0", 0, 0);
	check_parse("00", 0, 0);
}
END_TEST

START_TEST(write_is_uncompressed)
{
	uint8_t buf[8], want[8];
	struct writer w;
	wr_init(&w, buf, sizeof(buf));
	ppp_frame_write(&w, PPP_PROTO_IP);
	ppp_frame_write(&w, PPP_PROTO_CHAP);
	ck_assert(wr_ok(&w));
	ck_assert_uint_eq(w.len, 2 * PPP_HDR_LEN);
	size_t n = tu_hex(want, sizeof(want), "ff 03 00 21 ff 03 c2 23");
	ck_assert_mem_eq(buf, want, n);
	/* no room: the writer fails, nothing half-written counts */
	ppp_frame_write(&w, PPP_PROTO_LCP);
	ck_assert(!wr_ok(&w));

	uint8_t h[PPP_HDR_LEN];
	ppp_frame_put(h, PPP_PROTO_IPV6CP);
	tu_hex(want, sizeof(want), "ff 03 80 57");
	ck_assert_mem_eq(h, want, PPP_HDR_LEN);
	uint16_t proto;
	ck_assert_uint_eq(ppp_frame_parse(h, sizeof(h), &proto), PPP_HDR_LEN);
	ck_assert_uint_eq(proto, PPP_PROTO_IPV6CP);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ppp_frame");
	TCase *tc = tcase_create("header");
	tcase_add_test(tc, full_header);
	tcase_add_test(tc, address_control_compressed);
	tcase_add_test(tc, protocol_compressed);
	tcase_add_test(tc, ff03_is_only_skipped_whole);
	tcase_add_test(tc, truncated_headers_fail);
	tcase_add_test(tc, write_is_uncompressed);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
