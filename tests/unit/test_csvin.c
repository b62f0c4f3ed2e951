/*
 * Unit tests for common/csvin.c, reading temporary CSV files through
 * input_open() and csvin_next(): RFC 4180 quoting, line breaks inside
 * quotes with the right start line for every later record, CRLF, LF and
 * lone-CR endings, blank lines, byte-order marks (one or more), Excel's
 * first line sep=X (skipped; its delimiter used unless one was chosen),
 * literal quotes inside unquoted fields, malformed records (CSVIN_BAD)
 * with reading resumed at the next line, fields over the maximum, the raw
 * text of a long record cut with a marker saying so, records across the 1
 * MiB read buffer, other delimiters, and a read error; a field's text
 * (csvin_field_text: UTF-8 checked, NUL bytes refused, Windows-1252 and
 * Latin-1 converted) and the one-pass check of a whole record
 * (csvin_record_clean). Temporary files go under /tmp and are removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "csvin.h"
#include "harness.h"
#include "input.h"

#define MIB (1024 * 1024)

/* Appends n bytes to out with \n, \r and \ shown as \n, \r and \\. */
static void
add_shown(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			buf_adds(out, "\\n");
		else if (s[i] == '\r')
			buf_adds(out, "\\r");
		else if (s[i] == '\\')
			buf_adds(out, "\\\\");
		else
			buf_addc(out, s[i]);
	}
}

/*
 * Describes the result csvin_next() just returned on a line of out:
 * "LINE[NFIELDS]:field|field|..." for a record, "LINE:bad" for a bad one,
 * "error" for a read error.
 */
static void
describe(struct csvin *c, enum csvin_status st, struct buf *out)
{
	const char *f;
	size_t i, len;

	if (st == CSVIN_ERROR) {
		buf_adds(out, "error\n");
		return;
	}
	if (st == CSVIN_BAD) {
		buf_printf(out, "%llu:bad\n", c->line);
		CHECK(c->why[0] != '\0');
		return;
	}
	CHECK(c->why[0] == '\0');
	buf_printf(out, "%llu[%zu]:", c->line, c->nfields);
	for (i = 0; i < c->nfields; i++) {
		f = csvin_field(c, i, &len);
		if (i)
			buf_addc(out, '|');
		add_shown(out, f, len);
	}
	buf_addc(out, '\n');
}

/*
 * Reads n bytes of data as CSV with the given delimiter and maximum field
 * size and describes every result in out.
 */
static void
run(const char *data, size_t n, unsigned char delim, size_t max,
    struct buf *out)
{
	char path[sizeof(HARNESS_TMP)];
	struct input in;
	struct csvin c;
	enum csvin_status st;

	CHECK(harness_tmpfile(path, data, n) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(csvin_init(&c, &in, delim, max) == 0);
	while ((st = csvin_next(&c)) != CSVIN_EOF) {
		describe(&c, st, out);
		if (st == CSVIN_ERROR)
			break;
	}
	/* The end stays the end. */
	CHECK(st != CSVIN_EOF || csvin_next(&c) == CSVIN_EOF);
	csvin_release(&c);
	input_close(&in);
	remove(path);
}

/* Reads a string literal and compares the description with want. */
static void
check_csv(const char *data, size_t n, unsigned char delim, size_t max,
    const char *want, int line)
{
	struct buf out = BUF_INIT;

	run(data, n, delim, max, &out);
	if (out.len != strlen(want) ||
	    (out.len && memcmp(out.data, want, out.len) != 0)) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: got\n%swant\n%s", __FILE__, line,
		    out.data ? out.data : "", want);
	}
	buf_release(&out);
}

#define CHECK_CSV(lit, want)                                                   \
	check_csv((lit), sizeof(lit) - 1, ',', 1024, (want), __LINE__)
#define CHECK_CSV_MAX(lit, max, want)                                          \
	check_csv((lit), sizeof(lit) - 1, ',', (max), (want), __LINE__)
#define CHECK_CSV_DELIM(lit, delim, want)                                      \
	check_csv((lit), sizeof(lit) - 1, (delim), 1024, (want), __LINE__)

