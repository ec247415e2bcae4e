#include "sstp/sstp_wire.h"
#include "testutil.h"

#include <string.h>

START_TEST(packet_len_header_checks)
{
	uint8_t p[8] = {0x10, 0x01, 0x00, 0x0e};
	ck_assert_int_eq(sstp_packet_len(p, 3), 0);
	ck_assert_int_eq(sstp_packet_len(p, 4), 14);
	p[0] = 0x11;
	ck_assert_int_eq(sstp_packet_len(p, 4), -1);
	p[0] = 0x10;
	for (unsigned l = 0; l < 4; l++) {
		p[3] = (uint8_t)l;
		ck_assert_int_eq(sstp_packet_len(p, 4), -1);
	}
	p[2] = 0x0f;
	p[3] = 0xff;
	ck_assert_int_eq(sstp_packet_len(p, 4), 4095);
	p[1] = 0xfe; /* reserved bits of byte 1 are ignored (MS-SSTP 2.2.1) */
	ck_assert_int_eq(sstp_packet_len(p, 4), 4095);
}
END_TEST

/* MS-SSTP 2.2.1-2.2.3: each reserved field is ignored on receipt, one
 * test per field, and zero when we send. */
START_TEST(reserved_bits_of_byte1_ignored)
{
	/* data packet: every reserved bit set, C clear */
	uint8_t p[8];
	tu_hex(p, sizeof(p), "10 fe 00 08 ff 03 c0 21");
	ck_assert_int_eq(sstp_packet_len(p, sizeof(p)), 8);
	ck_assert(!sstp_is_control(p));
	/* control packet: every reserved bit set, C set */
	const char *why;
	struct sstp_ctrl c;
	tu_hex(p, sizeof(p), "10 ff 00 08 00 08 00 00");
	ck_assert(sstp_is_control(p));
	ck_assert_msg(sstp_ctrl_parse(p, sizeof(p), &c, &why), "%s", why);
	ck_assert_uint_eq(c.type, SSTP_MSG_ECHO_REQUEST);
}
END_TEST

START_TEST(length_r_bits_ignored)
{
	/* the R nibble above the 12-bit length: each bit alone, then all */
	uint8_t p[4] = {0x10, 0x00, 0x00, 0x15};
	for (unsigned r = 0x10; r <= 0xf0; r += 0x10) {
		p[2] = (uint8_t)r;
		ck_assert_int_eq(sstp_packet_len(p, 4), 21);
	}
	p[2] = 0xff;
	p[3] = 0xff;
	ck_assert_int_eq(sstp_packet_len(p, 4), 4095);
	/* R bits do not hide a too-short length */
	p[2] = 0xf0;
	p[3] = 0x03;
	ck_assert_int_eq(sstp_packet_len(p, 4), -1);
	/* a control packet with R bits parses at its 12-bit length */
	uint8_t q[8];
	struct sstp_ctrl c;
	const char *why;
	tu_hex(q, sizeof(q), "10 01 a0 08 00 09 00 00");
	ck_assert_msg(sstp_ctrl_parse(q, sizeof(q), &c, &why), "%s", why);
	ck_assert_uint_eq(c.type, SSTP_MSG_ECHO_RESPONSE);
}
END_TEST

START_TEST(attribute_reserved_byte_ignored)
{
	uint8_t p[14];
	struct sstp_ctrl c;
	const char *why;
	tu_hex(p, sizeof(p), "10 01 00 0e 00 01 00 01 ff 01 00 06 00 01");
	ck_assert_msg(sstp_ctrl_parse(p, sizeof(p), &c, &why), "%s", why);
	ck_assert_uint_eq(c.nattr, 1);
	ck_assert_uint_eq(c.attr[0].id, SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID);
	ck_assert_uint_eq(c.attr[0].len, 2);
	ck_assert_uint_eq(c.attr[0].val[1], 1);
}
END_TEST

START_TEST(attribute_length_r_bits_ignored)
{
	uint8_t p[14];
	struct sstp_ctrl c;
	const char *why;
	tu_hex(p, sizeof(p), "10 01 00 0e 00 01 00 01 00 01 f0 06 00 01");
	ck_assert_msg(sstp_ctrl_parse(p, sizeof(p), &c, &why), "%s", why);
	ck_assert_uint_eq(c.attr[0].len, 2);
	/* the masked length still has to fit */
	tu_hex(p, sizeof(p), "10 01 00 0e 00 01 00 01 00 01 f0 07 00 01");
	ck_assert(!sstp_ctrl_parse(p, sizeof(p), &c, &why));
	ck_assert_str_eq(why, "attribute overruns packet");
}
END_TEST

