/*
 * Unit tests for common/quasar.c: table names, the DDL and INSERT text,
 * insert URLs on several shapes of base URL, credentials taken out of a
 * URL, DateTime text, provenance read from _meta on the fast (jdoc) and
 * tree (jansson) paths alike and the stage's defaults filled in where it
 * lacks them, a record's identity (the same for the same
 * content whatever its _meta, its spelling or the path that read it, and
 * Python's hashlib on the same bytes), the exact RowBinary row a record
 * becomes (the record in it the line byte for byte), the table's
 * key read back (an older table told apart) and its columns' types
 * checked (what differs named), the hint for an insert into
 * one, spooled rows of an older post-quasar given their identity, the
 * keys of a spooled batch's rows read from their record_hash (RowBinary
 * rows, and an older post-quasar's JSONEachRow ones), and
 * what answers mean: status, ClickHouse's error codes, the message shown.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "gzbuf.h"
#include "harness.h"
#include "hash128.h"
#include "jdoc.h"
#include "jsoncheck.h"
#include "quasar.h"
#include "rowbin.h"

TEST(table_names)
{
	CHECK(quasar_table_ok("raw_turbovote"));
	CHECK(quasar_table_ok("db.t1"));
	CHECK(quasar_table_ok("_x"));
	CHECK(!quasar_table_ok(""));
	CHECK(!quasar_table_ok("1abc"));
	CHECK(!quasar_table_ok("a-b"));
	CHECK(!quasar_table_ok("t; DROP TABLE x"));
	CHECK(!quasar_table_ok("a.b.c"));
	CHECK(!quasar_table_ok("db."));
	CHECK(!quasar_table_ok(".t"));
	CHECK(!quasar_table_ok("t`"));
}

TEST(statements)
{
	struct buf b = BUF_INIT;

	quasar_ddl(&b, "t");
	CHECK_STR(b.data, "CREATE TABLE IF NOT EXISTS t (source String, "
	                  "record_hash FixedString(64), file String, line "
	                  "UInt64, imported_at DateTime, record String) ENGINE "
	                  "= ReplacingMergeTree() ORDER BY (source, "
	                  "record_hash)");
	buf_reset(&b);
	quasar_insert(&b, "db.t", QLAYOUT_RAW);
	CHECK_STR(b.data, "INSERT INTO db.t (source, record_hash, file, line, "
	                  "imported_at, record) FORMAT RowBinary");
	buf_reset(&b);
	quasar_insert(&b, "db.t", QLAYOUT_EVENTS);
	CHECK_STR(b.data, "INSERT INTO db.t FORMAT JSONEachRow");
	buf_reset(&b);
	quasar_key_query(&b, "t");
	CHECK_STR(b.data, "SELECT engine, sorting_key FROM system.tables WHERE "
	                  "database = currentDatabase() AND name = 't' FORMAT "
	                  "TSV");
	buf_reset(&b);
	quasar_key_query(&b, "db.t");
	CHECK_STR(b.data, "SELECT engine, sorting_key FROM system.tables WHERE "
	                  "database = 'db' AND name = 't' FORMAT TSV");
	buf_reset(&b);
	quasar_columns_query(&b, "db.t");
	CHECK_STR(b.data, "SELECT name, type FROM system.columns WHERE "
	                  "database = 'db' AND table = 't' FORMAT TSV");
	buf_reset(&b);
	quasar_engine_query(&b, "t");
	CHECK_STR(b.data, "SELECT engine_full FROM system.tables WHERE "
	                  "database = currentDatabase() AND name = 't' FORMAT "
	                  "TSV");
	buf_release(&b);
}

#define CHECK_URL(base, want)                                                  \
	do {                                                                   \
		struct buf u_ = BUF_INIT;                                      \
		CHECK(quasar_url(&u_, (base), "INSERT INTO t FORMAT X") == 0); \
		CHECK_STR(u_.data, (want));                                    \
		buf_release(&u_);                                              \
	} while (0)

TEST(insert_urls)
{
	CHECK_URL("http://127.0.0.1:8123",
	    "http://127.0.0.1:8123/?query=INSERT%20INTO%20t%20FORMAT%20X");
	CHECK_URL("http://h:8123//",
	    "http://h:8123/?query=INSERT%20INTO%20t%20FORMAT%20X");
	CHECK_URL("http://h/ch/",
	    "http://h/ch/?query=INSERT%20INTO%20t%20FORMAT%20X");
	CHECK_URL("http://h:8123/?database=d",
	    "http://h:8123/?database=d&query=INSERT%20INTO%20t%20FORMAT%20X");
	CHECK_URL("http://h:8123/?",
	    "http://h:8123/?query=INSERT%20INTO%20t%20FORMAT%20X");
}

#define CHECK_REDACT(url, want)                                                \
	do {                                                                   \
		char *r_ = quasar_redact(url);                                 \
		CHECK_STR(r_, (want));                                         \
		free(r_);                                                      \
	} while (0)

TEST(credentials_are_redacted)
{
	CHECK_REDACT("http://127.0.0.1:8123", "http://127.0.0.1:8123");
	CHECK_REDACT("http://u:secret@h:8123/", "http://h:8123/");
	CHECK_REDACT("https://u@h/x?y=1", "https://h/x?y=1");
	CHECK_REDACT("http://h:8123/?user=u&password=secret&database=d",
	    "http://h:8123/?user=u&database=d");
	CHECK_REDACT("http://h/?password=secret", "http://h/");
	CHECK_REDACT("http://h/?password&a=1", "http://h/?a=1");
	CHECK_REDACT("http://h/?passwords=1", "http://h/?passwords=1");
	CHECK_REDACT("http://h/a@b?x=1#frag", "http://h/a@b?x=1");
	CHECK_REDACT("h:8123", "h:8123");
}

TEST(datetime)
{
	char s[20];

	quasar_datetime(0, s);
	CHECK_STR(s, "1970-01-01 00:00:00");
	quasar_datetime(1795341600, s);
	CHECK_STR(s, "2026-11-22 10:00:00");
}

#define BODY(s) (s), sizeof(s) - 1

/* Python's hashlib.sha256(b'"tv"\n{"a":"x"}'). */
#define TV_AX "461ed1f531f81278b4b598b71ef5499e74378afa89989617761086b7040d6113"

