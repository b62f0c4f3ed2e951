/*
 * tv-filter: TurboVote knowledge, in one place.
 *
 * Reads csv2ndjson records of a TurboVote user export and writes canonical
 * activity records (README: "The canonical activity record"). It drops test
 * and staff rows by the map's scrub rules, parses the referral code
 * (user id, campaign, run, source, source details), copies the eleven
 * columns the reference keeps as post details, and shapes the member's
 * fields. The status stays TurboVote's own: status-map translates it.
 *
 * Where the old importer lost data this stage does not: each missing piece
 * of a referral code defaults on its own (a code with a user id but no run
 * id keeps the user id), and a user value that is not a Northstar id is
 * set aside with a warning rather than sent on.
 *
 * Most lines take the fast path (stage.h): the record is written straight
 * from the line's index, the columns copied as they are written, with no
 * jansson tree. Rows it does not handle (scrubbed ones, a missing column,
 * anything unusual) take the tree path, which writes the same bytes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "jsonw.h"
#include "map.h"
#include "referral.h"
#include "stage.h"

#define SYNOPSIS "tv-filter --map FILE [OPTIONS] [FILE...]"

/* The columns the reference keeps verbatim as the post's details. */
/* clang-format off */
static const char *const detail_cols[] = {
	"hostname", "referral-code", "partner-comms-opt-in", "created-at",
	"updated-at", "voter-registration-status", "voter-registration-source",
	"voter-registration-method", "voting-method-preference",
	"email subscribed", "sms subscribed",
};
/* clang-format on */

/* The member's fields, and the columns they come from. */
/* clang-format off */
static const char *const user_fields[][2] = {
	{"email", "email"}, {"mobile", "phone"},
	{"first_name", "first-name"}, {"last_name", "last-name"},
	{"addr_street1", "registered-address-street"},
	{"addr_street2", "registered-address-street-2"},
	{"addr_city", "registered-address-city"},
	{"addr_state", "registered-address-state"},
	{"addr_zip", "registered-address-zip"},
};
/* clang-format on */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The canonical fields that come from the map's defaults. */
enum { D_ACTION, D_CAMPAIGN, D_RUN, D_TYPE, D_SOURCE, ND };
static const char *const dflt_keys[ND] = {
    "action_id",
    "campaign_id",
    "campaign_run_id",
    "type",
    "source",
};

struct ctx {
	const struct map *map;
	unsigned long long bad_user, bad_number; /* values set aside */
	unsigned long long warned;
	/* The fast path's: the defaults as JSON text, and scratch space. */
	char *dflt_text[ND];
	struct buf scratch, code, where;
};

/*
 * Returns the first column TurboVote's export has that rec lacks or holds
 * as something other than a string, or NULL when all are there.
 */
static const char *
bad_column(const json_t *rec)
{
	size_t i;

	if (!json_is_string(json_object_get(rec, "id")))
		return "id";
	for (i = 0; i < NELEM(detail_cols); i++) {
		if (!json_is_string(json_object_get(rec, detail_cols[i])))
			return detail_cols[i];
	}
	for (i = 0; i < NELEM(user_fields); i++) {
		if (!json_is_string(json_object_get(rec, user_fields[i][1])))
			return user_fields[i][1];
	}
	return NULL;
}

