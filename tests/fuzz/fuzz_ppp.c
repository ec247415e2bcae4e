/* Stateful PPP fuzzing: the input is a sequence of records, each a 2-byte
 * big-endian length and that many bytes of frame; a zero length advances the
 * fake clock to the next deadline instead. The first byte picks the
 * configuration: bit 0 IPv6, bit 1 echo, bits 2-3 the auth order, bit 4 the
 * server role (user "user", password "pass"), bits 5-7 its fault modes
 * (client role: bit 5 sets auth_known). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ppp/ppp.h"

static void f_output(void *ctx, const uint8_t *f, size_t len)
{
	(void)ctx;
	if (len < 4 || f[0] != 0xff || f[1] != 0x03)
		__builtin_trap();
}

static int dead;
static void f_event(void *ctx, enum ppp_event ev, const void *arg)
{
	(void)ctx;
	(void)arg;
	if (ev == PPP_EV_DEAD && dead++)
		__builtin_trap(); /* DEAD must come exactly once */
}

static void f_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0x5a, len);
}

static bool f_secret(void *ctx, const char *user, char *pw, size_t pwlen)
{
	(void)ctx;
	if (strlen(user) >= 256)
		__builtin_trap(); /* names are bounded before they reach us */
	if (strcmp(user, "user"))
		return false;
	snprintf(pw, pwlen, "pass");
	return true;
}

static const struct ppp_ops ops = {.output = f_output, .event = f_event, .get_secret = f_secret};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	struct ppp_config cfg = {
	    .role = PPP_CLIENT,
	    .mru = 1500,
	    .username = "user",
	    .password = "pass",
	    .ipv4 = true,
	    .ipv6 = sel & 1,
	    .echo_interval_ms = sel & 2 ? 1000 : 0,
	    .echo_failures = 2,
	    .random = f_random,
	};
	/* rows as long as cfg.auth: the copy below takes a whole row (rows
	 * of 4 read past the table's end for the last one) */
	static const enum ppp_auth orders[4][sizeof(cfg.auth) / sizeof(cfg.auth[0])] = {
	    {PPP_AUTH_MSCHAPV2, PPP_AUTH_EAP_MSCHAPV2},
	    {PPP_AUTH_EAP_MSCHAPV2, PPP_AUTH_MSCHAPV2, PPP_AUTH_CHAP_MD5, PPP_AUTH_PAP},
	    {PPP_AUTH_PAP},
	    {PPP_AUTH_CHAP_MD5},
	};
	memcpy(cfg.auth, orders[(sel >> 2) & 3], sizeof(cfg.auth));
	/* client: bit 5 = EAP remembered as this server's method */
	cfg.auth_known = sel & 0x20 ? PPP_AUTH_EAP_MSCHAPV2 : PPP_AUTH_NONE;
	if (sel & 0x10) {
		cfg.role = PPP_SERVER;
		cfg.hostname = "fuzz";
		cfg.local_ip4 = 0x0100000a;
		cfg.peer_ip4 = 0x0200000a;
		cfg.dns4[0] = sel & 0x20 ? 0 : 0x3500000a;
		cfg.local_ifid[7] = 1;
		cfg.nak_lcp_forever = (sel & 0xe0) == 0xe0;
		cfg.rras_lcp = sel & 0x40;
		cfg.reject_auth = sel & 0x80;
		cfg.auth_giveup = (sel & 0xe0) == 0x20;
	}
	dead = 0;
	struct ppp *p = ppp_new(&cfg, &ops, NULL);
	if (!p)
		return 0;
	uint64_t now = 0;
	ppp_lower_up(p, now);
	size_t off = 1;
	while (off + 2 <= size) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (n == 0) {
			uint64_t d = ppp_deadline(p);
			if (d != UINT64_MAX) {
				if (d > now)
					now = d;
				ppp_timeout(p, now);
				/* a due timer must be consumed by ppp_timeout */
				if (ppp_deadline(p) <= now)
					__builtin_trap();
			}
			continue;
		}
		if (n > size - off)
			n = size - off;
		now += 7;
		ppp_input(p, data + off, n, now);
		off += n;
	}
	ppp_close(p, "end", now);
	for (int i = 0; i < 20 && !ppp_is_dead(p); i++) {
		uint64_t d = ppp_deadline(p);
		if (d == UINT64_MAX)
			break;
		ppp_timeout(p, d);
	}
	ppp_free(p);
	return 0;
}
