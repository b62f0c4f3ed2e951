/*
 * rollup: attribute's output summed per model, bucket, source and campaign
 * (analytics/README.md, "rollup", is the contract).
 *
 * Without --merge it writes partial rows, exactly rollup_partials' columns,
 * each with the batch id (--batch-id, else the SHA-256 of the records'
 * lines): page views under their own touch, conversions and the page views
 * after them under each model's touch. With --merge it reads partial rows
 * and writes their totals: a row whose key and batch id were read already
 * replaces the earlier one, then the batches are summed, and with --costs
 * each total gains its cost and cost per sign-up.
 *
 * Every record read is accounted for as dropped by the rule "rolled-up"
 * (counted, not written to --dropped), "nothing-to-count" (an event with no
 * attribution, which --dropped gets) or rejected; the rows are counted as
 * made (tally.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "costs.h"
#include "diag.h"
#include "evtime.h"
#include "exitcode.h"
#include "rowsum.h"
#include "sha256.h"
#include "stage.h"

#define SYNOPSIS                                                               \
	"rollup [--bucket SECONDS] [--batch-id ID] [OPTIONS] [FILE...]\n"      \
	"       rollup --merge [--costs FILE] [OPTIONS] [FILE...]"

struct run {
	int merge;
	int64_t bucket; /* milliseconds */
	const char *batch_id, *costs;
	struct rowsum rows, totals;
	struct sha256 sha;
	struct buf source, campaign; /* the fast path's unescaped values */
};

static void
counted(struct stage *st)
{
	tally_drop(&st->tally, "rolled-up");
}

/* The touch's source and campaign under which a conversion counts:
 * "(none)" and "" when it has none. */
static void
touch_key(
    const json_t *t, const char **s, size_t *ns, const char **c, size_t *nc)
{
	const json_t *src = json_object_get(t, "source");
	const json_t *camp = json_object_get(t, "campaign");

	*s = "(none)";
	*ns = 6;
	*c = "";
	*nc = 0;
	if (json_is_string(src)) {
		*s = json_string_value(src);
		*ns = json_string_length(src);
	}
	if (json_is_string(camp)) {
		*c = json_string_value(camp);
		*nc = json_string_length(camp);
	}
}

static void
add(struct run *r, int model, int64_t bucket, const json_t *touch,
    const unsigned long long c[RS_NCOUNTS])
{
	const char *s, *cp;
	size_t ns, nc;

	touch_key(touch, &s, &ns, &cp, &nc);
	rowsum_add(
	    rowsum_at(&r->rows, model, bucket, s, ns, cp, nc, NULL, 0), c);
}

/* Counts one event of attribute's output. */
static int
count(struct stage *st, struct run *r, const json_t *rec)
{
	const json_t *at = json_object_get(rec, "attribution"), *v;
	const json_t *ev = json_object_get(rec, "event");
	const char *event = json_string_value(ev);
	const json_t *t = json_object_get(rec, "time");
	unsigned long long c[RS_NCOUNTS];
	int64_t time, bucket;
	int m;

	if (!json_is_object(at)) {
		stage_drop(st, "nothing-to-count", rec);
		return 0;
	}
	if (!json_is_string(t) || evtime_parse(json_string_value(t),
	                              json_string_length(t), &time) < 0) {
		stage_reject(st, rec,
		    "\"time\" is missing or not an RFC 3339 "
		    "time");
		return 0;
	}
	bucket = evtime_floor(time, r->bucket);
	memset(c, 0, sizeof(c));
	if ((v = json_object_get(at, "touch")) != NULL) {
		c[RS_VIEWS] = 1;
		for (m = 0; m < 2; m++)
			add(r, m, bucket, v, c);
		c[RS_VIEWS] = 0;
		v = json_object_get(at, "after");
		c[RS_PAGES_AFTER] = 1;
		for (m = 0; v && m < 2; m++)
			add(r, m, bucket, json_object_get(v, rowsum_models[m]),
			    c);
	} else if (json_is_integer(v = json_object_get(at, "pages_before"))) {
		c[RS_CONVERSIONS] = 1;
		c[RS_SIGNUPS] = event && json_string_length(ev) == 6 &&
		                memcmp(event, "signup", 6) == 0;
		c[RS_PAGES_BEFORE] = (unsigned long long)json_integer_value(v);
		v = json_object_get(at, "time_to_convert_ms");
		if (json_is_integer(v) && json_integer_value(v) >= 0) {
			c[RS_TTC_COUNT] = 1;
			c[RS_TTC_SUM] = c[RS_TTC_MIN] = c[RS_TTC_MAX] =
			    (unsigned long long)json_integer_value(v);
		}
		for (m = 0; m < 2; m++)
			add(r, m, bucket, json_object_get(at, rowsum_models[m]),
			    c);
	} else {
		stage_reject(st, rec,
		    "\"attribution\" is not attribute's: "
		    "no \"touch\" and no \"pages_before\"");
		return 0;
	}
	counted(st);
	return 0;
}

