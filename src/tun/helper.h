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

#include <stdbool.h>

/* Runs argv[0] (an absolute path, no shell) with input (or nothing) on its
 * stdin and stdout to /dev/null, in a process group of its own. Returns 0
 * when it exited with status 0, -EIO for another status or a signal,
 * -ETIMEDOUT when it was still running after timeout_ms, -EINTR when a
 * SIGTERM or SIGINT was pending before or became pending while it ran, or
 * -errno when it could not be started. A helper that is cut short is killed
 * with its whole process group (SIGKILL to the group we created) and reaped
 * before helper_run returns. */
int helper_run(char *const argv[], const char *input, int timeout_ms);

/* The pieces helper_run is made of, for a caller that waits on its own
 * event loop instead (session/hooks.c runs up/down scripts so):
 * helper_spawn starts argv[0] as helper_run does, with envp as its whole
 * environment (NULL: the daemon's), and returns its pid or -errno;
 * helper_wait waits as helper_run does (0 with *status, -ETIMEDOUT,
 * -EINTR); helper_kill ends the helper's process group and reaps it;
 * helper_exit_ok logs a failed status and says whether it was 0. */
int helper_spawn(char *const argv[], char *const envp[], const char *input);
int helper_wait(int pid, int timeout_ms, int *status);
void helper_kill(int pid);
bool helper_exit_ok(const char *what, int status);

#endif
