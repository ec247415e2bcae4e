/* The client's authentication policy: which method may bring a tunnel up,
 * the error when no method is shared, the per-server memory. */
#include <string.h>

#include "core/conf.h"
#include "session/auth_policy.h"
#include "testutil.h"

static struct conf defaults(void)
{
	struct conf c;
	conf_defaults(&c);
	return c;
}

START_TEST(no_authentication_is_refused_unless_allowed)
{
	struct conf c = defaults();
	char err[256];
	ck_assert(!auth_policy_allows(&c, PPP_AUTH_NONE, err, sizeof(err)));
	ck_assert_str_eq(err, "server requested no authentication; refused (set 'authentication "
			      "allow-none' to permit)");
	c.auth_allow_none = true;
	ck_assert(auth_policy_allows(&c, PPP_AUTH_NONE, err, sizeof(err)));
}
END_TEST

START_TEST(only_configured_methods_bring_a_tunnel_up)
{
	struct conf c = defaults();
	char err[256];
	ck_assert(auth_policy_allows(&c, PPP_AUTH_MSCHAPV2, err, sizeof(err)));
	ck_assert(auth_policy_allows(&c, PPP_AUTH_EAP_MSCHAPV2, err, sizeof(err)));
	ck_assert(!auth_policy_allows(&c, PPP_AUTH_PAP, err, sizeof(err)));
	ck_assert_str_eq(err, "authenticated with PAP, which 'authentication protocols' does not "
			      "allow (mschapv2, eap-mschapv2): refused");
	ck_assert(!auth_policy_allows(&c, PPP_AUTH_CHAP_MD5, err, sizeof(err)));
	c.auth[c.nauth++] = CONF_AUTH_PAP;
	ck_assert(auth_policy_allows(&c, PPP_AUTH_PAP, err, sizeof(err)));
}
END_TEST

START_TEST(explains_methods_on_both_sides)
{
	struct conf c = defaults();
	char out[300];
	struct ppp_down_info di = {.auth_failed = true,
				   .reason = "x",
				   .server_offers = "PAP",
				   .server_auth = 1u << PPP_AUTH_PAP};
	ck_assert(auth_policy_explain(&c, &di, out, sizeof(out)));
	ck_assert_str_eq(out, "server offers only PAP; authentication protocols allows mschapv2, "
			      "eap-mschapv2: add pap to 'authentication protocols' to use it");
	di.server_offers = "PAP, CHAP-MD5";
	di.server_auth |= 1u << PPP_AUTH_CHAP_MD5;
	ck_assert(auth_policy_explain(&c, &di, out, sizeof(out)));
	ck_assert_ptr_nonnull(strstr(out, ": add pap or chap to 'authentication protocols'"));
	di.server_offers = "CHAP algorithm 0x80 (MS-CHAP v1)";
	di.server_auth = 0;
	ck_assert(auth_policy_explain(&c, &di, out, sizeof(out)));
	ck_assert_ptr_nonnull(strstr(out, "implements none of the server's methods"));
	/* a method we allow and the server insists on is a retry, not an error */
	di.retry_with = PPP_AUTH_EAP_MSCHAPV2;
	ck_assert(!auth_policy_explain(&c, &di, out, sizeof(out)));
	struct ppp_down_info plain = {.reason = "LCP: peer sent Terminate-Request"};
	ck_assert(!auth_policy_explain(&c, &plain, out, sizeof(out)));
}
END_TEST

START_TEST(memory_is_per_server)
{
	struct auth_memory m;
	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(auth_memory_get(&m, "a.example", 443), PPP_AUTH_NONE);
	auth_memory_put(&m, "a.example", 443, PPP_AUTH_EAP_MSCHAPV2);
	auth_memory_put(&m, "b.example", 443, PPP_AUTH_MSCHAPV2);
	ck_assert_int_eq(auth_memory_get(&m, "a.example", 443), PPP_AUTH_EAP_MSCHAPV2);
	ck_assert_int_eq(auth_memory_get(&m, "a.example", 8443), PPP_AUTH_NONE);
	ck_assert_int_eq(auth_memory_get(&m, "b.example", 443), PPP_AUTH_MSCHAPV2);
	auth_memory_put(&m, "a.example", 443, PPP_AUTH_MSCHAPV2);
	ck_assert_int_eq(auth_memory_get(&m, "a.example", 443), PPP_AUTH_MSCHAPV2);
	/* more servers than slots: the oldest entries make room */
	for (int i = 0; i < 10; i++) {
		char name[32];
		snprintf(name, sizeof(name), "s%d.example", i);
		auth_memory_put(&m, name, 443, PPP_AUTH_PAP);
		ck_assert_int_eq(auth_memory_get(&m, name, 443), PPP_AUTH_PAP);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("auth_policy");
	TCase *tc = tcase_create("policy");
	tcase_add_test(tc, no_authentication_is_refused_unless_allowed);
	tcase_add_test(tc, only_configured_methods_bring_a_tunnel_up);
	tcase_add_test(tc, explains_methods_on_both_sides);
	tcase_add_test(tc, memory_is_per_server);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
