/* `show interfaces sstpc` byte for byte: the `ip addr show` block as
 * iproute2 prints it for a TUN (taken from `ip addr show` of a TUN made
 * with `ip tuntap`), VyOS's Description line and RX/TX table
 * (src/op_mode/interfaces.py: tabulate, plain, right-aligned), the summary
 * table, pppstats' columns, and the rtnetlink parsers that feed them. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "session/show.h"
#include "testutil.h"
#include "tun/nl.h"
#include "tun/nl_show.h"

static char OUT[8192];

static FILE *out_open(void)
{
	memset(OUT, 0, sizeof(OUT));
	FILE *f = fmemopen(OUT, sizeof(OUT), "w");
	ck_assert_ptr_nonnull(f);
	return f;
}

static struct nl_show_addr addr4(const char *local, const char *peer, uint8_t plen)
{
	struct nl_show_addr a = {
	    .family = AF_INET, .prefixlen = plen, .scope = 0, .flags = IFA_F_PERMANENT};
	inet_pton(AF_INET, local, a.local);
	inet_pton(AF_INET, peer, a.address);
	a.has_local = a.has_address = a.has_cacheinfo = true;
	a.valid = a.preferred = 0xffffffffu;
	strcpy(a.label, "sstpc0");
	return a;
}

static struct nl_show_addr addr6(const char *addr, uint8_t plen, uint8_t scope, uint32_t flags,
				 uint32_t valid, uint32_t pref)
{
	struct nl_show_addr a = {
	    .family = AF_INET6, .prefixlen = plen, .scope = scope, .flags = flags};
	inet_pton(AF_INET6, addr, a.address);
	a.has_address = a.has_cacheinfo = true;
	a.valid = valid;
	a.preferred = pref;
	return a;
}

static struct nl_link_info tun_link(unsigned flags, int operstate)
{
	struct nl_link_info l = {.ifindex = 7,
				 .type = 0xfffe,
				 .flags = flags,
				 .mtu = 1400,
				 .txqlen = 500,
				 .operstate = operstate};
	strcpy(l.name, "sstpc0");
	strcpy(l.qdisc, "fq_codel");
	return l;
}

#define OPER_UNKNOWN 0 /* IF_OPER_*: <linux/if.h> clashes with <net/if.h> */
#define OPER_DOWN 2
#define F_UP_RUNNING (IFF_POINTOPOINT | IFF_MULTICAST | IFF_NOARP | IFF_UP | IFF_RUNNING | 0x10000)

START_TEST(ip_addr_block)
{
	struct nl_link_info l = tun_link(F_UP_RUNNING, OPER_UNKNOWN);
	struct nl_show_addr a[3] = {
	    addr4("10.9.0.2", "10.9.0.1", 32), addr6("2001:db8::5", 64, 0, 0, 3000, 2000),
	    addr6("fe80::1234", 64, 253, IFA_F_PERMANENT, 0xffffffffu, 0xffffffffu)};
	FILE *f = out_open();
	show_ip_addr(f, &l, "", a, 3);
	fclose(f);
	ck_assert_str_eq(
	    OUT, "sstpc0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1400 qdisc fq_codel state "
		 "UNKNOWN group default qlen 500\n"
		 "    link/none \n"
		 "    inet 10.9.0.2 peer 10.9.0.1/32 scope global sstpc0\n"
		 "       valid_lft forever preferred_lft forever\n"
		 "    inet6 2001:db8::5/64 scope global dynamic \n"
		 "       valid_lft 3000sec preferred_lft 2000sec\n"
		 "    inet6 fe80::1234/64 scope link \n"
		 "       valid_lft forever preferred_lft forever\n");
	/* up without carrier, in a VRF, no address: the trailing blank of
	 * "link/none " goes with VyOS's strip */
	l = tun_link(IFF_POINTOPOINT | IFF_MULTICAST | IFF_NOARP | IFF_UP, OPER_DOWN);
	f = out_open();
	show_ip_addr(f, &l, "red", NULL, 0);
	fclose(f);
	ck_assert_str_eq(
	    OUT,
	    "sstpc0: <NO-CARRIER,POINTOPOINT,MULTICAST,NOARP,UP> mtu 1400 qdisc fq_codel master "
	    "red state DOWN group default qlen 500\n"
	    "    link/none\n");
}
END_TEST

