/*
 * post-quasar: raw records into the warehouse (ClickHouse), never dropped,
 * and passed on unchanged.
 *
 * Every record is written to stdout as it was read, at once, and becomes a
 * row of the table (quasar.h): its provenance and the line itself as a
 * string. The input is read by a thread of its own (shipfeed.h), and rows
 * go out in gzipped batches of at most --batch-records rows and
 * --batch-bytes bytes, or what came in --flush-interval seconds, at most
 * two on the wire (shipper.h), as JSONEachRow to ClickHouse's HTTP
 * interface (--format ndjson: the lines themselves, to any URL).
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
 * confirmed it.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "deliver.h"
#include "diag.h"
#include "exitcode.h"
#include "http.h"
#include "quasar.h"
#include "replay.h"
#include "shipfeed.h"
#include "shipper.h"
#include "stage.h"
#include "vendor.h"

#define SYNOPSIS                                                               \
	"post-quasar --table T [OPTIONS] [FILE...]\n"                          \
	"       post-quasar --format ndjson [OPTIONS] [FILE...]\n"             \
	"       post-quasar --replay DIR [OPTIONS]"

struct opts {
	struct deliver_opts d;  /* --url, --concurrency, --timeout... */
	struct shipper_opts so; /* --batch-records, --batch-bytes... */
	const char *table, *spool, *replay, *source;
	const char *vendor; /* --vendor: its table and source */
	struct vendor v;
	int create, sink, ndjson;
};

struct run {
	struct opts *o;
	struct stage *st;
	const char *url;  /* the target: --url or QUASAR_URL */
	const char *what; /* the target, in messages */
	struct buf query, insert_url;
	char imported[20];
	struct buf row;
	struct quasar_prov prov;
	struct http *http;
	struct shipper ship;
	struct replay rp;   /* --replay */
	struct shipfeed in; /* the input, read by a thread */
	int told;           /* the first failure was told */
	int stdout_lost;    /* stdout failed: said once */
	int status;         /* the worst of the inputs, the spool, zlib */
	unsigned long long read_bytes, rows_sent, batches_sent;
	unsigned long long rows_spooled, batches_spooled;
	char unit[128]; /* the progress line's "records (...)" */
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

/* --- telling ------------------------------------------------------- */

static unsigned long long
retries(const struct run *r)
{
	return r->ship.retries + http_retries(r->http);
}

static void
show(struct run *r)
{
	struct progress *p = &r->st->prog;
	double mb = (double)r->read_bytes / 1e6;

	if (!p->active)
		return;
	snprintf(r->unit, sizeof(r->unit),
	    "records (%.*f MB read, %llu batches sent)", mb < 10 ? 1 : 0, mb,
	    r->batches_sent);
	p->unit = r->unit;
	p->retries = retries(r);
	progress_update(p, 0);
}

/* Says, once, that delivery stopped and where batches go now. */
static void
tell_stop(struct run *r, const char *why)
{
	if (r->told++)
		return;
	if (r->o->replay)
		diag(NULL, 0, "%s; stopping: the batches left stay in %s", why,
		    r->o->replay);
	else
		diag(NULL, 0, "%s; batches go to the spool %s from now on", why,
		    r->o->spool);
}

/* --- batches ------------------------------------------------------- */

/* Writes a batch that was not delivered to the spool. */
static void
spool(struct run *r, struct ship_batch *b, const char *why)
{
	struct spool_meta m = {0};
	struct buf err = BUF_INIT;
	char *url = quasar_redact(r->url);

	m.format = r->o->ndjson ? "ndjson" : "jsoneachrow";
	m.url = url;
	m.table = r->o->ndjson ? NULL : (char *)r->o->table;
	m.query = r->o->ndjson ? NULL : r->query.data;
	m.reason = (char *)why;
	if (shipper_spool(b, r->o->spool, &m, &err) < 0) {
		diag(NULL, 0, "cannot spool a batch: %s", err.data);
		r->status = exit_worst(r->status, EXIT_IOERR);
	} else {
		r->rows_spooled += b->records;
		r->batches_spooled++;
	}
	free(url);
	buf_release(&err);
}

/* The shipper's callback: a batch stored, or failed (to the spool). */
static void
ended(struct ship_batch *b, int status, const char *why, void *arg)
{
	struct run *r = arg;

	if (status == 0) {
		r->rows_sent += b->records;
		r->batches_sent++;
	} else {
		tell_stop(r, why);
		spool(r, b, why);
	}
	show(r);
}

/* --- records ------------------------------------------------------- */

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
	if (r->o->sink) {
		st->tally.out++;
	} else {
		stage_emit_unchanged(st);
		if (out_errno() && !r->stdout_lost++)
			diag(NULL, 0, "records go on to the warehouse only");
	}
	buf_reset(&r->row);
	if (r->o->ndjson) {
		buf_add(&r->row, st->raw, st->rawlen);
		buf_addc(&r->row, '\n');
	} else {
		quasar_row(&r->row, p, r->imported, st->raw, st->rawlen);
	}
	if (shipper_add(&r->ship, r->row.data, r->row.len, st->file, st->line) <
	        0 &&
	    r->status < EXIT_IOERR) {
		diag(NULL, 0, "cannot gzip a batch (zlib)");
		r->status = EXIT_IOERR;
	}
	return 0;
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
	free(it->text);
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
	static const struct shipfeed_ops ops = {take, tick, &interrupted};
	int rc;

