/*
 * post-quasar: raw records into the warehouse (ClickHouse), never dropped,
 * and passed on unchanged.
 *
 * Every record is written to stdout as it was read, at once, and becomes a
 * row of the table (quasar.h): its provenance and the line itself as a
 * string. The input is read by a thread of its own (shipfeed.h), and rows
 * go out in batches of at most --batch-records rows and --batch-bytes
 * bytes, or what came in --flush-interval seconds, at most two on the
 * wire (shipper.h), to ClickHouse's HTTP interface as RowBinary (the
 * layouts below: JSONEachRow) in ClickHouse's own compressed blocks, or
 * gzipped with --compress gzip (shipcodec.h); --format ndjson: the lines
 * themselves, gzipped, to any URL.
 *
 * Network errors, 429 and 5xx answers without a data error are retried
 * with backoff; ClickHouse's table is a ReplacingMergeTree keyed by
 * (source, record_hash), the record's content (quasar.h), so a batch that
 * arrives twice after a lost answer collapses, and so does the same export
 * read again under another name. --create-table makes the table and checks
 * its key: a table an older post-quasar made, keyed by (source, file,
 * line), stops delivery rather than store records again. Spooled batches
 * of such a post-quasar get their rows' record_hash when replayed. A batch
 * that still fails, or that the server refuses, is written to the spool
 * (spool.h), and so is every later one: the run ends with 69 (77:
 * credentials refused) and says how to send them: post-quasar --replay
 * DIR (replay.h), which removes each spooled batch only once the server
 * confirmed it (shiprun.h: what becomes of a batch).
 *
 * --seen FILE keeps a ledger of the records the table took (hashledger.h,
 * appended once their batch was confirmed): a record in it, or shipped
 * earlier in the run, is passed on but not shipped, and the table is made
 * before the first record that is, so a re-run ships nothing and makes no
 * request at all.
 *
 * --layout events and rows (qlayout.h; events is the default of --table
 * events) make other rows of a record through the same batches: an event
 * as the events table's columns, identified by its event_id, or a record
 * whose members are the columns. A record that is not an event is
 * rejected with the reason, not shipped nor passed on.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "http.h"
#include "qlayout.h"
#include "quasar.h"
#include "replay.h"
#include "shipfeed.h"
#include "shipopts.h"
#include "shiprun.h"
#include "stage.h"
#include "stopsig.h"

#define SYNOPSIS                                                               \
	"post-quasar --table T [OPTIONS] [FILE...]\n"                          \
	"       post-quasar --format ndjson [OPTIONS] [FILE...]\n"             \
	"       post-quasar --replay DIR [OPTIONS]"

struct run {
	struct shipopts *o;
	struct stage *st;
	const char *url;  /* the target: --url or QUASAR_URL */
	const char *what; /* the target, in messages */
	struct buf query, insert_url;
	time_t started;      /* the run's start: the rows' imported_at */
	char imported[20];   /* and as DateTime text, for the events layout */
	struct buf row, why; /* a record's row; why it has none */
	struct quasar_prov prov;
	struct http *http;
	struct shipper ship;
	struct replay rp;   /* --replay */
	struct shipfeed in; /* the input, read by a thread */
	struct shiprun sr;  /* the batches' ends, the counts, --seen */
	int stdout_lost;    /* stdout failed: said once */
	int status;         /* the worst of the inputs, the spool, zlib */
	int create;         /* --create-table is still to run (with --seen) */
	unsigned long long read_bytes;
	char unit[128]; /* the progress line's "records (...)" */
};

/* --- telling ------------------------------------------------------- */

static void
show(struct run *r)
{
	struct progress *p = &r->st->prog;
	double mb = (double)r->read_bytes / 1e6;

	if (!p->active)
		return;
	snprintf(r->unit, sizeof(r->unit),
	    "records (%.*f MB read, %llu batches sent)", mb < 10 ? 1 : 0, mb,
	    r->sr.batches_sent);
	p->unit = r->unit;
	p->retries = shiprun_retries(&r->ship, r->http);
	progress_update(p, 0);
}

/* --- batches ------------------------------------------------------- */

/* The shipper's callback: a batch stored, or failed (to the spool). */
static void
ended(struct ship_batch *b, int status, const char *why, void *arg)
{
	struct run *r = arg;

	shiprun_ended(&r->sr, b, status, why);
	show(r);
}

/* --- records ------------------------------------------------------- */

