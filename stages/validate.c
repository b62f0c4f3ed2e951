/*
 * validate: events checked against the data dictionary.
 *
 * Each event (analytics/README.md, "The event record") is checked by the
 * dictionary (common/dictionary.h): its metadata, who it is about, whether
 * the dictionary knows it, and its own properties. Every violation does
 * what its rule says: flag (the event goes on, the violation recorded in
 * _meta.violations), omit (the offending property removed, recorded), or
 * block (the event goes to --rejects, whole, with the violations in the
 * reason and in its _meta.violations; never dropped silently).
 *
 * --observe enforces nothing: every event goes on unchanged but for
 * _meta.violations, which lists what enforcing would do (each violation
 * with its action), and the summary says what enforcing would have done.
 * The way to switch a new dictionary on.
 *
 * An event without a violation goes out as the bytes it came in as: the
 * common case costs the checks and never a dump. A line in jansson's
 * compact form takes the fast path (stage.h): it is checked on its index
 * (jdoc.h), without a jansson tree; any line with a violation, or that
 * the fast path leaves alone, is read as a tree and checked again there,
 * where the violations are found and written.
 *
 * --markdown writes the dictionary as a readable page (common/dictpage.h)
 * instead, and reads no event: `make dictionary` makes
 * analytics/DICTIONARY.md with it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "dictionary.h"
#include "dictpage.h"
#include "exitcode.h"
#include "stage.h"

#define SYNOPSIS                                                               \
	"validate [--dictionary FILE] [--observe] [OPTIONS] [FILE...]\n"       \
	"       validate [--dictionary FILE] --markdown"

#ifndef SLUICE_DICTIONARY
#define SLUICE_DICTIONARY "analytics/dictionary.json"
#endif

#define MAX_COUNTS 256 /* (event, field, rule, action) counted apart */
#define MAX_SHOWN 50   /* of them, told in the summary */

struct opts {
	const char *dictionary;
	int observe, markdown;
};

/* How many violations of one event, field, rule and action. */
struct count {
	char *key; /* "EVENT FIELD RULE ACTION", owned */
	unsigned long long n;
};

struct run {
	struct opts o;
	struct dictionary *d;
	json_t *viol; /* this event's, emptied per event */
	struct buf why;
	/* Events (would be) blocked, with an omit, with a flag only. */
	unsigned long long blocked, omitted, flagged, violations;
	struct count counts[MAX_COUNTS];
	size_t ncounts;
	unsigned long long other; /* past MAX_COUNTS */
};

/*
 * The property a field is in: "properties.interests" for
 * "properties.interests.3", so that an array's items count as one.
 */
static size_t
property_len(const char *field)
{
	const char *dot = strchr(field, '.');

	if (dot && strncmp(field, "properties.", 11) == 0)
		dot = strchr(field + 11, '.');
	return dot ? (size_t)(dot - field) : strlen(field);
}

static void
count(struct run *r, const json_t *v)
{
	const json_t *ev = json_object_get(v, "event");
	const char *field = json_string_value(json_object_get(v, "field"));
	struct buf key = BUF_INIT;
	size_t i;

	buf_printf(&key, "%s %.*s %s %s",
	    json_is_string(ev) ? json_string_value(ev) : "(none)",
	    (int)property_len(field), field,
	    json_string_value(json_object_get(v, "rule")),
	    json_string_value(json_object_get(v, "action")));
	for (i = 0; i < r->ncounts; i++)
		if (strcmp(r->counts[i].key, key.data) == 0)
			break;
	if (i == r->ncounts && i < MAX_COUNTS) {
		r->counts[i].key = key.data;
		r->ncounts++;
		key.data = NULL;
	}
	if (i < MAX_COUNTS)
		r->counts[i].n++;
	else
		r->other++;
	buf_release(&key);
}

/* Counts this event's violations, per kind and per event and field. */
static void
count_event(struct run *r, int blocked)
{
	const json_t *v;
	const char *act;
	size_t i;
	int omit = 0;

	json_array_foreach(r->viol, i, v)
	{
		count(r, v);
		act = json_string_value(json_object_get(v, "action"));
		omit |= strcmp(act, "omit") == 0;
	}
	r->violations += json_array_size(r->viol);
	if (blocked)
		r->blocked++;
	else if (omit)
		r->omitted++;
	else
		r->flagged++;
}

/*
 * Appends the event's violations to its _meta.violations (made when
 * missing). -1 when _meta or _meta.violations is there but of the wrong
 * kind: the record then says nothing, and is rejected.
 */
static int
note(json_t *rec, json_t *viol)
{
	json_t *meta = json_object_get(rec, "_meta"), *list;

	if (meta == NULL) {
		meta = json_object();
		json_object_set_new(rec, "_meta", meta);
	}
	if (!json_is_object(meta))
		return -1;
	if ((list = json_object_get(meta, "violations")) == NULL) {
		list = json_array();
		json_object_set_new(meta, "violations", list);
	}
	if (!json_is_array(list))
		return -1;
	return json_array_extend(list, viol) == 0 ? 0 : -1;
}

/* A canonical line (stage.h): a valid event goes out as it came in. */
static int
fast(struct stage *st, struct jdoc *doc, void *ctx)
{
	struct run *r = ctx;

	if (!dictionary_ok_jdoc(r->d, doc))
		return STAGE_SLOW;
	stage_emit_unchanged(st);
	return 0;
}

