#include "session/show.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#define IFF_DORMANT 0x20000
#define IFF_ECHO 0x40000
#endif

/* ---- `ip addr show`: iproute2's names and order ---- */

static void show_link_flags(FILE *o, unsigned flags)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {IFF_LOOPBACK, "LOOPBACK"},
	    {IFF_BROADCAST, "BROADCAST"},
	    {IFF_POINTOPOINT, "POINTOPOINT"},
	    {IFF_MULTICAST, "MULTICAST"},
	    {IFF_NOARP, "NOARP"},
	    {IFF_ALLMULTI, "ALLMULTI"},
	    {IFF_PROMISC, "PROMISC"},
	    {IFF_NOTRAILERS, "NOTRAILERS"},
	    {IFF_DEBUG, "DEBUG"},
	    {IFF_DYNAMIC, "DYNAMIC"},
	    {IFF_AUTOMEDIA, "AUTOMEDIA"},
	    {IFF_PORTSEL, "PORTSEL"},
	    {IFF_MASTER, "MASTER"},
	    {IFF_SLAVE, "SLAVE"},
	    {IFF_UP, "UP"},
	    {IFF_LOWER_UP, "LOWER_UP"},
	    {IFF_DORMANT, "DORMANT"},
	    {IFF_ECHO, "ECHO"},
	};
	fputc('<', o);
	/* An interface up without carrier is named first, as ip does. */
	if ((flags & IFF_UP) && !(flags & IFF_RUNNING))
		fprintf(o, "NO-CARRIER%s", flags ? "," : "");
	flags &= ~(unsigned)IFF_RUNNING;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		flags &= ~names[i].bit;
		fprintf(o, "%s%s", names[i].name, flags ? "," : "");
	}
	if (flags)
		fprintf(o, "%x", flags);
	fputs("> ", o);
}

static const char *show_operstate(int st)
{
	static const char *const names[] = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
					    "TESTING", "DORMANT",    "UP"};
	return st >= 0 && (size_t)st < sizeof(names) / sizeof(names[0]) ? names[st] : NULL;
}

static void show_header(FILE *o, const struct nl_link_info *l, const char *master)
{
	fprintf(o, "%s: ", l->name);
	show_link_flags(o, l->flags);
	fprintf(o, "mtu %u ", l->mtu);
	if (l->qdisc[0])
		fprintf(o, "qdisc %s ", l->qdisc);
	if (master && master[0])
		fprintf(o, "master %s ", master);
	const char *st = show_operstate(l->operstate);
	if (st)
		fprintf(o, "state %s ", st);
	else if (l->operstate >= 0)
		fprintf(o, "state %#x ", (unsigned)l->operstate);
	if (l->group == 0)
		fputs("group default ", o);
	else
		fprintf(o, "group %u ", l->group);
	fprintf(o, "qlen %u\n", l->txqlen);
	/* A TUN has no link-layer address: ARPHRD_NONE prints as "none". */
	if (l->type == 0xfffe)
		fputs("    link/none \n", o);
	else
		fprintf(o, "    link/[%u] \n", l->type); /* not a device sstpc makes */
}

static const char *show_scope(unsigned scope, char *buf, size_t cap)
{
	switch (scope) {
	case 0:
		return "global";
	case 200:
		return "site";
	case 253:
		return "link";
	case 254:
		return "host";
	case 255:
		return "nowhere";
	default:
		snprintf(buf, cap, "%u", scope);
		return buf;
	}
}

static void show_addr_flags(FILE *o, const struct nl_show_addr *a)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {{IFA_F_SECONDARY, "secondary"},
		     {IFA_F_NODAD, "nodad"},
		     {IFA_F_OPTIMISTIC, "optimistic"},
		     {IFA_F_DADFAILED, "dadfailed"},
		     {IFA_F_HOMEADDRESS, "home"},
		     {IFA_F_DEPRECATED, "deprecated"},
		     {IFA_F_TENTATIVE, "tentative"},
		     {IFA_F_PERMANENT, "permanent"},
		     {0x100, "mngtmpaddr"},
		     {0x200, "noprefixroute"},
		     {0x400, "autojoin"},
		     {0x800, "stable-privacy"}};
	uint32_t flags = a->flags;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint32_t bit = names[i].bit;
		if (bit == IFA_F_PERMANENT) {
			if (!(flags & bit))
				fputs("dynamic ", o); /* ip names the absence */
		} else if (flags & bit) {
			fprintf(o, "%s ",
				bit == IFA_F_SECONDARY && a->family == AF_INET6 ? "temporary"
										: names[i].name);
		}
		flags &= ~bit;
	}
	if (flags)
		fprintf(o, "flags %02x ", flags);
}

