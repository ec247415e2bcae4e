/* What tlsbench's files share: the clock, the fatal error, the handshake
 * and close, the bidirectional stream (bidir.c) and the tunnel (tunnel.c). */
#ifndef SSTPC_TOOLS_TLSBENCH_H
#define SSTPC_TOOLS_TLSBENCH_H

#include "tls/tls.h"

#include <stddef.h>
#include <stdint.h>

#define TLSBENCH_IO_TIMEOUT_MS 15000

/* CLOCK_MONOTONIC in seconds. */
double tlsbench_now(void);
/* Prints what failed (and the TLS reason when t is set) and exits 1. */
_Noreturn void tlsbench_die(const char *what, struct tls *t);
/* Drives the handshake to its end; dies on failure or a 15 s stall. */
void tlsbench_handshake(struct tls *t);
/* Best effort: our close_notify out before the fd goes; frees t. */
void tlsbench_close(struct tls *t);

struct tlsbench_bidir_count {
	uint64_t sent, received;
};
/* Sends CHUNK-byte writes for SECONDS while reading everything the peer
 * sends, both in one poll loop; then sends close_notify and reads until
 * the peer's. out gets the plaintext bytes each way. */
void tlsbench_bidir(struct tls *t, double seconds, size_t chunk, struct tlsbench_bidir_count *out);

/* The TUN for the tunnel modes, with offloads (dies without them). */
int tlsbench_tun_open(const char *name);
/* Relays the TUN's packets through t, as they are read, until the stream
 * ends (tunnel.c). */
void tlsbench_tunnel(struct tls *t, int tun);

#endif
