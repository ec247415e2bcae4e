/* The TUN device itself: created, opened (optionally with offloads) and
 * deleted. The rest of src/tun has a header per file: nl.h (link settings
 * through rtnetlink), netcfg.h (the journal of host changes), mss.h,
 * srcvalid.h, ... */
#ifndef SSTPC_TUN_TUN_H
#define SSTPC_TUN_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Creates (or attaches to) TUN `name` (IFF_TUN|IFF_NO_PI, non-blocking).
 * Returns the fd or -errno; *ifindex set. */
int tun_open(const char *name, int *ifindex, char *err, size_t errlen);
/* The same; with offload, IFF_VNET_HDR and checksum + TSO offloads (see
 * tun/gso.h): every read then starts with a virtio_net_hdr and every write
 * must too. *vnet says whether the kernel took them (false: plain packets,
 * as tun_open). */
int tun_open_offload(const char *name, bool offload, int *ifindex, bool *vnet, char *err,
		     size_t errlen);
/* Deletes the device (the fd must be closed first, or the device is
 * removed when the last fd closes; this makes it explicit). */
int tun_delete(const char *name);

#endif
