/*
 * Unit tests for common/input.c on a pipe (stdin), the path that reads as
 * data comes: plain bytes returned before the writer is through (not
 * waiting to fill a buffer, which is what made a slow trickle wait), gzip
 * inflated as its bytes come (a member flushed half-way gives its first
 * half at once), members one after another, bytes after the last member
 * that are not gzip refused once the data before them is read, a
 * truncated stream (its data, then INPUT_CORRUPT), damaged
 * data, an input of one byte and an empty one. An alarm turns a read that
 * waits for more than it should into a failure instead of a hang.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "harness.h"
#include "input.h"

static int saved_stdin = -1, wfd = -1;

/* Makes stdin the read end of a fresh pipe; wfd its write end. */
static int
pipe_stdin(void)
{
	int p[2];

	if (pipe(p) < 0)
		return -1;
	if (saved_stdin < 0)
		saved_stdin = dup(STDIN_FILENO);
	dup2(p[0], STDIN_FILENO);
	close(p[0]);
	wfd = p[1];
	return 0;
}

static void
put(const void *p, size_t n)
{
	if (write(wfd, p, n) != (ssize_t)n)
		abort();
}

static void
done_writing(void)
{
	close(wfd);
	wfd = -1;
}

/*
 * Gzips n bytes at p into out (appended), as one member; with flush_half,
 * flushed after the first half, and the length up to there returned.
 */
static size_t
gz(struct buf *out, const void *p, size_t n, int flush_half)
{
	z_stream z;
	char tmp[65536];
	size_t half = 0;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)(flush_half ? n / 2 : n);
	z.next_out = (Bytef *)tmp;
	z.avail_out = sizeof(tmp);
	if (flush_half) {
		deflate(&z, Z_SYNC_FLUSH);
		half = out->len + sizeof(tmp) - z.avail_out;
		z.avail_in = (uInt)(n - n / 2);
	}
	deflate(&z, Z_FINISH);
	buf_add(out, tmp, sizeof(tmp) - z.avail_out);
	deflateEnd(&z);
	return half;
}

/* Reads until the end or an error, into out. The last return. */
static ssize_t
read_all(struct input *in, struct buf *out)
{
	char tmp[4096];
	ssize_t r;

	while ((r = input_read(in, tmp, sizeof(tmp))) > 0)
		buf_add(out, tmp, (size_t)r);
	return r;
}

static void
on_alarm(int sig)
{
	(void)sig;
	fprintf(stderr, "a read waited for input it did not need\n");
	_exit(1);
}

TEST(plain_bytes_as_they_come)
{
	struct input in;
	struct buf got = BUF_INIT;
	char tmp[4096];
	ssize_t r;

	CHECK(pipe_stdin() == 0);
	CHECK(input_open(&in, "-") == INPUT_OK);
	put("{\"a\":1}\n", 8);
	alarm(5);
	/* The first two bytes are looked at, then the rest comes. */
	while (got.len < 8 && (r = input_read(&in, tmp, sizeof(tmp))) > 0)
		buf_add(&got, tmp, (size_t)r);
	alarm(0);
	CHECK_MEM(got.data, got.len, "{\"a\":1}\n");
	put("{\"b\":2}\n", 8);
	done_writing();
	CHECK(read_all(&in, &got) == 0);
	CHECK_MEM(got.data, got.len, "{\"a\":1}\n{\"b\":2}\n");
	input_close(&in);
	buf_release(&got);
}

TEST(gzip_inflated_as_it_comes)
{
	static const char text[] = "first half of it\nsecond half of it\n";
	struct input in;
	struct buf z = BUF_INIT, got = BUF_INIT;
	char tmp[4096];
	ssize_t r;
	size_t cut;

	cut = gz(&z, text, sizeof(text) - 1, 1);
	CHECK(pipe_stdin() == 0);
	CHECK(input_open(&in, "-") == INPUT_OK);
	/* Up to the sync flush: the first half inflates without the rest. */
	put(z.data, cut);
	alarm(5);
	while (got.len < (sizeof(text) - 1) / 2 &&
	       (r = input_read(&in, tmp, sizeof(tmp))) > 0)
		buf_add(&got, tmp, (size_t)r);
	alarm(0);
	CHECK(got.len >= (sizeof(text) - 1) / 2 &&
	      memcmp(got.data, text, got.len) == 0);
	put(z.data + cut, z.len - cut);
	done_writing();
	CHECK(read_all(&in, &got) == 0);
	CHECK_MEM(got.data, got.len, text);
	input_close(&in);
	buf_release(&z);
	buf_release(&got);
}

