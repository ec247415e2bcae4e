/* Random bytes from the kernel (getrandom), with one failure policy for
 * the whole program: an interrupted call is retried, and a kernel that
 * cannot give randomness at all (no getrandom: older than 3.17, or a
 * seccomp filter refusing it) is a setup failure, never peer input, so the
 * process stops with a message instead of running on predictable magic
 * numbers, challenges or nonces. */
#ifndef SSTPC_CORE_RANDOM_H
#define SSTPC_CORE_RANDOM_H

#include <stddef.h>

/* Fills buf with len random bytes; returns only when it did. */
void random_bytes(void *buf, size_t len);

#endif
