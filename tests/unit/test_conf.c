#include "core/conf.h"
#include "core/log.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define BASE                                                                                       \
	"server vpn.example.com\nauthentication username alice\nauthentication password s3cret\n"

static struct conf C;
static char ERR[512];

static bool parse(const char *text)
{
	return conf_parse(&C, "t.conf", text, strlen(text), ERR, sizeof(ERR));
}

/* BASE plus extra lines; the extra lines start at line 4. */
static bool parse_base(const char *extra)
{
	static char buf[16384];
	snprintf(buf, sizeof(buf), "%s%s", BASE, extra);
	return parse(buf);
}

static void fails(const char *text, const char *msg)
{
	ck_assert_msg(!parse(text), "accepted: %s", text);
	ck_assert_str_eq(ERR, msg);
}

static void fails_base(const char *extra, const char *msg)
{
	ck_assert_msg(!parse_base(extra), "accepted: %s", extra);
	ck_assert_str_eq(ERR, msg);
}

static void ok_base(const char *extra)
{
	ck_assert_msg(parse_base(extra), "rejected '%s': %s", extra, ERR);
}

static char *print_conf(const struct conf *c)
{
	static char out[16384];
	FILE *f = fmemopen(out, sizeof(out), "w");
	ck_assert_ptr_nonnull(f);
	conf_print(c, f);
	fclose(f);
	return out;
}

START_TEST(defaults)
{
	ck_assert(parse(BASE));
	ck_assert_str_eq(C.ifname, "sstpc0");
	ck_assert_str_eq(C.server, "vpn.example.com");
	ck_assert_str_eq(C.username, "alice");
	ck_assert_str_eq(C.password, "s3cret");
	ck_assert_str_eq(C.path, "");
	ck_assert_uint_eq(C.port, 443);
	ck_assert_uint_eq(C.mtu, 1452);
	ck_assert_uint_eq(C.default_route_distance, 210);
	ck_assert(!C.disable);
	ck_assert(!C.no_default_route);
	ck_assert(!C.no_peer_dns);
	ck_assert(!C.ip_disable_forwarding);
	ck_assert(!C.ipv6_disable);
	ck_assert(!C.auth_allow_none);
	ck_assert_int_eq(C.adjust_mss, 0);
	ck_assert_int_eq(C.source_validation, CONF_SRCVALID_UNSET);
	ck_assert_int_eq(C.nroutes, 0);
	ck_assert_int_eq(C.npins, 0);
	ck_assert_int_eq(C.nauth, 2);
	ck_assert_int_eq(C.auth[0], CONF_AUTH_MSCHAPV2);
	ck_assert_int_eq(C.auth[1], CONF_AUTH_EAP_MSCHAPV2);
	ck_assert_str_eq(C.ca_file, "");
	ck_assert_str_eq(C.server_name, "");
	ck_assert_str_eq(C.description, "");
	ck_assert_str_eq(C.vrf, "");
	ck_assert_str_eq(C.proxy_host, "");
	ck_assert_uint_eq(C.keepalive_interval, 30);
	ck_assert_uint_eq(C.keepalive_failure, 4);
	ck_assert_uint_eq(C.sstp_hello, 60);
	ck_assert_uint_eq(C.connect_timeout, 30);
	ck_assert_uint_eq(C.backoff_min, 1);
	ck_assert_uint_eq(C.backoff_max, 60);
	ck_assert_uint_eq(C.max_fail, 0);
	ck_assert_int_eq(C.log_level, LOG_LVL_NOTICE);
	/* conf_defaults alone agrees */
	struct conf d;
	conf_defaults(&d);
	ck_assert_uint_eq(d.port, 443);
	ck_assert_uint_eq(d.mtu, 1452);
	ck_assert_str_eq(d.ifname, "sstpc0");
}
END_TEST

START_TEST(every_option)
{
	ok_base("interface sstpc7\n"
		"port 8443\n"
		"authentication protocols pap\n"
		"authentication protocols chap mschapv2\n"
		"authentication protocols eap-mschapv2\n"
		"authentication allow-none\n"
		"ssl ca-certificate /etc/sstpc/ca.pem\n"
		"ssl server-name vpn2.example.com\n"
		"ssl pin-sha256 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		"ssl pin-sha256 //////////////////////////////////////////8=\n"
		"description 'Branch uplink'\n"
		"mtu 1400\n"
		"disable\n"
		"vrf red\n"
		"no-default-route\n"
		"default-route-distance 100\n"
		"no-peer-dns\n"
		"ip adjust-mss 1360\n"
		"ip disable-forwarding\n"
		"ip source-validation loose\n"
		"ip route 10.0.0.0/8\n"
		"ip route 192.168.1.0/24\n"
		"ipv6 route 2001:db8::/32\n"
		"ipv6 disable\n"
		"http-proxy proxy.example.com:3128\n"
		"http-proxy username bob\n"
		"http-proxy password pw2\n"
		"keepalive interval 10\n"
		"keepalive failure 5\n"
		"keepalive sstp-hello 120\n"
		"connect-timeout 45\n"
		"reconnect backoff-min 2\n"
		"reconnect backoff-max 300\n"
		"reconnect max-fail 9\n"
		"log-level debug\n");
	ck_assert_str_eq(C.ifname, "sstpc7");
	ck_assert_uint_eq(C.port, 8443);
	ck_assert_int_eq(C.nauth, 4);
	ck_assert_int_eq(C.auth[0], CONF_AUTH_PAP);
	ck_assert_int_eq(C.auth[1], CONF_AUTH_CHAP_MD5);
	ck_assert_int_eq(C.auth[2], CONF_AUTH_MSCHAPV2);
	ck_assert_int_eq(C.auth[3], CONF_AUTH_EAP_MSCHAPV2);
	ck_assert(C.auth_allow_none);
	ck_assert_str_eq(C.ca_file, "/etc/sstpc/ca.pem");
	ck_assert_str_eq(C.server_name, "vpn2.example.com");
	ck_assert_int_eq(C.npins, 2);
	for (int i = 0; i < 32; i++) {
		ck_assert_uint_eq(C.pins[0][i], 0);
		ck_assert_uint_eq(C.pins[1][i], 0xff);
	}
	ck_assert_str_eq(C.description, "Branch uplink");
	ck_assert_uint_eq(C.mtu, 1400);
	ck_assert(C.disable);
	ck_assert_str_eq(C.vrf, "red");
	ck_assert(C.no_default_route);
	ck_assert_uint_eq(C.default_route_distance, 100);
	ck_assert(C.no_peer_dns);
	ck_assert_int_eq(C.adjust_mss, 1360);
	ck_assert(C.ip_disable_forwarding);
	ck_assert_int_eq(C.source_validation, CONF_SRCVALID_LOOSE);
	ck_assert_int_eq(C.nroutes, 3);
	ck_assert_int_eq(C.routes[0].family, AF_INET);
	ck_assert_uint_eq(C.routes[0].plen, 8);
	ck_assert_uint_eq(C.routes[0].addr[0], 10);
	ck_assert_int_eq(C.routes[1].family, AF_INET);
	ck_assert_uint_eq(C.routes[1].plen, 24);
	ck_assert_uint_eq(C.routes[1].addr[2], 1);
	ck_assert_int_eq(C.routes[2].family, AF_INET6);
	ck_assert_uint_eq(C.routes[2].plen, 32);
	ck_assert_uint_eq(C.routes[2].addr[0], 0x20);
	ck_assert_uint_eq(C.routes[2].addr[3], 0xb8);
	ck_assert(C.ipv6_disable);
	ck_assert_str_eq(C.proxy_host, "proxy.example.com");
	ck_assert_uint_eq(C.proxy_port, 3128);
	ck_assert_str_eq(C.proxy_user, "bob");
	ck_assert_str_eq(C.proxy_password, "pw2");
	ck_assert_uint_eq(C.keepalive_interval, 10);
	ck_assert_uint_eq(C.keepalive_failure, 5);
	ck_assert_uint_eq(C.sstp_hello, 120);
	ck_assert_uint_eq(C.connect_timeout, 45);
	ck_assert_uint_eq(C.backoff_min, 2);
	ck_assert_uint_eq(C.backoff_max, 300);
	ck_assert_uint_eq(C.max_fail, 9);
	ck_assert_int_eq(C.log_level, LOG_LVL_DEBUG);
}
END_TEST

