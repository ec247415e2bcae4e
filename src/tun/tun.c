#include "tun/tun.h"

#include "tun/gso.h"
#include "tun/nl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* IFF_VNET_HDR with checksum and TCP segmentation offload: the kernel
 * hands us TCP super-packets of up to 64 KiB (one read instead of ~45) and
 * leaves checksums for us to finish. UDP segmentation (USO) stays off: the
 * kernel segments UDP itself. */
static bool tun_enable_offload(int fd)
{
	int sz = GSO_VNET_HDR_LEN;
	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0)
		return false;
	unsigned long off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
	return ioctl(fd, TUNSETOFFLOAD, off) == 0;
}

int tun_open(const char *name, int *ifindex, char *err, size_t errlen)
{
	return tun_open_offload(name, false, ifindex, NULL, err, errlen);
}

int tun_open_offload(const char *name, bool offload, int *ifindex, bool *vnet, char *err,
		     size_t errlen)
{
	if (vnet)
		*vnet = false;

	if (!name || !*name || strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "bad interface name");
		return -EINVAL;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(e));
		return -e;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		snprintf(err, errlen, "TUNSETIFF %s: %s", name, strerror(e));
		close(fd);
		return -e;
	}
	if (offload) {
		if (tun_enable_offload(fd)) {
			if (vnet)
				*vnet = true;
		} else {
			/* An old kernel: the plain per-packet path, on a fresh fd
			 * without IFF_VNET_HDR (the flag cannot be dropped later). */
			close(fd);
			return tun_open_offload(name, false, ifindex, vnet, err, errlen);
		}
	}
	int idx = nl_link_index(name);
	if (idx < 0) {
		snprintf(err, errlen, "%s: no ifindex: %s", name, strerror(-idx));
		close(fd);
		return idx;
	}
	/* The tunnel's link-local comes from IPV6CP; a kernel-made one (from a
	 * random or EUI-64 id) would be a second, unnegotiated source address. */
	int r = nl_link_set_addr_gen_mode(idx, IN6_ADDR_GEN_MODE_NONE);
	if (r < 0 && r != -EAFNOSUPPORT && r != -EOPNOTSUPP) {
		snprintf(err, errlen, "%s: addr_gen_mode none: %s", name, strerror(-r));
		close(fd);
		return r;
	}
	*ifindex = idx;
	return fd;
}

int tun_delete(const char *name)
{
	int idx = nl_link_index(name);
	if (idx < 0)
		return idx;
	uint8_t buf[64];
	struct nlmsg m;
	nl_enc_link_start(&m, buf, sizeof(buf), RTM_DELLINK, 0, idx);
	size_t len = nlm_end(&m);
	return len ? nl_talk(buf, len, NULL, NULL) : -EMSGSIZE;
}
