/* Keeping secrets out of reach: wiping them, and no core dumps.
 *
 * A memset before free() or before a buffer goes out of scope is a dead
 * store the compiler may (and at -O2 does) delete; the C library's
 * explicit_bzero is specified to survive that. Use secure_wipe for every
 * buffer that held a password, an NT hash, a key, an HLAK or a CMK.
 * tools/check-wipes.sh proves the calls are present in the release build. */
#ifndef SSTPC_CORE_SECRET_H
#define SSTPC_CORE_SECRET_H

#include <stddef.h>
#include <string.h>

static inline void secure_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

/* The daemon holds the password and the tunnel's keys in memory: no core
 * file may carry them to disk, and no other process of the same user may
 * read them through ptrace or /proc/PID/mem. Sets RLIMIT_CORE to 0 and the
 * process non-dumpable. 0 or -errno. */
int secret_no_core_dumps(void);

#endif
