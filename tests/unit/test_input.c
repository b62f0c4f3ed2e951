/*
 * Unit tests for common/input.c: plain and gzipped files read back byte for
 * byte (gzip known by its magic, not its name), concatenated gzip members
 * read as one stream, truncated and damaged gzip files giving their data
 * and then INPUT_CORRUPT, a missing file, a directory, stdin, and the exit
 * statuses the input statuses call for. Temporary files go under /tmp and
 * are removed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "exitcode.h"
#include "harness.h"
#include "input.h"

#define TMP_TEMPLATE "/tmp/sluice-unit-input.XXXXXX"

/* Creates an empty temporary file; its name goes in path. 0 or -1. */
static int
tmp_create(char *path)
{
	int fd;

	memcpy(path, TMP_TEMPLATE, sizeof(TMP_TEMPLATE));
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	return close(fd);
}

/* Creates a temporary file holding n bytes of data. 0 or -1. */
static int
tmp_write(char *path, const void *data, size_t n)
{
	FILE *fp;
	int rc = 0;

	if (tmp_create(path) < 0 || (fp = fopen(path, "wb")) == NULL)
		return -1;
	if (n && fwrite(data, 1, n, fp) != n)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

/* Appends n bytes to path as one more gzip member. 0 or -1. */
static int
gz_append(const char *path, const char *mode, const void *data, size_t n)
{
	gzFile gz = gzopen(path, mode);
	int rc = 0;

	if (gz == NULL)
		return -1;
	if (n && gzwrite(gz, data, (unsigned)n) != (int)n)
		rc = -1;
	if (gzclose(gz) != Z_OK)
		rc = -1;
	return rc;
}

/* Reads a whole file as it is on disk. 0 or -1. */
static int
slurp(const char *path, struct buf *out)
{
	FILE *fp = fopen(path, "rb");
	char tmp[4096];
	size_t n;

	if (fp == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(out, tmp, n);
	fclose(fp);
	return 0;
}

/*
 * Reads the input to its end in pieces of at most step bytes. Returns what
 * the last input_read() returned: 0 at the end, or -1.
 */
static ssize_t
read_all(struct input *in, struct buf *out, size_t step)
{
	char tmp[65536];
	ssize_t got;

	if (step > sizeof(tmp))
		step = sizeof(tmp);
	while ((got = input_read(in, tmp, step)) > 0)
		buf_add(out, tmp, (size_t)got);
	return got;
}

/* 1 when two buffers hold the same bytes. */
static int
same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Some text that does not compress to almost nothing. */
static void
make_text(struct buf *out, size_t n)
{
	unsigned long x = 12345;

	while (out->len < n) {
		x = x * 1103515245 + 12345;
		buf_printf(out, "row %lu,%lu\n", out->len, (x >> 8) % 100000);
	}
}

TEST(plain_file)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	struct buf got = BUF_INIT;
	char c;

	CHECK(tmp_write(path, "hello\nworld\n", 12) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(in.status == INPUT_OK);
	CHECK_STR(in.name, path);
	CHECK(in.size == 12);
	CHECK(read_all(&in, &got, 5) == 0);
	CHECK_MEM(got.data, got.len, "hello\nworld\n");
	CHECK(in.status == INPUT_OK);
	/* The end stays the end. */
	CHECK(input_read(&in, &c, 1) == 0);
	input_close(&in);
	remove(path);
	buf_release(&got);
}

TEST(empty_file)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	char c;

	CHECK(tmp_write(path, "", 0) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(in.size == 0);
	CHECK(input_read(&in, &c, 1) == 0);
	CHECK(in.status == INPUT_OK);
	input_close(&in);
	remove(path);
}

TEST(plain_binary_not_gzip)
{
	/* A first byte like gzip's, but not the magic: read as it is. */
	static const char data[] = "\x1f\x8a\x00\xffsome bytes\x1f";
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	struct buf got = BUF_INIT;

	CHECK(tmp_write(path, data, sizeof(data) - 1) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(read_all(&in, &got, 3) == 0);
	CHECK(got.len == sizeof(data) - 1 &&
	      memcmp(got.data, data, sizeof(data) - 1) == 0);
	input_close(&in);
	remove(path);
	buf_release(&got);
}

TEST(large_plain_file)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	struct buf want = BUF_INIT, got = BUF_INIT;

	make_text(&want, 700 * 1024);
	CHECK(tmp_write(path, want.data, want.len) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(in.size == (off_t)want.len);
	CHECK(read_all(&in, &got, 65536) == 0);
	CHECK(same(&got, &want));
	CHECK(input_fraction(&in) == 1.0);
	input_close(&in);
	remove(path);
	buf_release(&want);
	buf_release(&got);
}

TEST(gzip_file)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	struct buf got = BUF_INIT, disk = BUF_INIT;

	/* The name has no .gz: the magic bytes alone say gzip. */
	CHECK(tmp_create(path) == 0);
	CHECK(gz_append(path, "wb", "line1\nline2\n", 12) == 0);
	CHECK(slurp(path, &disk) == 0);
	CHECK(disk.len > 2 && memcmp(disk.data, "\x1f\x8b", 2) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(in.size == (off_t)disk.len);
	CHECK(read_all(&in, &got, 4) == 0);
	CHECK_MEM(got.data, got.len, "line1\nline2\n");
	CHECK(in.status == INPUT_OK);
	input_close(&in);
	remove(path);
	buf_release(&got);
	buf_release(&disk);
}

TEST(large_gzip_file)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	struct buf want = BUF_INIT, got = BUF_INIT;

	make_text(&want, 1200 * 1024);
	CHECK(tmp_create(path) == 0);
	CHECK(gz_append(path, "wb", want.data, want.len) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(read_all(&in, &got, 65536) == 0);
	CHECK(same(&got, &want));
	CHECK(input_fraction(&in) == 1.0);
	input_close(&in);
	remove(path);
	buf_release(&want);
	buf_release(&got);
}

TEST(gzip_members_concatenated)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	struct buf got = BUF_INIT, disk = BUF_INIT;
	size_t i, members = 0;

	CHECK(tmp_create(path) == 0);
	CHECK(gz_append(path, "wb", "first\n", 6) == 0);
	CHECK(gz_append(path, "ab", "second\n", 7) == 0);
	CHECK(gz_append(path, "ab", "third", 5) == 0);
	/* Three members: three gzip headers on disk. */
	CHECK(slurp(path, &disk) == 0);
	for (i = 0; i + 3 <= disk.len; i++) {
		if (memcmp(disk.data + i, "\x1f\x8b\x08", 3) == 0)
			members++;
	}
	CHECK(members == 3);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(read_all(&in, &got, 100) == 0);
	CHECK_MEM(got.data, got.len, "first\nsecond\nthird");
	CHECK(in.status == INPUT_OK);
	input_close(&in);
	remove(path);
	buf_release(&got);
	buf_release(&disk);
}

/* Compresses data into out, the bytes of a one-member gzip file. */
static void
gz_bytes(const struct buf *data, struct buf *out)
{
	char path[sizeof(TMP_TEMPLATE)];

	CHECK(tmp_create(path) == 0);
	CHECK(gz_append(path, "wb", data->data, data->len) == 0);
	CHECK(slurp(path, out) == 0);
	remove(path);
}

/*
 * Reads a file of the first n bytes of gz, the gzip form of want: what
 * comes must be a prefix of want, then -1 with INPUT_CORRUPT. Returns how
 * many bytes came before the error.
 */
static size_t
read_truncated(const struct buf *want, const char *gz, size_t n)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	struct buf got = BUF_INIT;
	size_t len;
	char c;

	CHECK(tmp_write(path, gz, n) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(read_all(&in, &got, 4096) == -1);
	CHECK(in.status == INPUT_CORRUPT);
	CHECK(strncmp(in.errmsg, "damaged gzip data", 17) == 0);
	CHECK(got.len <= want->len);
	CHECK(got.len == 0 || memcmp(got.data, want->data, got.len) == 0);
	/* The error stays. */
	CHECK(input_read(&in, &c, 1) == -1);
	CHECK(in.status == INPUT_CORRUPT);
	CHECK(input_exitcode(in.status) == EXIT_DATAERR);
	input_close(&in);
	remove(path);
	len = got.len;
	buf_release(&got);
	return len;
}

TEST(gzip_truncated_mid_stream)
{
	struct buf want = BUF_INIT, gz = BUF_INIT;
	size_t n;

	make_text(&want, 400 * 1024);
	gz_bytes(&want, &gz);
	CHECK(gz.len > 1000);
	/* Half the compressed bytes: some data first, then the error. */
	n = read_truncated(&want, gz.data, gz.len / 2);
	CHECK(n > 0);
	CHECK(n < want.len);
	buf_release(&want);
	buf_release(&gz);
}

TEST(gzip_truncated_trailer)
{
	struct buf want = BUF_INIT, gz = BUF_INIT;

	make_text(&want, 100 * 1024);
	gz_bytes(&want, &gz);
	CHECK(gz.len > 8);
	/* Only the length at the very end is missing: all data, then -1. */
	CHECK(read_truncated(&want, gz.data, gz.len - 4) == want.len);
	/* The whole trailer missing. */
	CHECK(read_truncated(&want, gz.data, gz.len - 8) == want.len);
	buf_release(&want);
	buf_release(&gz);
}

TEST(gzip_truncated_after_header)
{
	struct buf want = BUF_INIT, gz = BUF_INIT;

	make_text(&want, 1000);
	gz_bytes(&want, &gz);
	CHECK(gz.len > 10);
	/* The 10-byte header and nothing else. */
	CHECK(read_truncated(&want, gz.data, 10) == 0);
	buf_release(&want);
	buf_release(&gz);
}

TEST(gzip_bad_crc)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	struct buf got = BUF_INIT, disk = BUF_INIT;

	CHECK(tmp_create(path) == 0);
	CHECK(gz_append(path, "wb", "some data\n", 10) == 0);
	CHECK(slurp(path, &disk) == 0);
	remove(path);
	CHECK(disk.len > 8);
	/* The CRC-32 is the trailer's first four bytes. */
	disk.data[disk.len - 8] ^= 0x55;
	CHECK(tmp_write(path, disk.data, disk.len) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(read_all(&in, &got, 4096) == -1);
	CHECK(in.status == INPUT_CORRUPT);
	CHECK(in.errmsg[0] != '\0');
	input_close(&in);
	remove(path);
	buf_release(&got);
	buf_release(&disk);
}

TEST(missing_file)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	char c;

	CHECK(tmp_create(path) == 0);
	remove(path); /* a name that surely does not exist */
	CHECK(input_open(&in, path) == INPUT_MISSING);
	CHECK(in.status == INPUT_MISSING);
	CHECK(in.errmsg[0] != '\0');
	CHECK(input_read(&in, &c, 1) == -1);
	CHECK(input_exitcode(in.status) == EXIT_NOINPUT);
}

/* A directory where a file was meant: no input there, as for a missing
 * file (exit 66), not an I/O error. */
TEST(directory)
{
	struct input in;
	char c;

	CHECK(input_open(&in, "/tmp") == INPUT_MISSING);
	CHECK(in.status == INPUT_MISSING);
	CHECK_STR(in.errmsg, "is a directory, not a file");
	CHECK(input_read(&in, &c, 1) == -1);
	CHECK(input_exitcode(in.status) == EXIT_NOINPUT);
}

/*
 * Bytes after the last member of a gzip file that do not start another:
 * the data comes first, then INPUT_CORRUPT (gzread() ignored them).
 */
TEST(gzip_trailing_garbage)
{
	static const char *tails[] = {"junk", "\0\0\0\0", "x"};
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	struct buf got = BUF_INIT, disk = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(*tails); i++) {
		CHECK(tmp_create(path) == 0);
		CHECK(gz_append(path, "wb", "one\n", 4) == 0);
		CHECK(gz_append(path, "ab", "two\n", 4) == 0);
		CHECK(slurp(path, &disk) == 0);
		buf_add(&disk, tails[i], i == 1 ? 4 : strlen(tails[i]));
		CHECK(tmp_write(path, disk.data, disk.len) == 0);
		CHECK(input_open(&in, path) == INPUT_OK);
		buf_reset(&got);
		CHECK(read_all(&in, &got, 4096) == -1);
		CHECK_MEM(got.data, got.len, "one\ntwo\n");
		CHECK(in.status == INPUT_CORRUPT);
		CHECK(strstr(in.errmsg, "trailing garbage") != NULL);
		CHECK(input_exitcode(in.status) == EXIT_DATAERR);
		input_close(&in);
		remove(path);
	}
	buf_release(&got);
	buf_release(&disk);
}