/* The row of a line whose provenance came from p's parts. */
static void
row_of(const struct quasar_prov *p, const char *line, struct buf *out)
{
	buf_reset(out);
	CHECK(quasar_row(out, p, 1795341600, line, strlen(line)) == 0);
}

/*
 * The RowBinary row in row read back, its columns as text between |:
 * "source|record_hash|file|line|imported_at|record", the record last so
 * that a test can take it as it is from the end. "" when it is not one
 * whole row.
 */
static const char *
row_text(const struct buf *row, struct buf *out)
{
	struct rowbin_in in = {(const unsigned char *)row->data, row->len, 0};
	const char *s, *hash, *num;
	size_t n;
	unsigned long long line = 0;
	unsigned long at = 0;
	int i;

	buf_reset(out);
	if (rowbin_take_string(&in, &s, &n) < 0)
		return "";
	buf_add(out, s, n);
	if (rowbin_take(&in, 64, &hash) < 0 ||
	    rowbin_take_string(&in, &s, &n) < 0)
		return "";
	buf_addc(out, '|');
	buf_add(out, hash, 64);
	buf_addc(out, '|');
	buf_add(out, s, n);
	if (rowbin_take(&in, 8, &num) < 0)
		return "";
	for (i = 7; i >= 0; i--)
		line = line << 8 | (unsigned char)num[i];
	if (rowbin_take(&in, 4, &num) < 0)
		return "";
	for (i = 3; i >= 0; i--)
		at = at << 8 | (unsigned char)num[i];
	if (rowbin_take_string(&in, &s, &n) < 0 || in.at != in.n)
		return "";
	buf_printf(out, "|%llu|%lu|", line, at);
	buf_add(out, s, n);
	return out->data;
}

TEST(provenance_fast_and_tree)
{
	static const char *const lines[] = {
	    "{\"a\":\"x\",\"_meta\":{\"source\":\"tv\",\"file\":\"e x\\\"."
	    "csv\",\"line\":42}}",
	    /* Not canonical (spaces): only the tree path reads it. */
	    "{\"a\": \"x\", \"_meta\": {\"source\": \"tv\", \"file\": "
	    "\"e x\\\".csv\", \"line\": 42}}",
	};
	struct quasar_prov p;
	struct jdoc d;
	struct buf row = BUF_INIT, text = BUF_INIT;
	json_t *rec;

	quasar_prov_init(&p);
	jdoc_init(&d);
	CHECK(jdoc_parse(&d, lines[0], strlen(lines[0])) == 0);
	quasar_prov_doc(&p, &d);
	CHECK_MEM(p.source, p.source_len, "\"tv\"");
	CHECK_MEM(p.file, p.file_len, "\"e x\\\".csv\"");
	CHECK(p.line == 42);
	CHECK(jdoc_parse(&d, lines[1], strlen(lines[1])) < 0);
	rec = parse(lines[1]);
	quasar_prov_tree(&p, rec);
	CHECK_MEM(p.source, p.source_len, "\"tv\"");
	CHECK_MEM(p.file, p.file_len, "\"e x\\\".csv\"");
	CHECK(p.line == 42);
	quasar_hash_tree(&p, rec);
	row_of(&p, "{}", &row);
	/* The file's JSON text decoded: e x".csv. */
	CHECK_STR(
	    row_text(&row, &text), "tv|" TV_AX "|e x\".csv|42|1795341600|{}");
	json_decref(rec);
	buf_release(&row);
	buf_release(&text);
	jdoc_release(&d);
	quasar_prov_release(&p);
}

