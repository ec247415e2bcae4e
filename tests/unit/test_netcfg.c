#include "testutil.h"
#include "tun/nl.h"
#include "tun/netcfg.h"
#include "tun/tun.h"
#include "tun_testns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t ll_id[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

static uint32_t ip4(const char *s)
{
	struct in_addr a;
	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static int open_tun(int *idx)
{
	char err[128] = "";
	int fd = tun_open("sstpc7", idx, err, sizeof(err));
	ck_assert_msg(fd >= 0, "tun_open: %s", err);
	return fd;
}

START_TEST(addresses_routes_and_undo)
{
	if (!tun_testns_enter())
		return;
	int idx;
	int fd = open_tun(&idx);
	ck_assert_int_eq(nl_link_set_mtu(idx, 1400), 0);
	ck_assert_int_eq(nl_link_set_alias(idx, "Branch uplink"), 0);
	ck_assert_int_eq(nl_link_set_up(idx, true), 0);
	struct nl_link_info li;
	ck_assert_int_eq(nl_link_get(idx, NULL, &li), 0);
	ck_assert_uint_eq(li.mtu, 1400);
	ck_assert_str_eq(li.name, "sstpc7");
	ck_assert_str_eq(li.kind, "tun");
	ck_assert_ptr_nonnull(
	    strstr(tun_testns_cmd("ip link show dev sstpc7"), "alias Branch uplink"));

	struct netcfg *nc = netcfg_new("sstpc7", idx);
	ck_assert_ptr_nonnull(nc);
	ck_assert_int_eq(netcfg_addr4(nc, ip4("10.0.0.2"), ip4("10.0.0.1")), 0);
	ck_assert_int_eq(netcfg_addr6_ll(nc, ll_id), 0);
	ck_assert_int_eq(netcfg_route(nc, AF_INET, NULL, 0, 220), 0);
	uint32_t net = ip4("192.168.77.0");
	ck_assert_int_eq(netcfg_route(nc, AF_INET, &net, 24, 220), 0);
	uint8_t any6[16] = {0};
	ck_assert_int_eq(netcfg_route(nc, AF_INET6, any6, 0, 220), 0);
	ck_assert_uint_eq(netcfg_pending(nc), 5);
	/* NLM_F_EXCL: the same route again is -EEXIST and not journaled */
	ck_assert_int_eq(netcfg_route(nc, AF_INET, &net, 24, 220), -EEXIST);
	ck_assert_int_eq(netcfg_addr4(nc, ip4("10.0.0.2"), ip4("10.0.0.1")), -EEXIST);
	ck_assert_uint_eq(netcfg_pending(nc), 5);
	ck_assert_int_eq(netcfg_route(nc, AF_INET, &net, 33, 220), -EINVAL);

	char *o = tun_testns_cmd("ip -4 addr show dev sstpc7");
	ck_assert_msg(strstr(o, "inet 10.0.0.2 peer 10.0.0.1/32"), "%s", o);
	o = tun_testns_cmd("ip -6 addr show dev sstpc7");
	ck_assert_msg(strstr(o, "inet6 fe80::1122:3344:5566:7788/64"), "%s", o);
	o = tun_testns_cmd("ip -4 route show dev sstpc7");
	ck_assert_msg(strstr(o, "default proto static scope link metric 220"), "%s", o);
	ck_assert_msg(strstr(o, "192.168.77.0/24 proto static scope link metric 220"), "%s", o);
	o = tun_testns_cmd("ip -6 route show dev sstpc7");
	ck_assert_msg(strstr(o, "default proto static metric 220"), "%s", o);

	/* the kernel's own answer agrees */
	uint8_t gw[16];
	int oif;
	uint32_t dst = ip4("192.168.77.9");
	ck_assert_int_eq(nl_route_get(AF_INET, &dst, gw, &oif), 0);
	ck_assert_int_eq(oif, idx);
	ck_assert_mem_eq(gw, any6, 4);

	netcfg_undo(nc);
	ck_assert_uint_eq(netcfg_pending(nc), 0);
	o = tun_testns_cmd("ip addr show dev sstpc7");
	ck_assert_msg(!strstr(o, "inet"), "%s", o);
	o = tun_testns_cmd("ip -4 route; ip -6 route show dev sstpc7");
	ck_assert_msg(!strstr(o, "sstpc7"), "%s", o);
	/* undo twice is harmless */
	netcfg_undo(nc);
	netcfg_free(nc);
	close(fd);
}
END_TEST

START_TEST(undo_after_link_down_is_quiet)
{
	if (!tun_testns_enter())
		return;
	int idx;
	int fd = open_tun(&idx);
	ck_assert_int_eq(nl_link_set_up(idx, true), 0);
	struct netcfg *nc = netcfg_new("sstpc7", idx);
	ck_assert_int_eq(netcfg_addr4(nc, ip4("10.0.0.2"), ip4("10.0.0.1")), 0);
	ck_assert_int_eq(netcfg_route(nc, AF_INET, NULL, 0, 220), 0);
	/* down takes the route away; deleting the device takes everything */
	close(fd);
	netcfg_free(nc);
	ck_assert_int_eq(nl_link_index("sstpc7"), -ENODEV);
}
END_TEST

START_TEST(server_route_through_old_path)
{
	if (!tun_testns_enter())
		return;
	ck_assert_str_eq(
	    tun_testns_cmd("ip link add v0 type veth peer name v1 && "
			   "ip addr add 192.0.2.2/24 dev v0 && ip link set v0 up && "
			   "ip link set v1 up && ip route add default via 192.0.2.1 metric 500 "
			   "&& echo ok"),
	    "ok\n");
	int idx;
	int fd = open_tun(&idx);
	ck_assert_int_eq(nl_link_set_up(idx, true), 0);
	struct netcfg *nc = netcfg_new("sstpc7", idx);
	struct sockaddr_in srv = {.sin_family = AF_INET, .sin_addr.s_addr = ip4("198.51.100.7")};
	ck_assert_int_eq(netcfg_server_route(nc, (struct sockaddr *)&srv), 0);
	ck_assert_int_eq(netcfg_addr4(nc, ip4("10.0.0.2"), ip4("10.0.0.1")), 0);
	ck_assert_int_eq(netcfg_route(nc, AF_INET, NULL, 0, 220), 0);
	char *o = tun_testns_cmd("ip -4 route show 198.51.100.7/32");
	ck_assert_msg(strstr(o, "198.51.100.7 via 192.0.2.1 dev v0 proto static"), "%s", o);
	/* a default route through the tunnel does not capture the server */
	uint8_t gw[16];
	int oif;
	ck_assert_int_eq(nl_route_get(AF_INET, &srv.sin_addr, gw, &oif), 0);
	ck_assert_int_eq(oif, nl_link_index("v0"));
	ck_assert_mem_eq(gw, ((uint8_t[]){192, 0, 2, 1}), 4);
	uint32_t other = ip4("203.0.113.1");
	ck_assert_int_eq(nl_route_get(AF_INET, &other, gw, &oif), 0);
	ck_assert_int_eq(oif, idx);
	/* once routed through the tunnel, a server route would be a loop */
	struct sockaddr_in srv2 = {.sin_family = AF_INET, .sin_addr.s_addr = other};
	ck_assert_int_eq(netcfg_server_route(nc, (struct sockaddr *)&srv2), -ELOOP);

	netcfg_undo(nc);
	o = tun_testns_cmd("ip -4 route show");
	ck_assert_msg(!strstr(o, "198.51.100.7") && !strstr(o, "sstpc7"), "%s", o);
	ck_assert_msg(strstr(o, "default via 192.0.2.1 dev v0"), "%s", o);
	netcfg_free(nc);
	close(fd);
}
END_TEST

static void read_sysctl(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ssize_t n = read(fd, out, cap - 1);
	ck_assert_int_gt(n, 0);
	out[n] = 0;
	close(fd);
}

static void write_sysctl(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, v, strlen(v)), (ssize_t)strlen(v));
	close(fd);
}

