/* session/apply.c against a fake netlink (the nl_transport seam records
 * every request as a line and answers route lookups from a small table)
 * and the file DNS backend in a temporary directory: which addresses,
 * routes, DNS servers and source-validation prefixes an IPCP / IPV6CP
 * result turns into, in which order, and what the journal undoes. */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/conf.h"
#include "session/apply.h"
#include "tun/netcfg.h"
#include "tun/nl.h"
#include "tun/srcvalid.h"
#include "tun/tun.h"

#define IFINDEX 77
#define OTHER_IF 3

static char journal[8192]; /* one line per netlink request */
static struct conf C;
static char ERR[512];
static char tmpdir[64], resolv[128];

/* "addr+ 10.0.0.2 peer 10.0.0.1", "route- 0.0.0.0/0 dev 77 metric 210", … */
static void note_msg(const uint8_t *m, size_t len)
{
	struct reader r;
	rd_init(&r, m, len);
	rd_skip(&r, 4);
	uint16_t type = rd_h16(&r);
	rd_skip(&r, 10);
	char line[200] = "", a[INET6_ADDRSTRLEN] = "", b[INET6_ADDRSTRLEN] = "";
	if (type == RTM_NEWLINK) {
		snprintf(line, sizeof(line), "link");
	} else if (type == RTM_NEWADDR || type == RTM_DELADDR) {
		int fam = rd_u8(&r);
		rd_skip(&r, 7); /* prefixlen, flags, scope, index */
		while (rd_left(&r) >= 4) {
			uint16_t alen = rd_h16(&r), at = rd_h16(&r);
			if (alen < 4)
				break;
			const uint8_t *v = rd_take(&r, alen - 4u);
			rd_skip(&r, ((alen + 3u) & ~3u) - alen);
			if (v && at == IFA_LOCAL)
				inet_ntop(fam, v, a, sizeof(a));
			else if (v && at == IFA_ADDRESS)
				inet_ntop(fam, v, b, sizeof(b));
		}
		snprintf(line, sizeof(line), "addr%c %s peer %s", type == RTM_NEWADDR ? '+' : '-',
			 a, b);
	} else if (type == RTM_NEWROUTE || type == RTM_DELROUTE) {
		int fam = rd_u8(&r), plen = rd_u8(&r);
		rd_skip(&r, 10);
		uint32_t oif = 0, metric = 0;
		inet_ntop(fam, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", a, sizeof(a));
		while (rd_left(&r) >= 4) {
			uint16_t alen = rd_h16(&r), at = rd_h16(&r);
			if (alen < 4)
				break;
			const uint8_t *v = rd_take(&r, alen - 4u);
			rd_skip(&r, ((alen + 3u) & ~3u) - alen);
			if (v && at == RTA_DST)
				inet_ntop(fam, v, a, sizeof(a));
			else if (v && at == RTA_GATEWAY)
				inet_ntop(fam, v, b, sizeof(b));
			else if (v && at == RTA_OIF)
				memcpy(&oif, v, 4);
			else if (v && at == RTA_PRIORITY)
				memcpy(&metric, v, 4);
		}
		snprintf(line, sizeof(line), "route%c %s/%d%s%s dev %u metric %u",
			 type == RTM_NEWROUTE ? '+' : '-', a, plen, b[0] ? " via " : "", b, oif,
			 metric);
	} else {
		snprintf(line, sizeof(line), "type %u", type);
	}
	size_t n = strlen(journal);
	snprintf(journal + n, sizeof(journal) - n, "%s\n", line);
}

/* The host's routes: 203.0.113.0/24 via 192.0.2.1 on another interface;
 * nothing else. */
static int fake_talk(void *req, size_t len, nl_reply_cb cb, void *arg)
{
	const uint8_t *m = req;
	uint16_t type;
	memcpy(&type, m + 4, 2);
	if (type != RTM_GETROUTE) {
		note_msg(m, len);
		return 0;
	}
	const uint8_t *dst = m + 16 + 12 + 4; /* rtmsg, then RTA_DST first */
	if (m[16] != AF_INET || dst[0] != 203 || dst[1] != 0 || dst[2] != 113)
		return -ENETUNREACH;
	struct nl_route rt = {.family = AF_INET, .plen = 32, .has_gw = true, .oif = OTHER_IF};
	memcpy(rt.dst, dst, 4);
	memcpy(rt.gw, (const uint8_t[]){192, 0, 2, 1}, 4);
	uint8_t reply[256];
	size_t n = nl_enc_route(reply, sizeof(reply), true, &rt);
	return cb ? cb(reply, n, arg) : 0;
}

static int fake_talk_batch(void *buf, size_t len, size_t n, int *errs)
{
	uint8_t *p = buf;
	size_t off = 0;
	for (size_t i = 0; i < n && off < len; i++) {
		uint32_t mlen;
		memcpy(&mlen, p + off, 4);
		note_msg(p + off, mlen);
		errs[i] = 0;
		off += (mlen + 3u) & ~3u;
	}
	return 0;
}

static const struct nl_transport fake = {fake_talk, fake_talk_batch};

static void setup(void)
{
	journal[0] = '\0';
	tu_tmpdir_make(tmpdir, sizeof(tmpdir), "apply");
	snprintf(resolv, sizeof(resolv), "%s/resolv.conf", tmpdir);
	FILE *f = fopen(resolv, "w");
	ck_assert_ptr_nonnull(f);
	fputs("nameserver 192.0.2.53\n", f);
	fclose(f);
	nl_set_transport(&fake);
}

static void teardown(void)
{
	nl_set_transport(NULL);
	ck_assert(tu_tmpdir_remove(tmpdir));
}

static void parse(const char *extra)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "interface sstpc9917\nserver vpn.example.com\nauthentication username alice\n"
		 "authentication password s3cret\n%s",
		 extra);
	ck_assert_msg(conf_parse(&C, "t.conf", text, strlen(text), ERR, sizeof(ERR)), "%s", ERR);
}

