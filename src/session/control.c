#include "session/control.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/loop.h"
#include "session/session.h"
#include "session/show.h"
#include "tun/nl_show.h"
#include "tun/nl.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

#define REPLY_MAX 16384
#define IO_TIMEOUT_MS 1000

struct control {
	int fd;
	struct loop *loop;
	struct session *s;
	char path[108];
};

const char *control_dir(void)
{
	const char *d = getenv("SSTPC_RUN_DIR");
	return d && d[0] ? d : CONTROL_DIR_DEFAULT;
}

/* The network namespace this process runs in, as the inode of its nsfs
 * file: unique among living namespaces, and the same for every process in
 * one. 0 when /proc is not there. */
static unsigned long long netns_id(void)
{
	struct stat st;
	return stat("/proc/self/ns/net", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* <dir>/<if>.<netns>.sock: two tunnels named sstpc0 in two namespaces of
 * one host do not collide, and the CLI finds the one of the namespace it
 * runs in. */
static bool socket_path(const char *ifname, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s.%llu.sock", control_dir(), ifname, netns_id());
	return n > 0 && (size_t)n < cap;
}

/* The interface name of a socket file of this namespace, or false. */
static bool socket_ifname(const char *file, char *ifname, size_t cap)
{
	char suffix[40];
	snprintf(suffix, sizeof(suffix), ".%llu.sock", netns_id());
	size_t l = strlen(file), sl = strlen(suffix);
	if (l <= sl || l - sl >= cap || strcmp(file + l - sl, suffix) != 0)
		return false;
	memcpy(ifname, file, l - sl);
	ifname[l - sl] = '\0';
	return true;
}

/* Reads exactly n bytes with a deadline; 0 or -errno. */
static int read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n > 0) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int r = poll(&pfd, 1, IO_TIMEOUT_MS);
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ssize_t got = read(fd, p, n);
		if (got == 0)
			return -ECONNRESET;
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = {fd, POLLOUT, 0};
				if (poll(&pfd, 1, IO_TIMEOUT_MS) <= 0)
					return -ETIMEDOUT;
				continue;
			}
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

bool control_parse(struct reader *r, enum control_req *req)
{
	static const struct {
		const char *text;
		enum control_req req;
	} cmds[] = {{"show", CONTROL_REQ_SHOW},	      {"show json", CONTROL_REQ_SHOW_JSON},
		    {"connect", CONTROL_REQ_CONNECT}, {"disconnect", CONTROL_REQ_DISCONNECT},
		    {"log", CONTROL_REQ_LOG},	      {"reconnect", CONTROL_REQ_RECONNECT}};
	uint16_t n = rd_be16(r);
	if (!rd_ok(r) || n == 0 || n > CONTROL_REQ_MAX)
		return false;
	const uint8_t *p = rd_take(r, n);
	if (!p)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	/* Compared as counted bytes: the frame is not NUL-terminated. */
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strlen(cmds[i].text) == n && memcmp(cmds[i].text, p, n) == 0) {
			*req = cmds[i].req;
			return true;
		}
	return false;
}

/* The one JSON string escaper: quote, backslash and control characters
 * escaped, so that any text (an error, an interface alias) stays valid JSON.
 * Returns the escaped length; out is always NUL-terminated (cap > 0). */
static size_t json_escape(char *out, size_t cap, const char *in)
{
	size_t j = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		char e[8];
		int n;
		if (*p == '"' || *p == '\\')
			n = snprintf(e, sizeof(e), "\\%c", *p);
		else if (*p < 0x20)
			n = snprintf(e, sizeof(e), "\\u%04x", *p);
		else
			n = snprintf(e, sizeof(e), "%c", *p);
		if (j + (size_t)n >= cap)
			break;
		memcpy(out + j, e, (size_t)n);
		j += (size_t)n;
	}
	out[j] = '\0';
	return j;
}

/* The `server` lines: blank-separated for `show`, a JSON array's members
 * for `show json`. */
