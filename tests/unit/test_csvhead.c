/*
 * Unit tests for common/csvhead.c: empty names made column_N, repeated
 * ones NAME_2, NAME_3 (the first free one, the name they had kept in
 * renamed[]), "_meta" taken only with provenance on, the keys written as
 * JSON text with their braces, commas and escapes, the "field 'NAME'"
 * names of messages, --columns checked and split, and the header row read
 * from a CSV file: converted from another encoding, refused for invalid
 * UTF-8, a NUL byte or malformed quoting, and missing in an empty file;
 * csvhead_write(): a record under the keys as a field-by-field writer
 * (jsonw_string) writes it, on csvin's fast path and with slow set, for
 * plain records and ones to escape, short and long fields, and its
 * refusal past CSVHEAD_WRITE_MAX. Temporary files go under /tmp and are
 * removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvhead.h"
#include "csvin.h"
#include "harness.h"
#include "input.h"
#include "jsonw.h"

/* A header of n names from a list of literals, built with meta. */
static void
build(struct csvhead *h, const char *const *list, size_t n, int meta)
{
	char **names = xmalloc((n ? n : 1) * sizeof(*names));
	size_t i;

	for (i = 0; i < n; i++)
		names[i] = xstrdup(list[i]);
	csvhead_build(h, names, n, meta);
}

/* All the keys of h back to back, as a record would hold them. */
static void
check_keys(const struct csvhead *h, const char *want, int line)
{
	struct buf all = BUF_INIT;
	const char *k;
	size_t i, n;

	for (i = 0; i < h->ncols; i++) {
		k = csvhead_key(h, i, &n);
		buf_add(&all, k, n);
	}
	if (all.len != strlen(want) ||
	    (all.len && memcmp(all.data, want, all.len) != 0)) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: keys %s, want %s\n", __FILE__, line,
		    all.data ? all.data : "", want);
	}
	buf_release(&all);
}

#define CHECK_KEYS(h, want) check_keys((h), (want), __LINE__)

TEST(names_kept_and_written_as_keys)
{
	static const char *const list[] = {"id", "first name", "q\"uote"};
	struct csvhead h = {0};

	build(&h, list, 3, 1);
	CHECK(h.ncols == 3);
	CHECK_STR(h.names[1], "first name");
	CHECK(h.renamed[0] == NULL && h.renamed[1] == NULL &&
	      h.renamed[2] == NULL);
	CHECK_STR(h.fnames[0], "field 'id'");
	CHECK_KEYS(&h, "{\"id\":,\"first name\":,\"q\\\"uote\":");
	csvhead_release(&h);
	CHECK(h.ncols == 0 && h.names == NULL);
	/* Released twice, or never built: nothing to free. */
	csvhead_release(&h);
}

TEST(empty_names_become_column_n)
{
	static const char *const list[] = {"", "b", ""};
	struct csvhead h = {0};

	build(&h, list, 3, 1);
	CHECK_STR(h.names[0], "column_1");
	CHECK_STR(h.names[2], "column_3");
	/* Not a rename: nothing is said of them. */
	CHECK(h.renamed[0] == NULL && h.renamed[2] == NULL);
	CHECK_KEYS(&h, "{\"column_1\":,\"b\":,\"column_3\":");
	csvhead_release(&h);
}

TEST(repeats_renamed)
{
	static const char *const list[] = {
	    "name", "name", "name_2", "name", "", "column_5"};
	struct csvhead h = {0};

	build(&h, list, 6, 0);
	CHECK_STR(h.names[0], "name");
	CHECK(h.renamed[0] == NULL);
	CHECK_STR(h.names[1], "name_2");
	CHECK_STR(h.renamed[1], "name");
	/* name_2 was taken by the second column: the first free one. */
	CHECK_STR(h.names[2], "name_2_2");
	CHECK_STR(h.renamed[2], "name_2");
	CHECK_STR(h.names[3], "name_3");
	CHECK_STR(h.renamed[3], "name");
	/* An empty name's column_N counts as its name for a repeat. */
	CHECK_STR(h.names[4], "column_5");
	CHECK(h.renamed[4] == NULL);
	CHECK_STR(h.names[5], "column_5_2");
	CHECK_STR(h.renamed[5], "column_5");
	CHECK_STR(h.fnames[3], "field 'name_3'");
	csvhead_release(&h);
}

