/* Shared helpers for the libcheck suites. */
#ifndef SSTPC_TESTUTIL_H
#define SSTPC_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a hex string (spaces allowed) into out; returns the byte count. */
size_t tu_hex(uint8_t *out, size_t cap, const char *hex);
/* Runs a suite and returns the process exit status. */
int tu_run(Suite *s);

#endif