/* add() on a canonical line's index: touch is an object node or not. */
static void
add_doc(struct run *r, const struct jdoc *d, int model, int64_t bucket,
    const struct jdoc_node *touch, const unsigned long long c[RS_NCOUNTS])
{
	const char *s = "(none)", *cp = "";
	size_t ns = 6, nc = 0;

	if (jdoc_cstr(d, jdoc_get(d, touch, "source", 6), &r->source)) {
		s = r->source.data;
		ns = r->source.len;
	}
	if (jdoc_cstr(d, jdoc_get(d, touch, "campaign", 8), &r->campaign)) {
		cp = r->campaign.data;
		nc = r->campaign.len;
	}
	rowsum_add(
	    rowsum_at(&r->rows, model, bucket, s, ns, cp, nc, NULL, 0), c);
}

static long long
int_at(const struct jdoc *d, const struct jdoc_node *n)
{
	return strtoll(d->text + n->off, NULL, 10);
}

/*
 * count() on the index of a canonical line, for the lines attribute
 * writes: the same rows without a jansson tree. Anything it would not
 * count (no attribution, no usable time, an attribution of another
 * shape) goes the slow way, which says why.
 */
static int
fast(struct stage *st, struct jdoc *d, void *ctx)
{
	struct run *r = ctx;
	const struct jdoc_node *root = &d->nodes[0], *at, *t, *v, *ev;
	unsigned long long c[RS_NCOUNTS];
	int64_t time, bucket;
	int m;

	at = jdoc_get(d, root, "attribution", 11);
	t = jdoc_get(d, root, "time", 4);
	if (r->merge || at == NULL || at->type != JDOC_OBJECT || t == NULL ||
	    t->type != JDOC_STRING || t->escaped ||
	    evtime_parse(d->text + t->off + 1, t->len - 2, &time) < 0)
		return STAGE_SLOW;
	bucket = evtime_floor(time, r->bucket);
	memset(c, 0, sizeof(c));
	if ((v = jdoc_get(d, at, "touch", 5)) != NULL) {
		c[RS_VIEWS] = 1;
		for (m = 0; m < 2; m++)
			add_doc(r, d, m, bucket, v, c);
		c[RS_VIEWS] = 0;
		c[RS_PAGES_AFTER] = 1;
		v = jdoc_get(d, at, "after", 5);
		for (m = 0; v && m < 2; m++)
			add_doc(r, d, m, bucket,
			    jdoc_get(d, v, rowsum_models[m],
			        strlen(rowsum_models[m])),
			    c);
	} else if ((v = jdoc_get(d, at, "pages_before", 12)) != NULL &&
	           v->type == JDOC_INT) {
		ev = jdoc_get(d, root, "event", 5);
		c[RS_CONVERSIONS] = 1;
		c[RS_SIGNUPS] = ev && ev->len == 8 &&
		                memcmp(d->text + ev->off, "\"signup\"", 8) == 0;
		c[RS_PAGES_BEFORE] = (unsigned long long)int_at(d, v);
		v = jdoc_get(d, at, "time_to_convert_ms", 18);
		if (v && v->type == JDOC_INT && int_at(d, v) >= 0) {
			c[RS_TTC_COUNT] = 1;
			c[RS_TTC_SUM] = c[RS_TTC_MIN] = c[RS_TTC_MAX] =
			    (unsigned long long)int_at(d, v);
		}
		for (m = 0; m < 2; m++)
			add_doc(r, d, m, bucket,
			    jdoc_get(d, at, rowsum_models[m],
			        strlen(rowsum_models[m])),
			    c);
	} else {
		return STAGE_SLOW;
	}
	sha256_add(&r->sha, st->raw, st->rawlen);
	sha256_add(&r->sha, "\n", 1);
	counted(st);
	return 0;
}

