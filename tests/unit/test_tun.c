#include "core/loop.h"
#include "testutil.h"
#include "tun/nl.h"
#include "tun/tun.h"
#include "tun_testns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <unistd.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the expected netlink bytes below are little-endian"
#endif

START_TEST(enc_set_master_bytes)
{
	uint8_t buf[128], want[64];
	size_t len = nl_enc_set_master(buf, sizeof(buf), 7, 0x1234);
	size_t wl = tu_hex(want, sizeof(want),
			   "28000000 1000 0000 00000000 00000000" /* nlmsghdr RTM_NEWLINK */
			   "0000 0000 07000000 00000000 00000000" /* ifinfomsg index 7 */
			   "0800 0a00 34120000");		  /* IFLA_MASTER */
	ck_assert_uint_eq(len, wl);
	ck_assert_mem_eq(buf, want, wl);
	ck_assert_uint_eq(nl_enc_set_master(buf, 39, 7, 1), 0); /* does not fit */
}
END_TEST

START_TEST(enc_addr4_p2p_bytes)
{
	struct nl_addr a = {.family = AF_INET, .ifindex = 5, .plen = 32, .has_peer = true};
	memcpy(a.local, (uint8_t[]){10, 0, 0, 2}, 4);
	memcpy(a.peer, (uint8_t[]){10, 0, 0, 1}, 4);
	uint8_t buf[128], want[64];
	size_t len = nl_enc_addr(buf, sizeof(buf), true, &a);
	size_t wl = tu_hex(want, sizeof(want),
			   "28000000 1400 0006 00000000 00000000" /* RTM_NEWADDR CREATE|EXCL */
			   "02 20 00 00 05000000"		  /* ifaddrmsg */
			   "0800 0200 0a000002"			  /* IFA_LOCAL */
			   "0800 0100 0a000001");		  /* IFA_ADDRESS = peer */
	ck_assert_uint_eq(len, wl);
	ck_assert_mem_eq(buf, want, wl);
}
END_TEST

START_TEST(enc_addr_noprefixroute_bytes)
{
	struct nl_addr a = {
	    .family = AF_INET, .ifindex = 5, .plen = 32, .has_peer = true, .noprefixroute = true};
	memcpy(a.local, (uint8_t[]){10, 0, 0, 2}, 4);
	memcpy(a.peer, (uint8_t[]){8, 8, 8, 8}, 4);
	uint8_t buf[128], want[64];
	size_t len = nl_enc_addr(buf, sizeof(buf), true, &a);
	size_t wl = tu_hex(want, sizeof(want),
			   "30000000 1400 0006 00000000 00000000" /* RTM_NEWADDR CREATE|EXCL */
			   "02 20 00 00 05000000"		  /* ifaddrmsg */
			   "0800 0200 0a000002"			  /* IFA_LOCAL */
			   "0800 0100 08080808"			  /* IFA_ADDRESS = peer */
			   "0800 0800 00020000");		  /* IFA_FLAGS NOPREFIXROUTE */
	ck_assert_uint_eq(len, wl);
	ck_assert_mem_eq(buf, want, wl);
}
END_TEST

START_TEST(enc_route_bytes)
{
	struct nl_route rt = {.family = AF_INET, .plen = 24, .oif = 3, .metric = 220};
	memcpy(rt.dst, (uint8_t[]){192, 168, 5, 0}, 4);
	uint8_t buf[256], want[128];
	size_t len = nl_enc_route(buf, sizeof(buf), true, &rt);
	size_t wl = tu_hex(want, sizeof(want),
			   "3c000000 1800 0006 00000000 00000000" /* RTM_NEWROUTE CREATE|EXCL */
			   "02 18 00 00 fe 04 fd 01 00000000"	  /* main, static, link, unicast */
			   "0800 0100 c0a80500"			  /* RTA_DST */
			   "0800 0400 03000000"			  /* RTA_OIF */
			   "0800 0600 dc000000"			  /* RTA_PRIORITY */
			   "0800 0f00 fe000000");		  /* RTA_TABLE */
	ck_assert_uint_eq(len, wl);
	ck_assert_mem_eq(buf, want, wl);
	/* plen beyond the family is refused */
	rt.plen = 33;
	ck_assert_uint_eq(nl_enc_route(buf, sizeof(buf), true, &rt), 0);
}
END_TEST