/* --create-table: the table, made before the first batch goes out. */
static void
create_table(struct run *r)
{
	struct buf why = BUF_INIT;

	r->create = 0;
	if (shipper_create_table_ddl(
	        &r->ship, r->o->table, r->o->ddl, r->url, &why) != 0)
		shiprun_stop(&r->sr, why.data);
	buf_release(&why);
}

/*
 * Whether the record (its identity in p->hash) is to be shipped: with
 * --seen, not when the ledger knows it, or this run shipped it already.
 * The table is made before the first record that is (a run that ships
 * nothing sends nothing).
 */
static int
to_ship(struct run *r, struct hash128 *h)
{
	if (r->o->seen == NULL)
		return 1;
	hashledger_hex(r->prov.hash, h);
	if (!hashledger_note(r->sr.seen, *h)) {
		r->sr.skipped++;
		return 0;
	}
	if (r->create)
		create_table(r);
	return 1;
}

/* The record, whose identity is in r->prov.hash, passed on. */
static void
pass_on(struct run *r)
{
	if (r->o->sink) {
		r->st->tally.out++;
	} else {
		stage_emit_unchanged(r->st);
		if (out_errno() && !r->stdout_lost++)
			diag(NULL, 0, "records go on to the warehouse only");
	}
}

/* r->row shipped, unless --seen knows it already. */
static int
ship(struct run *r)
{
	struct stage *st = r->st;
	struct hash128 h;

	if (!to_ship(r, &h))
		return 0;
	if (shipper_add_keyed(&r->ship, r->row.data, r->row.len, st->file,
	        st->line, r->o->seen ? &h : NULL) < 0 &&
	    r->status < EXIT_IOERR) {
		diag(NULL, 0, "cannot gzip a batch (out of memory)");
		r->status = EXIT_IOERR;
	}
	return 0;
}

/*
 * A record's provenance is read (from doc, or from its tree rec):
 * defaults, its identity, pass it on, ship its row.
 */
static int
take_record(struct run *r, const struct jdoc *doc, const json_t *rec)
{
	struct stage *st = r->st;
	struct quasar_prov *p = &r->prov;

	quasar_prov_fill(p, st->file, st->line);
	if (!r->o->ndjson && doc)
		quasar_hash_doc(p, doc);
	else if (!r->o->ndjson)
		quasar_hash_tree(p, rec);
	pass_on(r);
	buf_reset(&r->row);
	if (r->o->ndjson) {
		buf_add(&r->row, st->raw, st->rawlen);
		buf_addc(&r->row, '\n');
	} else {
		quasar_row(&r->row, p, r->started, st->raw, st->rawlen);
	}
	return ship(r);
}

/* The events and rows layouts: the record's row, or its reject. */
static int
take_layout(struct run *r, const json_t *rec)
{
	struct stage *st = r->st;
	int rc;

	buf_reset(&r->row);
	if (r->o->layout == QLAYOUT_EVENTS)
		rc = qlayout_event_row(&r->row, rec, st->file, st->line,
		    r->imported, r->prov.hash, &r->why);
	else if ((rc = qlayout_rows_row(&r->row, rec, r->prov.hash)) < 0)
		buf_adds(&r->why, "the row is too large");
	if (rc < 0) {
		stage_reject(st, rec, "%s", r->why.data);
		return 0;
	}
	pass_on(r);
	return ship(r);
}

static int
fast(struct stage *st, struct jdoc *doc, void *ctx)
{
	struct run *r = ctx;

	(void)st;
	quasar_prov_doc(&r->prov, doc);
	return take_record(r, doc, NULL);
}

static int
tree(struct stage *st, json_t *rec, void *ctx)
{
	struct run *r = ctx;

	(void)st;
	if (r->o->layout != QLAYOUT_RAW)
		return take_layout(r, rec);
	quasar_prov_tree(&r->prov, rec);
	return take_record(r, NULL, rec);
}

/* Takes one line of the reader's (shipfeed.h). */
static void
take(void *arg, struct feed_item *it)
{
	struct run *r = arg;
	struct progress *p = &r->st->prog;

	if (it->kind == FEED_ERROR) {
		diag(it->file, it->line, "%s", it->text);
		r->status = exit_worst(r->status, it->status);
	} else {
		r->read_bytes += it->len + 1;
		stage_line(r->st, it->file, it->line, it->kind == FEED_TOOLONG,
		    it->text, it->len, tree, r);
		p->done++;
		if (p->active && (++p->ticks & 1023) == 0)
			show(r);
	}
}