/* ASCII case-insensitive substring test. */
static int
contains(const char *hay, const char *needle, int ignore_case)
{
	size_t n = strlen(needle), i;

	if (!ignore_case)
		return strstr(hay, needle) != NULL;
	for (; *hay; hay++) {
		for (i = 0; i < n && hay[i]; i++) {
			if (tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

/* The scrub rule rec hits, or NULL. */
static const char *
scrubbed(const struct map *m, const json_t *rec)
{
	const char *v;
	size_t i;

	for (i = 0; i < m->nscrub; i++) {
		v = json_string_value(json_object_get(rec, m->scrub[i].field));
		if (v &&
		    contains(v, m->scrub[i].contains, m->scrub[i].ignore_case))
			return m->scrub[i].rule;
	}
	return NULL;
}

static json_t *
user_of(const json_t *rec)
{
	json_t *u = json_object();
	size_t i;

	for (i = 0; i < NELEM(user_fields); i++)
		json_object_set_new(u, user_fields[i][0],
		    canon_text(json_string_value(
		        json_object_get(rec, user_fields[i][1]))));
	return u;
}

/* Builds the canonical record of a TurboVote row. */
static json_t *
canonical(struct ctx *c, const json_t *rec, const struct referral *r)
{
	const struct map *m = c->map;
	json_t *out = json_object(), *meta;

	json_object_set_new(out, "northstar_id", canon_text(r->user));
	json_object_set_new(out, "action_id", map_default(m, "action_id"));
	json_object_set_new(out, "campaign_id",
	    r->campaign ? json_integer(r->campaign)
	                : map_default(m, "campaign_id"));
	json_object_set_new(out, "campaign_run_id",
	    r->run ? json_integer(r->run) : map_default(m, "campaign_run_id"));
	json_object_set_new(out, "type", map_default(m, "type"));
	json_object_set(
	    out, "status", json_object_get(rec, "voter-registration-status"));
	json_object_set_new(out, "source",
	    r->source ? json_string(r->source) : map_default(m, "source"));
	json_object_set_new(
	    out, "source_details", canon_text(r->source_details));
	json_object_set_new(out, "referrer_user_id", json_null());
	json_object_set_new(out, "group_id", json_null());
	json_object_set_new(out, "created_at",
	    canon_text(json_string_value(json_object_get(rec, "created-at"))));
	json_object_set_new(
	    out, "details", canon_pick(rec, detail_cols, NELEM(detail_cols)));
	json_object_set_new(out, "user", user_of(rec));
	meta = json_object_get(rec, "_meta");
	meta = json_is_object(meta) ? json_deep_copy(meta) : json_object();
	json_object_set(meta, "vendor_id", json_object_get(rec, "id"));
	if (r->why.len)
		json_object_set_new(meta, "warning", json_string(r->why.data));
	json_object_set_new(out, "_meta", meta);
	return out;
}

/*
 * Parses a referral code (modified) into r, counting what was set aside
 * and telling the first ones on stderr, at file:line. Release r->why.
 */
static void
read_referral(struct ctx *c, const char *file, unsigned long long line,
    char *code, struct referral *r)
{
	referral_parse(code, r);
	c->bad_user += (unsigned)r->bad_user;
	c->bad_number += (unsigned)r->bad_number;
	if (r->why.len && c->warned++ < 10)
		diag(file, line, "%s", r->why.data);
}

static int
each(struct stage *st, json_t *rec, void *arg)
{
	struct ctx *c = arg;
	const char *col = bad_column(rec), *rule, *file;
	unsigned long long line;
	struct referral r;
	char *code;
	json_t *out;

	if (col && st->tally.in == 1) {
		/* The first record decides whether this is the right input. */
		stage_reject(
		    st, rec, "not a TurboVote export: no column '%s'", col);
		return EXIT_DATAERR;
	}
	if (col) {
		if (json_object_get(rec, col))
			stage_reject(
			    st, rec, "column '%s' is not a string", col);
		else
			stage_reject(st, rec, "no column '%s'", col);
		return 0;
	}
	if ((rule = scrubbed(c->map, rec)) != NULL) {
		stage_drop(st, rule, rec);
		return 0;
	}
	code =
	    xstrdup(json_string_value(json_object_get(rec, "referral-code")));
	stage_where(st, rec, &file, &line);
	read_referral(c, file, line, code, &r);
	out = canonical(c, rec, &r);
	stage_emit(st, out);
	json_decref(out);
	referral_release(&r);
	free(code);
	return 0;
}

/* The fast path. A top-level member of the line, by name. */
static const struct jdoc_node *
column(const struct jdoc *d, const char *name)
{
	return jdoc_get(d, &d->nodes[0], name, strlen(name));
}

/*
 * Whether a string may hold \u0000, where the tree path, reading it as a
 * C string, would see its end (an escaped backslash before "u0000" makes
 * this say yes too, which only sends the line the slow way).
 */
static int
may_hold_nul(const struct jdoc *d, const struct jdoc_node *n)
{
	const char *s = d->text + n->off, *e = s + n->len, *p;

	if (!n->escaped)
		return 0;
	for (p = s; (p = memchr(p, '\\', (size_t)(e - p))) != NULL; p++) {
		if (e - p >= 6 && memcmp(p, "\\u0000", 6) == 0)
			return 1;
	}
	return 0;
}

/*
 * Whether the line has every column as a string, none that the tree path
 * reads as a C string holding \u0000, and a _meta the record's own
 * members can be added to: else the slow path decides.
 */
static int
fast_usable(const struct jdoc *d)
{
	const struct jdoc_node *n = column(d, "id"), *meta;
	size_t i;

	if (n == NULL || n->type != JDOC_STRING)
		return 0;
	for (i = 0; i < NELEM(detail_cols); i++) {
		n = column(d, detail_cols[i]);
		if (n == NULL || n->type != JDOC_STRING)
			return 0;
	}
	for (i = 0; i < NELEM(user_fields); i++) {
		n = column(d, user_fields[i][1]);
		if (n == NULL || n->type != JDOC_STRING || may_hold_nul(d, n))
			return 0;
	}
	if (may_hold_nul(d, column(d, "created-at")))
		return 0;
	meta = column(d, "_meta");
	return meta == NULL || meta->type != JDOC_OBJECT ||
	       (jdoc_get(d, meta, "vendor_id", 9) == NULL &&
	           jdoc_get(d, meta, "warning", 7) == NULL);
}

/* The scrub rule the line hits, or NULL. */
static const char *
scrubbed_doc(struct ctx *c, const struct jdoc *d)
{
	const struct map *m = c->map;
	const char *v;
	size_t i;

	for (i = 0; i < m->nscrub; i++) {
		v = jdoc_cstr(d, column(d, m->scrub[i].field), &c->scratch);
		if (v &&
		    contains(v, m->scrub[i].contains, m->scrub[i].ignore_case))
			return m->scrub[i].rule;
	}
	return NULL;
}

/* Appends ,"key": (or without the comma for the first member). */
static void
put_key(struct buf *o, const char *key)
{
	if (o->data[o->len - 1] != '{')
		buf_addc(o, ',');
	buf_addc(o, '"');
	buf_adds(o, key);
	buf_add(o, "\":", 2);
}

/* Appends a column's text as it is, or null for an empty string. */
static void
put_column(struct buf *o, const struct jdoc *d, const char *col, int empty)
{
	const struct jdoc_node *n = column(d, col);

	if (!empty && n->len == 2)
		buf_adds(o, "null");
	else
		buf_add(o, d->text + n->off, n->len);
}

static void
put_string_or(struct buf *o, const char *s, const char *otherwise)
{
	if (s && *s)
		jsonw_cstring(o, s);
	else
		buf_adds(o, otherwise);
}

static void
put_number_or(struct buf *o, long long v, const char *otherwise)
{
	if (v)
		jsonw_uint(o, (unsigned long long)v);
	else
		buf_adds(o, otherwise);
}

/* _meta: the line's own (an object), with vendor_id and warning added. */
static void
put_meta(struct buf *o, const struct jdoc *d, const struct referral *r)
{
	const struct jdoc_node *meta = column(d, "_meta");

	put_key(o, "_meta");
	if (meta && meta->type == JDOC_OBJECT)
		buf_add(o, d->text + meta->off, meta->len - 1);
	else
		buf_addc(o, '{');
	put_key(o, "vendor_id");
	put_column(o, d, "id", 1);
	if (r->why.len) {
		put_key(o, "warning");
		jsonw_string(o, r->why.data, r->why.len);
	}
	buf_addc(o, '}');
}

/* canonical(), written as text from the line's index. */
static void
write_canonical(struct ctx *c, const struct jdoc *d, const struct referral *r,
    struct buf *o)
{
	size_t i;

	buf_addc(o, '{');
	put_key(o, "northstar_id");
	put_string_or(o, r->user, "null");
	put_key(o, "action_id");
	buf_adds(o, c->dflt_text[D_ACTION]);
	put_key(o, "campaign_id");
	put_number_or(o, r->campaign, c->dflt_text[D_CAMPAIGN]);
	put_key(o, "campaign_run_id");
	put_number_or(o, r->run, c->dflt_text[D_RUN]);
	put_key(o, "type");
	buf_adds(o, c->dflt_text[D_TYPE]);
	put_key(o, "status");
	put_column(o, d, "voter-registration-status", 1);
	put_key(o, "source");
	if (r->source)
		jsonw_cstring(o, r->source);
	else
		buf_adds(o, c->dflt_text[D_SOURCE]);
	put_key(o, "source_details");
	put_string_or(o, r->source_details, "null");
	buf_adds(o, ",\"referrer_user_id\":null,\"group_id\":null");
	put_key(o, "created_at");
	put_column(o, d, "created-at", 0);
	put_key(o, "details");
	buf_addc(o, '{');
	for (i = 0; i < NELEM(detail_cols); i++) {
		put_key(o, detail_cols[i]);
		put_column(o, d, detail_cols[i], 1);
	}
	buf_addc(o, '}');
	put_key(o, "user");
	buf_addc(o, '{');
	for (i = 0; i < NELEM(user_fields); i++) {
		put_key(o, user_fields[i][0]);
		put_column(o, d, user_fields[i][1], 0);
	}
	buf_addc(o, '}');
	put_meta(o, d, r);
	buf_add(o, "}\n", 2);
}

/* stage_where() on the line's index. */
static void
where_doc(const struct stage *st, const struct jdoc *d, struct ctx *c,
    const char **file, unsigned long long *line)
{
	const struct jdoc_node *meta = column(d, "_meta");
	const struct jdoc_node *l = jdoc_get(d, meta, "line", 4);
	const char *f = jdoc_cstr(d, jdoc_get(d, meta, "file", 4), &c->where);
	long long v =
	    l && l->type == JDOC_INT ? strtoll(d->text + l->off, NULL, 10) : 0;

	*file = st->file;
	*line = st->line;
	if (f && v > 0) {
		*file = f;
		*line = (unsigned long long)v;
	}
}

static int
fast(struct stage *st, struct jdoc *d, void *arg)
{
	struct ctx *c = arg;
	const char *file;
	unsigned long long line;
	struct referral r;

	if (!fast_usable(d) || scrubbed_doc(c, d))
		return STAGE_SLOW;
	jdoc_cstr(d, column(d, "referral-code"), &c->code);
	where_doc(st, d, c, &file, &line);
	read_referral(c, file, line, c->code.data, &r);
	buf_reset(&st->out);
	write_canonical(c, d, &r, &st->out);
	stage_emit_line(st, &st->out);
	referral_release(&r);
	return 0;
}

/*
 * Sets the fast path up: the map's defaults as JSON text. It stays off
 * when a scrub rule names a column jdoc cannot look up as written.
 */
static void
fast_init(struct ctx *c, struct stage *st)
{
	json_t *v;
	size_t i;

	for (i = 0; i < c->map->nscrub; i++) {
		if (!jdoc_plain_path(c->map->scrub[i].field))
			return;
	}
	for (i = 0; i < ND; i++) {
		v = map_default(c->map, dflt_keys[i]);
		c->dflt_text[i] = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(v);
		if (c->dflt_text[i] == NULL)
			return;
	}
	stage_fast(st, fast);
}

static void
usage(void)
{
	printf("usage: " SYNOPSIS "\n"
	       "Turn a TurboVote user export (csv2ndjson records) into "
	       "canonical activity records.\n\n"
	       "  -m, --map FILE            the business map with the scrub "
	       "rules and defaults\n"
	       "                            (pipelines/maps/turbovote.json); "
	       "required\n" STAGE_OPTIONS_HELP "\n"
	       "Scrubbed rows (test and staff accounts) are dropped, counted "
	       "per rule.\n" STAGE_EXIT_HELP "\n"
	       "Example:\n"
	       "  csv2ndjson --source turbovote export.csv | tv-filter --map "
	       "pipelines/maps/turbovote.json \\\n"
	       "      --dropped scrubbed.ndjson > activity.ndjson\n");
}

int
main(int argc, char **argv)
{
	struct stage st;
	struct map m;
	struct ctx c = {.map = &m,
	    .scratch = BUF_INIT,
	    .code = BUF_INIT,
	    .where = BUF_INIT};
	size_t i;
	int rc;

	stage_init(&st, "tv-filter", SYNOPSIS);
	if ((rc = stage_map_args(&st, argc, argv, usage, &m)) != 0) {
		map_release(&m);
		return rc < 0 ? EXIT_OK : rc;
	}
	fast_init(&c, &st);
	if ((rc = stage_start(&st)) == 0)
		rc = stage_run(&st, argc - optind, argv + optind, each, &c);
	if (c.bad_user || c.bad_number)
		diag(NULL, 0,
		    "referral codes set aside: %llu user ids that "
		    "are not Northstar ids, %llu campaign or run ids that are "
		    "not numbers (see _meta.warning)",
		    c.bad_user, c.bad_number);
	rc = stage_finish(&st, rc);
	map_release(&m);
	for (i = 0; i < ND; i++)
		free(c.dflt_text[i]);
	buf_release(&c.scratch);
	buf_release(&c.code);
	buf_release(&c.where);
	return rc;
}