/* The identity of a line, read as jdoc reads it when it can, else as a
 * tree, with the source "s". */
static const char *
identity(struct quasar_prov *p, struct jdoc *d, const char *line)
{
	json_t *rec;

	p->source = "\"s\"";
	p->source_len = 3;
	if (jdoc_parse(d, line, strlen(line)) == 0) {
		quasar_hash_doc(p, d);
		return p->hash;
	}
	rec = parse(line);
	quasar_hash_tree(p, rec);
	json_decref(rec);
	return p->hash;
}

TEST(identity_is_the_content)
{
	/* One record: _meta first, in the middle, last, missing; spaces, an
	 * escape and a real spelt otherwise (the tree path). */
	static const char *const same[] = {
	    "{\"_meta\":{\"file\":\"a.csv\",\"line\":2},\"a\":1,\"b\":[2]}",
	    "{\"a\":1,\"_meta\":{\"file\":\"b.csv\"},\"b\":[2]}",
	    "{\"a\":1,\"b\":[2],\"_meta\":{}}",
	    "{\"a\":1,\"b\":[2],\"_meta\":\"x\"}",
	    "{\"a\":1,\"b\":[2]}",
	    "{ \"a\" : 1 , \"b\" : [ 2 ], \"_meta\" : { \"line\" : 9 } }",
	    "{\"_meta\":{},\"a\":1,\"b\":[2],\"_meta\":{\"line\":3}}",
	};
	static const char *const other[] = {
	    "{\"a\":1,\"b\":[3]}",
	    "{\"b\":[2],\"a\":1}",
	    "{\"a\":1,\"b\":[2],\"c\":null}",
	    "{\"a\":\"1\",\"b\":[2]}",
	};
	struct quasar_prov p;
	struct jdoc d;
	char want[SHA256_HEX];
	size_t i;

	quasar_prov_init(&p);
	jdoc_init(&d);
	/* Python's hashlib.sha256(b'"s"\n{"a":1,"b":[2]}'). */
	memcpy(want,
	    "0746e2113a92be87bb43eedd6f81c32e4b26ce522d7b18f41f774196e18c92aa",
	    SHA256_HEX);
	for (i = 0; i < sizeof(same) / sizeof(*same); i++) {
		if (strcmp(identity(&p, &d, same[i]), want) != 0) {
			harness_failed_checks++;
			fprintf(stderr, "%s: %s\n", same[i], p.hash);
		}
	}
	for (i = 0; i < sizeof(other) / sizeof(*other); i++)
		CHECK(strcmp(identity(&p, &d, other[i]), want) != 0);
	/* The escaped and the plain spelling of one string. */
	CHECK_STR(identity(&p, &d, "{\"c\":\"\\u00e9\",\"_meta\":{}}"),
	    identity(&p, &d, "{\"c\":\"\xc3\xa9\"}"));
	/* Only _meta: the record is {}. */
	CHECK_STR(identity(&p, &d, "{\"_meta\":{\"line\":1}}"),
	    "a2541d468cb271b67aa3bdc7552f1a029e39330cc873658e0e3bec9b748a5ae4");
	/* Another source, another identity. */
	identity(&p, &d, same[0]);
	p.source = "\"t\"";
	quasar_hash_doc(&p, &d);
	CHECK(strcmp(p.hash, want) != 0);
	jdoc_release(&d);
	quasar_prov_release(&p);
}

#define CHECK_SHARDS(engine, want)                                             \
	do {                                                                   \
		struct buf q_ = BUF_INIT;                                      \
		CHECK(quasar_shards_query(&q_, BODY(engine)) == 0);            \
		CHECK_STR(q_.data, (want));                                    \
		buf_release(&q_);                                              \
	} while (0)

