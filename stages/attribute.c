/*
 * attribute: first and last click, for each conversion of the event layer
 * (analytics/README.md, "attribute", is the contract).
 *
 * Events are put back in order of place (time, file, line) within the
 * tolerance (reorder.h: an event older than that is rejected); then each
 * page view gains its own touch, and its conversion's touches when it
 * comes after one, and each conversion its first and last touch, pages
 * before and time to convert (attrib.h holds the persons and windows).
 * Every other event goes on untouched, in its place.
 *
 * Canonical lines (jdoc.h) are read from their index and the attribution
 * spliced into them; others go through jansson, with the same bytes out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrib.h"
#include "cli.h"
#include "diag.h"
#include "dictionary.h"
#include "evtime.h"
#include "exitcode.h"
#include "ndjson.h"
#include "reorder.h"
#include "stage.h"
#include "strmap.h"

#define SYNOPSIS                                                               \
	"attribute [--lookback SECONDS] [--tolerance SECONDS] [--dictionary "  \
	"FILE | --conversions a,b] [OPTIONS] [FILE...]"

/* The fields an event's attribution reads. */
enum field {
	F_EVENT,
	F_MEMBER,
	F_ANON,
	F_SOURCE,
	F_CAMPAIGN,
	F_MEDIUM,
	F_REFERRER,
	F_URL,
	NFIELDS
};
static const char *const field_names[NFIELDS] = {"event", "member_id",
    "anonymous_id", "utm_source", "utm_campaign", "utm_medium", "referrer",
    "url"};

struct run {
	struct reorder rb;
	struct attrib at;
	struct strmap files; /* interned file names */
	char **conversions;
	size_t nconversions;
	struct jdoc doc;
	struct buf val[NFIELDS];
	int has[NFIELDS];
	struct buf event_id, attribution, line, dump;
	unsigned long long pageviews, converted;
};

struct held {
	size_t len;
	char text[]; /* the record's line, compact, and a NUL */
};

static const char *
intern(struct run *r, const char *file)
{
	void **v = strmap_put(&r->files, file, strlen(file));

	if (*v == NULL)
		*v = xstrdup(file);
	return *v;
}

/* Reads the fields from a canonical line's index. */
static void
fields_doc(struct run *r)
{
	const struct jdoc_node *root = &r->doc.nodes[0], *n;
	int i;

	for (i = 0; i < NFIELDS; i++) {
		n = jdoc_get(
		    &r->doc, root, field_names[i], strlen(field_names[i]));
		r->has[i] = jdoc_cstr(&r->doc, n, &r->val[i]) != NULL;
	}
	n = jdoc_get(&r->doc, root, "event_id", 8);
	buf_reset(&r->event_id);
	if (n)
		buf_add(&r->event_id, r->doc.text + n->off, n->len);
	else
		buf_adds(&r->event_id, "null");
}

/* Reads the fields from a tree. */
static void
fields_tree(struct run *r, const json_t *rec)
{
	const json_t *v;
	char *s;
	int i;

	for (i = 0; i < NFIELDS; i++) {
		v = json_object_get(rec, field_names[i]);
		buf_reset(&r->val[i]);
		r->has[i] = json_is_string(v);
		if (r->has[i])
			buf_add(&r->val[i], json_string_value(v),
			    json_string_length(v));
	}
	buf_reset(&r->event_id);
	v = json_object_get(rec, "event_id");
	s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	buf_adds(&r->event_id, s ? s : "null");
	free(s);
}

static void
value(const struct run *r, enum field f, const char **p, size_t *n)
{
	*p = r->has[f] ? r->val[f].data : NULL;
	*n = r->has[f] ? r->val[f].len : 0;
}

static int
converts(const struct run *r)
{
	size_t i;

	if (!r->has[F_EVENT])
		return 0;
	for (i = 0; i < r->nconversions; i++)
		if (strcmp(r->val[F_EVENT].data, r->conversions[i]) == 0 &&
		    strlen(r->conversions[i]) == r->val[F_EVENT].len)
			return 1;
	return 0;
}