TEST(stdin_dash)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct input in;
	struct buf got = BUF_INIT;
	int saved, fd;

	CHECK(tmp_write(path, "from stdin\n", 11) == 0);
	saved = dup(STDIN_FILENO);
	fd = open(path, O_RDONLY);
	CHECK(saved >= 0 && fd >= 0);
	CHECK(dup2(fd, STDIN_FILENO) == STDIN_FILENO);
	close(fd);
	CHECK(input_open(&in, "-") == INPUT_OK);
	CHECK_STR(in.name, "<stdin>");
	CHECK(read_all(&in, &got, 100) == 0);
	CHECK_MEM(got.data, got.len, "from stdin\n");
	input_close(&in);
	/* Closing the input leaves stdin itself open. */
	CHECK(fcntl(STDIN_FILENO, F_GETFD) != -1);
	buf_reset(&got);
	CHECK(lseek(STDIN_FILENO, 0, SEEK_SET) == 0);
	CHECK(input_open(&in, NULL) == INPUT_OK);
	CHECK_STR(in.name, "<stdin>");
	CHECK(read_all(&in, &got, 100) == 0);
	CHECK_MEM(got.data, got.len, "from stdin\n");
	input_close(&in);
	CHECK(fcntl(STDIN_FILENO, F_GETFD) != -1);
	dup2(saved, STDIN_FILENO);
	close(saved);
	remove(path);
	buf_release(&got);
}

TEST(exit_codes)
{
	CHECK(input_exitcode(INPUT_OK) == EXIT_OK);
	CHECK(input_exitcode(INPUT_MISSING) == 66);
	CHECK(input_exitcode(INPUT_CORRUPT) == 65);
	CHECK(input_exitcode(INPUT_IOERR) == 74);
}

int
main(void)
{
	RUN(plain_file);
	RUN(empty_file);
	RUN(plain_binary_not_gzip);
	RUN(large_plain_file);
	RUN(gzip_file);
	RUN(large_gzip_file);
	RUN(gzip_members_concatenated);
	RUN(gzip_truncated_mid_stream);
	RUN(gzip_truncated_trailer);
	RUN(gzip_truncated_after_header);
	RUN(gzip_bad_crc);
	RUN(missing_file);
	RUN(directory);
	RUN(gzip_trailing_garbage);
	RUN(stdin_dash);
	RUN(exit_codes);
	return harness_done();
}
