/*
 * Unit tests for common/diag.c: the exact lines diag writes on stderr,
 * "STAGE: FILE:LINE: msg", "STAGE: FILE: msg" when the line is 0 and
 * "STAGE: msg" when there is no file, the stage name from diag_init, and a
 * live progress line erased before the message. stderr is redirected to a
 * temporary file for each check and restored after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "capture.h"
#include "diag.h"
#include "harness.h"
#include "progress.h"

TEST(default_stage_name)
{
	struct buf got = BUF_INIT;

	/* Runs first: before diag_init the programs are "sluice". */
	CHECK_STR(diag_stage(), "sluice");
	CHECK(capture_begin() == 0);
	diag(NULL, 0, "hello");
	capture_end(&got);
	CHECK_STR(got.data, "sluice: hello\n");
	buf_release(&got);
}

TEST(file_and_line)
{
	struct buf got = BUF_INIT;

	diag_init("shape");
	CHECK(capture_begin() == 0);
	diag("in.ndjson", 12, "bad value '%s' (%d)", "x", 7);
	capture_end(&got);
	CHECK_STR(got.data, "shape: in.ndjson:12: bad value 'x' (7)\n");
	buf_release(&got);
}

TEST(large_line_number)
{
	struct buf got = BUF_INIT;

	diag_init("s");
	CHECK(capture_begin() == 0);
	diag("f", 18446744073709551615ULL, "m");
	capture_end(&got);
	CHECK_STR(got.data, "s: f:18446744073709551615: m\n");
	buf_release(&got);
}

TEST(file_without_line)
{
	struct buf got = BUF_INIT;

	diag_init("csv2ndjson");
	CHECK(capture_begin() == 0);
	diag("rejects.ndjson", 0, "cannot write: %s", "No space left");
	capture_end(&got);
	CHECK_STR(got.data,
	    "csv2ndjson: rejects.ndjson: cannot write: No space left\n");
	buf_release(&got);
}

TEST(no_file)
{
	struct buf got = BUF_INIT;

	diag_init("dedupe");
	CHECK(capture_begin() == 0);
	/* Without a file the line number is not shown either. */
	diag(NULL, 42, "in=%d out=%d", 3, 2);
	capture_end(&got);
	CHECK_STR(got.data, "dedupe: in=3 out=2\n");
	buf_release(&got);
}

TEST(several_messages)
{
	struct buf got = BUF_INIT;

	diag_init("status-map");
	CHECK_STR(diag_stage(), "status-map");
	CHECK(capture_begin() == 0);
	diag("a", 1, "one");
	diag("b", 0, "two");
	diag(NULL, 0, "%s", "three %d");
	capture_end(&got);
	CHECK_STR(got.data, "status-map: a:1: one\n"
	                    "status-map: b: two\n"
	                    "status-map: three %d\n");
	buf_release(&got);
}

TEST(name_borrowed)
{
	static char name[16];
	struct buf got = BUF_INIT;

	/* The name is borrowed, not copied: a later change shows. */
	memcpy(name, "first", 6);
	diag_init(name);
	memcpy(name, "later", 6);
	CHECK(capture_begin() == 0);
	diag(NULL, 0, "x");
	capture_end(&got);
	CHECK_STR(got.data, "later: x\n");
	buf_release(&got);
}

TEST(clears_progress_line)
{
	static const char head[] = "\r\033[Kcsv2ndjson: 5 records  ";
	static const char tail[] = "/s\r\033[Kcsv2ndjson: x.csv:3: bad row\n"
	                           "csv2ndjson: next\n";
	struct buf got = BUF_INIT;
	struct progress p;

	diag_init("csv2ndjson");
	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	CHECK(capture_begin() == 0);
	progress_init(&p, "records");
	p.done = 5;
	progress_update(&p, 1);
	diag("x.csv", 3, "bad row");
	/* Erased once: the next message does not erase again. */
	diag(NULL, 0, "next");
	progress_done(&p);
	capture_end(&got);
	CHECK(strncmp(got.data, head, strlen(head)) == 0);
	/* The rate goes before the erase; nothing comes after "next". */
	CHECK(got.len > strlen(tail) &&
	      strcmp(got.data + got.len - strlen(tail), tail) == 0);
	/* Only the one line was drawn: two erases in all. */
	CHECK(count(got.data, "\r\033[K") == 2);
	buf_release(&got);
	unsetenv("SLUICE_PROGRESS");
}

/* A message longer than the line buffer is written whole, in pieces. */
TEST(long_message)
{
	struct buf got = BUF_INIT, want = BUF_INIT;
	char big[6001];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	diag_init("shape");
	CHECK(capture_begin() == 0);
	diag("f.csv", 3, "%s", big);
	capture_end(&got);
	buf_printf(&want, "shape: f.csv:3: %s\n", big);
	CHECK_STR(got.data, want.data);
	buf_release(&got);
	buf_release(&want);
}

/*
 * Two processes writing to one pipe (the stages of an import share one to
 * its log): every line arrives whole, never cut by the other's.
 */
TEST(lines_whole_on_a_shared_pipe)
{
	int fds[2], k, bad = 0, lines = 0;
	char chunk[4096];
	struct buf all = BUF_INIT;
	const char *p, *nl;
	ssize_t n;

	CHECK(pipe(fds) == 0);
	for (k = 0; k < 2; k++) {
		if (fork() == 0) {
			int i;

			close(fds[0]);
			dup2(fds[1], 2);
			diag_init(k ? "shape" : "csv2ndjson");
			for (i = 0; i < 2000; i++)
				diag(NULL, 0,
				    "in=%d out=%d dropped=0 rejected=0", i, i);
			_exit(0);
		}
	}
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
		buf_add(&all, chunk, (size_t)n);
	close(fds[0]);
	while (wait(NULL) > 0)
		;
	for (p = all.data; p && *p; p = nl + 1) {
		int a, b;
		char name[16];

		nl = strchr(p, '\n');
		if (!nl)
			break;
		lines++;
		if (sscanf(p, "%15[a-z0-9]: in=%d out=%d dropped=0 rejected=0",
		        name, &a, &b) != 3 ||
		    a != b)
			bad++;
	}
	CHECK(lines == 4000);
	CHECK(bad == 0);
	buf_release(&all);
}

int
main(void)
{
	RUN(default_stage_name);
	RUN(file_and_line);
	RUN(large_line_number);
	RUN(file_without_line);
	RUN(no_file);
	RUN(several_messages);
	RUN(name_borrowed);
	RUN(clears_progress_line);
	RUN(long_message);
	RUN(lines_whole_on_a_shared_pipe);
	return harness_done();
}