START_TEST(enum_values)
{
	ok_base("ip adjust-mss clamp-mss-to-pmtu\nip source-validation strict\n");
	ck_assert_int_eq(C.adjust_mss, -1);
	ck_assert_int_eq(C.source_validation, CONF_SRCVALID_STRICT);
	ok_base("ip source-validation disable\n");
	ck_assert_int_eq(C.source_validation, CONF_SRCVALID_DISABLE);
	static const char *const lv[] = {"error", "warning", "notice", "info", "debug"};
	for (int i = 0; i < 5; i++) {
		char l[64];
		snprintf(l, sizeof(l), "log-level %s\n", lv[i]);
		ok_base(l);
		ck_assert_int_eq(C.log_level, i);
	}
	fails_base(
	    "log-level warn\n",
	    "t.conf:4: log-level: expected error, warning, notice, info or debug, got 'warn'");
	fails_base("ip source-validation on\n",
		   "t.conf:4: ip source-validation: expected strict, loose or disable, got 'on'");
	fails_base(
	    "ip adjust-mss 535\n",
	    "t.conf:4: ip adjust-mss: expected a number 536-65535 or clamp-mss-to-pmtu, got '535'");
	fails_base("ip adjust-mss 65536\n", "t.conf:4: ip adjust-mss: expected a number 536-65535 "
					    "or clamp-mss-to-pmtu, got '65536'");
	ok_base("ip adjust-mss 536\n");
	ck_assert_int_eq(C.adjust_mss, 536);
	ok_base("ip adjust-mss 65535\n");
	ck_assert_int_eq(C.adjust_mss, 65535);
	fails_base("authentication protocols mschap\n",
		   "t.conf:4: authentication protocols: expected eap-mschapv2, mschapv2, pap, "
		   "chap, eap-tls or peap, got 'mschap'");
	fails_base("authentication protocols pap\nauthentication protocols pap\n",
		   "t.conf:5: authentication protocols: 'pap' given twice");
	fails_base("authentication protocols chap chap\n",
		   "t.conf:4: authentication protocols: 'chap' given twice");
	/* the default list is replaced, not appended to */
	ok_base("authentication protocols mschapv2\n");
	ck_assert_int_eq(C.nauth, 1);
	ck_assert_int_eq(C.auth[0], CONF_AUTH_MSCHAPV2);
	ck_assert_str_eq(conf_auth_name(CONF_AUTH_CHAP_MD5), "chap");
	ck_assert_str_eq(conf_auth_name(CONF_AUTH_EAP_MSCHAPV2), "eap-mschapv2");
}
END_TEST

struct numopt {
	const char *key;
	unsigned min, max, def;
	size_t off, size;
};
#define NF(field) offsetof(struct conf, field), sizeof(((struct conf *)0)->field)
static const struct numopt numopts[] = {
    {"port", 1, 65535, 443, NF(port)},
    {"mtu", 68, 4087, 1452, NF(mtu)},
    {"default-route-distance", 1, 255, 210, NF(default_route_distance)},
    {"keepalive interval", 0, 3600, 30, NF(keepalive_interval)},
    {"keepalive failure", 1, 100, 4, NF(keepalive_failure)},
    {"keepalive sstp-hello", 10, 3600, 60, NF(sstp_hello)},
    {"connect-timeout", 5, 600, 30, NF(connect_timeout)},
    {"reconnect backoff-min", 1, 3600, 1, NF(backoff_min)},
    {"reconnect backoff-max", 1, 86400, 60, NF(backoff_max)},
    {"reconnect max-fail", 0, 1000000, 0, NF(max_fail)},
};

static unsigned get_num(const struct numopt *o)
{
	const char *p = (const char *)&C + o->off;
	if (o->size == 2)
		return *(const uint16_t *)p;
	return *(const unsigned *)p;
}

START_TEST(number_ranges)
{
	const struct numopt *o = &numopts[_i];
	char line[128], msg[256];
	/* backoff-min above the default max would trip the cross check */
	const char *fix =
	    strcmp(o->key, "reconnect backoff-min") == 0 ? "reconnect backoff-max 86400\n" : "";

	ck_assert(parse_base(fix));
	ck_assert_uint_eq(get_num(o), o->def);

	snprintf(line, sizeof(line), "%s%s %u\n", fix, o->key, o->min);
	ok_base(line);
	ck_assert_uint_eq(get_num(o), o->min);
	snprintf(line, sizeof(line), "%s%s %u\n", fix, o->key, o->max);
	ok_base(line);
	ck_assert_uint_eq(get_num(o), o->max);

	unsigned errline = fix[0] ? 5 : 4;
	if (o->min > 0) {
		snprintf(line, sizeof(line), "%s%s %u\n", fix, o->key, o->min - 1);
		snprintf(msg, sizeof(msg), "t.conf:%u: %s: expected a number %u-%u, got '%u'",
			 errline, o->key, o->min, o->max, o->min - 1);
		fails_base(line, msg);
	}
	snprintf(line, sizeof(line), "%s%s %u\n", fix, o->key, o->max + 1);
	snprintf(msg, sizeof(msg), "t.conf:%u: %s: expected a number %u-%u, got '%u'", errline,
		 o->key, o->min, o->max, o->max + 1);
	fails_base(line, msg);
	static const char *const bad[] = {"-1",	       "+5", "1x", "0x10", "99999999999999999999",
					  "4294967297"};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		snprintf(line, sizeof(line), "%s%s %s\n", fix, o->key, bad[k]);
		snprintf(msg, sizeof(msg), "t.conf:%u: %s: expected a number %u-%u, got '%s'",
			 errline, o->key, o->min, o->max, bad[k]);
		fails_base(line, msg);
	}
	snprintf(line, sizeof(line), "%s%s\n", fix, o->key);
	snprintf(msg, sizeof(msg), "t.conf:%u: %s: expected a number %u-%u", errline, o->key,
		 o->min, o->max);
	fails_base(line, msg);
	snprintf(line, sizeof(line), "%s%s %u 7\n", fix, o->key, o->min);
	snprintf(msg, sizeof(msg),
		 "t.conf:%u: %s: expected one value (quote values with spaces), got also '7'",
		 errline, o->key);
	fails_base(line, msg);
}
END_TEST

