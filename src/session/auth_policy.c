/* Authentication policy of the client: see auth_policy.h. */
#include "session/auth_policy.h"

#include <stdio.h>
#include <string.h>

const char *auth_policy_conf_name(enum ppp_auth m)
{
	switch (m) {
	case PPP_AUTH_NONE:
		return "none";
	case PPP_AUTH_PAP:
		return "pap";
	case PPP_AUTH_CHAP_MD5:
		return "chap";
	case PPP_AUTH_MSCHAPV2:
		return "mschapv2";
	case PPP_AUTH_EAP_MSCHAPV2:
		return "eap-mschapv2";
	case PPP_AUTH_EAP_TLS:
		return "eap-tls";
	case PPP_AUTH_PEAP:
		return "peap";
	}
	return "?";
}

static bool conf_lists(const struct conf *c, enum ppp_auth m)
{
	for (int i = 0; i < c->nauth; i++)
		if (strcmp(conf_auth_name(c->auth[i]), auth_policy_conf_name(m)) == 0)
			return true;
	return false;
}

/* "mschapv2, eap-mschapv2" */
static void conf_list_text(const struct conf *c, char *out, size_t outlen)
{
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < c->nauth && n < outlen; i++) {
		int k = snprintf(out + n, outlen - n, "%s%s", i ? ", " : "",
				 conf_auth_name(c->auth[i]));
		if (k < 0)
			break;
		n += (size_t)k;
	}
}

bool auth_policy_allows(const struct conf *c, enum ppp_auth m, char *err, size_t errlen)
{
	if (m == PPP_AUTH_NONE) {
		if (c->auth_allow_none)
			return true;
		/* no password was proven by either side: whoever passed TLS
		 * would own the tunnel */
		snprintf(
		    err, errlen,
		    "server requested no authentication; refused (set 'authentication allow-none' "
		    "to permit)");
		return false;
	}
	if (conf_lists(c, m))
		return true;
	char list[96];
	conf_list_text(c, list, sizeof(list));
	snprintf(
	    err, errlen,
	    "authenticated with %s, which 'authentication protocols' does not allow (%s): refused",
	    ppp_auth_name(m), list);
	return false;
}

bool auth_policy_explain(const struct conf *c, const struct ppp_down_info *di, char *out,
			 size_t outlen)
{
	if (!di || !di->server_offers || !di->server_offers[0] || di->retry_with != PPP_AUTH_NONE)
		return false;
	char list[96], add[96];
	conf_list_text(c, list, sizeof(list));
	/* the methods we implement that the server offers, as config words */
	size_t n = 0;
	add[0] = '\0';
	for (enum ppp_auth m = PPP_AUTH_PAP; m <= PPP_AUTH_EAP_MSCHAPV2; m++) {
		if (!(di->server_auth & (1u << m)) || conf_lists(c, m))
			continue;
		int k = snprintf(add + n, sizeof(add) - n, "%s%s", n ? " or " : "",
				 auth_policy_conf_name(m));
		if (k < 0 || (size_t)k >= sizeof(add) - n)
			break;
		n += (size_t)k;
	}
	if (add[0])
		snprintf(out, outlen,
			 "server offers only %s; authentication protocols allows %s: add %s to "
			 "'authentication protocols' to use it",
			 di->server_offers, list, add);
	else
		snprintf(out, outlen,
			 "server offers only %s; authentication protocols allows %s, and sstpc "
			 "implements none of the server's methods",
			 di->server_offers, list);
	return true;
}

static unsigned memory_slot(const struct auth_memory *m, const char *server, uint16_t port)
{
	unsigned i = 0;
	while (i < AUTH_MEMORY_SLOTS &&
	       !(m->slot[i].method != PPP_AUTH_NONE && m->slot[i].port == port &&
		 strcmp(m->slot[i].server, server) == 0))
		i++;
	return i;
}

void auth_memory_put(struct auth_memory *m, const char *server, uint16_t port, enum ppp_auth method)
{
	if (method == PPP_AUTH_NONE)
		return; /* nothing to take at once next time */
	unsigned i = memory_slot(m, server, port);
	if (i == AUTH_MEMORY_SLOTS) /* a free slot */
		for (i = 0; i < AUTH_MEMORY_SLOTS && m->slot[i].method != PPP_AUTH_NONE; i++)
			;
	if (i == AUTH_MEMORY_SLOTS) {
		i = m->next;
		m->next = (m->next + 1) % AUTH_MEMORY_SLOTS;
	}
	snprintf(m->slot[i].server, sizeof(m->slot[i].server), "%s", server);
	m->slot[i].port = port;
	m->slot[i].method = method;
}

enum ppp_auth auth_memory_get(const struct auth_memory *m, const char *server, uint16_t port)
{
	unsigned i = memory_slot(m, server, port);
	return i < AUTH_MEMORY_SLOTS ? m->slot[i].method : PPP_AUTH_NONE;
}
