/*
 * Unit tests for common/cli.c: cli_size (a number with an optional k, M or
 * G suffix in its usual spellings, powers of 1024), cli_uint (a
 * non-negative integer up to a maximum), cli_seconds (a fraction of
 * seconds up to a day), cli_env (a variable set and not empty), and the
 * records on stdout: out
 * counts as lost exactly the records that did not reach stdout whole, on
 * /dev/full, on a pipe that takes only part of a buffer, and with records
 * larger than the buffer. The output tests run in child processes, each
 * with its own stdout, since out_finish() closes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "exitcode.h"
#include "harness.h"

/* Checks that cli_size parses s as want. */
static void
check_size(const char *s, size_t want, int line)
{
	size_t got = 12345;

	if (cli_size(s, &got) != 0 || got != want) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: cli_size(\"%s\") gave %zu, want %zu\n",
		    __FILE__, line, s, got, want);
	}
}

/* Checks that cli_size refuses s. */
static void
check_size_bad(const char *s, int line)
{
	size_t got = 0;

	if (cli_size(s, &got) != -1) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: cli_size(\"%s\") took it as %zu\n",
		    __FILE__, line, s ? s : "(null)", got);
	}
}

#define CHECK_SIZE(s, want) check_size((s), (want), __LINE__)
#define CHECK_SIZE_BAD(s) check_size_bad((s), __LINE__)

TEST(size_plain)
{
	CHECK_SIZE("1024", 1024);
	CHECK_SIZE("0", 0);
	CHECK_SIZE("1", 1);
	CHECK_SIZE("007", 7);
	CHECK_SIZE("10b", 10);
	CHECK_SIZE("10B", 10);
}

TEST(size_suffixes)
{
	CHECK_SIZE("1k", 1024);
	CHECK_SIZE("1K", 1024);
	CHECK_SIZE("3kb", 3 * 1024);
	CHECK_SIZE("64KiB", 64 * 1024);
	CHECK_SIZE("64kib", 64 * 1024);
	CHECK_SIZE("1M", 1024 * 1024);
	CHECK_SIZE("1m", 1024 * 1024);
	CHECK_SIZE("5MB", (size_t)5 << 20);
	CHECK_SIZE("2MiB", (size_t)2 << 20);
	CHECK_SIZE("1G", (size_t)1 << 30);
	CHECK_SIZE("3gb", (size_t)3 << 30);
	CHECK_SIZE("4GiB", (size_t)4 << 30);
	CHECK_SIZE("0M", 0);
}

TEST(size_malformed)
{
	CHECK_SIZE_BAD("");
	CHECK_SIZE_BAD("x");
	CHECK_SIZE_BAD("1X");
	CHECK_SIZE_BAD("-1");
	CHECK_SIZE_BAD(" 1");
	CHECK_SIZE_BAD("1 ");
	CHECK_SIZE_BAD("1 k");
	CHECK_SIZE_BAD("1.5M");
	CHECK_SIZE_BAD("k");
	CHECK_SIZE_BAD("M1");
	CHECK_SIZE_BAD("1kk");
	CHECK_SIZE_BAD("1KiBs");
	CHECK_SIZE_BAD("1T");
	CHECK_SIZE_BAD("0x10");
	CHECK_SIZE_BAD(NULL);
}

TEST(size_overflow)
{
	CHECK_SIZE_BAD("99999999999999999999");
	CHECK_SIZE_BAD("18446744073709551615");
	CHECK_SIZE_BAD("18446744073709551616k");
	/* 2^33 GiB is 2^63 bytes, over any buffer's maximum. */
	CHECK_SIZE_BAD("8589934592G");
	CHECK_SIZE_BAD("9007199254740992M");
	CHECK_SIZE("1048576G", (size_t)1 << 50);
}

/* Checks that cli_uint parses s (at most max) as want. */
static void
check_uint(
    const char *s, unsigned long long max, unsigned long long want, int line)
{
	unsigned long long got = 12345;

	if (cli_uint(s, max, &got) != 0 || got != want) {
		harness_failed_checks++;
		fprintf(stderr,
		    "%s:%d: cli_uint(\"%s\") gave %llu, want %llu\n", __FILE__,
		    line, s, got, want);
	}
}

