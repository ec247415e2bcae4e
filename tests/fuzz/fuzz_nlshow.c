/* The rtnetlink parsers behind `show` (RTM_NEWLINK, RTM_NEWADDR) over
 * arbitrary bytes: never read past the input, and what they accept is
 * consistent (a link has an index; an address has a family and bytes). */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "tun/nl_show.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl_link_info l;
	if (nl_parse_link(data, size, &l) && l.ifindex <= 0)
		__builtin_trap();
	if (strnlen(l.name, sizeof(l.name)) == sizeof(l.name) ||
	    strnlen(l.qdisc, sizeof(l.qdisc)) == sizeof(l.qdisc) ||
	    strnlen(l.alias, sizeof(l.alias)) == sizeof(l.alias))
		__builtin_trap(); /* every string is terminated */
	struct nl_show_addr a;
	int idx = 0;
	if (nl_show_parse_addr(data, size, &idx, &a)) {
		if (a.family != AF_INET && a.family != AF_INET6)
			__builtin_trap();
		if (!a.has_address && !a.has_local)
			__builtin_trap();
	}
	if (strnlen(a.label, sizeof(a.label)) == sizeof(a.label))
		__builtin_trap();
	return 0;
}
