/* sstpd: command line, users file, pid file. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "sstp/sstp.h"
#include "sstpd.h"

/* --client-net: a network behind the first client (its LAN), for the
 * forwarding tests. */
static bool parse_client_net(const char *arg, struct sstpd_opts *o)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *slash = strchr(buf, '/'), *end;
	if (!slash)
		return false;
	*slash = '\0';
	long plen = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1)
		return false;
	struct sstpd_net *n = strchr(buf, ':') ? &o->client_net6 : &o->client_net4;
	int fam = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(fam, buf, n->addr) != 1 || plen < 0 || plen > (fam == AF_INET ? 32 : 128))
		return false;
	n->plen = (unsigned)plen;
	n->set = true;
	return true;
}

static const struct {
	const char *name;
	uint64_t bit;
} fault_table[] = {
    {"nak-first-connect", FAULT_NAK_FIRST_CONNECT},
    {"reject-auth", FAULT_REJECT_AUTH},
    {"silent", FAULT_SILENT},
    {"abort-after", FAULT_ABORT_AFTER},
    {"bad-version", FAULT_BAD_VERSION},
    {"len-zero", FAULT_LEN_ZERO},
    {"len-too-big", FAULT_LEN_TOO_BIG},
    {"attr-short", FAULT_ATTR_SHORT},
    {"len-overrun", FAULT_LEN_OVERRUN},
    {"dribble", FAULT_DRIBBLE},
    {"pack", FAULT_PACK},
    {"nak-lcp-forever", FAULT_NAK_LCP_FOREVER},
    {"rras-lcp", FAULT_RRAS_LCP},
    {"no-dns", FAULT_NO_DNS},
    {"sha1-only", FAULT_SHA1_ONLY},
    {"eap-only-giveup", FAULT_EAP_ONLY_GIVEUP},
    {"no-auth", FAULT_NO_AUTH},
    {"drop-first-ipcp", FAULT_DROP_FIRST_IPCP},
    {"ack-altered", FAULT_ACK_ALTERED},
    {"reject-unsent", FAULT_REJECT_UNSENT},
    {"up-then-drop", FAULT_UP_THEN_DROP},
    {"ipcp-loopback", FAULT_IPCP_LOOPBACK},
    {"ipcp-local-is-peer", FAULT_IPCP_LOCAL_IS_PEER},
    {"ipcp-local-is-server", FAULT_IPCP_LOCAL_IS_SERVER},
    {"ipcp-peer-public", FAULT_IPCP_PEER_PUBLIC},
    {"ipcp-peer-is-server", FAULT_IPCP_PEER_IS_SERVER},
    {"dns-loopback", FAULT_DNS_LOOPBACK},
    {"ra-flood", FAULT_RA_FLOOD},
    {"reserved-bits", FAULT_RESERVED_BITS},
    {"disconnect-after", FAULT_DISCONNECT_AFTER},
    {"radius-drop", FAULT_RADIUS_DROP},
    {"radius-bad-keys", FAULT_RADIUS_BAD_KEYS},
    {"stall-ppp", FAULT_STALL_PPP},
};

/* The names, space-separated, from the table (one list to keep). */
const char *sstpd_fault_names(void)
{
	static char names[512];
	if (!names[0]) {
		size_t n = 0;
		for (size_t i = 0;
		     i < sizeof(fault_table) / sizeof(fault_table[0]) && n < sizeof(names); i++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? " " : "",
					      fault_table[i].name);
	}
	return names;
}

bool sstpd_faults_parse(const char *list, uint64_t *out, char *err, size_t errlen)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", list);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool found = false;
		for (size_t i = 0; i < sizeof(fault_table) / sizeof(fault_table[0]); i++) {
			if (strcmp(tok, fault_table[i].name) == 0) {
				*out |= fault_table[i].bit;
				found = true;
			}
		}
		if (!found) {
			snprintf(err, errlen, "unknown fault '%s' (known: %s)", tok,
				 sstpd_fault_names());
			return false;
		}
	}
	return true;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sstpd --listen ADDR:PORT --cert FILE --key FILE --users FILE\n"
		"             [--pool NET/PLEN] [--local ADDR] [--dns A[,B]] [--ipv6]\n"
		"             [--ipv6-prefix PREFIX/64] [--client-net PREFIX/LEN (IPv4 or IPv6, "
		"once each)]\n"
		"             [--hash sha1|sha256|both] [--auth LIST] [--tun NAME] [--mtu N]\n"
		"             [--no-offload]\n"
		"             [--fault NAME[,NAME]] [--fault-after SECONDS]\n"
		"             [--log-level error|warning|notice|info|debug] [--pidfile FILE]\n"
		"             [--require-client-cert CA_FILE] [--ciphers LIST]\n"
		"             [--radius ADDR:PORT --radius-secret-file FILE]\n"
		"auth LIST: ordered, comma-separated from mschapv2,eap-mschapv2,pap,chap\n"
		"faults: %s\n",
		sstpd_fault_names());
}

