/* The operator's up/down scripts (`up-script`, `down-script`): run without
 * a shell, with the tunnel's facts in their environment (docs/config.md,
 * "Hooks"), under `script-timeout`, on the event loop. The daemon never
 * waits for one while it runs: the loop watches the script's exit (a
 * pidfd) and a timer kills its whole process group at the deadline. A
 * script that fails or is killed is logged, never fatal. Processes are
 * started and reaped through tun/helper.h, the code that also runs the
 * DNS helpers. */
#ifndef SSTPC_SESSION_HOOKS_H
#define SSTPC_SESSION_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct hooks;

enum hook_kind { HOOK_UP, HOOK_DOWN };

/* What a script is told. Addresses in network order; NULL strings and
 * zero addresses become empty variables. */
struct hook_facts {
	const char *ifname;
	const char *reason; /* up: "up"; down: stop, disconnect, reconnect, reload, lost */
	const char *error;  /* down: why the session ended */
	const char *server; /* the configured name in use */
	const char *server_address;
	unsigned port;
	uint32_t local4, peer4, dns4[2];
	bool have6;
	uint8_t local6[8], peer6[8]; /* IPV6CP interface identifiers (fe80::ID) */
};

#define HOOK_ENV_MAX 16

/* Fills envp (HOOK_ENV_MAX entries, NULL-terminated) with NAME=VALUE
 * strings laid out in buf. False if buf is too small. */
bool hooks_env(enum hook_kind k, const struct hook_facts *f, char *buf, size_t len,
	       char *envp[HOOK_ENV_MAX]);

/* True when path may be run as root: a regular, executable file owned by
 * root that group and others cannot write, in a directory with the same
 * properties. Otherwise false with the reason in msg. */
bool hooks_script_ok(const char *path, char *msg, size_t len);

struct hooks *hooks_new(struct loop *l);
/* Starts the script (a script of the same kind still running is killed
 * first). A script that fails hooks_script_ok now is not run (logged). */
void hooks_run(struct hooks *h, enum hook_kind k, const char *path, unsigned timeout_ms,
	       const struct hook_facts *f);
/* Is a script of that kind running? */
bool hooks_running(const struct hooks *h, enum hook_kind k);
/* At exit: waits for a running down-script until its deadline (one started
 * by SIGTERM gets its time; a second SIGTERM cuts the wait short), kills
 * it past that and an up-script at once. NULL is fine. */
void hooks_free(struct hooks *h);

#endif
