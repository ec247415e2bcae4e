#include "core/conf.h"

#include "core/bytes.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/punycode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX_LINE 4096
#define CONF_MAX_FILE (1024 * 1024)
#define CONF_MAX_WORDS 32
#define CONF_MASK "********"

struct conf_parser {
	struct conf *c;
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	bool auth_given;	     /* the first protocols line replaces the default list */
	unsigned ifname_line;	     /* 0: the default name, not given in the file */
	unsigned pwfile_line;	     /* where password-file was given, for conf_load's messages */
	unsigned ca_line;	     /* where ssl ca-certificate was given */
	unsigned vrf_line;	     /* where vrf was given */
	unsigned up_line, down_line; /* where up-script / down-script were given */
	unsigned cert_line;	     /* where ssl certificate was given */
	unsigned auth_cert_line;     /* where authentication certificate was given */
	unsigned auth_ca_line;	     /* where authentication ca-certificate was given */
	bool ca_is_name; /* the CA value has no '/': it may be meant as a VyOS pki name */
};

static bool conf_fail(struct conf_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool conf_fail(struct conf_parser *p, const char *fmt, ...)
{
	if (!p->err || p->errlen == 0)
		return false;
	int n;
	if (p->line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->name, p->line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->name);
	if (n < 0 || (size_t)n >= p->errlen)
		return false;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

/* ---- option table ---- */

enum conf_kind {
	CONF_FLAG,   /* no value; sets a bool */
	CONF_UINT,   /* one decimal number min..max */
	CONF_STR,    /* one string of 1..size-1 bytes, optionally checked */
	CONF_CUSTOM, /* handler takes the value words itself */
};

struct conf_opt;
typedef bool (*conf_handler)(struct conf_parser *p, const struct conf_opt *o, char **v, int nv);

struct conf_opt {
	const char *key;
	enum conf_kind kind;
	size_t off, size;
	unsigned min, max;
	const char *expect; /* for messages; CONF_UINT builds its own */
	conf_handler fn;    /* CONF_STR: extra check before the copy; CONF_CUSTOM: everything */
	bool secret;	    /* never echo the value */
};

#define F(field) offsetof(struct conf, field), sizeof(((struct conf *)0)->field)

static bool conf_expected(struct conf_parser *p, const struct conf_opt *o, const char *got)
{
	char range[48];
	const char *what = o->expect;
	if (o->kind == CONF_UINT) {
		snprintf(range, sizeof(range), "a number %u-%u", o->min, o->max);
		what = range;
	}
	if (!got)
		return conf_fail(p, "%s: expected %s", o->key, what);
	if (o->secret)
		return conf_fail(p, "%s: expected %s", o->key, what);
	return conf_fail(p, "%s: expected %s, got '%.64s%s'", o->key, what, got,
			 strlen(got) > 64 ? "..." : "");
}

/* ---- value checks ---- */

static bool conf_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v = 0;
	size_t n = 0;
	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 10)
			return false;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	if (n == 0 || v < min || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

static bool conf_is_hostname(const char *s)
{
	size_t len = strlen(s), label = 0;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');
		/* Resolvers take underscores (SRV-style and some internal
		 * names), so a name that resolves is not refused here. */
		if (!alnum && ch != '-' && ch != '_')
			return false;
		if (ch == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

static bool conf_is_host(const char *s)
{
	uint8_t a[16];
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1 ||
	       conf_is_hostname(s);
}

static bool conf_is_printable(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f)
			return false;
	}
	return true;
}

static bool conf_set_str(char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n >= size)
		return false;
	/* A shorter value replacing a longer one must not leave the old
	 * tail (possibly a secret) behind the terminator. */
	memset(dst, 0, size);
	memcpy(dst, v, n);
	return true;
}

/* server / ssl server-name: an IP literal or a host name as a resolver
 * takes it; an internationalised name is kept in its ASCII (xn--) form,
 * which is what DNS, SNI and certificates carry. */
static bool conf_h_host(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	char ace[256];
	const char *host = v[0];
	bool non_ascii = false;
	for (const char *q = host; *q; q++)
		non_ascii = non_ascii || (unsigned char)*q >= 0x80;
	if (non_ascii) {
		if (!punycode_host(host, ace, sizeof(ace)))
			return conf_fail(p,
					 "%s: '%.64s' is not a valid internationalised host name",
					 o->key, host);
		host = ace;
	}
	size_t n = strlen(host);
	if (n >= o->size || !conf_is_host(host))
		return conf_expected(p, o, v[0]);
	char *field = (char *)p->c + o->off;
	memset(field, 0, o->size);
	memcpy(field, host, n);
	return true;
}

/* server is a VyOS multi-value: each line adds one, tried in that order
 * (docs/config.md); c->server stays the first. */
static bool conf_h_server(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	struct conf *c = p->c;
	char first[sizeof(c->server)];
	memcpy(first, c->server, sizeof(first));
	if (!conf_h_host(p, o, v, nv))
		return false;
	char got[sizeof(c->server)];
	memcpy(got, c->server, sizeof(got));
	if (c->nservers > 0)
		memcpy(c->server, first, sizeof(first));
	for (int i = 0; i < c->nservers; i++)
		if (strcmp(c->servers[i], got) == 0)
			return conf_fail(p, "server: '%s' is already in the list", got);
	if (c->nservers == CONF_MAX_SERVERS)
		return conf_fail(p, "server: at most %d servers", CONF_MAX_SERVERS);
	memcpy(c->servers[c->nservers++], got, sizeof(got));
	return true;
}

/* up-script / down-script: run without a shell, so an absolute path;
 * ownership and mode are checked where they are run (session/hooks.h). */
static bool conf_h_script(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	if (v[0][0] != '/')
		return conf_expected(p, o, v[0]);
	if (o->off == offsetof(struct conf, up_script))
		p->up_line = p->line;
	else
		p->down_line = p->line;
	return true;
}

/* VyOS accepts `.{0,255}`: an empty description clears the alias. */
static bool conf_h_description(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	char *d = p->c->description;
	size_t n = strlen(v[0]);
	if (n >= sizeof(p->c->description) || !conf_is_printable(v[0]))
		return conf_expected(p, o, v[0]);
	memset(d, 0, sizeof(p->c->description));
	memcpy(d, v[0], n);
	return true;
}

static bool conf_h_ca(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	p->ca_line = p->line;
	p->ca_is_name = strchr(v[0], '/') == NULL;
	return true;
}

static bool conf_h_cert(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	p->cert_line = p->line;
	return true;
}

static bool conf_h_auth_ca(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	p->auth_ca_line = p->line;
	return true;
}

static bool conf_h_auth_cert(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	p->auth_cert_line = p->line;
	return true;
}

static bool conf_chk_ifname_chars(const char *s)
{
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch <= 0x20 || ch >= 0x7f || ch == '/' || ch == ':')
			return false;
	}
	return true;
}