/* --- reading ------------------------------------------------------ */

static void
tick(void *arg)
{
	show(arg);
}

/* Reads the input to its end, shipping every record's row. */
static int
run_input(struct run *r, int nfiles, char **files)
{
	static const struct shipfeed_ops ops = {take, tick, &stopsig};
	int rc;

	shipfeed_init(&r->in, &r->ship, &ops, r);
	rc = shipfeed_run(&r->in, nfiles, files, r->st->max_line);
	if (rc < 0) {
		diag(NULL, 0, "cannot start the reader thread");
		return EXIT_IOERR;
	}
	/* Interrupted: the reader may wait on a terminal, and is left to
	 * exit(); the batches in hand went to the spool. */
	return rc ? 128 + stopsig : 0;
}

/* --- the replay ---------------------------------------------------- */

/* What a replay tells (replay.h): said, and counted. */
static void
replay_told(void *arg, enum replay_event ev, const char *text)
{
	struct run *r = arg;

	shiprun_replay_told(&r->sr, &r->rp, ev, text, r->o->seen, r->o->d.url);
	r->st->prog.done = r->rp.rows;
}

/* --- the command line ---------------------------------------------- */

static void
usage(void)
{
	printf("usage: " SYNOPSIS "\n"
	       "Send every record to the warehouse (ClickHouse) as a row (raw, "
	       "an event's\ncolumns, or its own members: --layout), and pass "
	       "it on unchanged.\n\n" SHIPOPTS_HELP STAGE_OPTIONS_HELP "\n"
	       "Environment: QUASAR_URL (http://127.0.0.1:8123), "
	       "QUASAR_COMPRESS (--compress's default).\n"
	       "Exit status: 0 ok, 1 some records rejected, 64 usage, 65 input "
	       "unusable, 66 file\nmissing, 69 batches spooled (the warehouse "
	       "was unavailable or refused them),\n74 I/O error, 77 "
	       "credentials refused; after SIGINT or SIGTERM, what is in "
	       "hand\nis spooled and the status is 128 + the signal.\n\n"
	       "Example:\n"
	       "  csv2ndjson --source turbovote export.csv |\n"
	       "      post-quasar --table raw_turbovote --create-table \\\n"
	       "      --spool state/quasar-spool --seen state/turbovote.quasar "
	       "|\n"
	       "      shape --vendor turbovote > activity.ndjson\n"
	       "  post-quasar --replay state/quasar-spool\n"
	       "  post-quasar --table events --create-table --seen "
	       "state/events.quasar \\\n"
	       "      --sink events.ndjson\n"
	       "  rollup events.ndjson | post-quasar --table rollup_partials "
	       "--layout rows \\\n"
	       "      --create-table --ddl pipelines/sql/rollup.sql --sink\n");
}

static int
parse_args(int argc, char **argv, struct shipopts *o, struct stage *st)
{
	static const struct option longopts[] = {
	    SHIPOPTS_LONGOPTS,
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv,
	            ":" SHIPOPTS_SHORTOPTS STAGE_SHORTOPTS, longopts, NULL)) !=
	       -1) {
		if (ch == 'h') {
			usage();
			return -1;
		}
		if ((rc = shipopts_option(o, ch, optarg, SYNOPSIS)) == 1)
			rc = stage_option(st, ch, optarg, argv);
		if (rc != 0)
			return rc;
	}
	return shipopts_finish(o, argc - optind, SYNOPSIS);
}

/* --- main ---------------------------------------------------------- */

