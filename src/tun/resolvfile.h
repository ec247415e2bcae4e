/* Reading and replacing resolv.conf safely, and the crash backup of it.
 *
 * Replacing: the bytes go to a temp file with a random name next to the
 * real file (O_CREAT|O_EXCL|O_NOFOLLOW, so nothing planted there is
 * followed or reused), which is then renamed over it: a reader sees the old
 * file or the new one, never an empty one. A symlink (systemd-resolved's
 * stub, resolvconf's run-time file) is resolved first and its target
 * replaced the same way, so the link stays a link. Only when rename cannot
 * work — the file is a bind mount (EBUSY: containers, `ip netns exec`) or
 * its directory is read-only — is the file truncated and written in place.
 *
 * The backup: while the daemon has the file changed, DIR/IFNAME.resolv-backup
 * (the run directory, mode 0600) holds the original and what we wrote
 * (dnsbackup.h); the next start puts the original back if the daemon ended
 * without undoing its change (SIGKILL, a crash, a power cut of the process). */
#ifndef SSTPC_TUN_RESOLVFILE_H
#define SSTPC_TUN_RESOLVFILE_H

#include "tun/dnsbackup.h"

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file of at most cap bytes into a new buffer. 0, -ENOENT
 * when it is missing, -EFBIG when larger, or -errno. */
int rf_read(const char *path, size_t cap, uint8_t **buf, size_t *len);
/* Replaces the file's bytes as above (mode and owner kept; 0644 root for a
 * new file). 0 or -errno. */
int rf_replace(const char *path, const uint8_t *p, size_t n);
/* Writes the backup for ifname into dir (created 0700 if missing). */
int rf_backup_save(const char *dir, const char *ifname, const struct dns_backup *b);
void rf_backup_remove(const char *dir, const char *ifname);
/* At start: a backup left by a run that did not end cleanly puts the
 * original back — only if the file still holds exactly what that run wrote
 * (anything else was written by someone else since and is left alone) —
 * and is removed. Logs what it did. */
void rf_backup_recover(const char *dir, const char *ifname);

#endif