static void servers_list(const struct session_facts *f, bool json, char *out, size_t cap)
{
	out[0] = '\0';
	for (int i = 0, o = 0; i < f->nservers; i++) {
		char name[2 * sizeof(f->servers[i])];
		if (json)
			json_escape(name, sizeof(name), f->servers[i]);
		else
			snprintf(name, sizeof(name), "%s", f->servers[i]);
		int k = snprintf(out + o, cap - (size_t)o, json ? "%s\"%s\"" : "%s%s",
				 i ? (json ? "," : " ") : "", name);
		if (k > 0 && (size_t)k < cap - (size_t)o)
			o += k;
	}
}

/* `show`: the facts as `key value` lines under the interface's block. */
static void facts_text(const struct session_facts *f, char *buf, size_t cap)
{
	char list[CONF_MAX_SERVERS * 260];
	servers_list(f, false, list, sizeof(list));
	snprintf(
	    buf, cap,
	    "    state %s\n    server %s (%s) port %u\n    tls %s %s\n    auth %s\n"
	    "    crypto-binding %s\n    ipv4 %s peer %s\n    ipv6 %s peer %s\n    uptime %llu s\n"
	    "    reconnects %u\n    dropped %llu\n    forward-dropped %llu\n    last-error %s\n"
	    "    servers %s\n",
	    f->state, f->server, f->server_address, f->port, f->tls_version, f->tls_cipher, f->auth,
	    f->crypto_binding, f->local_ipv4, f->peer_ipv4, f->local_ipv6, f->peer_ipv6,
	    (unsigned long long)f->uptime_s, f->reconnects, (unsigned long long)f->dropped,
	    (unsigned long long)f->forward_dropped, f->last_error, list);
}

/* `show json`: the facts as JSON object members without braces. */
static void facts_json(const struct session_facts *f, char *buf, size_t cap)
{
	char server[2 * sizeof(f->server)], err[2 * sizeof(f->last_error)];
	json_escape(server, sizeof(server), f->server);
	json_escape(err, sizeof(err), f->last_error);
	char list[CONF_MAX_SERVERS * 520];
	servers_list(f, true, list, sizeof(list));
	snprintf(buf, cap,
		 "\"state\":\"%s\",\"server\":\"%s\",\"server_address\":\"%s\",\"port\":%u,"
		 "\"tls_version\":\"%s\",\"tls_cipher\":\"%s\",\"auth\":\"%s\","
		 "\"crypto_binding\":\"%s\",\"local_ipv4\":\"%s\",\"peer_ipv4\":\"%s\","
		 "\"local_ipv6\":\"%s\",\"peer_ipv6\":\"%s\","
		 "\"uptime\":%llu,\"reconnects\":%u,\"dropped\":%llu,\"forward_dropped\":%llu,"
		 "\"last_error\":\"%s\",\"servers\":[%s],\"server_index\":%d",
		 f->state, server, f->server_address, f->port, f->tls_version, f->tls_cipher,
		 f->auth, f->crypto_binding, f->local_ipv4, f->peer_ipv4, f->local_ipv6,
		 f->peer_ipv6, (unsigned long long)f->uptime_s, f->reconnects,
		 (unsigned long long)f->dropped, (unsigned long long)f->forward_dropped, err, list,
		 f->server_index);
}

static void describe(struct session *s, char *reply, size_t cap, bool json)
{
	struct session_facts f;
	session_describe(s, &f);
	if (json)
		facts_json(&f, reply, cap);
	else
		facts_text(&f, reply, cap);
}