/* VyOS's vrf-name validator: 1-15 characters, not `lo`, not shaped like
 * a network interface (a kernel/VyOS interface prefix followed by digits,
 * optionally .VLAN and vN), and beginning with a letter. VyOS's own regex
 * refuses every name that merely begins with one of these prefixes
 * (`bridge-red` too); we refuse only the interface-shaped ones, which is
 * what its error message says it means. */
static const char *const conf_vrf_ifprefix[] = {
    "bond",    "br",   "dum", "eth",   "lan",  "eno", "ens", "enp",   "enx", "gnv",  "ipoe", "l2tp",
    "l2tpeth", "vtun", "ppp", "pppoe", "peth", "tun", "vti", "vxlan", "wg",  "wlan", "wwan"};

static bool conf_vrf_is_ifname(const char *s)
{
	for (size_t i = 0; i < sizeof(conf_vrf_ifprefix) / sizeof(conf_vrf_ifprefix[0]); i++) {
		size_t n = strlen(conf_vrf_ifprefix[i]);
		if (strncmp(s, conf_vrf_ifprefix[i], n) != 0)
			continue;
		const char *t = s + n;
		while (*t >= '0' && *t <= '9')
			t++;
		if (*t == '.' && t[1] >= '0' && t[1] <= '9') {
			t++;
			while (*t >= '0' && *t <= '9')
				t++;
		}
		if (*t == 0 || (*t == 'v' && t[1]))
			return true;
	}
	return false;
}

static bool conf_chk_vrf(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	const char *s = v[0];
	p->vrf_line = p->line;
	if (!conf_chk_ifname_chars(s))
		return conf_expected(p, o, s);
	if (strcmp(s, "default") == 0)
		return conf_fail(
		    p,
		    "vrf: 'default' is the main routing table, not a VRF device (leave out `vrf` "
		    "to use it)");
	if (strcmp(s, "lo") == 0)
		return conf_fail(p, "vrf: 'lo' is the loopback interface, not a VRF name");
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return conf_fail(p, "vrf: a VRF name must start with a letter, got '%.64s'", s);
	if (conf_vrf_is_ifname(s))
		return conf_fail(
		    p,
		    "vrf: '%.64s' is named like a network interface, not a VRF (VyOS refuses it)",
		    s);
	return true;
}

