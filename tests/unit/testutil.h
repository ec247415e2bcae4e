/* Shared helpers for the libcheck suites. */
#ifndef SSTPC_TESTUTIL_H
#define SSTPC_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a hex string (spaces allowed) into out; returns the byte count. */
size_t tu_hex(uint8_t *out, size_t cap, const char *hex);
/* An Internet checksum written the slow, obvious way, byte by byte, as an
 * oracle independent of the code under test: the one's complement sum of
 * 16-bit big-endian words added to s, and its fold to 16 bits. */
uint32_t tu_sum16(uint32_t s, const uint8_t *p, size_t n);
uint16_t tu_fold(uint32_t s);
/* Runs a suite and returns the process exit status. */
int tu_run(Suite *s);

#endif