TEST(meta_taken_only_with_provenance)
{
	static const char *const list[] = {"_meta", "x"};
	struct csvhead h = {0};

	build(&h, list, 2, 1);
	CHECK_STR(h.names[0], "_meta_2");
	CHECK_STR(h.renamed[0], "_meta");
	CHECK_KEYS(&h, "{\"_meta_2\":,\"x\":");
	build(&h, list, 2, 0); /* builds anew over the old one */
	CHECK_STR(h.names[0], "_meta");
	CHECK(h.renamed[0] == NULL);
	csvhead_release(&h);
}

TEST(no_columns)
{
	struct csvhead h = {0};

	csvhead_build(&h, NULL, 0, 1);
	CHECK(h.ncols == 0);
	CHECK(h.keys.len == 0);
	csvhead_release(&h);
}

TEST(columns_checked)
{
	CHECK(csvhead_columns_check("a") == 0);
	CHECK(csvhead_columns_check("a,b,c") == 0);
	CHECK(csvhead_columns_check("") == 1);
	CHECK(csvhead_columns_check(",a") == 1);
	CHECK(csvhead_columns_check("a,,b") == 2);
	CHECK(csvhead_columns_check("a,b,") == 3);
}

TEST(columns_split)
{
	struct csvhead h = {0};

	csvhead_columns(&h, "id,name,id", 1);
	CHECK(h.ncols == 3);
	CHECK_STR(h.names[0], "id");
	CHECK_STR(h.names[1], "name");
	CHECK_STR(h.names[2], "id_2");
	CHECK_STR(h.renamed[2], "id");
	CHECK_KEYS(&h, "{\"id\":,\"name\":,\"id_2\":");
	csvhead_columns(&h, "one", 1);
	CHECK(h.ncols == 1);
	CHECK_KEYS(&h, "{\"one\":");
	csvhead_release(&h);
}

/*
 * Reads the header row of n bytes of CSV in encoding enc. Returns the
 * status; the reason goes to why, the row's line to *line.
 */
static enum csvin_status
read_header(struct csvhead *h, const char *data, size_t n, enum encoding enc,
    struct buf *why, unsigned long long *line)
{
	char path[sizeof(HARNESS_TMP)];
	struct input in;
	struct csvin c;
	enum csvin_status st = CSVIN_ERROR;

	CHECK(harness_tmpfile(path, data, n) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(csvin_init(&c, &in, ',', 1024) == 0);
	st = csvhead_read(h, &c, enc, 1, why);
	*line = c.line;
	csvin_release(&c);
	input_close(&in);
	remove(path);
	return st;
}

#define READ_HEADER(h, lit, enc, why, line)                                    \
	read_header((h), (lit), sizeof(lit) - 1, (enc), (why), (line))

TEST(header_row_read)
{
	struct csvhead h = {0};
	struct buf why = BUF_INIT;
	unsigned long long line = 0;

	CHECK(READ_HEADER(&h, "\n\nid,,id\n1,2,3\n", ENC_UTF8, &why, &line) ==
	      CSVIN_RECORD);
	CHECK(line == 3);
	CHECK(h.ncols == 3);
	CHECK_KEYS(&h, "{\"id\":,\"column_2\":,\"id_2\":");
	CHECK_STR(h.renamed[2], "id");
	csvhead_release(&h);
	/* Windows-1252 names become UTF-8 keys. */
	CHECK(READ_HEADER(&h, "caf\xe9,\x80\n", ENC_CP1252, &why, &line) ==
	      CSVIN_RECORD);
	CHECK_STR(h.names[0], "caf\xc3\xa9");
	CHECK_STR(h.names[1], "\xe2\x82\xac");
	csvhead_release(&h);
	buf_release(&why);
}

TEST(header_row_refused)
{
	struct csvhead h = {0};
	struct buf why = BUF_INIT;
	unsigned long long line = 0;

	CHECK(READ_HEADER(&h, "id,caf\xe9\n", ENC_UTF8, &why, &line) ==
	      CSVIN_BAD);
	CHECK_STR(why.data, "invalid UTF-8 in column 2 at byte 4 (is the file "
	                    "Windows-1252? try --encoding cp1252)");
	CHECK(line == 1);
	CHECK(h.ncols == 0 && h.names == NULL);
	CHECK(READ_HEADER(&h, "a,b\0c\n", ENC_UTF8, &why, &line) == CSVIN_BAD);
	CHECK_STR(why.data, "NUL byte in column 2");
	/* Malformed quoting: csvin's reason. */
	CHECK(READ_HEADER(&h, "\n\"a\"b,c\n", ENC_UTF8, &why, &line) ==
	      CSVIN_BAD);
	CHECK(why.len > 0);
	CHECK(line == 2);
	CHECK(h.ncols == 0);
	CHECK(READ_HEADER(&h, "", ENC_UTF8, &why, &line) == CSVIN_EOF);
	CHECK(READ_HEADER(&h, "\n\r\n", ENC_UTF8, &why, &line) == CSVIN_EOF);
	CHECK(h.ncols == 0);
	csvhead_release(&h);
	buf_release(&why);
}

/* A record under h's keys, a field at a time: what csvhead_write gives. */
static void
write_slowly(const struct csvhead *h, const struct csvin *c, struct buf *out)
{
	const char *s;
	size_t i, len;

	buf_reset(out);
	for (i = 0; i < h->ncols; i++) {
		s = csvhead_key(h, i, &len);
		buf_add(out, s, len);
		s = csvin_field(c, i, &len);
		jsonw_string(out, s, len);
	}
}

/* Every record of data written both ways, read fast or slow: 0 differ. */
static int
write_all(const char *data, size_t n, int slow, int *plains)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf why = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	struct csvhead h = {0};
	struct input in;
	struct csvin c;
	int differ = 0;

