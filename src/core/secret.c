/* No core dumps for a process that holds secrets (see secret.h). */
#include "core/secret.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>

int secret_no_core_dumps(void)
{
	/* Both: a core_pattern pipe (systemd-coredump, apport) is not bound by
	 * the rlimit the way a core file is (core(5)), while a non-dumpable
	 * process is dumped by no one and also keeps ptrace and /proc/PID/mem
	 * away from other processes of the same user. */
	const struct rlimit zero = {0, 0};
	if (setrlimit(RLIMIT_CORE, &zero) < 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