/* Checks that cli_uint refuses s and leaves *out alone. */
static void
check_uint_bad(const char *s, unsigned long long max, int line)
{
	unsigned long long got = 0;

	if (cli_uint(s, max, &got) != -1) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: cli_uint(\"%s\") took it as %llu\n",
		    __FILE__, line, s ? s : "(null)", got);
	}
}

#define CHECK_UINT(s, max, want) check_uint((s), (max), (want), __LINE__)
#define CHECK_UINT_BAD(s, max) check_uint_bad((s), (max), __LINE__)

TEST(uint_in_range)
{
	CHECK_UINT("0", 10, 0);
	CHECK_UINT("10", 10, 10);
	CHECK_UINT("7", 10, 7);
	CHECK_UINT("007", 10, 7);
	CHECK_UINT("0", 0, 0);
	CHECK_UINT("18446744073709551615", ULLONG_MAX, ULLONG_MAX);
	CHECK_UINT("4294967296", ULLONG_MAX, 4294967296ull);
}

TEST(uint_over_max)
{
	CHECK_UINT_BAD("11", 10);
	CHECK_UINT_BAD("1", 0);
	CHECK_UINT_BAD("100000000000", 99999999999ull);
	CHECK_UINT_BAD("18446744073709551616", ULLONG_MAX);
	CHECK_UINT_BAD("99999999999999999999999", ULLONG_MAX);
}

TEST(env_set_and_not_empty)
{
	unsetenv("SLUICE_UNIT_VAR");
	CHECK(cli_env("SLUICE_UNIT_VAR") == NULL);
	setenv("SLUICE_UNIT_VAR", "", 1);
	CHECK(cli_env("SLUICE_UNIT_VAR") == NULL);
	setenv("SLUICE_UNIT_VAR", " ", 1);
	CHECK_STR(cli_env("SLUICE_UNIT_VAR"), " ");
	unsetenv("SLUICE_UNIT_VAR");
}

TEST(uint_malformed)
{
	CHECK_UINT_BAD("", 10);
	CHECK_UINT_BAD("-1", 10);
	CHECK_UINT_BAD("-0", 10);
	CHECK_UINT_BAD("x", 10);
	CHECK_UINT_BAD("1x", 10);
	CHECK_UINT_BAD("5k", 10000);
	CHECK_UINT_BAD(" 1", 10);
	CHECK_UINT_BAD("1 ", 10);
	CHECK_UINT_BAD("1.0", 10);
	CHECK_UINT_BAD(NULL, 10);
}

/* What a child writing records saw, sent back to the test. */
struct out_result {
	int first_failed; /* the index of the first record refused, or -1 */
	int status;       /* out_finish()'s */
	int err;          /* out_errno() */
	unsigned long long lost;
};

/*
 * Writes n records of size bytes each (the last byte a \n) to fd as
 * stdout, in a child, and returns what it saw. fd is closed.
 */