START_TEST(exact_error_messages)
{
	fails_base("mtu 40\n", "t.conf:4: mtu: expected a number 68-4087, got '40'");
	fails_base("\n\n\nfoo\n", "t.conf:7: unknown option 'foo'");
	fails_base("foo bar\n", "t.conf:4: unknown option 'foo'");
	fails_base(
	    "ip\n",
	    "t.conf:4: ip: expected adjust-mss, disable-forwarding, source-validation, route");
	fails_base("ip frob\n", "t.conf:4: unknown option 'ip frob' (ip takes adjust-mss, "
				"disable-forwarding, source-validation, route)");
	fails_base("disable yes\n", "t.conf:4: disable: takes no value, got 'yes'");
	fails_base("no-peer-dns 1\n", "t.conf:4: no-peer-dns: takes no value, got '1'");
	fails_base("ipv6 disable now\n", "t.conf:4: ipv6 disable: takes no value, got 'now'");
	fails_base("no-default-route x\n", "t.conf:4: no-default-route: takes no value, got 'x'");
	fails_base("ip disable-forwarding x\n",
		   "t.conf:4: ip disable-forwarding: takes no value, got 'x'");
	fails_base(
	    "server\n",
	    "t.conf:4: server: expected an IP address or host name (at most 253 characters)");
	fails_base("server bad+host\n", "t.conf:4: server: expected an IP address or host name (at "
					"most 253 characters), got 'bad+host'");
	fails_base("server -x.com\n", "t.conf:4: server: expected an IP address or host name (at "
				      "most 253 characters), got '-x.com'");
	fails_base("server a..b\n", "t.conf:4: server: expected an IP address or host name (at "
				    "most 253 characters), got 'a..b'");
	fails_base(
	    "description 'a\tb'\n",
	    "t.conf:4: description: expected a printable text of 0-255 characters, got 'a\tb'");
	fails_base("vrf a/b\n", "t.conf:4: vrf: expected a VRF name of 1-15 characters, got 'a/b'");
	fails_base("vrf abcdefghijklmnop\n",
		   "t.conf:4: vrf: expected a VRF name of 1-15 characters, got 'abcdefghijklmnop'");
	fails_base("interface eth0\n", "t.conf:4: interface: expected a name sstpcN (N a number, "
				       "at most 15 characters), got 'eth0'");
	fails_base("interface sstpc\n", "t.conf:4: interface: expected a name sstpcN (N a number, "
					"at most 15 characters), got 'sstpc'");
	fails_base("interface sstpc12345678901\n",
		   "t.conf:4: interface: expected a name sstpcN (N a number, at most 15 "
		   "characters), got 'sstpc12345678901'");
	fails_base(
	    "interface sstpc1\ninterface sstpc2\n",
	    "t.conf:5: interface 'sstpc2' differs from 'sstpc1' on line 4: one tunnel per file");
	fails_base("description 'open\n", "t.conf:4: unterminated single quote");
	fails_base("description \"open\n", "t.conf:4: unterminated double quote");
	fails_base("mtu\x01 1400\n", "t.conf:4: control character 0x01 in the line");
	fails_base("ssl pin-sha256 AAAA\n", "t.conf:4: ssl pin-sha256: expected the base64 SHA-256 "
					    "of a public key (44 characters), got 'AAAA'");
	/* non-canonical: low bits of the last symbol set */
	fails_base("ssl pin-sha256 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n",
		   "t.conf:4: ssl pin-sha256: expected the base64 SHA-256 of a public key (44 "
		   "characters), got "
		   "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB='");
	fails_base(
	    "ssl pin-sha256 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
	    "ssl pin-sha256 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
	    "t.conf:5: ssl pin-sha256: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' given twice");
	fails_base("ssl pin-sha256 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		   "ssl pin-sha256 AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		   "ssl pin-sha256 AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		   "ssl pin-sha256 AwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		   "ssl pin-sha256 BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		   "t.conf:8: ssl pin-sha256: at most 4 pins");
	fails_base("ip route 10.0.0.1/8\n", "t.conf:4: ip route: expected an IPv4 prefix a.b.c.d/n "
					    "without host bits, got '10.0.0.1/8'");
	fails_base("ip route 10.0.0.0\n", "t.conf:4: ip route: expected an IPv4 prefix a.b.c.d/n "
					  "without host bits, got '10.0.0.0'");
	fails_base("ip route 10.0.0.0/33\n", "t.conf:4: ip route: expected an IPv4 prefix "
					     "a.b.c.d/n without host bits, got '10.0.0.0/33'");
	fails_base("ip route 2001:db8::/32\n", "t.conf:4: ip route: expected an IPv4 prefix "
					       "a.b.c.d/n without host bits, got '2001:db8::/32'");
	fails_base("ipv6 route 2001:db8::1/64\n",
		   "t.conf:4: ipv6 route: expected an IPv6 prefix x:x::/n without host bits, got "
		   "'2001:db8::1/64'");
	fails_base("ipv6 route ::/129\n", "t.conf:4: ipv6 route: expected an IPv6 prefix x:x::/n "
					  "without host bits, got '::/129'");
	fails_base("ip route 10.0.0.0/8\nip route 10.0.0.0/8\n",
		   "t.conf:5: ip route: '10.0.0.0/8' given twice");
	fails_base("http-proxy proxy\n",
		   "t.conf:4: http-proxy: expected HOST:PORT (IPv6 as [addr]:port), got 'proxy'");
	fails_base("http-proxy proxy:0\n",
		   "t.conf:4: http-proxy: expected HOST:PORT (IPv6 as [addr]:port), got 'proxy:0'");
	fails_base("http-proxy ::1:80\n",
		   "t.conf:4: http-proxy: expected HOST:PORT (IPv6 as [addr]:port), got '::1:80'");
	fails_base("http-proxy [zz]:80\n",
		   "t.conf:4: http-proxy: expected HOST:PORT (IPv6 as [addr]:port), got '[zz]:80'");
	fails_base("set interfaces pppoe pppoe0 mtu 1400\n",
		   "t.conf:4: expected 'set interfaces sstpc <name> ...'");
	fails_base("set interfaces sstpc\n",
		   "t.conf:4: expected 'set interfaces sstpc <name> ...'");
	fails_base(
	    "set interfaces sstpc sstpc0 mtu 1400\nset interfaces sstpc sstpc1 mtu 1400\n",
	    "t.conf:5: interface 'sstpc1' differs from 'sstpc0' on line 4: one tunnel per file");
	/* a secret is never echoed */
	char longpw[400];
	memset(longpw, 'P', 300);
	longpw[300] = 0;
	char line[512];
	snprintf(line, sizeof(line), "authentication password %s\n", longpw);
	fails_base(line,
		   "t.conf:4: authentication password: expected a password (1-255 characters)");
	fails_base(
	    "authentication password a b\n",
	    "t.conf:4: authentication password: expected one value (quote values with spaces)");
	fails_base("http-proxy password ''\n",
		   "t.conf:4: http-proxy password: expected a password (1-255 characters)");
}
END_TEST

START_TEST(required_and_pairs)
{
	fails("", "t.conf: server: required");
	fails("authentication username a\nauthentication password b\n", "t.conf: server: required");
	fails("server 192.0.2.1\nauthentication password b\n",
	      "t.conf: authentication username: required");
	fails("server 192.0.2.1\nauthentication username a\n",
	      "t.conf: authentication password (or password-file): required");
	fails("server 192.0.2.1\nauthentication username a\nauthentication password b\n"
	      "authentication password-file /x\n",
	      "t.conf: authentication: give either password or password-file, not both");
	fails_base("http-proxy p:8080\nhttp-proxy username u\n",
		   "t.conf: http-proxy: username and password go together");
	fails_base("http-proxy p:8080\nhttp-proxy password u\n",
		   "t.conf: http-proxy: username and password go together");
	fails_base("http-proxy username u\nhttp-proxy password p\n",
		   "t.conf: http-proxy: username and password given without http-proxy HOST:PORT");
	fails_base("reconnect backoff-min 10\nreconnect backoff-max 5\n",
		   "t.conf: reconnect backoff-max (5) must be at least backoff-min (10)");
	ok_base("reconnect backoff-min 10\nreconnect backoff-max 10\n");
	/* password-file alone satisfies the check in conf_parse */
	ck_assert(parse(
	    "server 192.0.2.1\nauthentication username a\nauthentication password-file /x\n"));
	ck_assert_str_eq(C.password_file, "/x");
	ck_assert_str_eq(C.password, "");
	/* a failed parse leaves no secret behind */
	ck_assert(!parse(BASE "mtu 1\n"));
	ck_assert_str_eq(C.password, "");
}
END_TEST

START_TEST(hosts_and_proxy)
{
	/* BASE names vpn.example.com: each further line adds a server */
	ok_base("server 192.0.2.1\n");
	ck_assert_int_eq(C.nservers, 2);
	ck_assert_str_eq(C.server, "vpn.example.com");
	ck_assert_str_eq(C.servers[0], "vpn.example.com");
	ck_assert_str_eq(C.servers[1], "192.0.2.1");
	ok_base("server 2001:db8::1\n");
	ck_assert_str_eq(C.servers[1], "2001:db8::1");
	ok_base("server a-b.c0.example\n");
	/* what a resolver takes: underscores too */
	ok_base("server _sstp.vpn_1.example\n");
	ck_assert_str_eq(C.servers[1], "_sstp.vpn_1.example");
	/* IDN: kept in the form DNS, SNI and certificates use */
	ok_base("server 'vpn.m\xc3\xbcnchen.example'\nssl server-name b\xc3\xbc"
		"cher.example\n");
	ck_assert_str_eq(C.servers[1], "vpn.xn--mnchen-3ya.example");
	ck_assert_str_eq(C.server_name, "xn--bcher-kva.example");
	fails_base("server a\xc0\xaf"
		   "b\n",
		   "t.conf:4: server: 'a\xc0\xaf"
		   "b' is not a valid internationalised host name");
	fails_base("server 'b\xc3\xbc cher'\n",
		   "t.conf:4: server: expected an IP address or host name (at most 253 "
		   "characters), got 'b\xc3\xbc cher'");
	ok_base("http-proxy [2001:db8::5]:8080\n");
	ck_assert_str_eq(C.proxy_host, "2001:db8::5");
	ck_assert_uint_eq(C.proxy_port, 8080);
	ok_base("http-proxy 10.1.1.1:65535\n");
	ck_assert_str_eq(C.proxy_host, "10.1.1.1");
	ck_assert_uint_eq(C.proxy_port, 65535);
	/* host name length limit 253 */
	char line[600], host[300];
	memset(host, 0, sizeof(host));
	for (int i = 0; i < 253; i++)
		host[i] = (i % 50 == 49) ? '.' : 'a';
	snprintf(line, sizeof(line), "server %s\n", host);
	ok_base(line);
	host[253] = 'a';
	snprintf(line, sizeof(line), "server %s\n", host);
	ck_assert(!parse_base(line));
	ok_base("ip route 0.0.0.0/0\nipv6 route ::/0\nip route 192.0.2.7/32\nipv6 route "
		"2001:db8::1/128\n");
	ck_assert_int_eq(C.nroutes, 4);
	ok_base("vrf abcdefghijklmno\n");
	ck_assert_str_eq(C.vrf, "abcdefghijklmno");
}
END_TEST

/* `server` is repeatable (VyOS multi-value): in order, no duplicates, at
 * most CONF_MAX_SERVERS; printed back one line each. */
START_TEST(server_list)
{
	ck_assert(parse("server a.example\nserver 192.0.2.2\nserver b.example\n"
			"authentication username u\nauthentication password p\n"));
	ck_assert_int_eq(C.nservers, 3);
	ck_assert_str_eq(C.server, "a.example");
	ck_assert_str_eq(C.servers[0], "a.example");
	ck_assert_str_eq(C.servers[1], "192.0.2.2");
	ck_assert_str_eq(C.servers[2], "b.example");
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);
	conf_print(&C, f);
	fclose(f);
	ck_assert_ptr_nonnull(
	    strstr(out, "server a.example\nserver 192.0.2.2\nserver b.example\n"));
	free(out);
	fails_base("server vpn.example.com\n",
		   "t.conf:4: server: 'vpn.example.com' is already in the list");
	char text[1024] = BASE;
	for (int i = 1; i < CONF_MAX_SERVERS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "server s%d.example\n",
			 i);
	ck_assert(parse(text));
	ck_assert_int_eq(C.nservers, CONF_MAX_SERVERS);
	strcat(text, "server one-too-many.example\n");
	fails(text, "t.conf:11: server: at most 8 servers");
}
END_TEST

