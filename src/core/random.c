#include "core/random.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

void random_bytes(void *buf, size_t len)
{
	uint8_t *b = buf;
	while (len) {
		/* flags 0: blocks only until the pool is first initialised */
		ssize_t n = getrandom(b, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "sstpc: the kernel gives no random bytes (getrandom: %s)\n",
				n < 0 ? strerror(errno) : "returned nothing");
			abort();
		}
		b += n;
		len -= (size_t)n;
	}
}