TEST(simple_records)
{
	CHECK_CSV("a,b,c\n1,2,3\n", "1[3]:a|b|c\n2[3]:1|2|3\n");
	CHECK_CSV("a,b\n1,2", "1[2]:a|b\n2[2]:1|2\n");
	CHECK_CSV("one\n", "1[1]:one\n");
	CHECK_CSV("", "");
}

TEST(empty_fields)
{
	CHECK_CSV("a,,c\n,\n", "1[3]:a||c\n2[2]:|\n");
	CHECK_CSV("\"\",x\n", "1[2]:|x\n");
	CHECK_CSV("x,\n", "1[2]:x|\n");
	CHECK_CSV(",,,", "1[4]:|||\n");
}

TEST(spaces_kept)
{
	CHECK_CSV(" a , b \n", "1[2]: a | b \n");
	CHECK_CSV("\" q \", x\n", "1[2]: q | x\n");
	CHECK_CSV(" \n", "1[1]: \n");
}

TEST(quoted_fields)
{
	CHECK_CSV("\"a,b\",c\n", "1[2]:a,b|c\n");
	CHECK_CSV("x,\"a,b,c\"\n", "1[2]:x|a,b,c\n");
	CHECK_CSV("\"he said \"\"hi\"\"\",x\n", "1[2]:he said \"hi\"|x\n");
	CHECK_CSV("\"\"\"\"\n", "1[1]:\"\n");
	CHECK_CSV("\"a\"\n\"b\"", "1[1]:a\n2[1]:b\n");
}

TEST(embedded_newlines)
{
	CHECK_CSV("a,\"line1\nline2\",c\nd,e,f\n\"x\ny\nz\"\ng\n",
	    "1[3]:a|line1\\nline2|c\n"
	    "3[3]:d|e|f\n"
	    "4[1]:x\\ny\\nz\n"
	    "7[1]:g\n");
	/* Line breaks of every kind inside quotes are data and count. */
	CHECK_CSV("\"a\r\nb\"\nc\n", "1[1]:a\\r\\nb\n3[1]:c\n");
	CHECK_CSV("\"a\rb\"\nc\n", "1[1]:a\\rb\n3[1]:c\n");
	/* A blank line inside quotes is data, not a line to skip. */
	CHECK_CSV("\"a\n\nb\",x\ny\n", "1[2]:a\\n\\nb|x\n4[1]:y\n");
}

TEST(line_endings)
{
	CHECK_CSV("a,b\r\nc,d\r\n", "1[2]:a|b\n2[2]:c|d\n");
	CHECK_CSV("a,b\rc,d\re\r", "1[2]:a|b\n2[2]:c|d\n3[1]:e\n");
	CHECK_CSV("a\r\nb\nc\rd", "1[1]:a\n2[1]:b\n3[1]:c\n4[1]:d\n");
	CHECK_CSV("\"q\"\r\n\"r\"\r", "1[1]:q\n2[1]:r\n");
	CHECK_CSV("a\r", "1[1]:a\n");
}

TEST(blank_lines_skipped)
{
	CHECK_CSV("\na\n\n\nb\n\r\n\rc\n\n", "2[1]:a\n5[1]:b\n8[1]:c\n");
	CHECK_CSV("\n\n\n", "");
	CHECK_CSV("\r\n\r\n", "");
	CHECK_CSV("a\r\n\r\nb\r\n", "1[1]:a\n3[1]:b\n");
}

TEST(byte_order_mark)
{
	CHECK_CSV("\xef\xbb\xbfid,name\n1,x\n", "1[2]:id|name\n2[2]:1|x\n");
	CHECK_CSV("\xef\xbb\xbf\"id\",x\n", "1[2]:id|x\n");
	CHECK_CSV("\xef\xbb\xbf", "");
	CHECK_CSV("\xef\xbb\xbf\nx\n", "2[1]:x\n");
	/* Only at the very start is it a mark; elsewhere it is data. */
	CHECK_CSV("a\n\xef\xbb\xbf"
	          "b\n",
	    "1[1]:a\n2[1]:\xef\xbb\xbf"
	    "b\n");
	CHECK_CSV("\xef\xbb", "1[1]:\xef\xbb\n");
	/* A file saved twice with a mark each time has two: both go. */
	CHECK_CSV("\xef\xbb\xbf\xef\xbb\xbfid,name\n", "1[2]:id|name\n");
	CHECK_CSV("\xef\xbb\xbf\xef\xbb\xbf\xef\xbb\xbf", "");
}