/* up-script / down-script: absolute paths; script-timeout 1-3600, 30. */
START_TEST(scripts)
{
	ok_base("up-script /etc/sstpc/up\ndown-script '/etc/sstpc/my down'\nscript-timeout 5\n");
	ck_assert_str_eq(C.up_script, "/etc/sstpc/up");
	ck_assert_str_eq(C.down_script, "/etc/sstpc/my down");
	ck_assert_uint_eq(C.script_timeout, 5);
	ok_base("");
	ck_assert_str_eq(C.up_script, "");
	ck_assert_uint_eq(C.script_timeout, 30);
	fails_base("up-script up.sh\n",
		   "t.conf:4: up-script: expected an absolute file name, got 'up.sh'");
	fails_base("script-timeout 0\n",
		   "t.conf:4: script-timeout: expected a number 1-3600, got '0'");
}
END_TEST

START_TEST(string_lengths)
{
	char line[700], v[400];
	memset(v, 'd', 255);
	v[255] = 0;
	snprintf(line, sizeof(line), "description '%s'\n", v);
	ok_base(line);
	ck_assert_uint_eq(strlen(C.description), 255);
	v[255] = 'd';
	v[256] = 0;
	snprintf(line, sizeof(line), "description '%s'\n", v);
	ck_assert(!parse_base(line));
	ck_assert(
	    strstr(
		ERR,
		"t.conf:4: description: expected a printable text of 0-255 characters, got 'ddd") ==
	    ERR);
	memset(v, 'u', 255);
	v[255] = 0;
	snprintf(line, sizeof(line), "authentication username %s\n", v);
	ok_base(line);
	snprintf(line, sizeof(line), "authentication password %s\n", v);
	ok_base(line);
	ck_assert_uint_eq(strlen(C.password), 255);
}
END_TEST