/*
 * The attribution of the event read into r->val, in r->attribution: 1
 * when it has one, 0 when it goes on untouched.
 */
static int
attribution(struct run *r, int64_t time)
{
	struct attrib_event e = {.time = time};

	value(r, F_MEMBER, &e.member, &e.nmember);
	value(r, F_ANON, &e.anon, &e.nanon);
	e.event_id = r->event_id.data;
	e.nevent_id = r->event_id.len;
	buf_reset(&r->attribution);
	if (r->has[F_EVENT] && strcmp(r->val[F_EVENT].data, "pageview") == 0 &&
	    r->val[F_EVENT].len == 8) {
		value(r, F_SOURCE, &e.utm_source, &e.nsource);
		value(r, F_CAMPAIGN, &e.utm_campaign, &e.ncampaign);
		value(r, F_MEDIUM, &e.utm_medium, &e.nmedium);
		value(r, F_REFERRER, &e.referrer, &e.nreferrer);
		value(r, F_URL, &e.url, &e.nurl);
		r->pageviews++;
		attrib_pageview(&r->at, &e, &r->attribution);
		return 1;
	}
	if (converts(r) && e.nmember > 0) {
		r->converted++;
		attrib_conversion(&r->at, &e, &r->attribution);
		return 1;
	}
	return 0;
}

/* Handles one event taken from the buffer, in order of place. */
static void
release(struct stage *st, struct run *r, const struct reorder_item *it)
{
	struct held *h = it->data;
	json_t *rec = NULL;

	buf_reset(&r->line);
	if (st->fast && jdoc_parse(&r->doc, h->text, h->len) == 0) {
		fields_doc(r);
		if (attribution(r, it->time))
			jdoc_set(&r->doc, "attribution", r->attribution.data,
			    r->attribution.len);
		jdoc_write(&r->doc, &r->line);
	} else if ((rec = json_loadb(h->text, h->len, 0, NULL)) != NULL) {
		fields_tree(r, rec);
		if (attribution(r, it->time))
			json_object_set_new(rec, "attribution",
			    json_loadb(r->attribution.data, r->attribution.len,
			        0, NULL));
		ndjson_dump(&r->line, rec);
		json_decref(rec);
	} else { /* not reached: the text is jansson's own dump */
		buf_add(&r->line, h->text, h->len);
		buf_addc(&r->line, '\n');
	}
	stage_emit_line(st, &r->line);
	free(h);
}

/* Holds a record (its compact line) at its place, or rejects it. */
static int
hold(struct stage *st, struct run *r, const char *time, size_t ntime,
    const char *file, unsigned long long line, const char *text, size_t len)
{
	struct reorder_item it = {0}, out;
	struct held *h;
	char iso[EVTIME_ISO_SIZE];

	if (time == NULL || evtime_parse(time, ntime, &it.time) < 0) {
		stage_reject(st, stage_record(st),
		    "\"time\" is missing or not an RFC 3339 time");
		return 0;
	}
	it.file = intern(r, file);
	it.filelen = strlen(it.file);
	it.line = line;
	h = xmalloc(sizeof(*h) + len + 1);
	memcpy(h->text, text, len);
	h->text[len] = '\0';
	h->len = len;
	it.data = h;
	if (reorder_push(&r->rb, &it) < 0) {
		free(h);
		evtime_iso(r->rb.latest, iso);
		stage_reject(st, stage_record(st),
		    "out of order: more than the tolerance (%lld s) before the "
		    "latest time seen, %s",
		    (long long)(r->rb.tolerance / 1000), iso);
		return 0;
	}
	while (reorder_pop(&r->rb, 0, &out))
		release(st, r, &out);
	return 0;
}

static int
fast(struct stage *st, struct jdoc *d, void *ctx)
{
	struct run *r = ctx;
	const struct jdoc_node *t = jdoc_get(d, &d->nodes[0], "time", 4);
	const char *file;
	unsigned long long line;

	if (t == NULL || t->type != JDOC_STRING || t->escaped)
		return STAGE_SLOW;
	stage_where_doc(st, d, &file, &line);
	return hold(st, r, d->text + t->off + 1, t->len - 2, file, line,
	    d->text, d->len);
}

