/*
 * Unit tests for common/lines.c: lines ended by \n, a last line without
 * one, empty lines, NUL bytes, lines longer than the maximum reported once
 * and skipped with the following line and the line numbers right, and many
 * lines across the reader's internal chunk boundaries read back exactly.
 * Temporary files go under /tmp and are removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "input.h"
#include "lines.h"

/*
 * Reads n bytes of data as lines of at most max bytes, and describes every
 * result on a line of out: "LINENO:TEXT" for a line, "LINENO!" for one too
 * long, "error" for a read error. Also checks that the bytes shown for a
 * line too long are the start of that line.
 */
static void
run(const char *data, size_t n, size_t max, struct buf *out)
{
	char path[sizeof(HARNESS_TMP)];
	struct input in;
	struct lines lr;
	const char *line, *nl;
	size_t len, pos = 0;
	enum lines_status st;

	CHECK(harness_tmpfile(path, data, n) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	lines_init(&lr, &in, max);
	while ((st = lines_next(&lr, &line, &len)) != LINES_EOF) {
		if (st == LINES_ERROR) {
			buf_adds(out, "error\n");
			break;
		}
		if (st == LINES_OK) {
			buf_printf(out, "%llu:", lr.lineno);
			buf_add(out, line, len);
			buf_addc(out, '\n');
		} else {
			buf_printf(out, "%llu!\n", lr.lineno);
			CHECK(len > 0 && len <= 4096 && len <= n - pos);
			CHECK(memcmp(line, data + pos, len) == 0);
		}
		/* Where the next line starts in data. */
		nl = memchr(data + pos, '\n', n - pos);
		pos = nl ? (size_t)(nl - data) + 1 : n;
	}
	CHECK(pos == n);
	/* The end stays the end. */
	CHECK(lines_next(&lr, &line, &len) == LINES_EOF);
	lines_release(&lr);
	input_close(&in);
	remove(path);
}

/* Runs a string literal through run() and compares the description. */
#define CHECK_LINES(lit, max, want)                                            \
	do {                                                                   \
		struct buf o_ = BUF_INIT;                                      \
		run((lit), sizeof(lit) - 1, (max), &o_);                       \
		CHECK_MEM(o_.data ? o_.data : "", o_.len, (want));             \
		buf_release(&o_);                                              \
	} while (0)

TEST(simple_lines)
{
	CHECK_LINES("a\nbb\nccc\n", 100, "1:a\n2:bb\n3:ccc\n");
	CHECK_LINES("one line\n", 100, "1:one line\n");
}

TEST(last_line_without_newline)
{
	CHECK_LINES("a\nb", 100, "1:a\n2:b\n");
	CHECK_LINES("alone", 100, "1:alone\n");
}

TEST(empty_lines)
{
	CHECK_LINES("\n\na\n\n", 100, "1:\n2:\n3:a\n4:\n");
	CHECK_LINES("\n", 100, "1:\n");
	CHECK_LINES("", 100, "");
}

TEST(carriage_return_is_data)
{
	/* Only \n ends a line; a \r before it stays in the line. */
	CHECK_LINES("a\r\nb\rc\n", 100, "1:a\r\n2:b\rc\n");
}

TEST(nul_bytes_are_data)
{
	struct buf o = BUF_INIT;

	run("a\0b\n\0\n", 6, 100, &o);
	CHECK(o.len == 10 && memcmp(o.data, "1:a\0b\n2:\0\n", 10) == 0);
	buf_release(&o);
}

TEST(too_long_then_next)
{
	CHECK_LINES("abc\nxxxxxxxxxx\nxy\n", 5, "1:abc\n2!\n3:xy\n");
}

TEST(exactly_max)
{
	/* max bytes is fine, max + 1 is not. */
	CHECK_LINES("12345\nxxxxxx\n12345\n", 5, "1:12345\n2!\n3:12345\n");
	CHECK_LINES("12345", 5, "1:12345\n");
	CHECK_LINES("xxxxxx", 5, "1!\n");
}

TEST(too_long_first_and_last)
{
	CHECK_LINES("xxxxxxxxxx\nok\n", 5, "1!\n2:ok\n");
	CHECK_LINES("ok\nxxxxxxxxxx", 5, "1:ok\n2!\n");
	CHECK_LINES("ok\nxxxxxxxxxx\n", 5, "1:ok\n2!\n");
}

TEST(too_long_consecutive)
{
	CHECK_LINES("xxxxxxxxxx\nyyyyyyy\n\nzzzzzzzzzzzzzzzzzzzz\nz\n", 5,
	    "1!\n2!\n3:\n4!\n5:z\n");
}

/* A line of n copies of c and a \n, appended to b. */
static void
add_line(struct buf *b, char c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_addc(b, c);
	buf_addc(b, '\n');
}

TEST(too_long_big)
{
	struct buf data = BUF_INIT, o = BUF_INIT;

	/* Far over the maximum and over many internal chunks. */
	buf_adds(&data, "first\n");
	add_line(&data, 'x', 3 * 1024 * 1024);
	buf_adds(&data, "after\n");
	add_line(&data, 'y', 70 * 1024);
	buf_adds(&data, "last");
	run(data.data, data.len, 64 * 1024, &o);
	CHECK_STR(o.data, "1:first\n2!\n3:after\n4!\n5:last\n");
	buf_release(&data);
	buf_release(&o);
}

TEST(long_line_within_max)
{
	struct buf data = BUF_INIT, o = BUF_INIT, want = BUF_INIT;

	/* A line longer than the internal chunk, under the maximum. */
	add_line(&data, 'a', 600 * 1024);
	buf_adds(&data, "end\n");
	run(data.data, data.len, 1024 * 1024, &o);
	buf_adds(&want, "1:");
	buf_add(&want, data.data, data.len - 4);
	buf_adds(&want, "2:end\n");
	CHECK(o.len == want.len && memcmp(o.data, want.data, o.len) == 0);
	buf_release(&data);
	buf_release(&o);
	buf_release(&want);
}

TEST(max_size_max)
{
	/* The largest size_t as the maximum: no line is too long. */
	CHECK_LINES("a\nbb\n", (size_t)-1, "1:a\n2:bb\n");
}

TEST(line_numbers_after_too_long)
{
	char path[sizeof(HARNESS_TMP)];
	static const char data[] = "a\nxxxxxxxxxxxx\nb\n\nxxxxxxxxx";
	struct input in;
	struct lines lr;
	const char *line;
	size_t len;

	CHECK(harness_tmpfile(path, data, sizeof(data) - 1) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	lines_init(&lr, &in, 8);
	CHECK(lines_next(&lr, &line, &len) == LINES_OK);
	CHECK(lr.lineno == 1);
	CHECK(lines_next(&lr, &line, &len) == LINES_TOOLONG);
	CHECK(lr.lineno == 2);
	CHECK(len >= 1 && memcmp(line, "x", 1) == 0);
	CHECK(lines_next(&lr, &line, &len) == LINES_OK);
	CHECK(lr.lineno == 3);
	CHECK_MEM(line, len, "b");
	CHECK(lines_next(&lr, &line, &len) == LINES_OK);
	CHECK(lr.lineno == 4);
	CHECK(len == 0);
	CHECK(lines_next(&lr, &line, &len) == LINES_TOOLONG);
	CHECK(lr.lineno == 5);
	CHECK(lines_next(&lr, &line, &len) == LINES_EOF);
	lines_release(&lr);
	input_close(&in);
	remove(path);
}

/*
 * Writes 100,000 lines of varied lengths, so that they end anywhere in the
 * reader's chunks, and reads them back with the given maximum.
 */
static void
many_lines(size_t max)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf data = BUF_INIT, want = BUF_INIT;
	struct input in;
	struct lines lr;
	const char *line;
	size_t len;
	unsigned long i, bad = 0, n = 100000;
	enum lines_status st;

	for (i = 0; i < n; i++) {
		buf_printf(&data, "%lu:", i);
		add_line(&data, (char)('a' + i % 26), i % 37);
	}
	CHECK(data.len > 3 * 256 * 1024);
	CHECK(harness_tmpfile(path, data.data, data.len) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	lines_init(&lr, &in, max);
	for (i = 0; (st = lines_next(&lr, &line, &len)) == LINES_OK; i++) {
		buf_reset(&want);
		buf_printf(&want, "%lu:", i);
		add_line(&want, (char)('a' + i % 26), i % 37);
		if (len != want.len - 1 || memcmp(line, want.data, len) != 0 ||
		    lr.lineno != i + 1) {
			if (bad++ < 5)
				fprintf(stderr, "line %lu: got \"%.*s\"\n",
				    i + 1, (int)len, line);
		}
	}
	CHECK(st == LINES_EOF);
	CHECK(i == n);
	CHECK(bad == 0);
	lines_release(&lr);
	input_close(&in);
	remove(path);
	buf_release(&data);
	buf_release(&want);
}

TEST(many_lines_small_max)
{
	many_lines(4096);
}

TEST(many_lines_large_max)
{
	many_lines((size_t)64 << 20);
}

TEST(tiny_max_many_lines)
{
	struct buf data = BUF_INIT, o = BUF_INIT, want = BUF_INIT;
	unsigned long i;

	/* A maximum of 4 bytes: short lines that fit, 3000 times. */
	for (i = 0; i < 3000; i++) {
		buf_printf(&data, "%lu\n", i * 7 % 10000);
		buf_printf(&want, "%lu:%lu\n", i + 1, i * 7 % 10000);
	}
	run(data.data, data.len, 4, &o);
	CHECK(o.len == want.len && memcmp(o.data, want.data, o.len) == 0);
	buf_release(&data);
	buf_release(&o);
	buf_release(&want);
}

int
main(void)
{
	RUN(simple_lines);
	RUN(last_line_without_newline);
	RUN(empty_lines);
	RUN(carriage_return_is_data);
	RUN(nul_bytes_are_data);
	RUN(too_long_then_next);
	RUN(exactly_max);
	RUN(too_long_first_and_last);
	RUN(too_long_consecutive);
	RUN(too_long_big);
	RUN(long_line_within_max);
	RUN(max_size_max);
	RUN(line_numbers_after_too_long);
	RUN(many_lines_small_max);
	RUN(many_lines_large_max);
	RUN(tiny_max_many_lines);
	return harness_done();
}