START_TEST(set_form_and_quoting)
{
	ck_assert_msg(parse("set interfaces sstpc sstpc3 server 'vpn.example.com'\n"
			    "set interfaces sstpc sstpc3 authentication username 'alice'\n"
			    "set interfaces sstpc sstpc3 authentication password 'it'\"'\"'s #1'\n"
			    "set interfaces sstpc sstpc3 description \"Bob's uplink\"\n"
			    "set interfaces sstpc sstpc3 mtu '1400'   # trailing comment\n"
			    "set interfaces sstpc sstpc3\n"
			    "set interfaces sstpc sstpc3 disable\n"
			    "   # indented comment\n"
			    "\t\n"
			    "interface sstpc3\n"
			    "set interfaces sstpc sstpc3 authentication protocols 'pap'\n"
			    "set interfaces sstpc sstpc3 authentication protocols 'chap'\r\n"),
		      "%s", ERR);
	ck_assert_str_eq(C.ifname, "sstpc3");
	ck_assert_str_eq(C.server, "vpn.example.com");
	ck_assert_str_eq(C.password, "it's #1");
	ck_assert_str_eq(C.description, "Bob's uplink");
	ck_assert_uint_eq(C.mtu, 1400);
	ck_assert(C.disable);
	ck_assert_int_eq(C.nauth, 2);
	ck_assert_int_eq(C.auth[1], CONF_AUTH_CHAP_MD5);
	/* # inside a word is not a comment; at a word start it is */
	ok_base("authentication password pa#ss\n");
	ck_assert_str_eq(C.password, "pa#ss");
	ok_base("authentication password \"pa ss\" # comment 'unterminated\n");
	ck_assert_str_eq(C.password, "pa ss");
	ok_base("description 'a # b'\n");
	ck_assert_str_eq(C.description, "a # b");
	/* later values replace earlier ones, as a VyOS `set` does */
	ok_base("mtu 1300\nmtu 1500\n");
	ck_assert_uint_eq(C.mtu, 1500);
	/* ... and a shorter secret leaves nothing of the longer one behind */
	ok_base("authentication password a-much-longer-secret\nauthentication password xy\n");
	ck_assert_str_eq(C.password, "xy");
	for (size_t i = 2; i < sizeof(C.password); i++)
		ck_assert_uint_eq((unsigned char)C.password[i], 0);
	/* no trailing newline, CRLF, blank lines */
	ck_assert(parse("server x\r\n\r\nauthentication username a\nauthentication password b"));
	ck_assert_str_eq(C.password, "b");
	/* a quoted key is a single word, not a path */
	fails_base("'ip route' 10.0.0.0/8\n", "t.conf:4: unknown option 'ip route'");
	/* NUL byte */
	static const char nul[] = BASE "mtu 1400\0 x\n";
	ck_assert(!conf_parse(&C, "t.conf", nul, sizeof(nul) - 1, ERR, sizeof(ERR)));
	ck_assert_str_eq(ERR, "t.conf:4: NUL byte in the line");
}
END_TEST

START_TEST(size_limits)
{
	char *buf = malloc(2 * 1024 * 1024);
	ck_assert_ptr_nonnull(buf);
	/* a 4096-character line is fine, 4097 is not */
	size_t n = (size_t)snprintf(buf, 100, "%s", BASE);
	memset(buf + n, ' ', 4096 - 6);
	memcpy(buf + n + 4096 - 6, "mtu 99", 6);
	buf[n + 4096] = 0;
	ck_assert_msg(conf_parse(&C, "t.conf", buf, n + 4096, ERR, sizeof(ERR)), "%s", ERR);
	ck_assert_uint_eq(C.mtu, 99);
	memset(buf + n, ' ', 4097 - 6);
	memcpy(buf + n + 4097 - 6, "mtu 99", 6);
	ck_assert(!conf_parse(&C, "t.conf", buf, n + 4097, ERR, sizeof(ERR)));
	ck_assert_str_eq(ERR, "t.conf:4: line longer than 4096 characters");
	/* 1 MiB of comments is fine, one byte more is not */
	size_t mib = 1024 * 1024;
	memset(buf + n, '\n', mib - n);
	ck_assert_msg(conf_parse(&C, "t.conf", buf, mib, ERR, sizeof(ERR)), "%s", ERR);
	buf[mib] = '\n';
	ck_assert(!conf_parse(&C, "t.conf", buf, mib + 1, ERR, sizeof(ERR)));
	ck_assert_str_eq(ERR, "t.conf: larger than 1 MiB");
	/* too many words */
	ck_assert(
	    !parse_base("authentication protocols pap pap pap pap pap pap pap pap pap pap pap pap "
			"pap pap pap pap "
			"pap pap pap pap pap pap pap pap pap pap pap pap pap pap pap pap pap\n"));
	ck_assert_str_eq(ERR, "t.conf:4: more than 32 words");
	free(buf);
}
END_TEST

START_TEST(print_masks_secrets_and_roundtrips)
{
	ok_base("interface sstpc2\n"
		"description \"it's mine\"\n"
		"ssl pin-sha256 q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=\n"
		"http-proxy [2001:db8::5]:8080\n"
		"http-proxy username bob\n"
		"http-proxy password Pr0xyS3cret\n"
		"ip route 10.0.0.0/8\nipv6 route 2001:db8::/32\n"
		"ip adjust-mss clamp-mss-to-pmtu\nip source-validation strict\nno-peer-dns\n"
		"authentication allow-none\n");
	struct conf first = C;
	char *out = print_conf(&first);
	ck_assert_ptr_null(strstr(out, "s3cret"));
	ck_assert_ptr_null(strstr(out, "Pr0xyS3cret"));
	ck_assert_ptr_nonnull(strstr(out, "authentication password '********'\n"));
	ck_assert_ptr_nonnull(strstr(out, "http-proxy password '********'\n"));
	ck_assert(strncmp(out, "interface sstpc2\n", 17) == 0);
	/* defaults are printed too */
	ck_assert_ptr_nonnull(strstr(out, "\nport 443\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nmtu 1452\n"));
	ck_assert_ptr_nonnull(strstr(out, "\ndefault-route-distance 210\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nkeepalive interval 30\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nlog-level notice\n"));
	ck_assert_ptr_nonnull(strstr(
	    out, "\nauthentication protocols mschapv2\nauthentication protocols eap-mschapv2\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nauthentication allow-none\n"));
	ck_assert_ptr_nonnull(
	    strstr(out, "\nssl pin-sha256 q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nhttp-proxy [2001:db8::5]:8080\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nipv6 route 2001:db8::/32\n"));
	/* the printout parses back to the same configuration (secrets masked) */
	ck_assert_msg(parse(out), "%s\n%s", ERR, out);
	ck_assert_str_eq(C.password, "********");
	ck_assert_str_eq(C.proxy_password, "********");
	memcpy(C.password, first.password, sizeof(C.password));
	memcpy(C.proxy_password, first.proxy_password, sizeof(C.proxy_password));
	ck_assert_mem_eq(&C, &first, sizeof(C));
	/* password-file is shown as the file, never its contents */
	ck_assert(
	    parse("server x\nauthentication username a\nauthentication password-file /etc/pw\n"));
	strcpy(C.password, "fromfile");
	out = print_conf(&C);
	ck_assert_ptr_null(strstr(out, "fromfile"));
	ck_assert_ptr_nonnull(strstr(out, "authentication password-file /etc/pw\n"));
}
END_TEST

