/* The change journal: every change made to the host is recorded once it has
 * succeeded, and netcfg_undo reverts them newest first. An undo removes
 * exactly what we added and restores an old value only while the current
 * one is still ours, so a later change by someone else is left alone. */
#include "tun/netcfg.h"

#include "core/log.h"
#include "tun/helper.h"
#include "tun/nl.h"
#include "tun/resolvfile.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NETCFG_SYSCTL_MAX 128
#define NETCFG_FILE_MAX DNSBACKUP_FILE_MAX
/* resolvconf and resolvectl normally return within milliseconds; 5 s is
 * for a slow router running its update hooks. Once the daemon is stopping,
 * a helper gets only what keeps SIGTERM's answer within a second. */
#define NETCFG_HELPER_MS 5000
#define NETCFG_HELPER_STOP_MS 300

enum netcfg_kind {
	REC_ADDR,
	REC_ROUTE,
	REC_SYSCTL,
	REC_DNS_FILE,
	REC_DNS_RESOLVCONF,
	REC_DNS_RESOLVECTL,
};

struct netcfg_rec {
	enum netcfg_kind kind;
	union {
		struct nl_addr addr;
		struct nl_route route;
		struct {
			char path[160];
			char old[NETCFG_SYSCTL_MAX];
			char ours[NETCFG_SYSCTL_MAX];
		} sysctl;
		struct {
			bool existed;
			uint8_t *backup;
			size_t backup_len;
			uint8_t *ours;
			size_t ours_len;
		} file;
	} u;
};

struct netcfg {
	char ifname[IF_NAMESIZE];
	int ifindex;
	enum netcfg_dns_backend dns_backend;
	uint8_t route_proto;
	uint32_t route_table;
	char resolv_path[256];
	char state_dir[200];		 /* where the resolv.conf backup lives; "" = none */
	bool stopping;			 /* helpers get NETCFG_HELPER_STOP_MS */
	const char *resolvconf_override; /* SSTPC_RESOLVCONF, for tests */
	struct netcfg_rec *recs;
	size_t n, cap;
};

struct netcfg *netcfg_new(const char *ifname, int ifindex)
{
	if (!ifname || strlen(ifname) >= IF_NAMESIZE)
		return NULL;
	struct netcfg *nc = calloc(1, sizeof(*nc));
	if (!nc)
		return NULL;
	memcpy(nc->ifname, ifname, strlen(ifname) + 1);
	nc->ifindex = ifindex;
	nc->route_proto = NL_RTPROT_DEFAULT;
	/* For tests: a resolv.conf of their own means the file backend; a
	 * resolvconf of their own (a script that hangs) the resolvconf one. */
	const char *rp = getenv("SSTPC_RESOLV_CONF");
	if (!rp || !*rp || netcfg_set_resolv_path(nc, rp) < 0)
		netcfg_set_resolv_path(nc, "/etc/resolv.conf");
	else
		nc->dns_backend = NETCFG_DNS_FILE;
	const char *rc = getenv("SSTPC_RESOLVCONF");
	if (rc && rc[0] == '/') {
		nc->resolvconf_override = rc;
		nc->dns_backend = NETCFG_DNS_RESOLVCONF;
	}
	return nc;
}

void netcfg_set_state_dir(struct netcfg *nc, const char *dir)
{
	if (!dir || strlen(dir) >= sizeof(nc->state_dir)) {
		nc->state_dir[0] = 0;
		return;
	}
	memcpy(nc->state_dir, dir, strlen(dir) + 1);
	rf_backup_recover(nc->state_dir, nc->ifname);
}

void netcfg_set_stopping(struct netcfg *nc)
{
	nc->stopping = true;
}

static int run_helper(struct netcfg *nc, char *const argv[], const char *input)
{
	int ret = helper_run(argv, input, nc->stopping ? NETCFG_HELPER_STOP_MS : NETCFG_HELPER_MS);
	if (ret == -EINTR)
		nc->stopping = true;
	return ret;
}

