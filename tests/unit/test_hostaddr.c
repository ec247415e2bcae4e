/* The host address set behind `ip disable-forwarding`: exact rtnetlink
 * bytes in, set contents out; the hash set under many adds and deletes;
 * the forwarding decision on packets; a dump from the real kernel. */
#include <arpa/inet.h>
#include <string.h>

#include "testutil.h"
#include "tun/hostaddr.h"

/* RTM_NEWADDR ifindex 7, 10.0.0.2 peer 10.0.0.1 /32, IFA_FLAGS */
#define NEWADDR_P2P                                                                                \
	"30000000 1400 0200 00000000 00000000"                                                     \
	"02 20 00 00 07000000"                                                                     \
	"0800 0200 0a000002"                                                                       \
	"0800 0100 0a000001"                                                                       \
	"0800 0800 00020000"
/* RTM_DELADDR of 2001:db8::5/64 on ifindex 2 */
#define DELADDR_V6                                                                                 \
	"2c000000 1500 0000 00000000 00000000"                                                     \
	"0a 40 00 00 02000000"                                                                     \
	"1400 0100 20010db8000000000000000000000005"

START_TEST(parse_exact_bytes)
{
	uint8_t msg[128];
	size_t n = tu_hex(msg, sizeof(msg), NEWADDR_P2P);
	struct hostaddr_msg m;
	ck_assert(hostaddr_parse(msg, n, &m));
	ck_assert(m.add);
	ck_assert_int_eq(m.family, AF_INET);
	ck_assert_int_eq(m.ifindex, 7);
	/* IFA_LOCAL is ours, IFA_ADDRESS the peer's */
	ck_assert_mem_eq(m.addr, "\x0a\x00\x00\x02", 4);
	n = tu_hex(msg, sizeof(msg), DELADDR_V6);
	ck_assert(hostaddr_parse(msg, n, &m));
	ck_assert(!m.add);
	ck_assert_int_eq(m.family, AF_INET6);
	ck_assert_uint_eq(m.addr[15], 5);
	/* the length must match, attributes must fit, the family be known */
	ck_assert(!hostaddr_parse(msg, n - 1, &m));
	msg[16] = 7; /* AF_LOCAL-ish */
	ck_assert(!hostaddr_parse(msg, n, &m));
	n = tu_hex(msg, sizeof(msg),
		   "1c000000 1400 0000 00000000 00000000 02 20 00 00 07000000 0900 0200");
	ck_assert(!hostaddr_parse(msg, n, &m)); /* attribute runs past the end */
}
END_TEST

START_TEST(feed_buffer_add_then_delete)
{
	uint8_t buf[256];
	size_t n = tu_hex(buf, sizeof(buf),
			  NEWADDR_P2P DELADDR_V6 "14000000 0300 0200 01000000 00000000 00000000");
	struct hostaddr *h = hostaddr_new();
	ck_assert(hostaddr_feed(h, buf, n));
	ck_assert_uint_eq(hostaddr_count(h), 1);
	ck_assert(hostaddr_has(h, AF_INET, (const uint8_t *)"\x0a\x00\x00\x02"));
	ck_assert(!hostaddr_has(h, AF_INET, (const uint8_t *)"\x0a\x00\x00\x01"));
	buf[4] = 0x15; /* the same message as RTM_DELADDR */
	ck_assert(hostaddr_feed(h, buf, 0x30));
	ck_assert_uint_eq(hostaddr_count(h), 0);
	/* a truncated buffer is refused, what came before it kept */
	n = tu_hex(buf, sizeof(buf), NEWADDR_P2P "30000000 1400");
	ck_assert(!hostaddr_feed(h, buf, n));
	ck_assert_uint_eq(hostaddr_count(h), 1);
	hostaddr_free(h);
}
END_TEST