TEST(gzip_members_and_trailing_bytes)
{
	struct input in;
	struct buf z = BUF_INIT, got = BUF_INIT;

	gz(&z, "one\n", 4, 0);
	gz(&z, "two\n", 4, 0);
	buf_add(&z, "\0\0\0junk", 7);
	CHECK(pipe_stdin() == 0);
	CHECK(input_open(&in, "-") == INPUT_OK);
	put(z.data, z.len);
	done_writing();
	CHECK(read_all(&in, &got) < 0);
	CHECK_MEM(got.data, got.len, "one\ntwo\n");
	CHECK(in.status == INPUT_CORRUPT);
	CHECK(strstr(in.errmsg, "trailing garbage") != NULL);
	input_close(&in);
	buf_release(&z);
	buf_release(&got);
}

TEST(gzip_truncated_then_corrupt)
{
	struct input in;
	struct buf z = BUF_INIT, got = BUF_INIT;
	char big[20000];
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i * 7 % 26);
	gz(&z, big, sizeof(big), 0);
	CHECK(pipe_stdin() == 0);
	CHECK(input_open(&in, "-") == INPUT_OK);
	put(z.data, z.len - 4); /* half the trailer */
	done_writing();
	CHECK(read_all(&in, &got) < 0);
	CHECK(got.len == sizeof(big) && memcmp(got.data, big, got.len) == 0);
	CHECK(in.status == INPUT_CORRUPT);
	CHECK_STR(in.errmsg,
	    "damaged gzip data (truncated file?): unexpected end of file");
	CHECK(input_exitcode(in.status) == 65);
	input_close(&in);
	buf_release(&z);
	buf_release(&got);
}

TEST(gzip_damaged)
{
	struct input in;
	struct buf got = BUF_INIT;

	CHECK(pipe_stdin() == 0);
	CHECK(input_open(&in, "-") == INPUT_OK);
	put("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff", 14);
	done_writing();
	CHECK(read_all(&in, &got) < 0);
	CHECK(in.status == INPUT_CORRUPT);
	CHECK(strncmp(in.errmsg, "damaged gzip data", 17) == 0);
	input_close(&in);
	buf_release(&got);
}

TEST(one_byte_and_empty)
{
	struct input in;
	struct buf got = BUF_INIT;

	CHECK(pipe_stdin() == 0);
	CHECK(input_open(&in, "-") == INPUT_OK);
	put("\x1f", 1); /* half a magic: data */
	done_writing();
	CHECK(read_all(&in, &got) == 0);
	CHECK_MEM(got.data, got.len, "\x1f");
	input_close(&in);
	CHECK(pipe_stdin() == 0);
	CHECK(input_open(&in, "-") == INPUT_OK);
	done_writing();
	buf_reset(&got);
	CHECK(read_all(&in, &got) == 0 && got.len == 0);
	CHECK(input_fraction(&in) < 0);
	input_close(&in);
	buf_release(&got);
}

int
main(void)
{
	int rc;

	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	RUN(plain_bytes_as_they_come);
	RUN(gzip_inflated_as_it_comes);
	RUN(gzip_members_and_trailing_bytes);
	RUN(gzip_truncated_then_corrupt);
	RUN(gzip_damaged);
	RUN(one_byte_and_empty);
	rc = harness_done();
	if (saved_stdin >= 0) {
		dup2(saved_stdin, STDIN_FILENO);
		close(saved_stdin);
	}
	return rc;
}
