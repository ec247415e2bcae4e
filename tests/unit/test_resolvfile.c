/* resolv.conf through the file DNS backend: a symlink's target replaced
 * atomically (the link stays), a bind mount rewritten in place (rename gives
 * EBUSY), the crash backup in the run directory restored by the next start
 * and left alone when someone else changed the file since; the backup
 * record's format. Real files, a real bind mount in a private mount
 * namespace of the (forked) test. */
#include "testutil.h"
#include "tun/dnsbackup.h"
#include "tun/netcfg.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];
static const char orig[] = "# original\nnameserver 192.0.2.53\nsearch example.org\n";
static const char ours[] = "nameserver 10.8.0.1\n# original\nsearch example.org\n";

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static const char *get(const char *path)
{
	static char buf[1024];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ck_assert_int_ge(n, 0);
	buf[n] = 0;
	return buf;
}

static const char *at(const char *name)
{
	static char p[4][128];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void mkdir_tmp(void)
{
	tu_tmpdir_make(dir, sizeof(dir), "rf");
}

/* Names in dir other than the expected ones: a temp file left behind. */
static int entries(const char *d)
{
	DIR *dp = opendir(d);
	ck_assert_ptr_nonnull(dp);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dp);
	return n;
}

static void rm_tmp(void)
{
	ck_assert(tu_tmpdir_remove(dir));
}

static struct netcfg *file_nc(const char *path)
{
	struct netcfg *nc = netcfg_new("sstpc7", 1);
	ck_assert_ptr_nonnull(nc);
	netcfg_set_dns_backend(nc, NETCFG_DNS_FILE);
	ck_assert_int_eq(netcfg_set_resolv_path(nc, path), 0);
	return nc;
}

static uint32_t dns1(void)
{
	return inet_addr("10.8.0.1");
}