static char tmpdir[64];

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

START_TEST(load_password_file)
{
	tu_tmpdir_make(tmpdir, sizeof(tmpdir), "conf");
	char conf_path[128], pw[128], text[512], err[512];
	snprintf(conf_path, sizeof(conf_path), "%s/tunnel.conf", tmpdir);
	snprintf(pw, sizeof(pw), "%s/pw", tmpdir);
	write_file(pw, "hunter2\r\nsecond line\n", 0600);
	/* relative to the config file's directory */
	write_file(
	    conf_path,
	    "server vpn.example.com\nauthentication username a\nauthentication password-file pw\n",
	    0600);
	ck_assert_msg(conf_load(&C, conf_path, err, sizeof(err)), "%s", err);
	ck_assert_str_eq(C.password, "hunter2");
	ck_assert_str_eq(C.password_file, pw);
	ck_assert_str_eq(C.path, conf_path);
	/* mode 0644 still loads: refusing it is the daemon's decision */
	write_file(pw, "pw-no-newline", 0644);
	snprintf(text, sizeof(text),
		 "server x\nauthentication username a\nauthentication password-file %s\n", pw);
	write_file(conf_path, text, 0600);
	log_set_level(LOG_LVL_ERROR);
	ck_assert_msg(conf_load(&C, conf_path, err, sizeof(err)), "%s", err);
	ck_assert_str_eq(C.password, "pw-no-newline");
	/* empty first line */
	write_file(pw, "\nx\n", 0600);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	char msg[512];
	snprintf(msg, sizeof(msg),
		 "%s:3: authentication password-file: '%s' holds no password on its first line",
		 conf_path, pw);
	ck_assert_str_eq(err, msg);
	/* missing */
	unlink(pw);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	snprintf(msg, sizeof(msg),
		 "%s:3: authentication password-file: cannot open '%s': No such file or directory",
		 conf_path, pw);
	ck_assert_str_eq(err, msg);
	ck_assert_str_eq(C.password, "");
	/* too long */
	char longpw[300];
	memset(longpw, 'x', 299);
	longpw[299] = 0;
	write_file(pw, longpw, 0600);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	snprintf(msg, sizeof(msg),
		 "%s:3: authentication password-file: '%s': password longer than 255 characters",
		 conf_path, pw);
	ck_assert_str_eq(err, msg);
	/* a config error names the file and line */
	write_file(conf_path, "server x\nmtu 40\n", 0600);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	snprintf(msg, sizeof(msg), "%s:2: mtu: expected a number 68-4087, got '40'", conf_path);
	ck_assert_str_eq(err, msg);
	unlink(conf_path);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	snprintf(msg, sizeof(msg), "%s: cannot open: No such file or directory", conf_path);
	ck_assert_str_eq(err, msg);
	ck_assert(tu_tmpdir_remove(tmpdir));
}
END_TEST

/* A password in a file others can read: found and named, for the config
 * file holding it inline and for the password file. */
START_TEST(secrets_in_open_files)
{
	tu_tmpdir_make(tmpdir, sizeof(tmpdir), "conf");
	char conf_path[128], pw[128], text[512], err[512], msg[512], want[512];
	snprintf(conf_path, sizeof(conf_path), "%s/tunnel.conf", tmpdir);
	snprintf(pw, sizeof(pw), "%s/pw", tmpdir);
	write_file(conf_path, "server x\nauthentication username a\nauthentication password s3\n",
		   0600);
	ck_assert_msg(conf_load(&C, conf_path, err, sizeof(err)), "%s", err);
	ck_assert(conf_secrets_private(&C, msg, sizeof(msg)));
	chmod(conf_path, 0640);
	ck_assert(!conf_secrets_private(&C, msg, sizeof(msg)));
	snprintf(want, sizeof(want),
		 "config file %s holds a password and is accessible by group or "
		 "others (mode 640): chmod 600 %s",
		 conf_path, conf_path);
	ck_assert_str_eq(msg, want);
	/* the proxy password is a secret too */
	write_file(conf_path,
		   "server x\nauthentication username a\nauthentication password-file pw\n"
		   "http-proxy 10.0.0.1:3128\nhttp-proxy username u\nhttp-proxy password pp\n",
		   0604);
	write_file(pw, "hunter2\n", 0600);
	ck_assert_msg(conf_load(&C, conf_path, err, sizeof(err)), "%s", err);
	ck_assert(!conf_secrets_private(&C, msg, sizeof(msg)));
	ck_assert_ptr_nonnull(strstr(msg, "(mode 604)"));
	/* the password in its own file: the config may be world-readable */
	snprintf(text, sizeof(text),
		 "server x\nauthentication username a\nauthentication password-file %s\n", pw);
	write_file(conf_path, text, 0644);
	ck_assert_msg(conf_load(&C, conf_path, err, sizeof(err)), "%s", err);
	ck_assert(conf_secrets_private(&C, msg, sizeof(msg)));
	chmod(pw, 0644);
	ck_assert(!conf_secrets_private(&C, msg, sizeof(msg)));
	snprintf(want, sizeof(want),
		 "password file %s holds a password and is accessible by group or "
		 "others (mode 644): chmod 600 %s",
		 pw, pw);
	ck_assert_str_eq(msg, want);
	ck_assert(tu_tmpdir_remove(tmpdir));
}
END_TEST

/* Certificate files (chain + key): resolved against the config's
 * directory, must exist, printed by path only, refused when others can
 * read them. */