static int
str_field(const json_t *rec, const char *key, const char **s, size_t *n)
{
	const json_t *v = json_object_get(rec, key);

	if (!json_is_string(v))
		return -1;
	*s = json_string_value(v);
	*n = json_string_length(v);
	return 0;
}

/* Takes one partial row (--merge): the later of a key and batch wins. */
static int
merge_row(struct stage *st, struct run *r, const json_t *rec)
{
	const char *model, *bucket, *s, *c, *b;
	size_t nm, nbk, ns, nc, nb;
	unsigned long long v[RS_NCOUNTS];
	const json_t *x;
	int64_t ms;
	int i, m;

	if (str_field(rec, "model", &model, &nm) < 0 ||
	    str_field(rec, "bucket", &bucket, &nbk) < 0 ||
	    str_field(rec, "source", &s, &ns) < 0 ||
	    str_field(rec, "campaign", &c, &nc) < 0 ||
	    str_field(rec, "batch_id", &b, &nb) < 0) {
		stage_reject(st, rec,
		    "not a partial row: model, bucket, "
		    "source, campaign and batch_id must be "
		    "strings");
		return 0;
	}
	m = strcmp(model, "first") == 0  ? 0
	    : strcmp(model, "last") == 0 ? 1
	                                 : -1;
	if (m < 0 || nbk != 19 || evtime_parse_bucket(bucket, nbk, &ms) < 0) {
		stage_reject(st, rec,
		    "not a partial row: the model must be "
		    "\"first\" or \"last\", the bucket "
		    "\"YYYY-MM-DD hh:mm:ss\"");
		return 0;
	}
	for (i = 0; i < RS_NCOUNTS; i++) {
		x = json_object_get(rec, rowsum_columns[i]);
		if (!json_is_integer(x) || json_integer_value(x) < 0) {
			stage_reject(st, rec,
			    "not a partial row: \"%s\" is not a count",
			    rowsum_columns[i]);
			return 0;
		}
		v[i] = (unsigned long long)json_integer_value(x);
	}
	memcpy(
	    rowsum_at(&r->rows, m, ms, s, ns, c, nc, b, nb)->c, v, sizeof(v));
	counted(st);
	return 0;
}

static int
each(struct stage *st, json_t *rec, void *ctx)
{
	struct run *r = ctx;

	sha256_add(&r->sha, st->raw, st->rawlen);
	sha256_add(&r->sha, "\n", 1);
	return r->merge ? merge_row(st, r, rec) : count(st, r, rec);
}

/* Writes the rows of t (batch: each gains that batch id). */
static void
write_rows(
    struct stage *st, const struct rowsum *t, const char *batch, int costs)
{
	struct rowsum_row **v, row;
	size_t n, i;

	v = rowsum_sorted(t, &n);
	for (i = 0; i < n; i++) {
		if (rowsum_empty(v[i]) && !v[i]->has_cost)
			continue;
		row = *v[i];
		if (batch) {
			row.batch = (char *)batch;
			row.nbatch = strlen(batch);
		}
		buf_reset(&st->out);
		rowsum_write(&st->out, &row, costs);
		st->tally.made++;
		stage_emit_line(st, &st->out);
	}
	free(v);
}