START_TEST(sysctl_set_and_restore)
{
	if (!tun_testns_enter())
		return;
	int idx;
	int fd = open_tun(&idx);
	const char *rp = "/proc/sys/net/ipv4/conf/sstpc7/rp_filter";
	const char *fw = "/proc/sys/net/ipv4/conf/sstpc7/forwarding";
	char before_rp[32], before_fw[32], v[32];
	read_sysctl(rp, before_rp, sizeof(before_rp));
	write_sysctl(fw, "1");
	read_sysctl(fw, before_fw, sizeof(before_fw));
	struct netcfg *nc = netcfg_new("sstpc7", idx);
	ck_assert_int_eq(netcfg_sysctl(nc, "net/ipv4/conf/sstpc7/rp_filter", "1"), 0);
	ck_assert_int_eq(netcfg_sysctl(nc, "net/ipv4/conf/sstpc7/forwarding", "0"), 0);
	read_sysctl(rp, v, sizeof(v));
	ck_assert_str_eq(v, "1\n");
	read_sysctl(fw, v, sizeof(v));
	ck_assert_str_eq(v, "0\n");
	/* someone else changes rp_filter afterwards: that stays */
	write_sysctl(rp, "2");
	ck_assert_int_eq(netcfg_sysctl(nc, "../../etc/passwd", "x"), -EINVAL);
	ck_assert_int_eq(netcfg_sysctl(nc, "/net/ipv4/ip_forward", "1"), -EINVAL);
	ck_assert_int_lt(netcfg_sysctl(nc, "net/ipv4/conf/nosuch/rp_filter", "1"), 0);
	ck_assert_uint_eq(netcfg_pending(nc), 2);
	netcfg_undo(nc);
	read_sysctl(fw, v, sizeof(v));
	ck_assert_str_eq(v, before_fw);
	read_sysctl(rp, v, sizeof(v));
	ck_assert_str_eq(v, "2\n");
	netcfg_free(nc);
	close(fd);
}
END_TEST

