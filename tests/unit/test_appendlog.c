/*
 * Unit tests for common/appendlog.c: lines appended and read back in
 * order; a torn last line skipped by a reader and cut by the next append;
 * two processes appending at once, every line whole; a line with a
 * newline refused; a missing file read as empty.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "appendlog.h"
#include "buf.h"
#include "harness.h"

static char dir[] = "/tmp/test_appendlog.XXXXXX";

static int
collect(void *arg, const char *line, size_t n)
{
	struct buf *b = arg;

	buf_add(b, line, n);
	buf_addc(b, '|');
	return 0;
}

static void
path_of(struct buf *p, const char *name)
{
	buf_reset(p);
	buf_printf(p, "%s/%s", dir, name);
}

TEST(append_and_read)
{
	struct buf p = BUF_INIT, err = BUF_INIT, got = BUF_INIT;

	path_of(&p, "a.ndjson");
	CHECK(appendlog_read(p.data, collect, &got, &err) == 0);
	CHECK(got.len == 0);
	CHECK(appendlog_add(p.data, "{\"a\":1}", 7, &err) == 0);
	CHECK(appendlog_add(p.data, "{\"b\":2}", 7, &err) == 0);
	CHECK(appendlog_read(p.data, collect, &got, &err) == 0);
	CHECK_STR(got.data, "{\"a\":1}|{\"b\":2}|");
	CHECK(appendlog_add(p.data, "x\ny", 3, &err) < 0);
	buf_release(&p);
	buf_release(&err);
	buf_release(&got);
}

TEST(torn_line_cut)
{
	struct buf p = BUF_INIT, err = BUF_INIT, got = BUF_INIT;
	FILE *f;

	path_of(&p, "torn.ndjson");
	f = fopen(p.data, "w");
	fputs("{\"a\":1}\n{\"b\":", f);
	fclose(f);
	CHECK(appendlog_read(p.data, collect, &got, &err) == 0);
	CHECK_STR(got.data, "{\"a\":1}|");
	buf_reset(&got);
	CHECK(appendlog_add(p.data, "{\"c\":3}", 7, &err) == 0);
	CHECK(appendlog_read(p.data, collect, &got, &err) == 0);
	CHECK_STR(got.data, "{\"a\":1}|{\"c\":3}|");
	buf_release(&p);
	buf_release(&err);
	buf_release(&got);
}

static int lines_seen, lines_bad;

static int
count(void *arg, const char *line, size_t n)
{
	int w, i;

	(void)arg;
	lines_seen++;
	if (n < 40 || sscanf(line, "{\"w\":%d,\"i\":%d,", &w, &i) != 2)
		lines_bad++;
	return 0;
}

TEST(two_writers)
{
	struct buf p = BUF_INIT, err = BUF_INIT;
	int k;

	path_of(&p, "two.ndjson");
	for (k = 0; k < 2; k++) {
		if (fork() == 0) {
			struct buf line = BUF_INIT, e = BUF_INIT;
			int i;

			for (i = 0; i < 300; i++) {
				buf_reset(&line);
				buf_printf(&line,
				    "{\"w\":%d,\"i\":%d,\"pad\":\"%0200d\"}", k,
				    i, i);
				if (appendlog_add(
				        p.data, line.data, line.len, &e) < 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	while (wait(&k) > 0)
		CHECK(WIFEXITED(k) && WEXITSTATUS(k) == 0);
	lines_seen = lines_bad = 0;
	CHECK(appendlog_read(p.data, count, NULL, &err) == 0);
	CHECK(lines_seen == 600);
	CHECK(lines_bad == 0);
	buf_release(&p);
	buf_release(&err);
}

static int
stop_at_two(void *arg, const char *line, size_t n)
{
	int *seen = arg;

	(void)line;
	(void)n;
	return ++*seen == 2 ? 7 : 0;
}

TEST(reader_stops)
{
	struct buf p = BUF_INIT, err = BUF_INIT;
	int seen = 0;

	path_of(&p, "a.ndjson");
	CHECK(appendlog_read(p.data, stop_at_two, &seen, &err) == 7);
	CHECK(seen == 2);
	path_of(&p, "no-such-dir/x.ndjson");
	CHECK(appendlog_add(p.data, "{}", 2, &err) < 0);
	CHECK(strstr(err.data, "cannot open") != NULL);
	buf_release(&p);
	buf_release(&err);
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN(append_and_read);
	RUN(torn_line_cut);
	RUN(two_writers);
	RUN(reader_stops);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	wait(NULL);
	return harness_done();
}
