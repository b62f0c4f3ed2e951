/* The options of a stage that ships to the warehouse (shipopts.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "qlayout.h"
#include "quasar.h"
#include "shipopts.h"
#include "stage.h"

void
shipopts_init(struct shipopts *o)
{
	memset(o, 0, sizeof(*o));
	deliver_opts_init(&o->d);
	o->d.http.concurrency = SHIP_FLIGHT_MAX;
	shipper_opts_init(&o->so);
	o->spool = "quasar-spool";
	o->layout = -1;
}

/* The options of this module's own. 0, 1 (not one), or EXIT_USAGE. */
static int
own(struct shipopts *o, int ch, const char *arg, const char *synopsis)
{
	switch (ch) {
	case 'v':
		o->vendor = arg;
		break;
	case 't':
		o->table = arg;
		break;
	case 'C':
		o->create = 1;
		break;
	case 'F':
		/* jsoneachrow: clickhouse's name before RowBinary rows. */
		if (strcmp(arg, "ndjson") != 0 &&
		    strcmp(arg, "clickhouse") != 0 &&
		    strcmp(arg, "jsoneachrow") != 0)
			return cli_usage_error(
			    synopsis, "--format takes clickhouse or ndjson");
		o->ndjson = strcmp(arg, "ndjson") == 0;
		break;
	case 's':
		o->source = arg;
		break;
	case 'S':
		o->spool = arg;
		break;
	case 'R':
		o->replay = arg;
		break;
	case 'k':
		o->sink = 1;
		break;
	case 'e':
		o->seen = arg;
		break;
	case 'l':
		if ((o->layout = qlayout_parse(arg)) < 0)
			return cli_usage_error(
			    synopsis, "--layout takes raw, events or rows");
		break;
	case 'd':
		o->ddl_file = arg;
		break;
	default:
		return 1;
	}
	return 0;
}

int
shipopts_option(
    struct shipopts *o, int ch, const char *arg, const char *synopsis)
{
	int rc;

	if ((rc = own(o, ch, arg, synopsis)) == 1 &&
	    (rc = shipper_option(&o->so, ch, arg, synopsis)) == 1)
		rc = deliver_option(&o->d, ch, arg, synopsis);
	return rc;
}

/* Checks the options against each other. 0, or EXIT_USAGE. */
static int
check(const struct shipopts *o, int nfiles, const char *synopsis)
{
	/* Two batches in flight at most: nothing for auto to find. */
	if (o->d.http.adaptive || o->d.http.concurrency > SHIP_FLIGHT_MAX)
		return cli_usage_error(
		    synopsis, "--concurrency takes 1 or 2 (batches in flight)");
	if (o->seen && o->ndjson)
		return cli_usage_error(synopsis,
		    "--seen FILE keeps the records of a table: not with "
		    "--format ndjson");
	if (o->ndjson && o->so.codec == SHIP_LZ4)
		return cli_usage_error(synopsis,
		    "--compress lz4 is ClickHouse's: not with --format ndjson");
	if (o->replay)
		return nfiles ? cli_usage_error(synopsis,
		                    "--replay DIR reads no input files")
		              : 0;
	if (o->ndjson && (o->table || o->create))
		return cli_usage_error(
		    synopsis, "--format ndjson goes to a URL, not a table");
	if (!o->ndjson && o->table == NULL)
		return cli_usage_error(synopsis, "--table T is required");
	if (!o->ndjson && !quasar_table_ok(o->table))
		return cli_usage_error(synopsis,
		    "bad table name '%s': letters, digits and _, maybe "
		    "after \"db.\"",
		    o->table);
	return 0;
}