static void show_lifetime(FILE *o, const char *what, uint32_t v, const char *after)
{
	if (v == 0xffffffffu)
		fprintf(o, "%s forever%s", what, after);
	else
		fprintf(o, "%s %usec%s", what, v, after);
}

static void show_addr(FILE *o, const struct nl_show_addr *a)
{
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN], sc[16];
	int fam = a->family;
	fprintf(o, "    %s ", fam == AF_INET ? "inet" : "inet6");
	if (a->has_local) {
		fputs(inet_ntop(fam, a->local, b1, sizeof(b1)) ? b1 : "?", o);
		if (a->has_address && memcmp(a->address, a->local, fam == AF_INET ? 4 : 16) != 0)
			fprintf(o, " peer %s",
				inet_ntop(fam, a->address, b2, sizeof(b2)) ? b2 : "?");
	} else {
		fputs(inet_ntop(fam, a->address, b1, sizeof(b1)) ? b1 : "?", o);
	}
	fprintf(o, "/%u ", a->prefixlen);
	if (a->has_broadcast)
		fprintf(o, "brd %s ", inet_ntop(fam, a->broadcast, b2, sizeof(b2)) ? b2 : "?");
	fprintf(o, "scope %s ", show_scope(a->scope, sc, sizeof(sc)));
	show_addr_flags(o, a);
	fputs(a->label, o);
	if (a->has_cacheinfo) {
		fputs("\n       ", o);
		show_lifetime(o, "valid_lft", a->valid, " ");
		show_lifetime(o, "preferred_lft", a->preferred, "");
	}
	fputc('\n', o);
}

void show_ip_addr(FILE *o, const struct nl_link_info *l, const char *master,
		  const struct nl_show_addr *a, int n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return;
	show_header(m, l, master);
	for (int i = 0; i < n; i++)
		show_addr(m, &a[i]);
	fclose(m);
	/* VyOS prints the command's output stripped. */
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	fwrite(text, 1, len, o);
	fputc('\n', o);
	free(text);
}

/* ---- VyOS's own parts ---- */

void show_vyos_detail_tail(FILE *o, const char *description, const struct nl_link_stats *st)
{
	if (description && description[0])
		fprintf(o, "    Description: %s\n", description);
	char cell[4][7][24];
	static const char *const head[2][7] = {
	    {"RX:", "bytes", "packets", "errors", "dropped", "overrun", "mcast"},
	    {"TX:", "bytes", "packets", "errors", "dropped", "carrier", "collisions"}};
	const uint64_t v[2][6] = {{st->rx_bytes, st->rx_packets, st->rx_errors, st->rx_dropped,
				   st->rx_over_errors, st->multicast},
				  {st->tx_bytes, st->tx_packets, st->tx_errors, st->tx_dropped,
				   st->tx_carrier_errors, st->collisions}};
	size_t width[7] = {0};
	for (int d = 0; d < 2; d++) {
		snprintf(cell[2 * d][0], sizeof(cell[0][0]), "%s", head[d][0]);
		cell[2 * d + 1][0][0] = 0;
		for (int c = 1; c < 7; c++) {
			snprintf(cell[2 * d][c], sizeof(cell[0][0]), "%s", head[d][c]);
			snprintf(cell[2 * d + 1][c], sizeof(cell[0][0]), "%llu",
				 (unsigned long long)v[d][c - 1]);
		}
	}
	for (int r = 0; r < 4; r++)
		for (int c = 0; c < 7; c++)
			if (strlen(cell[r][c]) > width[c])
				width[c] = strlen(cell[r][c]);
	fputc('\n', o);
	for (int r = 0; r < 4; r++) {
		fputs("    ", o);
		for (int c = 0; c < 7; c++)
			fprintf(o, "%s%*s", c ? "  " : "", (int)width[c], cell[r][c]);
		fputc('\n', o);
	}
}