	shipfeed_init(&r->in, &r->ship, &ops, r);
	rc = shipfeed_run(&r->in, nfiles, files, r->st->max_line);
	if (rc < 0) {
		diag(NULL, 0, "cannot start the reader thread");
		return EXIT_IOERR;
	}
	/* Interrupted: the reader may wait on a terminal, and is left to
	 * exit(); the batches in hand went to the spool. */
	return rc ? 128 + interrupted : 0;
}

/* --- CREATE TABLE and replay ------------------------------------- */

/* --create-table: the table, made before the first batch goes out. */
static void
create_table(struct run *r)
{
	struct buf why = BUF_INIT;

	if (shipper_create_table(&r->ship, r->o->table, r->url, &why) != 0)
		tell_stop(r, why.data);
	buf_release(&why);
}

/* What a replay tells (replay.h), said as the stage says it. */
static void
replay_told(void *arg, enum replay_event ev, const char *text)
{
	struct run *r = arg;

	switch (ev) {
	case REPLAY_SENT:
		r->rows_sent = r->rp.rows;
		r->batches_sent = r->rp.sent;
		r->st->prog.done = r->rows_sent;
		break;
	case REPLAY_STOPPED:
		tell_stop(r, text);
		break;
	case REPLAY_DAMAGED:
		diag(NULL, 0, "%s: left in the spool", text);
		break;
	case REPLAY_UNREMOVED:
		diag(NULL, 0, "%s", text);
		break;
	}
}

/* post-quasar --replay DIR: every batch in the spool, in order. */
static int
replay(struct run *r)
{
	const char *dir = r->o->replay;
	struct buf err = BUF_INIT;
	size_t left;
	int rc;

	if ((rc = replay_open(&r->rp, &err)) == EXIT_NOINPUT) {
		diag(dir, 0, "no such spool directory");
		return rc;
	}
	if (rc != 0) {
		diag(NULL, 0, "%s", err.data);
		r->status = rc;
	} else {
		replay_run(&r->rp);
		r->status = r->rp.status;
		left = r->rp.n - (size_t)r->rp.sent;
		diag(NULL, 0, "replay: batches sent=%llu rows=%llu left=%zu",
		    r->rp.sent, r->rp.rows, left);
		if (left)
			diag(NULL, 0,
			    "%zu batches are still in %s: run 'post-quasar "
			    "--replay %s' again",
			    left, dir, dir);
	}
	/* The lock goes now: the spool is another replay's to take. */
	replay_release(&r->rp);
	buf_release(&err);
	if (interrupted)
		return 128 + interrupted;
	return exit_worst(r->status, r->ship.stopped);
}

