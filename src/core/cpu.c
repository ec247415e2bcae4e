#include "core/cpu.h"

#if defined(__x86_64__) || defined(__i386__)
bool cpu_has_avx2(void)
{
	/* __builtin_cpu_supports also checks that the kernel saves the AVX
	 * registers (XGETBV), not only the CPUID bit. The init call makes
	 * this safe before constructors have run (the static memcpy is
	 * called that early). */
	static int have = -1;
	if (have < 0) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("avx2") ? 1 : 0;
	}
	return have == 1;
}
#else
bool cpu_has_avx2(void)
{
	return false;
}
#endif