START_TEST(detail_tail)
{
	struct nl_link_stats st = {.rx_bytes = 5012345,
				   .rx_packets = 3601,
				   .tx_bytes = 1234,
				   .tx_packets = 17,
				   .tx_dropped = 2,
				   .collisions = 0};
	FILE *f = out_open();
	show_vyos_detail_tail(f, "Branch uplink", &st);
	fclose(f);
	ck_assert_str_eq(OUT, "    Description: Branch uplink\n"
			      "\n"
			      "    RX:    bytes  packets  errors  dropped  overrun       mcast\n"
			      "         5012345     3601       0        0        0           0\n"
			      "    TX:    bytes  packets  errors  dropped  carrier  collisions\n"
			      "            1234       17       0        2        0           0\n");
	struct nl_link_stats zero = {0};
	f = out_open();
	show_vyos_detail_tail(f, "", &zero);
	fclose(f);
	ck_assert_str_eq(OUT, "\n"
			      "    RX:  bytes  packets  errors  dropped  overrun       mcast\n"
			      "             0        0       0        0        0           0\n"
			      "    TX:  bytes  packets  errors  dropped  carrier  collisions\n"
			      "             0        0       0        0        0           0\n");
}
END_TEST

START_TEST(pppstats_columns)
{
	struct nl_link_stats st = {
	    .rx_bytes = 6280, .rx_packets = 68, .tx_bytes = 3580, .tx_packets = 65};
	FILE *f = out_open();
	show_pppstats(f, &st);
	fclose(f);
	ck_assert_str_eq(
	    OUT, "      IN   PACK VJCOMP  VJUNC  VJERR  |      OUT   PACK VJCOMP  VJUNC NON-VJ\n"
		 "    6280     68      0      0      0  |     3580     65      0      0     65\n");
}
END_TEST

START_TEST(summary_table)
{
	struct nl_show_addr a[3] = {
	    addr4("10.9.0.2", "10.9.0.1", 32),
	    addr6("fe80::1234", 64, 253, IFA_F_PERMANENT, 0xffffffffu, 0xffffffffu),
	    addr6("2001:db8:1234:5678:9abc:def0:1234:5678", 64, 0, 0, 3000, 2000)};
	char addrs[4][64];
	int n = show_summary_addrs(a, 3, addrs, 4);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(addrs[0], "10.9.0.2/32");
	ck_assert_str_eq(addrs[1], "2001:db8:1234:5678:9abc:def0:1234:5678/64");
	const char *ap[2] = {addrs[0], addrs[1]};
	FILE *f = out_open();
	show_summary_header(f);
	show_summary_row(f, "sstpc0", true, true, ap, 2, "Branch uplink to the head office in town",
			 40);
	show_summary_row(f, "sstpc1", false, false, NULL, 0, "", 80);
	fclose(f);
	ck_assert_str_eq(OUT,
			 "Codes: S - State, L - Link, u - Up, D - Down, A - Admin Down\n"
			 "Interface        IP Address                        S/L  Description\n"
			 "---------        ----------                        ---  -----------\n"
			 "sstpc0           10.9.0.2/32                       u/u  Branch uplink to "
			 "the head office in\n"
			 "                 2001:db8:1234:5678:9abc:def0:1234:5678/64\n"
			 "                                                        town\n"
			 "sstpc1           -                                 A/D  \n");
}
END_TEST