void netcfg_set_dns_backend(struct netcfg *nc, enum netcfg_dns_backend b)
{
	nc->dns_backend = b;
}
void netcfg_set_route_proto(struct netcfg *nc, uint8_t proto)
{
	nc->route_proto = proto ? proto : NL_RTPROT_DEFAULT;
}
void netcfg_set_route_table(struct netcfg *nc, uint32_t table)
{
	nc->route_table = table;
}
size_t netcfg_pending(const struct netcfg *nc)
{
	return nc->n;
}

int netcfg_set_resolv_path(struct netcfg *nc, const char *path)
{
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(nc->resolv_path) - 16)
		return -ENAMETOOLONG;
	memcpy(nc->resolv_path, path, n + 1);
	return 0;
}

/* Reserves the next record; the caller fills it only after the change
 * succeeded (then bumps n), so a failed change leaves no record. */
static struct netcfg_rec *rec_slot(struct netcfg *nc)
{
	if (nc->n == nc->cap) {
		size_t cap = nc->cap ? nc->cap * 2 : 16;
		struct netcfg_rec *r = realloc(nc->recs, cap * sizeof(*r));
		if (!r)
			return NULL;
		nc->recs = r;
		nc->cap = cap;
	}
	struct netcfg_rec *r = &nc->recs[nc->n];
	memset(r, 0, sizeof(*r));
	return r;
}

/* ---- addresses and routes ------------------------------------------------ */

static int add_addr(struct netcfg *nc, const struct nl_addr *a)
{
	struct netcfg_rec *r = rec_slot(nc);
	if (!r)
		return -ENOMEM;
	int ret = nl_addr_change(true, a);
	if (ret < 0)
		return ret;
	r->kind = REC_ADDR;
	r->u.addr = *a;
	nc->n++;
	return 0;
}

int netcfg_addr4(struct netcfg *nc, uint32_t local, uint32_t peer)
{
	/* No kernel route to the peer: it may be a public address, or the
	 * server's own, and a /32 via the tunnel would capture the host's
	 * traffic to it. The peer is reached through the routes the config
	 * asks for, like everything else (docs/tun.md). */
	struct nl_addr a = {.family = AF_INET,
			    .ifindex = nc->ifindex,
			    .plen = 32,
			    .has_peer = peer != 0,
			    .noprefixroute = true};
	memcpy(a.local, &local, 4);
	memcpy(a.peer, &peer, 4);
	return add_addr(nc, &a);
}

int netcfg_addr6_ll(struct netcfg *nc, const uint8_t id[8])
{
	/* IPV6CP made the id unique on the link already: no DAD delay. */
	struct nl_addr a = {.family = AF_INET6, .ifindex = nc->ifindex, .plen = 64, .nodad = true};
	a.local[0] = 0xfe;
	a.local[1] = 0x80;
	memcpy(a.local + 8, id, 8);
	return add_addr(nc, &a);
}

int netcfg_addr6_slaac(struct netcfg *nc, const uint8_t prefix[8], const uint8_t id[8],
		       uint32_t valid, uint32_t preferred)
{
	/* The id was made unique on the link by IPV6CP, and the server is the
	 * only other node: no DAD delay. */
	/* No prefix route either: the server's /64 is reached through the
	 * routes the config asks for, not pulled into the tunnel by an RA. */
	struct nl_addr a = {.family = AF_INET6,
			    .ifindex = nc->ifindex,
			    .plen = 64,
			    .nodad = true,
			    .noprefixroute = true,
			    .replace = true,
			    .has_lifetime = true,
			    .valid = valid,
			    .preferred = preferred < valid ? preferred : valid};
	memcpy(a.local, prefix, 8);
	memcpy(a.local + 8, id, 8);
	size_t i = nc->n;
	while (i > 0 &&
	       !(nc->recs[i - 1].kind == REC_ADDR && nc->recs[i - 1].u.addr.family == AF_INET6 &&
		 nc->recs[i - 1].u.addr.ifindex == a.ifindex &&
		 memcmp(nc->recs[i - 1].u.addr.local, a.local, 16) == 0))
		i--;
	if (valid == 0) {
		if (i == 0)
			return 0; /* never ours: nothing to withdraw */
		int ret = nl_addr_change(false, &a);
		if (ret < 0 && ret != -EADDRNOTAVAIL && ret != -ENODEV)
			return ret;
		/* Drop the record; the others keep their order. */
		memmove(&nc->recs[i - 1], &nc->recs[i], (nc->n - i) * sizeof(nc->recs[0]));
		nc->n--;
		return 0;
	}
	if (i > 0) {
		int ret = nl_addr_change(true, &a);
		if (ret == 0)
			nc->recs[i - 1].u.addr = a;
		return ret;
	}
	int ret = add_addr(nc, &a);
	return ret < 0 ? ret : 1;
}