/* The totals of the partial rows read (--merge). */
static void
sum_batches(struct run *r)
{
	struct rowsum_row **v;
	size_t n, i;

	v = rowsum_sorted(&r->rows, &n);
	for (i = 0; i < n; i++)
		rowsum_add(rowsum_at(&r->totals, v[i]->model, v[i]->bucket,
		               v[i]->source, v[i]->nsource, v[i]->campaign,
		               v[i]->ncampaign, NULL, 0),
		    v[i]->c);
	free(v);
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Sums attribute's output per model, bucket, source and campaign "
	    "into partial\nrows (rollup_partials' columns), or partial rows "
	    "into totals (--merge).\n\n"
	    "  -b, --bucket SECONDS      the buckets' length, aligned to the "
	    "epoch (default\n"
	    "                            86400, a day)\n"
	    "  -B, --batch-id ID         the rows' batch_id (default: the "
	    "SHA-256 of the\n"
	    "                            records' lines)\n"
	    "  -M, --merge               sum partial rows into totals; a "
	    "row of a key and\n"
	    "                            batch read again replaces the "
	    "earlier one\n"
	    "  -C, --costs FILE          with --merge: CSV "
	    "bucket,source,campaign,cost; adds\n"
	    "                            cost and cost_per_signup\n" STAGE_OPTIONS_HELP
	    "\n"
	    "The summary counts the records read as dropped (rolled-up) and "
	    "the rows\nwritten as made.\n" STAGE_EXIT_HELP "\n"
	    "Example:\n"
	    "  attribute events.ndjson | rollup --batch-id day-1 > "
	    "partials.ndjson\n"
	    "  rollup --merge --costs costs.csv partials-*.ndjson > "
	    "totals.ndjson\n");
}

static int
parse_args(struct stage *st, struct run *r, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"bucket", required_argument, NULL, 'b'},
	    {"batch-id", required_argument, NULL, 'B'},
	    {"merge", no_argument, NULL, 'M'},
	    {"costs", required_argument, NULL, 'C'}, STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0}};
	unsigned long long secs;
	int ch, rc;

	while ((ch = getopt_long(argc, argv,
	            STAGE_SHORTOPTS "b:B:MC:", longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage();
			return -1;
		}
		if ((rc = stage_option(st, ch, optarg, argv)) != 1) {
			if (rc != 0)
				return rc;
			continue;
		}
		if (ch == 'b') {
			if (cli_uint(optarg, 366ULL * 86400, &secs) < 0 ||
			    secs == 0)
				return cli_usage_error(SYNOPSIS,
				    "--bucket: \"%s\" is not a whole number "
				    "of seconds from 1 to 31622400",
				    optarg);
			r->bucket = (int64_t)secs * 1000;
		} else if (ch == 'B') {
			r->batch_id = optarg;
		} else if (ch == 'M') {
			r->merge = 1;
		} else if (ch == 'C') {
			r->costs = optarg;
		}
	}
	if (r->costs && !r->merge)
		return cli_usage_error(SYNOPSIS, "--costs goes with --merge");
	if (r->merge && r->batch_id)
		return cli_usage_error(
		    SYNOPSIS, "--batch-id: totals have no batch");
	return 0;
}

int
main(int argc, char **argv)
{
	struct stage st;
	struct run r = {
	    .bucket = 86400LL * 1000, .source = BUF_INIT, .campaign = BUF_INIT};
	char hex[SHA256_HEX];
	struct buf why = BUF_INIT;
	unsigned long long line = 0;
	int rc;

	stage_init(&st, "rollup", SYNOPSIS);
	rowsum_init(&r.rows);
	rowsum_init(&r.totals);
	sha256_init(&r.sha);
	if ((rc = parse_args(&st, &r, argc, argv)) != 0) {
		stage_release(&st);
		rc = rc < 0 ? EXIT_OK : rc;
		goto out;
	}
	/* The costs first: a bad costs file stops the stage before it
	 * reads anything. */
	if (r.costs && (rc = costs_read(r.costs, &r.totals, &why, &line))) {
		diag(r.costs, line, "%s", why.data);
		goto finish;
	}
	stage_fast(&st, fast);
	if ((rc = stage_start(&st)) == 0)
		rc = stage_run(&st, argc - optind, argv + optind, each, &r);
	if (rc == 0 && r.merge) {
		sum_batches(&r);
		write_rows(&st, &r.totals, NULL, r.costs != NULL);
	} else if (rc == 0) {
		sha256_hex(&r.sha, hex);
		write_rows(&st, &r.rows, r.batch_id ? r.batch_id : hex, 0);
	}
finish:
	rc = stage_finish(&st, rc);
out:
	if (r.sha.ctx) /* the hash's end frees it, used or not */
		sha256_hex(&r.sha, hex);
	rowsum_release(&r.rows);
	rowsum_release(&r.totals);
	buf_release(&why);
	buf_release(&r.source);
	buf_release(&r.campaign);
	return rc;
}
