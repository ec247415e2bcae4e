#include "sstp/sstp_wire.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static const char ok_reply[] = "HTTP/1.1 200 OK\r\n"
			       "Content-Length: 18446744073709551615\r\n"
			       "Server: Microsoft-HTTPAPI/2.0\r\n"
			       "\r\n";

START_TEST(request_has_headers_and_fresh_guid)
{
	char out[512];
	uint8_t g[16];
	memset(g, 0xab, sizeof(g));
	size_t n = sstp_http_build_request(out, sizeof(out), "vpn.example.com", g);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(strlen(out), n);
	ck_assert_ptr_nonnull(strstr(out, "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-"
					  "C84EE0ADCD75}/ HTTP/1.1\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nHost: vpn.example.com\r\n"));
	ck_assert_ptr_nonnull(strstr(out, "\r\nContent-Length: 18446744073709551615\r\n"));
	ck_assert_ptr_nonnull(
	    strstr(out, "\r\nSSTPCORRELATIONID: {ABABABAB-ABAB-4BAB-ABAB-ABABABABABAB}\r\n"));
	ck_assert_str_eq(out + n - 4, "\r\n\r\n");
	/* our own server accepts it */
	int st;
	char err[128];
	ck_assert_int_eq(sstp_http_parse_request((uint8_t *)out, n, &st, err, sizeof(err)), n);
	ck_assert_int_eq(st, 200);

	n = sstp_http_build_request(out, sizeof(out), "2001:db8::1", g);
	ck_assert_ptr_nonnull(strstr(out, "\r\nHost: [2001:db8::1]\r\n"));
	n = sstp_http_build_request(out, sizeof(out), "[2001:db8::1]", g);
	ck_assert_ptr_nonnull(strstr(out, "\r\nHost: [2001:db8::1]\r\n"));
	n = sstp_http_build_request(out, sizeof(out), "host:8443", g);
	ck_assert_ptr_nonnull(strstr(out, "\r\nHost: host:8443\r\n"));
	/* header injection and overflow refused */
	ck_assert_uint_eq(sstp_http_build_request(out, sizeof(out), "a\r\nX: y", g), 0);
	ck_assert_uint_eq(sstp_http_build_request(out, sizeof(out), "", g), 0);
	ck_assert_uint_eq(sstp_http_build_request(out, 100, "h", g), 0);
}
END_TEST

START_TEST(response_split_across_reads)
{
	size_t n = strlen(ok_reply);
	char err[128];
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(
		    sstp_http_parse_response((const uint8_t *)ok_reply, i, err, sizeof(err)), 0);
	ck_assert_int_eq(sstp_http_parse_response((const uint8_t *)ok_reply, n, err, sizeof(err)),
			 n);
}
END_TEST

START_TEST(response_followed_by_sstp)
{
	uint8_t buf[256];
	size_t n = strlen(ok_reply);
	memcpy(buf, ok_reply, n);
	size_t m =
	    tu_hex(buf + n, sizeof(buf) - n, "10 01 00 30 00 02 00 01 00 04 00 28 00 00 00 02");
	char err[128];
	ck_assert_int_eq(sstp_http_parse_response(buf, n + m, err, sizeof(err)), n);
	/* minimal status line without reason */
	const char *bare = "HTTP/1.0 200\r\n\r\n";
	ck_assert_int_eq(
	    sstp_http_parse_response((const uint8_t *)bare, strlen(bare), err, sizeof(err)),
	    strlen(bare));
}
END_TEST

START_TEST(response_errors)
{
	char err[128];
	const char *r = "HTTP/1.1 403 Forbidden\x01\x7f\r\nX: y\r\n\r\n";
	ck_assert_int_eq(sstp_http_parse_response((const uint8_t *)r, strlen(r), err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "server refused SSTP: \"HTTP/1.1 403 Forbidden??\"");
	/* early rejection of non-HTTP without waiting for the header end */
	r = "SSH-2.0";
	ck_assert_int_eq(sstp_http_parse_response((const uint8_t *)r, strlen(r), err, sizeof(err)),
			 -1);
	r = "HTTP/1.1 2000 OK\r\n\r\n";
	ck_assert_int_eq(sstp_http_parse_response((const uint8_t *)r, strlen(r), err, sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "malformed"));
	r = "HTTP/1.1 20";
	ck_assert_int_eq(sstp_http_parse_response((const uint8_t *)r, strlen(r), err, 8), 0);
	/* oversized header block */
	static uint8_t big[9000];
	memset(big, 'a', sizeof(big));
	memcpy(big, "HTTP/1.1 200 OK\r\n", 17);
	ck_assert_int_eq(sstp_http_parse_response(big, 8191, err, sizeof(err)), 0);
	ck_assert_int_eq(sstp_http_parse_response(big, sizeof(big), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "8192"));
	/* a long status line is cut in the error */
	memset(big, 'x', sizeof(big));
	memcpy(big, "HTTP/1.1 500 ", 13);
	memcpy(big + 600, "\r\n\r\n", 4);
	ck_assert_int_eq(sstp_http_parse_response(big, 604, err, sizeof(err)), -1);
	ck_assert_uint_lt(strlen(err), sizeof(err));
}
END_TEST

START_TEST(request_parser)
{
	int st;
	char err[128];
	const char *r = "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n"
			"Host: x\r\n\r\n";
	ck_assert_int_eq(
	    sstp_http_parse_request((const uint8_t *)r, strlen(r) - 1, &st, err, sizeof(err)), 0);
	ck_assert_int_eq(
	    sstp_http_parse_request((const uint8_t *)r, strlen(r), &st, err, sizeof(err)),
	    strlen(r));
	ck_assert_int_eq(st, 200);
	r = "GET / HTTP/1.1\r\n\r\n";
	ck_assert_int_eq(
	    sstp_http_parse_request((const uint8_t *)r, strlen(r), &st, err, sizeof(err)),
	    strlen(r));
	ck_assert_int_eq(st, 404);
	r = "SSTP_DUPLEX_POST /sra_x/ HTTP/1.1\r\n\r\n";
	ck_assert_int_eq(
	    sstp_http_parse_request((const uint8_t *)r, strlen(r), &st, err, sizeof(err)),
	    strlen(r));
	ck_assert_int_eq(st, 404);
	r = "garbage\r\n\r\n";
	ck_assert_int_eq(
	    sstp_http_parse_request((const uint8_t *)r, strlen(r), &st, err, sizeof(err)), -1);
	r = "A B C D\r\n\r\n";
	ck_assert_int_eq(
	    sstp_http_parse_request((const uint8_t *)r, strlen(r), &st, err, sizeof(err)), -1);
	r = "A\x01";
	ck_assert_int_eq(
	    sstp_http_parse_request((const uint8_t *)r, strlen(r), &st, err, sizeof(err)), -1);

	char out[256];
	size_t n = sstp_http_build_reply(out, sizeof(out), 200);
	ck_assert_int_eq(sstp_http_parse_response((uint8_t *)out, n, err, sizeof(err)), n);
	n = sstp_http_build_reply(out, sizeof(out), 404);
	ck_assert_int_eq(sstp_http_parse_response((uint8_t *)out, n, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "404 Not Found"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sstp_http");
	TCase *tc = tcase_create("http");
	tcase_add_test(tc, request_has_headers_and_fresh_guid);
	tcase_add_test(tc, response_split_across_reads);
	tcase_add_test(tc, response_followed_by_sstp);
	tcase_add_test(tc, response_errors);
	tcase_add_test(tc, request_parser);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