START_TEST(status_info_reserved_bytes_ignored)
{
	/* CALL_ABORT, Status Info with its 3 reserved bytes set */
	uint8_t p[20];
	struct sstp_ctrl c;
	struct sstp_status st;
	const char *why;
	tu_hex(p, sizeof(p), "10 01 00 14 00 05 00 01 00 02 00 0c ff ff ff 03 00 00 00 07");
	ck_assert_msg(sstp_ctrl_parse(p, sizeof(p), &c, &why), "%s", why);
	ck_assert(sstp_status_parse(&c.attr[0], &st));
	ck_assert_uint_eq(st.attrib_id, 3);
	ck_assert_uint_eq(st.status, SSTP_ATTRIB_STATUS_INVALID_FRAME_RECEIVED);
}
END_TEST

START_TEST(reserved_fields_zero_when_sent)
{
	uint8_t hdr[4], want[20], out[64];
	sstp_data_header(hdr, SSTP_MAX_PPP);
	tu_hex(want, 4, "10 00 0f ff");
	ck_assert_mem_eq(hdr, want, 4);
	size_t n = sstp_build_status_msg(out, sizeof(out), SSTP_MSG_CALL_ABORT, true, 0,
					 SSTP_ATTRIB_STATUS_INVALID_FRAME_RECEIVED);
	tu_hex(want, 20, "10 01 00 14 00 05 00 01 00 02 00 0c 00 00 00 00 00 00 00 07");
	ck_assert_uint_eq(n, 20);
	ck_assert_mem_eq(out, want, 20);
	n = sstp_build_simple(out, sizeof(out), SSTP_MSG_CALL_DISCONNECT_ACK);
	tu_hex(want, 8, "10 01 00 08 00 07 00 00");
	ck_assert_uint_eq(n, 8);
	ck_assert_mem_eq(out, want, 8);
}
END_TEST

START_TEST(connect_request_matches_softether_trace)
{
	uint8_t out[64], want[32];
	size_t n = sstp_build_connect_request(out, sizeof(out));
	size_t wn = tu_hex(want, sizeof(want), "10 01 00 0e 00 01 00 01 00 01 00 06 00 01");
	ck_assert_uint_eq(n, wn);
	ck_assert_mem_eq(out, want, n);

	struct sstp_ctrl c;
	const char *why;
	ck_assert(sstp_ctrl_parse(out, n, &c, &why));
	ck_assert_uint_eq(c.type, SSTP_MSG_CALL_CONNECT_REQUEST);
	ck_assert_uint_eq(c.nattr, 1);
	ck_assert_uint_eq(c.attr[0].id, SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID);
	ck_assert_uint_eq(c.attr[0].len, 2);
	ck_assert_uint_eq(c.attr[0].val[1], 1);
	ck_assert_uint_eq(sstp_build_connect_request(out, 13), 0);
}
END_TEST

START_TEST(connect_ack_round_trip)
{
	uint8_t nonce[32], out[64], want[64];
	tu_hex(nonce, 32, "412B489AEBD7ECC7D08966F26BE7CD72B231A0E9210D7C91B308862B0344C435");
	size_t n = sstp_build_connect_ack(out, sizeof(out), SSTP_CERT_HASH_SHA256, nonce);
	size_t wn = tu_hex(want, sizeof(want),
			   "10 01 00 30 00 02 00 01 00 04 00 28 00 00 00 02"
			   "412B489AEBD7ECC7D08966F26BE7CD72B231A0E9210D7C91B308862B0344C435");
	ck_assert_uint_eq(n, wn);
	ck_assert_mem_eq(out, want, n);
	struct sstp_ctrl c;
	const char *why;
	ck_assert(sstp_ctrl_parse(out, n, &c, &why));
	const struct sstp_attr *a = sstp_ctrl_find(&c, SSTP_ATTR_CRYPTO_BINDING_REQ);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->len, 36);
	ck_assert_mem_eq(a->val + 4, nonce, 32);
	ck_assert_ptr_null(sstp_ctrl_find(&c, SSTP_ATTR_STATUS_INFO));
}
END_TEST