	CHECK(harness_tmpfile(path, data, n) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(csvin_init(&c, &in, ',', 1024) == 0);
	c.slow = slow;
	CHECK(csvhead_read(&h, &c, ENC_UTF8, 1, &why) == CSVIN_RECORD);
	while (csvin_next(&c) == CSVIN_RECORD) {
		CHECK(c.nfields == h.ncols && csvin_record_clean(&c));
		*plains += csvin_record_plain(&c);
		CHECK(csvhead_write(&h, &c, &a, 16) == 0);
		CHECK(a.cap - a.len > 16);
		write_slowly(&h, &c, &b);
		differ += a.len != b.len || memcmp(a.data, b.data, a.len) != 0;
	}
	csvhead_release(&h);
	csvin_release(&c);
	input_close(&in);
	remove(path);
	buf_release(&why);
	buf_release(&a);
	buf_release(&b);
	return differ;
}

TEST(record_written)
{
	static const char csv[] =
	    "id,name,\"q\"\"k\",code\r\n"
	    "1,Ann,x,\"user:5f3e,campaignID:7\"\r\n"
	    "2,\"Bob \"\"B\"\" Jr.\",,\"\"\r\n"
	    "3,O\"Neil,tab\there,back\\slash\r\n"
	    "4,Z\xc3\xbcrich,\"line one\r\nline two\",\x01\r\n"
	    "5,abcdefgh,abcdefghijklmnop,abcdefghijklmnopqrstu\n"
	    "6,\"\",a,\"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\"\n"
	    "7,abc,ab,abcd\n";
	int plains = 0;

	CHECK(write_all(csv, sizeof(csv) - 1, 0, &plains) == 0);
	/* Plain: rows 1, 5, 6 and 7, the only ones read fast with nothing
	 * to escape. */
	CHECK(plains == 4);
	plains = 0;
	CHECK(write_all(csv, sizeof(csv) - 1, 1, &plains) == 0);
	CHECK(plains == 0);
}

TEST(record_too_big_refused)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf why = BUF_INIT, data = BUF_INIT, out = BUF_INIT;
	struct csvhead h = {0};
	struct input in;
	struct csvin c;
	size_t i;

	buf_adds(&data, "a,b\n1,");
	for (i = 0; i <= CSVHEAD_WRITE_MAX; i++)
		buf_addc(&data, 'x');
	buf_adds(&data, "\n");
	CHECK(harness_tmpfile(path, data.data, data.len) == 0);
	CHECK(input_open(&in, path) == INPUT_OK);
	CHECK(csvin_init(&c, &in, ',', 4 * CSVHEAD_WRITE_MAX) == 0);
	CHECK(csvhead_read(&h, &c, ENC_UTF8, 1, &why) == CSVIN_RECORD);
	CHECK(csvin_next(&c) == CSVIN_RECORD);
	buf_adds(&out, "old");
	CHECK(csvhead_write(&h, &c, &out, 0) == -1);
	CHECK(out.len == 0);
	csvhead_release(&h);
	csvin_release(&c);
	input_close(&in);
	remove(path);
	buf_release(&why);
	buf_release(&data);
	buf_release(&out);
}

int
main(void)
{
	RUN(names_kept_and_written_as_keys);
	RUN(empty_names_become_column_n);
	RUN(repeats_renamed);
	RUN(meta_taken_only_with_provenance);
	RUN(no_columns);
	RUN(columns_checked);
	RUN(columns_split);
	RUN(header_row_read);
	RUN(header_row_refused);
	RUN(record_written);
	RUN(record_too_big_refused);
	return harness_done();
}