TEST(distributed_tables)
{
	struct buf q = BUF_INIT;

	CHECK(quasar_distributed(BODY("Distributed\t\n")));
	CHECK(!quasar_distributed(BODY("ReplacingMergeTree\tsource\n")));
	CHECK(!quasar_distributed(BODY("")));
	CHECK_SHARDS("Distributed(warehouse, default, raw_t, "
	             "cityHash64(source, record_hash))\n",
	    "SELECT DISTINCT engine, sorting_key FROM cluster('warehouse', "
	    "system.tables) WHERE database = 'default' AND name = 'raw_t' "
	    "FORMAT TSV");
	CHECK_SHARDS("Distributed('wh-1.x', `db`, 'raw_t')",
	    "SELECT DISTINCT engine, sorting_key FROM cluster('wh-1.x', "
	    "system.tables) WHERE database = 'db' AND name = 'raw_t' FORMAT "
	    "TSV");
	/* Not plain names, or not the engine: refused. */
	CHECK(quasar_shards_query(&q, BODY("Distributed(c, currentDatabase(), "
	                                   "t, rand())")) == -1);
	CHECK(quasar_shards_query(&q, BODY("Distributed(c, 'd', 't'x)")) == -1);
	CHECK(quasar_shards_query(&q, BODY("Distributed(c', d, t)")) == -1);
	CHECK(quasar_shards_query(&q, BODY("Distributed(c, d)")) == -1);
	CHECK(quasar_shards_query(&q, BODY("Distributed(c, d.e, t)")) == -1);
	CHECK(quasar_shards_query(&q, BODY("MergeTree()")) == -1);
	CHECK(quasar_shards_query(&q, BODY("")) == -1);
	CHECK(q.len == 0);
	buf_release(&q);
}

/* The columns a RowBinary row needs, with their types (system.columns'
 * answers, as 18.16 writes them). */
TEST(table_columns)
{
#define COLS(line, at)                                                            \
	"source\tString\nrecord_hash\tFixedString(64)\nfile\tString\nline\t" line \
	"\nimported_at\t" at "\nrecord\tString\n"
	struct buf what = BUF_INIT;

	CHECK(
	    quasar_columns_check(BODY(COLS("UInt64", "DateTime")), &what) == 0);
	/* A time zone is the same UInt32; another column is the table's. */
	CHECK(quasar_columns_check(
	          BODY(COLS(
	              "UInt64", "DateTime('UTC')") "extra\tNullable(String)\n"),
	          &what) == 0);
	CHECK(quasar_columns_check(BODY(COLS("UInt32", "DateTime")), &what) ==
	      -1);
	CHECK_STR(what.data, "line is UInt32, not UInt64");
	buf_reset(&what);
	CHECK(quasar_columns_check(
	          BODY(COLS("UInt64", "DateTime64(3)")), &what) == -1);
	CHECK_STR(what.data, "imported_at is DateTime64(3), not DateTime");
	buf_reset(&what);
	CHECK(quasar_columns_check(BODY("source\tNullable(String)\n"), &what) ==
	      -1);
	CHECK_STR(what.data, "source is Nullable(String), not String");
	buf_reset(&what);
	/* An older table: no record_hash. */
	CHECK(
	    quasar_columns_check(BODY("source\tString\nfile\tString\nline\t"
	                              "UInt64\nimported_at\tDateTime\nrecord\t"
	                              "String\n"),
	        &what) == -1);
	CHECK_STR(what.data, "it has no column record_hash FixedString(64)");
	buf_reset(&what);
	CHECK(quasar_columns_check(BODY("record\tString\n"), &what) == -1);
	CHECK_STR(what.data, "it has no column source String");
	/* No table to see: nothing to check, as for the key. */
	buf_reset(&what);
	CHECK(quasar_columns_check(BODY(""), &what) == 0 && what.len == 0);
	buf_release(&what);
#undef COLS
}