static struct netcfg *new_nc(void)
{
	struct netcfg *nc = netcfg_new("sstpc9917", IFINDEX);
	ck_assert_ptr_nonnull(nc);
	netcfg_set_dns_backend(nc, NETCFG_DNS_FILE);
	ck_assert_int_eq(netcfg_set_resolv_path(nc, resolv), 0);
	return nc;
}

static struct sockaddr_storage server4(const char *a)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	s4->sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, a, &s4->sin_addr), 1);
	return ss;
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;
	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static char *slurp(const char *path)
{
	static char buf[1024];
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The configuration's extra lines, then IPCP: local, peer 10.0.0.1, DNS
 * 10.0.0.53, with the server at 203.0.113.5. */
static struct netcfg *apply4(const char *extra, const char *local, bool *ok, char *why,
			     size_t whylen)
{
	parse(extra);
	struct netcfg *nc = new_nc();
	static struct sockaddr_storage srv;
	srv = server4("203.0.113.5");
	struct apply_target t = {&C, nc, IFINDEX, &srv};
	struct ppp_ipcp_info ip = {
	    .local = ip4(local), .peer = ip4("10.0.0.1"), .dns = {ip4("10.0.0.53"), 0}};
	*ok = apply_ipv4(&t, &ip, why, whylen);
	return nc;
}

START_TEST(ipv4_default_route_dns_and_undo)
{
	char why[200] = "";
	bool ok;
	struct netcfg *nc = apply4("default-route-distance 210\nip route 192.168.77.0/24\n",
				   "10.0.0.2", &ok, why, sizeof(why));
	ck_assert(ok);
	/* up, address, the server's host route through its old path first,
	 * the peer (no route on the host), the default route, the prefix */
	ck_assert_str_eq(journal, "link\n"
				  "addr+ 10.0.0.2 peer 10.0.0.1\n"
				  "route+ 203.0.113.5/32 via 192.0.2.1 dev 3 metric 0\n"
				  "route+ 10.0.0.1/32 dev 77 metric 210\n"
				  "route+ 0.0.0.0/0 dev 77 metric 210\n"
				  "route+ 192.168.77.0/24 dev 77 metric 210\n");
	ck_assert_msg(strstr(slurp(resolv), "nameserver 10.0.0.53\n"), "%s", slurp(resolv));
	ck_assert_ptr_null(strstr(slurp(resolv), "192.0.2.53"));

	journal[0] = '\0';
	netcfg_undo(nc);
	/* newest first, and the host's DNS back */
	ck_assert_str_eq(journal, "route- 192.168.77.0/24 dev 77 metric 210\n"
				  "route- 0.0.0.0/0 dev 77 metric 210\n"
				  "route- 10.0.0.1/32 dev 77 metric 210\n"
				  "route- 203.0.113.5/32 via 192.0.2.1 dev 3 metric 0\n"
				  "addr- 10.0.0.2 peer 10.0.0.1\n");
	ck_assert_str_eq(slurp(resolv), "nameserver 192.0.2.53\n");
	netcfg_free(nc);
}
END_TEST

START_TEST(ipv4_split_routes_keep_server_path_and_no_peer_dns)
{
	/* no default route and a prefix that does not cover the server: no
	 * host route for it; no-peer-dns leaves resolv.conf alone */
	char why[200] = "";
	bool ok;
	struct netcfg *nc = apply4("no-default-route\nno-peer-dns\nip route 172.16.0.0/12\n",
				   "10.0.0.2", &ok, why, sizeof(why));
	ck_assert(ok);
	ck_assert_str_eq(journal, "link\n"
				  "addr+ 10.0.0.2 peer 10.0.0.1\n"
				  "route+ 10.0.0.1/32 dev 77 metric 210\n"
				  "route+ 172.16.0.0/12 dev 77 metric 210\n");
	ck_assert_str_eq(slurp(resolv), "nameserver 192.0.2.53\n");
	netcfg_undo(nc);
	netcfg_free(nc);
}
END_TEST

/* The peer's address has a host route already (203.0.113.0/24 via the
 * host's gateway): outside a VRF we leave it alone, inside one the route
 * goes into the VRF's own table, which the lookup (in main) cannot see. */
static bool peer_route_added(const char *extra)
{
	parse(extra);
	struct netcfg *nc = new_nc();
	struct sockaddr_storage srv = server4("198.51.100.7");
	struct apply_target t = {&C, nc, IFINDEX, &srv};
	struct ppp_ipcp_info ip = {.local = ip4("10.0.0.2"), .peer = ip4("203.0.113.9")};
	char why[200] = "";
	ck_assert_msg(apply_ipv4(&t, &ip, why, sizeof(why)), "%s", why);
	bool added = strstr(journal, "route+ 203.0.113.9/32 dev 77") != NULL;
	netcfg_undo(nc);
	netcfg_free(nc);
	journal[0] = '\0';
	return added;
}

START_TEST(ipv4_peer_route_always_in_a_vrf)
{
	ck_assert(!peer_route_added("no-peer-dns\n"));
	ck_assert(peer_route_added("no-peer-dns\nvrf red\n"));
}
END_TEST

START_TEST(ipv4_server_address_as_ours_is_refused)
{
	char why[200] = "";
	bool ok;
	struct netcfg *nc = apply4("", "203.0.113.5", &ok, why, sizeof(why));
	ck_assert(!ok);
	ck_assert_str_eq(why, "the server assigned us its own address 203.0.113.5: refused");
	ck_assert_str_eq(journal, ""); /* nothing touched */
	netcfg_free(nc);
}
END_TEST

START_TEST(ipv6_link_local_routes_and_source_validation)
{
	parse("no-default-route\nipv6 route 2001:db8:5::/48\nip source-validation strict\n");
	struct netcfg *nc = new_nc();
	struct sockaddr_storage srv = server4("203.0.113.5");
	struct apply_target t = {&C, nc, IFINDEX, &srv};
	struct ppp_ipv6cp_info ip = {.local_id = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88},
				     .peer_id = {0x02, 0, 0, 0, 10, 0, 0, 1}};
	struct srcvalid sv;
	apply_ipv6(&t, &ip, &sv);
	ck_assert_str_eq(journal, "link\n"
				  "addr+ fe80::1122:3344:5566:7788 peer fe80::1122:3344:5566:7788\n"
				  "route+ 2001:db8:5::/48 dev 77 metric 210\n");
	/* strict: only the configured prefix is a valid source */
	uint8_t in[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 5, 0, 9},
		out[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 6};
	ck_assert(srcvalid_check6(&sv, in));
	ck_assert(!srcvalid_check6(&sv, out));
	netcfg_undo(nc);
	netcfg_free(nc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("apply");
	TCase *tc = tcase_create("apply");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ipv4_default_route_dns_and_undo);
	tcase_add_test(tc, ipv4_split_routes_keep_server_path_and_no_peer_dns);
	tcase_add_test(tc, ipv4_peer_route_always_in_a_vrf);
	tcase_add_test(tc, ipv4_server_address_as_ours_is_refused);
	tcase_add_test(tc, ipv6_link_local_routes_and_source_validation);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