static bool parse_listen(const char *s, struct sstpd_opts *o)
{
	char host[128];
	const char *colon;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			return false;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return false;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	char *end;
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port == 0 || port > 65535)
		return false;
	memset(&o->listen, 0, sizeof(o->listen));
	struct sockaddr_in *sin = (struct sockaddr_in *)&o->listen;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&o->listen;
	if (host[0] == '\0' || strcmp(host, "*") == 0) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		o->listen_len = sizeof(*sin);
	} else if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		o->listen_len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		o->listen_len = sizeof(*sin6);
	} else {
		return false;
	}
	return true;
}

static bool parse_ip4(const char *s, uint32_t *out)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

static bool parse_pool(const char *s, struct sstpd_opts *o)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", s);
	char *slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	char *end;
	unsigned long plen = strtoul(slash + 1, &end, 10);
	/* /16 keeps the address → client table small; /30 leaves two hosts. */
	if (*end || plen < 16 || plen > 30)
		return false;
	uint32_t net;
	if (!parse_ip4(buf, &net))
		return false;
	o->pool_plen = (unsigned)plen;
	o->pool_net = net & ~((1u << (32 - plen)) - 1);
	return true;
}

static bool parse_auth(const char *s, struct sstpd_opts *o)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", s);
	memset(o->auth, 0, sizeof(o->auth));
	int n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum ppp_auth a;
		if (strcmp(tok, "mschapv2") == 0)
			a = PPP_AUTH_MSCHAPV2;
		else if (strcmp(tok, "eap-mschapv2") == 0)
			a = PPP_AUTH_EAP_MSCHAPV2;
		else if (strcmp(tok, "pap") == 0)
			a = PPP_AUTH_PAP;
		else if (strcmp(tok, "chap") == 0 || strcmp(tok, "chap-md5") == 0)
			a = PPP_AUTH_CHAP_MD5;
		else
			return false;
		if (n >= 4)
			return false;
		o->auth[n++] = a;
	}
	return n > 0;
}

/* The first line of a file (a shared secret), without its newline. */
static bool read_secret(const char *file, char *out, size_t cap, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return false;
	}
	bool ok = fgets(out, (int)cap, f) != NULL;
	fclose(f);
	out[strcspn(out, "\r\n")] = 0;
	if (!ok || !out[0]) {
		snprintf(err, errlen, "%s: no secret on the first line", file);
		return false;
	}
	return true;
}

