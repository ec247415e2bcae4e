/* Authentication policy of the client: which method may bring a tunnel up
 * (the one place where the method that succeeded is checked against the
 * configuration), what to tell the user when the server and the
 * configuration share no method, and which method worked with a server
 * before (kept for the life of the process). */
#ifndef SSTPC_SESSION_AUTH_POLICY_H
#define SSTPC_SESSION_AUTH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conf.h"
#include "ppp/ppp.h"

/* The `authentication protocols` word for a method ("mschapv2"); "none"
 * for PPP_AUTH_NONE. */
const char *auth_policy_conf_name(enum ppp_auth m);

/* May a tunnel come up after `m` succeeded? PPP_AUTH_NONE (the server
 * asked for no authentication) only with `authentication allow-none`.
 * false: why, in err. */
bool auth_policy_allows(const struct conf *c, enum ppp_auth m, char *err, size_t errlen);

/* When PPP ended because no method was agreed (di->server_offers set and
 * no retry_with), writes the user-facing error naming both sides and the
 * key to change; false otherwise. */
bool auth_policy_explain(const struct conf *c, const struct ppp_down_info *di, char *out,
			 size_t outlen);

/* What worked (or what the server insisted on) per server, kept for the
 * life of the process; a few servers at most (one per configuration, a
 * reload may change it). */
#define AUTH_MEMORY_SLOTS 4
struct auth_memory {
	struct {
		char server[256];
		uint16_t port;
		enum ppp_auth method;
	} slot[AUTH_MEMORY_SLOTS];
	unsigned next; /* slot replaced next when all are taken */
};
enum ppp_auth auth_memory_get(const struct auth_memory *m, const char *server, uint16_t port);
void auth_memory_put(struct auth_memory *m, const char *server, uint16_t port,
		     enum ppp_auth method);

#endif