static bool conf_valid_ifname(const char *s)
{
	size_t n = strlen(s);
	if (n < 6 || n >= IFNAMSIZ || strncmp(s, "sstpc", 5) != 0)
		return false;
	for (size_t i = 5; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool conf_set_ifname(struct conf_parser *p, const char *name)
{
	if (!conf_valid_ifname(name))
		return conf_fail(p,
				 "interface: expected a name sstpcN (N a number, at most %d "
				 "characters), got '%.64s'",
				 IFNAMSIZ - 1, name);
	if (p->ifname_line && strcmp(p->c->ifname, name) != 0)
		return conf_fail(p,
				 "interface '%s' differs from '%s' on line %u: one tunnel per file",
				 name, p->c->ifname, p->ifname_line);
	if (!p->ifname_line) {
		memset(p->c->ifname, 0, sizeof(p->c->ifname));
		memcpy(p->c->ifname, name, strlen(name));
		p->ifname_line = p->line;
	}
	return true;
}

static bool conf_h_interface(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	return conf_set_ifname(p, v[0]);
}

static const char *const conf_auth_names[] = {NULL,   "eap-mschapv2", "mschapv2", "pap",
					      "chap", "eap-tls",      "peap"};

const char *conf_auth_name(enum conf_auth a)
{
	return (unsigned)a < sizeof(conf_auth_names) / sizeof(conf_auth_names[0]) &&
		       conf_auth_names[a]
		   ? conf_auth_names[a]
		   : "?";
}

static bool conf_h_protocols(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	struct conf *c = p->c;
	if (!p->auth_given) {
		c->nauth = 0;
		p->auth_given = true;
	}
	for (int i = 0; i < nv; i++) {
		enum conf_auth a = 0;
		for (unsigned k = CONF_AUTH_EAP_MSCHAPV2; k <= CONF_AUTH_PEAP; k++)
			if (strcmp(v[i], conf_auth_names[k]) == 0)
				a = (enum conf_auth)k;
		if (!a)
			return conf_expected(p, o, v[i]);
		for (int k = 0; k < c->nauth; k++)
			if (c->auth[k] == a)
				return conf_fail(p, "%s: '%s' given twice", o->key, v[i]);
		/* Six distinct methods exist and six fit: no overflow. */
		c->auth[c->nauth++] = a;
	}
	return true;
}

static bool conf_b64_val(char ch, unsigned *out)
{
	if (ch >= 'A' && ch <= 'Z')
		*out = (unsigned)(ch - 'A');
	else if (ch >= 'a' && ch <= 'z')
		*out = (unsigned)(ch - 'a') + 26;
	else if (ch >= '0' && ch <= '9')
		*out = (unsigned)(ch - '0') + 52;
	else if (ch == '+')
		*out = 62;
	else if (ch == '/')
		*out = 63;
	else
		return false;
	return true;
}

/* Exactly the 44-character padded base64 of 32 bytes, canonical (the
 * unused low bits of the last symbol are zero), so one key has one
 * spelling. */
static bool conf_b64_32(const char *s, uint8_t out[32])
{
	if (strlen(s) != 44 || s[43] != '=')
		return false;
	uint32_t acc = 0;
	unsigned bits = 0, n = 0;
	for (int i = 0; i < 43; i++) {
		unsigned v;
		if (!conf_b64_val(s[i], &v))
			return false;
		acc = acc << 6 | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return n == 32 && bits == 2 && acc == 0;
}

static bool conf_h_pin(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	struct conf *c = p->c;
	uint8_t pin[32];
	if (!conf_b64_32(v[0], pin))
		return conf_expected(p, o, v[0]);
	for (int i = 0; i < c->npins; i++)
		if (memcmp(c->pins[i], pin, 32) == 0)
			return conf_fail(p, "%s: '%s' given twice", o->key, v[0]);
	if (c->npins >= CONF_MAX_PINS)
		return conf_fail(p, "%s: at most %d pins", o->key, CONF_MAX_PINS);
	memcpy(c->pins[c->npins++], pin, 32);
	return true;
}

static bool conf_h_adjust_mss(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	unsigned n;
	if (strcmp(v[0], "clamp-mss-to-pmtu") == 0)
		p->c->adjust_mss = -1;
	else if (conf_parse_uint(v[0], 536, 65535, &n))
		p->c->adjust_mss = (int)n;
	else
		return conf_expected(p, o, v[0]);
	return true;
}

static bool conf_h_srcvalid(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	if (strcmp(v[0], "strict") == 0)
		p->c->source_validation = CONF_SRCVALID_STRICT;
	else if (strcmp(v[0], "loose") == 0)
		p->c->source_validation = CONF_SRCVALID_LOOSE;
	else if (strcmp(v[0], "disable") == 0)
		p->c->source_validation = CONF_SRCVALID_DISABLE;
	else
		return conf_expected(p, o, v[0]);
	return true;
}

static bool conf_parse_prefix(const char *s, int family, struct conf_route *r)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN];
	unsigned maxlen = family == AF_INET ? 32 : 128, plen;
	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return false;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = 0;
	memset(r, 0, sizeof(*r));
	if (inet_pton(family, addr, r->addr) != 1 || !conf_parse_uint(slash + 1, 0, maxlen, &plen))
		return false;
	/* Host bits set is almost always a typo for a different network. */
	for (unsigned bit = plen; bit < maxlen; bit++)
		if (r->addr[bit / 8] & (0x80u >> (bit % 8)))
			return false;
	r->family = family;
	r->plen = (uint8_t)plen;
	return true;
}

static bool conf_add_route(struct conf_parser *p, const struct conf_opt *o, const char *v,
			   int family)
{
	struct conf *c = p->c;
	struct conf_route r;
	if (!conf_parse_prefix(v, family, &r))
		return conf_expected(p, o, v);
	for (int i = 0; i < c->nroutes; i++)
		if (c->routes[i].family == r.family && c->routes[i].plen == r.plen &&
		    memcmp(c->routes[i].addr, r.addr, sizeof(r.addr)) == 0)
			return conf_fail(p, "%s: '%s' given twice", o->key, v);
	if (c->nroutes >= CONF_MAX_ROUTES)
		return conf_fail(p, "%s: at most %d routes", o->key, CONF_MAX_ROUTES);
	c->routes[c->nroutes++] = r;
	return true;
}

static bool conf_h_route4(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	return conf_add_route(p, o, v[0], AF_INET);
}

static bool conf_h_route6(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	return conf_add_route(p, o, v[0], AF_INET6);
}

static bool conf_h_proxy(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	const char *s = v[0], *colon;
	char host[256];
	size_t hlen;
	unsigned port;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':')
			return conf_expected(p, o, s);
		hlen = (size_t)(end - s - 1);
		if (hlen >= sizeof(host))
			return conf_expected(p, o, s);
		memcpy(host, s + 1, hlen);
		host[hlen] = 0;
		uint8_t a[16];
		if (inet_pton(AF_INET6, host, a) != 1)
			return conf_expected(p, o, s);
		colon = end + 1;
	} else {
		colon = strchr(s, ':');
		if (!colon || strchr(colon + 1, ':'))
			return conf_expected(p, o, s);
		hlen = (size_t)(colon - s);
		if (hlen >= sizeof(host))
			return conf_expected(p, o, s);
		memcpy(host, s, hlen);
		host[hlen] = 0;
		if (!conf_is_host(host))
			return conf_expected(p, o, s);
	}
	if (!conf_parse_uint(colon + 1, 1, 65535, &port))
		return conf_expected(p, o, s);
	memset(p->c->proxy_host, 0, sizeof(p->c->proxy_host));
	memcpy(p->c->proxy_host, host, hlen);
	p->c->proxy_port = (uint16_t)port;
	return true;
}

static bool conf_h_loglevel(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	enum log_level lvl;
	static const char *const names[] = {"error", "warning", "notice", "info", "debug"};
	/* Only the documented spellings; log_level_parse also takes aliases. */
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v[0], names[i]) == 0 && log_level_parse(v[0], &lvl)) {
			p->c->log_level = (int)lvl;
			return true;
		}
	}
	return conf_expected(p, o, v[0]);
}

static bool conf_h_pwfile(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	p->pwfile_line = p->line;
	return true;
}