TEST(table_keys)
{
	struct buf what = BUF_INIT;

	CHECK(quasar_key_check(BODY("ReplacingMergeTree\tsource, "
	                            "record_hash\n"),
	          &what) == 1);
	CHECK(quasar_key_check(BODY(""), &what) == 0);
	CHECK(what.len == 0);
	CHECK(quasar_key_check(BODY("ReplacingMergeTree\tsource, file, "
	                            "line\n"),
	          &what) == -1);
	CHECK_STR(
	    what.data, "ReplacingMergeTree keyed by (source, file, line)");
	buf_reset(&what);
	CHECK(quasar_key_check(
	          BODY("MergeTree\tsource, record_hash\n"), &what) == -1);
	CHECK_STR(what.data, "MergeTree keyed by (source, record_hash)");
	buf_reset(&what);
	CHECK(quasar_key_check(BODY("Log\t\n"), &what) == -1);
	CHECK_STR(what.data, "Log keyed by ()");
	buf_reset(&what);
	/* A line per shard: every one the key, else the first that is not. */
	CHECK(
	    quasar_key_check(BODY("ReplacingMergeTree\tsource, record_hash\n"
	                          "ReplacingMergeTree\tsource, record_hash\n"),
	        &what) == 1);
	CHECK(quasar_key_check(BODY("ReplacingMergeTree\tsource, record_hash\n"
	                            "ReplacingMergeTree\tsource, file, line\n"),
	          &what) == -1);
	CHECK_STR(
	    what.data, "ReplacingMergeTree keyed by (source, file, line)");
	buf_release(&what);
	CHECK(quasar_hint(BODY("Code: 117, e.displayText() = DB::Exception: "
	                       "Unknown field found while parsing JSONEachRow "
	                       "format: record_hash: (at row 1)")) != NULL);
	CHECK(quasar_hint(BODY("Code: 117, e.displayText() = DB::Exception: "
	                       "Unknown field found while parsing JSONEachRow "
	                       "format: other")) == NULL);
	/* 18.16's answer to a RowBinary insert naming the column. */
	CHECK(
	    quasar_hint(BODY("Code: 16, e.displayText() = DB::Exception: No "
	                     "such column record_hash in table old")) != NULL);
	CHECK(quasar_hint(BODY("Code: 16, e.displayText() = DB::Exception: No "
	                       "such column other in table old")) == NULL);
	CHECK(quasar_hint(BODY("Code: 60, record_hash")) == NULL);
	CHECK(quasar_hint(BODY("Code: 33, e.displayText() = DB::Exception: "
	                       "Cannot read all data.")) != NULL);
}

/* Gzips text into out (replaced), one member. */
static void
gzip_text(const char *text, struct buf *out)
{
	struct gzbuf g;

	buf_reset(out);
	gzbuf_init(&g, GZBUF_LEVEL);
	CHECK(gzbuf_compress(&g, text, strlen(text), out) == 0);
	gzbuf_release(&g);
}

/* Inflates a gzip body into out (replaced). */
static void
gunzip_text(const struct buf *in, struct buf *out)
{
	unsigned char chunk[4096];
	z_stream z;
	int rc;

	buf_reset(out);
	memset(&z, 0, sizeof(z));
	CHECK(inflateInit2(&z, 31) == Z_OK);
	z.next_in = (unsigned char *)in->data;
	z.avail_in = (uInt)in->len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		buf_add(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK);
	CHECK(rc == Z_STREAM_END);
	inflateEnd(&z);
}

/* Rows as an older post-quasar spooled them, without record_hash. */
#define OLD_ROW(src, rec)                                                      \
	"{\"source\":\"" src "\",\"file\":\"e.csv\",\"line\":2,"               \
	"\"imported_at\":\"2026-11-22 10:00:00\",\"record\":\"" rec "\"}\n"

TEST(older_spooled_rows_get_their_identity)
{
	struct buf body = BUF_INIT, plain = BUF_INIT, err = BUF_INIT;
	struct quasar_prov p;
	struct jdoc d;
	unsigned long long bytes;
	json_t *row;
	const char *nl;

	quasar_prov_init(&p);
	jdoc_init(&d);
	gzip_text(OLD_ROW("s", "{\\\"a\\\":1,\\\"b\\\":[2]}")
	              OLD_ROW("s", "{ \\\"b\\\" : [2], \\\"a\\\" : 1 }"),
	    &body);
	CHECK(quasar_upgrade_rows(&body, &bytes, &err) == 0);
	gunzip_text(&body, &plain);
	CHECK(bytes == plain.len);
	nl = memchr(plain.data, '\n', plain.len);
	CHECK(nl != NULL);
	row = json_loadb(plain.data, (size_t)(nl - plain.data), 0, NULL);
	CHECK_STR(json_string_value(json_object_get(row, "record_hash")),
	    identity(&p, &d, "{\"a\":1,\"b\":[2]}"));
	CHECK_STR(json_string_value(json_object_get(row, "file")), "e.csv");
	CHECK_STR(json_string_value(json_object_get(row, "record")),
	    "{\"a\":1,\"b\":[2]}");
	json_decref(row);
	row = json_loadb(
	    nl + 1, plain.len - (size_t)(nl + 1 - plain.data), 0, NULL);
	CHECK_STR(json_string_value(json_object_get(row, "record_hash")),
	    identity(&p, &d, "{\"b\":[2],\"a\":1}"));
	json_decref(row);
	/* Not gzip; a row that is not ours. */
	buf_reset(&body);
	buf_adds(&body, "plain text");
	CHECK(quasar_upgrade_rows(&body, &bytes, &err) == -1);
	CHECK_STR(err.data, "the batch is not gzip");
	buf_reset(&err);
	gzip_text(OLD_ROW("s", "{}") "{\"source\":\"s\"}\n", &body);
	CHECK(quasar_upgrade_rows(&body, &bytes, &err) == -1);
	CHECK_STR(err.data, "row 2 of the batch is not a post-quasar row");
	buf_release(&body);
	buf_release(&plain);
	buf_release(&err);
	jdoc_release(&d);
	quasar_prov_release(&p);
}

