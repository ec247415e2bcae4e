/* sd_notify without libsystemd: a datagram to $NOTIFY_SOCKET, if set. */
#ifndef SSTPC_CORE_NOTIFY_H
#define SSTPC_CORE_NOTIFY_H

/* Sends the formatted state lines ("READY=1", "STATUS=..."); a no-op
 * without NOTIFY_SOCKET. Returns 0 or -errno. */
int notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
