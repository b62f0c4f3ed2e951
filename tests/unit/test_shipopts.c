/*
 * Unit tests for common/shipopts.c: the defaults, each option taken, the
 * batches' and HTTP options passed on, and the checks of the options
 * against each other (a table needed, --format ndjson without one,
 * --replay without input files, --seen not with ndjson, at most two
 * batches in flight); the codec (LZ4 for ClickHouse unless QUASAR_COMPRESS
 * or --compress says gzip, gzip for --format ndjson); the layouts: implied by
 * --table events, the statement --create-table sends for them (compiled in, or
 * --ddl FILE's with the table's name), and what is refused.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "diag.h"
#include "exitcode.h"
#include "harness.h"
#include "qlayout.h"
#include "shipopts.h"

#define SYN "unit [OPTIONS]"

/* Parses argv (NULL-terminated) into o; the first status not 0, or the
 * finish's. */
static int
parse(struct shipopts *o, char **argv)
{
	static const struct option longopts[] = {
	    SHIPOPTS_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	struct buf said = BUF_INIT;
	int argc = 0, ch, rc = 0;

	while (argv[argc])
		argc++;
	shipopts_init(o);
	optind = 0;
	CHECK(capture_begin() == 0);
	while (rc == 0 && (ch = getopt_long(argc, argv, ":" SHIPOPTS_SHORTOPTS,
	                       longopts, NULL)) != -1)
		rc = shipopts_option(o, ch, optarg, SYN);
	if (rc == 0)
		rc = shipopts_finish(o, argc - optind, SYN);
	capture_end(&said);
	buf_release(&said);
	return rc;
}

TEST(defaults)
{
	struct shipopts o;

	shipopts_init(&o);
	CHECK_STR(o.spool, "quasar-spool");
	CHECK(o.d.http.concurrency == SHIP_FLIGHT_MAX);
	CHECK(o.so.max_records == 10000);
	CHECK(o.seen == NULL && !o.create && !o.sink && !o.ndjson);
	shipopts_release(&o);
}

TEST(taken)
{
	char *argv[] = {"unit", "-t", "db.raw", "--create-table", "--source",
	    "tv", "--spool", "sp", "--seen", "s.quasar", "--sink",
	    "--batch-records", "5", "--url", "http://h:8123", "-c", "1", "f",
	    NULL};
	struct shipopts o;

	CHECK(parse(&o, argv) == 0);
	CHECK_STR(o.table, "db.raw");
	CHECK_STR(o.source, "tv");
	CHECK_STR(o.spool, "sp");
	CHECK_STR(o.seen, "s.quasar");
	CHECK_STR(o.d.url, "http://h:8123");
	CHECK(o.create && o.sink && o.so.max_records == 5);
	CHECK(o.d.http.concurrency == 1);
	shipopts_release(&o);
}

/* The codec: ClickHouse's LZ4 blocks unless QUASAR_COMPRESS or
 * --compress says gzip; --format ndjson always gzip. */
TEST(codec_defaults)
{
	char *ch[] = {"unit", "-t", "t", NULL};
	char *gz[] = {"unit", "-t", "t", "--compress", "gzip", NULL};
	char *nd[] = {"unit", "-F", "ndjson", NULL};
	char *named[] = {"unit", "-F", "clickhouse", "-t", "t", NULL};
	struct shipopts o;

	unsetenv("QUASAR_COMPRESS");
	CHECK(parse(&o, ch) == 0 && o.so.codec == SHIP_LZ4);
	shipopts_release(&o);
	CHECK(parse(&o, gz) == 0 && o.so.codec == SHIP_GZIP);
	shipopts_release(&o);
	CHECK(parse(&o, nd) == 0 && o.so.codec == SHIP_GZIP && o.ndjson);
	shipopts_release(&o);
	CHECK(parse(&o, named) == 0 && o.so.codec == SHIP_LZ4 && !o.ndjson);
	shipopts_release(&o);
	setenv("QUASAR_COMPRESS", "gzip", 1);
	CHECK(parse(&o, ch) == 0 && o.so.codec == SHIP_GZIP);
	shipopts_release(&o);
	CHECK(parse(&o, nd) == 0 && o.so.codec == SHIP_GZIP);
	shipopts_release(&o);
	unsetenv("QUASAR_COMPRESS");
}

TEST(refused)
{
	char *none[] = {"unit", NULL};
	char *bad_table[] = {"unit", "-t", "no-such!", NULL};
	char *ndjson_table[] = {"unit", "-F", "ndjson", "-t", "t", NULL};
	char *ndjson_seen[] = {"unit", "-F", "ndjson", "-e", "s", NULL};
	char *replay_files[] = {"unit", "-R", "sp", "f", NULL};
	char *flight[] = {"unit", "-t", "t", "-c", "3", NULL};
	char *format[] = {"unit", "-F", "csv", NULL};
	char *replay[] = {"unit", "-R", "sp", "-e", "s", NULL};
	struct shipopts o;

	diag_init("unit");
	CHECK(parse(&o, none) == EXIT_USAGE);
	CHECK(parse(&o, bad_table) == EXIT_USAGE);
	CHECK(parse(&o, ndjson_table) == EXIT_USAGE);
	CHECK(parse(&o, ndjson_seen) == EXIT_USAGE);
	CHECK(parse(&o, replay_files) == EXIT_USAGE);
	CHECK(parse(&o, flight) == EXIT_USAGE);
	CHECK(parse(&o, format) == EXIT_USAGE);
	/* A replay needs no table, --seen or not. */
	CHECK(parse(&o, replay) == 0);
	shipopts_release(&o);
}

TEST(layouts)
{
	char *implied[] = {"unit", "-t", "db.events", "-C", NULL};
	char *raw[] = {"unit", "-t", "events", "--layout", "raw", NULL};
	char *other[] = {"unit", "-t", "events2", NULL};
	char *rows_no_ddl[] = {"unit", "-t", "r", "-l", "rows", "-C", NULL};
	char *ddl_raw[] = {"unit", "-t", "r", "--ddl", "x.sql", NULL};
	char *ndjson[] = {"unit", "-F", "ndjson", "-l", "events", NULL};
	char *bad[] = {"unit", "-t", "r", "-l", "columns", NULL};
	char *missing[] = {"unit", "-t", "r", "-l", "rows", "-C", "--ddl",
	    "/no/such.sql", NULL};
	char path[] = "/tmp/test_shipopts_ddlXXXXXX";
	char *rows[] = {
	    "unit", "-t", "rp2", "-l", "rows", "-C", "-d", path, NULL};
	struct shipopts o;
	FILE *f;
	int fd;

	CHECK(parse(&o, implied) == 0 && o.layout == QLAYOUT_EVENTS);
	CHECK(o.ddl && strncmp(o.ddl,
	                   "CREATE TABLE IF NOT EXISTS db.events (\n    "
	                   "event_id String,",
	                   50) == 0);
	shipopts_release(&o);
	CHECK(parse(&o, raw) == 0 && o.layout == QLAYOUT_RAW && !o.ddl);
	shipopts_release(&o);
	CHECK(parse(&o, other) == 0 && o.layout == QLAYOUT_RAW);
	shipopts_release(&o);
	CHECK(parse(&o, rows_no_ddl) == EXIT_USAGE);
	shipopts_release(&o);
	CHECK(parse(&o, ddl_raw) == EXIT_USAGE);
	shipopts_release(&o);
	CHECK(parse(&o, ndjson) == EXIT_USAGE);
	shipopts_release(&o);
	CHECK(parse(&o, bad) == EXIT_USAGE);
	shipopts_release(&o);
	CHECK(parse(&o, missing) == EXIT_NOINPUT);
	shipopts_release(&o);
	CHECK((fd = mkstemp(path)) >= 0 && (f = fdopen(fd, "w")) != NULL);
	fputs("-- partials\nCREATE TABLE IF NOT EXISTS rollup_partials (\n"
	      "    a String\n) ENGINE = Memory;\n",
	    f);
	fclose(f);
	CHECK(parse(&o, rows) == 0 && o.layout == QLAYOUT_ROWS);
	CHECK_STR(o.ddl, "CREATE TABLE IF NOT EXISTS rp2 (\n    a String\n) "
	                 "ENGINE = Memory");
	shipopts_release(&o);
	f = fopen(path, "w");
	fputs("DROP TABLE x", f);
	fclose(f);
	CHECK(parse(&o, rows) == EXIT_DATAERR);
	shipopts_release(&o);
	unlink(path);
}

int
main(void)
{
	RUN(defaults);
	RUN(taken);
	RUN(codec_defaults);
	RUN(refused);
	RUN(layouts);
	return harness_done();
}
