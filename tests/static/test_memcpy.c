/* The static build's memcpy (src/static/memcpy.c) against a byte loop:
 * every size from 0 to 600 at every third source and fifth destination
 * offset within 64 bytes, and large sizes around 16 KiB records, on the
 * SSE2 path and (where the CPU has it) the AVX2 one, with guard bytes on
 * both sides that must stay untouched. No libcheck under musl: exit 0 when
 * all agree, 1 with the first mismatch on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__wrap_memcpy(void *restrict dst, const void *restrict src, size_t n);
void static_memcpy_force(int avx2);

enum { PAD = 64, MAXN = 20000 };
static unsigned char src[MAXN + 2 * PAD], dst[MAXN + 2 * PAD], want[MAXN + 2 * PAD];

static int check(size_t n, size_t so, size_t doff)
{
	for (size_t i = 0; i < sizeof(src); i++) {
		src[i] = (unsigned char)(i * 7 + n);
		dst[i] = want[i] = (unsigned char)(0xa5 ^ i);
	}
	for (size_t i = 0; i < n; i++)
		want[PAD + doff + i] = src[PAD + so + i];
	void *r = __wrap_memcpy(dst + PAD + doff, src + PAD + so, n);
	if (r != dst + PAD + doff) {
		fprintf(stderr, "n=%zu src+%zu dst+%zu: wrong return value\n", n, so, doff);
		return 1;
	}
	if (memcmp(dst, want, sizeof(dst)) != 0) {
		size_t i = 0;
		while (dst[i] == want[i])
			i++;
		fprintf(stderr, "n=%zu src+%zu dst+%zu: byte %zd differs\n", n, so, doff,
			(ssize_t)i - PAD - (ssize_t)doff);
		return 1;
	}
	return 0;
}

static int run_all(size_t *cases)
{
	for (size_t n = 0; n <= 600; n++)
		for (size_t so = 0; so < PAD; so += 3)
			for (size_t doff = 0; doff < PAD; doff += 5, (*cases)++)
				if (check(n, so, doff))
					return 1;
	static const size_t big[] = {1023, 1400, 4096, 16383, 16384, 16385, 16413, 19999};
	for (size_t k = 0; k < sizeof(big) / sizeof(big[0]); k++)
		for (size_t so = 0; so < PAD; so += 7)
			for (size_t doff = 0; doff < PAD; doff += 9, (*cases)++)
				if (check(big[k], so, doff))
					return 1;
	return 0;
}

int main(void)
{
	size_t cases = 0;
	static_memcpy_force(0);
	if (run_all(&cases)) {
		fprintf(stderr, "(SSE2 path)\n");
		return 1;
	}
	const char *paths = "SSE2";
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2")) {
		static_memcpy_force(1);
		if (run_all(&cases)) {
			fprintf(stderr, "(AVX2 path)\n");
			return 1;
		}
		paths = "SSE2 and AVX2";
	}
	printf("memcpy: %zu cases agree (%s)\n", cases, paths);
	return 0;
}
