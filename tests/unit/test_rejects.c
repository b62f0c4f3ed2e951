/*
 * Unit tests for common/rejects.c: entries written with rejects_raw and
 * rejects_json read back line for line, raw text escaped and invalid UTF-8
 * shown as U+FFFD, the "rule" key for dropped records, no file at all when
 * the path is NULL, and errors from opening and closing. Temporary files go
 * under /tmp and are removed.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "rejects.h"

#define TMP_TEMPLATE "/tmp/sluice-unit-rejects.XXXXXX"

#define FFFD "\xef\xbf\xbd"

/* Creates a temporary file holding the string s. 0 or -1. */
static int
tmp_write(char *path, const char *s)
{
	int fd;
	size_t n = strlen(s);

	memcpy(path, TMP_TEMPLATE, sizeof(TMP_TEMPLATE));
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if (n && write(fd, s, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Reads a whole file into out. 0 or -1. */
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

/* Compares the file at path with want, byte for byte. */
static void
check_file(const char *path, const char *want, int line)
{
	struct buf got = BUF_INIT;

	if (slurp(path, &got) < 0 || got.len != strlen(want) ||
	    (got.len && memcmp(got.data, want, got.len) != 0)) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: file holds \"%s\", want \"%s\"\n",
		    __FILE__, line, got.data ? got.data : "", want);
	}
	buf_release(&got);
}

#define CHECK_FILE(path, want) check_file((path), (want), __LINE__)

TEST(raw_entry)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct rejects r;

	CHECK(tmp_write(path, "") == 0);
	CHECK(rejects_open(&r, "s", path, "reason") == 0);
	CHECK(rejects_raw(&r, "why", "f.csv", 3, "a,b", 3) == 0);
	CHECK(rejects_close(&r) == 0);
	CHECK_FILE(path,
	    "{\"stage\":\"s\",\"reason\":\"why\",\"file\":\"f.csv\","
	    "\"line\":3,\"record\":\"a,b\"}\n");
	remove(path);
}

TEST(json_entry)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct rejects r;
	json_t *rec = json_object();

	json_object_set_new(rec, "b", json_integer(1));
	json_object_set_new(rec, "a", json_string("x\ny"));
	CHECK(tmp_write(path, "") == 0);
	CHECK(rejects_open(&r, "csv2ndjson", path, "reason") == 0);
	CHECK(rejects_json(&r, "no email", "in.ndjson", 12, rec) == 0);
	CHECK(rejects_close(&r) == 0);
	CHECK_FILE(path, "{\"stage\":\"csv2ndjson\",\"reason\":\"no email\","
	                 "\"file\":\"in.ndjson\",\"line\":12,"
	                 "\"record\":{\"b\":1,\"a\":\"x\\ny\"}}\n");
	json_decref(rec);
	remove(path);
}

TEST(json_entry_not_object)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct rejects r;
	json_t *arr = json_pack("[i,s]", 1, "two");
	json_t *str = json_string("text");

	CHECK(tmp_write(path, "") == 0);
	CHECK(rejects_open(&r, "s", path, "reason") == 0);
	CHECK(rejects_json(&r, "an array", "f", 1, arr) == 0);
	CHECK(rejects_json(&r, "a string", "f", 2, str) == 0);
	CHECK(rejects_close(&r) == 0);
	CHECK_FILE(path,
	    "{\"stage\":\"s\",\"reason\":\"an array\",\"file\":\"f\","
	    "\"line\":1,\"record\":[1,\"two\"]}\n"
	    "{\"stage\":\"s\",\"reason\":\"a string\",\"file\":\"f\","
	    "\"line\":2,\"record\":\"text\"}\n");
	json_decref(arr);
	json_decref(str);
	remove(path);
}

