/* Test helper: move the (forked) test process into a fresh network
 * namespace, so nothing a test creates leaks to the host. */
#ifndef SSTPC_TUN_TESTNS_H
#define SSTPC_TUN_TESTNS_H

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline bool tun_testns_enter(void)
{
	if (geteuid() != 0) {
		printf("SKIP: not root, kernel test not run\n");
		return false;
	}
	if (access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("SKIP: no /dev/net/tun\n");
		return false;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		perror("SKIP: unshare(CLONE_NEWNET)");
		return false;
	}
	return true;
}

/* Runs a shell command in the current namespace, returns its output. */
static inline char *tun_testns_cmd(const char *cmd)
{
	static char out[16384];
	FILE *f = popen(cmd, "r");
	if (!f)
		return NULL;
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	pclose(f);
	return out;
}

#endif