static int
each(struct stage *st, json_t *rec, void *ctx)
{
	struct run *r = ctx;
	int blocked;

	json_array_clear(r->viol);
	blocked = dictionary_check(r->d, rec, r->viol, !r->o.observe);
	if (json_array_size(r->viol) == 0) {
		stage_emit_unchanged(st);
		return 0;
	}
	count_event(r, blocked);
	buf_reset(&r->why);
	dictionary_reason(r->viol, &r->why);
	if (note(rec, r->viol) < 0) {
		stage_reject(st, rec,
		    "_meta (or _meta.violations) is not an object (an array): "
		    "nowhere to record %s",
		    r->why.data);
		return 0;
	}
	if (blocked && !r->o.observe)
		stage_reject(st, rec, "blocked: %s", r->why.data);
	else
		stage_emit(st, rec);
	return 0;
}

static int
count_cmp(const void *a, const void *b)
{
	return strcmp(
	    ((const struct count *)a)->key, ((const struct count *)b)->key);
}

/* The summary's own lines, before stage_finish()'s tally line. */
static void
summary(struct run *r)
{
	size_t i;

	if (r->o.observe)
		diag(NULL, 0,
		    "observe: every event passed; enforcing would have "
		    "blocked %llu, omitted properties of %llu and flagged "
		    "%llu (violations=%llu)",
		    r->blocked, r->omitted, r->flagged, r->violations);
	else
		diag(NULL, 0,
		    "blocked=%llu omitted=%llu flagged=%llu (events; "
		    "violations=%llu)",
		    r->blocked, r->omitted, r->flagged, r->violations);
	qsort(r->counts, r->ncounts, sizeof(*r->counts), count_cmp);
	for (i = 0; i < r->ncounts && i < MAX_SHOWN; i++)
		diag(NULL, 0, "violations: %s=%llu", r->counts[i].key,
		    r->counts[i].n);
	if (r->ncounts > MAX_SHOWN || r->other)
		diag(NULL, 0, "violations: %zu more kinds not shown",
		    r->ncounts > MAX_SHOWN ? r->ncounts - MAX_SHOWN : 0);
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Check events against the data dictionary: each violation is "
	    "flagged,\nomitted or blocked, as its rule says.\n\n"
	    "  -d, --dictionary FILE     the dictionary (default "
	    "$SLUICE_DICTIONARY, else\n"
	    "                            the checkout's "
	    "analytics/dictionary.json)\n"
	    "  -O, --observe             enforce nothing: every event goes on, "
	    "with\n"
	    "                            _meta.violations saying what "
	    "enforcing would do\n"
	    "  -M, --markdown            write the dictionary as a readable "
	    "page and exit\n" STAGE_OPTIONS_HELP "\n"
	    "A blocked event goes to --rejects whole, the violations in the "
	    "reason.\n" STAGE_EXIT_HELP "\n"
	    "Example:\n"
	    "  validate --rejects blocked.ndjson events.ndjson > "
	    "valid.ndjson\n"
	    "  validate --observe --dictionary new-dictionary.json "
	    "events.ndjson \\\n"
	    "      > /dev/null   # what would the new one block?\n");
}

static int
parse_args(int argc, char **argv, struct opts *o, struct stage *st)
{
	static const struct option longopts[] = {
	    {"dictionary", required_argument, NULL, 'd'},
	    {"observe", no_argument, NULL, 'O'},
	    {"markdown", no_argument, NULL, 'M'},
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv, ":d:OM" STAGE_SHORTOPTS, longopts,
	            NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->dictionary = optarg;
			break;
		case 'O':
			o->observe = 1;
			break;
		case 'M':
			o->markdown = 1;
			break;
		case 'h':
			usage();
			return -1;
		default:
			if ((rc = stage_option(st, ch, optarg, argv)) != 0)
				return rc;
		}
	}
	if (o->dictionary == NULL)
		o->dictionary = cli_env("SLUICE_DICTIONARY");
	if (o->dictionary == NULL)
		o->dictionary = SLUICE_DICTIONARY;
	return 0;
}

/* Loads the dictionary. 0, EXIT_NOINPUT or EXIT_DATAERR. */
static int
load(struct run *r)
{
	struct buf why = BUF_INIT;
	int err;

	r->d = dictionary_load(r->o.dictionary, &why);
	err = errno;
	if (r->d == NULL)
		diag(NULL, 0, "%s", why.data);
	buf_release(&why);
	if (r->d)
		return 0;
	return err && err != EFBIG ? EXIT_NOINPUT : EXIT_DATAERR;
}

/* --markdown: the page on stdout. */
static int
markdown(struct run *r)
{
	struct buf page = BUF_INIT;
	int rc = EXIT_OK;

	dictpage_render(r->d, &page);
	if (fwrite(page.data, 1, page.len, stdout) != page.len ||
	    fflush(stdout) != 0) {
		diag(NULL, 0, "stdout: %s", strerror(errno));
		rc = EXIT_IOERR;
	}
	buf_release(&page);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stage st;
	struct run r;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	stage_init(&st, "validate", SYNOPSIS);
	if ((rc = parse_args(argc, argv, &r.o, &st)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = load(&r)) != 0)
		return rc;
	if (r.o.markdown) {
		rc = markdown(&r);
		dictionary_free(r.d);
		return rc;
	}
	r.viol = json_array();
	buf_init(&r.why, BUF_UNLIMITED);
	stage_fast(&st, fast);
	if ((rc = stage_start(&st)) == 0)
		rc = stage_run(&st, argc - optind, argv + optind, each, &r);
	summary(&r);
	rc = stage_finish(&st, rc);
	for (i = 0; i < r.ncounts; i++)
		free(r.counts[i].key);
	json_decref(r.viol);
	buf_release(&r.why);
	dictionary_free(r.d);
	return rc;
}