/* --- the command line ---------------------------------------------- */

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Send every record to the warehouse (ClickHouse) as a raw row, and "
	    "pass it on\nunchanged.\n\n"
	    "  -v, --vendor NAME|FILE    the vendor file's delivery.table and "
	    "export.source\n"
	    "                            are the defaults of --table and "
	    "--source\n"
	    "  -t, --table T             the table (ClickHouse), [db.]name\n"
	    "  -C, --create-table        create the table if missing, keyed "
	    "by the records'\n"
	    "                            content (source, record_hash), and "
	    "check its key\n"
	    "  -F, --format F            jsoneachrow (ClickHouse, the default) "
	    "or ndjson (the\n"
	    "                            lines themselves, gzipped, to any "
	    "URL)\n"
	    "  -s, --source NAME         the source of records without "
	    "_meta.source (\"\")\n" SHIPPER_OPTIONS_HELP
	    "  -S, --spool DIR           keep batches not delivered in DIR "
	    "(quasar-spool)\n"
	    "  -R, --replay DIR          send the batches spooled in DIR, "
	    "removing each one\n"
	    "                            the server took\n"
	    "  -k, --sink                write nothing on stdout\n"
	    "  -U, --url URL             the warehouse (default: QUASAR_URL)\n"
	    "  -c, --concurrency N       batches in flight at most, 1 or 2 "
	    "(default 2)\n"
	    "  -N, --retries N           retries of a failed batch (default 8)\n"
	    "  -M, --retry-max-time S    stop retrying a batch after S seconds "
	    "(default 300)\n"
	    "  -T, --timeout S           a request's time limit (default 60)\n"
	    "  -O, --connect-timeout S   a connection's time limit (default 10)\n"
	    "  -A, --cacert FILE         trust the CA certificates in FILE "
	    "too\n" STAGE_OPTIONS_HELP "\n"
	    "Environment: QUASAR_URL (http://127.0.0.1:8123).\n"
	    "Exit status: 0 ok, 1 some records rejected, 64 usage, 65 input "
	    "unusable, 66 file\nmissing, 69 batches spooled (the warehouse was "
	    "unavailable or refused them),\n74 I/O error, 77 credentials "
	    "refused; after SIGINT or SIGTERM, what is in hand\nis spooled "
	    "and the status is 128 + the signal.\n\n"
	    "Example:\n"
	    "  csv2ndjson --source turbovote export.csv |\n"
	    "      post-quasar --table raw_turbovote --create-table \\\n"
	    "      --spool state/quasar-spool | shape --vendor turbovote > activity.ndjson\n"
	    "  post-quasar --replay state/quasar-spool\n");
}

/* Handles one of the stage's own options. 0, or an exit status. */
static int
own_option(struct opts *o, int ch, const char *arg)
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
		if (strcmp(arg, "ndjson") != 0 &&
		    strcmp(arg, "jsoneachrow") != 0)
			return cli_usage_error(
			    SYNOPSIS, "--format takes jsoneachrow or ndjson");
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
	default:
		return -2;
	}
	return 0;
}

/* Checks the options against each other. 0, or EXIT_USAGE. */
static int
check_args(struct opts *o, int nfiles)
{
	/* Two batches in flight at most: nothing for auto to find. */
	if (o->d.http.adaptive || o->d.http.concurrency > SHIP_FLIGHT_MAX)
		return cli_usage_error(
		    SYNOPSIS, "--concurrency takes 1 or 2 (batches in flight)");
	if (o->replay)
		return nfiles ? cli_usage_error(SYNOPSIS,
		                    "--replay DIR reads no input files")
		              : 0;
	if (o->ndjson && (o->table || o->create))
		return cli_usage_error(
		    SYNOPSIS, "--format ndjson goes to a URL, not a table");
	if (!o->ndjson && o->table == NULL)
		return cli_usage_error(SYNOPSIS, "--table T is required");
	if (!o->ndjson && !quasar_table_ok(o->table))
		return cli_usage_error(SYNOPSIS,
		    "bad table name '%s': letters, digits and _, maybe "
		    "after \"db.\"",
		    o->table);
	return 0;
}

static int
parse_args(int argc, char **argv, struct opts *o, struct stage *st)
{
	static const struct option longopts[] = {
	    {"vendor", required_argument, NULL, 'v'},
	    {"table", required_argument, NULL, 't'},
	    {"create-table", no_argument, NULL, 'C'},
	    {"format", required_argument, NULL, 'F'},
	    {"source", required_argument, NULL, 's'},
	    {"spool", required_argument, NULL, 'S'},
	    {"replay", required_argument, NULL, 'R'},
	    {"sink", no_argument, NULL, 'k'},
	    SHIPPER_LONGOPTS,
	    DELIVER_HTTP_LONGOPTS,
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv,
	            ":v:t:CF:s:S:R:k" SHIPPER_SHORTOPTS DELIVER_HTTP_SHORTOPTS
	                STAGE_SHORTOPTS,
	            longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage();
			return -1;
		}
		if ((rc = own_option(o, ch, optarg)) == -2 &&
		    (rc = shipper_option(&o->so, ch, optarg, SYNOPSIS)) == 1 &&
		    (rc = deliver_option(&o->d, ch, optarg, SYNOPSIS)) == 1)
			rc = stage_option(st, ch, optarg, argv);
		if (rc != 0)
			return rc;
	}
	if (o->vendor && (rc = stage_load_vendor(&o->v, o->vendor)) != 0)
		return rc;
	if (o->vendor && o->table == NULL && !o->ndjson && !o->replay)
		o->table = o->v.table;
	if (o->vendor && o->source == NULL)
		o->source = o->v.source;
	return check_args(o, argc - optind);
}