static int
each(struct stage *st, json_t *rec, void *ctx)
{
	struct run *r = ctx;
	const json_t *t = json_object_get(rec, "time");
	const char *file;
	unsigned long long line;
	int rc;

	stage_where(st, rec, &file, &line);
	buf_reset(&r->dump);
	ndjson_dump(&r->dump, rec);
	rc = hold(st, r, json_string_value(t), json_string_length(t), file,
	    line, r->dump.data, r->dump.len - 1);
	return rc;
}

/* Adds the comma-separated names of list to the conversions. */
static void
add_conversions(struct run *r, const char *list)
{
	const char *p = list, *comma;
	size_t n;

	for (;;) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n > 0) {
			r->conversions = xrealloc(r->conversions,
			    (r->nconversions + 1) * sizeof(*r->conversions));
			r->conversions[r->nconversions] = xmalloc(n + 1);
			memcpy(r->conversions[r->nconversions], p, n);
			r->conversions[r->nconversions++][n] = '\0';
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

/*
 * The conversions a dictionary names (its "conversions": an array of
 * event names), once dictionary.h has found the whole file valid.
 */
static int
load_dictionary(struct run *r, const char *path)
{
	json_error_t err;
	json_t *d, *list, *v;
	struct dictionary *dict;
	struct buf why = BUF_INIT;
	size_t i;

	if (access(path, R_OK) != 0) {
		diag(
		    path, 0, "cannot read the dictionary: %s", strerror(errno));
		return errno == ENOENT ? EXIT_NOINPUT : EXIT_IOERR;
	}
	/* Loaded whole: attribute refuses what validate refuses. */
	if ((dict = dictionary_load(path, &why)) == NULL) {
		diag(NULL, 0, "%s", why.data ? why.data : path);
		buf_release(&why);
		return EXIT_DATAERR;
	}
	dictionary_free(dict);
	buf_release(&why);
	if ((d = json_load_file(path, 0, &err)) == NULL) {
		diag(path, (unsigned long long)(err.line > 0 ? err.line : 0),
		    "%s", err.text);
		return EXIT_DATAERR;
	}
	list = json_object_get(d, "conversions");
	if (!json_is_array(list)) {
		diag(path, 0, "\"conversions\" is missing or not an array");
		json_decref(d);
		return EXIT_DATAERR;
	}
	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0) {
			diag(path, 0, "\"conversions\" item %zu is not a name",
			    i);
			json_decref(d);
			return EXIT_DATAERR;
		}
		add_conversions(r, json_string_value(v));
	}
	json_decref(d);
	return 0;
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "First and last click of each conversion, pages before it and the "
	    "time it took;\neach page view's own touch and the conversion it "
	    "follows (analytics/README.md).\n\n"
	    "  -l, --lookback SECONDS    how far back a window reaches "
	    "(default 2592000,\n"
	    "                            30 days)\n"
	    "  -t, --tolerance SECONDS   events out of order by up to this are "
	    "put back in\n"
	    "                            place; older ones rejected (default "
	    "300)\n"
	    "  -d, --dictionary FILE     the conversions are the dictionary's "
	    "\"conversions\"\n"
	    "  -c, --conversions a,b     the events that convert (default "
	    "signup)\n" STAGE_OPTIONS_HELP "\n"
	    "The summary line is followed by one with pageviews=N "
	    "conversions=N persons=N\n(held now) peak_persons=N and "
	    "held_peak=N (events in the reorder buffer).\n" STAGE_EXIT_HELP "\n"
	    "Example:\n"
	    "  attribute --dictionary analytics/dictionary.json --rejects "
	    "late.ndjson \\\n"
	    "      events.ndjson | rollup --batch-id 2026-11-30 > "
	    "partials.ndjson\n");
}

