/*
 * Unit tests for common/qlayout.c: RFC 3339 times with offsets and
 * milliseconds (and what is not one), an event's row column by column,
 * what is not an event and why, the compiled-in statement holding exactly
 * the columns the row writes, the rows layout, identities read back from
 * the rows, and a statement renamed for another table.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "qlayout.h"

/* rec's events row (without its \n), or the reason, in out. */
static int
row_of(const char *text, struct buf *out, char hash[SHA256_HEX])
{
	json_t *rec = json_loads(text, 0, NULL);
	struct buf why = BUF_INIT;
	int rc;

	buf_reset(out);
	rc = qlayout_event_row(
	    out, rec, "in.ndjson", 4, "2026-12-01 10:00:00", hash, &why);
	if (rc == 0) {
		CHECK(out->len > 0 && out->data[out->len - 1] == '\n');
		out->data[--out->len] = '\0';
	} else {
		CHECK(out->len == 0);
		buf_reset(out);
		buf_adds(out, why.data);
	}
	json_decref(rec);
	buf_release(&why);
	return rc;
}

TEST(event_row)
{
	struct buf b = BUF_INIT;
	char h[SHA256_HEX], h2[SHA256_HEX];

	CHECK(row_of("{\"event\":\"signup\",\"event_id\":\"e-1\",\"time\":"
	             "\"2026-11-30T07:00:00.5-05:00\",\"member_id\":\"m-1\","
	             "\"anonymous_id\":null,\"session_id\":\"s\","
	             "\"experiment_group\":2,\"url\":\"https://x.org/a\","
	             "\"properties\":{\"method\":\"web\",\"n\":[1,2]},"
	             "\"_meta\":{\"violations\":[{\"rule\":\"enum\"}]}}",
	          &b, h) == 0);
	CHECK_STR(b.data,
	    "{\"event_id\":\"e-1\",\"event\":\"signup\",\"time\":\"2026-11-30 "
	    "12:00:00\",\"time_ms\":500,\"member_id\":\"m-1\","
	    "\"anonymous_id\":\"\",\"session_id\":\"s\","
	    "\"experiment_group\":\"2\",\"url\":\"https://x.org/a\","
	    "\"referrer\":\"\",\"utm_source\":\"\",\"utm_medium\":\"\","
	    "\"utm_campaign\":\"\",\"properties\":\"{\\\"method\\\":\\\"web\\\","
	    "\\\"n\\\":[1,2]}\",\"violations\":\"[{\\\"rule\\\":\\\"enum\\\"}]\","
	    "\"file\":\"in.ndjson\",\"line\":4,\"received_at\":\"2026-12-01 "
	    "10:00:00\"}");
	CHECK(qlayout_row_hash(QLAYOUT_EVENTS, b.data, b.len, h2) == 0);
	CHECK_STR(h2, h);
	/* The identity is the event_id alone; _meta's place wins. */
	CHECK(row_of("{\"event\":\"x\",\"event_id\":\"e-1\",\"time\":"
	             "\"2020-01-01T00:00:00Z\",\"_meta\":{\"file\":\"j\","
	             "\"line\":9}}",
	          &b, h2) == 0);
	CHECK_STR(h2, h);
	CHECK(strstr(b.data, "\"properties\":\"{}\",\"violations\":\"[]\","
	                     "\"file\":\"j\",\"line\":9,") != NULL);
	CHECK(strstr(b.data, "\"time_ms\":0,") != NULL);
	CHECK(row_of("{\"event\":\"x\",\"event_id\":\"e-\\\"2\",\"time\":"
	             "\"2020-01-01T00:00:00Z\"}",
	          &b, h) == 0);
	CHECK(qlayout_row_hash(QLAYOUT_EVENTS, b.data, b.len, h2) == 0);
	CHECK_STR(h2, h);
	buf_release(&b);
}

TEST(not_events)
{
	struct buf b = BUF_INIT;
	char h[SHA256_HEX];

	CHECK(row_of("{\"event\":\"x\",\"time\":\"2020-01-01T00:00:00Z\"}", &b,
	          h) == -1);
	CHECK(strstr(b.data, "no event_id") != NULL);
	CHECK(row_of("{\"event\":\"x\",\"event_id\":\"\",\"time\":"
	             "\"2020-01-01T00:00:00Z\"}",
	          &b, h) == -1);
	CHECK(row_of("{\"event_id\":\"e\",\"time\":\"2020-01-01T00:00:00Z\"}",
	          &b, h) == -1);
	CHECK(strstr(b.data, "no event name") != NULL);
	CHECK(row_of("{\"event\":\"x\",\"event_id\":\"e\"}", &b, h) == -1);
	CHECK(strstr(b.data, "no time") != NULL);
	CHECK(row_of("{\"event\":\"x\",\"event_id\":\"e\",\"time\":\"soon\"}",
	          &b, h) == -1);
	CHECK(strstr(b.data, "\"soon\" is not RFC 3339") != NULL);
	CHECK(row_of("{\"event\":\"x\",\"event_id\":\"e\",\"time\":"
	             "\"1969-12-31T23:59:59Z\"}",
	          &b, h) == -1);
	CHECK(strstr(b.data, "out of the table's range") != NULL);
	CHECK(row_of("{\"event\":\"x\",\"event_id\":\"e\",\"time\":"
	             "\"2020-01-01T00:00:00Z\",\"properties\":[1]}",
	          &b, h) == -1);
	CHECK_STR(b.data, "properties is an array, not an object");
	buf_release(&b);
}

