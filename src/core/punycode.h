/* Internationalised host names to their ASCII form (RFC 3492 Punycode,
 * "xn--" labels as RFC 5890 writes them), so `server münchen.example`
 * resolves, is sent as SNI and is checked against the certificate the way
 * resolvers and certificates spell it. */
#ifndef SSTPC_CORE_PUNYCODE_H
#define SSTPC_CORE_PUNYCODE_H

#include <stdbool.h>
#include <stddef.h>

/* Converts a dotted name in UTF-8: ASCII labels are copied as they are,
 * others become "xn--" + Punycode of their code points (taken as given:
 * no Unicode case mapping or normalisation, so write them in lower case as
 * IDNA2008 asks). False for invalid UTF-8 (overlong forms, surrogates,
 * beyond U+10FFFF), an empty or too long label (> 63), or an output that
 * does not fit in cap. */
bool punycode_host(const char *in, char *out, size_t cap);

#endif
