/* What the CPU can do, asked once: the data path's vector code (the
 * Internet checksum, the static build's memcpy) picks its widest path by
 * it at run time, so the build itself stays baseline x86-64. */
#ifndef SSTPC_CORE_CPU_H
#define SSTPC_CORE_CPU_H

#include <stdbool.h>

/* True on x86-64 CPUs (and kernels) with AVX2; false everywhere else. */
bool cpu_has_avx2(void);

#endif