static const struct conf_opt conf_opts[] = {
    {"interface", CONF_CUSTOM, 0, 0, 0, 0, "a name sstpcN", conf_h_interface, false},
    {"server", CONF_CUSTOM, F(server), 0, 0, "an IP address or host name (at most 253 characters)",
     conf_h_server, false},
    {"port", CONF_UINT, F(port), 1, 65535, NULL, NULL, false},
    {"authentication username", CONF_STR, F(username), 0, 0, "a user name (1-255 characters)", NULL,
     false},
    {"authentication password", CONF_STR, F(password), 0, 0, "a password (1-255 characters)", NULL,
     true},
    {"authentication password-file", CONF_STR, F(password_file), 0, 0, "a file name", conf_h_pwfile,
     false},
    {"authentication protocols", CONF_CUSTOM, 0, 0, 0, 0,
     "eap-mschapv2, mschapv2, pap, chap, eap-tls or peap", conf_h_protocols, false},
    {"authentication ca-certificate", CONF_STR, F(auth_ca_file), 0, 0, "a file name",
     conf_h_auth_ca, false},
    {"authentication server-name", CONF_CUSTOM, F(auth_server_name), 0, 0,
     "a host name (at most 253 characters)", conf_h_host, false},
    {"authentication certificate", CONF_STR, F(auth_cert_file), 0, 0,
     "a PEM file with a certificate and its key", conf_h_auth_cert, false},
    {"authentication allow-none", CONF_FLAG, F(auth_allow_none), 0, 0, NULL, NULL, false},
    {"ssl ca-certificate", CONF_STR, F(ca_file), 0, 0, "a file name", conf_h_ca, false},
    {"ssl certificate", CONF_STR, F(cert_file), 0, 0, "a PEM file with a certificate and its key",
     conf_h_cert, false},
    {"ssl server-name", CONF_CUSTOM, F(server_name), 0, 0, "a host name (at most 253 characters)",
     conf_h_host, false},
    {"ssl pin-sha256", CONF_CUSTOM, 0, 0, 0, 0,
     "the base64 SHA-256 of a public key (44 characters)", conf_h_pin, false},
    {"description", CONF_CUSTOM, 0, 0, 0, 0, "a printable text of 0-255 characters",
     conf_h_description, false},
    {"mtu", CONF_UINT, F(mtu), 68, 4087, NULL, NULL, false},
    {"disable", CONF_FLAG, F(disable), 0, 0, NULL, NULL, false},
    {"vrf", CONF_STR, F(vrf), 0, 0, "a VRF name of 1-15 characters", conf_chk_vrf, false},
    {"no-default-route", CONF_FLAG, F(no_default_route), 0, 0, NULL, NULL, false},
    {"default-route-distance", CONF_UINT, F(default_route_distance), 1, 255, NULL, NULL, false},
    {"no-peer-dns", CONF_FLAG, F(no_peer_dns), 0, 0, NULL, NULL, false},
    {"ip adjust-mss", CONF_CUSTOM, 0, 0, 0, 0, "a number 536-65535 or clamp-mss-to-pmtu",
     conf_h_adjust_mss, false},
    {"ip disable-forwarding", CONF_FLAG, F(ip_disable_forwarding), 0, 0, NULL, NULL, false},
    {"ip source-validation", CONF_CUSTOM, 0, 0, 0, 0, "strict, loose or disable", conf_h_srcvalid,
     false},
    {"ip route", CONF_CUSTOM, 0, 0, 0, 0, "an IPv4 prefix a.b.c.d/n without host bits",
     conf_h_route4, false},
    {"ipv6 route", CONF_CUSTOM, 0, 0, 0, 0, "an IPv6 prefix x:x::/n without host bits",
     conf_h_route6, false},
    {"ipv6 disable", CONF_FLAG, F(ipv6_disable), 0, 0, NULL, NULL, false},
    {"http-proxy", CONF_CUSTOM, 0, 0, 0, 0, "HOST:PORT (IPv6 as [addr]:port)", conf_h_proxy, false},
    {"http-proxy username", CONF_STR, F(proxy_user), 0, 0, "a user name (1-255 characters)", NULL,
     false},
    {"http-proxy password", CONF_STR, F(proxy_password), 0, 0, "a password (1-255 characters)",
     NULL, true},
    {"keepalive interval", CONF_UINT, F(keepalive_interval), 0, 3600, NULL, NULL, false},
    {"keepalive failure", CONF_UINT, F(keepalive_failure), 1, 100, NULL, NULL, false},
    {"keepalive sstp-hello", CONF_UINT, F(sstp_hello), 10, 3600, NULL, NULL, false},
    {"connect-timeout", CONF_UINT, F(connect_timeout), 5, 600, NULL, NULL, false},
    {"reconnect backoff-min", CONF_UINT, F(backoff_min), 1, 3600, NULL, NULL, false},
    {"reconnect backoff-max", CONF_UINT, F(backoff_max), 1, 86400, NULL, NULL, false},
    {"reconnect max-fail", CONF_UINT, F(max_fail), 0, 1000000, NULL, NULL, false},
    {"log-level", CONF_CUSTOM, 0, 0, 0, 0, "error, warning, notice, info or debug", conf_h_loglevel,
     false},
    {"up-script", CONF_STR, F(up_script), 0, 0, "an absolute file name", conf_h_script, false},
    {"down-script", CONF_STR, F(down_script), 0, 0, "an absolute file name", conf_h_script, false},
    {"script-timeout", CONF_UINT, F(script_timeout), 1, 3600, NULL, NULL, false},
};
#define CONF_NOPTS (sizeof(conf_opts) / sizeof(conf_opts[0]))

static const struct conf_opt *conf_find(const char *w0, const char *w1)
{
	size_t l0 = strlen(w0);
	/* A quoted 'ip route' is one word, not a key path. */
	if (strchr(w0, ' ') || (w1 && strchr(w1, ' ')))
		return NULL;
	for (size_t i = 0; i < CONF_NOPTS; i++) {
		const char *k = conf_opts[i].key;
		if (strncmp(k, w0, l0) != 0)
			continue;
		if (w1 ? (k[l0] == ' ' && strcmp(k + l0 + 1, w1) == 0) : k[l0] == 0)
			return &conf_opts[i];
	}
	return NULL;
}

/* True if w0 is the first word of some two-word key (a group like `ip`). */
static bool conf_is_group(const char *w0, char *list, size_t cap)
{
	size_t l0 = strlen(w0), used = 0;
	bool found = false;
	list[0] = 0;
	for (size_t i = 0; i < CONF_NOPTS; i++) {
		const char *k = conf_opts[i].key;
		if (strncmp(k, w0, l0) != 0 || k[l0] != ' ')
			continue;
		int n = snprintf(list + used, cap - used, "%s%s", found ? ", " : "", k + l0 + 1);
		if (n > 0 && (size_t)n < cap - used)
			used += (size_t)n;
		found = true;
	}
	return found;
}

static bool conf_apply(struct conf_parser *p, const struct conf_opt *o, char **v, int nv)
{
	struct conf *c = p->c;
	char *field = (char *)c + o->off;
	switch (o->kind) {
	case CONF_FLAG:
		if (nv > 0)
			return conf_fail(p, "%s: takes no value, got '%.64s'", o->key, v[0]);
		*(bool *)field = true;
		return true;
	case CONF_UINT:
	case CONF_STR:
	case CONF_CUSTOM:
		break;
	}
	if (nv == 0)
		return conf_expected(p, o, NULL);
	/* Only `authentication protocols` takes a list on one line. */
	if (nv > 1 && o->fn != conf_h_protocols) {
		if (o->secret)
			return conf_fail(p, "%s: expected one value (quote values with spaces)",
					 o->key);
		return conf_fail(
		    p, "%s: expected one value (quote values with spaces), got also '%.64s'",
		    o->key, v[1]);
	}
	switch (o->kind) {
	case CONF_UINT: {
		unsigned n;
		if (!conf_parse_uint(v[0], o->min, o->max, &n))
			return conf_expected(p, o, v[0]);
		if (o->size == sizeof(uint16_t))
			*(uint16_t *)field = (uint16_t)n;
		else
			*(unsigned *)field = n;
		return true;
	}
	case CONF_STR: {
		if (v[0][0] == 0 || strlen(v[0]) >= o->size)
			return conf_expected(p, o, v[0]);
		if (o->fn && !o->fn(p, o, v, nv))
			return false;
		conf_set_str(field, o->size, v[0]);
		return true;
	}
	case CONF_CUSTOM:
		return o->fn(p, o, v, nv);
	case CONF_FLAG:
		break;
	}
	return false;
}