/* Excel's first line "sep=X": not data, and X the delimiter (AUTO). */
#define CHECK_CSV_AUTO(lit, want)                                              \
	check_csv(                                                             \
	    (lit), sizeof(lit) - 1, CSVIN_DELIM_AUTO, 1024, (want), __LINE__)

TEST(excel_sep_line)
{
	CHECK_CSV_AUTO("sep=;\nid;name\n1;x\n", "2[2]:id|name\n3[2]:1|x\n");
	CHECK_CSV_AUTO("SEP=,\r\na,b\r\n", "2[2]:a|b\n");
	CHECK_CSV_AUTO("sep=\t\ra\tb\r", "2[2]:a|b\n");
	CHECK_CSV_AUTO("sep=|", "");
	CHECK_CSV_AUTO("sep=|\n", "");
	/* Byte-order marks before it and after it. */
	CHECK_CSV_AUTO("\xef\xbb\xbfsep=;\n\xef\xbb\xbf"
	               "a;b\n",
	    "2[2]:a|b\n");
	/* Without a sep= line, AUTO is a comma. */
	CHECK_CSV_AUTO("a;b,c\n", "1[2]:a;b|c\n");
	/* Not a sep= line: data, as it always was. */
	CHECK_CSV_AUTO("sep=ab\n1,2\n", "1[1]:sep=ab\n2[2]:1|2\n");
	CHECK_CSV_AUTO("sep=\n1,2\n", "1[1]:sep=\n2[2]:1|2\n");
	CHECK_CSV_AUTO("\"sep=;\"\n1\n", "1[1]:sep=;\n2[1]:1\n");
	CHECK_CSV_AUTO("a\nsep=;\n", "1[1]:a\n2[1]:sep=;\n");
	/* A chosen delimiter wins; the line is skipped all the same. */
	CHECK_CSV("sep=;\na,b;c\n", "2[2]:a|b;c\n");
}