static int add_route(struct netcfg *nc, const struct nl_route *rt)
{
	struct netcfg_rec *r = rec_slot(nc);
	if (!r)
		return -ENOMEM;
	int ret = nl_route_change(true, rt);
	if (ret < 0)
		return ret;
	r->kind = REC_ROUTE;
	r->u.route = *rt;
	nc->n++;
	return 0;
}

int netcfg_route(struct netcfg *nc, int family, const void *dst, int plen, unsigned metric)
{
	size_t alen = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
	if (!alen || plen < 0 || (size_t)plen > alen * 8)
		return -EINVAL;
	struct nl_route rt = {
	    .family = family,
	    .plen = (uint8_t)plen,
	    .oif = nc->ifindex,
	    .metric = metric,
	    .table = nc->route_table,
	    .protocol = nc->route_proto,
	};
	if (plen)
		memcpy(rt.dst, dst, alen);
	return add_route(nc, &rt);
}

int netcfg_server_route(struct netcfg *nc, const struct sockaddr *server)
{
	struct nl_route rt = {.family = server->sa_family, .protocol = nc->route_proto};
	if (server->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)server;
		memcpy(rt.dst, &s4->sin_addr, 4);
		rt.plen = 32;
	} else if (server->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)server;
		memcpy(rt.dst, &s6->sin6_addr, 16);
		rt.plen = 128;
	} else {
		return -EAFNOSUPPORT;
	}
	int ret = nl_route_get(rt.family, rt.dst, rt.gw, &rt.oif);
	if (ret < 0)
		return ret;
	/* The server reached through the tunnel itself would be a loop. */
	if (rt.oif == nc->ifindex)
		return -ELOOP;
	static const uint8_t zero[16];
	rt.has_gw = memcmp(rt.gw, zero, 16) != 0;
	rt.metric = 0;
	ret = add_route(nc, &rt);
	if (ret == -EEXIST) {
		/* Someone's host route is already there; it is not ours to remove. */
		log_info("host route to the server exists already, kept as is");
		return 0;
	}
	return ret;
}

/* ---- sysctl -------------------------------------------------------------- */

static bool sysctl_path_ok(const char *p)
{
	if (!*p || *p == '/' || strstr(p, ".."))
		return false;
	for (; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '-' || c == '.' || c == '@' || c == ':'))
			return false;
	}
	return true;
}

static int sysctl_read(const char *full, char *out, size_t cap)
{
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, out, cap - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	out[n] = 0;
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = 0;
	return 0;
}

