#include "testutil.h"
#include "tun/mss.h"

#include "core/bytes.h"

#include <stdio.h>
#include <string.h>

/* Checksums are verified with tu_sum16/tu_fold (testutil), which share
 * nothing with the code under test. */
/* Sum over pseudo header + segment: 0xffff when the checksum is right. */
static uint16_t tcp_verify(const uint8_t *pkt, size_t tcpoff, size_t tcplen)
{
	uint32_t s = 0;
	if (pkt[0] >> 4 == 4) {
		s = tu_sum16(s, pkt + 12, 8);
	} else {
		s = tu_sum16(s, pkt + 8, 32);
	}
	s += 6 + (uint32_t)tcplen;
	s = tu_sum16(s, pkt + tcpoff, tcplen);
	return tu_fold(s);
}

static void tcp_fix(uint8_t *pkt, size_t tcpoff, size_t tcplen)
{
	pkt[tcpoff + 16] = pkt[tcpoff + 17] = 0;
	uint16_t c = (uint16_t)~tcp_verify(pkt, tcpoff, tcplen);
	pkt[tcpoff + 16] = (uint8_t)(c >> 8);
	pkt[tcpoff + 17] = (uint8_t)c;
}

/* Builds IPv4 or IPv6 + TCP with the given options and payload; returns
 * the length, *tcpoff where TCP starts. */
static size_t build(uint8_t *pkt, int v, uint8_t flags, const char *opts_hex, size_t payload,
		    size_t *tcpoff)
{
	uint8_t opts[60];
	size_t olen = tu_hex(opts, sizeof(opts), opts_hex);
	ck_assert_uint_eq(olen % 4, 0);
	size_t ipl = v == 4 ? 20 : 40;
	size_t tcplen = 20 + olen + payload;
	memset(pkt, 0, ipl + tcplen);
	if (v == 4) {
		tu_hex(pkt, 20, "4500 0000 1234 4000 4006 0000 c0000201 c6336407");
		pkt[2] = (uint8_t)((20 + tcplen) >> 8);
		pkt[3] = (uint8_t)(20 + tcplen);
	} else {
		tu_hex(pkt, 40,
		       "6000 0000 0000 0640 20010db8000000000000000000000001"
		       "20010db8000000000000000000000002");
		pkt[4] = (uint8_t)(tcplen >> 8);
		pkt[5] = (uint8_t)tcplen;
	}
	uint8_t *t = pkt + ipl;
	tu_hex(t, 20, "c350 01bb 11223344 00000000 0000 faf0 0000 0000");
	t[12] = (uint8_t)((20 + olen) / 4 << 4);
	t[13] = flags;
	memcpy(t + 20, opts, olen);
	for (size_t i = 0; i < payload; i++)
		t[20 + olen + i] = (uint8_t)(i * 7 + 3);
	tcp_fix(pkt, ipl, tcplen);
	*tcpoff = ipl;
	return ipl + tcplen;
}

struct ocase {
	const char *opts;
	size_t mss_at; /* offset of the MSS value in the options, or 0 */
};

static const struct ocase cases[] = {
    {"020405b4", 2},
    {"01020405b4010101", 3},		 /* odd: after one NOP */
    {"0402 020405b4 0101 030307 00", 4}, /* after SACK-permitted */
    {"0402080a0000000100000000 01 020405b4 010303", 15},
    {"0101080a00000001000000000101 020405b4 030307 000000", 16},
    {"030307 0402 01 020405b4 0000", 8},
};