TEST(row_keys)
{
	struct buf rows = BUF_INIT, keys = BUF_INIT;
	const struct hash128 *k;

	/* A file name holding the member's name, quoted: not taken. */
	buf_adds(&rows,
	    "{\"source\":\"s\",\"file\":\"\\\"record_hash\\\":\\\"\","
	    "\"line\":1,\"imported_at\":\"2026-01-01 00:00:00\","
	    "\"record_hash\":\"00000000000000aa00000000000000bbcc\","
	    "\"record\":\"{}\"}\n"
	    "{\"record_hash\":\"0000000000000001000000000000000200\"}\n");
	CHECK(quasar_row_keys(&rows, &keys) == 0);
	k = (const struct hash128 *)keys.data;
	CHECK(keys.len == 2 * sizeof(*k) && k[0].lo == 0xaa &&
	      k[0].hi == 0xbb && k[1].lo == 1 && k[1].hi == 2);
	buf_reset(&keys);
	buf_reset(&rows);
	buf_adds(&rows, OLD_ROW("s", "{}"));
	CHECK(quasar_row_keys(&rows, &keys) == -1);
	buf_reset(&rows);
	buf_adds(&rows, "plain");
	CHECK(quasar_row_keys(&rows, &keys) == -1);
	buf_release(&rows);
	buf_release(&keys);
}

TEST(rowbin_keys)
{
	struct buf rows = BUF_INIT, keys = BUF_INIT, copy = BUF_INIT;
	struct quasar_prov p;
	const struct hash128 *k;

	quasar_prov_init(&p);
	p.source = p.file = "\"\"";
	p.source_len = p.file_len = 2;
	p.line = 1;
	memcpy(
	    p.hash, "00000000000000aa00000000000000bb" TV_AX, SHA256_HEX - 1);
	CHECK(quasar_row(&rows, &p, 0, "{}", 2) == 0);
	memcpy(p.hash, "0000000000000001000000000000000200", 34);
	/* A record holding what looks like a row. */
	buf_add(&copy, rows.data, rows.len);
	CHECK(quasar_row(&rows, &p, 0, copy.data, copy.len) == 0);
	CHECK(quasar_rowbin_keys(&rows, &keys) == 0);
	k = (const struct hash128 *)keys.data;
	CHECK(keys.len == 2 * sizeof(*k) && k[0].lo == 0xaa &&
	      k[0].hi == 0xbb && k[1].lo == 1 && k[1].hi == 2);
	/* Cut short anywhere in the last row: not whole rows. */
	rows.len -= 1;
	buf_reset(&keys);
	CHECK(quasar_rowbin_keys(&rows, &keys) == -1);
	rows.len = 40;
	buf_reset(&keys);
	CHECK(quasar_rowbin_keys(&rows, &keys) == -1);
	buf_release(&rows);
	buf_release(&keys);
	buf_release(&copy);
	quasar_prov_release(&p);
}

TEST(provenance_missing_or_of_another_type)
{
	static const char *const lines[] = {
	    "{\"a\":1}",
	    "{\"_meta\":\"x\"}",
	    "{\"_meta\":{\"source\":1,\"file\":null,\"line\":-3}}",
	    "{\"_meta\":{\"line\":\"7\"}}",
	};
	struct quasar_prov p;
	struct jdoc d;
	json_t *rec;
	size_t i;

	quasar_prov_init(&p);
	jdoc_init(&d);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		CHECK(jdoc_parse(&d, lines[i], strlen(lines[i])) == 0);
		quasar_prov_doc(&p, &d);
		CHECK(p.source == NULL && p.file == NULL && p.line == -1);
		rec = parse(lines[i]);
		quasar_prov_tree(&p, rec);
		CHECK(p.source == NULL && p.file == NULL && p.line == -1);
		json_decref(rec);
	}
	jdoc_release(&d);
	quasar_prov_release(&p);
}