/* The sep= line's delimiter, seen by csvin_start() before any record. */
TEST(sep_seen_before_records)
{
	char path[sizeof(HARNESS_TMP)];
	struct input in;
	struct csvin c;

	CHECK(harness_tmpfile(path, "sep=;\na;b\n", 10) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(csvin_init(&c, &in, ',', 1024) == 0);
	CHECK(csvin_start(&c) == 0);
	CHECK(c.sep == ';' && c.delim == ',' && c.cur == 2);
	CHECK(csvin_next(&c) == CSVIN_RECORD && c.nfields == 1);
	csvin_release(&c);
	input_close(&in);
	remove(path);
}

TEST(quote_inside_unquoted_field)
{
	CHECK_CSV("a\"b,c\n", "1[2]:a\"b|c\n");
	CHECK_CSV("ab\",c\n", "1[2]:ab\"|c\n");
	CHECK_CSV("x,5\" screen\nnext\n", "1[2]:x|5\" screen\n2[1]:next\n");
	CHECK_CSV("a\"\"b\n", "1[1]:a\"\"b\n");
	CHECK_CSV("ab\"cd\",e\n", "1[2]:ab\"cd\"|e\n");
	CHECK_CSV("a\"b", "1[1]:a\"b\n");
}

TEST(text_after_closing_quote)
{
	CHECK_CSV("\"a\"b,c\nnext\n", "1:bad\n2[1]:next\n");
	CHECK_CSV("x,\"a\" ,y\nz\n", "1:bad\n2[1]:z\n");
	CHECK_CSV("ok\n\"a\"b\r\nnext\r\n", "1[1]:ok\n2:bad\n3[1]:next\n");
	/* In a record over several lines: resume after the bad line. */
	CHECK_CSV("\"a\nb\"c,d\nok\n", "1:bad\n3[1]:ok\n");
	/* On the last line, without a line end. */
	CHECK_CSV("ok\n\"a\"b", "1[1]:ok\n2:bad\n");
	/* A bad quote in a later field. */
	CHECK_CSV("1,2,\"3\"x,\"4\nstill line 1\"\n5\n",
	    "1:bad\n2[1]:still line 1\"\n3[1]:5\n");
}

TEST(bad_record_details)
{
	static const char data[] = "a,b\n\"x\"y,z\nc,d\n";
	char path[sizeof(HARNESS_TMP)];
	struct input in;
	struct csvin c;

	CHECK(harness_tmpfile(path, data, sizeof(data) - 1) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(csvin_init(&c, &in, ',', 1024) == 0);
	CHECK(csvin_next(&c) == CSVIN_RECORD);
	CHECK(csvin_next(&c) == CSVIN_BAD);
	CHECK(c.line == 2);
	CHECK(strstr(c.why, "quote") != NULL);
	/* raw holds the text of the record as read. */
	CHECK(c.rawn >= 6 && memcmp(c.rawp, "\"x\"y,z", 6) == 0);
	CHECK(csvin_next(&c) == CSVIN_RECORD);
	CHECK(c.line == 3);
	CHECK(c.why[0] == '\0');
	CHECK(c.nfields == 2);
	CHECK(csvin_next(&c) == CSVIN_EOF);
	csvin_release(&c);
	input_close(&in);
	remove(path);
}

TEST(unterminated_quote_at_eof)
{
	static const char data[] = "a,b\n\"open,x\nmore\n";
	char path[sizeof(HARNESS_TMP)];
	struct input in;
	struct csvin c;

	CHECK_CSV("a,b\n\"open,x\nmore\n", "1[2]:a|b\n2:bad\n");
	CHECK_CSV("\"abc", "1:bad\n");
	CHECK_CSV("x,\"", "1:bad\n");
	CHECK(harness_tmpfile(path, data, sizeof(data) - 1) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(csvin_init(&c, &in, ',', 1024) == 0);
	CHECK(csvin_next(&c) == CSVIN_RECORD);
	CHECK(csvin_next(&c) == CSVIN_BAD);
	CHECK(c.line == 2);
	CHECK(strstr(c.why, "unterminated") != NULL);
	CHECK(csvin_next(&c) == CSVIN_EOF);
	csvin_release(&c);
	input_close(&in);
	remove(path);
}

TEST(field_over_max)
{
	CHECK_CSV_MAX("ok,123456\nnext,1\n", 5, "1:bad\n2[2]:next|1\n");
	CHECK_CSV_MAX("12345,x\n", 5, "1[2]:12345|x\n");
	CHECK_CSV_MAX("\"1234567\",x\ny\n", 5, "1:bad\n2[1]:y\n");
	CHECK_CSV_MAX("\"12\n3456789\"\nz\n", 5, "1:bad\n3[1]:z\n");
	/* Doubled quotes count as one byte each. */
	CHECK_CSV_MAX("\"a\"\"b\"\"c\",x\n", 5, "1[2]:a\"b\"c|x\n");
	CHECK_CSV_MAX("a,b,123456", 5, "1:bad\n");
}

TEST(field_over_max_large)
{
	struct buf data = BUF_INIT, out = BUF_INIT;
	size_t i;

	/* A field of 200 KB, fed to libcsv in several pieces. */
	buf_adds(&data, "head\nx,");
	for (i = 0; i < 200000; i++)
		buf_addc(&data, (char)('a' + i % 26));
	buf_adds(&data, ",y\nnext,1\n");
	/* A quoted one full of doubled quotes and line breaks. */
	buf_adds(&data, "\"");
	for (i = 0; i < 50000; i++)
		buf_adds(&data, i % 100 == 99 ? "ab\n" : "ab\"\"");
	buf_adds(&data, "\",tail\nlast,2\n");
	run(data.data, data.len, ',', 10, &out);
	CHECK_STR(
	    out.data, "1[1]:head\n2:bad\n3[2]:next|1\n4:bad\n505[2]:last|2\n");
	buf_release(&data);
	buf_release(&out);
}

/*
 * A record's raw text past CSVIN_RAW_MAX bytes is cut, with a marker that
 * says so and gives the whole size; a shorter one is kept as it is.
 */
TEST(long_raw_text_marked_as_cut)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf data = BUF_INIT, want = BUF_INIT;
	struct input in;
	struct csvin c;
	size_t i;

	buf_adds(&data, "a,b\n1,");
	for (i = 0; i < 100000; i++)
		buf_addc(&data, 'x');
	buf_adds(&data, "\n2,y\n");
	CHECK(harness_tmpfile(path, data.data, data.len) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(csvin_init(&c, &in, ',', 1000) == 0);
	CHECK(csvin_next(&c) == CSVIN_RECORD);
	CHECK(csvin_next(&c) == CSVIN_BAD && c.raw_cut);
	buf_add(&want, data.data + 4, CSVIN_RAW_MAX);
	buf_adds(&want, "...[cut: 100003 bytes in all]");
	CHECK(c.rawn == want.len && memcmp(c.rawp, want.data, want.len) == 0);
	CHECK(csvin_next(&c) == CSVIN_RECORD);
	CHECK(!c.raw_cut);
	CHECK_MEM(c.rawp, c.rawn, "2,y\n");
	csvin_release(&c);
	input_close(&in);
	remove(path);
	buf_release(&data);
	buf_release(&want);
}

/* Compares two descriptions and shows where they first differ. */
static void
check_same(const struct buf *got, const struct buf *want, int line)
{
	size_t i;

	if (got->len == want->len &&
	    (got->len == 0 || memcmp(got->data, want->data, got->len) == 0))
		return;
	harness_failed_checks++;
	for (i = 0; i < got->len && i < want->len; i++) {
		if (got->data[i] != want->data[i])
			break;
	}
	while (i > 0 && want->data[i - 1] != '\n')
		i--;
	fprintf(stderr, "%s:%d: differs at byte %zu:\ngot  %.80s\nwant %.80s\n",
	    __FILE__, line, i, got->data ? got->data + i : "",
	    want->data ? want->data + i : "");
}

TEST(bad_quote_in_long_line)
{
	struct buf data = BUF_INIT, out = BUF_INIT;
	size_t i;

	/* Lines longer than libcsv is fed at once: skipped to their end. */
	buf_adds(&data, "\"a\"b,");
	for (i = 0; i < 150000; i++)
		buf_addc(&data, 'x');
	buf_adds(&data, "\nnext\n");
	for (i = 0; i < 150000; i++)
		buf_addc(&data, 'y');
	buf_adds(&data, ",\"q\"r,\"unclosed\r\nlast\r\n");
	run(data.data, data.len, ',', MIB, &out);
	CHECK_STR(out.data, "1:bad\n2[1]:next\n3:bad\n4[1]:last\n");
	buf_release(&data);
	buf_release(&out);
}

TEST(field_larger_than_read_buffer)
{
	struct buf data = BUF_INIT, field = BUF_INIT, out = BUF_INIT;
	struct buf want = BUF_INIT;
	size_t i;

	/* A quoted field of 1.5 MiB with quotes and line breaks inside. */
	for (i = 0; field.len < 3 * MIB / 2; i++) {
		if (i % 1000 == 999)
			buf_adds(&field, "\n");
		else if (i % 777 == 0)
			buf_addc(&field, '"');
		else
			buf_addc(&field, (char)('a' + i % 26));
	}
	buf_adds(&data, "k,\"");
	for (i = 0; i < field.len; i++) {
		buf_addc(&data, field.data[i]);
		if (field.data[i] == '"')
			buf_addc(&data, '"');
	}
	buf_adds(&data, "\",v\nz\n");
	run(data.data, data.len, ',', 2 * MIB, &out);
	buf_adds(&want, "1[3]:k|");
	add_shown(&want, field.data, field.len);
	buf_printf(&want, "|v\n%zu[1]:z\n", 2 + field.len / 1000);
	check_same(&out, &want, __LINE__);
	buf_release(&data);
	buf_release(&field);
	buf_release(&out);
	buf_release(&want);
}

TEST(delimiters)
{
	CHECK_CSV_DELIM("a;b;\"c;d\"\n", ';', "1[3]:a|b|c;d\n");
	CHECK_CSV_DELIM("a,b;c\n", ';', "1[2]:a,b|c\n");
	CHECK_CSV_DELIM("a\tb\t\"c\td\"\n", '\t', "1[3]:a|b|c\td\n");
	CHECK_CSV_DELIM("a, b\t c\n", '\t', "1[2]:a, b| c\n");
	CHECK_CSV_DELIM("x|y\n", '|', "1[2]:x|y\n");
}

/*
 * Appends rows "rNNNNNNN,vNNNNNNN,some padding text" ended by eol, numbered
 * from first, until out holds at least n bytes. Returns the next number.
 */
static unsigned long
add_rows(struct buf *out, size_t n, unsigned long first, const char *eol)
{
	unsigned long i = first;

	while (out->len < n) {
		buf_printf(out, "r%07lu,v%07lu,some padding text%s", i, i, eol);
		i++;
	}
	return i;
}

TEST(many_rows_across_read_buffer)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf data = BUF_INIT, want = BUF_INIT;
	struct input in;
	struct csvin c;
	enum csvin_status st;
	unsigned long rows, i = 0, bad = 0;
	const char *f;
	size_t len;

	rows = add_rows(&data, 3 * MIB, 0, "\n");
	CHECK(harness_tmpfile(path, data.data, data.len) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(csvin_init(&c, &in, ',', 1024) == 0);
	while ((st = csvin_next(&c)) == CSVIN_RECORD) {
		buf_reset(&want);
		buf_printf(&want, "v%07lu", i);
		f = "";
		len = 0;
		if (c.nfields == 3)
			f = csvin_field(&c, 1, &len);
		if (c.nfields != 3 || c.line != i + 1 || len != want.len ||
		    memcmp(f, want.data, len) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "row %lu: line %llu, %.*s\n", i,
				    c.line, (int)len, f);
		}
		i++;
	}
	CHECK(st == CSVIN_EOF);
	CHECK(i == rows);
	CHECK(bad == 0);
	csvin_release(&c);
	input_close(&in);
	remove(path);
	buf_release(&data);
	buf_release(&want);
}

/* Appends the descriptions of rows from..to-1, the first on line. */
static void
want_rows(
    struct buf *want, unsigned long from, unsigned long to, unsigned long line)
{
	unsigned long i;

	for (i = from; i < to; i++)
		buf_printf(want, "%lu[3]:r%07lu|v%07lu|some padding text\n",
		    line++, i, i);
}

TEST(records_on_read_buffer_boundary)
{
	struct buf data = BUF_INIT, out = BUF_INIT, want = BUF_INIT;
	unsigned long rows1, rows2;
	size_t pad, longstart;

	/*
	 * Rows up to a few bytes before 1 MiB, then a quoted record over two
	 * lines that the first read cuts after its fourth byte.
	 */
	rows1 = add_rows(&data, MIB - 100, 0, "\n");
	want_rows(&want, 0, rows1, 1);
	pad = MIB - 5 - data.len;
	buf_printf(&want, "%lu[1]:", rows1 + 1);
	while (pad-- > 0) {
		buf_addc(&data, 'p');
		buf_addc(&want, 'p');
	}
	buf_addc(&want, '\n');
	buf_adds(&data, "\n\"multi\nline,\"\"field\",x\n");
	buf_printf(&want, "%lu[2]:multi\\nline,\"field|x\n", rows1 + 2);
	/* A row longer than libcsv is fed at once, across 2 MiB. */
	rows2 = add_rows(&data, 2 * MIB - 100000, rows1, "\n");
	want_rows(&want, rows1, rows2, rows1 + 4);
	buf_adds(&data, "long,");
	buf_printf(&want, "%lu[3]:long|", rows2 + 4);
	longstart = data.len;
	while (data.len < 2 * MIB + 100000)
		buf_addc(&data, 'L');
	buf_add(&want, data.data + longstart, data.len - longstart);
	buf_adds(&data, ",end\nafter,long\n");
	buf_printf(&want, "|end\n%lu[2]:after|long\n", rows2 + 5);
	run(data.data, data.len, ',', MIB, &out);
	check_same(&out, &want, __LINE__);
	buf_release(&data);
	buf_release(&out);
	buf_release(&want);
}

/*
 * Rows ended by eol (with a \r), padded so that a \r is the last byte of
 * the first 1 MiB read: it must still end one line, not two.
 */
static void
cr_on_boundary(const char *eol)
{
	struct buf data = BUF_INIT, out = BUF_INIT, want = BUF_INIT;
	unsigned long rows1, rows2;
	size_t pad;

	rows1 = add_rows(&data, MIB - 100, 0, eol);
	want_rows(&want, 0, rows1, 1);
	pad = MIB - 1 - data.len;
	buf_printf(&want, "%lu[1]:", rows1 + 1);
	while (pad-- > 0) {
		buf_addc(&data, 'p');
		buf_addc(&want, 'p');
	}
	buf_addc(&want, '\n');
	buf_adds(&data, eol);
	CHECK(data.data[MIB - 1] == '\r');
	rows2 = add_rows(&data, MIB + 1000, rows1, eol);
	want_rows(&want, rows1, rows2, rows1 + 2);
	run(data.data, data.len, ',', 1024, &out);
	check_same(&out, &want, __LINE__);
	buf_release(&data);
	buf_release(&out);
	buf_release(&want);
}

TEST(crlf_on_read_buffer_boundary)
{
	cr_on_boundary("\r\n");
}

TEST(lone_cr_on_read_buffer_boundary)
{
	cr_on_boundary("\r");
}

TEST(read_error)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf rows = BUF_INIT, gz = BUF_INIT;
	struct input in;
	struct csvin c;
	enum csvin_status st;
	unsigned long n = 0, bad = 0;
	gzFile g;
	FILE *fp;
	char tmp[4096];
	size_t k;

	/* A gzipped CSV file cut in the middle. */
	add_rows(&rows, 300000, 0, "\n");
	CHECK(harness_tmpfile(path, "", 0) == 0);
	g = gzopen(path, "wb");
	CHECK(g != NULL);
	CHECK(g && gzwrite(g, rows.data, (unsigned)rows.len) == (int)rows.len);
	CHECK(g && gzclose(g) == Z_OK);
	fp = fopen(path, "rb");
	CHECK(fp != NULL);
	while (fp && (k = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(&gz, tmp, k);
	if (fp)
		fclose(fp);
	remove(path);
	CHECK(harness_tmpfile(path, gz.data, gz.len / 2) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(csvin_init(&c, &in, ',', 1024) == 0);
	while ((st = csvin_next(&c)) == CSVIN_RECORD) {
		if (c.line != n + 1 || c.nfields != 3)
			bad++;
		n++;
	}
	CHECK(st == CSVIN_ERROR);
	CHECK(in.status == INPUT_CORRUPT);
	CHECK(n > 0);
	CHECK(bad == 0);
	csvin_release(&c);
	input_close(&in);
	remove(path);
	buf_release(&rows);
	buf_release(&gz);
}

/* The first record of a CSV text, for the tests of a field's text. */
struct first {
	char path[sizeof(HARNESS_TMP)];
	struct input in;
	struct csvin c;
	struct buf conv, why; /* csvin_field_text()'s */
};

static void
first_record(struct first *f, const char *data, size_t n)
{
	buf_init(&f->conv, BUF_UNLIMITED);
	buf_init(&f->why, BUF_UNLIMITED);
	CHECK(harness_tmpfile(f->path, data, n) == 0);
	CHECK(input_open(&f->in, f->path) == INPUT_OK);
	CHECK(csvin_init(&f->c, &f->in, ',', 1024) == 0);
	CHECK(csvin_next(&f->c) == CSVIN_RECORD);
}

static void
first_release(struct first *f)
{
	csvin_release(&f->c);
	input_close(&f->in);
	remove(f->path);
	buf_release(&f->conv);
	buf_release(&f->why);
}

/* Field i's text in encoding enc, named name in a reason. */
static const char *
text_of(
    struct first *f, size_t i, enum encoding enc, const char *name, size_t *n)
{
	return csvin_field_text(&f->c, i, enc, &f->conv, name, n, &f->why);
}

TEST(field_text_utf8)
{
	static const char csv[] = "caf\xc3\xa9,a\xe9z,x\0y,\n";
	struct first f;
	const char *s;
	size_t n;

	first_record(&f, csv, sizeof(csv) - 1);
	CHECK(f.c.nfields == 4);
	/* Valid UTF-8 is the field's own bytes, not a copy. */
	s = text_of(&f, 0, ENC_UTF8, "field 'a'", &n);
	CHECK(s == f.c.fv[0].p);
	CHECK_MEM(s, n, "caf\xc3\xa9");
	CHECK(f.why.len == 0);
	CHECK(text_of(&f, 1, ENC_UTF8, "field 'b'", &n) == NULL);
	CHECK_STR(f.why.data, "invalid UTF-8 in field 'b' at byte 2 (is the "
	                      "file Windows-1252? try --encoding cp1252)");
	buf_reset(&f.why);
	CHECK(text_of(&f, 2, ENC_UTF8, "column 3", &n) == NULL);
	CHECK_STR(f.why.data, "NUL byte in column 3");
	/* An empty field is text too. */
	buf_reset(&f.why);
	s = text_of(&f, 3, ENC_UTF8, "field 'd'", &n);
	CHECK(s != NULL && n == 0 && f.why.len == 0);
	CHECK(!csvin_record_clean(&f.c));
	first_release(&f);
}

TEST(field_text_converted)
{
	static const char csv[] = "\x80,\xe9t\xe9,\n";
	struct first f;
	const char *s;
	size_t n;

	first_record(&f, csv, sizeof(csv) - 1);
	s = text_of(&f, 0, ENC_CP1252, "field 'a'", &n);
	CHECK(s == f.conv.data);
	CHECK_MEM(s, n, "\xe2\x82\xac"); /* the euro sign */
	s = text_of(&f, 1, ENC_LATIN1, "field 'b'", &n);
	CHECK_MEM(s, n, "\xc3\xa9t\xc3\xa9");
	/* conv is replaced, and an empty conversion is "", not NULL. */
	s = text_of(&f, 2, ENC_LATIN1, "field 'c'", &n);
	CHECK(s != NULL && n == 0);
	CHECK(f.why.len == 0);
	first_release(&f);
}

/* A string literal and its length, NUL bytes included. */
#define LIT(s) s, sizeof(s) - 1

TEST(record_clean)
{
	static const struct {
		const char *csv;
		size_t n;
		int clean;
	} cases[] = {
	    {LIT("a,b,c\n"), 1},
	    {LIT("caf\xc3\xa9,\xe2\x82\xac\n"), 1},
	    {LIT(",,\n"), 1},
	    {LIT("a\xff,b\n"), 0},
	    {LIT("a\xc3,\xa9z\n"), 0}, /* valid only across two fields */
	    {LIT("a,x\0y\n"), 0},
	};
	struct first f;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		first_record(&f, cases[i].csv, cases[i].n);
		if (csvin_record_clean(&f.c) != cases[i].clean) {
			harness_failed_checks++;
			fprintf(stderr, "%s:%d: case %zu: clean is not %d\n",
			    __FILE__, __LINE__, i, cases[i].clean);
		}
		first_release(&f);
	}
}

int
main(void)
{
	RUN(simple_records);
	RUN(empty_fields);
	RUN(spaces_kept);
	RUN(quoted_fields);
	RUN(embedded_newlines);
	RUN(line_endings);
	RUN(blank_lines_skipped);
	RUN(byte_order_mark);
	RUN(excel_sep_line);
	RUN(sep_seen_before_records);
	RUN(quote_inside_unquoted_field);
	RUN(text_after_closing_quote);
	RUN(bad_record_details);
	RUN(unterminated_quote_at_eof);
	RUN(field_over_max);
	RUN(field_over_max_large);
	RUN(long_raw_text_marked_as_cut);
	RUN(bad_quote_in_long_line);
	RUN(field_larger_than_read_buffer);
	RUN(delimiters);
	RUN(many_rows_across_read_buffer);
	RUN(records_on_read_buffer_boundary);
	RUN(crlf_on_read_buffer_boundary);
	RUN(lone_cr_on_read_buffer_boundary);
	RUN(read_error);
	RUN(field_text_utf8);
	RUN(field_text_converted);
	RUN(record_clean);
	return harness_done();
}