size_t control_handle(struct session *s, enum control_req req, char *reply, size_t cap)
{
	char err[160];
	switch (req) {
	case CONTROL_REQ_SHOW:
	case CONTROL_REQ_SHOW_JSON:
		describe(s, reply, cap, req == CONTROL_REQ_SHOW_JSON);
		break;
	case CONTROL_REQ_CONNECT:
		if (!session_connect(s, err, sizeof(err))) {
			snprintf(reply, cap, "error: %s\n", err);
			break;
		}
		describe(s, reply, cap, false);
		break;
	case CONTROL_REQ_DISCONNECT:
		if (!session_disconnect(s, err, sizeof(err))) {
			snprintf(reply, cap, "error: %s\n", err);
			break;
		}
		describe(s, reply, cap, false);
		break;
	case CONTROL_REQ_RECONNECT:
		if (!session_reconnect(s, err, sizeof(err))) {
			snprintf(reply, cap, "error: %s\n", err);
			break;
		}
		describe(s, reply, cap, false);
		break;
	case CONTROL_REQ_LOG:
		log_recent(reply, cap);
		break;
	default:
		snprintf(reply, cap, "error: unknown request\n");
		break;
	}
	return strlen(reply);
}

static void on_client(struct control *c, int cfd)
{
	uint8_t buf[2 + CONTROL_REQ_MAX];
	if (read_full(cfd, buf, 2) < 0)
		return;
	uint16_t n = be16_get(buf);
	if (n == 0 || n > CONTROL_REQ_MAX || read_full(cfd, buf + 2, n) < 0)
		return;
	struct reader r;
	rd_init(&r, buf, 2 + (size_t)n);
	enum control_req req = 0;
	static char reply[REPLY_MAX]; /* one request at a time, on the loop's thread */
	size_t len;
	if (control_parse(&r, &req))
		len = control_handle(c->s, req, reply, sizeof(reply));
	else
		len = (size_t)snprintf(reply, sizeof(reply), "error: unknown request\n");
	uint8_t rh[4];
	be32_put(rh, (uint32_t)len);
	if (write_full(cfd, rh, 4) == 0)
		write_full(cfd, reply, len);
}

static void on_accept(void *arg, int fd, unsigned events)
{
	struct control *c = arg;
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 && cred.uid == 0)
		on_client(c, cfd);
	close(cfd);
}

struct control *control_open(const char *ifname, struct session *s, struct loop *l, char *err,
			     size_t errlen)
{
	struct control *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->fd = -1;
	c->loop = l;
	c->s = s;
	if (!socket_path(ifname, c->path, sizeof(c->path))) {
		snprintf(err, errlen, "socket path too long");
		goto fail;
	}
	if (mkdir(control_dir(), 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", control_dir(), strerror(errno));
		goto fail;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	/* A socket left by a crashed daemon answers nothing: remove it. A live
	 * one means this tunnel already runs. */
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0) {
		if (connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			snprintf(err, errlen, "%s is in use: another sstpc runs %s", c->path,
				 ifname);
			goto fail;
		}
		close(probe);
		unlink(c->path);
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	mode_t old = umask(0077);
	int rc = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || listen(c->fd, 8) < 0) {
		snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
		goto fail;
	}
	rc = loop_add_fd(l, c->fd, LOOP_READ, on_accept, c);
	if (rc < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-rc));
		unlink(c->path);
		goto fail;
	}
	return c;
fail:
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return NULL;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	loop_del_fd(c->loop, c->fd);
	close(c->fd);
	unlink(c->path);
	free(c);
}

/* ------------------------------------------------------------------ CLI */

/* Sends one request to the tunnel's daemon; the reply goes into out. */
static int request(const char *ifname, const char *req, char *out, size_t cap)
{
	char path[108];
	if (!socket_path(ifname, path, sizeof(path)))
		return -ENAMETOOLONG;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int rc = 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto out;
	}
	uint8_t hdr[4];
	size_t n = strlen(req);
	be16_put(hdr, (uint16_t)n);
	if ((rc = write_full(fd, hdr, 2)) < 0 || (rc = write_full(fd, req, n)) < 0)
		goto out;
	if ((rc = read_full(fd, hdr, 4)) < 0)
		goto out;
	uint32_t len = be32_get(hdr);
	if (len >= cap) {
		rc = -EMSGSIZE;
		goto out;
	}
	if ((rc = read_full(fd, out, len)) < 0)
		goto out;
	out[len] = '\0';
out:
	close(fd);
	return rc;
}

