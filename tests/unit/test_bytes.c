#include "core/bytes.h"
#include "testutil.h"

START_TEST(reader_bounds_and_sticky_error)
{
	const uint8_t buf[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
	struct reader r;
	rd_init(&r, buf, sizeof(buf));
	ck_assert_uint_eq(rd_u8(&r), 0x01);
	ck_assert_uint_eq(rd_be16(&r), 0x0203);
	ck_assert_uint_eq(rd_be32(&r), 0x04050607);
	ck_assert(rd_ok(&r));
	ck_assert_uint_eq(rd_left(&r), 0);
	ck_assert_uint_eq(rd_u8(&r), 0);
	ck_assert(!rd_ok(&r));
	/* sticky: even a zero-length read now fails */
	ck_assert_ptr_null(rd_take(&r, 0));
	ck_assert_uint_eq(rd_left(&r), 0);
}
END_TEST

START_TEST(reader_partial_read_fails_whole)
{
	const uint8_t buf[] = {0xaa, 0xbb, 0xcc};
	struct reader r;
	rd_init(&r, buf, sizeof(buf));
	ck_assert_uint_eq(rd_u8(&r), 0xaa);
	ck_assert_uint_eq(rd_be32(&r), 0); /* 2 left, 4 wanted */
	ck_assert(!rd_ok(&r));
	uint8_t out[2] = {9, 9};
	ck_assert(!rd_bytes(&r, out, 2));
	ck_assert_uint_eq(out[0], 0);
	ck_assert_uint_eq(out[1], 0);
}
END_TEST

START_TEST(reader_sub_ranges)
{
	const uint8_t buf[] = {3, 0xde, 0xad, 0xbe, 0xef};
	struct reader r, sub;
	rd_init(&r, buf, sizeof(buf));
	uint8_t n = rd_u8(&r);
	ck_assert(rd_sub(&r, n, &sub));
	ck_assert_uint_eq(rd_be16(&sub), 0xdead);
	ck_assert_uint_eq(rd_u8(&sub), 0xbe);
	ck_assert_uint_eq(rd_u8(&sub), 0); /* sub ends before 0xef */
	ck_assert(!rd_ok(&sub));
	ck_assert(rd_ok(&r));
	ck_assert_uint_eq(rd_u8(&r), 0xef);
	ck_assert(!rd_sub(&r, 1, &sub));
	ck_assert(!rd_ok(&sub));
	ck_assert(!rd_ok(&r));
}
END_TEST

START_TEST(reader_huge_length_no_wrap)
{
	const uint8_t buf[4] = {0};
	struct reader r;
	rd_init(&r, buf, sizeof(buf));
	rd_u8(&r);
	ck_assert(!rd_skip(&r, SIZE_MAX));
	ck_assert(!rd_ok(&r));
}
END_TEST

START_TEST(writer_bounds_and_patch)
{
	uint8_t buf[7];
	struct writer w;
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, 0x10);
	wr_be16(&w, 0);
	wr_be32(&w, 0x11223344);
	ck_assert(wr_ok(&w));
	wr_patch_be16(&w, 1, 0xabcd);
	ck_assert_uint_eq(buf[1], 0xab);
	ck_assert_uint_eq(buf[2], 0xcd);
	ck_assert_uint_eq(w.len, 7);
	wr_u8(&w, 1);
	ck_assert(!wr_ok(&w));
	ck_assert_uint_eq(w.len, 7);
	wr_init(&w, buf, sizeof(buf));
	wr_u8(&w, 1);
	wr_patch_be16(&w, 0, 1); /* only 1 byte written */
	ck_assert(!wr_ok(&w));
	wr_init(&w, buf, 3);
	wr_zero(&w, 3);
	ck_assert(wr_ok(&w));
	ck_assert_ptr_null(wr_reserve(&w, 1));
	ck_assert(!wr_ok(&w));
}
END_TEST

START_TEST(hex_roundtrip)
{
	uint8_t in[3] = {0x00, 0xab, 0xff}, out[3];
	char s[7];
	hex_encode(s, in, 3);
	ck_assert_str_eq(s, "00abff");
	ck_assert(hex_decode(out, 3, "00ABff"));
	ck_assert_mem_eq(in, out, 3);
	ck_assert(!hex_decode(out, 3, "00abf"));
	ck_assert(!hex_decode(out, 3, "00abffe"));
	ck_assert(!hex_decode(out, 3, "00abgf"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bytes");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, reader_bounds_and_sticky_error);
	tcase_add_test(tc, reader_partial_read_fails_whole);
	tcase_add_test(tc, reader_sub_ranges);
	tcase_add_test(tc, reader_huge_length_no_wrap);
	tcase_add_test(tc, writer_bounds_and_patch);
	tcase_add_test(tc, hex_roundtrip);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