TEST(provenance_defaults_filled_in)
{
	static const char whole[] = "{\"_meta\":{\"source\":\"s\",\"file\":"
	                            "\"orig.csv\",\"line\":4}}";
	char in1[] = "in \"1\".ndjson", in2[] = "other.ndjson";
	struct quasar_prov p;
	struct jdoc d;

	quasar_prov_init(&p);
	jdoc_init(&d);
	/* Without quasar_prov_source(), the source is "". */
	CHECK(jdoc_parse(&d, "{\"a\":1}", 7) == 0);
	quasar_prov_doc(&p, &d);
	quasar_prov_fill(&p, in1, 12);
	CHECK_MEM(p.source, p.source_len, "\"\"");
	CHECK_MEM(p.file, p.file_len, "\"in \\\"1\\\".ndjson\"");
	CHECK(p.line == 12);
	quasar_prov_source(&p, "turbo\tvote");
	quasar_prov_doc(&p, &d);
	quasar_prov_fill(&p, in1, 13);
	CHECK_MEM(p.source, p.source_len, "\"turbo\\tvote\"");
	CHECK(p.line == 13);
	/* The file's text is made once per input, told apart by address. */
	in1[0] = 'X';
	quasar_prov_doc(&p, &d);
	quasar_prov_fill(&p, in1, 14);
	CHECK_MEM(p.file, p.file_len, "\"in \\\"1\\\".ndjson\"");
	quasar_prov_doc(&p, &d);
	quasar_prov_fill(&p, in2, 1);
	CHECK_MEM(p.file, p.file_len, "\"other.ndjson\"");
	quasar_prov_doc(&p, &d);
	quasar_prov_fill(&p, in1, 1);
	CHECK_MEM(p.file, p.file_len, "\"Xn \\\"1\\\".ndjson\"");
	/* What the record has is kept. */
	CHECK(jdoc_parse(&d, whole, sizeof(whole) - 1) == 0);
	quasar_prov_doc(&p, &d);
	quasar_prov_fill(&p, in2, 99);
	CHECK_MEM(p.source, p.source_len, "\"s\"");
	CHECK_MEM(p.file, p.file_len, "\"orig.csv\"");
	CHECK(p.line == 4);
	jdoc_release(&d);
	quasar_prov_release(&p);
}

TEST(row_record_is_the_line_byte_for_byte)
{
	/* Quotes, backslashes, escapes as written, a tab between tokens,
	 * UTF-8 (two, three and four bytes), DEL. */
	static const char line[] = "{\"q\":\"a\\\"b\\\\c\\u0001\\n\",\t\"u\":"
	                           "\"Zo\xc3\xab \xe2\x80\xa8 \xf0\x9f\x98\x80"
	                           "\x7f\"}";
	struct quasar_prov p;
	struct buf row = BUF_INIT, text = BUF_INIT, want = BUF_INIT;

	quasar_prov_init(&p);
	p.source = "\"\"";
	p.source_len = 2;
	p.file = "\"<stdin>\"";
	p.file_len = 9;
	p.line = 3;
	memcpy(p.hash, TV_AX, SHA256_HEX);
	row_of(&p, line, &row);
	buf_printf(&want, "|" TV_AX "|<stdin>|3|1795341600|%s", line);
	CHECK_STR(row_text(&row, &text), want.data);
	/* The exact bytes: a String's length, then the string. */
	CHECK(row.len == 1 + 64 + 1 + 7 + 8 + 4 + 1 + sizeof(line) - 1);
	CHECK(memcmp(row.data, "\x00" TV_AX "\x07<stdin>", 73) == 0);
	CHECK(memcmp(row.data + 73, "\x03\0\0\0\0\0\0\0\x20\xbd\x02\x6b", 12) ==
	      0); /* line 3, 1795341600 */
	CHECK(row.data[85] == (char)(sizeof(line) - 1));
	/* A source whose JSON text holds escapes is written decoded. */
	p.source = "\"a\\u00e9\\\"b\"";
	p.source_len = strlen(p.source);
	row_of(&p, "{}", &row);
	CHECK_STR(row_text(&row, &text),
	    "a\xc3\xa9\"b|" TV_AX "|<stdin>|3|1795341600|{}");
	buf_release(&row);
	buf_release(&text);
	buf_release(&want);
	quasar_prov_release(&p);
}

TEST(row_of_a_long_line)
{
	struct quasar_prov p;
	struct buf row = BUF_INIT, line = BUF_INIT, text = BUF_INIT;
	const char *t;
	size_t i;

	/* Its length a varint of three bytes. */
	buf_adds(&line, "{\"k\":\"");
	for (i = 0; i < 20000; i++)
		buf_adds(&line, i % 7 ? "ab" : "\\\"");
	buf_adds(&line, "\"}");
	quasar_prov_init(&p);
	p.source = p.file = "\"\"";
	p.source_len = p.file_len = 2;
	p.line = 1;
	memcpy(p.hash, TV_AX, SHA256_HEX);
	row_of(&p, line.data, &row);
	t = row_text(&row, &text);
	CHECK(strlen(t) >= line.len &&
	      strcmp(t + strlen(t) - line.len, line.data) == 0);
	CHECK(row.len == 1 + 64 + 1 + 12 + 3 + line.len);
	buf_release(&row);
	buf_release(&line);
	buf_release(&text);
	quasar_prov_release(&p);
}