START_TEST(syn_and_synack_mss_lowered)
{
	for (int v = 4; v <= 6; v += 2) {
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			for (int synack = 0; synack < 2; synack++) {
				const char *o = cases[c].opts;
				size_t at = cases[c].mss_at;
				uint8_t pkt[200];
				size_t toff;
				size_t n = build(pkt, v, synack ? 0x12 : 0x02, o, 5, &toff);
				size_t tcplen = n - toff;
				ck_assert_uint_eq(tcp_verify(pkt, toff, tcplen), 0xffff);
				ck_assert_uint_eq(be16_get(pkt + toff + 20 + at), 1460);
				ck_assert(mss_clamp(pkt, n, 1360, 1340));
				uint16_t want = v == 4 ? 1360 : 1340;
				ck_assert_msg((pkt[toff + 20 + at] << 8 | pkt[toff + 21 + at]) ==
						  want,
					      "v%d case %zu", v, c);
				ck_assert_msg(tcp_verify(pkt, toff, tcplen) == 0xffff,
					      "checksum v%d case %zu", v, c);
				/* idempotent: a second pass changes nothing */
				ck_assert(!mss_clamp(pkt, n, 1360, 1340));
			}
		}
	}
}
END_TEST

static void assert_unchanged(uint8_t *pkt, size_t n, const char *what)
{
	uint8_t copy[256];
	ck_assert_uint_le(n, sizeof(copy));
	memcpy(copy, pkt, n);
	ck_assert_msg(!mss_clamp(pkt, n, 1360, 1340), "%s: changed", what);
	ck_assert_msg(memcmp(copy, pkt, n) == 0, "%s: bytes changed", what);
}

START_TEST(unchanged_cases)
{
	for (int v = 4; v <= 6; v += 2) {
		uint8_t pkt[200];
		size_t toff;
		size_t n = build(pkt, v, 0x02, "0402 0103 0307 0000", 0, &toff);
		assert_unchanged(pkt, n, "no MSS option");
		n = build(pkt, v, 0x02, "02040200", 0, &toff); /* 512 < target */
		assert_unchanged(pkt, n, "smaller MSS");
		n = build(pkt, v, 0x02, "02040550", 0, &toff); /* 1360 == v4 target */
		if (v == 4)
			assert_unchanged(pkt, n, "equal MSS");
		n = build(pkt, v, 0x10, "020405b4", 0, &toff);
		assert_unchanged(pkt, n, "ACK without SYN");
		n = build(pkt, v, 0x02, "00 020405b4 000000", 0, &toff);
		assert_unchanged(pkt, n, "MSS after EOL");
		n = build(pkt, v, 0x02, "0400 020405b4 0000", 0, &toff);
		assert_unchanged(pkt, n, "option length 0");
		n = build(pkt, v, 0x02, "0401 020405b4 0000", 0, &toff);
		assert_unchanged(pkt, n, "option length 1");
		n = build(pkt, v, 0x02, "0203 05b4", 0, &toff);
		assert_unchanged(pkt, n, "MSS of length 3");
		n = build(pkt, v, 0x02, "010101 020805b4 00", 0, &toff);
		assert_unchanged(pkt, n, "option past the header");
		n = build(pkt, v, 0x02, "020405b4", 0, &toff);
		pkt[toff + 12] = 0x40; /* data offset 16 < 20 */
		assert_unchanged(pkt, n, "data offset too small");
		pkt[toff + 12] = 0xf0; /* 60 > segment */
		assert_unchanged(pkt, n, "data offset too large");
		n = build(pkt, v, 0x02, "020405b4", 0, &toff);
		ck_assert(!mss_clamp(pkt, n, v == 4 ? 0 : 1360, v == 6 ? 0 : 1340));
		/* truncated at every length: nothing changes, nothing crashes */
		n = build(pkt, v, 0x02, "0101 080a0000000100000000 020405b4", 0, &toff);
		for (size_t cut = 0; cut < n; cut++) {
			char what[32];
			snprintf(what, sizeof(what), "v%d cut %zu", v, cut);
			assert_unchanged(pkt, cut, what);
		}
		ck_assert(mss_clamp(pkt, n, 1360, 1340));
	}
	uint8_t pkt[200];
	size_t toff;
	size_t n = build(pkt, 4, 0x02, "020405b4", 0, &toff);
	pkt[6] = 0x20; /* MF, offset 0: the first fragment is fine */
	ck_assert(mss_clamp(pkt, n, 1000, 1000));
	n = build(pkt, 4, 0x02, "020405b4", 0, &toff);
	pkt[7] = 0x01; /* offset != 0 */
	assert_unchanged(pkt, n, "later fragment");
	n = build(pkt, 4, 0x02, "020405b4", 0, &toff);
	pkt[9] = 17;
	assert_unchanged(pkt, n, "UDP");
	pkt[9] = 6;
	pkt[0] = 0x44; /* IHL 16 */
	assert_unchanged(pkt, n, "IHL < 5");
	pkt[0] = 0x5f;
	assert_unchanged(pkt, n, "version 5");
	assert_unchanged(pkt, 0, "empty");
}
END_TEST