START_TEST(set_many_adds_and_deletes)
{
	struct hostaddr *h = hostaddr_new();
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
	for (unsigned i = 0; i < 5000; i++) {
		a[12] = (uint8_t)(i >> 8), a[13] = (uint8_t)i;
		ck_assert_int_eq(hostaddr_add(h, AF_INET6, a, 2), 0);
	}
	ck_assert_uint_eq(hostaddr_count(h), 5000);
	/* remove every odd one: the even ones must all still be found */
	for (unsigned i = 1; i < 5000; i += 2) {
		a[12] = (uint8_t)(i >> 8), a[13] = (uint8_t)i;
		hostaddr_del(h, AF_INET6, a, 2);
	}
	ck_assert_uint_eq(hostaddr_count(h), 2500);
	for (unsigned i = 0; i < 5000; i++) {
		a[12] = (uint8_t)(i >> 8), a[13] = (uint8_t)i;
		ck_assert_msg(hostaddr_has(h, AF_INET6, a) == (i % 2 == 0), "address %u", i);
	}
	/* the same address on two interfaces: the host's until both are
	 * gone; reported twice for one interface (dump and notification):
	 * one delete removes it */
	uint8_t v4[4] = {192, 168, 1, 5};
	hostaddr_add(h, AF_INET, v4, 3);
	hostaddr_add(h, AF_INET, v4, 4);
	hostaddr_add(h, AF_INET, v4, 4);
	hostaddr_del(h, AF_INET, v4, 3);
	ck_assert(hostaddr_has(h, AF_INET, v4));
	hostaddr_del(h, AF_INET, v4, 4);
	ck_assert(!hostaddr_has(h, AF_INET, v4));
	ck_assert_uint_eq(hostaddr_count(h), 2500);
	hostaddr_free(h);
}
END_TEST

START_TEST(for_us_decisions)
{
	struct hostaddr *h = hostaddr_new();
	hostaddr_add(h, AF_INET, (const uint8_t *)"\x0a\x4d\x00\x02", 9);
	uint8_t p4[20] = {0x45};
	memcpy(p4 + 16, "\x0a\x4d\x00\x02", 4);
	ck_assert(hostaddr_for_us(h, p4, 20));
	memcpy(p4 + 16, "\xc0\xa8\x01\x07", 4); /* a LAN host behind us */
	ck_assert(!hostaddr_for_us(h, p4, 20));
	memcpy(p4 + 16, "\xc0\xa8\x01\xff", 4); /* directed broadcast into the LAN */
	ck_assert(!hostaddr_for_us(h, p4, 20));
	memcpy(p4 + 16, "\xff\xff\xff\xff", 4);
	ck_assert(hostaddr_for_us(h, p4, 20));
	memcpy(p4 + 16, "\xe0\x00\x00\xfb", 4);
	ck_assert(hostaddr_for_us(h, p4, 20));
	ck_assert(!hostaddr_for_us(h, p4, 19)); /* too short to say */
	uint8_t p6[40] = {0x60};
	p6[24] = 0xff, p6[25] = 0x02, p6[39] = 1;
	ck_assert(hostaddr_for_us(h, p6, 40));
	memcpy(p6 + 24, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07", 16);
	ck_assert(!hostaddr_for_us(h, p6, 40));
	hostaddr_add(h, AF_INET6, p6 + 24, 9);
	ck_assert(hostaddr_for_us(h, p6, 40));
	ck_assert(!hostaddr_for_us(h, p6, 39));
	hostaddr_free(h);
}
END_TEST

START_TEST(kernel_dump_has_loopback)
{
	struct hostaddr *h = hostaddr_new();
	int fd = hostaddr_open(h);
	ck_assert_int_ge(fd, 0);
	ck_assert(hostaddr_has(h, AF_INET, (const uint8_t *)"\x7f\x00\x00\x01"));
	hostaddr_free(h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("hostaddr");
	TCase *tc = tcase_create("hostaddr");
	tcase_add_test(tc, parse_exact_bytes);
	tcase_add_test(tc, feed_buffer_add_then_delete);
	tcase_add_test(tc, set_many_adds_and_deletes);
	tcase_add_test(tc, for_us_decisions);
	tcase_add_test(tc, kernel_dump_has_loopback);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