START_TEST(symlink_target_replaced_atomically)
{
	mkdir_tmp();
	ck_assert_int_eq(mkdir(at("run"), 0755), 0);
	put(at("run/resolv.conf"), orig);
	ck_assert_int_eq(symlink("run/resolv.conf", at("resolv.conf")), 0);
	struct stat before, st;
	ck_assert_int_eq(stat(at("run/resolv.conf"), &before), 0);
	struct netcfg *nc = file_nc(at("resolv.conf"));
	uint32_t d = dns1();
	ck_assert_int_eq(netcfg_dns(nc, &d, 1), 0);
	ck_assert_int_eq(lstat(at("resolv.conf"), &st), 0);
	ck_assert_msg(S_ISLNK(st.st_mode), "the symlink was replaced by a file");
	ck_assert_str_eq(get(at("run/resolv.conf")), ours);
	ck_assert_int_eq(stat(at("run/resolv.conf"), &st), 0);
	/* a new inode: renamed into place, never truncated under a reader */
	ck_assert_uint_ne(st.st_ino, before.st_ino);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(entries(at("run")), 1);
	netcfg_undo(nc);
	ck_assert_int_eq(lstat(at("resolv.conf"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(get(at("run/resolv.conf")), orig);
	ck_assert_int_eq(entries(at("run")), 1);
	netcfg_free(nc);
	rm_tmp();
}
END_TEST

START_TEST(bind_mount_rewritten_in_place)
{
	if (geteuid() != 0) {
		printf("SKIP: not root, bind mount not tried\n");
		return;
	}
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	mkdir_tmp();
	put(at("netns-resolv.conf"), orig);
	put(at("resolv.conf"), "# covered by the bind mount\n");
	ck_assert_int_eq(mount(at("netns-resolv.conf"), at("resolv.conf"), NULL, MS_BIND, NULL), 0);
	/* what the kernel answers a rename over a mount point */
	put(at("x"), "x");
	ck_assert_int_eq(rename(at("x"), at("resolv.conf")), -1);
	ck_assert_int_eq(errno, EBUSY);
	unlink(at("x"));
	struct netcfg *nc = file_nc(at("resolv.conf"));
	uint32_t d = dns1();
	ck_assert_int_eq(netcfg_dns(nc, &d, 1), 0);
	ck_assert_str_eq(get(at("resolv.conf")), ours);
	/* written through the mount, into the mounted file */
	ck_assert_str_eq(get(at("netns-resolv.conf")), ours);
	ck_assert_int_eq(entries(dir), 2); /* no temp file left */
	netcfg_undo(nc);
	ck_assert_str_eq(get(at("resolv.conf")), orig);
	netcfg_free(nc);
	umount(at("resolv.conf"));
	rm_tmp();
}
END_TEST

/* A run that changes the file and dies without its undo, as SIGKILL ends
 * the daemon: a child process that _exits with the change in place. */
static void killed_run(const char *path, const char *state)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct netcfg *nc = file_nc(path);
		netcfg_set_state_dir(nc, state);
		uint32_t d = dns1();
		_exit(netcfg_dns(nc, &d, 1) == 0 ? 0 : 1);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A run that ends without its undo (SIGKILL): the next start restores the
 * original byte for byte and removes the backup. */
START_TEST(backup_restored_by_next_start)
{
	mkdir_tmp();
	put(at("resolv.conf"), orig);
	killed_run(at("resolv.conf"), at("run"));
	struct stat st;
	ck_assert_int_eq(stat(at("run/sstpc7.resolv-backup"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(at("run"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_str_eq(get(at("resolv.conf")), ours);
	struct netcfg *next = file_nc(at("resolv.conf"));
	netcfg_set_state_dir(next, at("run"));
	ck_assert_str_eq(get(at("resolv.conf")), orig);
	ck_assert_int_eq(access(at("run/sstpc7.resolv-backup"), F_OK), -1);
	netcfg_free(next);

	/* a clean run leaves no backup behind */
	uint32_t d = dns1();
	struct netcfg *nc = file_nc(at("resolv.conf"));
	netcfg_set_state_dir(nc, at("run"));
	ck_assert_int_eq(netcfg_dns(nc, &d, 1), 0);
	netcfg_undo(nc);
	ck_assert_str_eq(get(at("resolv.conf")), orig);
	ck_assert_int_eq(access(at("run/sstpc7.resolv-backup"), F_OK), -1);
	netcfg_free(nc);

	/* the file did not exist: the next start removes ours */
	unlink(at("resolv.conf"));
	killed_run(at("resolv.conf"), at("run"));
	ck_assert_str_eq(get(at("resolv.conf")), "nameserver 10.8.0.1\n");
	next = file_nc(at("resolv.conf"));
	netcfg_set_state_dir(next, at("run"));
	ck_assert_int_eq(access(at("resolv.conf"), F_OK), -1);
	netcfg_free(next);
	rm_tmp();
}
END_TEST

START_TEST(backup_left_when_changed_since)
{
	mkdir_tmp();
	put(at("resolv.conf"), orig);
	killed_run(at("resolv.conf"), at("run"));
	put(at("resolv.conf"), "nameserver 9.9.9.9\n"); /* the admin's */
	struct netcfg *next = file_nc(at("resolv.conf"));
	netcfg_set_state_dir(next, at("run"));
	ck_assert_str_eq(get(at("resolv.conf")), "nameserver 9.9.9.9\n");
	ck_assert_int_eq(access(at("run/sstpc7.resolv-backup"), F_OK), -1);
	netcfg_free(next);
	/* garbage in the backup's place: removed, nothing touched */
	put(at("run/sstpc7.resolv-backup"), "SSTPC-DNS-BACKUP\x01garbage");
	next = file_nc(at("resolv.conf"));
	netcfg_set_state_dir(next, at("run"));
	ck_assert_str_eq(get(at("resolv.conf")), "nameserver 9.9.9.9\n");
	ck_assert_int_eq(access(at("run/sstpc7.resolv-backup"), F_OK), -1);
	netcfg_free(next);
	rm_tmp();
}
END_TEST

START_TEST(backup_record_format)
{
	struct dns_backup b = {.existed = true,
			       .orig = (const uint8_t *)"ab",
			       .orig_len = 2,
			       .ours = (const uint8_t *)"xyz",
			       .ours_len = 3};
	strcpy(b.path, "/etc/resolv.conf");
	uint8_t buf[128];
	size_t n = dns_backup_encode(&b, buf, sizeof(buf));
	ck_assert_uint_eq(n, dns_backup_size(&b));
	uint8_t want[128];
	size_t wn =
	    tu_hex(want, sizeof(want),
		   "5353545043 2d444e53 2d4241434b5550 01 0010 2f6574632f7265736f6c762e636f6e66"
		   "01 00000002 6162 00000003 78797a");
	ck_assert_uint_eq(n, wn);
	ck_assert_mem_eq(buf, want, n);
	struct dns_backup p;
	ck_assert(dns_backup_parse(buf, n, &p));
	ck_assert_str_eq(p.path, "/etc/resolv.conf");
	ck_assert(p.existed);
	ck_assert_uint_eq(p.orig_len, 2);
	ck_assert_mem_eq(p.orig, "ab", 2);
	ck_assert_uint_eq(p.ours_len, 3);
	/* every truncation, a trailing byte, a bad version, a relative path */
	for (size_t i = 0; i < n; i++)
		ck_assert(!dns_backup_parse(buf, i, &p));
	buf[n] = 0;
	ck_assert(!dns_backup_parse(buf, n + 1, &p));
	buf[16] = 2;
	ck_assert(!dns_backup_parse(buf, n, &p));
	buf[16] = 1;
	buf[19] = 'e';
	ck_assert(!dns_backup_parse(buf, n, &p));
	buf[19] = '/';
	buf[35] = 2; /* existed must be 0 or 1 */
	ck_assert(!dns_backup_parse(buf, n, &p));
	/* nothing existed but an original is given: invalid */
	b.existed = false;
	ck_assert_uint_eq(dns_backup_encode(&b, buf, sizeof(buf)), 0);
	b.orig_len = 0;
	ck_assert_uint_gt(dns_backup_encode(&b, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(dns_backup_encode(&b, buf, 10), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("resolvfile");
	TCase *tc = tcase_create("file");
	tcase_add_test(tc, symlink_target_replaced_atomically);
	tcase_add_test(tc, bind_mount_rewritten_in_place);
	tcase_add_test(tc, backup_restored_by_next_start);
	tcase_add_test(tc, backup_left_when_changed_since);
	tcase_add_test(tc, backup_record_format);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
