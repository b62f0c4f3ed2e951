/*
 * Unit tests for common/ndjson.c: an object line is a record; an array, a
 * number, a string, a boolean, null, invalid JSON, an empty line and a line
 * over the maximum are rejects with a reason and the raw line; line numbers;
 * CRLF; \u0000 inside strings; ndjson_dump writing compact JSON in key
 * order with a trailing \n; ndjson_type_name; the values of a record
 * counted without parsing it, as jansson would build them, and a record
 * past NDJSON_MAX_VALUES rejected while one at it is read. Temporary files
 * go under /tmp and are removed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "input.h"
#include "ndjson.h"

/* An open reader on a temporary file, for one test. */
struct fixture {
	char path[sizeof(HARNESS_TMP)];
	struct input in;
	struct ndjson_reader r;
};

static void
fixture_open(struct fixture *f, const char *data, size_t n, size_t max)
{
	CHECK(harness_tmpfile(f->path, data, n) == 0);
	CHECK(input_open(&f->in, f->path) == INPUT_OK);
	ndjson_init(&f->r, &f->in, max);
}

static void
fixture_close(struct fixture *f)
{
	ndjson_release(&f->r);
	input_close(&f->in);
	remove(f->path);
}

/* Checks that the next result is a reject on line with a reason. */
static void
expect_reject(struct fixture *f, unsigned long long line, const char *raw,
    const char *reason_start, int lineno)
{
	json_t *rec = (json_t *)1;
	size_t n = strlen(reason_start);

	if (ndjson_next(&f->r, &rec) != NDJSON_REJECT) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: not a reject\n", __FILE__, lineno);
		json_decref(rec);
		return;
	}
	if (rec != NULL || f->r.line != line || f->r.rawlen != strlen(raw) ||
	    (f->r.rawlen && memcmp(f->r.raw, raw, f->r.rawlen) != 0) ||
	    f->r.why.data == NULL ||
	    strncmp(f->r.why.data, reason_start, n) != 0) {
		harness_failed_checks++;
		fprintf(stderr,
		    "%s:%d: reject on line %llu, raw \"%.*s\", why \"%s\"; "
		    "want line %llu, raw \"%s\", why \"%s...\"\n",
		    __FILE__, lineno, f->r.line, (int)f->r.rawlen, f->r.raw,
		    f->r.why.data ? f->r.why.data : "(null)", line, raw,
		    reason_start);
	}
}

/* Checks that the next result is a record on line, dumped as want. */
static void
expect_record(
    struct fixture *f, unsigned long long line, const char *want, int lineno)
{
	json_t *rec = NULL;
	struct buf out = BUF_INIT;

	if (ndjson_next(&f->r, &rec) != NDJSON_RECORD || rec == NULL) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: not a record (why \"%s\")\n", __FILE__,
		    lineno, f->r.why.data ? f->r.why.data : "");
		return;
	}
	if (!json_is_object(rec) || f->r.line != line ||
	    ndjson_dump(&out, rec) != 0 || strcmp(out.data, want) != 0) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: record on line %llu: %s", __FILE__,
		    lineno, f->r.line, out.data ? out.data : "(none)\n");
	}
	json_decref(rec);
	buf_release(&out);
}

#define EXPECT_REJECT(f, line, raw, why)                                       \
	expect_reject((f), (line), (raw), (why), __LINE__)
#define EXPECT_RECORD(f, line, want)                                           \
	expect_record((f), (line), (want), __LINE__)

static void
expect_eof(struct fixture *f)
{
	json_t *rec = (json_t *)1;

	CHECK(ndjson_next(&f->r, &rec) == NDJSON_EOF);
	CHECK(rec == NULL);
	CHECK(ndjson_next(&f->r, &rec) == NDJSON_EOF);
}