static unsigned read_sys_uint(const char *ifname, const char *what)
{
	char p[128], buf[32] = "";
	snprintf(p, sizeof(p), "/sys/class/net/%s/%s", ifname, what);
	FILE *f = fopen(p, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return (unsigned)strtoul(buf, NULL, 0);
}

static void json_str(FILE *o, const char *k, const char *v, bool comma)
{
	char e[6 * 256 + 1]; /* an alias: at most 256 bytes, 6 each escaped */
	json_escape(e, sizeof(e), v);
	fprintf(o, "\"%s\":\"%s\"%s", k, e, comma ? "," : "");
}

/* The JSON form: its own schema, stable (docs/show.md). */
static int show_one_json(const char *ifname)
{
	static char facts[REPLY_MAX];
	int rc = request(ifname, "show json", facts, sizeof(facts));
	if (rc < 0) {
		fprintf(stderr, "sstpc: %s: no running tunnel (%s)\n", ifname, strerror(-rc));
		return 1;
	}
	int idx = nl_link_index(ifname);
	struct nl_link_stats st = {0};
	if (idx > 0)
		nl_link_stats(idx, &st);
	unsigned flags = idx > 0 ? read_sys_uint(ifname, "flags") : 0;
	if (idx > 0 && read_sys_uint(ifname, "carrier"))
		flags |= IFF_LOWER_UP;
	unsigned mtu = idx > 0 ? read_sys_uint(ifname, "mtu") : 0;
	struct ifaddrs *ifa = NULL;
	getifaddrs(&ifa);
	{
		printf("{");
		json_str(stdout, "interface", ifname, true);
		printf("\"mtu\":%u,\"up\":%s,\"addresses\":[", mtu,
		       (flags & IFF_UP) ? "true" : "false");
	}
	const char *sep = "";
	for (struct ifaddrs *a = ifa; a; a = a->ifa_next) {
		if (!a->ifa_addr || strcmp(a->ifa_name, ifname) != 0)
			continue;
		int fam = a->ifa_addr->sa_family;
		if (fam != AF_INET && fam != AF_INET6)
			continue;
		char addr[INET6_ADDRSTRLEN] = "", peer[INET6_ADDRSTRLEN] = "";
		const void *src =
		    fam == AF_INET ? (const void *)&((struct sockaddr_in *)a->ifa_addr)->sin_addr
				   : (const void *)&((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
		inet_ntop(fam, src, addr, sizeof(addr));
		if (fam == AF_INET && (a->ifa_flags & IFF_POINTOPOINT) && a->ifa_dstaddr)
			inet_ntop(AF_INET, &((struct sockaddr_in *)a->ifa_dstaddr)->sin_addr, peer,
				  sizeof(peer));
		int plen = 0;
		if (a->ifa_netmask) {
			const uint8_t *m =
			    fam == AF_INET
				? (const uint8_t *)&((struct sockaddr_in *)a->ifa_netmask)->sin_addr
				: (const uint8_t *)&((struct sockaddr_in6 *)a->ifa_netmask)
				      ->sin6_addr;
			for (int i = 0; i < (fam == AF_INET ? 4 : 16); i++)
				plen += __builtin_popcount(m[i]);
		}
		{
			printf("%s{\"family\":\"%s\",\"address\":\"%s\",\"prefixlen\":%d%s%s%s}",
			       sep, fam == AF_INET ? "inet" : "inet6", addr, plen,
			       peer[0] ? ",\"peer\":\"" : "", peer, peer[0] ? "\"" : "");
			sep = ",";
		}
	}
	if (ifa)
		freeifaddrs(ifa);
	{
		printf(
		    "],\"stats\":{\"rx_bytes\":%llu,\"rx_packets\":%llu,\"rx_errors\":%llu,"
		    "\"rx_dropped\":%llu,\"rx_overrun\":%llu,\"multicast\":%llu,\"tx_bytes\":%llu,"
		    "\"tx_packets\":%llu,\"tx_errors\":%llu,\"tx_dropped\":%llu,\"tx_carrier\":%"
		    "llu,"
		    "\"collisions\":%llu},\"tunnel\":{%s}}\n",
		    (unsigned long long)st.rx_bytes, (unsigned long long)st.rx_packets,
		    (unsigned long long)st.rx_errors, (unsigned long long)st.rx_dropped,
		    (unsigned long long)st.rx_over_errors, (unsigned long long)st.multicast,
		    (unsigned long long)st.tx_bytes, (unsigned long long)st.tx_packets,
		    (unsigned long long)st.tx_errors, (unsigned long long)st.tx_dropped,
		    (unsigned long long)st.tx_carrier_errors, (unsigned long long)st.collisions,
		    facts);
	}
	return 0;
}

/* The facts of one tunnel as the kernel has them. */
struct show_kernel {
	struct nl_link_info link;
	char master[IF_NAMESIZE];
	struct nl_show_addr addrs[NL_SHOW_MAX_ADDRS];
	int naddrs;
};

static int show_kernel_read(const char *ifname, struct show_kernel *k)
{
	int rc = nl_link_get(0, ifname, &k->link);
	if (rc < 0)
		return rc;
	nl_show_ifname(k->link.master, k->master);
	k->naddrs = nl_show_addrs(k->link.ifindex, k->addrs, NL_SHOW_MAX_ADDRS);
	if (k->naddrs < 0)
		k->naddrs = 0;
	return 0;
}

/* VyOS's `show interfaces sstpc IF` (the ip addr block, Description, the
 * RX/TX table), then our tunnel facts. */
static int show_one_text(const char *ifname)
{
	static char facts[REPLY_MAX];
	int rc = request(ifname, "show", facts, sizeof(facts));
	if (rc < 0) {
		fprintf(stderr, "sstpc: %s: no running tunnel (%s)\n", ifname, strerror(-rc));
		return 1;
	}
	static struct show_kernel k;
	if ((rc = show_kernel_read(ifname, &k)) < 0) {
		fprintf(stderr, "sstpc: %s: %s\n", ifname, strerror(-rc));
		return 1;
	}
	show_ip_addr(stdout, &k.link, k.master, k.addrs, k.naddrs);
	show_vyos_detail_tail(stdout, k.link.alias, &k.link.stats);
	printf("\n%s", facts);
	return 0;
}

/* The running tunnels of this namespace, sorted by name as VyOS lists them. */
static int tunnel_names(char (*names)[IF_NAMESIZE], int max)
{
	DIR *d = opendir(control_dir());
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)) && n < max)
		if (socket_ifname(e->d_name, names[n], IF_NAMESIZE))
			n++;
	if (d)
		closedir(d);
	qsort(names, (size_t)n, IF_NAMESIZE, (int (*)(const void *, const void *))strcmp);
	return n;
}

