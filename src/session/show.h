/* The text of `show interfaces sstpc ...` in VyOS's layout (vyos-1x
 * src/op_mode/interfaces.py and op-mode-definitions/show-interfaces-sstpc):
 * the `ip addr show` block VyOS prints (iproute2's format, the "N: " index
 * cut off), the Description line, the RX/TX table as its tabulate call
 * sizes it, the summary table, and pppstats' columns for `statistics`.
 * Pure formatting: the kernel facts come in, text goes out, so the layout
 * is tested byte for byte without a tunnel. */
#ifndef SSTPC_SESSION_SHOW_H
#define SSTPC_SESSION_SHOW_H

#include <stdbool.h>
#include <stdio.h>

#include "tun/nl_show.h"

/* `ip addr show IF` without the leading index, trailing blanks of the
 * block removed (VyOS strips the command's output); master is the name of
 * the master device or "" . Ends with a newline. */
void show_ip_addr(FILE *o, const struct nl_link_info *l, const char *master,
		  const struct nl_show_addr *a, int n);
/* "    Description: X" when there is one, then an empty line and the RX/TX
 * table (VyOS's _format_stats: right-aligned columns two blanks apart,
 * each as wide as its widest cell, indented by 4). */
void show_vyos_detail_tail(FILE *o, const char *description, const struct nl_link_stats *st);
/* pppstats' one-shot layout (what VyOS runs for `statistics`). */
void show_pppstats(FILE *o, const struct nl_link_stats *st);

/* The summary table (VyOS's _format_show_summary). */
void show_summary_header(FILE *o);
/* addrs: "a.b.c.d/n" and "x::y/n" strings, link-local ones already left
 * out; columns: the terminal width used to wrap the description. */
void show_summary_row(FILE *o, const char *ifname, bool admin_up, bool oper_up,
		      const char *const *addrs, int naddrs, const char *description,
		      unsigned columns);
/* The addresses the summary lists for a link: every address but fe80::/10,
 * IPv4 first, as "addr/len". Returns how many (at most max). */
int show_summary_addrs(const struct nl_show_addr *a, int n, char (*out)[64], int max);

#endif