START_TEST(certificate_files)
{
	tu_tmpdir_make(tmpdir, sizeof(tmpdir), "conf");
	char conf_path[128], cert[128], err[512], msg[512], want[512];
	snprintf(conf_path, sizeof(conf_path), "%s/tunnel.conf", tmpdir);
	snprintf(cert, sizeof(cert), "%s/me.pem", tmpdir);
	write_file(cert, "-----BEGIN CERTIFICATE-----\n", 0600);
	write_file(conf_path,
		   "server x\nauthentication username a\nauthentication password-file me.pem\n"
		   "ssl certificate me.pem\nauthentication certificate me.pem\n",
		   0600);
	ck_assert_msg(conf_load(&C, conf_path, err, sizeof(err)), "%s", err);
	ck_assert_str_eq(C.cert_file, cert);
	ck_assert_str_eq(C.auth_cert_file, cert);
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	conf_print(&C, f);
	fclose(f);
	snprintf(want, sizeof(want), "ssl certificate %s\n", cert);
	ck_assert_ptr_nonnull(strstr(out, want));
	snprintf(want, sizeof(want), "authentication certificate %s\n", cert);
	ck_assert_ptr_nonnull(strstr(out, want));
	ck_assert_ptr_null(strstr(out, "BEGIN"));
	free(out);
	ck_assert(conf_secrets_private(&C, msg, sizeof(msg)));
	chmod(cert, 0640);
	ck_assert(!conf_secrets_private(&C, msg, sizeof(msg)));
	ck_assert_ptr_nonnull(strstr(msg, "holds a password")); /* the password file comes first */
	write_file(conf_path,
		   "server x\nauthentication username a\nauthentication password p\n"
		   "ssl certificate me.pem\n",
		   0600);
	ck_assert_msg(conf_load(&C, conf_path, err, sizeof(err)), "%s", err);
	ck_assert(!conf_secrets_private(&C, msg, sizeof(msg)));
	snprintf(want, sizeof(want),
		 "ssl certificate %s holds a private key and is accessible by group or "
		 "others (mode 640): chmod 600 %s",
		 cert, cert);
	ck_assert_str_eq(msg, want);
	/* eap-tls alone needs no password, but a certificate and the name the
	 * EAP server's certificate must carry */
	write_file(conf_path,
		   "server x\nauthentication username a\nauthentication protocols eap-tls\n", 0600);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	ck_assert_ptr_nonnull(
	    strstr(err, "authentication protocols eap-tls: needs authentication certificate FILE"));
	write_file(conf_path,
		   "server x\nauthentication username a\nauthentication protocols eap-tls\n"
		   "authentication certificate me.pem\n",
		   0600);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "needs authentication server-name"));
	write_file(conf_path,
		   "server x\nauthentication username a\nauthentication protocols eap-tls\n"
		   "authentication certificate me.pem\nauthentication server-name radius.test\n"
		   "authentication ca-certificate me.pem\n",
		   0600);
	chmod(cert, 0600);
	ck_assert_msg(conf_load(&C, conf_path, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(C.auth[0], CONF_AUTH_EAP_TLS);
	ck_assert_str_eq(C.auth_server_name, "radius.test");
	ck_assert_str_eq(C.auth_ca_file, cert);
	write_file(conf_path,
		   "server x\nauthentication username a\nauthentication password p\n"
		   "ssl certificate me.pem\n",
		   0600);
	unlink(cert);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "%s:4: ssl certificate: cannot open '%s': No such file or directory", conf_path,
		 cert);
	ck_assert_str_eq(err, want);
	ck_assert(tu_tmpdir_remove(tmpdir));
}
END_TEST

/* VyOS pki entries: parsed (plain and `set` form), named by the
 * certificate keys, keys masked in print, refusals with reasons. DER here
 * is the smallest SEQUENCE, 30 03 02 01 01 ("MAMCAQE="). */
START_TEST(pki_entries)
{
	ok_base("set pki ca MyCA certificate MAMCAQE=\n"
		"pki certificate laptop certificate MAMCAQE=\n"
		"pki certificate laptop private key MAMCAQI=\n"
		"ssl ca-certificate MyCA\nssl certificate laptop\n"
		"authentication ca-certificate MyCA\n");
	ck_assert_int_eq(C.npki, 2);
	ck_assert(C.ca_pki && C.cert_pki && C.auth_ca_pki && !C.auth_cert_pki);
	ck_assert_str_eq(C.ca_file, "MyCA");
	const struct conf_pki *e = conf_pki_find(C.pki, C.npki, "laptop", false);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->key_len, 5);
	ck_assert_mem_eq(e->key, "\x30\x03\x02\x01\x02", 5);
	const char *out = print_conf(&C);
	ck_assert_ptr_nonnull(strstr(out, "pki ca MyCA certificate MAMCAQE=\n"));
	ck_assert_ptr_nonnull(strstr(out, "pki certificate laptop certificate MAMCAQE=\n"));
	ck_assert_ptr_nonnull(strstr(out, "pki certificate laptop private key '********'\n"));
	ck_assert_ptr_null(strstr(out, "MAMCAQI="));
	ck_assert_ptr_nonnull(strstr(out, "ssl certificate laptop\n"));
	fails_base("pki certificate laptop certificate MAMCAQE=\nssl certificate laptop\n",
		   "t.conf: ssl certificate: pki certificate laptop has no private key");
	fails_base("pki ca X certificate -----BEGIN\n",
		   "t.conf:4: pki ca X: certificate: expected the base64 of a DER certificate on "
		   "one line, without "
		   "the -----BEGIN/END----- lines (at most 2900 bytes)");
	fails_base("pki ca X certificate QUJD\n",
		   "t.conf:4: pki ca X: certificate: expected the base64 of a DER certificate on "
		   "one line, without "
		   "the -----BEGIN/END----- lines (at most 2900 bytes)");
	fails_base("pki certificate k private key password-protected\n",
		   "t.conf:4: pki certificate k: an encrypted private key is not supported: give "
		   "it unencrypted "
		   "(openssl pkey -in KEY -outform DER | base64 -w0)");
	fails_base("pki ca X certificate MAMCAQE=\npki ca X certificate MAMCAQE=\n",
		   "t.conf:5: pki ca X: certificate given twice");
	fails_base("pki ca a/b certificate MAMCAQE=\n",
		   "t.conf:4: pki: a name of 1-63 letters, digits, '-', '_' or '.' expected");
	fails_base("pki ca a certificate MAMCAQE=\npki ca b certificate MAMCAQE=\npki ca c "
		   "certificate MAMCAQE=\n"
		   "pki ca d certificate MAMCAQE=\npki ca e certificate MAMCAQE=\n",
		   "t.conf:8: pki: at most 4 entries");
	fails_base("pki ca X private key MAMCAQE=\n",
		   "t.conf:4: pki ca X: expected 'certificate BASE64'");
	/* a ca name is not a certificate name */
	ok_base("pki ca X certificate MAMCAQE=\nssl certificate X\n");
	ck_assert(!C.cert_pki);
}
END_TEST

/* An inline private key makes the config file a secret. */
START_TEST(pki_key_private)
{
	tu_tmpdir_make(tmpdir, sizeof(tmpdir), "conf");
	char conf_path[128], err[512], msg[512], want[512];
	snprintf(conf_path, sizeof(conf_path), "%s/tunnel.conf", tmpdir);
	write_file(conf_path,
		   "server x\nauthentication username a\nauthentication password-file /dev/null\n",
		   0600);
	write_file(
	    conf_path,
	    "server x\nauthentication username a\nauthentication protocols eap-tls\n"
	    "authentication server-name r.test\nauthentication certificate me\n"
	    "pki certificate me certificate MAMCAQE=\npki certificate me private key MAMCAQI=\n",
	    0640);
	ck_assert_msg(conf_load(&C, conf_path, err, sizeof(err)), "%s", err);
	ck_assert(C.auth_cert_pki);
	ck_assert(!conf_secrets_private(&C, msg, sizeof(msg)));
	snprintf(want, sizeof(want),
		 "config file %s holds a private key (pki) and is accessible by group or "
		 "others (mode 640): chmod 600 %s",
		 conf_path, conf_path);
	ck_assert_str_eq(msg, want);
	chmod(conf_path, 0600);
	ck_assert(conf_secrets_private(&C, msg, sizeof(msg)));
	ck_assert(tu_tmpdir_remove(tmpdir));
}
END_TEST

