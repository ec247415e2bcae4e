/* sstpd's RADIUS client: see radius_relay.h. */
#include "radius_relay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/random.h"
#include "core/secret.h"
#include "ppp/radius.h"

#define RELAY_RETRY_MS 1000
#define RELAY_TRIES 3

struct radius_relay {
	struct loop *loop;
	const struct sstpd_opts *o;
	unsigned conn_id;
	relay_done_cb done;
	void *ctx;
	int fd;
	struct loop_timer timer;
	uint8_t next_id;
	struct radius_request rq;
	uint8_t pkt[RADIUS_MAX];
	size_t pkt_len;
	unsigned tries;
	bool waiting;
	char error[160]; /* a failure to report from the timer */
	char user[SSTPD_NAME_MAX];
	uint8_t state[RADIUS_STATE_MAX];
	size_t state_len;
	struct radius_reply reply;
};

static void relay_finish(struct radius_relay *r, enum ppp_relay_result res, const uint8_t *eap,
			 size_t len, const uint8_t *hlak, const char *reason)
{
	r->waiting = false;
	loop_timer_cancel(r->loop, &r->timer);
	r->done(r->ctx, res, eap, len, hlak, reason);
}

static void relay_transmit(struct radius_relay *r)
{
	r->tries++;
	if (send(r->fd, r->pkt, r->pkt_len, 0) < 0 && errno != EAGAIN)
		log_warn("#%u RADIUS: send: %s", r->conn_id, strerror(errno));
	loop_timer_set(r->loop, &r->timer, loop_now(r->loop) + RELAY_RETRY_MS);
}

static void on_relay_timer(void *arg, uint64_t now)
{
	struct radius_relay *r = arg;
	(void)now;
	if (!r->waiting)
		return;
	if (r->error[0]) {
		relay_finish(r, PPP_RELAY_ERROR, NULL, 0, NULL, r->error);
		return;
	}
	if (r->tries < RELAY_TRIES) {
		relay_transmit(r);
		return;
	}
	char why[160];
	snprintf(why, sizeof(why), "RADIUS server did not answer (%u tries, %u ms apart)",
		 RELAY_TRIES, RELAY_RETRY_MS);
	log_notice("#%u %s", r->conn_id, why);
	relay_finish(r, PPP_RELAY_ERROR, NULL, 0, NULL, why);
}

static void relay_reply(struct radius_relay *r, const uint8_t *buf, size_t n)
{
	char err[160];
	struct radius_reply *rep = &r->reply;
	if (!radius_parse_reply(buf, n, &r->rq, r->o->radius_secret, rep, err, sizeof(err))) {
		log_notice("#%u %s: dropped", r->conn_id,
			   err); /* a retransmission may still come */
		return;
	}
	if (r->o->faults & FAULT_RADIUS_DROP) {
		log_notice("#%u fault radius-drop: reply ignored", r->conn_id);
		return;
	}
	memcpy(r->state, rep->state, rep->state_len);
	r->state_len = rep->state_len;
	if (rep->code == RADIUS_ACCESS_CHALLENGE) {
		relay_finish(r, PPP_RELAY_CHALLENGE, rep->eap, rep->eap_len, NULL, NULL);
	} else if (rep->code == RADIUS_ACCESS_REJECT) {
		log_notice("#%u RADIUS Access-Reject for '%s'", r->conn_id, r->user);
		relay_finish(r, PPP_RELAY_REJECT, rep->eap, rep->eap_len, NULL, NULL);
	} else if (!rep->recv_key_len) {
		relay_finish(r, PPP_RELAY_ERROR, NULL, 0, NULL,
			     "RADIUS Access-Accept without MS-MPPE keys");
	} else {
		uint8_t hlak[32];
		radius_hlak(rep, hlak);
		if (r->o->faults & FAULT_RADIUS_BAD_KEYS) {
			hlak[0] ^= 1;
			log_notice("#%u fault radius-bad-keys: HLAK altered", r->conn_id);
		}
		log_notice(
		    "#%u RADIUS Access-Accept for '%s' with MS-MPPE-Recv/Send-Key of %zu/%zu bytes",
		    r->conn_id, r->user, rep->recv_key_len, rep->send_key_len);
		relay_finish(r, PPP_RELAY_ACCEPT, rep->eap, rep->eap_len, hlak, NULL);
		secure_wipe(hlak, sizeof(hlak));
	}
	secure_wipe(rep->send_key, sizeof(rep->send_key));
	secure_wipe(rep->recv_key, sizeof(rep->recv_key));
}

static void on_relay_sock(void *arg, int fd, unsigned events)
{
	struct radius_relay *r = arg;
	(void)events;
	uint8_t buf[RADIUS_MAX];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == ECONNREFUSED)
				log_notice(
				    "#%u RADIUS: connection refused (no server on that port)",
				    r->conn_id);
			return;
		}
		if (r->waiting)
			relay_reply(r, buf, (size_t)n);
	}
}

struct radius_relay *relay_new(struct loop *l, const struct sstpd_opts *o, unsigned conn_id,
			       relay_done_cb done, void *ctx)
{
	struct radius_relay *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->loop = l;
	r->o = o;
	r->conn_id = conn_id;
	r->done = done;
	r->ctx = ctx;
	loop_timer_init(&r->timer, on_relay_timer, r);
	r->fd = socket(o->radius.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0 || connect(r->fd, (const struct sockaddr *)&o->radius, o->radius_len) < 0 ||
	    loop_add_fd(l, r->fd, LOOP_READ, on_relay_sock, r) < 0) {
		log_err("#%u RADIUS socket: %s", conn_id, strerror(errno));
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		return NULL;
	}
	random_bytes(&r->next_id, 1);
	return r;
}

void relay_send(struct radius_relay *r, const uint8_t *eap, size_t len, const char *user)
{
	snprintf(r->user, sizeof(r->user), "%s", user);
	r->rq = (struct radius_request){.id = r->next_id++,
					.user = r->user,
					.eap = eap,
					.eap_len = len,
					.state = r->state,
					.state_len = r->state_len,
					.nas_id = "sstpd"};
	r->waiting = true;
	r->tries = 0;
	r->error[0] = 0;
	random_bytes(r->rq.authenticator, 16);
	r->pkt_len = radius_access_request(&r->rq, r->o->radius_secret, r->pkt, sizeof(r->pkt));
	if (!r->pkt_len)
		snprintf(r->error, sizeof(r->error),
			 "RADIUS: the EAP packet does not fit a request");
	r->rq.eap = NULL; /* the packet holds it now */
	r->rq.eap_len = 0;
	if (r->error[0]) {
		loop_timer_set(r->loop, &r->timer, loop_now(r->loop)); /* report from the loop */
		return;
	}
	relay_transmit(r);
}

void relay_free(struct radius_relay *r)
{
	if (!r)
		return;
	loop_timer_cancel(r->loop, &r->timer);
	loop_del_fd(r->loop, r->fd);
	close(r->fd);
	secure_wipe(r->pkt, sizeof(r->pkt));
	free(r);
}