TEST(object_is_record)
{
	static const char data[] = "{\"a\":1,\"b\":\"x\"}\n";
	struct fixture f;
	json_t *rec = NULL;

	fixture_open(&f, data, sizeof(data) - 1, NDJSON_MAX_LINE_DEFAULT);
	CHECK(ndjson_next(&f.r, &rec) == NDJSON_RECORD);
	CHECK(json_is_object(rec));
	CHECK(f.r.line == 1);
	CHECK(json_integer_value(json_object_get(rec, "a")) == 1);
	CHECK_STR(json_string_value(json_object_get(rec, "b")), "x");
	CHECK(json_object_size(rec) == 2);
	json_decref(rec);
	expect_eof(&f);
	fixture_close(&f);
}

TEST(rejects_with_reasons)
{
	static const char data[] = "{\"a\":1}\n"
	                           "[1,2]\n"
	                           "42\n"
	                           "null\n"
	                           "{bad\n"
	                           "\n"
	                           "\"s\"\n"
	                           "true\n"
	                           "{\"b\":2}\n"
	                           "1.5\n";
	struct fixture f;

	fixture_open(&f, data, sizeof(data) - 1, NDJSON_MAX_LINE_DEFAULT);
	EXPECT_RECORD(&f, 1, "{\"a\":1}\n");
	EXPECT_REJECT(&f, 2, "[1,2]", "expected a JSON object, got an array");
	EXPECT_REJECT(&f, 3, "42", "expected a JSON object, got a number");
	EXPECT_REJECT(&f, 4, "null", "expected a JSON object, got null");
	EXPECT_REJECT(&f, 5, "{bad", "invalid JSON");
	EXPECT_REJECT(&f, 6, "", "empty line");
	EXPECT_REJECT(&f, 7, "\"s\"", "expected a JSON object, got a string");
	EXPECT_REJECT(&f, 8, "true", "expected a JSON object, got a boolean");
	EXPECT_RECORD(&f, 9, "{\"b\":2}\n");
	EXPECT_REJECT(&f, 10, "1.5", "expected a JSON object, got a number");
	expect_eof(&f);
	fixture_close(&f);
}

TEST(exact_reasons)
{
	static const char data[] = "[]\n\n";
	struct fixture f;
	json_t *rec;

	fixture_open(&f, data, sizeof(data) - 1, NDJSON_MAX_LINE_DEFAULT);
	CHECK(ndjson_next(&f.r, &rec) == NDJSON_REJECT);
	CHECK_STR(f.r.why.data, "expected a JSON object, got an array");
	CHECK(ndjson_next(&f.r, &rec) == NDJSON_REJECT);
	CHECK_STR(f.r.why.data, "empty line, expected a JSON object");
	expect_eof(&f);
	fixture_close(&f);
}

TEST(invalid_json_kinds)
{
	static const char data[] = "{\"a\":1} x\n"
	                           "{\"a\":1}{\"b\":2}\n"
	                           "{\"a\":}\n"
	                           "{'a':1}\n"
	                           "{\"a\":\"\xff\"}\n"
	                           "{\"a\":\"\\ud800\"}\n"
	                           "   \n";
	struct fixture f;

	fixture_open(&f, data, sizeof(data) - 1, NDJSON_MAX_LINE_DEFAULT);
	EXPECT_REJECT(&f, 1, "{\"a\":1} x", "invalid JSON");
	EXPECT_REJECT(&f, 2, "{\"a\":1}{\"b\":2}", "invalid JSON");
	EXPECT_REJECT(&f, 3, "{\"a\":}", "invalid JSON");
	EXPECT_REJECT(&f, 4, "{'a':1}", "invalid JSON");
	EXPECT_REJECT(&f, 5, "{\"a\":\"\xff\"}", "invalid JSON");
	EXPECT_REJECT(&f, 6, "{\"a\":\"\\ud800\"}", "invalid JSON");
	/* Only spaces: a reject, whatever its reason. */
	EXPECT_REJECT(&f, 7, "   ", "");
	expect_eof(&f);
	fixture_close(&f);
}

