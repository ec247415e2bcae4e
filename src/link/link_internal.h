/* The link's state, shared by its three files: link.c (life, handshake,
 * layers' events, timer), link_out.c (staged output) and link_in.c (the
 * TLS stream cut into packets and frames). Not for the link's users. */
#ifndef SSTPC_LINK_LINK_INTERNAL_H
#define SSTPC_LINK_LINK_INTERNAL_H

#include "core/loop.h"
#include "link/link.h"

/* Plaintext staged for one wolfSSL_write: at least one full 16 KiB TLS
 * record plus room for one more maximal SSTP packet. */
#define LINK_OUT_CAP (64 * 1024)
#define LINK_RECORD (16 * 1024)
#define LINK_IN_CAP (64 * 1024)
/* TLS reads per readiness event before the other direction gets a turn. */
#define LINK_READ_BUDGET 64

struct link {
	struct loop *loop;
	const struct link_ops *ops;
	void *ctx;
	struct link_config cfg;
	struct loop_timer timer;

	int fd;
	unsigned sock_events;
	struct tls *tls;
	struct sstp *sstp;
	struct ppp *ppp;
	bool handshaking;
	bool closed; /* nothing more but the last flush: the owner frees us */
	bool silent; /* fault silent */
	bool ending; /* SSTP said CLOSING: no more data */
	bool ipcp_up, ipv6cp_up;
	bool read_again; /* the read budget ran out with records inside wolfSSL */

	uint8_t *out;
	size_t out_start; /* the first byte not yet written (link_out.c) */
	size_t out_len;
	size_t out_inflight; /* length of the write wolfSSL asked to see again */
	bool write_blocked;
	uint64_t pack_at; /* fault pack: when held output goes out */

	uint8_t *in; /* LINK_IN_HEADROOM bytes into in_alloc */
	uint8_t *in_alloc;
	size_t in_len;

	uint64_t last_rx;
	uint64_t drops;
};

void link_sock_want(struct link *l, unsigned events);
/* link_out.c: writes what is staged; with whole_records only full TLS
 * records, keeping the tail for the next write. */
void link_flush_staged(struct link *l, bool whole_records);
/* Closing: what SSTP staged on its way out (a CALL_ABORT, a
 * CALL_DISCONNECT_ACK) still goes to the peer; one try, no waiting. */
void link_flush_final(struct link *l);
/* SSTP's output (sstp_ops.send). */
void link_sstp_send(void *ctx, const uint8_t *buf, size_t len);
/* link_in.c */
void link_read_stream(struct link *l);
void link_sstp_frame(void *ctx, const uint8_t *frame, size_t len);
void link_ppp_output(void *ctx, const uint8_t *frame, size_t len);

#endif