/* The parsers over messages built as the kernel sends them. */
START_TEST(parse_messages)
{
	uint8_t buf[512];
	struct nlmsg m;
	nlm_init(&m, buf, sizeof(buf), RTM_NEWADDR, 0);
	struct ifaddrmsg ifa = {
	    .ifa_family = AF_INET, .ifa_prefixlen = 32, .ifa_flags = 0x80, .ifa_index = 9};
	memcpy(nlm_reserve(&m, sizeof(ifa)), &ifa, sizeof(ifa));
	uint8_t l4[4] = {10, 9, 0, 2}, p4[4] = {10, 9, 0, 1};
	nlm_attr(&m, IFA_ADDRESS, p4, 4);
	nlm_attr(&m, IFA_LOCAL, l4, 4);
	nlm_attr_str(&m, IFA_LABEL, "sstpc0");
	uint32_t ci[4] = {0xffffffffu, 0xffffffffu, 1, 2};
	nlm_attr(&m, IFA_CACHEINFO, ci, sizeof(ci));
	nlm_attr_u32(&m, IFA_FLAGS, 0x280);
	size_t len = nlm_end(&m);
	struct nl_show_addr a;
	int idx = 0;
	ck_assert(nl_show_parse_addr(buf, len, &idx, &a));
	ck_assert_int_eq(idx, 9);
	ck_assert(a.has_local && a.has_address && a.has_cacheinfo);
	ck_assert_mem_eq(a.local, l4, 4);
	ck_assert_mem_eq(a.address, p4, 4);
	ck_assert_uint_eq(a.flags, 0x280);
	ck_assert_str_eq(a.label, "sstpc0");
	/* every shorter message is refused or parsed within bounds */
	for (size_t cut = 0; cut < len; cut++) {
		buf[0] = (uint8_t)cut; /* the header's length follows the cut */
		nl_show_parse_addr(buf, cut, &idx, &a);
	}
	/* a wrong-sized address is ignored, not read past */
	nlm_init(&m, buf, sizeof(buf), RTM_NEWADDR, 0);
	memcpy(nlm_reserve(&m, sizeof(ifa)), &ifa, sizeof(ifa));
	nlm_attr(&m, IFA_ADDRESS, p4, 3);
	len = nlm_end(&m);
	ck_assert(!nl_show_parse_addr(buf, len, &idx, &a));

	nlm_init(&m, buf, sizeof(buf), RTM_NEWLINK, 0);
	struct ifinfomsg ifi = {.ifi_type = 0xfffe, .ifi_index = 9, .ifi_flags = F_UP_RUNNING};
	memcpy(nlm_reserve(&m, sizeof(ifi)), &ifi, sizeof(ifi));
	nlm_attr_str(&m, IFLA_IFNAME, "sstpc0");
	nlm_attr_str(&m, IFLA_QDISC, "fq_codel");
	nlm_attr_u32(&m, IFLA_MTU, 1400);
	nlm_attr_u32(&m, IFLA_TXQLEN, 500);
	nlm_attr_u32(&m, IFLA_GROUP, 0);
	nlm_attr_u8(&m, IFLA_OPERSTATE, OPER_UNKNOWN);
	nlm_attr_str(&m, IFLA_IFALIAS, "Branch uplink");
	len = nlm_end(&m);
	struct nl_link_info l;
	ck_assert(nl_parse_link(buf, len, &l));
	ck_assert_int_eq(l.ifindex, 9);
	ck_assert_uint_eq(l.type, 0xfffe);
	ck_assert_str_eq(l.qdisc, "fq_codel");
	ck_assert_str_eq(l.alias, "Branch uplink");
	ck_assert_uint_eq(l.mtu, 1400);
	ck_assert_uint_eq(l.txqlen, 500);
	ck_assert_int_eq(l.operstate, OPER_UNKNOWN);
	ck_assert(!l.has_stats);
	/* the type must match */
	buf[4] = RTM_NEWADDR;
	ck_assert(!nl_parse_link(buf, len, &l));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("show");
	TCase *tc = tcase_create("layout");
	tcase_add_test(tc, ip_addr_block);
	tcase_add_test(tc, detail_tail);
	tcase_add_test(tc, pppstats_columns);
	tcase_add_test(tc, summary_table);
	tcase_add_test(tc, parse_messages);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