#define MAX_TUNNELS 256

static int show_detail(void)
{
	static char names[MAX_TUNNELS][IF_NAMESIZE];
	int n = tunnel_names(names, MAX_TUNNELS), rc = 0;
	for (int i = 0; i < n; i++)
		rc |= show_one_text(names[i]);
	return rc;
}

/* pppstats' layout, what VyOS runs for `show interfaces sstpc IF statistics`. */
static int show_statistics(const char *ifname)
{
	static struct show_kernel k;
	int rc = show_kernel_read(ifname, &k);
	if (rc < 0) {
		fprintf(stderr, "sstpc: %s: %s\n", ifname, strerror(-rc));
		return 1;
	}
	show_pppstats(stdout, &k.link.stats);
	return 0;
}

static int simple_request(const char *ifname, const char *req)
{
	static char reply[REPLY_MAX];
	int rc = request(ifname, req, reply, sizeof(reply));
	if (rc < 0) {
		fprintf(stderr, "sstpc: %s: no running tunnel (%s)\n", ifname, strerror(-rc));
		return 1;
	}
	printf("%s", reply);
	return strncmp(reply, "error", 5) == 0 ? 1 : 0;
}

static unsigned terminal_columns(void)
{
	/* VyOS asks `stty size` of its standard input; 80 without a terminal. */
	struct winsize ws;
	if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* The VyOS-style table of every running tunnel. */
static int show_all(bool json)
{
	static char names[MAX_TUNNELS][IF_NAMESIZE];
	static struct show_kernel k;
	int n = tunnel_names(names, MAX_TUNNELS);
	if (json)
		printf("[");
	else
		show_summary_header(stdout);
	unsigned cols = terminal_columns();
	for (int i = 0; i < n; i++) {
		static char facts[REPLY_MAX];
		if (request(names[i], "show", facts, sizeof(facts)) < 0)
			continue; /* a socket left by a daemon that crashed */
		if (show_kernel_read(names[i], &k) < 0)
			continue;
		char addrs[NL_SHOW_MAX_ADDRS][64];
		const char *ap[NL_SHOW_MAX_ADDRS];
		int na = show_summary_addrs(k.addrs, k.naddrs, addrs, NL_SHOW_MAX_ADDRS);
		for (int a = 0; a < na; a++)
			ap[a] = addrs[a];
		bool admin = k.link.flags & IFF_UP;
		/* VyOS: the link is up when the operational state is up or unknown. */
		bool oper = k.link.operstate == 6 || k.link.operstate == 0;
		if (json) {
			char sl[4];
			snprintf(sl, sizeof(sl), "%c/%c", admin ? 'u' : 'A', oper ? 'u' : 'D');
			printf("%s{", i ? "," : "");
			json_str(stdout, "interface", names[i], true);
			json_str(stdout, "address", na ? addrs[0] : "-", true);
			printf("\"addresses\":[");
			for (int a = 0; a < na; a++) {
				printf("%s", a ? "," : "");
				printf("\"%s\"", addrs[a]);
			}
			printf("],");
			json_str(stdout, "state", sl, true);
			json_str(stdout, "description", k.link.alias, false);
			printf("}");
		} else {
			show_summary_row(stdout, names[i], admin, oper, ap, na, k.link.alias, cols);
		}
	}
	if (json)
		printf("]\n");
	return 0;
}

static bool word_is(int k, char **args, int i, const char *w)
{
	return i < k && strcmp(args[i], w) == 0;
}

int control_cli(int argc, char **argv)
{
	bool json = false;
	int k = 0;
	char *args[8];
	for (int i = 0; i < argc && k < 8; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "json") == 0)
			json = true;
		else
			args[k++] = argv[i];
	}
	if (k >= 3 && word_is(k, args, 0, "show") && word_is(k, args, 1, "interfaces") &&
	    word_is(k, args, 2, "sstpc")) {
		if (k == 3)
			return show_all(json);
		if (k == 4 && strcmp(args[3], "detail") == 0 && !json)
			return show_detail();
		if (k == 4)
			return json ? show_one_json(args[3]) : show_one_text(args[3]);
		if (k == 5 && strcmp(args[4], "statistics") == 0 && !json)
			return show_statistics(args[3]);
		if (k == 5 && strcmp(args[4], "log") == 0 && !json)
			return simple_request(args[3], "log");
	}
	if (k == 3 && (word_is(k, args, 0, "connect") || word_is(k, args, 0, "disconnect")) &&
	    word_is(k, args, 1, "interface"))
		return simple_request(args[2], args[0]);
	if (k == 4 && word_is(k, args, 0, "clear") && word_is(k, args, 1, "interfaces") &&
	    word_is(k, args, 2, "connection"))
		return simple_request(args[3], "reconnect");
	fprintf(stderr, "usage: sstpc show interfaces sstpc [IF] [--json]\n"
			"       sstpc show interfaces sstpc detail\n"
			"       sstpc show interfaces sstpc IF statistics|log\n"
			"       sstpc connect interface IF\n"
			"       sstpc disconnect interface IF\n"
			"       sstpc clear interfaces connection IF\n");
	return 2;
}
