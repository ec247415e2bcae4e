/* The control socket's request parser: framing, bounds, printable text,
 * known commands only. */
#include <string.h>

#include "core/bytes.h"
#include "session/control.h"
#include "testutil.h"

/* Frames text as the CLI does: 2-byte big-endian length + bytes. */
static size_t frame(uint8_t *buf, size_t cap, const char *text, size_t n)
{
	ck_assert_uint_le(n + 2, cap);
	be16_put(buf, (uint16_t)n);
	memcpy(buf + 2, text, n);
	return n + 2;
}

static bool parse(const uint8_t *buf, size_t len, enum control_req *req)
{
	struct reader r;
	rd_init(&r, buf, len);
	return control_parse(&r, req);
}

START_TEST(known_commands)
{
	static const struct {
		const char *text;
		enum control_req req;
	} cases[] = {{"show", CONTROL_REQ_SHOW},       {"show json", CONTROL_REQ_SHOW_JSON},
		     {"connect", CONTROL_REQ_CONNECT}, {"disconnect", CONTROL_REQ_DISCONNECT},
		     {"log", CONTROL_REQ_LOG},	       {"reconnect", CONTROL_REQ_RECONNECT}};
	uint8_t buf[64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum control_req req = 0;
		size_t len = frame(buf, sizeof(buf), cases[i].text, strlen(cases[i].text));
		ck_assert_msg(parse(buf, len, &req), "%s", cases[i].text);
		ck_assert_int_eq(req, cases[i].req);
	}
}
END_TEST

START_TEST(unknown_and_near_misses)
{
	static const char *const bad[] = {"sho",      "shows",	     "show  json",    "SHOW",
					  "connect ", " disconnect", "show json x",   "reload",
					  "logs",     "log ",	     "reconnect now", "clear"};
	uint8_t buf[64];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum control_req req = 0;
		size_t len = frame(buf, sizeof(buf), bad[i], strlen(bad[i]));
		ck_assert_msg(!parse(buf, len, &req), "'%s' accepted", bad[i]);
	}
}
END_TEST

START_TEST(framing_bounds)
{
	uint8_t buf[2 + CONTROL_REQ_MAX + 8];
	enum control_req req = 0;
	/* shorter than the header */
	ck_assert(!parse((const uint8_t *)"\0", 1, &req));
	ck_assert(!parse(buf, 0, &req));
	/* zero length */
	be16_put(buf, 0);
	ck_assert(!parse(buf, 2, &req));
	/* length says more than arrived */
	size_t len = frame(buf, sizeof(buf), "show", 4);
	ck_assert(!parse(buf, len - 1, &req));
	/* a command hidden behind a NUL: counted bytes, not a C string */
	len = frame(buf, sizeof(buf), "show\0json", 9);
	ck_assert(!parse(buf, len, &req));
	len = frame(buf, sizeof(buf), "show\n", 5);
	ck_assert(!parse(buf, len, &req));
	/* over the limit, even if the bytes are there */
	memset(buf + 2, 'a', CONTROL_REQ_MAX + 1);
	be16_put(buf, CONTROL_REQ_MAX + 1);
	ck_assert(!parse(buf, CONTROL_REQ_MAX + 3, &req));
	be16_put(buf, 0xffff);
	ck_assert(!parse(buf, sizeof(buf), &req));
	/* high bytes */
	len = frame(buf, sizeof(buf), "sh\xc3\xb6w", 5);
	ck_assert(!parse(buf, len, &req));
}
END_TEST

START_TEST(advances_past_one_frame)
{
	uint8_t buf[64];
	size_t a = frame(buf, sizeof(buf), "connect", 7);
	size_t b = frame(buf + a, sizeof(buf) - a, "show", 4);
	struct reader r;
	rd_init(&r, buf, a + b);
	enum control_req req = 0;
	ck_assert(control_parse(&r, &req));
	ck_assert_int_eq(req, CONTROL_REQ_CONNECT);
	ck_assert_uint_eq(rd_left(&r), b);
	ck_assert(control_parse(&r, &req));
	ck_assert_int_eq(req, CONTROL_REQ_SHOW);
	ck_assert_uint_eq(rd_left(&r), 0);
	ck_assert(!control_parse(&r, &req));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, known_commands);
	tcase_add_test(tc, unknown_and_near_misses);
	tcase_add_test(tc, framing_bounds);
	tcase_add_test(tc, advances_past_one_frame);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