static bool conf_line(struct conf_parser *p, char **w, int n)
{
	if (n == 0)
		return true;
	/* VyOS's pki tree sits beside `interfaces`: `pki ...` and `set pki ...` */
	if (n >= 2 && strcmp(w[0], "set") == 0 && strcmp(w[1], "pki") == 0) {
		w++;
		n--;
	}
	if (strcmp(w[0], "pki") == 0) {
		char why[300];
		if (!conf_pki_line(p->c->pki, &p->c->npki, w + 1, n - 1, why, sizeof(why)))
			return conf_fail(p, "%s", why);
		return true;
	}
	if (strcmp(w[0], "set") == 0) {
		if (n < 4 || strcmp(w[1], "interfaces") != 0 || strcmp(w[2], "sstpc") != 0)
			return conf_fail(p, "expected 'set interfaces sstpc <name> ...'");
		if (!conf_set_ifname(p, w[3]))
			return false;
		w += 4;
		n -= 4;
		if (n == 0)
			return true;
	}
	const struct conf_opt *o = NULL;
	int used = 0;
	if (n >= 2 && (o = conf_find(w[0], w[1])))
		used = 2;
	else if ((o = conf_find(w[0], NULL)))
		used = 1;
	if (!o) {
		char list[256];
		if (!conf_is_group(w[0], list, sizeof(list)))
			return conf_fail(p, "unknown option '%.64s'", w[0]);
		if (n < 2)
			return conf_fail(p, "%s: expected %s", w[0], list);
		return conf_fail(p, "unknown option '%.64s %.64s' (%s takes %s)", w[0], w[1], w[0],
				 list);
	}
	return conf_apply(p, o, w + used, n - used);
}

/* Splits one line into words: blanks separate, '...' and "..." quote
 * (adjacent pieces join, as in a shell), and '#' at the start of a word
 * begins a comment, so a password like pa#ss needs no quotes. */
static bool conf_split(struct conf_parser *p, struct reader *r, char *buf, size_t cap, char **w,
		       int *nw)
{
	size_t used = 0;
	int n = 0;
	bool in_word = false;
	uint8_t quote = 0;
	while (rd_left(r) > 0) {
		uint8_t ch = rd_u8(r);
		if (ch == 0)
			return conf_fail(p, "NUL byte in the line");
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return conf_fail(p, "control character 0x%02x in the line", ch);
		if (quote) {
			if (ch == quote) {
				quote = 0;
				continue;
			}
		} else if (ch == ' ' || ch == '\t') {
			if (in_word) {
				buf[used++] = 0;
				in_word = false;
			}
			continue;
		} else if (ch == '#' && !in_word) {
			break;
		} else if (ch == '\'' || ch == '"') {
			quote = ch;
			if (!in_word) {
				if (n == CONF_MAX_WORDS)
					return conf_fail(p, "more than %d words", CONF_MAX_WORDS);
				w[n++] = buf + used;
				in_word = true;
			}
			continue;
		}
		if (!in_word) {
			if (n == CONF_MAX_WORDS)
				return conf_fail(p, "more than %d words", CONF_MAX_WORDS);
			w[n++] = buf + used;
			in_word = true;
		}
		/* cap holds the whole line plus one NUL per word */
		if (used + 2 > cap)
			return conf_fail(p, "line too long");
		buf[used++] = (char)ch;
	}
	if (quote)
		return conf_fail(p, "unterminated %s quote", quote == '\'' ? "single" : "double");
	if (in_word)
		buf[used++] = 0;
	*nw = n;
	return true;
}

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->ifname, sizeof(c->ifname), "sstpc0");
	c->port = 443;
	c->mtu = 1452;
	c->default_route_distance = 210;
	c->source_validation = CONF_SRCVALID_UNSET;
	/* MS-CHAPv2 before EAP-MSCHAPv2: the same keys and binding, and a
	 * server asking for EAP is Nak'd once towards MS-CHAPv2, for
	 * SoftEther, which stalls after its EAP fallback (src/ppp/lcp.c). An
	 * EAP-only server still gets EAP-MSCHAPv2. */
	c->auth[0] = CONF_AUTH_MSCHAPV2;
	c->auth[1] = CONF_AUTH_EAP_MSCHAPV2;
	c->nauth = 2;
	c->keepalive_interval = 30;
	c->keepalive_failure = 4;
	c->sstp_hello = 60;
	c->connect_timeout = 30;
	c->backoff_min = 1;
	c->backoff_max = 60;
	c->max_fail = 0;
	c->log_level = LOG_LVL_NOTICE;
	c->script_timeout = 30;
}

/* A certificate key whose value has no '/' and names a pki entry refers
 * to it, as in VyOS; otherwise it stays a file name. */
static bool conf_pki_refs(struct conf_parser *p)
{
	struct conf *c = p->c;
	struct {
		const char *v, *key;
		bool *flag, ca;
	} r[] = {
	    {c->ca_file, "ssl ca-certificate", &c->ca_pki, true},
	    {c->auth_ca_file, "authentication ca-certificate", &c->auth_ca_pki, true},
	    {c->cert_file, "ssl certificate", &c->cert_pki, false},
	    {c->auth_cert_file, "authentication certificate", &c->auth_cert_pki, false},
	};
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		const struct conf_pki *e;
		if (!r[i].v[0] || strchr(r[i].v, '/') ||
		    !(e = conf_pki_find(c->pki, c->npki, r[i].v, r[i].ca)))
			continue;
		*r[i].flag = true;
		if (!e->cert_len)
			return conf_fail(p, "%s: pki %s %s has no certificate", r[i].key,
					 r[i].ca ? "ca" : "certificate", r[i].v);
		if (!r[i].ca && !e->key_len)
			return conf_fail(p, "%s: pki certificate %s has no private key", r[i].key,
					 r[i].v);
	}
	return true;
}

