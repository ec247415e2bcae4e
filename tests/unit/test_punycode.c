/* Host names to their ASCII form: RFC 3492 Punycode against names whose
 * xn-- forms are published (IANA's IDN test names, well-known examples),
 * and the refusals (invalid UTF-8, label lengths, room). */
#include <string.h>

#include "core/punycode.h"
#include "testutil.h"

static const char *ace(const char *in)
{
	static char out[256];
	ck_assert_msg(punycode_host(in, out, sizeof(out)), "refused: %s", in);
	return out;
}

START_TEST(known_names)
{
	ck_assert_str_eq(ace("b\xc3\xbc"
			     "cher.example"),
			 "xn--bcher-kva.example");
	ck_assert_str_eq(ace("m\xc3\xbcnchen.de"), "xn--mnchen-3ya.de");
	/* 例え.テスト, IANA's Japanese test name */
	ck_assert_str_eq(ace("\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88"),
			 "xn--r8jz45g.xn--zckzah");
	/* пример.испытание, the Russian one */
	ck_assert_str_eq(ace("\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80."
			     "\xd0\xb8\xd1\x81\xd0\xbf\xd1\x8b\xd1\x82"
			     "\xd0\xb0\xd0\xbd\xd0\xb8\xd0\xb5"),
			 "xn--e1afmkfd.xn--80akhbyknj4f");
	/* ASCII labels are copied */
	ck_assert_str_eq(ace("vpn.example.com"), "vpn.example.com");
	ck_assert_str_eq(ace("\xc3\xbc"), "xn--tda");
}
END_TEST

START_TEST(refusals)
{
	char out[256];
	static const char *const bad[] = {
	    "\xc0\xaf.example",		/* overlong '/' */
	    "\xed\xa0\x80.example",	/* a surrogate */
	    "\xf4\x90\x80\x80.example", /* beyond U+10FFFF */
	    "\xc3.example",		/* cut sequence */
	    "\xbc.example",		/* lone continuation byte */
	    "a..\xc3\xbc",		/* empty label */
	    "\xc3\xbc.",		/* empty last label */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!punycode_host(bad[i], out, sizeof(out)), "accepted bad[%zu]", i);
	/* a label that encodes to more than 63 characters */
	char longl[200] = "";
	memset(longl, 'a', 58);
	strcat(longl, "\xc3\xbc"); /* xn-- + 58 + '-' + 3 = 66 */
	ck_assert(!punycode_host(longl, out, sizeof(out)));
	longl[54] = 0;
	strcat(longl, "\xc3\xbc"); /* 4 + 54 + 1 + 3 or 4 */
	ck_assert(punycode_host(longl, out, sizeof(out)));
	ck_assert_uint_le(strlen(out), 63);
	/* no room: refused, never cut */
	ck_assert(!punycode_host("b\xc3\xbc"
				 "cher.example",
				 out, 10));
	ck_assert(punycode_host("b\xc3\xbc"
				"cher",
				out, 14));
	ck_assert_str_eq(out, "xn--bcher-kva");
	ck_assert(!punycode_host("b\xc3\xbc"
				 "cher",
				 out, 13));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("punycode");
	TCase *tc = tcase_create("encode");
	tcase_add_test(tc, known_names);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