static char tmpdir[64];

static char *make_tmp(const char *content, size_t len)
{
	static char path[128];
	tu_tmpdir_make(tmpdir, sizeof(tmpdir), "netcfg");
	snprintf(path, sizeof(path), "%s/resolv.conf", tmpdir);
	if (content) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
		close(fd);
	}
	return path;
}

static size_t slurp(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return (size_t)-1;
	ssize_t n = read(fd, out, cap - 1);
	close(fd);
	ck_assert_int_ge(n, 0);
	out[n] = 0;
	return (size_t)n;
}

static void cleanup_tmp(void)
{
	ck_assert(tu_tmpdir_remove(tmpdir));
}

START_TEST(resolv_conf_rewrite_and_exact_restore)
{
	/* odd spacing, a comment, no final newline: all must come back exactly */
	const char orig[] = "# generated\nnameserver 8.8.8.8\n  nameserver\t9.9.9.9\n"
			    "search example.com\noptions ndots:2 \nnameservers-not\n"
			    "nameserver 1.1.1.1";
	char *path = make_tmp(orig, sizeof(orig) - 1);
	struct netcfg *nc = netcfg_new("sstpc7", 1);
	netcfg_set_dns_backend(nc, NETCFG_DNS_FILE);
	ck_assert_int_eq(netcfg_set_resolv_path(nc, path), 0);
	uint32_t dns[2] = {ip4("10.8.0.1"), ip4("10.8.0.2")};
	ck_assert_int_eq(netcfg_dns(nc, dns, 2), 0);
	char buf[1024];
	slurp(path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "nameserver 10.8.0.1\nnameserver 10.8.0.2\n# generated\n"
			      "search example.com\noptions ndots:2 \nnameservers-not\n");
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	netcfg_undo(nc);
	size_t n = slurp(path, buf, sizeof(buf));
	ck_assert_uint_eq(n, sizeof(orig) - 1);
	ck_assert_mem_eq(buf, orig, n);
	netcfg_free(nc);
	cleanup_tmp();
}
END_TEST

