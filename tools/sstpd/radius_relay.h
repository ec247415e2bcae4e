/* sstpd as a RADIUS NAS (the way RRAS uses NPS): the client's EAP goes to
 * a RADIUS server in Access-Requests (src/ppp/radius.c builds and checks
 * them); its Challenges, Accept (with the MPPE keys that make the server
 * HLAK) or Reject come back to PPP. One UDP socket per connection,
 * retransmission, a clean failure when the server never answers. */
#ifndef SSTPD_RADIUS_RELAY_H
#define SSTPD_RADIUS_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "ppp/ppp.h"
#include "sstpd.h"

struct radius_relay;

/* The outcome of one relayed Response (see ppp_eap_relay_reply). */
typedef void (*relay_done_cb)(void *ctx, enum ppp_relay_result r, const uint8_t *eap, size_t len,
			      const uint8_t hlak[32], const char *reason);

struct radius_relay *relay_new(struct loop *l, const struct sstpd_opts *o, unsigned conn_id,
			       relay_done_cb done, void *ctx);
/* Sends the client's EAP packet; the answer comes through done later
 * (never from inside this call). */
void relay_send(struct radius_relay *r, const uint8_t *eap, size_t len, const char *user);
void relay_free(struct radius_relay *r);

#endif
