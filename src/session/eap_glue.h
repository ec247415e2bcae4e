/* The TLS session inside EAP-TLS for PPP (struct ppp_eap_tls_ops), made
 * from the tunnel's configuration: src/tls in memory mode. */
#ifndef SSTPC_SESSION_EAP_GLUE_H
#define SSTPC_SESSION_EAP_GLUE_H

#include "core/conf.h"
#include "ppp/ppp.h"

/* ctx: the struct conf (authentication certificate, ca-certificate or
 * ssl ca-certificate, server-name); it must outlive the PPP session. */
extern const struct ppp_eap_tls_ops eap_glue_ops;

/* Points tc at the pki entries named ca / cert (NULL: not a pki name) of
 * c instead of files. */
struct tls_client_config;
void eap_glue_pki(const struct conf *c, const char *ca, const char *cert,
		  struct tls_client_config *tc);

#endif