TEST(several_entries_in_order)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct rejects r;
	json_t *rec = json_pack("{s:i}", "k", 7);

	CHECK(tmp_write(path, "") == 0);
	CHECK(rejects_open(&r, "st", path, "reason") == 0);
	CHECK(rejects_raw(&r, "one", "a.csv", 1, "x", 1) == 0);
	CHECK(rejects_json(&r, "two", "a.csv", 2, rec) == 0);
	CHECK(rejects_raw(&r, "three", "b.csv", ULLONG_MAX, "", 0) == 0);
	CHECK(rejects_close(&r) == 0);
	CHECK_FILE(path,
	    "{\"stage\":\"st\",\"reason\":\"one\",\"file\":\"a.csv\","
	    "\"line\":1,\"record\":\"x\"}\n"
	    "{\"stage\":\"st\",\"reason\":\"two\",\"file\":\"a.csv\","
	    "\"line\":2,\"record\":{\"k\":7}}\n"
	    "{\"stage\":\"st\",\"reason\":\"three\",\"file\":\"b.csv\","
	    "\"line\":18446744073709551615,\"record\":\"\"}\n");
	json_decref(rec);
	remove(path);
}

TEST(raw_escaped)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct rejects r;

	CHECK(tmp_write(path, "") == 0);
	CHECK(rejects_open(&r, "s", path, "reason") == 0);
	CHECK(rejects_raw(&r, "quote \"q\"", "dir\\f.csv", 1,
	          "x\"y\\z\r\n\t\x01", 9) == 0);
	CHECK(rejects_close(&r) == 0);
	CHECK_FILE(path, "{\"stage\":\"s\",\"reason\":\"quote \\\"q\\\"\","
	                 "\"file\":\"dir\\\\f.csv\",\"line\":1,"
	                 "\"record\":\"x\\\"y\\\\z\\r\\n\\t\\u0001\"}\n");
	remove(path);
}

TEST(raw_invalid_utf8)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct rejects r;

	CHECK(tmp_write(path, "") == 0);
	CHECK(rejects_open(&r, "s", path, "reason") == 0);
	CHECK(rejects_raw(&r, "bad", "f", 4, "caf\xe9,\xc3\xa9", 7) == 0);
	/* A NUL byte in raw text is data, written as \u0000. */
	CHECK(rejects_raw(&r, "nul", "f", 5, "a\0\xff", 3) == 0);
	CHECK(rejects_close(&r) == 0);
	CHECK_FILE(path, "{\"stage\":\"s\",\"reason\":\"bad\",\"file\":\"f\","
	                 "\"line\":4,\"record\":\"caf" FFFD ",\xc3\xa9\"}\n"
	                 "{\"stage\":\"s\",\"reason\":\"nul\",\"file\":\"f\","
	                 "\"line\":5,\"record\":\"a\\u0000" FFFD "\"}\n");
	remove(path);
}

TEST(reason_invalid_utf8)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct rejects r;

	/* A reason that quotes input bytes stays valid UTF-8. */
	CHECK(tmp_write(path, "") == 0);
	CHECK(rejects_open(&r, "s", path, "reason") == 0);
	CHECK(rejects_raw(&r, "bad byte \xff here", "f", 1, "r", 1) == 0);
	CHECK(rejects_close(&r) == 0);
	CHECK_FILE(path,
	    "{\"stage\":\"s\",\"reason\":\"bad byte " FFFD
	    " here\",\"file\":\"f\",\"line\":1,\"record\":\"r\"}\n");
	remove(path);
}

TEST(rule_key)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct rejects r;
	json_t *rec = json_pack("{s:s}", "email", "a@b.org");

	CHECK(tmp_write(path, "") == 0);
	CHECK(rejects_open(&r, "shape", path, "rule") == 0);
	CHECK(rejects_json(&r, "staff-email", "in.ndjson", 7, rec) == 0);
	CHECK(rejects_raw(&r, "test-hostname", "in.ndjson", 8, "x", 1) == 0);
	CHECK(rejects_close(&r) == 0);
	CHECK_FILE(path,
	    "{\"stage\":\"shape\",\"rule\":\"staff-email\","
	    "\"file\":\"in.ndjson\",\"line\":7,"
	    "\"record\":{\"email\":\"a@b.org\"}}\n"
	    "{\"stage\":\"shape\",\"rule\":\"test-hostname\","
	    "\"file\":\"in.ndjson\",\"line\":8,\"record\":\"x\"}\n");
	json_decref(rec);
	remove(path);
}