START_TEST(status_messages_round_trip)
{
	uint8_t out[128];
	struct sstp_ctrl c;
	struct sstp_status st;
	const char *why;
	const uint8_t val[2] = {0, 7};
	size_t n = sstp_build_connect_nak(out, sizeof(out), SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID,
					  SSTP_ATTRIB_STATUS_VALUE_NOT_SUPPORTED, val, 2);
	ck_assert_uint_eq(n, 8 + 12 + 2);
	ck_assert(sstp_ctrl_parse(out, n, &c, &why));
	ck_assert_uint_eq(c.type, SSTP_MSG_CALL_CONNECT_NAK);
	ck_assert(sstp_status_parse(&c.attr[0], &st));
	ck_assert_uint_eq(st.attrib_id, 1);
	ck_assert_uint_eq(st.status, 4);
	ck_assert_uint_eq(st.val_len, 2);
	ck_assert_uint_eq(st.val[1], 7);

	n = sstp_build_status_msg(out, sizeof(out), SSTP_MSG_CALL_ABORT, true, 0,
				  SSTP_ATTRIB_STATUS_INVALID_FRAME_RECEIVED);
	ck_assert_uint_eq(n, 20);
	ck_assert(sstp_ctrl_parse(out, n, &c, &why));
	ck_assert(sstp_status_parse(&c.attr[0], &st));
	ck_assert_uint_eq(st.status, 7);
	ck_assert_uint_eq(st.val_len, 0);

	n = sstp_build_status_msg(out, sizeof(out), SSTP_MSG_CALL_DISCONNECT, false, 0, 0);
	ck_assert_uint_eq(n, 8);
	uint8_t want[8];
	tu_hex(want, 8, "10 01 00 08 00 06 00 00");
	ck_assert_mem_eq(out, want, 8);
	for (uint16_t t = SSTP_MSG_CALL_DISCONNECT_ACK; t <= SSTP_MSG_ECHO_RESPONSE; t++) {
		n = sstp_build_simple(out, sizeof(out), t);
		ck_assert_uint_eq(n, 8);
		ck_assert(sstp_ctrl_parse(out, n, &c, &why));
		ck_assert_uint_eq(c.type, t);
		ck_assert_uint_eq(c.nattr, 0);
	}
}
END_TEST

static bool parse_hex(const char *hex, const char **why)
{
	uint8_t p[256];
	struct sstp_ctrl c;
	size_t n = tu_hex(p, sizeof(p), hex);
	return sstp_ctrl_parse(p, n, &c, why);
}

START_TEST(malformed_control_packets)
{
	const char *why;
	/* good baseline */
	ck_assert(parse_hex("10 01 00 0e 00 01 00 01 00 01 00 06 00 01", &why));
	/* bad version */
	ck_assert(!parse_hex("11 01 00 0e 00 01 00 01 00 01 00 06 00 01", &why));
	ck_assert_ptr_nonnull(why);
	/* length 0, 1, 3 */
	ck_assert(!parse_hex("10 01 00 00", &why));
	ck_assert(!parse_hex("10 01 00 01", &why));
	ck_assert(!parse_hex("10 01 00 03", &why));
	/* length larger than the buffer */
	ck_assert(!parse_hex("10 01 00 0f 00 01 00 01 00 01 00 06 00 01", &why));
	ck_assert_str_eq(why, "length field disagrees with packet size");
	/* data packet is not a control packet */
	ck_assert(!parse_hex("10 00 00 08 ff 03 c0 21", &why));
	/* control header truncated */
	ck_assert(!parse_hex("10 01 00 06 00 01", &why));
	ck_assert_str_eq(why, "control header truncated");
	/* attribute length < 4 (2 and 0) */
	ck_assert(!parse_hex("10 01 00 0e 00 01 00 01 00 01 00 02 00 01", &why));
	ck_assert_str_eq(why, "attribute length shorter than its header");
	ck_assert(!parse_hex("10 01 00 0c 00 01 00 01 00 01 00 00", &why));
	/* attribute overruns the packet */
	ck_assert(!parse_hex("10 01 00 0e 00 01 00 01 00 01 00 07 00 01", &why));
	ck_assert_str_eq(why, "attribute overruns packet");
	/* count says 2, one present */
	ck_assert(!parse_hex("10 01 00 0e 00 01 00 02 00 01 00 06 00 01", &why));
	ck_assert_str_eq(why, "attribute count exceeds packet");
	/* count says 0, an attribute follows */
	ck_assert(!parse_hex("10 01 00 0e 00 01 00 00 00 01 00 06 00 01", &why));
	ck_assert_str_eq(why, "bytes after the last attribute");
	/* absurd count */
	ck_assert(!parse_hex("10 01 00 08 00 01 ff ff", &why));
	/* short attribute value: length exactly 4 is fine */
	ck_assert(parse_hex("10 01 00 0c 00 01 00 01 00 01 00 04", &why));
	/* status info too short to parse */
	uint8_t p[32];
	struct sstp_ctrl c;
	struct sstp_status st;
	size_t n = tu_hex(p, sizeof(p), "10 01 00 10 00 05 00 01 00 02 00 08 00 00 00 01");
	ck_assert(sstp_ctrl_parse(p, n, &c, &why));
	ck_assert(!sstp_status_parse(&c.attr[0], &st));
}
END_TEST

