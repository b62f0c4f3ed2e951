/*
 * Unit tests for common/wholefile.c: --output refused when empty, a
 * directory or not a regular file; a named file appears only at the
 * commit, whole, with mode 0600, and a restart empties what was written;
 * without a name the bytes are copied to stdout and no temporary file is
 * left; the failures name the file concerned, and a release removes what
 * was not committed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "diag.h"
#include "harness.h"
#include "wholefile.h"

/*
 * A fresh directory for a test in dir (room for sizeof(HARNESS_TMP)), and
 * the name tail in it in path (size bytes) unless path is NULL. 0 or -1.
 */
static int
fresh(char *dir, char *path, size_t size, const char *tail)
{
	memcpy(dir, HARNESS_TMP, sizeof(HARNESS_TMP));
	if (mkdtemp(dir) == NULL)
		return -1;
	if (path)
		snprintf(path, size, "%s/%s", dir, tail);
	return 0;
}

/* Files in dir. */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		n +=
		    strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	if (d)
		closedir(d);
	return n;
}

/* The file's contents in out (emptied first). */
static void
slurp(const char *path, struct buf *out)
{
	char chunk[256];
	FILE *fp = fopen(path, "rb");
	size_t n;

	buf_reset(out);
	buf_adds(out, "");
	while (fp && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(out, chunk, n);
	if (fp)
		fclose(fp);
}

/* wholefile_check()'s verdict: "ok" or its reason. */
static const char *
check(const char *path, struct buf *why)
{
	buf_reset(why);
	return wholefile_check(path, why) == 0 ? "ok" : why->data;
}

TEST(check_output)
{
	struct buf why = BUF_INIT;
	char dir[sizeof(HARNESS_TMP)], path[64];

	CHECK(fresh(dir, path, sizeof(path), "report.csv") == 0);
	CHECK_STR(check(path, &why), "ok"); /* need not exist */
	CHECK(fclose(fopen(path, "w")) == 0);
	CHECK_STR(check(path, &why), "ok"); /* a regular file is replaced */
	CHECK_STR(
	    check("", &why), "--output needs a file name (or - for stdout)");
	CHECK_STR(check("nowhere/", &why),
	    "--output 'nowhere/' is a directory: name the file to write");
	CHECK(strstr(check(dir, &why), "is a directory") != NULL);
	CHECK_STR(check("/dev/null", &why),
	    "--output '/dev/null' is not a regular file: leave --output out "
	    "to write to stdout");
	unlink(path);
	rmdir(dir);
	buf_release(&why);
}

TEST(named_file_whole_at_the_commit)
{
	struct wholefile w;
	struct buf got = BUF_INIT;
	struct stat sb;
	char dir[sizeof(HARNESS_TMP)], path[64];

	CHECK(fresh(dir, path, sizeof(path), "report.csv") == 0);
	wholefile_init(&w);
	CHECK(wholefile_open(&w, path, "unit") == 0);
	CHECK(w.tmp && strncmp(w.tmp, path, strlen(path)) == 0 &&
	      strncmp(w.tmp + strlen(path), ".tmp-", 5) == 0);
	CHECK(stat(w.tmp, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK(wholefile_write(&w, "cut sh", 6) == 0 && w.bytes == 6);
	/* Sent again from its start. */
	CHECK(wholefile_restart(&w) == 0 && w.bytes == 0);
	CHECK(wholefile_write(&w, "a,b\n", 4) == 0);
	CHECK(wholefile_write(&w, "1,2\n", 4) == 0 && w.bytes == 8);
	CHECK(access(path, F_OK) != 0); /* nothing there before the commit */
	CHECK(wholefile_commit(&w) == 0);
	CHECK(w.tmp == NULL && w.fd == -1);
	slurp(path, &got);
	CHECK_STR(got.data, "a,b\n1,2\n");
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	wholefile_release(&w);
	CHECK(entries(dir) == 1); /* the file itself, no temporary one */
	unlink(path);
	rmdir(dir);
	buf_release(&got);
}

TEST(released_before_the_commit)
{
	struct wholefile w;
	char dir[sizeof(HARNESS_TMP)], path[64];

	CHECK(fresh(dir, path, sizeof(path), "report.csv") == 0);
	wholefile_init(&w);
	CHECK(wholefile_open(&w, path, "unit") == 0);
	CHECK(wholefile_write(&w, "half", 4) == 0);
	CHECK(entries(dir) == 1);
	wholefile_release(&w);
	CHECK(entries(dir) == 0 && w.fd == -1 && w.tmp == NULL);
	rmdir(dir);
}

TEST(stdout_copied_whole)
{
	struct wholefile w;
	struct buf got = BUF_INIT;
	char dir[sizeof(HARNESS_TMP)], out[sizeof(HARNESS_TMP)];
	int saved, fd;

	CHECK(fresh(dir, NULL, 0, NULL) == 0);
	setenv("TMPDIR", dir, 1);
	wholefile_init(&w);
	CHECK(wholefile_open(&w, NULL, "unit") == 0);
	unsetenv("TMPDIR");
	/* Unlinked at once: nothing is left behind, whatever happens. */
	CHECK(w.tmp == NULL && entries(dir) == 0);
	CHECK(wholefile_write(&w, "x,y\n", 4) == 0);
	CHECK(harness_tmpfile(out, "", 0) == 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(out, O_WRONLY);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	CHECK(wholefile_commit(&w) == 0);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	slurp(out, &got);
	CHECK_STR(got.data, "x,y\n");
	wholefile_release(&w);
	unlink(out);
	rmdir(dir);
	buf_release(&got);
}

TEST(failures_name_the_file)
{
	struct wholefile w;
	char dir[sizeof(HARNESS_TMP)], path[80];

	CHECK(fresh(dir, path, sizeof(path), "no/such/dir/report.csv") == 0);
	wholefile_init(&w);
	CHECK(wholefile_open(&w, path, "unit") == -1);
	CHECK(w.where == path && w.err == ENOENT);
	wholefile_release(&w);
	setenv("TMPDIR", "/nonexistent-sluice-dir", 1);
	CHECK(wholefile_open(&w, NULL, "unit") == -1);
	CHECK_STR(w.where, "/nonexistent-sluice-dir");
	CHECK(w.err == ENOENT);
	wholefile_release(&w);
	/* An empty TMPDIR is /tmp. */
	setenv("TMPDIR", "", 1);
	CHECK(wholefile_open(&w, NULL, "unit") == 0);
	wholefile_release(&w);
	unsetenv("TMPDIR");
	/* The rename onto a directory that is not empty fails: the
	 * destination is named, and the temporary file goes at release. */
	snprintf(path, sizeof(path), "%s/taken", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/taken/x", dir);
	CHECK(fclose(fopen(path, "w")) == 0);
	snprintf(path, sizeof(path), "%s/taken", dir);
	CHECK(wholefile_open(&w, path, "unit") == 0);
	CHECK(wholefile_commit(&w) == -1);
	CHECK(w.where == path && w.err != 0);
	wholefile_release(&w);
	CHECK(entries(dir) == 1);
	snprintf(path, sizeof(path), "%s/taken/x", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/taken", dir);
	rmdir(path);
	rmdir(dir);
}

TEST(delivered_or_said)
{
	struct wholefile w;
	struct buf got = BUF_INIT, said = BUF_INIT;
	char dir[sizeof(HARNESS_TMP)], path[80];

	diag_init("unit");
	CHECK(fresh(dir, path, sizeof(path), "report.csv") == 0);
	wholefile_init(&w);
	CHECK(wholefile_open(&w, path, "unit") == 0);
	CHECK(wholefile_write(&w, "a\n", 2) == 0);
	CHECK(wholefile_deliver(&w, "report") == 0);
	slurp(path, &got);
	CHECK_STR(got.data, "a\n");
	wholefile_release(&w);
	unlink(path);
	/* The rename onto a directory that is not empty fails: said. */
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/report.csv/x", dir);
	CHECK(fclose(fopen(path, "w")) == 0);
	snprintf(path, sizeof(path), "%s/report.csv", dir);
	CHECK(wholefile_open(&w, path, "unit") == 0);
	CHECK(capture_begin() == 0);
	CHECK(wholefile_deliver(&w, "report") == 74);
	capture_end(&said);
	CHECK(strstr(said.data, "unit: ") == said.data &&
	      strstr(said.data, "report.csv: cannot write: ") != NULL);
	wholefile_release(&w);
	snprintf(path, sizeof(path), "%s/report.csv/x", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/report.csv", dir);
	rmdir(path);
	rmdir(dir);
	buf_release(&got);
	buf_release(&said);
}

int
main(void)
{
	RUN(check_output);
	RUN(named_file_whole_at_the_commit);
	RUN(released_before_the_commit);
	RUN(stdout_copied_whole);
	RUN(failures_name_the_file);
	RUN(delivered_or_said);
	return harness_done();
}
