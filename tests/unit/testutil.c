#include "testutil.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

size_t tu_hex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;
	int hi = -1;
	for (const char *p = hex; *p; p++) {
		if (isspace((unsigned char)*p))
			continue;
		int v =
		    isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
		if (v < 0 || v > 15)
			abort();
		if (hi < 0) {
			hi = v;
		} else {
			if (n >= cap)
				abort();
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		abort();
	return n;
}

int tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void tu_expect_bytes(const char *what, const uint8_t *got, size_t len, const char *hex, bool prefix)
{
	static uint8_t want[1 << 16];
	size_t n = tu_hex(want, sizeof(want), hex);
	bool ok = prefix ? len >= n && !memcmp(got, want, n) : len == n && !memcmp(got, want, n);
	if (ok)
		return;
	static char shown[2 * 4096 + 4];
	size_t k = len < 4096 ? len : 4096;
	for (size_t i = 0; i < k; i++)
		snprintf(shown + 2 * i, 3, "%02x", got[i]);
	if (k < len)
		strcat(shown, "...");
	ck_abort_msg("%s: got %s (%zu bytes), want %s%s", what, k ? shown : "nothing", len,
		     prefix ? "prefix " : "", hex);
}

void tu_capture_reset(struct tu_capture *c)
{
	c->n = c->head = 0;
	c->start[0] = 0;
}

void tu_capture_add(struct tu_capture *c, const uint8_t *f, size_t len)
{
	ck_assert_int_lt(c->n, TU_FRAMES);
	size_t at = c->start[c->n];
	ck_assert_uint_le(len, sizeof(c->bytes) - at);
	memcpy(c->bytes + at, f, len);
	c->start[++c->n] = at + len;
}

const uint8_t *tu_frame(const struct tu_capture *c, int i, size_t *len)
{
	ck_assert_msg(i >= 0 && i < c->n, "frame %d asked, %d sent", i, c->n);
	if (len)
		*len = c->start[i + 1] - c->start[i];
	return c->bytes + c->start[i];
}

const uint8_t *tu_expect_next(struct tu_capture *c, const char *hex, bool prefix)
{
	ck_assert_msg(c->head < c->n, "no frame sent, expected %s", hex);
	size_t len;
	const uint8_t *f = tu_frame(c, c->head, &len);
	char what[32];
	snprintf(what, sizeof(what), "frame %d", c->head++);
	tu_expect_bytes(what, f, len, hex, prefix);
	return f;
}

void tu_expect_frame(const struct tu_capture *c, int i, const char *hex)
{
	size_t len;
	const uint8_t *f = tu_frame(c, i, &len);
	char what[32];
	snprintf(what, sizeof(what), "frame %d", i);
	tu_expect_bytes(what, f, len, hex, false);
}

void tu_expect_none(const struct tu_capture *c)
{
	if (c->head == c->n)
		return;
	size_t len;
	const uint8_t *f = tu_frame(c, c->head, &len);
	char what[48];
	snprintf(what, sizeof(what), "frame %d (unexpected)", c->head);
	tu_expect_bytes(what, f, len, "", false);
}

void tu_counter_bytes(uint8_t *counter, void *buf, size_t len)
{
	uint8_t *b = buf;
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(0x41 + (*counter)++);
}

char tu_certdir[256];

void tu_tmpdir_make(char *dir, size_t cap, const char *tag)
{
	int n = snprintf(dir, cap, "/tmp/sstpc-%s-XXXXXX", tag);
	ck_assert_msg(n > 0 && (size_t)n < cap, "temp dir name for '%s' too long", tag);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir, strerror(errno));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	if (remove(path) != 0) {
		fprintf(stderr, "cannot remove %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

bool tu_tmpdir_remove(const char *dir)
{
	/* depth first (contents before their directory), not following
	 * symlinks; 16 descriptors are plenty for the tests' shallow trees */
	return dir[0] && nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0;
}

void tu_certs_make(const char *tag)
{
	const char *src = getenv("SSTPC_SOURCE_DIR");
	ck_assert_msg(src != NULL, "SSTPC_SOURCE_DIR not set");
	char name[64];
	snprintf(name, sizeof(name), "%s-test", tag);
	tu_tmpdir_make(tu_certdir, sizeof(tu_certdir), name);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/certs/gen-certs.sh' '%s' >/dev/null", src,
		 tu_certdir);
	ck_assert_int_eq(system(cmd), 0);
}

void tu_certs_remove(void)
{
	if (!tu_tmpdir_remove(tu_certdir))
		fprintf(stderr, "cleanup of %s failed\n", tu_certdir);
}

const char *tu_cert_path(const char *name)
{
	static char buf[32][512];
	static unsigned i;
	i = (i + 1) % 32;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tu_certdir, name);
	return buf[i];
}