/* The compiled-in statement has exactly the columns the row writes. */
TEST(ddl_columns_match_the_row)
{
	const char *sql = qlayout_events_ddl(), *s;
	struct buf row = BUF_INIT, cols = BUF_INIT, want = BUF_INIT;
	char h[SHA256_HEX];
	json_t *o;
	const char *key;
	json_t *v;

	CHECK(strncmp(sql, "CREATE TABLE IF NOT EXISTS events (", 35) == 0);
	/* Each column line: four spaces, the name, a space, the type. */
	for (s = strchr(sql, '\n'); s && strncmp(s, "\n    ", 5) == 0;
	     s = strchr(s + 1, '\n')) {
		buf_add(&cols, s + 5, strcspn(s + 5, " "));
		buf_addc(&cols, ',');
	}
	row_of("{\"event\":\"x\",\"event_id\":\"e\",\"time\":"
	       "\"2020-01-01T00:00:00Z\"}",
	    &row, h);
	o = json_loads(row.data, 0, NULL);
	json_object_foreach(o, key, v)
	{
		buf_adds(&want, key);
		buf_addc(&want, ',');
	}
	CHECK_STR(cols.data, want.data);
	json_decref(o);
	buf_release(&row);
	buf_release(&cols);
	buf_release(&want);
}

TEST(rows_layout)
{
	json_t *rec = json_loads("{\"model\":\"first\",\"views\":3,\"_meta\":"
	                         "{\"x\":1},\"source\":\"fb\"}",
	    0, NULL);
	struct buf b = BUF_INIT;
	char h[SHA256_HEX], h2[SHA256_HEX];

	CHECK(qlayout_rows_row(&b, rec, h) == 0);
	CHECK_STR(
	    b.data, "{\"model\":\"first\",\"views\":3,\"source\":\"fb\"}\n");
	CHECK(qlayout_row_hash(QLAYOUT_ROWS, b.data, b.len - 1, h2) == 0);
	CHECK_STR(h2, h);
	CHECK(qlayout_row_hash(QLAYOUT_EVENTS, b.data, b.len - 1, h2) == -1);
	json_decref(rec);
	buf_release(&b);
}

TEST(ddl_renamed)
{
	struct buf b = BUF_INIT, why = BUF_INIT;

	CHECK(qlayout_ddl_named(&b,
	          "-- a comment\n-- another\ncreate table rollup_partials (\n"
	          "    a String -- inline\n) ENGINE = Memory;\n",
	          "db.t2", &why) == 0);
	CHECK_STR(b.data, "CREATE TABLE IF NOT EXISTS db.t2 (\n"
	                  "    a String -- inline\n) ENGINE = Memory");
	buf_reset(&b);
	CHECK(qlayout_ddl_named(&b, qlayout_events_ddl(), "ev2", &why) == 0);
	CHECK(strncmp(b.data, "CREATE TABLE IF NOT EXISTS ev2 (\n", 33) == 0);
	CHECK(b.data[b.len - 1] != ';');
	CHECK(qlayout_ddl_named(&b, "SELECT 1", "t", &why) == -1);
	buf_reset(&why);
	CHECK(qlayout_ddl_named(&b, "CREATE TABLE t (a String); DROP TABLE x",
	          "t", &why) == -1);
	CHECK_STR(why.data, "more than one statement");
	buf_release(&b);
	buf_release(&why);
}

TEST(names)
{
	CHECK(qlayout_parse("raw") == QLAYOUT_RAW);
	CHECK(qlayout_parse("events") == QLAYOUT_EVENTS);
	CHECK(qlayout_parse("rows") == QLAYOUT_ROWS);
	CHECK(qlayout_parse("Rows") == -1);
	CHECK_STR(qlayout_name(QLAYOUT_ROWS), "rows");
}

int
main(void)
{
	RUN(event_row);
	RUN(not_events);
	RUN(ddl_columns_match_the_row);
	RUN(rows_layout);
	RUN(ddl_renamed);
	RUN(names);
	return harness_done();
}