/* IPv6 with extension headers before TCP: hop-by-hop, then a fragment
 * header (offset 0), then destination options. */
START_TEST(ipv6_extension_headers)
{
	uint8_t pkt[256];
	size_t toff;
	size_t n0 = build(pkt, 6, 0x12, "01 020405b4 010101", 3, &toff);
	size_t tcplen = n0 - 40;
	uint8_t ext[24];
	tu_hex(ext, sizeof(ext),
	       "2c00 0104 00000000"   /* HBH: next frag, PadN */
	       "3c00 0000 12345678"   /* fragment: next dstopts, offset 0 */
	       "0600 0104 00000000"); /* dstopts: next TCP */
	memmove(pkt + 64, pkt + 40, tcplen);
	memcpy(pkt + 40, ext, 24);
	pkt[6] = 0; /* hop-by-hop */
	size_t n = n0 + 24;
	pkt[4] = (uint8_t)((tcplen + 24) >> 8);
	pkt[5] = (uint8_t)(tcplen + 24);
	uint8_t copy[256];
	memcpy(copy, pkt, n);
	ck_assert(mss_clamp(pkt, n, 1360, 1220));
	ck_assert_uint_eq(be16_get(pkt + 64 + 23), 1220);
	ck_assert_uint_eq(tcp_verify(pkt, 64, tcplen), 0xffff);
	/* a non-first fragment is left alone */
	memcpy(pkt, copy, n);
	pkt[40 + 8 + 3] = 0x08;
	assert_unchanged(pkt, n, "v6 later fragment");
	/* an unknown next header (ESP) is left alone */
	memcpy(pkt, copy, n);
	pkt[6] = 50;
	assert_unchanged(pkt, n, "ESP");
	/* an extension header running past the payload */
	memcpy(pkt, copy, n);
	pkt[41] = 40;
	assert_unchanged(pkt, n, "long ext header");
	/* every truncation of the payload length */
	for (size_t pl = 0; pl < n - 40; pl++) {
		memcpy(pkt, copy, n);
		pkt[4] = (uint8_t)(pl >> 8);
		pkt[5] = (uint8_t)pl;
		mss_clamp(pkt, 40 + pl, 1360, 1220);
		ck_assert_mem_eq(pkt + 40 + pl, copy + 40 + pl, n - 40 - pl);
	}
}
END_TEST

/* RFC 1624's example of why eqn. 3 is needed: an update whose result
 * would be -0 in eqn. 2. Checked through a real packet whose checksum
 * lands on 0x0000 / 0xffff. */
START_TEST(checksum_edge_values)
{
	for (uint16_t seed = 0; seed < 2048; seed++) {
		uint8_t pkt[200];
		size_t toff;
		size_t n = build(pkt, 4, 0x02, "020405b4", 2, &toff);
		pkt[toff + 4] = (uint8_t)(seed >> 8);
		pkt[toff + 5] = (uint8_t)seed;
		tcp_fix(pkt, toff, n - toff);
		ck_assert(mss_clamp(pkt, n, (uint16_t)(536 + seed % 900), 1220));
		ck_assert_uint_eq(tcp_verify(pkt, toff, n - toff), 0xffff);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mss");
	TCase *tc = tcase_create("clamp");
	tcase_add_test(tc, syn_and_synack_mss_lowered);
	tcase_add_test(tc, unchanged_cases);
	tcase_add_test(tc, ipv6_extension_headers);
	tcase_add_test(tc, checksum_edge_values);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