START_TEST(resolv_conf_changed_by_someone_else_is_left)
{
	char *path = make_tmp("nameserver 8.8.8.8\n", 19);
	setenv("SSTPC_RESOLV_CONF", path, 1);
	struct netcfg *nc = netcfg_new("sstpc7", 1);
	unsetenv("SSTPC_RESOLV_CONF");
	netcfg_set_dns_backend(nc, NETCFG_DNS_FILE);
	uint32_t dns[1] = {ip4("10.8.0.1")};
	ck_assert_int_eq(netcfg_dns(nc, dns, 1), 0);
	char buf[256];
	slurp(path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "nameserver 10.8.0.1\n");
	int fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, "nameserver 4.4.4.4\n", 19), 19);
	close(fd);
	netcfg_free(nc);
	slurp(path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "nameserver 4.4.4.4\n");
	cleanup_tmp();
}
END_TEST

START_TEST(resolv_conf_missing_is_created_then_removed)
{
	char *path = make_tmp(NULL, 0);
	struct netcfg *nc = netcfg_new("sstpc7", 1);
	netcfg_set_dns_backend(nc, NETCFG_DNS_FILE);
	netcfg_set_resolv_path(nc, path);
	uint32_t dns[2] = {0, ip4("10.8.0.2")}; /* 0 = none */
	ck_assert_int_eq(netcfg_dns(nc, dns, 2), 0);
	char buf[256];
	slurp(path, buf, sizeof(buf));
	ck_assert_str_eq(buf, "nameserver 10.8.0.2\n");
	netcfg_undo(nc);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* no servers: nothing to do, nothing journaled */
	ck_assert_int_eq(netcfg_dns(nc, dns, 1), 0);
	ck_assert_uint_eq(netcfg_pending(nc), 0);
	netcfg_free(nc);
	cleanup_tmp();
}
END_TEST

START_TEST(vrf_lookup_and_stats)
{
	if (!tun_testns_enter())
		return;
	int vidx = 0;
	ck_assert(!nl_link_is_vrf("red", &vidx));
	ck_assert(!nl_link_is_vrf("lo", &vidx));
	int idx;
	int fd = open_tun(&idx);
	ck_assert(!nl_link_is_vrf("sstpc7", NULL));
	ck_assert_int_eq(nl_link_set_up(idx, true), 0);
	struct nl_link_stats a, b;
	ck_assert_int_eq(nl_link_stats(idx, &a), 0);
	/* a UDP packet 10.0.0.1 -> 10.0.0.2 (the kernel drops it; it still counts) */
	uint8_t pkt[64];
	size_t n = tu_hex(pkt, sizeof(pkt),
			  "4500 001d 0001 0000 4011 66cc 0a000001 0a000002"
			  "1234 1235 0009 0000 41");
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(write(fd, pkt, n), (ssize_t)n);
	ck_assert_int_eq(nl_link_stats(idx, &b), 0);
	ck_assert_uint_eq(b.rx_packets - a.rx_packets, 3);
	ck_assert_uint_eq(b.rx_bytes - a.rx_bytes, 3 * n);
	ck_assert_int_eq(nl_link_stats(9999, &b), -ENODEV);
	close(fd);
}
END_TEST

/* Addresses from router advertisements: added with lifetimes, refreshed in
 * place (one journal record), withdrawn with valid 0, undone on down. */
/* Many addresses and routes in the journal: undone in batches, every one
 * gone, the routes between them too. */
START_TEST(undo_many_addresses_batched)
{
	if (!tun_testns_enter())
		return;
	int idx;
	int fd = open_tun(&idx);
	ck_assert_int_eq(nl_link_set_up(idx, true), 0);
	struct netcfg *nc = netcfg_new("sstpc7", idx);
	uint8_t p[8] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x99, 0, 0};
	for (int i = 0; i < 600; i++) {
		p[6] = (uint8_t)(i >> 8), p[7] = (uint8_t)i;
		ck_assert_int_eq(netcfg_addr6_slaac(nc, p, ll_id, 600, 300), 1);
		if (i == 300) {
			uint32_t net = ip4("192.168.77.0");
			ck_assert_int_eq(netcfg_route(nc, AF_INET, &net, 24, 220), 0);
		}
	}
	ck_assert_uint_eq(netcfg_pending(nc), 601);
	ck_assert_int_eq(atoi(tun_testns_cmd("ip -6 -o addr show dev sstpc7 | wc -l")), 600);
	netcfg_undo(nc);
	ck_assert_uint_eq(netcfg_pending(nc), 0);
	char *o =
	    tun_testns_cmd("ip -6 -o addr show dev sstpc7 scope global; ip route show dev sstpc7");
	ck_assert_msg(o[0] == 0, "left: %.300s", o);
	netcfg_free(nc);
	close(fd);
}
END_TEST