static bool conf_check(struct conf_parser *p)
{
	struct conf *c = p->c;
	p->line = 0;
	if (!conf_pki_refs(p))
		return false;
	if (!c->server[0])
		return conf_fail(p, "server: required");
	if (!c->username[0])
		return conf_fail(p, "authentication username: required");
	if (c->password[0] && c->password_file[0])
		return conf_fail(p,
				 "authentication: give either password or password-file, not both");
	bool only_tls = c->nauth > 0;
	for (int i = 0; i < c->nauth; i++)
		only_tls &= c->auth[i] == CONF_AUTH_EAP_TLS;
	if (!c->password[0] && !c->password_file[0] && !only_tls)
		return conf_fail(p, "authentication password (or password-file): required");
	bool eap_tls = false;
	for (int i = 0; i < c->nauth; i++)
		eap_tls |= c->auth[i] == CONF_AUTH_EAP_TLS;
	if (eap_tls && !c->auth_cert_file[0])
		return conf_fail(
		    p, "authentication protocols eap-tls: needs authentication certificate FILE");
	if (eap_tls && !c->auth_server_name[0])
		return conf_fail(
		    p,
		    "authentication protocols eap-tls: needs authentication server-name (the name "
		    "in the EAP server's certificate)");
	for (int i = 0; i < c->nauth; i++)
		if (c->auth[i] == CONF_AUTH_PEAP && !c->auth_server_name[0])
			return conf_fail(
			    p,
			    "authentication protocols peap: needs authentication server-name (the "
			    "name in the EAP server's certificate)");
	if (!c->proxy_user[0] != !c->proxy_password[0])
		return conf_fail(p, "http-proxy: username and password go together");
	if (c->proxy_user[0] && !c->proxy_host[0])
		return conf_fail(
		    p, "http-proxy: username and password given without http-proxy HOST:PORT");
	if (c->backoff_max < c->backoff_min)
		return conf_fail(p, "reconnect backoff-max (%u) must be at least backoff-min (%u)",
				 c->backoff_max, c->backoff_min);
	return true;
}

static bool conf_parse_lines(struct conf_parser *p, const char *buf, size_t len, char *words,
			     size_t cap)
{
	char *w[CONF_MAX_WORDS];
	struct reader r;
	rd_init(&r, buf, len);
	while (rd_left(&r) > 0) {
		p->line++;
		const uint8_t *nl = memchr(rd_ptr(&r), '\n', rd_left(&r));
		size_t n = nl ? (size_t)(nl - rd_ptr(&r)) : rd_left(&r);
		size_t body = n;
		if (body > 0 && rd_ptr(&r)[body - 1] == '\r')
			body--; /* CRLF files */
		struct reader line;
		rd_sub(&r, body, &line);
		rd_skip(&r, n - body + (nl ? 1 : 0));
		if (rd_left(&line) > CONF_MAX_LINE)
			return conf_fail(p, "line longer than %d characters", CONF_MAX_LINE);
		int nw = 0;
		if (!conf_split(p, &line, words, cap, w, &nw) || !conf_line(p, w, nw))
			return false;
	}
	return conf_check(p);
}

/* The split words of the last line parsed may be a password: wiped. Kept
 * out of line (it has two callers) so that tools/check-wipes.sh finds its
 * wipe in the machine code under its own name. */
__attribute__((noinline)) static bool conf_parse_st(struct conf_parser *p, const char *buf,
						    size_t len)
{
	conf_defaults(p->c);
	if (len > CONF_MAX_FILE)
		return conf_fail(p, "larger than 1 MiB");
	char words[CONF_MAX_LINE + CONF_MAX_WORDS + 2];
	bool ok = conf_parse_lines(p, buf, len, words, sizeof(words));
	secure_wipe(words, sizeof(words));
	return ok;
}

bool conf_parse(struct conf *c, const char *name, const char *buf, size_t len, char *err,
		size_t errlen)
{
	struct conf_parser p = {
	    .c = c, .name = name ? name : "config", .err = err, .errlen = errlen};
	if (err && errlen)
		err[0] = 0;
	bool ok = conf_parse_st(&p, buf, len);
	if (!ok) /* do not leave half a config (with secrets) behind */
		conf_defaults(c);
	return ok;
}

/* Relative file names are taken relative to the config file, so that the
 * daemon's working directory does not matter. */
static bool conf_resolve(struct conf_parser *p, const char *key, char *file, size_t size,
			 const char *conf_path)
{
	if (!file[0] || file[0] == '/')
		return true;
	const char *slash = strrchr(conf_path, '/');
	if (!slash)
		return true;
	char tmp[PATH_MAX];
	int n = snprintf(tmp, sizeof(tmp), "%.*s/%s", (int)(slash - conf_path), conf_path, file);
	if (n < 0 || (size_t)n >= size)
		return conf_fail(p, "%s: file name too long", key);
	memcpy(file, tmp, (size_t)n + 1);
	return true;
}