/* MS-SSTP 4.7 as recomputed in the shared test vectors (vectors/README.md) */
static void check_binding(int hash, const char *nonce_hex, const char *hlak_hex,
			  const char *cert_hex, const char *want_hex)
{
	uint8_t nonce[32], hlak[32], cert[32], want[112], out[112];
	tu_hex(nonce, 32, nonce_hex);
	tu_hex(hlak, 32, hlak_hex);
	size_t cl = tu_hex(cert, 32, cert_hex);
	ck_assert_uint_eq(cl, hash == SSTP_CERT_HASH_SHA1 ? 20 : 32);
	ck_assert_uint_eq(tu_hex(want, sizeof(want), want_hex), 112);
	ck_assert(sstp_build_call_connected(out, hash, nonce, cert, hlak));
	ck_assert_mem_eq(out, want, 112);
}

START_TEST(binding_vector_sha256)
{
	check_binding(SSTP_CERT_HASH_SHA256,
		      "412B489AEBD7ECC7D08966F26BE7CD72B231A0E9210D7C91B308862B0344C435",
		      "2A1BB40D55AB0F5EF32F06F2B3CC73C48FD3FAC41D7A1315A19228D9024CA164",
		      "7993EF314C493DACE9F02D60E7E61C84B6690AAFE9D7AEEA92CBBE8AD599422D",
		      "10 01 00 70 00 04 00 01 00 03 00 68 00 00 00 02"
		      "412B489AEBD7ECC7D08966F26BE7CD72B231A0E9210D7C91B308862B0344C435"
		      "7993EF314C493DACE9F02D60E7E61C84B6690AAFE9D7AEEA92CBBE8AD599422D"
		      "52A68EFD8CFFBF52770B8F0FE8EC73716583AF6D611EB6D179B3B20840985449");
}
END_TEST

START_TEST(binding_vector_sha1)
{
	check_binding(SSTP_CERT_HASH_SHA1,
		      "0F1A2D58D4A3E3000FAD3CE4906E07B707AA9E441CCEAC5CBD7B2CC1C9D86CDF",
		      "4B3128F43925D9006EEFB1C4E86515A1D88E56BAB3CA2BDF0373B7F5A8A13B19",
		      "5826B629BDA59B8E6FD8DCD2622FD34C534805A5",
		      "10 01 00 70 00 04 00 01 00 03 00 68 00 00 00 01"
		      "0F1A2D58D4A3E3000FAD3CE4906E07B707AA9E441CCEAC5CBD7B2CC1C9D86CDF"
		      "5826B629BDA59B8E6FD8DCD2622FD34C534805A5 000000000000000000000000"
		      "69915DD583D8062FEF16F61DB2F03290EC27CB6C 000000000000000000000000");
}
END_TEST

START_TEST(binding_rejects_unknown_hash)
{
	uint8_t out[112], z[32] = {0};
	ck_assert(!sstp_build_call_connected(out, 3, z, z, z));
	ck_assert(!sstp_cmk(0, z, out));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sstp_packet");
	TCase *tc = tcase_create("codec");
	tcase_add_test(tc, packet_len_header_checks);
	tcase_add_test(tc, connect_request_matches_softether_trace);
	tcase_add_test(tc, connect_ack_round_trip);
	tcase_add_test(tc, status_messages_round_trip);
	tcase_add_test(tc, malformed_control_packets);
	tcase_add_test(tc, reserved_bits_of_byte1_ignored);
	tcase_add_test(tc, length_r_bits_ignored);
	tcase_add_test(tc, attribute_reserved_byte_ignored);
	tcase_add_test(tc, attribute_length_r_bits_ignored);
	tcase_add_test(tc, status_info_reserved_bytes_ignored);
	tcase_add_test(tc, reserved_fields_zero_when_sent);
	suite_add_tcase(s, tc);
	tc = tcase_create("binding");
	tcase_add_test(tc, binding_vector_sha256);
	tcase_add_test(tc, binding_vector_sha1);
	tcase_add_test(tc, binding_rejects_unknown_hash);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
