/* Running a host helper (resolvconf, resolvectl) without letting it hold
 * the daemon: a deadline, and an early end when SIGTERM or SIGINT arrives.
 *
 * The daemon keeps those signals blocked and reads them from the event
 * loop's signalfd. While a helper runs, helper_run watches them with a
 * signalfd of its own that it polls but never reads, so a stop signal stays
 * pending for the loop: the helper is killed at once and the loop then
 * stops the daemon as usual. */
#ifndef SSTPC_TUN_HELPER_H
#define SSTPC_TUN_HELPER_H

/* Runs argv[0] (an absolute path, no shell) with input (or nothing) on its
 * stdin and stdout to /dev/null, in a process group of its own. Returns 0
 * when it exited with status 0, -EIO for another status or a signal,
 * -ETIMEDOUT when it was still running after timeout_ms, -EINTR when a
 * SIGTERM or SIGINT was pending before or became pending while it ran, or
 * -errno when it could not be started. A helper that is cut short is killed
 * with its whole process group (SIGKILL to the group we created) and reaped
 * before helper_run returns. */
int helper_run(char *const argv[], const char *input, int timeout_ms);

#endif