static bool conf_read_pwfile(struct conf_parser *p)
{
	struct conf *c = p->c;
	const char *key = "authentication password-file";
	p->line = p->pwfile_line;
	int fd = open(c->password_file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return conf_fail(p, "%s: cannot open '%s': %s", key, c->password_file,
				 strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return conf_fail(p, "%s: '%s' is not a regular file", key, c->password_file);
	}
	char buf[sizeof(c->password) + 2];
	size_t len = 0;
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return conf_fail(p, "%s: cannot read '%s': %s", key, c->password_file,
					 strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	close(fd);
	const char *nl = memchr(buf, '\n', len);
	size_t plen = nl ? (size_t)(nl - buf) : len;
	if (plen > 0 && buf[plen - 1] == '\r')
		plen--;
	bool ok = true;
	if (plen == 0)
		ok = conf_fail(p, "%s: '%s' holds no password on its first line", key,
			       c->password_file);
	else if (plen >= sizeof(c->password))
		ok = conf_fail(p, "%s: '%s': password longer than %zu characters", key,
			       c->password_file, sizeof(c->password) - 1);
	else if (memchr(buf, 0, plen))
		ok = conf_fail(p, "%s: '%s': NUL byte in the password", key, c->password_file);
	if (ok) {
		memcpy(c->password, buf, plen);
		c->password[plen] = 0;
	}
	secure_wipe(buf, sizeof(buf));
	return ok;
}

/* A CA file that is missing would only fail every connect later, inside
 * the reconnect loop; VyOS users also write a pki name here. */
static bool conf_check_ca(struct conf_parser *p, const char *given)
{
	const char *key = "ssl ca-certificate";
	struct conf *c = p->c;
	p->line = p->ca_line;
	int fd = open(c->ca_file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && p->ca_is_name)
		return conf_fail(
		    p,
		    "%s: '%s' is neither a file nor a pki ca entry of this configuration (add "
		    "'pki ca NAME certificate BASE64', or give the path of a PEM file)",
		    key, given);
	if (fd < 0)
		return conf_fail(p, "%s: cannot open '%s': %s", key, c->ca_file, strerror(errno));
	struct stat st;
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	if (!ok)
		return conf_fail(p, "%s: '%s' is not a regular file", key, c->ca_file);
	return true;
}

/* A certificate file (chain and private key): it must exist now, not fail
 * every connect later. Its privacy is conf_secrets_private's check. */
static bool conf_check_cert(struct conf_parser *p, const char *key, const char *file, unsigned line)
{
	p->line = line;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return conf_fail(p, "%s: cannot open '%s': %s", key, file, strerror(errno));
	struct stat st;
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	if (!ok)
		return conf_fail(p, "%s: '%s' is not a regular file", key, file);
	return true;
}

bool conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	return conf_load_lines(c, path, NULL, err, errlen);
}

bool conf_load_lines(struct conf *c, const char *path, struct conf_lines *lines, char *err,
		     size_t errlen)
{
	struct conf_parser p = {.c = c, .name = path, .err = err, .errlen = errlen};
	char ca_given[sizeof(c->ca_file)];
	if (err && errlen)
		err[0] = 0;
	conf_defaults(c);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return conf_fail(&p, "cannot open: %s", strerror(errno));
	/* One byte over the limit tells "exactly 1 MiB" from "larger". */
	size_t cap = CONF_MAX_FILE + 1, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return conf_fail(&p, "out of memory");
	}
	bool ok = true;
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ok = conf_fail(&p, "cannot read: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (ok)
		ok = conf_parse_st(&p, buf, len);
	secure_wipe(buf, len);
	free(buf);
	if (ok && strlen(path) >= sizeof(c->path))
		ok = conf_fail(&p, "file name too long");
	if (ok) {
		snprintf(c->path, sizeof(c->path), "%s", path);
		p.line = p.pwfile_line;
		ok = conf_resolve(&p, "authentication password-file", c->password_file,
				  sizeof(c->password_file), path);
		p.line = p.ca_line;
		memcpy(ca_given, c->ca_file, sizeof(ca_given));
		ok = ok && (c->ca_pki || conf_resolve(&p, "ssl ca-certificate", c->ca_file,
						      sizeof(c->ca_file), path));
		p.line = p.cert_line;
		ok = ok && (c->cert_pki || conf_resolve(&p, "ssl certificate", c->cert_file,
							sizeof(c->cert_file), path));
		p.line = p.auth_cert_line;
		ok = ok && (c->auth_cert_pki ||
			    conf_resolve(&p, "authentication certificate", c->auth_cert_file,
					 sizeof(c->auth_cert_file), path));
		p.line = p.auth_ca_line;
		ok = ok && (c->auth_ca_pki ||
			    conf_resolve(&p, "authentication ca-certificate", c->auth_ca_file,
					 sizeof(c->auth_ca_file), path));
	}
	if (ok && c->password_file[0])
		ok = conf_read_pwfile(&p);
	if (ok && c->ca_file[0] && !c->ca_pki)
		ok = conf_check_ca(&p, ca_given);
	if (ok && c->cert_file[0] && !c->cert_pki)
		ok = conf_check_cert(&p, "ssl certificate", c->cert_file, p.cert_line);
	if (ok && c->auth_cert_file[0] && !c->auth_cert_pki)
		ok = conf_check_cert(&p, "authentication certificate", c->auth_cert_file,
				     p.auth_cert_line);
	if (ok && c->auth_ca_file[0] && !c->auth_ca_pki)
		ok = conf_check_cert(&p, "authentication ca-certificate", c->auth_ca_file,
				     p.auth_ca_line);
	if (ok && lines)
		*lines = (struct conf_lines){.vrf = p.vrf_line,
					     .ca_file = p.ca_line,
					     .password_file = p.pwfile_line,
					     .up_script = p.up_line,
					     .down_script = p.down_line,
					     .cert_file = p.cert_line,
					     .auth_cert_file = p.auth_cert_line,
					     .auth_ca_file = p.auth_ca_line};
	if (!ok)
		conf_defaults(c);
	return ok;
}

/* ---- printing ---- */

static bool conf_needs_quotes(const char *s)
{
	if (!s[0] || s[0] == '#')
		return true;
	for (; *s; s++)
		if (*s == ' ' || *s == '\t' || *s == '\'' || *s == '"')
			return true;
	return false;
}

static void conf_put_value(FILE *out, const char *v)
{
	if (!conf_needs_quotes(v)) {
		fputs(v, out);
		return;
	}
	fputc('\'', out);
	for (; *v; v++) {
		if (*v == '\'')
			fputs("'\"'\"'", out); /* close, a double-quoted ', reopen */
		else
			fputc(*v, out);
	}
	fputc('\'', out);
}

static void conf_put(FILE *out, const char *key, const char *v)
{
	fputs(key, out);
	if (v) {
		fputc(' ', out);
		conf_put_value(out, v);
	}
	fputc('\n', out);
}

static void conf_put_uint(FILE *out, const char *key, unsigned v)
{
	fprintf(out, "%s %u\n", key, v);
}

void conf_print(const struct conf *c, FILE *out)
{
	char b[INET6_ADDRSTRLEN + 8];
	conf_pki_print(c->pki, c->npki, out);
	conf_put(out, "interface", c->ifname);
	if (c->description[0])
		conf_put(out, "description", c->description);
	if (c->disable)
		conf_put(out, "disable", NULL);
	for (int i = 0; i < c->nservers; i++)
		conf_put(out, "server", c->servers[i]);
	conf_put_uint(out, "port", c->port);
	if (c->username[0])
		conf_put(out, "authentication username", c->username);
	if (c->password_file[0])
		conf_put(out, "authentication password-file", c->password_file);
	else if (c->password[0])
		fputs("authentication password '" CONF_MASK "'\n", out);
	for (int i = 0; i < c->nauth; i++)
		conf_put(out, "authentication protocols", conf_auth_name(c->auth[i]));
	if (c->auth_cert_file[0])
		conf_put(out, "authentication certificate", c->auth_cert_file);
	if (c->auth_ca_file[0])
		conf_put(out, "authentication ca-certificate", c->auth_ca_file);
	if (c->auth_server_name[0])
		conf_put(out, "authentication server-name", c->auth_server_name);
	if (c->auth_allow_none)
		conf_put(out, "authentication allow-none", NULL);
	if (c->ca_file[0])
		conf_put(out, "ssl ca-certificate", c->ca_file);
	if (c->cert_file[0])
		conf_put(out, "ssl certificate", c->cert_file);
	if (c->server_name[0])
		conf_put(out, "ssl server-name", c->server_name);
	for (int i = 0; i < c->npins; i++) {
		static const char tbl[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		char s[45];
		unsigned o = 0;
		for (int k = 0; k < 32; k += 3) {
			uint32_t v = (uint32_t)c->pins[i][k] << 16 |
				     (k + 1 < 32 ? (uint32_t)c->pins[i][k + 1] << 8 : 0) |
				     (k + 2 < 32 ? c->pins[i][k + 2] : 0);
			s[o++] = tbl[v >> 18 & 63];
			s[o++] = tbl[v >> 12 & 63];
			s[o++] = k + 1 < 32 ? tbl[v >> 6 & 63] : '=';
			s[o++] = k + 2 < 32 ? tbl[v & 63] : '=';
		}
		s[o] = 0;
		conf_put(out, "ssl pin-sha256", s);
	}
	conf_put_uint(out, "mtu", c->mtu);
	if (c->vrf[0])
		conf_put(out, "vrf", c->vrf);
	if (c->no_default_route)
		conf_put(out, "no-default-route", NULL);
	conf_put_uint(out, "default-route-distance", c->default_route_distance);
	if (c->no_peer_dns)
		conf_put(out, "no-peer-dns", NULL);
	if (c->adjust_mss < 0)
		conf_put(out, "ip adjust-mss", "clamp-mss-to-pmtu");
	else if (c->adjust_mss > 0)
		conf_put_uint(out, "ip adjust-mss", (unsigned)c->adjust_mss);
	if (c->ip_disable_forwarding)
		conf_put(out, "ip disable-forwarding", NULL);
	static const char *const sv[] = {NULL, "strict", "loose", "disable"};
	if (c->source_validation > CONF_SRCVALID_UNSET &&
	    c->source_validation <= CONF_SRCVALID_DISABLE)
		conf_put(out, "ip source-validation", sv[c->source_validation]);
	for (int i = 0; i < c->nroutes; i++) {
		const struct conf_route *r = &c->routes[i];
		if (!inet_ntop(r->family, r->addr, b, sizeof(b)))
			continue;
		fprintf(out, "%s %s/%u\n", r->family == AF_INET ? "ip route" : "ipv6 route", b,
			r->plen);
	}
	if (c->ipv6_disable)
		conf_put(out, "ipv6 disable", NULL);
	if (c->proxy_host[0]) {
		if (strchr(c->proxy_host, ':'))
			fprintf(out, "http-proxy [%s]:%u\n", c->proxy_host, c->proxy_port);
		else
			fprintf(out, "http-proxy %s:%u\n", c->proxy_host, c->proxy_port);
	}
	if (c->proxy_user[0])
		conf_put(out, "http-proxy username", c->proxy_user);
	if (c->proxy_password[0])
		fputs("http-proxy password '" CONF_MASK "'\n", out);
	conf_put_uint(out, "keepalive interval", c->keepalive_interval);
	conf_put_uint(out, "keepalive failure", c->keepalive_failure);
	conf_put_uint(out, "keepalive sstp-hello", c->sstp_hello);
	conf_put_uint(out, "connect-timeout", c->connect_timeout);
	conf_put_uint(out, "reconnect backoff-min", c->backoff_min);
	conf_put_uint(out, "reconnect backoff-max", c->backoff_max);
	conf_put_uint(out, "reconnect max-fail", c->max_fail);
	conf_put(out, "log-level", log_level_name((enum log_level)c->log_level));
	if (c->up_script[0])
		conf_put(out, "up-script", c->up_script);
	if (c->down_script[0])
		conf_put(out, "down-script", c->down_script);
	conf_put_uint(out, "script-timeout", c->script_timeout);
}

/* A file that others may read holds no secret: the file that carried the
 * password (the config itself when the password or the proxy password is
 * inline, else the password file) must be closed to group and others. */
static bool conf_file_private_as(const char *path, const char *what, const char *holds, char *msg,
				 size_t len)
{
	struct stat st;
	if (stat(path, &st) < 0 || !(st.st_mode & (S_IRWXG | S_IRWXO)))
		return true;
	snprintf(msg, len,
		 "%s %s holds %s and is accessible by group or others (mode %03o): "
		 "chmod 600 %s",
		 what, path, holds, (unsigned)(st.st_mode & 0777), path);
	return false;
}

static bool conf_file_private(const char *path, const char *what, char *msg, size_t len)
{
	return conf_file_private_as(path, what, "a password", msg, len);
}

bool conf_secrets_private(const struct conf *c, char *msg, size_t len)
{
	bool inline_pw = (c->password[0] && !c->password_file[0]) || c->proxy_password[0];
	if (inline_pw && c->path[0] && !conf_file_private(c->path, "config file", msg, len))
		return false;
	if (c->password_file[0] && !conf_file_private(c->password_file, "password file", msg, len))
		return false;
	bool inline_key = false;
	for (int i = 0; i < c->npki; i++)
		inline_key |= c->pki[i].key_len > 0;
	if (inline_key && c->path[0] &&
	    !conf_file_private_as(c->path, "config file", "a private key (pki)", msg, len))
		return false;
	if (c->cert_file[0] && !c->cert_pki &&
	    !conf_file_private_as(c->cert_file, "ssl certificate", "a private key", msg, len))
		return false;
	if (c->auth_cert_file[0] && !c->auth_cert_pki &&
	    !conf_file_private_as(c->auth_cert_file, "authentication certificate", "a private key",
				  msg, len))
		return false;
	return true;
}
