/* The control socket of a running tunnel (/run/sstpc/<if>.sock, root only)
 * and the CLI side of `show`, `connect` and `disconnect`.
 *
 * Request: 2-byte big-endian length + command text ("show", "show json",
 * "connect", "disconnect"). Reply: 4-byte big-endian length + text. */
#ifndef SSTPC_SESSION_CONTROL_H
#define SSTPC_SESSION_CONTROL_H

#include <stddef.h>

struct control;
struct loop;
struct session;

#define CONTROL_DIR_DEFAULT "/run/sstpc"

/* The directory comes from $SSTPC_RUN_DIR when set (tests), else /run/sstpc. */
const char *control_dir(void);
struct control *control_open(const char *ifname, struct session *s, struct loop *l, char *err,
			     size_t errlen);
void control_close(struct control *c);
/* Handles one request text, writing the reply; returns the reply length. */
size_t control_handle(struct session *s, const char *req, char *reply, size_t cap);
/* argv[0] is show|connect|disconnect. Returns the exit status. */
int control_cli(int argc, char **argv);

#endif