START_TEST(slaac_addresses)
{
	if (!tun_testns_enter())
		return;
	int idx;
	int fd = open_tun(&idx);
	ck_assert_int_eq(nl_link_set_up(idx, true), 0);
	struct netcfg *nc = netcfg_new("sstpc7", idx);
	static const uint8_t p77[8] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x77, 0, 0};
	static const uint8_t p88[8] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x88, 0, 0};
	ck_assert_int_eq(netcfg_addr6_ll(nc, ll_id), 0);
	ck_assert_int_eq(netcfg_addr6_slaac(nc, p77, ll_id, 600, 300), 1);
	ck_assert_int_eq(netcfg_addr6_slaac(nc, p88, ll_id, 0xffffffffu, 0xffffffffu), 1);
	ck_assert_uint_eq(netcfg_pending(nc), 3);
	char *o = tun_testns_cmd("ip -6 addr show dev sstpc7");
	ck_assert_msg(strstr(o, "inet6 2001:db8:77:0:1122:3344:5566:7788/64"), "%s", o);
	ck_assert_msg(strstr(o, "valid_lft 600sec preferred_lft 300sec") ||
			  strstr(o, "valid_lft 599sec"),
		      "%s", o);
	ck_assert_msg(strstr(o, "inet6 2001:db8:88:0:1122:3344:5566:7788/64"), "%s", o);
	/* no kernel prefix route for them (IFA_F_NOPREFIXROUTE) */
	o = tun_testns_cmd("ip -6 route show dev sstpc7");
	ck_assert_msg(!strstr(o, "2001:db8:"), "%s", o);
	/* refresh: new lifetimes, no new record, no EEXIST */
	ck_assert_int_eq(netcfg_addr6_slaac(nc, p77, ll_id, 1200, 900), 0);
	ck_assert_uint_eq(netcfg_pending(nc), 3);
	o = tun_testns_cmd("ip -6 addr show dev sstpc7");
	ck_assert_msg(strstr(o, "valid_lft 1200sec preferred_lft 900sec") ||
			  strstr(o, "valid_lft 1199sec"),
		      "%s", o);
	/* withdraw: gone at once, record dropped, the others stay in order */
	ck_assert_int_eq(netcfg_addr6_slaac(nc, p77, ll_id, 0, 0), 0);
	ck_assert_uint_eq(netcfg_pending(nc), 2);
	o = tun_testns_cmd("ip -6 addr show dev sstpc7");
	ck_assert_msg(!strstr(o, "2001:db8:77:"), "%s", o);
	/* withdrawing what was never ours does nothing */
	ck_assert_int_eq(netcfg_addr6_slaac(nc, p77, ll_id, 0, 0), 0);
	ck_assert_uint_eq(netcfg_pending(nc), 2);
	netcfg_undo(nc);
	o = tun_testns_cmd("ip -6 addr show dev sstpc7");
	ck_assert_msg(!strstr(o, "inet6"), "%s", o);
	netcfg_free(nc);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("netcfg");
	TCase *tc = tcase_create("kernel");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, addresses_routes_and_undo);
	tcase_add_test(tc, undo_after_link_down_is_quiet);
	tcase_add_test(tc, server_route_through_old_path);
	tcase_add_test(tc, sysctl_set_and_restore);
	tcase_add_test(tc, vrf_lookup_and_stats);
	tcase_add_test(tc, slaac_addresses);
	tcase_add_test(tc, undo_many_addresses_batched);
	suite_add_tcase(s, tc);
	TCase *dns = tcase_create("dns");
	tcase_add_test(dns, resolv_conf_rewrite_and_exact_restore);
	tcase_add_test(dns, resolv_conf_changed_by_someone_else_is_left);
	tcase_add_test(dns, resolv_conf_missing_is_created_then_removed);
	suite_add_tcase(s, dns);
	return tu_run(s);
}