/* "user password" per line; # comments; no quoting (test data only). */
static bool load_users(struct sstpd_opts *o, char *err, size_t errlen)
{
	FILE *f = fopen(o->users_file, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", o->users_file, strerror(errno));
		return false;
	}
	o->users = calloc(SSTPD_MAX_USERS, sizeof(*o->users));
	if (!o->users) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	char line[512];
	int lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *save = NULL;
		char *u = strtok_r(line, " \t\r\n", &save);
		if (!u)
			continue;
		char *p = strtok_r(NULL, " \t\r\n", &save);
		if (!p || strtok_r(NULL, " \t\r\n", &save) || strlen(u) >= SSTPD_NAME_MAX ||
		    strlen(p) >= SSTPD_NAME_MAX) {
			snprintf(err, errlen, "%s:%d: expected 'user password'", o->users_file,
				 lineno);
			fclose(f);
			return false;
		}
		if (o->nusers >= SSTPD_MAX_USERS) {
			snprintf(err, errlen, "%s:%d: more than %d users", o->users_file, lineno,
				 SSTPD_MAX_USERS);
			fclose(f);
			return false;
		}
		snprintf(o->users[o->nusers].name, SSTPD_NAME_MAX, "%s", u);
		snprintf(o->users[o->nusers].password, SSTPD_NAME_MAX, "%s", p);
		o->nusers++;
	}
	fclose(f);
	if (o->nusers == 0) {
		snprintf(err, errlen, "%s: no users", o->users_file);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"cert", required_argument, NULL, 'c'},
	    {"key", required_argument, NULL, 'k'},
	    {"users", required_argument, NULL, 'u'},
	    {"pool", required_argument, NULL, 'P'},
	    {"local", required_argument, NULL, 'L'},
	    {"dns", required_argument, NULL, 'd'},
	    {"ipv6", no_argument, NULL, '6'},
	    {"ipv6-prefix", required_argument, NULL, 'R'},
	    {"client-net", required_argument, NULL, 'N'},
	    {"hash", required_argument, NULL, 'H'},
	    {"auth", required_argument, NULL, 'a'},
	    {"tun", required_argument, NULL, 't'},
	    {"mtu", required_argument, NULL, 'm'},
	    {"no-offload", no_argument, NULL, 'O'},
	    {"fault", required_argument, NULL, 'f'},
	    {"fault-after", required_argument, NULL, 'F'},
	    {"log-level", required_argument, NULL, 'v'},
	    {"pidfile", required_argument, NULL, 'p'},
	    {"require-client-cert", required_argument, NULL, 'C'},
	    {"ciphers", required_argument, NULL, 'X'},
	    {"radius", required_argument, NULL, 'r'},
	    {"radius-secret-file", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct sstpd_opts o = {0};
	o.tun = "sstps0";
	o.hash_set = SSTP_CERT_HASH_SHA1 | SSTP_CERT_HASH_SHA256;
	o.auth[0] = PPP_AUTH_MSCHAPV2;
	o.auth[1] = PPP_AUTH_EAP_MSCHAPV2;
	o.auth[2] = PPP_AUTH_PAP;
	o.auth[3] = PPP_AUTH_CHAP_MD5;
	o.mtu = 1500;
	bool have_listen = false, have_pool = false, auth_given = false;
	enum log_level level = LOG_LVL_INFO;
	char err[512];
	int opt;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			if (!parse_listen(optarg, &o)) {
				fprintf(stderr,
					"sstpd: --listen: expected ADDR:PORT or [ADDR6]:PORT\n");
				return 2;
			}
			have_listen = true;
			break;
		case 'c':
			o.cert = optarg;
			break;
		case 'C':
			o.client_ca = optarg;
			break;
		case 'X':
			o.ciphers = optarg;
			break;
		case 'r': {
			struct sstpd_opts tmp = {0};
			if (!parse_listen(optarg, &tmp)) {
				fprintf(stderr,
					"sstpd: --radius: expected ADDR:PORT or [ADDR6]:PORT\n");
				return 2;
			}
			o.radius = tmp.listen;
			o.radius_len = tmp.listen_len;
			break;
		}
		case 'S':
			if (!read_secret(optarg, o.radius_secret, sizeof(o.radius_secret), err,
					 sizeof(err))) {
				fprintf(stderr, "sstpd: --radius-secret-file: %s\n", err);
				return 2;
			}
			break;
		case 'k':
			o.key = optarg;
			break;
		case 'u':
			o.users_file = optarg;
			break;
		case 'P':
			if (!parse_pool(optarg, &o)) {
				fprintf(
				    stderr,
				    "sstpd: --pool: expected an IPv4 NET/PLEN with PLEN 16-30\n");
				return 2;
			}
			have_pool = true;
			break;
		case 'L':
			if (!parse_ip4(optarg, &o.local4)) {
				fprintf(stderr, "sstpd: --local: expected an IPv4 address\n");
				return 2;
			}
			break;
		case 'd': {
			char buf[64];
			snprintf(buf, sizeof(buf), "%s", optarg);
			char *comma = strchr(buf, ',');
			if (comma)
				*comma = '\0';
			if (!parse_ip4(buf, &o.dns4[0]) ||
			    (comma && !parse_ip4(comma + 1, &o.dns4[1]))) {
				fprintf(stderr,
					"sstpd: --dns: expected one or two IPv4 addresses\n");
				return 2;
			}
			break;
		}
		case '6':
			o.ipv6 = true;
			break;
		case 'N':
			if (!parse_client_net(optarg, &o)) {
				fprintf(
				    stderr,
				    "sstpd: --client-net: expected an IPv4 or IPv6 PREFIX/LEN\n");
				return 2;
			}
			break;
		case 'R': {
			char buf[64];
			uint8_t a[16];
			snprintf(buf, sizeof(buf), "%s", optarg);
			char *slash = strchr(buf, '/');
			if (!slash || strcmp(slash, "/64") != 0 ||
			    (*slash = '\0', inet_pton(AF_INET6, buf, a) != 1)) {
				fprintf(stderr,
					"sstpd: --ipv6-prefix: expected an IPv6 PREFIX/64\n");
				return 2;
			}
			memcpy(o.prefix6, a, 8);
			o.has_prefix6 = true;
			break;
		}
		case 'H':
			if (strcmp(optarg, "sha1") == 0)
				o.hash_set = SSTP_CERT_HASH_SHA1;
			else if (strcmp(optarg, "sha256") == 0)
				o.hash_set = SSTP_CERT_HASH_SHA256;
			else if (strcmp(optarg, "both") == 0)
				o.hash_set = SSTP_CERT_HASH_SHA1 | SSTP_CERT_HASH_SHA256;
			else {
				fprintf(stderr, "sstpd: --hash: sha1, sha256 or both\n");
				return 2;
			}
			break;
		case 'a':
			auth_given = true;
			if (!parse_auth(optarg, &o)) {
				fprintf(
				    stderr,
				    "sstpd: --auth: up to 4 of mschapv2,eap-mschapv2,pap,chap\n");
				return 2;
			}
			break;
		case 't':
			if (strlen(optarg) >= 16) {
				fprintf(stderr, "sstpd: --tun: name too long\n");
				return 2;
			}
			o.tun = optarg;
			break;
		case 'm': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v < 576 || v > SSTP_MAX_PPP - PPP_HDR_LEN) {
				fprintf(stderr, "sstpd: --mtu: 576-%d\n",
					SSTP_MAX_PPP - PPP_HDR_LEN);
				return 2;
			}
			o.mtu = (unsigned)v;
			break;
		}
		case 'O':
			o.no_offload = true;
			break;
		case 'f':
			if (!sstpd_faults_parse(optarg, &o.faults, err, sizeof(err))) {
				fprintf(stderr, "sstpd: --fault: %s\n", err);
				return 2;
			}
			break;
		case 'F': {
			/* Seconds with up to three decimals ("0.25"), so the robustness
			 * runs can put the fault at any moment, not only on whole seconds. */
			char *end;
			errno = 0;
			double v = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(v >= 0.001 && v <= 86400)) {
				fprintf(stderr, "sstpd: --fault-after: 0.001-86400 seconds\n");
				return 2;
			}
			o.fault_after_ms = (unsigned)(v * 1000 + 0.5);
			break;
		}
		case 'v':
			if (!log_level_parse(optarg, &level)) {
				fprintf(
				    stderr,
				    "sstpd: --log-level: error, warning, notice, info or debug\n");
				return 2;
			}
			break;
		case 'p':
			o.pidfile = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !have_listen || !o.cert || !o.key || !o.users_file) {
		usage(stderr);
		return 2;
	}
	if (!have_pool) {
		/* --local alone: its /24; neither: 10.77.0.0/24. */
		o.pool_plen = 24;
		o.pool_net = o.local4 ? (o.local4 & 0xffffff00u) : 0x0a4d0000u;
	}
	uint32_t mask = ~((1u << (32 - o.pool_plen)) - 1);
	if (!o.local4)
		o.local4 = o.pool_net + 1;
	if ((o.local4 & mask) != o.pool_net) {
		fprintf(stderr, "sstpd: --local must lie inside the pool\n");
		return 2;
	}
	if (o.has_prefix6 && !o.ipv6) {
		fprintf(stderr, "sstpd: --ipv6-prefix needs --ipv6\n");
		return 2;
	}
	if (o.radius_len && !o.radius_secret[0]) {
		fprintf(stderr, "sstpd: --radius needs --radius-secret-file\n");
		return 2;
	}
	if (o.radius_len && !auth_given) {
		/* a NAS relays EAP: that is the method it asks for */
		memset(o.auth, 0, sizeof(o.auth));
		o.auth[0] = PPP_AUTH_EAP_MSCHAPV2;
	}
	if (o.faults & FAULT_NO_DNS)
		o.dns4[0] = o.dns4[1] = 0;
	if (o.faults & FAULT_SHA1_ONLY)
		o.hash_set = SSTP_CERT_HASH_SHA1;
	if (o.faults & FAULT_RRAS_LCP) {
		/* RRAS asks for EAP first. */
		memset(o.auth, 0, sizeof(o.auth));
		o.auth[0] = PPP_AUTH_EAP_MSCHAPV2;
		o.auth[1] = PPP_AUTH_MSCHAPV2;
	}
	if (o.faults & FAULT_EAP_ONLY_GIVEUP) {
		/* pppd as a server allowed only EAP: a Nak of it ends LCP */
		memset(o.auth, 0, sizeof(o.auth));
		o.auth[0] = PPP_AUTH_EAP_MSCHAPV2;
	}
	if (o.faults & FAULT_NO_AUTH)
		memset(o.auth, 0, sizeof(o.auth)); /* no Auth-Protocol in our LCP request */
	if ((o.faults & (FAULT_ABORT_AFTER | FAULT_DISCONNECT_AFTER)) && !o.fault_after_ms)
		o.fault_after_ms = 5000;

	log_setup("sstpd", level, false);
	if (!load_users(&o, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	struct server *srv = server_new(&o, err, sizeof(err));
	if (!srv) {
		log_err("%s", err);
		free(o.users);
		return 1;
	}
	if (o.pidfile) {
		FILE *f = fopen(o.pidfile, "w");
		if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
			log_err("%s: cannot write the pid file", o.pidfile);
			server_free(srv);
			free(o.users);
			return 1;
		}
	}
	int rc = server_run(srv);
	server_free(srv);
	if (o.pidfile)
		unlink(o.pidfile);
	memset(o.users, 0, SSTPD_MAX_USERS * sizeof(*o.users));
	free(o.users);
	return rc;
}
