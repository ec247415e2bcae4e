/* resolv.conf: safe replacement and the crash backup (see resolvfile.h). */
#include "tun/resolvfile.h"

#include "core/log.h"
#include "core/random.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rf_read(const char *path, size_t cap, uint8_t **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	uint8_t *b = malloc(cap + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	size_t n = 0;
	int ret = 0;
	for (;;) {
		ssize_t r = read(fd, b + n, cap + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ret = -errno;
		else if (n + (size_t)r > cap)
			ret = -EFBIG;
		if (r <= 0 || ret < 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (ret < 0) {
		free(b);
		return ret;
	}
	*buf = b;
	*len = n;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A new file next to path with a random name that did not exist: O_EXCL
 * and O_NOFOLLOW, so a name planted in the directory is never opened. */
static int open_temp(const char *path, char *tmp, size_t cap)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	for (int tries = 0; tries < 8; tries++) {
		uint32_t rnd;
		random_bytes(&rnd, sizeof(rnd));
		int n = snprintf(tmp, cap, "%.*s.%s.sstpc-%08x", dirlen, path,
				 slash ? slash + 1 : path, (unsigned)rnd);
		if (n < 0 || (size_t)n >= cap)
			return -ENAMETOOLONG;
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

/* Temp file + rename. st: the file replaced (mode and owner kept), or NULL
 * for a new one. -EAGAIN: rename is impossible here, write in place. */
static int replace_atomic(const char *path, const struct stat *st, mode_t mode_new,
			  const uint8_t *p, size_t n)
{
	char tmp[PATH_MAX];
	int fd = open_temp(path, tmp, sizeof(tmp));
	if (fd < 0)
		return -EAGAIN; /* read-only or full directory */
	int ret = fchmod(fd, st ? st->st_mode & 07777 : mode_new) < 0 ? -errno : 0;
	/* The owner is kept where we may (without CAP_CHOWN, as under the
	 * systemd unit, only to our own groups); the mode always. */
	if (!ret && st && fchown(fd, st->st_uid, st->st_gid) < 0)
		log_info("%s: owner not kept: %s", path, strerror(errno));
	if (!ret)
		ret = write_all(fd, p, n);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	close(fd);
	if (!ret && rename(tmp, path) < 0) {
		ret = -errno;
		/* EBUSY: a bind mount; EXDEV and friends: the same, seen
		 * through other file systems. The data itself was fine. */
		if (ret == -EBUSY || ret == -EXDEV || ret == -EPERM || ret == -EACCES)
			ret = -EAGAIN;
	}
	if (ret < 0)
		unlink(tmp);
	return ret;
}

static int write_in_place(const char *path, const uint8_t *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int ret = write_all(fd, p, n);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int rf_replace(const char *path, const uint8_t *p, size_t n)
{
	char target[PATH_MAX];
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		/* A dangling link: writing through it creates its target. */
		if (!realpath(path, target)) {
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0)
				return -errno;
			int ret = write_all(fd, p, n);
			close(fd);
			return ret;
		}
	} else if (snprintf(target, sizeof(target), "%s", path) >= (int)sizeof(target)) {
		return -ENAMETOOLONG;
	}
	bool have = lstat(target, &st) == 0;
	if (have && !S_ISREG(st.st_mode))
		return -EINVAL;
	int ret = replace_atomic(target, have ? &st : NULL, 0644, p, n);
	if (ret == -EAGAIN)
		ret = write_in_place(target, p, n);
	return ret;
}

static int backup_path(const char *dir, const char *ifname, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s.resolv-backup", dir, ifname);
	return n > 0 && (size_t)n < cap ? 0 : -ENAMETOOLONG;
}

int rf_backup_save(const char *dir, const char *ifname, const struct dns_backup *b)
{
	char path[PATH_MAX];
	int ret = backup_path(dir, ifname, path, sizeof(path));
	if (ret < 0)
		return ret;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	size_t cap = dns_backup_size(b);
	uint8_t *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	size_t len = dns_backup_encode(b, buf, cap);
	ret = len ? replace_atomic(path, NULL, 0600, buf, len) : -EINVAL;
	free(buf);
	return ret == -EAGAIN ? -EACCES : ret;
}

void rf_backup_remove(const char *dir, const char *ifname)
{
	char path[PATH_MAX];
	if (backup_path(dir, ifname, path, sizeof(path)) == 0 && unlink(path) < 0 &&
	    errno != ENOENT)
		log_warn("cannot remove %s: %s", path, strerror(errno));
}

static bool same(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* Puts b's original back if the file still holds what b says we wrote. */
static void recover_one(const struct dns_backup *b)
{
	uint8_t *cur;
	size_t curlen;
	int ret = rf_read(b->path, DNSBACKUP_FILE_MAX, &cur, &curlen);
	bool missing = ret == -ENOENT;
	if (ret < 0 && !missing) {
		log_warn("%s: cannot read it to restore the original: %s", b->path, strerror(-ret));
		return;
	}
	if (!missing && same(cur, curlen, b->ours, b->ours_len)) {
		ret = b->existed ? rf_replace(b->path, b->orig, b->orig_len)
				 : (unlink(b->path) < 0 ? -errno : 0);
		if (ret < 0)
			log_warn("%s: restoring the original: %s", b->path, strerror(-ret));
		else
			log_notice(
			    "%s: restored the original that a previous run (which did not end "
			    "cleanly) had replaced",
			    b->path);
	} else if (missing ? b->existed
			   : !(b->existed && same(cur, curlen, b->orig, b->orig_len))) {
		log_warn("%s: changed since a previous run wrote it; left as it is", b->path);
	}
	free(cur);
}

void rf_backup_recover(const char *dir, const char *ifname)
{
	char path[PATH_MAX];
	if (backup_path(dir, ifname, path, sizeof(path)) < 0)
		return;
	uint8_t *buf;
	size_t len;
	int ret = rf_read(path, 2 * DNSBACKUP_FILE_MAX + DNSBACKUP_PATH_MAX + 64, &buf, &len);
	if (ret == -ENOENT)
		return;
	struct dns_backup b;
	if (ret < 0)
		log_warn("%s: %s; removed", path, strerror(-ret));
	else if (!dns_backup_parse(buf, len, &b))
		log_warn("%s: not a backup this version wrote; removed", path);
	else
		recover_one(&b);
	free(buf);
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("cannot remove %s: %s", path, strerror(errno));
}