static struct out_result
write_records(int fd, int n, size_t size, int line_buffered)
{
	struct out_result res = {-1, -1, -1, 0};
	struct buf rec = BUF_INIT;
	int report[2], i, status;
	pid_t pid;

	if (pipe(report) < 0)
		return res;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		close(report[0]);
		dup2(fd, STDOUT_FILENO);
		close(fd);
		while (rec.len + 1 < size)
			buf_addc(&rec, 'x');
		buf_addc(&rec, '\n');
		out_init(line_buffered);
		for (i = 0; i < n; i++) {
			if (out_record(&rec) < 0 && res.first_failed < 0)
				res.first_failed = i;
		}
		/* stderr stays quiet: out_finish() may say why it failed. */
		freopen("/dev/null", "w", stderr);
		res.status = out_finish();
		res.err = out_errno();
		res.lost = out_lost();
		_exit(
		    write(report[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(fd);
	close(report[1]);
	if (pid < 0 || read(report[0], &res, sizeof(res)) != sizeof(res))
		res.status = -1;
	close(report[0]);
	waitpid(pid, &status, 0);
	return res;
}

/* The \n bytes in what can be read from fd now (nonblocking), and all. */
static size_t
drain(int fd, size_t *bytes)
{
	char chunk[4096];
	size_t lines = 0;
	ssize_t n, i;

	*bytes = 0;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		*bytes += (size_t)n;
		for (i = 0; i < n; i++)
			lines += chunk[i] == '\n';
	}
	return lines;
}

TEST(seconds_in_range)
{
	double v = -1;

	CHECK(cli_seconds("0", &v) == 0 && v == 0);
	CHECK(cli_seconds("2.5", &v) == 0 && v == 2.5);
	CHECK(cli_seconds("86400", &v) == 0 && v == 86400);
	CHECK(cli_seconds(".25", &v) == 0 && v == 0.25);
	CHECK(cli_seconds("1e1", &v) == 0 && v == 10);
}

TEST(seconds_refused)
{
	double v = 7;

	CHECK(cli_seconds("", &v) < 0);
	CHECK(cli_seconds("-1", &v) < 0);
	CHECK(cli_seconds("86400.5", &v) < 0);
	CHECK(cli_seconds("5s", &v) < 0);
	CHECK(cli_seconds("nan", &v) < 0);
	CHECK(cli_seconds("inf", &v) < 0);
	CHECK(cli_seconds("ten", &v) < 0);
	CHECK(v == 7); /* unchanged */
}

TEST(out_counts_what_reached_a_file)
{
	char path[sizeof(HARNESS_TMP)];
	struct out_result r;
	size_t bytes;
	int fd;

	CHECK(harness_tmpfile(path, "", 0) == 0);
	/* Small records, and records larger than the 256 KiB buffer. */
	fd = open(path, O_WRONLY | O_TRUNC);
	r = write_records(fd, 3000, 100, 0);
	CHECK(r.status == EXIT_OK && r.err == 0 && r.lost == 0);
	CHECK(r.first_failed == -1);
	fd = open(path, O_RDONLY);
	CHECK(drain(fd, &bytes) == 3000 && bytes == 300000);
	close(fd);
	fd = open(path, O_WRONLY | O_TRUNC);
	r = write_records(fd, 3, 300 * 1024, 1);
	CHECK(r.status == EXIT_OK && r.lost == 0);
	fd = open(path, O_RDONLY);
	CHECK(drain(fd, &bytes) == 3 && bytes == 3 * 300 * 1024);
	close(fd);
	remove(path);
}

TEST(out_on_a_full_disk_loses_every_record)
{
	int fd = open("/dev/full", O_WRONLY);
	struct out_result r;

	CHECK(fd >= 0);
	r = write_records(fd, 5000, 100, 0);
	CHECK(r.status == EXIT_IOERR && r.err == ENOSPC && r.lost == 5000);
	/* The first flush is when the buffer is full: record 2621. */
	CHECK(r.first_failed == 2621);
	fd = open("/dev/full", O_WRONLY);
	r = write_records(fd, 10, 100, 0);
	/* Nothing failed before out_finish(), which says so. */
	CHECK(r.first_failed == -1 && r.status == EXIT_IOERR && r.lost == 10);
}

TEST(out_on_a_pipe_that_takes_part_of_a_buffer)
{
	struct out_result r;
	size_t lines, bytes;
	int p[2];

	/* A nonblocking pipe nobody reads takes what fits, then EAGAIN. */
	CHECK(pipe(p) == 0);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	r = write_records(p[1], 5000, 100, 0);
	lines = drain(p[0], &bytes);
	close(p[0]);
	CHECK(r.status == EXIT_IOERR && r.err == EAGAIN);
	CHECK(lines > 0 && lines < 5000 && bytes > lines * 100);
	/* Written whole: the lines that arrived; lost: every other one,
	 * the one cut short included. */
	CHECK(r.lost == 5000 - lines);
}

int
main(void)
{
	RUN(size_plain);
	RUN(size_suffixes);
	RUN(size_malformed);
	RUN(size_overflow);
	RUN(uint_in_range);
	RUN(uint_over_max);
	RUN(uint_malformed);
	RUN(seconds_in_range);
	RUN(seconds_refused);
	RUN(env_set_and_not_empty);
	RUN(out_counts_what_reached_a_file);
	RUN(out_on_a_full_disk_loses_every_record);
	RUN(out_on_a_pipe_that_takes_part_of_a_buffer);
	return harness_done();
}