START_TEST(parse_link_vrf_kind)
{
	uint8_t msg[256];
	size_t n =
	    tu_hex(msg, sizeof(msg),
		   "48000000 1000 0000 00000000 00000000"
		   "0000 0000 09000000 c1000100 00000000"
		   "0800 0300 72656400"			      /* IFLA_IFNAME "red" */
		   "0800 0400 dc050000"			      /* IFLA_MTU 1500 */
		   "0800 0a00 02000000"			      /* IFLA_MASTER 2 */
		   "1000 1280 0800 0100 76726600 0400 0200"); /* LINKINFO{KIND "vrf", DATA} */
	ck_assert_uint_eq(n, 72);
	struct nl_link_info li;
	ck_assert(nl_parse_link(msg, n, &li));
	ck_assert_int_eq(li.ifindex, 9);
	ck_assert_str_eq(li.name, "red");
	ck_assert_str_eq(li.kind, "vrf");
	ck_assert_uint_eq(li.mtu, 1500);
	ck_assert_int_eq(li.master, 2);
	ck_assert(!li.has_stats);
	/* every truncation fails cleanly */
	for (size_t cut = 0; cut < n; cut++) {
		msg[0] = (uint8_t)cut;
		ck_assert(!nl_parse_link(msg, cut, &li) || cut >= 32);
	}
	/* an attribute shorter than its header is an error, not a loop */
	n = tu_hex(msg, sizeof(msg),
		   "24000000 1000 0000 00000000 00000000"
		   "0000 0000 09000000 00000000 00000000"
		   "0200 0300");
	ck_assert(!nl_parse_link(msg, n, &li));
}
END_TEST

START_TEST(parse_link_vrf_table)
{
	uint8_t msg[256];
	/* LINKINFO{KIND "vrf", DATA{IFLA_VRF_TABLE 10}} */
	size_t n = tu_hex(msg, sizeof(msg),
			  "38000000 1000 0000 00000000 00000000"
			  "0000 0000 09000000 c1000100 00000000"
			  "1800 1280 0800 0100 76726600 0c00 0200 0800 0100 0a000000");
	ck_assert_uint_eq(n, 56);
	struct nl_link_info li;
	ck_assert(nl_parse_link(msg, n, &li));
	ck_assert_str_eq(li.kind, "vrf");
	ck_assert_uint_eq(li.vrf_table, 10);
	/* the same data under another kind is not a VRF table */
	memcpy(msg + 40, "tun\0", 4);
	ck_assert(nl_parse_link(msg, n, &li));
	ck_assert_str_eq(li.kind, "tun");
	ck_assert_uint_eq(li.vrf_table, 0);
	/* a table attribute of the wrong size is ignored */
	memcpy(msg + 40, "vrf\0", 4);
	msg[48] = 0x07;
	ck_assert(nl_parse_link(msg, n, &li));
	ck_assert_uint_eq(li.vrf_table, 0);
}
END_TEST

START_TEST(parse_route_gateway)
{
	uint8_t msg[256];
	size_t n = tu_hex(msg, sizeof(msg),
			  "34000000 1800 0000 00000000 00000000"
			  "02 20 00 00 fe 02 00 01 00020000"
			  "0800 0100 c6336401"	 /* RTA_DST */
			  "0800 0500 0a000001"	 /* RTA_GATEWAY */
			  "0800 0400 04000000"); /* RTA_OIF */
	uint8_t gw[16];
	int oif;
	ck_assert(nl_parse_route(msg, n, AF_INET, gw, &oif));
	ck_assert_int_eq(oif, 4);
	ck_assert_mem_eq(gw, ((uint8_t[]){10, 0, 0, 1}), 4);
	ck_assert(!nl_parse_route(msg, n, AF_INET6, gw, &oif));
}
END_TEST

START_TEST(kernel_tun_open_delete)
{
	if (!tun_testns_enter())
		return;
	char err[128] = "";
	int idx = 0;
	int fd = tun_open("sstpc7", &idx, err, sizeof(err));
	ck_assert_msg(fd >= 0, "tun_open: %s", err);
	ck_assert_int_gt(idx, 0);
	ck_assert_int_eq(nl_link_index("sstpc7"), idx);
	ck_assert_int_eq(nl_link_set_txqlen(idx, 1000), 0);
	ck_assert_int_eq(nl_link_set_up(idx, true), 0);
	usleep(50000);
	char *o = tun_testns_cmd("ip -d link show dev sstpc7");
	ck_assert_ptr_nonnull(strstr(o, "qlen 1000"));
	ck_assert_ptr_nonnull(strstr(o, "addrgenmode none"));
	/* no kernel-made link-local */
	o = tun_testns_cmd("ip -6 addr show dev sstpc7");
	ck_assert_ptr_null(strstr(o, "fe80"));
	close(fd);
	/* non-persistent: gone with the fd; an explicit delete then says so */
	ck_assert_int_eq(tun_delete("sstpc7"), -ENODEV);
	ck_assert_int_eq(nl_link_index("sstpc7"), -ENODEV);
	char longname[32];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[31] = 0;
	ck_assert_int_lt(tun_open(longname, &idx, err, sizeof(err)), 0);
}
END_TEST