static int
seconds(const char *opt, const char *arg, unsigned long long max, int64_t *ms)
{
	unsigned long long v;

	if (cli_uint(arg, max, &v) < 0)
		return cli_usage_error(SYNOPSIS,
		    "%s: \"%s\" is not a whole number of seconds up to %llu",
		    opt, arg, max);
	*ms = (int64_t)v * 1000;
	return 0;
}

static int
parse_args(struct stage *st, struct run *r, int argc, char **argv,
    int64_t *lookback, int64_t *tolerance)
{
	static const struct option longopts[] = {
	    {"lookback", required_argument, NULL, 'l'},
	    {"tolerance", required_argument, NULL, 't'},
	    {"dictionary", required_argument, NULL, 'd'},
	    {"conversions", required_argument, NULL, 'c'}, STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0}};
	const char *dict = NULL, *list = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv,
	            STAGE_SHORTOPTS "l:t:d:c:", longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage();
			return -1;
		}
		if ((rc = stage_option(st, ch, optarg, argv)) != 1) {
			if (rc != 0)
				return rc;
			continue;
		}
		rc = 0;
		if (ch == 'l')
			rc = seconds(
			    "--lookback", optarg, 3650ULL * 86400, lookback);
		else if (ch == 't')
			rc = seconds(
			    "--tolerance", optarg, 30ULL * 86400, tolerance);
		else if (ch == 'd')
			dict = optarg;
		else if (ch == 'c')
			list = optarg;
		if (rc)
			return rc;
	}
	if (dict && list)
		return cli_usage_error(SYNOPSIS,
		    "--dictionary and --conversions: give one of them");
	if (dict)
		return load_dictionary(r, dict);
	add_conversions(r, list ? list : "signup");
	if (r->nconversions == 0)
		return cli_usage_error(
		    SYNOPSIS, "--conversions: no event named");
	return 0;
}

int
main(int argc, char **argv)
{
	struct stage st;
	struct run r;
	struct reorder_item it;
	int64_t lookback = 2592000LL * 1000, tolerance = 300LL * 1000;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	stage_init(&st, "attribute", SYNOPSIS);
	strmap_init(&r.files);
	jdoc_init(&r.doc);
	for (i = 0; i < NFIELDS; i++)
		buf_init(&r.val[i], BUF_UNLIMITED);
	buf_init(&r.event_id, BUF_UNLIMITED);
	buf_init(&r.attribution, BUF_UNLIMITED);
	buf_init(&r.line, BUF_UNLIMITED);
	buf_init(&r.dump, BUF_UNLIMITED);
	rc = parse_args(&st, &r, argc, argv, &lookback, &tolerance);
	if (rc == 0) {
		reorder_init(&r.rb, tolerance);
		attrib_init(&r.at, lookback);
		/* The tests' way to sweep small streams (attrib.h). */
		if (cli_env("SLUICE_ATTRIB_SWEEP_MIN"))
			r.at.sweep_min = (size_t)strtoul(
			    cli_env("SLUICE_ATTRIB_SWEEP_MIN"), NULL, 10);
		stage_fast(&st, fast);
		if ((rc = stage_start(&st)) == 0)
			rc = stage_run(
			    &st, argc - optind, argv + optind, each, &r);
		while (reorder_pop(&r.rb, 1, &it))
			release(&st, &r, &it);
		diag(NULL, 0,
		    "pageviews=%llu conversions=%llu persons=%zu "
		    "peak_persons=%zu held_peak=%zu",
		    r.pageviews, r.converted, attrib_persons(&r.at), r.at.peak,
		    r.rb.peak);
		rc = stage_finish(&st, rc);
		reorder_release(&r.rb);
		attrib_release(&r.at);
	} else {
		stage_release(&st);
		rc = rc < 0 ? EXIT_OK : rc;
	}
	for (i = 0; i < r.nconversions; i++)
		free(r.conversions[i]);
	free(r.conversions);
	strmap_release(&r.files, free);
	jdoc_release(&r.doc);
	for (i = 0; i < NFIELDS; i++)
		buf_release(&r.val[i]);
	buf_release(&r.event_id);
	buf_release(&r.attribution);
	buf_release(&r.line);
	buf_release(&r.dump);
	return rc;
}