TEST(crlf_lines)
{
	static const char data[] =
	    "{\"a\":1}\r\n\r\n[\"x\"]\r\n{\"b\":\"\\r\"}";
	struct fixture f;

	fixture_open(&f, data, sizeof(data) - 1, NDJSON_MAX_LINE_DEFAULT);
	EXPECT_RECORD(&f, 1, "{\"a\":1}\n");
	EXPECT_REJECT(&f, 2, "", "empty line");
	EXPECT_REJECT(&f, 3, "[\"x\"]", "expected a JSON object, got an array");
	EXPECT_RECORD(&f, 4, "{\"b\":\"\\r\"}\n");
	expect_eof(&f);
	fixture_close(&f);
}

TEST(nul_in_string)
{
	static const char data[] = "{\"k\":\"a\\u0000b\"}\n";
	struct fixture f;
	json_t *rec = NULL, *v;
	struct buf out = BUF_INIT;

	fixture_open(&f, data, sizeof(data) - 1, NDJSON_MAX_LINE_DEFAULT);
	CHECK(ndjson_next(&f.r, &rec) == NDJSON_RECORD);
	v = json_object_get(rec, "k");
	CHECK(json_is_string(v));
	CHECK(json_string_length(v) == 3 &&
	      memcmp(json_string_value(v), "a\0b", 3) == 0);
	/* And it goes out the way it came in. */
	CHECK(ndjson_dump(&out, rec) == 0);
	CHECK_STR(out.data, "{\"k\":\"a\\u0000b\"}\n");
	json_decref(rec);
	buf_release(&out);
	expect_eof(&f);
	fixture_close(&f);
}

TEST(line_too_long)
{
	static const char data[] = "{\"a\":\"0123456789\"}\n{\"b\":1}\n"
	                           "{\"c\":\"0123456789012345\"}";
	struct fixture f;
	json_t *rec;

	fixture_open(&f, data, sizeof(data) - 1, 10);
	CHECK(ndjson_next(&f.r, &rec) == NDJSON_REJECT);
	CHECK(rec == NULL);
	CHECK(f.r.line == 1);
	CHECK_STR(f.r.why.data, "line longer than 10 bytes");
	CHECK(f.r.rawlen > 0 && memcmp(f.r.raw, "{\"a\":", 5) == 0);
	EXPECT_RECORD(&f, 2, "{\"b\":1}\n");
	/* The last line, without a \n: its first bytes are shown. */
	CHECK(ndjson_next(&f.r, &rec) == NDJSON_REJECT);
	CHECK(f.r.line == 3);
	CHECK_STR(f.r.why.data, "line longer than 10 bytes");
	CHECK(f.r.rawlen > 0 && memcmp(f.r.raw, "{\"c\":", 5) == 0);
	expect_eof(&f);
	fixture_close(&f);
}

TEST(many_records_line_numbers)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf data = BUF_INIT;
	struct input in;
	struct ndjson_reader r;
	json_t *rec;
	json_int_t v;
	enum ndjson_status st;
	unsigned long i, n = 20000, bad = 0, records = 0, rejects = 0;

	/* Every seventh line is not an object. */
	for (i = 0; i < n; i++) {
		if (i % 7 == 3)
			buf_printf(&data, "[%lu]\n", i);
		else
			buf_printf(&data, "{\"i\":%lu,\"pad\":\"%0*d\"}\n", i,
			    (int)(i % 50), 0);
	}
	CHECK(harness_tmpfile(path, data.data, data.len) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	ndjson_init(&r, &in, 1000);
	for (i = 0; (st = ndjson_next(&r, &rec)) != NDJSON_EOF; i++) {
		if (st == NDJSON_ERROR)
			break;
		if (r.line != i + 1)
			bad++;
		if (st == NDJSON_RECORD) {
			records++;
			v = json_integer_value(json_object_get(rec, "i"));
			if (v != (json_int_t)i || i % 7 == 3)
				bad++;
			json_decref(rec);
		} else {
			rejects++;
			if (i % 7 != 3)
				bad++;
		}
	}
	CHECK(i == n);
	CHECK(bad == 0);
	CHECK(rejects == (n + 3) / 7);
	CHECK(records + rejects == n);
	ndjson_release(&r);
	input_close(&in);
	remove(path);
	buf_release(&data);
}