struct watched {
	int calls;
	unsigned events;
};

static void watched_cb(void *arg, int fd, unsigned events)
{
	struct watched *w = arg;
	(void)fd;
	w->calls++;
	w->events = events;
}

/* A new loop with a fresh TUN sstpc7 in it, watched (LOOP_WATCH) through
 * watched_cb into w; the fd returned. */
static int watched_tun(struct loop **l, struct watched *w)
{
	*l = loop_new();
	ck_assert_ptr_nonnull(*l);
	char err[128] = "";
	int idx = 0;
	int fd = tun_open("sstpc7", &idx, err, sizeof(err));
	ck_assert_msg(fd >= 0, "tun_open: %s", err);
	*w = (struct watched){0};
	ck_assert_int_eq(loop_add_fd(*l, fd, LOOP_WATCH, watched_cb, w), 0);
	return fd;
}

static void watched_tun_close(struct loop *l, int fd)
{
	loop_del_fd(l, fd);
	close(fd);
	loop_free(l);
}

/* The device deleted under an fd the loop only watches (sstpc's TUN
 * before its tunnel is up): the loop reports READ|ERROR and the fd then
 * reads EBADFD, the error sstpc stops on. */
START_TEST(kernel_tun_deleted_while_watched)
{
	if (!tun_testns_enter())
		return;
	struct loop *l;
	struct watched w;
	int fd = watched_tun(&l, &w);
	ck_assert_int_eq(loop_run_once(l, 0), 0);
	ck_assert_int_eq(tun_delete("sstpc7"), 0);
	for (int i = 0; i < 50 && !w.calls; i++)
		loop_run_once(l, 100);
	ck_assert_int_eq(w.calls, 1);
	ck_assert_uint_eq(w.events, LOOP_READ | LOOP_ERROR);
	uint8_t b[64];
	ck_assert_int_eq(read(fd, b, sizeof(b)), -1);
	ck_assert_int_eq(errno, EBADFD);
	watched_tun_close(l, fd);
}
END_TEST

/* The device deleted while the fd has no interest (sstpc's TUN behind a
 * blocked TLS socket): the deletion's wakeup is lost, but the interest
 * restored afterwards (READ when TLS takes more, LOOP_WATCH at teardown)
 * re-polls the fd and reports the error at once. */
START_TEST(kernel_tun_deleted_while_unwatched)
{
	if (!tun_testns_enter())
		return;
	static const unsigned restored[] = {LOOP_READ, LOOP_WATCH};
	for (size_t i = 0; i < 2; i++) {
		struct loop *l;
		struct watched w;
		int fd = watched_tun(&l, &w);
		ck_assert_int_eq(loop_mod_fd(l, fd, 0), 0);
		ck_assert_int_eq(tun_delete("sstpc7"), 0);
		loop_run_once(l, 100);
		ck_assert_int_eq(loop_mod_fd(l, fd, restored[i]), 0);
		for (int t = 0; t < 50 && !w.calls; t++)
			loop_run_once(l, 100);
		ck_assert_int_ge(w.calls, 1);
		ck_assert_uint_eq(w.events, LOOP_READ | LOOP_ERROR);
		watched_tun_close(l, fd);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tun");
	TCase *tc = tcase_create("nl");
	tcase_add_test(tc, enc_set_master_bytes);
	tcase_add_test(tc, enc_addr4_p2p_bytes);
	tcase_add_test(tc, enc_route_bytes);
	tcase_add_test(tc, enc_addr_noprefixroute_bytes);
	tcase_add_test(tc, parse_link_vrf_kind);
	tcase_add_test(tc, parse_link_vrf_table);
	tcase_add_test(tc, parse_route_gateway);
	tcase_add_test(tc, kernel_tun_open_delete);
	tcase_add_test(tc, kernel_tun_deleted_while_watched);
	tcase_add_test(tc, kernel_tun_deleted_while_unwatched);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
