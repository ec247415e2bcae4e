/* Drives every (state, event) pair of the RFC 1661 4.1 state-transition
 * table through the automaton and checks the next state and the actions. */
#include <stdio.h>
#include <string.h>

#include "ppp/fsm.h"
#include "testutil.h"

enum ev { UP, DOWN, OPEN, CLOSE, TOP, TOM, RCRP, RCRM, RCA, RCN, RTR, RTA, RUC, RXJP, RXJM, NEV };
static const char *const ev_name[NEV] = {"Up",	"Down", "Open", "Close", "TO+",
					 "TO-", "RCR+", "RCR-", "RCA",	 "RCN",
					 "RTR", "RTA",	"RUC",	"RXJ+",	 "RXJ-"};

/* RFC 1661 4.1, columns Initial..Opened; "next:actions", NULL = cannot happen.
 * The 'r' (restart option) and 'x' (crossed connection) notes are dropped. */
static const char *const table[NEV][10] = {
    [UP] = {"2:", "6:irc,scr", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    [DOWN] = {NULL, NULL, "0:", "1:tls", "0:", "1:", "1:", "1:", "1:", "1:tld"},
    [OPEN] = {"1:tls", "1:", "6:irc,scr", "3:", "5:", "5:", "6:", "7:", "8:", "9:"},
    [CLOSE] = {"0:", "0:tlf", "2:", "2:", "4:", "4:", "4:irc,str", "4:irc,str", "4:irc,str",
	       "4:tld,irc,str"},
    [TOP] = {NULL, NULL, NULL, NULL, "4:str", "5:str", "6:scr", "6:scr", "8:scr", NULL},
    [TOM] = {NULL, NULL, NULL, NULL, "2:tlf", "3:tlf", "3:tlf", "3:tlf", "3:tlf", NULL},
    [RCRP] = {NULL, NULL, "2:sta", "8:irc,scr,sca", "4:", "5:", "8:sca", "9:sca,tlu", "8:sca",
	      "8:tld,scr,sca"},
    [RCRM] = {NULL, NULL, "2:sta", "6:irc,scr,scn", "4:", "5:", "6:scn", "7:scn", "6:scn",
	      "6:tld,scr,scn"},
    [RCA] = {NULL, NULL, "2:sta", "3:sta", "4:", "5:", "7:irc", "6:scr", "9:irc,tlu", "6:tld,scr"},
    [RCN] = {NULL, NULL, "2:sta", "3:sta", "4:", "5:", "6:irc,scr", "6:scr", "8:irc,scr",
	     "6:tld,scr"},
    [RTR] = {NULL, NULL, "2:sta", "3:sta", "4:sta", "5:sta", "6:sta", "6:sta", "6:sta",
	     "5:tld,zrc,sta"},
    [RTA] = {NULL, NULL, "2:", "3:", "2:tlf", "3:tlf", "6:", "6:", "8:", "6:tld,scr"},
    [RUC] = {NULL, NULL, "2:scj", "3:scj", "4:scj", "5:scj", "6:scj", "7:scj", "8:scj", "9:scj"},
    [RXJP] = {NULL, NULL, "2:", "3:", "4:", "5:", "6:", "6:", "8:", "9:"},
    [RXJM] = {NULL, NULL, "2:tlf", "3:tlf", "2:tlf", "3:tlf", "3:tlf", "3:tlf", "3:tlf",
	      "5:tld,irc,str"},
};

static char actions[256];
static bool peer_good;

static void act(const char *a)
{
	if (actions[0])
		strcat(actions, ",");
	strcat(actions, a);
}

static void t_send(void *ctx, uint16_t proto, const uint8_t *pkt, size_t len)
{
	ck_assert_uint_eq(proto, 0x8021);
	ck_assert_uint_ge(len, 4);
	ck_assert_uint_eq(be16_get(pkt + 2), len);
	static const char *const n[] = {"", "scr", "sca", "scn", "scn", "str", "sta", "scj"};
	ck_assert_uint_le(pkt[0], 7);
	act(n[pkt[0]]);
}

static void t_build(struct fsm *f, struct writer *w)
{
	wr_u8(w, 3);
	wr_u8(w, 6);
	wr_be32(w, 0);
}

static enum cp_answer t_req(struct fsm *f, uint8_t type, struct reader v, struct writer *want)
{
	if (peer_good)
		return CP_ACK;
	static const uint8_t addr[4] = {10, 0, 0, 1};
	wr_bytes(want, addr, 4);
	return CP_NAK;
}

static const struct cp_option t_options[] = {{3, 4, t_req, NULL, NULL}};

static void t_up(struct fsm *f, uint64_t now)
{
	act("tlu");
}
static void t_down(struct fsm *f, uint64_t now)
{
	act("tld");
}
static void t_started(struct fsm *f, uint64_t now)
{
	act("tls");
}
static void t_finished(struct fsm *f, uint64_t now)
{
	act("tlf");
}

static const struct fsm_callbacks t_cb = {
    .name = "TEST",
    .proto = 0x8021,
    .build_req = t_build,
    .options = t_options,
    .n_options = 1,
    .up = t_up,
    .down = t_down,
    .started = t_started,
    .finished = t_finished,
};

static void feed(struct fsm *f, uint8_t code, uint8_t id, const uint8_t *data, size_t n)
{
	uint8_t pkt[64];
	pkt[0] = code;
	pkt[1] = id;
	be16_put(pkt + 2, (uint16_t)(n + 4));
	if (n) /* data may be NULL for an empty packet */
		memcpy(pkt + 4, data, n);
	fsm_input(f, pkt, n + 4, 1000);
}

static void fire(struct fsm *f, enum ev e)
{
	static const uint8_t opt[] = {3, 6, 10, 0, 0, 2};
	uint8_t b;
	switch (e) {
	case UP:
		fsm_up(f, 1000);
		break;
	case DOWN:
		fsm_down(f, 1000);
		break;
	case OPEN:
		fsm_open(f, 1000);
		break;
	case CLOSE:
		fsm_close(f, "test", 1000);
		break;
	case TOP:
	case TOM:
		f->restart = e == TOP ? 1 : 0;
		f->deadline = 500;
		fsm_timeout(f, 1000);
		break;
	case RCRP:
	case RCRM:
		peer_good = e == RCRP;
		feed(f, CP_CONF_REQ, 77, opt, sizeof(opt));
		break;
	case RCA:
	case RCN:
		f->req_pending = true;
		f->id = 5;
		memcpy(f->buf, opt, sizeof(opt)); /* what "our last request" carried */
		f->req_len = sizeof(opt);
		if (e == RCA)
			feed(f, CP_CONF_ACK, 5, opt, sizeof(opt));
		else
			feed(f, CP_CONF_NAK, 5, opt, sizeof(opt));
		break;
	case RTR:
		feed(f, CP_TERM_REQ, 9, NULL, 0);
		break;
	case RTA:
		feed(f, CP_TERM_ACK, 9, NULL, 0);
		break;
	case RUC:
		feed(f, 0x40, 9, NULL, 0);
		break;
	case RXJP:
		b = 0x40;
		feed(f, CP_CODE_REJ, 9, &b, 1);
		break;
	case RXJM:
		b = CP_CONF_REQ;
		feed(f, CP_CODE_REJ, 9, &b, 1);
		break;
	default:
		break;
	}
}

START_TEST(rfc1661_state_table)
{
	int checked = 0;
	for (int e = 0; e < NEV; e++) {
		for (int s = 0; s < 10; s++) {
			const char *want = table[e][s];
			if (!want)
				continue;
			struct fsm f;
			fsm_init(&f, &t_cb, NULL, t_send, 1000, 10, 2, 5);
			f.state = (enum fsm_state)s;
			f.restart = 0;
			bool timer_states = s >= FSM_CLOSING && s <= FSM_ACK_SENT;
			f.deadline = timer_states ? 5000 : UINT64_MAX;
			actions[0] = 0;
			fire(&f, (enum ev)e);
			int next = want[0] - '0';
			/* expected actions without irc/zrc (checked through the counter) */
			char exp[128] = "";
			bool has_irc = strstr(want, "irc") != NULL, has_zrc = strstr(want, "zrc");
			char tmp[128];
			snprintf(tmp, sizeof(tmp), "%s", want + 2);
			for (char *tok = strtok(tmp, ","); tok; tok = strtok(NULL, ",")) {
				if (!strcmp(tok, "irc") || !strcmp(tok, "zrc"))
					continue;
				if (exp[0])
					strcat(exp, ",");
				strcat(exp, tok);
			}
			char msg[256];
			snprintf(msg, sizeof(msg), "%s in %s: got state %s actions '%s', want %s",
				 ev_name[e], fsm_state_name((enum fsm_state)s),
				 fsm_state_name(f.state), actions, want);
			ck_assert_msg((int)f.state == next && !strcmp(actions, exp), "%s", msg);
			if (has_irc)
				ck_assert_msg(f.restart > 0, "irc missing: %s", msg);
			else if (e != TOP)
				ck_assert_msg(f.restart == 0, "unexpected irc: %s", msg);
			else
				ck_assert_msg(f.restart == 0, "TO+ must count down: %s", msg);
			if (has_zrc)
				ck_assert_msg(f.deadline != UINT64_MAX,
					      "zrc must run the timer: %s", msg);
			/* the timer runs exactly in the states that wait for something */
			bool waiting = f.state >= FSM_CLOSING && f.state <= FSM_ACK_SENT &&
				       f.state != FSM_ACK_RCVD;
			if (waiting && strstr(actions, "s") &&
			    (strstr(actions, "scr") || strstr(actions, "str")))
				ck_assert_msg(f.deadline != UINT64_MAX, "timer off: %s", msg);
			if (f.state <= FSM_STOPPED || f.state == FSM_OPENED)
				ck_assert_msg(f.deadline == UINT64_MAX, "timer left on: %s", msg);
			checked++;
		}
	}
	ck_assert_int_ge(checked, 110);
}
END_TEST

START_TEST(max_failure_turns_naks_into_rejects)
{
	struct fsm f;
	fsm_init(&f, &t_cb, NULL, t_send, 1000, 10, 2, 3);
	fsm_open(&f, 0);
	fsm_up(&f, 0);
	static const uint8_t opt[] = {3, 6, 10, 0, 0, 2};
	for (int i = 0; i < 3; i++) {
		actions[0] = 0;
		peer_good = false;
		feed(&f, CP_CONF_REQ, (uint8_t)i, opt, sizeof(opt));
		ck_assert_str_eq(actions, "scn");
		ck_assert_uint_eq(f.failures, (uint32_t)i + 1);
	}
	/* the 4th Nak would exceed Max-Failure: it becomes a Configure-Reject (still "scn") */
	actions[0] = 0;
	feed(&f, CP_CONF_REQ, 4, opt, sizeof(opt));
	ck_assert_str_eq(actions, "scn");
	ck_assert_uint_eq(f.failures, 3);
}
END_TEST

START_TEST(max_configure_then_finished)
{
	struct fsm f;
	fsm_init(&f, &t_cb, NULL, t_send, 1000, 3, 2, 5);
	fsm_open(&f, 0);
	actions[0] = 0;
	fsm_up(&f, 0);
	uint64_t now = 0;
	for (int i = 0; i < 5 && f.state == FSM_REQ_SENT; i++) {
		now = f.deadline;
		fsm_timeout(&f, now);
	}
	ck_assert_str_eq(actions, "scr,scr,scr,tlf");
	ck_assert_int_eq(f.state, FSM_STOPPED);
	ck_assert_ptr_nonnull(strstr(f.reason, "Max-Configure"));
	/* early calls do nothing */
	fsm_init(&f, &t_cb, NULL, t_send, 1000, 3, 2, 5);
	fsm_open(&f, 0);
	fsm_up(&f, 0);
	actions[0] = 0;
	fsm_timeout(&f, 999);
	ck_assert_str_eq(actions, "");
	fsm_timeout(&f, 1000);
	ck_assert_str_eq(actions, "scr");
}
END_TEST

START_TEST(malformed_packets_dropped)
{
	struct fsm f;
	fsm_init(&f, &t_cb, NULL, t_send, 1000, 3, 2, 5);
	fsm_open(&f, 0);
	fsm_up(&f, 0);
	actions[0] = 0;
	uint8_t bad1[] = {1, 1, 0, 3};		/* length below header */
	uint8_t bad2[] = {1, 1, 0, 9, 3, 6, 0}; /* length beyond frame */
	uint8_t bad3[] = {1, 1, 0, 6, 3, 1};	/* option length 1 */
	uint8_t bad4[] = {1, 1, 0, 7, 3, 6, 0}; /* option overruns */
	fsm_input(&f, bad1, sizeof(bad1), 1);
	fsm_input(&f, bad2, sizeof(bad2), 1);
	fsm_input(&f, bad3, sizeof(bad3), 1);
	fsm_input(&f, bad4, sizeof(bad4), 1);
	fsm_input(&f, bad4, 2, 1);
	ck_assert_str_eq(actions, "");
	ck_assert_int_eq(f.state, FSM_REQ_SENT);
	/* a reply with the wrong id is ignored */
	uint8_t ack[] = {2, 99, 0, 10, 3, 6, 0, 0, 0, 0}; /* t_build's options */
	fsm_input(&f, ack, sizeof(ack), 1);
	ck_assert_int_eq(f.state, FSM_REQ_SENT);
	ack[1] = f.id;
	fsm_input(&f, ack, sizeof(ack), 1);
	ck_assert_int_eq(f.state, FSM_ACK_RCVD);
	/* a second Ack for the same request is stale */
	fsm_input(&f, ack, sizeof(ack), 1);
	ck_assert_int_eq(f.state, FSM_ACK_RCVD);
}
END_TEST

static int discards_seen;
static char discard_why[128];
static void t_discarded(void *ctx, const struct fsm *f, uint8_t code, uint8_t id, const char *why)
{
	discards_seen++;
	snprintf(discard_why, sizeof(discard_why), "%s", why);
}

/* Our request carries two options, so that subsets and order mean something. */
static bool dns_rejected;
static void t_build2(struct fsm *f, struct writer *w)
{
	static const uint8_t o[] = {3, 6, 10, 0, 0, 7, 129, 6, 0, 0, 0, 0};
	wr_bytes(w, o, dns_rejected ? 6 : sizeof(o));
}

static void t_rej2(struct fsm *f, uint8_t type, struct reader v)
{
	dns_rejected = true;
}

static const struct cp_option t_options2[] = {
    {3, 4, t_req, NULL, NULL},
    {129, 4, NULL, NULL, t_rej2},
};

static const struct fsm_callbacks t_cb2 = {
    .name = "TEST2",
    .proto = 0x8021,
    .build_req = t_build2,
    .options = t_options2,
    .n_options = 2,
    .up = t_up,
    .down = t_down,
    .started = t_started,
    .finished = t_finished,
};

/* An automaton in Ack-Sent (the peer's request Acked) with our request out. */
static void ack_sent(struct fsm *f)
{
	fsm_init(f, &t_cb2, NULL, t_send, 1000, 10, 2, 5);
	f->discarded = t_discarded;
	discards_seen = 0;
	dns_rejected = false;
	fsm_open(f, 0);
	fsm_up(f, 0);
	static const uint8_t opt[] = {3, 6, 10, 0, 0, 2};
	peer_good = true;
	feed(f, CP_CONF_REQ, 40, opt, sizeof(opt));
	ck_assert_int_eq(f->state, FSM_ACK_SENT);
	actions[0] = 0;
}

START_TEST(ack_with_other_options_is_discarded)
{
	struct fsm f;
	ack_sent(&f);
	static const uint8_t sent[] = {3, 6, 10, 0, 0, 7, 129, 6, 0, 0, 0, 0};
	uint8_t altered[sizeof(sent)];
	memcpy(altered, sent, sizeof(sent));
	altered[5] = 8; /* another address than we asked for */
	feed(&f, CP_CONF_ACK, f.id, altered, sizeof(altered));
	ck_assert_int_eq(f.state, FSM_ACK_SENT);
	ck_assert_int_eq(discards_seen, 1);
	ck_assert_uint_eq(f.discards, 1);
	ck_assert_ptr_nonnull(strstr(discard_why, "differ"));
	/* fewer options, more options, none, reordered: all discarded */
	feed(&f, CP_CONF_ACK, f.id, sent, 6);
	uint8_t longer[sizeof(sent) + 2];
	memcpy(longer, sent, sizeof(sent));
	longer[sizeof(sent)] = 2;
	longer[sizeof(sent) + 1] = 2;
	feed(&f, CP_CONF_ACK, f.id, longer, sizeof(longer));
	feed(&f, CP_CONF_ACK, f.id, NULL, 0);
	uint8_t swapped[sizeof(sent)];
	memcpy(swapped, sent + 6, 6);
	memcpy(swapped + 6, sent, 6);
	feed(&f, CP_CONF_ACK, f.id, swapped, sizeof(swapped));
	ck_assert_int_eq(discards_seen, 5);
	ck_assert_int_eq(f.state, FSM_ACK_SENT);
	ck_assert_str_eq(actions, "");
	/* the request still awaits its answer: the exact Ack opens the link */
	ck_assert(f.req_pending);
	feed(&f, CP_CONF_ACK, f.id, sent, sizeof(sent));
	ck_assert_int_eq(f.state, FSM_OPENED);
	ck_assert_str_eq(actions, "tlu");
	ck_assert_int_eq(discards_seen, 5);
}
END_TEST

START_TEST(reject_of_unsent_option_is_discarded)
{
	struct fsm f;
	ack_sent(&f);
	static const uint8_t unsent[] = {130, 6, 0, 0, 0, 0};  /* NBNS: never asked */
	static const uint8_t changed[] = {129, 6, 1, 2, 3, 4}; /* our option, other value */
	static const uint8_t reordered[] = {129, 6, 0, 0, 0, 0, 3, 6, 10, 0, 0, 7};
	static const uint8_t twice[] = {129, 6, 0, 0, 0, 0, 129, 6, 0, 0, 0, 0};
	feed(&f, CP_CONF_REJ, f.id, unsent, sizeof(unsent));
	ck_assert_int_eq(f.state, FSM_ACK_SENT);
	ck_assert_int_eq(discards_seen, 1);
	ck_assert_ptr_nonnull(strstr(discard_why, "did not request"));
	feed(&f, CP_CONF_REJ, f.id, changed, sizeof(changed));
	feed(&f, CP_CONF_REJ, f.id, reordered, sizeof(reordered));
	feed(&f, CP_CONF_REJ, f.id, twice, sizeof(twice));
	feed(&f, CP_CONF_REJ, f.id, NULL, 0);
	ck_assert_int_eq(discards_seen, 5);
	ck_assert_int_eq(f.state, FSM_ACK_SENT);
	ck_assert_str_eq(actions, "");
	ck_assert(f.req_pending);
	/* a proper Reject of one option we sent is taken: a new request goes out */
	static const uint8_t good[] = {129, 6, 0, 0, 0, 0};
	feed(&f, CP_CONF_REJ, f.id, good, sizeof(good));
	ck_assert_str_eq(actions, "scr");
	ck_assert_int_eq(f.state, FSM_ACK_SENT);
	ck_assert_int_eq(discards_seen, 5);
	ck_assert_uint_eq(f.req_len, 6); /* the rejected option left out */
	/* and its exact Ack brings the link up after all */
	actions[0] = 0;
	feed(&f, CP_CONF_ACK, f.id, f.buf, f.req_len);
	ck_assert_int_eq(f.state, FSM_OPENED);
	ck_assert_str_eq(actions, "tlu");
}
END_TEST

START_TEST(fast_first_retransmissions)
{
	struct fsm f;
	fsm_init(&f, &t_cb, NULL, t_send, 3000, 10, 2, 5);
	fsm_set_fast_restart(&f, 500);
	fsm_open(&f, 0);
	actions[0] = 0;
	fsm_up(&f, 0);
	/* 0.5 s, then doubling, capped at the restart timer; Max-Configure as ever */
	static const uint64_t gaps[] = {500, 1000, 2000, 3000, 3000, 3000, 3000, 3000, 3000, 3000};
	uint64_t now = 0;
	for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
		ck_assert_uint_eq(f.deadline - now, gaps[i]);
		now = f.deadline;
		fsm_timeout(&f, now);
	}
	ck_assert_str_eq(actions, "scr,scr,scr,scr,scr,scr,scr,scr,scr,scr,tlf");
	ck_assert_int_eq(f.state, FSM_STOPPED);
	/* without it every retransmission waits the restart timer */
	fsm_init(&f, &t_cb, NULL, t_send, 3000, 10, 2, 5);
	fsm_open(&f, 0);
	fsm_up(&f, 0);
	ck_assert_uint_eq(f.deadline, 3000);
	fsm_timeout(&f, 3000);
	ck_assert_uint_eq(f.deadline, 6000);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ppp_fsm");
	TCase *tc = tcase_create("fsm");
	tcase_add_test(tc, rfc1661_state_table);
	tcase_add_test(tc, max_failure_turns_naks_into_rejects);
	tcase_add_test(tc, max_configure_then_finished);
	tcase_add_test(tc, malformed_packets_dropped);
	tcase_add_test(tc, ack_with_other_options_is_discarded);
	tcase_add_test(tc, reject_of_unsent_option_is_discarded);
	tcase_add_test(tc, fast_first_retransmissions);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