/* --- main ---------------------------------------------------------- */

static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* A closed stdout must not cost the batches in hand: the records
	 * still go to the warehouse (and the run ends with 74). */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* A signal only asks the main loop to stop: a read or a write it
	 * cuts into is taken up again, not failed with EINTR (zlib's reads
	 * would take that for a read error). The loop still sees the flag
	 * soon, since poll(2) ends early on a signal whatever SA_RESTART. */
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Sets the run up. 0, or an exit status. */
static int
setup(struct run *r, struct opts *o, struct stage *st)
{
	const char *env = getenv("QUASAR_URL");
	struct shipper_opts so = o->so;
	struct replay_opts ro = {
	    o->replay, NULL, o->create, &interrupted, replay_told, tick, r};
	struct buf err = BUF_INIT;

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
	quasar_datetime(time(NULL), r->imported);
	buf_init(&r->query, 4096);
	buf_init(&r->insert_url, 64 << 10);
	buf_init(&r->row, BUF_UNLIMITED);
	quasar_prov_init(&r->prov);
	if (o->source)
		quasar_prov_source(&r->prov, o->source);
	if (o->ndjson) {
		buf_adds(&r->insert_url, r->url ? r->url : "");
	} else if (!o->replay) {
		quasar_insert(&r->query, o->table);
		quasar_url(&r->insert_url, r->url, r->query.data);
	}
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
	quasar_prov_release(&r->prov);
	buf_release(&r->query);
	buf_release(&r->insert_url);
	buf_release(&r->row);
}

/* The lines after a run: what went where, and how to send the rest. */
static void
summary(struct run *r)
{
	diag(NULL, 0,
	    "rows sent=%llu spooled=%llu batches sent=%llu spooled=%llu "
	    "retries=%llu",
	    r->rows_sent, r->rows_spooled, r->batches_sent, r->batches_spooled,
	    retries(r));
	/* The table may not be there yet on a new warehouse: the command
	 * makes it, as this run would have. */
	if (r->batches_spooled)
		diag(NULL, 0,
		    "%llu records in %llu batches are in the spool %s: send "
		    "them with 'post-quasar --replay %s%s' once %s takes them",
		    r->rows_spooled, r->batches_spooled, r->o->spool,
		    r->o->spool, r->o->ndjson ? "" : " --create-table",
		    r->what);
}

int
main(int argc, char **argv)
{
	static struct run r; /* static: reachable when a signal cuts in */
	struct opts o = {0};
	struct stage st;
	int rc;

	deliver_opts_init(&o.d);
	o.d.http.concurrency = SHIP_FLIGHT_MAX;
	shipper_opts_init(&o.so);
	o.spool = "quasar-spool";
	stage_init(&st, "post-quasar", SYNOPSIS);
	if ((rc = parse_args(argc, argv, &o, &st)) != 0) {
		vendor_release(&o.v);
		return rc < 0 ? EXIT_OK : rc;
	}
	signals();
	if ((rc = setup(&r, &o, &st)) != 0)
		goto out;
	if (o.replay) {
		progress_init(&st.prog, "records");
		rc = replay(&r);
		progress_done(&st.prog);
		goto out;
	}
	if ((rc = stage_start(&st)) != 0)
		goto out;
	stage_fast(&st, fast);
	if (o.create)
		create_table(&r);
	rc = run_input(&r, argc - optind, argv + optind);
	summary(&r);
	rc = exit_worst(rc, exit_worst(r.status, r.ship.stopped));
	rc = stage_finish(&st, rc);
out:
	run_release(&r);
	vendor_release(&o.v);
	return rc;
}
