/* One SSTP connection, for both programs: the TLS handshake on a connected
 * socket, the SSTP and PPP machines, the staged output with back-pressure,
 * the TLS stream cut into SSTP packets and PPP frames (IP frames to the
 * owner's fast path, control frames to PPP), the minimum of the layers'
 * deadlines on one timer, and the teardown. sstpc's session and sstpd's
 * connections each own one per connection: created on connect, freed on
 * teardown, so nothing of a connection outlives it.
 *
 * The owner decides policy (what to configure, what to log, when to give
 * up); the link does the mechanics. Callbacks never tear the link down:
 * each event the link handles ends with ops->wake, from which the owner
 * calls link_after() and frees the link when that says it is closed. */
#ifndef SSTPC_LINK_LINK_H
#define SSTPC_LINK_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp/ppp.h"
#include "sstp/sstp.h"

struct loop;
struct tls;
struct link;

/* SSTP data header + FF 03 + 2-byte protocol in front of every IP packet. */
#define LINK_DATA_HDR (SSTP_HDR_LEN + PPP_HDR_LEN)
/* The largest IP packet one SSTP data packet carries. */
#define LINK_MAX_IP (SSTP_MAX_PPP - PPP_HDR_LEN)
/* Writable bytes in front of every IP packet handed to ops->data: the
 * TUN's virtio header goes there (the packet's own SSTP/PPP header and
 * the tail of the packet before are done with). */
#define LINK_IN_HEADROOM 16

struct link_ops {
	/* An IP packet of a negotiated protocol whose version nibble matches
	 * it. pkt may be rewritten in place, and so may the
	 * LINK_IN_HEADROOM bytes in front of it. */
	void (*data)(void *ctx, uint8_t *pkt, size_t len);
	/* After each batch of TLS reads: the delivery boundary (where
	 * coalescing of what ops->data got would end). May be NULL. */
	void (*rx_batch_end)(void *ctx);
	/* The TLS handshake is done: the owner calls link_start(). */
	void (*established)(void *ctx);
	/* The layers' events, after the link has done its part (the link
	 * starts PPP on SSTP_EV_PPP_START and follows the NCPs' state). */
	void (*sstp_event)(void *ctx, enum sstp_event ev, const void *arg);
	void (*ppp_event)(void *ctx, enum ppp_event ev, const void *arg);
	/* Server role: the user's password (ppp_ops.secret). May be NULL. */
	bool (*ppp_secret)(void *ctx, const char *user, char *pw, size_t pwlen);
	/* The connection failed or SSTP closed: why, once per cause (the
	 * owner keeps the first). */
	void (*failed)(void *ctx, const char *why);
	/* Output blocked in TLS (true) or flowing again (false): back-pressure
	 * for whatever feeds link_data_buf. May be NULL. */
	void (*blocked)(void *ctx, bool blocked);
	/* After every event the link handled itself (socket, timer). */
	void (*wake)(void *ctx);
	/* Test-server hooks, NULL in the client: a PPP control frame from the
	 * peer (true: drop it), one to the peer (may point *frame at a
	 * rewritten copy in buf), and every SSTP packet as staged. */
	bool (*ctrl_in)(void *ctx, const uint8_t *frame, size_t len);
	void (*ctrl_out)(void *ctx, const uint8_t **frame, size_t *len, uint8_t *buf, size_t cap);
	void (*staged)(void *ctx, uint8_t *pkt, size_t len);
};

struct link_config {
	const char *peer_word; /* "server" or "client", for messages */
	const char *peer_name; /* named in a failed handshake; may be NULL */
	/* Test-server faults (docs/test-server.md): write one byte per TLS
	 * write; hold output pack_ms so that what follows joins it. */
	bool dribble;
	unsigned pack_ms;
};

/* Takes the socket (connected) and the TLS object on it (handshake not
 * done); both are freed by link_free, also when this fails (NULL). */
struct link *link_new(struct loop *loop, int fd, struct tls *tls, const struct link_config *cfg,
		      const struct link_ops *ops, void *ctx);
/* Shuts TLS down (close_notify) if it was established and frees all. */
void link_free(struct link *l);

/* From ops->established: creates the machines (their ops are the link's)
 * and starts SSTP. False (the link failed) when out of memory. */
bool link_start(struct link *l, const struct sstp_config *sc, const struct ppp_config *pc);

/* Flushes output and re-arms the link's timer; true when the link is
 * closed (what SSTP staged last has had its one try): free it now. */
bool link_after(struct link *l);

/* Records why (through ops->failed) and closes: nothing more is read or
 * written but that one last flush. */
void link_fail(struct link *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The data path out: room for an IP packet of up to max bytes (whole TLS
 * records are written to make it), NULL when TLS cannot take more or the
 * call is ending; link_data_commit frames the len bytes written there. */
uint8_t *link_data_buf(struct link *l, size_t max);
void link_data_commit(struct link *l, uint16_t proto, size_t len);
/* The PPP protocol an IP packet of this version goes as: PPP_PROTO_IP or
 * _IPV6 when that NCP is up, else 0. */
uint16_t link_ip_proto(const struct link *l, unsigned version);
/* Writes everything staged now (a held pack included). */
void link_flush(struct link *l);
/* Raw bytes onto the stream (the test server's malformed packets). */
void link_stage(struct link *l, const uint8_t *buf, size_t len);
/* Fault silent: what is staged goes out, then nothing more is sent,
 * everything read is discarded and the layers' timers stop. */
void link_go_silent(struct link *l);

struct sstp *link_sstp(const struct link *l);
struct ppp *link_ppp(const struct link *l);
struct tls *link_tls(const struct link *l);
bool link_handshaking(const struct link *l);
bool link_closed(const struct link *l);
bool link_blocked(const struct link *l);
bool link_silent(const struct link *l);
/* SSTP is ending the call (disconnect or abort): no more data. */
bool link_ending(const struct link *l);
/* When the peer last sent anything (ms). */
uint64_t link_last_rx(const struct link *l);
/* Frames the link dropped (malformed, or of a protocol not up). */
uint64_t link_drops(const struct link *l);

#endif
