/* Shared helpers for the libcheck suites. */
#ifndef SSTPC_TESTUTIL_H
#define SSTPC_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a hex string (spaces allowed) into out; returns the byte count. */
size_t tu_hex(uint8_t *out, size_t cap, const char *hex);
/* tu_sum16, tu_fold: the checksum oracle (shared with the fuzz targets). */
#include "../csum_oracle.h"
/* Fails the test unless got[0..len) is exactly the bytes of hex (or, with
 * prefix, starts with them); the message shows both in hex. what names the
 * bytes in the message ("frame 3", "CALL_DISCONNECT_ACK"). */
void tu_expect_bytes(const char *what, const uint8_t *got, size_t len, const char *hex,
		     bool prefix);

/* The scripted-peer harness: the frames a module under test sent (through
 * its output callback), in order, each checked against exact hex; head is
 * the first frame not yet checked. Frames are kept whole, back to back. */
#define TU_FRAMES 256
struct tu_capture {
	uint8_t bytes[1 << 17];
	size_t start[TU_FRAMES + 1]; /* frame i is bytes[start[i] .. start[i + 1]) */
	int n, head;
};
void tu_capture_reset(struct tu_capture *c);
/* Appends one frame (fails the test when the capture is full). */
void tu_capture_add(struct tu_capture *c, const uint8_t *f, size_t len);
/* Frame i and its length. */
const uint8_t *tu_frame(const struct tu_capture *c, int i, size_t *len);
/* The next unchecked frame must be hex exactly (or start with it, with
 * prefix); returns it and moves head past it. */
const uint8_t *tu_expect_next(struct tu_capture *c, const char *hex, bool prefix);
/* Frame i must be hex exactly. */
void tu_expect_frame(const struct tu_capture *c, int i, const char *hex);
/* No unchecked frame left. */
void tu_expect_none(const struct tu_capture *c);

/* Predictable "random" bytes for exact-byte conversations: 0x41, 0x42, ...
 * continuing from *counter (which starts at 0). */
void tu_counter_bytes(uint8_t *counter, void *buf, size_t len);

/* Runs a suite and returns the process exit status. */
int tu_run(Suite *s);

/* A new empty directory /tmp/sstpc-<tag>-XXXXXX for one test, its path
 * written into dir (cap bytes; the test fails when it cannot be made).
 * tu_tmpdir_remove deletes it with everything in it, symlinks as links
 * (never what they point to); false when something could not go. */
void tu_tmpdir_make(char *dir, size_t cap, const char *tag);
bool tu_tmpdir_remove(const char *dir);

/* Test certificates made by tests/certs/gen-certs.sh (CA, server, client,
 * expired, wrong name …) in a new temp dir named after tag, whose path is
 * tu_certdir; tu_certs_remove deletes it. tu_cert_path(name) is
 * tu_certdir/name, in one of 32 rotating buffers. */
extern char tu_certdir[256];
void tu_certs_make(const char *tag);
void tu_certs_remove(void);
const char *tu_cert_path(const char *name);

#endif