TEST(verdicts)
{
	CHECK(quasar_verdict(200, "", 0) == QUASAR_STORED);
	CHECK(quasar_verdict(204, NULL, 0) == QUASAR_STORED);
	CHECK(quasar_verdict(0, NULL, 0) == QUASAR_RETRY);
	CHECK(quasar_verdict(503, "", 0) == QUASAR_RETRY);
	CHECK(quasar_verdict(429, "", 0) == QUASAR_RETRY);
	CHECK(quasar_verdict(408, "", 0) == QUASAR_RETRY);
	CHECK(quasar_verdict(500, BODY("Code: 252, e.displayText() = "
	                               "DB::Exception: Too many parts")) ==
	      QUASAR_RETRY);
	CHECK(quasar_verdict(500, BODY("Code: 27, e.displayText() = "
	                               "DB::Exception: Cannot parse "
	                               "input")) == QUASAR_REFUSED);
	CHECK(quasar_verdict(500, BODY("Code: 117, e.displayText() = "
	                               "DB::Exception: Unknown field")) ==
	      QUASAR_REFUSED);
	/* RowBinary rows that do not fit the table's types. */
	CHECK(quasar_verdict(500, BODY("Code: 33, e.displayText() = "
	                               "DB::Exception: Cannot read all "
	                               "data.")) == QUASAR_REFUSED);
	CHECK(quasar_verdict(404, BODY("Code: 60, e.displayText() = "
	                               "DB::Exception: Table default.x "
	                               "doesn't exist.")) == QUASAR_REFUSED);
	CHECK(quasar_verdict(404, "", 0) == QUASAR_REFUSED);
	CHECK(quasar_verdict(400, BODY("nope")) == QUASAR_REFUSED);
	CHECK(quasar_verdict(302, "", 0) == QUASAR_REFUSED);
	CHECK(quasar_verdict(401, "", 0) == QUASAR_DENIED);
	CHECK(quasar_verdict(403, "", 0) == QUASAR_DENIED);
	CHECK(quasar_verdict(500, BODY("Code: 192, e.displayText() = "
	                               "DB::Exception: Unknown user x")) ==
	      QUASAR_DENIED);
	CHECK(quasar_verdict(516, BODY("Code: 516")) == QUASAR_DENIED);
}

TEST(error_codes)
{
	CHECK(quasar_code(BODY("Code: 60, e.displayText()")) == 60);
	CHECK(quasar_code(BODY("\n  Code: 7")) == 7);
	CHECK(quasar_code(BODY("Code: x")) == -1);
	CHECK(quasar_code(BODY("Code:")) == -1);
	CHECK(quasar_code(BODY("Error 60")) == -1);
	CHECK(quasar_code(BODY("")) == -1);
}

TEST(messages)
{
	struct buf b = BUF_INIT;
	char big[1000];

	quasar_message(&b, BODY("Code: 60, e.displayText() = DB::Exception: "
	                        "Table default.x doesn't exist., e.what() = "
	                        "DB::Exception\n"));
	CHECK_STR(b.data, "Code: 60, e.displayText() = DB::Exception: Table "
	                  "default.x doesn't exist.");
	buf_reset(&b);
	quasar_message(&b, BODY("  first line \nsecond\n"));
	CHECK_STR(b.data, "first line");
	buf_reset(&b);
	quasar_message(&b, BODY("caf\xc3\xa9\ttab"));
	CHECK_STR(b.data, "caf???tab");
	buf_reset(&b);
	memset(big, 'x', sizeof(big));
	quasar_message(&b, big, sizeof(big));
	CHECK(b.len == 300);
	buf_release(&b);
}

int
main(void)
{
	RUN(table_names);
	RUN(statements);
	RUN(insert_urls);
	RUN(credentials_are_redacted);
	RUN(datetime);
	RUN(provenance_fast_and_tree);
	RUN(identity_is_the_content);
	RUN(table_columns);
	RUN(table_keys);
	RUN(distributed_tables);
	RUN(older_spooled_rows_get_their_identity);
	RUN(row_keys);
	RUN(rowbin_keys);
	RUN(provenance_missing_or_of_another_type);
	RUN(provenance_defaults_filled_in);
	RUN(row_record_is_the_line_byte_for_byte);
	RUN(row_of_a_long_line);
	RUN(verdicts);
	RUN(error_codes);
	RUN(messages);
	return harness_done();
}