TEST(lines_are_json)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct rejects r;
	struct buf raw = BUF_INIT;
	json_t *v, *rec;
	json_error_t err;
	size_t i;

	/* A long record of every byte value: the line must still parse. */
	for (i = 0; i < 100000; i++)
		buf_addc(&raw, (char)(i * 7 % 256));
	CHECK(tmp_write(path, "") == 0);
	CHECK(rejects_open(&r, "s", path, "reason") == 0);
	CHECK(rejects_raw(&r, "long", "f", 9, raw.data, raw.len) == 0);
	CHECK(rejects_close(&r) == 0);
	v = json_load_file(path, JSON_ALLOW_NUL, &err);
	CHECK(v != NULL);
	if (v == NULL) {
		fprintf(stderr, "jansson: %s\n", err.text);
	} else {
		rec = json_object_get(v, "record");
		CHECK(json_is_string(rec));
		CHECK(json_string_length(rec) > raw.len);
		CHECK(json_integer_value(json_object_get(v, "line")) == 9);
		json_decref(v);
	}
	buf_release(&raw);
	remove(path);
}

TEST(open_truncates)
{
	char path[sizeof(TMP_TEMPLATE)];
	struct rejects r;

	CHECK(tmp_write(path, "old contents\nmore\n") == 0);
	CHECK(rejects_open(&r, "s", path, "reason") == 0);
	CHECK(rejects_raw(&r, "w", "f", 1, "x", 1) == 0);
	CHECK(rejects_close(&r) == 0);
	CHECK_FILE(path, "{\"stage\":\"s\",\"reason\":\"w\",\"file\":\"f\","
	                 "\"line\":1,\"record\":\"x\"}\n");
	/* Opened and closed with nothing written: an empty file. */
	CHECK(rejects_open(&r, "s", path, "reason") == 0);
	CHECK(rejects_close(&r) == 0);
	CHECK_FILE(path, "");
	remove(path);
}

TEST(null_path_writes_nothing)
{
	struct rejects r;
	json_t *rec = json_object();

	CHECK(rejects_open(&r, "s", NULL, "reason") == 0);
	CHECK(r.fp == NULL);
	CHECK(rejects_raw(&r, "why", "f.csv", 3, "a,b", 3) == 0);
	CHECK(rejects_json(&r, "why", "f.csv", 4, rec) == 0);
	CHECK(r.fp == NULL);
	CHECK(rejects_close(&r) == 0);
	json_decref(rec);
}

TEST(open_error)
{
	struct rejects r;

	errno = 0;
	CHECK(rejects_open(&r, "s", "/nonexistent-dir-for-sluice/rejects",
	          "reason") == -1);
	CHECK(errno == ENOENT);
	CHECK(rejects_close(&r) == 0);
}

TEST(close_reports_full_disk)
{
	struct rejects r;

	/* /dev/full takes the buffered bytes only to fail on the flush. */
	if (access("/dev/full", W_OK) != 0) {
		fprintf(stderr, "no /dev/full: nothing checked\n");
		return;
	}
	CHECK(rejects_open(&r, "s", "/dev/full", "reason") == 0);
	CHECK(rejects_raw(&r, "why", "f", 1, "x", 1) == 0);
	errno = 0;
	CHECK(rejects_close(&r) == -1);
	CHECK(errno == ENOSPC);
}

int
main(void)
{
	RUN(raw_entry);
	RUN(json_entry);
	RUN(json_entry_not_object);
	RUN(several_entries_in_order);
	RUN(raw_escaped);
	RUN(raw_invalid_utf8);
	RUN(reason_invalid_utf8);
	RUN(rule_key);
	RUN(lines_are_json);
	RUN(open_truncates);
	RUN(null_path_writes_nothing);
	RUN(open_error);
	RUN(close_reports_full_disk);
	return harness_done();
}