static int sysctl_write(const char *full, const char *value)
{
	int fd = open(full, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = strlen(value);
	ssize_t w = write(fd, value, n);
	int e = errno;
	close(fd);
	if (w < 0)
		return -e;
	return (size_t)w == n ? 0 : -EIO;
}

int netcfg_sysctl(struct netcfg *nc, const char *path, const char *value)
{
	char full[160 + 16];
	if (!sysctl_path_ok(path) || strlen(value) >= NETCFG_SYSCTL_MAX ||
	    (size_t)snprintf(full, sizeof(full), "/proc/sys/%s", path) >= 160)
		return -EINVAL;
	struct netcfg_rec *r = rec_slot(nc);
	if (!r)
		return -ENOMEM;
	int ret = sysctl_read(full, r->u.sysctl.old, sizeof(r->u.sysctl.old));
	if (ret == 0)
		ret = sysctl_write(full, value);
	if (ret < 0) {
		/* A container's /proc/sys is read-only and an empty root has no
		 * /proc: the callers go on without the setting, so say which. */
		log_warn("sysctl %s not set to %s: %s", path, value, strerror(-ret));
		return ret;
	}
	r->kind = REC_SYSCTL;
	memcpy(r->u.sysctl.path, full, strlen(full) + 1);
	/* Remember what the kernel shows back (it may normalise the value). */
	if (sysctl_read(full, r->u.sysctl.ours, sizeof(r->u.sysctl.ours)) < 0)
		snprintf(r->u.sysctl.ours, sizeof(r->u.sysctl.ours), "%s", value);
	nc->n++;
	return 0;
}

/* ---- DNS ----------------------------------------------------------------- */

static const char *find_exe(const char *const *cands)
{
	for (; *cands; cands++)
		if (access(*cands, X_OK) == 0)
			return *cands;
	return NULL;
}

static const char *const resolvectl_paths[] = {"/usr/bin/resolvectl", "/bin/resolvectl", NULL};
static const char *const resolvconf_paths[] = {"/usr/sbin/resolvconf", "/sbin/resolvconf",
					       "/usr/bin/resolvconf", NULL};

static const char *resolvconf_exe(const struct netcfg *nc)
{
	return nc->resolvconf_override ? nc->resolvconf_override : find_exe(resolvconf_paths);
}

static bool is_nameserver_line(const uint8_t *l, size_t n)
{
	size_t i = 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return n - i >= 10 && memcmp(l + i, "nameserver", 10) == 0 &&
	       (n - i == 10 || l[i + 10] == ' ' || l[i + 10] == '\t');
}

static int ns_lines(char *out, size_t cap, const uint32_t *v4, int n4)
{
	size_t len = 0;
	for (int i = 0; i < n4; i++) {
		if (!v4[i])
			continue;
		const uint8_t *b = (const uint8_t *)&v4[i];
		int w = snprintf(out + len, cap - len, "nameserver %u.%u.%u.%u\n", b[0], b[1], b[2],
				 b[3]);
		if (w < 0 || (size_t)w >= cap - len)
			return -ENOSPC;
		len += (size_t)w;
	}
	return (int)len;
}

/* Before the file changes, the original goes to the run directory, so that
 * the next start restores it if this run ends without its undo. Without it
 * the change is still made: DNS matters more than crash recovery. */
static void save_backup(struct netcfg *nc, bool existed, const uint8_t *old, size_t oldlen,
			const uint8_t *ours, size_t len)
{
	if (!nc->state_dir[0])
		return;
	struct dns_backup b = {
	    .existed = existed, .orig = old, .orig_len = oldlen, .ours = ours, .ours_len = len};
	snprintf(b.path, sizeof(b.path), "%s", nc->resolv_path);
	int ret = rf_backup_save(nc->state_dir, nc->ifname, &b);
	if (ret < 0)
		log_warn(
		    "%s: cannot save a backup of %s (it will not be restored after a crash): %s",
		    nc->state_dir, nc->resolv_path, strerror(-ret));
}

static int dns_file(struct netcfg *nc, const char *ns, size_t nslen)
{
	struct netcfg_rec *r = rec_slot(nc);
	if (!r)
		return -ENOMEM;
	uint8_t *old;
	size_t oldlen;
	int ret = rf_read(nc->resolv_path, NETCFG_FILE_MAX, &old, &oldlen);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	bool existed = ret == 0;
	uint8_t *ours = malloc(nslen + oldlen + 1);
	if (!ours) {
		free(old);
		return -ENOMEM;
	}
	memcpy(ours, ns, nslen);
	size_t len = nslen;
	for (size_t i = 0; i < oldlen;) {
		size_t j = i;
		while (j < oldlen && old[j] != '\n')
			j++;
		size_t end = j < oldlen ? j + 1 : j;
		if (!is_nameserver_line(old + i, j - i)) {
			memcpy(ours + len, old + i, end - i);
			len += end - i;
			if (j == oldlen)
				ours[len++] = '\n';
		}
		i = end;
	}
	save_backup(nc, existed, old, oldlen, ours, len);
	ret = rf_replace(nc->resolv_path, ours, len);
	if (ret < 0) {
		if (nc->state_dir[0])
			rf_backup_remove(nc->state_dir, nc->ifname);
		free(old);
		free(ours);
		return ret;
	}
	r->kind = REC_DNS_FILE;
	r->u.file.existed = existed;
	r->u.file.backup = old;
	r->u.file.backup_len = oldlen;
	r->u.file.ours = ours;
	r->u.file.ours_len = len;
	nc->n++;
	return 0;
}

int netcfg_dns(struct netcfg *nc, const uint32_t *v4, int n4)
{
	char ns[512];
	int nslen = ns_lines(ns, sizeof(ns), v4, n4);
	if (nslen < 0)
		return nslen;
	if (nslen == 0)
		return 0;
	enum netcfg_dns_backend b = nc->dns_backend;
	const char *resolvectl = find_exe(resolvectl_paths);
	const char *resolvconf = resolvconf_exe(nc);
	if (b == NETCFG_DNS_AUTO) {
		if (resolvectl && access("/run/systemd/resolve", F_OK) == 0)
			b = NETCFG_DNS_RESOLVECTL;
		else if (resolvconf)
			b = NETCFG_DNS_RESOLVCONF;
		else
			b = NETCFG_DNS_FILE;
	}
	if (b == NETCFG_DNS_FILE)
		return dns_file(nc, ns, (size_t)nslen);

	struct netcfg_rec *r = rec_slot(nc);
	if (!r)
		return -ENOMEM;
	int ret;
	if (b == NETCFG_DNS_RESOLVECTL) {
		if (!resolvectl)
			return -ENOENT;
		char addrs[4][16];
		char *argv[4 + 4 + 1] = {(char *)resolvectl, "dns", nc->ifname};
		int argc = 3;
		for (int i = 0; i < n4 && argc < 7; i++) {
			if (!v4[i])
				continue;
			const uint8_t *a = (const uint8_t *)&v4[i];
			snprintf(addrs[argc - 3], sizeof(addrs[0]), "%u.%u.%u.%u", a[0], a[1], a[2],
				 a[3]);
			argv[argc] = addrs[argc - 3];
			argc++;
		}
		argv[argc] = NULL;
		ret = run_helper(nc, argv, NULL);
		r->kind = REC_DNS_RESOLVECTL;
	} else {
		if (!resolvconf)
			return -ENOENT;
		char name[IF_NAMESIZE + 8];
		snprintf(name, sizeof(name), "%s.sstpc", nc->ifname);
		char *argv[] = {(char *)resolvconf, "-a", name, NULL};
		ret = run_helper(nc, argv, ns);
		r->kind = REC_DNS_RESOLVCONF;
	}
	/* A helper killed half-way may have made its change: journaled, so
	 * that the undo's revert (harmless when nothing was added) runs. */
	if (ret < 0 && ret != -ETIMEDOUT && ret != -EINTR)
		return ret;
	nc->n++;
	return ret;
}

/* ---- undo ---------------------------------------------------------------- */

static void undo_dns_file(struct netcfg *nc, struct netcfg_rec *r)
{
	uint8_t *cur;
	size_t curlen;
	int ret = rf_read(nc->resolv_path, NETCFG_FILE_MAX, &cur, &curlen);
	bool ours =
	    ret == 0 && curlen == r->u.file.ours_len && memcmp(cur, r->u.file.ours, curlen) == 0;
	free(cur);
	if (!ours) {
		log_warn("%s changed by someone else since we wrote it; left as it is",
			 nc->resolv_path);
		return;
	}
	if (!r->u.file.existed)
		ret = unlink(nc->resolv_path) < 0 ? -errno : 0;
	else
		ret = rf_replace(nc->resolv_path, r->u.file.backup, r->u.file.backup_len);
	if (ret < 0)
		log_warn("restoring %s: %s", nc->resolv_path, strerror(-ret));
}

static void undo_one(struct netcfg *nc, struct netcfg_rec *r)
{
	int ret = 0;
	switch (r->kind) {
	case REC_ADDR:
		ret = nl_addr_change(false, &r->u.addr);
		/* Gone already (link down or deleted): nothing left to undo. */
		if (ret == -EADDRNOTAVAIL || ret == -ENODEV)
			ret = 0;
		break;
	case REC_ROUTE:
		ret = nl_route_change(false, &r->u.route);
		if (ret == -ESRCH || ret == -ENODEV || ret == -ENOENT)
			ret = 0;
		break;
	case REC_SYSCTL: {
		char cur[NETCFG_SYSCTL_MAX];
		if (sysctl_read(r->u.sysctl.path, cur, sizeof(cur)) < 0)
			break; /* e.g. the interface is gone */
		if (strcmp(cur, r->u.sysctl.ours) != 0) {
			log_info("%s changed since we set it; left as it is", r->u.sysctl.path);
			break;
		}
		ret = sysctl_write(r->u.sysctl.path, r->u.sysctl.old);
		break;
	}
	case REC_DNS_FILE:
		undo_dns_file(nc, r);
		if (nc->state_dir[0])
			rf_backup_remove(nc->state_dir, nc->ifname);
		free(r->u.file.backup);
		free(r->u.file.ours);
		break;
	case REC_DNS_RESOLVCONF: {
		const char *exe = resolvconf_exe(nc);
		char name[IF_NAMESIZE + 8];
		snprintf(name, sizeof(name), "%s.sstpc", nc->ifname);
		char *argv[] = {(char *)exe, "-d", name, NULL};
		ret = exe ? run_helper(nc, argv, NULL) : -ENOENT;
		break;
	}
	case REC_DNS_RESOLVECTL: {
		const char *exe = find_exe(resolvectl_paths);
		char *argv[] = {(char *)exe, "revert", nc->ifname, NULL};
		ret = exe ? run_helper(nc, argv, NULL) : -ENOENT;
		break;
	}
	}
	if (ret < 0)
		log_warn("undo of a %s change failed: %s",
			 r->kind == REC_ADDR	? "address"
			 : r->kind == REC_ROUTE ? "route"
						: "host",
			 strerror(-ret));
}

/* Removes the newest run of address records (up to UNDO_BATCH) with one
 * batched netlink exchange. */
#define UNDO_BATCH 256
static void undo_addrs(struct netcfg *nc)
{
	static uint8_t buf[UNDO_BATCH * 128] __attribute__((aligned(8)));
	int errs[UNDO_BATCH];
	size_t k = 0, len = 0;
	while (k < UNDO_BATCH && k < nc->n && nc->recs[nc->n - 1 - k].kind == REC_ADDR) {
		size_t m = nl_enc_addr(buf + len, sizeof(buf) - len, false,
				       &nc->recs[nc->n - 1 - k].u.addr);
		if (!m)
			break;
		len += m;
		k++;
	}
	if (k == 0) { /* cannot be encoded: the slow path says why */
		nc->n--;
		undo_one(nc, &nc->recs[nc->n]);
		return;
	}
	int ret = nl_talk_batch(buf, len, k, errs);
	for (size_t i = 0; i < k; i++) {
		int e = ret < 0 ? ret : errs[i];
		if (e < 0 && e != -EADDRNOTAVAIL && e != -ENODEV)
			log_warn("undo of an address change failed: %s", strerror(-e));
	}
	nc->n -= k;
}

void netcfg_undo(struct netcfg *nc)
{
	while (nc->n > 0) {
		if (nc->recs[nc->n - 1].kind == REC_ADDR) {
			undo_addrs(nc);
			continue;
		}
		nc->n--;
		undo_one(nc, &nc->recs[nc->n]);
	}
}

void netcfg_free(struct netcfg *nc)
{
	if (!nc)
		return;
	netcfg_undo(nc);
	free(nc->recs);
	free(nc);
}