TEST(dump_key_order)
{
	struct buf out = BUF_INIT;
	json_t *o = json_object(), *inner = json_object();

	json_object_set_new(o, "z", json_integer(1));
	json_object_set_new(o, "a", json_string("x"));
	json_object_set_new(inner, "y", json_true());
	json_object_set_new(inner, "b", json_null());
	json_object_set_new(o, "m", inner);
	json_object_set_new(o, "arr", json_pack("[i,s,f]", 1, "two", 2.5));
	CHECK(ndjson_dump(&out, o) == 0);
	CHECK_STR(out.data,
	    "{\"z\":1,\"a\":\"x\",\"m\":{\"y\":true,\"b\":null},"
	    "\"arr\":[1,\"two\",2.5]}\n");
	CHECK(out.len == strlen(out.data));
	json_decref(o);
	buf_release(&out);
}

TEST(dump_utf8_and_escapes)
{
	struct buf out = BUF_INIT;
	json_t *o = json_object();

	json_object_set_new(o, "caf\xc3\xa9", json_string("\xe2\x82\xac\n\"/"));
	CHECK(buf_adds(&out, "prev\n") == 0);
	CHECK(ndjson_dump(&out, o) == 0);
	/* UTF-8 stays UTF-8 (no \u escapes); the record is appended. */
	CHECK_STR(
	    out.data, "prev\n{\"caf\xc3\xa9\":\"\xe2\x82\xac\\n\\\"/\"}\n");
	json_decref(o);
	buf_release(&out);
}

TEST(read_then_dump_keeps_order)
{
	static const char data[] = "{\"b\":1, \"a\" : [ 2 , 3 ],\"c\":{}}\n";
	struct fixture f;

	fixture_open(&f, data, sizeof(data) - 1, NDJSON_MAX_LINE_DEFAULT);
	EXPECT_RECORD(&f, 1, "{\"b\":1,\"a\":[2,3],\"c\":{}}\n");
	expect_eof(&f);
	fixture_close(&f);
}

TEST(dump_max)
{
	struct buf out;
	json_t *o = json_pack("{s:i}", "a", 1);

	/* {"a":1} and \n are 8 bytes. */
	buf_init(&out, 7);
	CHECK(ndjson_dump(&out, o) == -1);
	buf_release(&out);
	buf_init(&out, 8);
	CHECK(ndjson_dump(&out, o) == 0);
	CHECK_STR(out.data, "{\"a\":1}\n");
	buf_release(&out);
	json_decref(o);
}

TEST(type_names)
{
	json_t *v;

	v = json_object();
	CHECK_STR(ndjson_type_name(v), "an object");
	json_decref(v);
	v = json_array();
	CHECK_STR(ndjson_type_name(v), "an array");
	json_decref(v);
	v = json_string("s");
	CHECK_STR(ndjson_type_name(v), "a string");
	json_decref(v);
	v = json_integer(1);
	CHECK_STR(ndjson_type_name(v), "a number");
	json_decref(v);
	v = json_real(1.5);
	CHECK_STR(ndjson_type_name(v), "a number");
	json_decref(v);
	CHECK_STR(ndjson_type_name(json_true()), "a boolean");
	CHECK_STR(ndjson_type_name(json_false()), "a boolean");
	CHECK_STR(ndjson_type_name(json_null()), "null");
}

