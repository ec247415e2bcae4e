/* The control socket of a running tunnel (/run/sstpc/<if>.<netns>.sock,
 * root only; <netns> is the inode of the network namespace, so each
 * namespace has its own) and the CLI side of `show`, `connect`,
 * `disconnect` and `clear`.
 *
 * Request: 2-byte big-endian length + command text ("show", "show json",
 * "connect", "disconnect", "log", "reconnect"). Reply: 4-byte big-endian
 * length + text. */
#ifndef SSTPC_SESSION_CONTROL_H
#define SSTPC_SESSION_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

struct control;
struct reader;
struct loop;
struct session;

#define CONTROL_DIR_DEFAULT "/run/sstpc"

/* The directory comes from $SSTPC_RUN_DIR when set (tests), else /run/sstpc. */
const char *control_dir(void);
struct control *control_open(const char *ifname, struct session *s, struct loop *l, char *err,
			     size_t errlen);
void control_close(struct control *c);
#define CONTROL_REQ_MAX 256

enum control_req {
	CONTROL_REQ_SHOW = 1,
	CONTROL_REQ_SHOW_JSON,
	CONTROL_REQ_CONNECT,
	CONTROL_REQ_DISCONNECT,
	CONTROL_REQ_LOG,       /* the daemon's recent log lines */
	CONTROL_REQ_RECONNECT, /* clear interfaces connection: a new session now */
};

/* Parses one framed request (2-byte length + printable ASCII command) from
 * r. False for a short frame, a zero or oversized length, a non-printable
 * byte or an unknown command; r is advanced past the frame when it was
 * complete. */
bool control_parse(struct reader *r, enum control_req *req);
/* Carries out one request, writing the reply text; returns its length.
 * Replies to failed requests start with "error: ". */
size_t control_handle(struct session *s, enum control_req req, char *reply, size_t cap);
/* argv[0] is show|connect|disconnect|clear. Returns the exit status. */
int control_cli(int argc, char **argv);

#endif
