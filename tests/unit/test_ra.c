#include "testutil.h"
#include "tun/ra.h"

#include <string.h>

/* Independent checksum: pseudo header + ICMPv6 message, one's complement. */
static void fix_csum(uint8_t *pkt, size_t len)
{
	size_t il = len - 40;
	pkt[42] = pkt[43] = 0;
	uint32_t s = 0;
	for (size_t i = 8; i < 40; i += 2)
		s += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
	s += (uint32_t)il + 58;
	for (size_t i = 40; i < len; i += 2)
		s += (uint32_t)(pkt[i] << 8 | (i + 1 < len ? pkt[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	uint16_t c = (uint16_t)~s;
	pkt[42] = (uint8_t)(c >> 8);
	pkt[43] = (uint8_t)c;
}

/* IPv6 header (payload length patched), RA header with router lifetime
 * 1800, then the options given in hex; checksum filled in. */
static size_t mk_ra(uint8_t *pkt, size_t cap, const char *opts_hex)
{
	size_t n = tu_hex(pkt, cap,
			  "6000 0000 0000 3aff"
			  "fe80 0000 0000 0000 0200 0000 0a4d 0001"
			  "ff02 0000 0000 0000 0000 0000 0000 0001"
			  "8600 0000 4000 0708 0000 0000 0000 0000");
	n += tu_hex(pkt + n, cap - n, opts_hex);
	pkt[4] = (uint8_t)((n - 40) >> 8);
	pkt[5] = (uint8_t)(n - 40);
	fix_csum(pkt, n);
	return n;
}

#define PIO_77 "0304 40c0 0000 0258 0000 012c 0000 0000 2001 0db8 0077 0000 0000 0000 0000 0000"
#define PIO_88 "0304 4040 ffff ffff ffff ffff 0000 0000 2001 0db8 0088 0000 0000 0000 0000 0000"
#define PIO_48 "0304 3080 0000 0e10 0000 0708 0000 0000 2001 0db8 0099 0000 0000 0000 0000 0000"
#define SLLAO "0101 0200 0000 0001"
#define MTU "0501 0000 0000 0500"

START_TEST(several_prefixes)
{
	uint8_t pkt[512];
	size_t n = mk_ra(pkt, sizeof(pkt), SLLAO PIO_77 MTU PIO_88 PIO_48);
	ck_assert(ra_maybe(pkt, n));
	struct ra_info ra;
	ck_assert(ra_parse(pkt, n, &ra));
	ck_assert_uint_eq(ra.router_lifetime, 1800);
	ck_assert_uint_eq(ra.src[0], 0xfe);
	ck_assert_uint_eq(ra.src[15], 1);
	ck_assert_uint_eq(ra.nprefix, 3);
	ck_assert_uint_eq(ra.p[0].plen, 64);
	ck_assert(ra.p[0].onlink && ra.p[0].autonomous);
	ck_assert_uint_eq(ra.p[0].valid, 600);
	ck_assert_uint_eq(ra.p[0].preferred, 300);
	ck_assert_uint_eq(ra.p[0].prefix[5], 0x77);
	ck_assert(!ra.p[1].onlink && ra.p[1].autonomous);
	ck_assert_uint_eq(ra.p[1].valid, 0xffffffffu);
	ck_assert_uint_eq(ra.p[1].prefix[5], 0x88);
	ck_assert_uint_eq(ra.p[2].plen, 48);
	ck_assert(ra.p[2].onlink && !ra.p[2].autonomous);
	/* Trailing link padding past the payload length is ignored. */
	pkt[n] = 0xaa;
	ck_assert(ra_parse(pkt, n + 1, &ra));
}
END_TEST

START_TEST(ignored_prefixes_and_overflow)
{
	uint8_t pkt[1024];
	/* fe80::/64 and preferred > valid: ignored, the RA itself is fine. */
	size_t n =
	    mk_ra(pkt, sizeof(pkt),
		  "0304 40c0 0000 0258 0000 012c 0000 0000 fe80 0000 0000 0000 0000 0000 0000 0000"
		  "0304 40c0 0000 0010 0000 0020 0000 0000 2001 0db8 0001 0000 0000 0000 0000 "
		  "0000" PIO_77);
	struct ra_info ra;
	ck_assert(ra_parse(pkt, n, &ra));
	ck_assert_uint_eq(ra.nprefix, 1);
	ck_assert_uint_eq(ra.p[0].prefix[5], 0x77);
	/* No options at all. */
	n = mk_ra(pkt, sizeof(pkt), "");
	ck_assert(ra_parse(pkt, n, &ra));
	ck_assert_uint_eq(ra.nprefix, 0);
	/* More prefixes than kept: counted. */
	char many[(RA_MAX_PREFIXES + 2) * sizeof(PIO_77)];
	many[0] = '\0';
	for (int i = 0; i < RA_MAX_PREFIXES + 2; i++)
		strcat(many, PIO_77);
	n = mk_ra(pkt, sizeof(pkt), many);
	ck_assert(ra_parse(pkt, n, &ra));
	ck_assert_uint_eq(ra.nprefix, RA_MAX_PREFIXES);
	ck_assert_uint_eq(ra.dropped, 2);
}
END_TEST

START_TEST(malformed)
{
	uint8_t pkt[512];
	struct ra_info ra;
	size_t n = mk_ra(pkt, sizeof(pkt), PIO_77);
	ck_assert(ra_parse(pkt, n, &ra));
	/* Every truncation fails, none crashes. */
	for (size_t i = 0; i < n; i++)
		ck_assert(!ra_parse(pkt, i, &ra));
	/* Wrong checksum. */
	pkt[n - 1] ^= 1;
	ck_assert(!ra_parse(pkt, n, &ra));
	/* Hop limit 254: forwarded from elsewhere. */
	n = mk_ra(pkt, sizeof(pkt), PIO_77);
	pkt[7] = 254;
	fix_csum(pkt, n);
	ck_assert(!ra_parse(pkt, n, &ra));
	/* Global source address. */
	n = mk_ra(pkt, sizeof(pkt), PIO_77);
	pkt[8] = 0x20;
	pkt[9] = 0x01;
	fix_csum(pkt, n);
	ck_assert(!ra_parse(pkt, n, &ra));
	/* ICMPv6 code 1. */
	n = mk_ra(pkt, sizeof(pkt), PIO_77);
	pkt[41] = 1;
	fix_csum(pkt, n);
	ck_assert(!ra_parse(pkt, n, &ra));
	/* Not an RA (a Router Solicitation). */
	n = mk_ra(pkt, sizeof(pkt), "");
	pkt[40] = 133;
	fix_csum(pkt, n);
	ck_assert(!ra_maybe(pkt, n));
	ck_assert(!ra_parse(pkt, n, &ra));
	/* Next header not ICMPv6. */
	n = mk_ra(pkt, sizeof(pkt), PIO_77);
	pkt[6] = 17;
	ck_assert(!ra_maybe(pkt, n));
	ck_assert(!ra_parse(pkt, n, &ra));
	/* Payload length beyond the packet. */
	n = mk_ra(pkt, sizeof(pkt), PIO_77);
	pkt[5] += 8;
	ck_assert(!ra_parse(pkt, n, &ra));
}
END_TEST

START_TEST(bad_option_lengths)
{
	uint8_t pkt[512];
	struct ra_info ra;
	/* Option length 0: must not loop, the RA is dropped. */
	size_t n = mk_ra(pkt, sizeof(pkt), PIO_77 "0100 0000 0000 0000");
	ck_assert(!ra_parse(pkt, n, &ra));
	n = mk_ra(pkt, sizeof(pkt), "0300 0000 0000 0000");
	ck_assert(!ra_parse(pkt, n, &ra));
	/* Option longer than what is left. */
	n = mk_ra(pkt, sizeof(pkt), PIO_77 "0102 0000 0000 0000");
	ck_assert(!ra_parse(pkt, n, &ra));
	/* A prefix option that is not 32 bytes. */
	n = mk_ra(pkt, sizeof(pkt), "0303 40c0 0000 0258 0000 012c 0000 0000 2001 0db8 0077 0000");
	ck_assert(!ra_parse(pkt, n, &ra));
	n = mk_ra(pkt, sizeof(pkt), PIO_77 "0000 0000 0000 0000");
	ck_assert(!ra_parse(pkt, n, &ra));
	/* Option header cut after its type byte (odd ICMPv6 length). */
	n = mk_ra(pkt, sizeof(pkt), PIO_77 "01");
	ck_assert(!ra_parse(pkt, n, &ra));
	/* Prefix length above 128. */
	n = mk_ra(
	    pkt, sizeof(pkt),
	    "0304 81c0 0000 0258 0000 012c 0000 0000 2001 0db8 0077 0000 0000 0000 0000 0000");
	ck_assert(!ra_parse(pkt, n, &ra));
}
END_TEST

START_TEST(build_round_trip)
{
	static const uint8_t id[8] = {2, 0, 0, 0, 0x0a, 0x4d, 0, 1};
	static const uint8_t prefix[8] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x77, 0, 0};
	uint8_t pkt[128];
	ck_assert_uint_eq(ra_build(pkt, 40, id, prefix, 1800, 600, 300), 0);
	size_t n = ra_build(pkt, sizeof(pkt), id, prefix, 1800, 600, 300);
	ck_assert_uint_eq(n, 40 + 16 + 32);
	uint8_t copy[128];
	memcpy(copy, pkt, n);
	fix_csum(copy, n); /* the independent checksum agrees */
	ck_assert_mem_eq(copy, pkt, n);
	struct ra_info ra;
	ck_assert(ra_parse(pkt, n, &ra));
	ck_assert_mem_eq(ra.src + 8, id, 8);
	ck_assert_uint_eq(ra.router_lifetime, 1800);
	ck_assert_uint_eq(ra.nprefix, 1);
	ck_assert_uint_eq(ra.p[0].plen, 64);
	ck_assert(ra.p[0].onlink && ra.p[0].autonomous);
	ck_assert_uint_eq(ra.p[0].valid, 600);
	ck_assert_uint_eq(ra.p[0].preferred, 300);
	ck_assert_mem_eq(ra.p[0].prefix, prefix, 8);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ra");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, several_prefixes);
	tcase_add_test(tc, ignored_prefixes_and_overflow);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, bad_option_lengths);
	tcase_add_test(tc, build_round_trip);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