/* The values jansson builds for v: v itself and all it holds. */
static size_t
tree_values(const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i, n = 1;

	json_object_foreach((json_t *)v, key, m)
	{
		n += tree_values(m);
	}
	json_array_foreach(v, i, m)
	{
		n += tree_values(m);
	}
	return n;
}

TEST(values_counted_as_jansson_builds_them)
{
	static const char *texts[] = {"{}", "[]", "[ ]", "{ }", "1", "\"s\"",
	    "{\"a\":1}", "{\"a\":[1,2],\"b\":{}}",
	    "{ \"a\" : [ 1 , 2 ] , \"b\" : { \"c\" : null } }",
	    "{\"a\":\"x,y[{\\\"z,\"}", "{\"a\":\"\\\\\",\"b\":[[],[[]],{}]}",
	    "{\"k,\":\"]\",\"\\\\\\\"\":\"{,\"}", "[{},{},[1,[2,[3]]]]"};
	json_t *v;
	size_t i, n;

	for (i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		v = json_loads(texts[i], JSON_DECODE_ANY, NULL);
		CHECK(v != NULL);
		n = ndjson_values(texts[i], strlen(texts[i]), 1000);
		if (v && n != tree_values(v)) {
			harness_failed_checks++;
			fprintf(stderr, "%s: counted %zu, jansson built %zu\n",
			    texts[i], n, tree_values(v));
		}
		json_decref(v);
	}
	/* Counting stops once past the maximum. */
	CHECK(ndjson_values("[0,0,0,0,0]", 11, 2) == 3);
	/* An unterminated string ends the count. */
	CHECK(ndjson_values("{\"a\":\"x,y,z", 12, 100) == 2);
}

/* {"a":[0,0,...]} holding n values in all (the object, a, n - 2 items). */
static void
array_record(struct buf *b, size_t n)
{
	size_t i;

	buf_reset(b);
	buf_adds(b, "{\"a\":[");
	for (i = 0; i < n - 2; i++)
		buf_adds(b, i ? ",0" : "0");
	buf_adds(b, "]}");
}

TEST(record_at_the_value_limit)
{
	struct buf b = BUF_INIT, why = BUF_INIT;
	json_t *rec;

	array_record(&b, NDJSON_MAX_VALUES);
	CHECK(ndjson_parse_text(b.data, b.len, &rec, &why) == NDJSON_RECORD);
	CHECK(rec && tree_values(rec) == NDJSON_MAX_VALUES);
	json_decref(rec);
	array_record(&b, NDJSON_MAX_VALUES + 1);
	CHECK(ndjson_parse_text(b.data, b.len, &rec, &why) == NDJSON_REJECT);
	CHECK(rec == NULL);
	CHECK_STR(why.data, "record too complex: more than 100000 values");
	/* Spaces change nothing: the count is of values, not of bytes. */
	buf_reset(&b);
	buf_adds(&b, "{ \"a\" : [ ");
	for (rec = NULL; b.len < 6 * NDJSON_MAX_VALUES;)
		buf_adds(&b, "0 , ");
	buf_adds(&b, "0 ] }");
	CHECK(ndjson_parse_text(b.data, b.len, &rec, &why) == NDJSON_REJECT);
	CHECK_STR(why.data, "record too complex: more than 100000 values");
	buf_release(&b);
	buf_release(&why);
}

int
main(void)
{
	RUN(object_is_record);
	RUN(rejects_with_reasons);
	RUN(exact_reasons);
	RUN(invalid_json_kinds);
	RUN(crlf_lines);
	RUN(nul_in_string);
	RUN(line_too_long);
	RUN(many_records_line_numbers);
	RUN(dump_key_order);
	RUN(dump_utf8_and_escapes);
	RUN(read_then_dump_keeps_order);
	RUN(dump_max);
	RUN(type_names);
	RUN(values_counted_as_jansson_builds_them);
	RUN(record_at_the_value_limit);
	return harness_done();
}