/* Sets the run up. 0, or an exit status. */
static int
setup(struct run *r, struct shipopts *o, struct stage *st)
{
	const char *env = getenv("QUASAR_URL");
	struct shipper_opts so = o->so;
	struct replay_opts ro = {
	    o->replay, NULL, o->create, &stopsig, replay_told, tick, r, 0};
	struct spool_meta m = {0};
	struct buf err = BUF_INIT;
	int rc;

	r->o = o;
	r->st = st;
	r->url = o->d.url ? o->d.url : env && *env ? env : NULL;
	r->what = o->ndjson ? "the warehouse" : "ClickHouse";
	if (r->url == NULL && o->replay == NULL) {
		diag(NULL, 0, "no warehouse: set QUASAR_URL or use --url URL");
		return EXIT_USAGE;
	}
	if (deliver_check(&o->d, r->url, o->d.url ? "--url" : "QUASAR_URL"))
		return EXIT_USAGE;
	r->started = time(NULL);
	quasar_datetime(r->started, r->imported);
	buf_init(&r->query, 4096);
	buf_init(&r->insert_url, 64 << 10);
	buf_init(&r->row, BUF_UNLIMITED);
	buf_init(&r->why, 4096);
	quasar_prov_init(&r->prov);
	if (o->source)
		quasar_prov_source(&r->prov, o->source);
	if (o->ndjson) {
		buf_adds(&r->insert_url, r->url ? r->url : "");
	} else if (!o->replay) {
		quasar_insert(&r->query, o->table, o->layout);
		quasar_url(&r->insert_url, r->url, r->query.data);
		shipcodec_url(o->so.codec, &r->insert_url);
	}
	m.format = o->ndjson                  ? "ndjson"
	           : o->layout == QLAYOUT_RAW ? "rowbinary"
	                                      : "jsoneachrow";
	m.url = (char *)r->url;
	m.table = o->ndjson ? NULL : (char *)o->table;
	m.query = o->ndjson ? NULL : r->query.data;
	m.layout =
	    o->layout != QLAYOUT_RAW ? (char *)qlayout_name(o->layout) : NULL;
	m.ddl = o->ddl;
	m.encoding = (char *)shipcodec_name(o->so.codec);
	shiprun_init(&r->sr, o->spool, o->replay, &m);
	if (o->seen && !o->replay &&
	    (rc = shiprun_seen(&r->sr, o->seen, o->table, r->url)) != 0)
		return rc;
	r->create = o->create && o->seen;
	if ((r->http = http_new(&o->d.http, NULL, &err)) == NULL) {
		diag(NULL, 0, "%s", err.data);
		buf_release(&err);
		return EXIT_UNAVAILABLE;
	}
	so.flight = o->d.http.concurrency;
	so.url = r->insert_url.data;
	so.content_type = "application/x-ndjson";
	so.what = r->what;
	ro.url = r->url;
	ro.keys = o->seen != NULL;
	if (o->replay)
		replay_init(&r->rp, &r->ship, r->http, &so, &ro);
	else
		shipper_init(&r->ship, r->http, &so, ended, r);
	return 0;
}

static void
run_release(struct run *r)
{
	replay_release(&r->rp);
	shipper_release(&r->ship);
	http_free(r->http);
	shiprun_release(&r->sr);
	quasar_prov_release(&r->prov);
	buf_release(&r->query);
	buf_release(&r->insert_url);
	buf_release(&r->row);
	buf_release(&r->why);
}

int
main(int argc, char **argv)
{
	static struct run r; /* static: reachable when a signal cuts in */
	struct shipopts o;
	struct stage st;
	int rc;

	shipopts_init(&o);
	stage_init(&st, "post-quasar", SYNOPSIS);
	if ((rc = parse_args(argc, argv, &o, &st)) != 0) {
		shipopts_release(&o);
		return rc < 0 ? EXIT_OK : rc;
	}
	/* A closed stdout must not cost the batches in hand: the records
	 * still go to the warehouse (and the run ends with 74). A signal
	 * only asks the main loop to stop: a read or a write it cuts into
	 * is taken up again (zlib's reads would take EINTR for an error). */
	stopsig_catch(STOPSIG_NO_PIPE | STOPSIG_RESTART);
	if ((rc = setup(&r, &o, &st)) != 0)
		goto out;
	if (o.replay) {
		progress_init(&st.prog, "records");
		rc = shiprun_replay(&r.sr, &r.rp, r.http, &stopsig);
		progress_done(&st.prog);
		goto out;
	}
	if ((rc = stage_start(&st)) != 0)
		goto out;
	if (o.layout == QLAYOUT_RAW)
		stage_fast(&st, fast);
	if (o.create && !o.seen)
		create_table(&r);
	rc = run_input(&r, argc - optind, argv + optind);
	shiprun_summary(&r.sr, &r.ship, r.http, r.what, !o.ndjson);
	rc = exit_worst(rc, exit_worst(r.status, r.ship.stopped));
	rc = exit_worst(rc, r.sr.status);
	rc = stage_finish(&st, rc);
out:
	run_release(&r);
	shipopts_release(&o);
	return rc;
}