/* VyOS's rules: description may be empty; VRF names as its vrf-name
 * validator takes them. */
START_TEST(vyos_constraints)
{
	ok_base("description 'old'\ndescription ''\n");
	ck_assert_str_eq(C.description, "");
	ok_base("set interfaces sstpc sstpc0 description ''\n");
	static const struct {
		const char *vrf, *msg;
	} bad[] = {
	    {"eth0", "t.conf:4: vrf: 'eth0' is named like a network interface, not a VRF (VyOS "
		     "refuses it)"},
	    {"eth0.10", "t.conf:4: vrf: 'eth0.10' is named like a network interface, not a VRF "
			"(VyOS refuses it)"},
	    {"br1",
	     "t.conf:4: vrf: 'br1' is named like a network interface, not a VRF (VyOS refuses it)"},
	    {"wg0",
	     "t.conf:4: vrf: 'wg0' is named like a network interface, not a VRF (VyOS refuses it)"},
	    {"pppoe3", "t.conf:4: vrf: 'pppoe3' is named like a network interface, not a VRF (VyOS "
		       "refuses it)"},
	    {"lo", "t.conf:4: vrf: 'lo' is the loopback interface, not a VRF name"},
	    {"1abc", "t.conf:4: vrf: a VRF name must start with a letter, got '1abc'"},
	    {"-x", "t.conf:4: vrf: a VRF name must start with a letter, got '-x'"},
	    {"default", "t.conf:4: vrf: 'default' is the main routing table, not a VRF device "
			"(leave out `vrf` to use it)"},
	};
	char line[64];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "vrf %s\n", bad[i].vrf);
		fails_base(line, bad[i].msg);
	}
	static const char *const good[] = {"red",   "local-vrf", "bridge-red", "ethx",
					   "lower", "mgmt",	 "tenant7"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(line, sizeof(line), "vrf %s\n", good[i]);
		ok_base(line);
		ck_assert_str_eq(C.vrf, good[i]);
	}
}
END_TEST

/* conf_load opens the CA file: a missing one, or a VyOS pki name, is an
 * error naming the line, not a failure of every connect later. */
START_TEST(load_ca_file)
{
	char dir[64], conf_path[128], ca[128], text[512], err[512], msg[768];
	tu_tmpdir_make(dir, sizeof(dir), "ca");
	snprintf(conf_path, sizeof(conf_path), "%s/tunnel.conf", dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	write_file(ca, "-----BEGIN CERTIFICATE-----\n", 0644);
	/* relative to the config file */
	write_file(conf_path, BASE "mtu 1400\nssl ca-certificate ca.pem\n", 0600);
	struct conf_lines lines;
	ck_assert_msg(conf_load_lines(&C, conf_path, &lines, err, sizeof(err)), "%s", err);
	ck_assert_str_eq(C.ca_file, ca);
	ck_assert_uint_eq(lines.ca_file, 5);
	ck_assert_uint_eq(lines.vrf, 0);
	/* a pki name */
	write_file(conf_path, BASE "ssl ca-certificate 'MyCA'\n", 0600);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	snprintf(msg, sizeof(msg),
		 "%s:4: ssl ca-certificate: 'MyCA' is neither a file nor a pki ca entry of this "
		 "configuration "
		 "(add 'pki ca NAME certificate BASE64', or give the path of a PEM file)",
		 conf_path);
	ck_assert_str_eq(err, msg);
	/* a missing path */
	snprintf(text, sizeof(text), BASE "\nssl ca-certificate %s/none.pem\n", dir);
	write_file(conf_path, text, 0600);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	snprintf(msg, sizeof(msg),
		 "%s:5: ssl ca-certificate: cannot open '%s/none.pem': No such file or directory",
		 conf_path, dir);
	ck_assert_str_eq(err, msg);
	/* a directory */
	snprintf(text, sizeof(text), BASE "ssl ca-certificate %s\n", dir);
	write_file(conf_path, text, 0600);
	ck_assert(!conf_load(&C, conf_path, err, sizeof(err)));
	snprintf(msg, sizeof(msg), "%s:4: ssl ca-certificate: '%s' is not a regular file",
		 conf_path, dir);
	ck_assert_str_eq(err, msg);
	/* the vrf line is reported */
	write_file(conf_path, BASE "\n\nvrf red\n", 0600);
	ck_assert_msg(conf_load_lines(&C, conf_path, &lines, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(lines.vrf, 6);
	ck_assert(tu_tmpdir_remove(dir));
}
END_TEST

/* The shipped example configs parse (and the broken ones do not). */
START_TEST(example_configs)
{
	const char *src = getenv("SSTPC_SOURCE_DIR");
	ck_assert_ptr_nonnull(src);
	static const char *const good[] = {"example.conf", "minimal.conf", "vyos-set.conf"};
	char path[1024], err[512];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(path, sizeof(path), "%s/tests/configs/%s", src, good[i]);
		if (access(path, R_OK) != 0)
			continue; /* password-file of example.conf may not exist: parse only */
		FILE *f = fopen(path, "r");
		static char buf[65536];
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		ck_assert_msg(conf_parse(&C, good[i], buf, n, err, sizeof(err)), "%s", err);
	}
	for (int i = 1; i <= 9; i++) {
		snprintf(path, sizeof(path), "%s/tests/configs/bad-%d.conf", src, i);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		static char buf[65536];
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		ck_assert_msg(!conf_parse(&C, path, buf, n, err, sizeof(err)),
			      "bad-%d.conf accepted", i);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, server_list);
	tcase_add_test(tc, scripts);
	tcase_add_test(tc, every_option);
	tcase_add_test(tc, enum_values);
	tcase_add_loop_test(tc, number_ranges, 0, (int)(sizeof(numopts) / sizeof(numopts[0])));
	tcase_add_test(tc, exact_error_messages);
	tcase_add_test(tc, required_and_pairs);
	tcase_add_test(tc, hosts_and_proxy);
	tcase_add_test(tc, string_lengths);
	tcase_add_test(tc, set_form_and_quoting);
	tcase_add_test(tc, size_limits);
	tcase_add_test(tc, print_masks_secrets_and_roundtrips);
	tcase_add_test(tc, load_password_file);
	tcase_add_test(tc, secrets_in_open_files);
	tcase_add_test(tc, example_configs);
	tcase_add_test(tc, vyos_constraints);
	tcase_add_test(tc, load_ca_file);
	tcase_add_test(tc, certificate_files);
	tcase_add_test(tc, pki_entries);
	tcase_add_test(tc, pki_key_private);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