/* The text of the file at path (at most 1 MiB) in out. 0 or an exit status. */
static int
slurp(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "r");
	char chunk[4096];
	size_t n;
	int rc = 0;

	if (f == NULL) {
		diag(
		    path, 0, "cannot open the --ddl file: %s", strerror(errno));
		return errno == ENOENT ? EXIT_NOINPUT : EXIT_IOERR;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && rc == 0)
		if (buf_add(out, chunk, n) < 0)
			rc = -1;
	if (ferror(f) || rc < 0) {
		diag(path, 0, "cannot read the --ddl file (1 MiB at most)");
		rc = EXIT_IOERR;
	}
	fclose(f);
	return rc;
}

/* The layout implied, and the statement of --create-table for it. */
static int
layout(struct shipopts *o, const char *synopsis)
{
	const char *dot = o->table ? strchr(o->table, '.') : NULL;
	const char *name = dot ? dot + 1 : o->table;
	struct buf sql = BUF_INIT_MAX(1 << 20), why = BUF_INIT;
	struct buf named = BUF_INIT;
	int rc = 0;

	if (o->layout < 0)
		o->layout = name && !o->ndjson && strcmp(name, "events") == 0
		                ? QLAYOUT_EVENTS
		                : QLAYOUT_RAW;
	if (o->layout != QLAYOUT_RAW && (o->ndjson || o->replay))
		return cli_usage_error(synopsis,
		    "--layout %s is a table's: not with --format ndjson or "
		    "--replay (a spooled batch keeps its own)",
		    qlayout_name(o->layout));
	if (o->ddl_file && o->layout == QLAYOUT_RAW)
		return cli_usage_error(synopsis,
		    "--ddl FILE is for --layout events or rows: the raw "
		    "layout's table is post-quasar's own");
	if (o->layout == QLAYOUT_RAW || !o->create)
		return 0;
	if (o->ddl_file == NULL && o->layout == QLAYOUT_ROWS)
		return cli_usage_error(synopsis,
		    "--layout rows --create-table needs the table's "
		    "statement: --ddl FILE (pipelines/sql/rollup.sql for "
		    "rollup_partials)");
	if (o->ddl_file && (rc = slurp(o->ddl_file, &sql)) != 0)
		goto out;
	if (o->ddl_file == NULL)
		buf_adds(&sql, qlayout_events_ddl());
	if (qlayout_ddl_named(&named, sql.data, o->table, &why) < 0) {
		diag(o->ddl_file ? o->ddl_file : "events.sql (compiled in)", 0,
		    "%s", why.data);
		rc = EXIT_DATAERR;
		goto out;
	}
	o->ddl = named.data;
	named.data = NULL;
out:
	buf_release(&sql);
	buf_release(&why);
	buf_release(&named);
	return rc;
}

int
shipopts_finish(struct shipopts *o, int nfiles, const char *synopsis)
{
	const char *env;
	int rc, codec;

	if (o->vendor && (rc = stage_load_vendor(&o->v, o->vendor)) != 0)
		return rc;
	if (o->vendor && o->table == NULL && !o->ndjson && !o->replay)
		o->table = o->v.table;
	if (o->vendor && o->source == NULL)
		o->source = o->v.source;
	/* ClickHouse takes its own LZ4 blocks by default (shipcodec.h: a
	 * third of gzip's CPU), unless QUASAR_COMPRESS says otherwise, the
	 * warehouse's default as QUASAR_URL is; a --format ndjson run goes
	 * elsewhere and keeps gzip. */
	env = getenv("QUASAR_COMPRESS");
	if (!o->so.codec_given && !o->ndjson) {
		codec = env && *env ? shipcodec_parse(env) : SHIP_LZ4;
		if (codec < 0)
			return cli_usage_error(
			    synopsis, "QUASAR_COMPRESS takes gzip or lz4");
		o->so.codec = (enum ship_codec)codec;
	}
	if ((rc = check(o, nfiles, synopsis)) != 0)
		return rc;
	return layout(o, synopsis);
}

void
shipopts_release(struct shipopts *o)
{
	free(o->ddl);
	vendor_release(&o->v);
}