void show_pppstats(FILE *o, const struct nl_link_stats *st)
{
	/* No VJ header compression here: those columns are 0 and every
	 * packet out is NON-VJ. */
	fprintf(o, "%8.8s %6.6s %6.6s %6.6s %6.6s", "IN", "PACK", "VJCOMP", "VJUNC", "VJERR");
	fprintf(o, "  | %8.8s %6.6s %6.6s %6.6s %6.6s\n", "OUT", "PACK", "VJCOMP", "VJUNC",
		"NON-VJ");
	fprintf(o, "%8llu %6llu %6u %6u %6u", (unsigned long long)st->rx_bytes,
		(unsigned long long)st->rx_packets, 0u, 0u, 0u);
	fprintf(o, "  | %8llu %6llu %6u %6u %6llu\n", (unsigned long long)st->tx_bytes,
		(unsigned long long)st->tx_packets, 0u, 0u, (unsigned long long)st->tx_packets);
}

#define SUMMARY_FMT "%-16s %-33s %-4s %s\n"

void show_summary_header(FILE *o)
{
	fputs("Codes: S - State, L - Link, u - Up, D - Down, A - Admin Down\n", o);
	fprintf(o, SUMMARY_FMT, "Interface", "IP Address", "S/L", "Description");
	fprintf(o, SUMMARY_FMT, "---------", "----------", "---", "-----------");
}

/* VyOS's _split_text: words joined while the line (with its leading
 * blank) plus the next word stays under the width. */
static int show_split(const char *text, unsigned columns, char (*lines)[520], int max)
{
	char line[520] = "";
	int n = 0;
	const char *p = text;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t wl = strcspn(p, " \t");
		size_t ll = strlen(line);
		if (ll + wl < columns || ll == 0) {
			snprintf(line + ll, sizeof(line) - ll, " %.*s", (int)wl, p);
		} else {
			if (n < max)
				snprintf(lines[n++], 520, "%s", line + 1);
			snprintf(line, sizeof(line), " %.*s", (int)wl, p);
		}
		p += wl;
	}
	if (n < max)
		snprintf(lines[n++], 520, "%s", line[0] ? line + 1 : "");
	return n;
}

void show_summary_row(FILE *o, const char *ifname, bool admin_up, bool oper_up,
		      const char *const *addrs, int naddrs, const char *description,
		      unsigned columns)
{
	char desc[16][520];
	int nd = show_split(description ? description : "", columns, desc, 16);
	char sl[4];
	snprintf(sl, sizeof(sl), "%c/%c", admin_up ? 'u' : 'A', oper_up ? 'u' : 'D');
	int na = naddrs > 0 ? naddrs : 1;
	for (int i = 0; i < na || i < nd; i++) {
		const char *a = i < na ? (naddrs > 0 ? addrs[i] : "-") : "";
		const char *d = i < nd ? desc[i] : "";
		const char *name = i == 0 ? ifname : "";
		const char *s = i == 0 ? sl : "";
		if (strlen(a) < 33) {
			fprintf(o, SUMMARY_FMT, name, a, s, d);
		} else {
			fprintf(o, "%-16s %s\n", name, a);
			fprintf(o, SUMMARY_FMT, "", "", s, d);
		}
	}
}

int show_summary_addrs(const struct nl_show_addr *a, int n, char (*out)[64], int max)
{
	int k = 0;
	for (int fam = 0; fam < 2; fam++)
		for (int i = 0; i < n && k < max; i++) {
			int want = fam == 0 ? AF_INET : AF_INET6;
			if (a[i].family != want)
				continue;
			const uint8_t *ip = a[i].has_local ? a[i].local : a[i].address;
			if (want == AF_INET6 && ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80)
				continue;
			char b[INET6_ADDRSTRLEN];
			if (!inet_ntop(want, ip, b, sizeof(b)))
				continue;
			snprintf(out[k++], 64, "%s/%u", b, a[i].prefixlen);
		}
	return k;
}
