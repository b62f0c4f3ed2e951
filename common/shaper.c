/* A vendor file's shape, compiled and applied; see shaper.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "map.h"
#include "shaper.h"

/*
 * A cell: missing (or null, in a typed shape), a string, a number or a
 * boolean (a typed shape's scalars), or another value (refused).
 */
enum cell_state { CELL_MISSING, CELL_OTHER, CELL_STRING, CELL_SCALAR };

enum src_kind {
	SRC_COLUMN,
	SRC_PIECE,
	SRC_JSON, /* a "const" or a "default", as JSON text */
	SRC_COLUMNS,
	SRC_FIELDS,
	SRC_OMIT
};

enum empty { EMPTY_NULL, EMPTY_KEEP, EMPTY_SKIP };

struct shaper_cond {
	int piece; /* else a column */
	size_t idx;
	const json_t *want;
};

struct only {
	struct shaper_cond *when;
	size_t nwhen;
	unsigned char *keep; /* one flag a field */
};

struct shaper_src {
	struct shaper_cond *when;
	size_t nwhen;
	enum src_kind kind;
	size_t idx;   /* SRC_COLUMN, SRC_PIECE */
	char *json;   /* SRC_JSON */
	size_t *cols; /* SRC_COLUMNS */
	size_t ncols;
	struct shaper_field *fields; /* SRC_FIELDS */
	size_t nfields;
	struct only *only;
	size_t nonly;
	const struct rulefn *fn;
	const char *arg;
	struct rulefn_value fnout;
	enum empty empty;
};

/* A value, as the record being written gets it. */
enum vkind { V_NONE, V_NULL, V_RAW, V_STRING, V_INT, V_BOOL, V_OMIT };
struct val {
	enum vkind kind;
	const char *p; /* V_RAW: JSON text; V_STRING: the text */
	size_t n;
	long long i;
};

/* --- Compiling --------------------------------------------------------- */

struct load {
	struct shaper *s;
	const struct rulefn *fns;
	struct buf *err;
	struct buf where; /* "shape.record.status[1]", for messages */
};

static int fail(struct load *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct load *l, const char *fmt, ...)
{
	va_list ap;

	buf_printf(l->err, "%s: ", l->where.data);
	va_start(ap, fmt);
	buf_vprintf(l->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* Steps into a member (or, key NULL, an item) of where; returns the
 * length to step back to. */
static size_t
enter(struct load *l, const char *key, size_t i)
{
	size_t was = l->where.len;

	if (key)
		buf_printf(&l->where, ".%s", key);
	else
		buf_printf(&l->where, "[%zu]", i);
	return was;
}

static void
leave(struct load *l, size_t was)
{
	l->where.len = was;
	l->where.data[was] = '\0';
}

/* Refuses a member of obj that allowed does not name. */
static int
only_keys(struct load *l, const json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	size_t i, was;

	json_object_foreach((json_t *)obj, key, v)
	{
		for (i = 0; allowed[i] && strcmp(allowed[i], key) != 0; i++)
			;
		if (allowed[i] == NULL) {
			was = enter(l, key, 0);
			fail(l, "not a key of a shape");
			leave(l, was);
			return -1;
		}
	}
	(void)v;
	return 0;
}

static char *
json_text(const char *s)
{
	struct buf b = BUF_INIT;

	jsonw_cstring(&b, s);
	return b.data;
}

static long
column_index(const struct shaper *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ncols; i++) {
		if (strcmp(s->cols[i].name, name) == 0)
			return (long)i;
	}
	return -1;
}

static long
piece_index(const struct shaper *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->npieces; i++) {
		if (strcmp(s->pieces[i].name, name) == 0)
			return (long)i;
	}
	return -1;
}

static int
load_columns(struct load *l, const json_t *list, int required)
{
	struct shaper *s = l->s;
	struct shaper_column *c;
	const char *name;
	size_t i, was;
	json_t *v;

	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return fail(l, "must be a list of column names");
	json_array_foreach(list, i, v)
	{
		was = enter(l, NULL, i);
		name = json_string_value(v);
		if (name == NULL)
			return fail(l, "must be a column's name");
		if (column_index(s, name) >= 0)
			return fail(l, "column '%s' is named twice", name);
		leave(l, was);
		s->cols = xrealloc(s->cols, (s->ncols + 1) * sizeof(*s->cols));
		c = &s->cols[s->ncols++];
		memset(c, 0, sizeof(*c));
		c->name = name;
		c->json = json_text(name);
		c->jsonlen = strlen(c->json) - 2;
		memmove(c->json, c->json + 1, c->jsonlen);
		c->json[c->jsonlen] = '\0';
		c->required = required;
		c->gen = c->text_gen = (unsigned)-1;
		buf_init(&c->text, BUF_UNLIMITED);
		buf_init(&c->rawbuf, BUF_UNLIMITED);
	}
	return 0;
}

/* A "column" naming a column of the shape's lists. */
static int
column_of(struct load *l, const json_t *v, size_t *idx)
{
	const char *name = json_string_value(v);
	long i;

	if (name == NULL)
		return fail(l, "must be a column's name");
	if ((i = column_index(l->s, name)) < 0)
		return fail(l,
		    "no column '%s' in \"columns\" or \"optional\" "
		    "(every column the shape reads is listed there)",
		    name);
	*idx = (size_t)i;
	return 0;
}

/* A named function, with its "arg" when it takes one. */
static int
function_of(struct load *l, const json_t *obj, const char *key,
    const struct rulefn **fn, const char **arg)
{
	const char *name = json_string_value(json_object_get(obj, key));
	const json_t *a = json_object_get(obj, "arg");
	const struct rulefn *f;

	for (f = l->fns; name && f->name && strcmp(f->name, name); f++)
		;
	if (name == NULL || f->name == NULL)
		return fail(l,
		    "%s: no function named '%s' (rules/rules.h lists them)",
		    key, name ? name : "");
	if (f->arg && (!json_is_string(a) || json_string_length(a) == 0))
		return fail(l, "%s: '%s' needs a non-empty \"arg\"", key, name);
	if (!f->arg && a)
		return fail(l, "%s: '%s' takes no \"arg\"", key, name);
	*fn = f;
	*arg = json_string_value(a);
	return 0;
}

static int
load_parse(struct load *l, const json_t *obj)
{
	static const char *const keys[] = {"column", "fn", "arg", NULL};
	struct shaper *s = l->s;
	struct shaper_parse *p;
	const char *name;
	size_t i, was;
	json_t *v;

	if (obj == NULL)
		return 0;
	if (!json_is_object(obj))
		return fail(l, "must be an object of pieces");
	json_object_foreach((json_t *)obj, name, v)
	{
		was = enter(l, name, 0);
		if (!json_is_object(v))
			return fail(
			    l, "must be {\"column\": ..., \"fn\": ...}");
		if (column_index(s, name) >= 0)
			return fail(l, "a piece may not have a column's name");
		s->parses =
		    xrealloc(s->parses, (s->nparses + 1) * sizeof(*s->parses));
		p = &s->parses[s->nparses++];
		memset(p, 0, sizeof(*p));
		p->name = name;
		p->gen = (unsigned)-1;
		p->first = s->npieces;
		if (only_keys(l, v, keys) < 0 ||
		    column_of(l, json_object_get(v, "column"), &p->col) < 0 ||
		    function_of(l, v, "fn", &p->fn, &p->arg) < 0)
			return -1;
		for (p->n = 0; p->fn->pieces && p->fn->pieces[p->n]; p->n++)
			;
		p->n += p->n == 0;
		s->pieces = xrealloc(
		    s->pieces, (s->npieces + p->n) * sizeof(*s->pieces));
		s->values = xrealloc(
		    s->values, (s->npieces + p->n) * sizeof(*s->values));
		for (i = 0; i < p->n; i++) {
			struct buf nb = BUF_INIT;

			if (p->fn->pieces)
				buf_printf(
				    &nb, "%s.%s", name, p->fn->pieces[i]);
			else
				buf_adds(&nb, name);
			if (column_index(s, nb.data) >= 0) {
				fail(l, "piece '%s' has a column's name",
				    nb.data);
				buf_release(&nb);
				return -1;
			}
			s->pieces[s->npieces].name = nb.data;
			s->pieces[s->npieces].parse = s->nparses - 1;
			memset(&s->values[s->npieces], 0, sizeof(*s->values));
			buf_init(&s->values[s->npieces].s, BUF_UNLIMITED);
			s->npieces++;
		}
		leave(l, was);
	}
	return 0;
}

static int
load_when(
    struct load *l, const json_t *obj, struct shaper_cond **out, size_t *n)
{
	const char *key;
	size_t was;
	json_t *v;
	long i;

	*out = NULL;
	*n = 0;
	if (obj == NULL)
		return 0;
	was = enter(l, "when", 0);
	if (!json_is_object(obj))
		return fail(l, "must be an object of column or piece: value");
	*out = xcalloc(json_object_size(obj), sizeof(**out));
	json_object_foreach((json_t *)obj, key, v)
	{
		struct shaper_cond *c = &(*out)[(*n)++];

		if ((i = piece_index(l->s, key)) >= 0) {
			c->piece = 1;
		} else if ((i = column_index(l->s, key)) < 0) {
			enter(l, key, 0);
			return fail(l, "no column or piece of that name");
		}
		c->idx = (size_t)i;
		c->want = v;
		if (!map_when_value_ok(v)) {
			enter(l, key, 0);
			return fail(l, "must be a string, a list of strings, "
			               "true, false or null");
		}
	}
	leave(l, was);
	return 0;
}

static int load_fields(struct load *l, const json_t *obj,
    struct shaper_field **out, size_t *n, int plain);

static int
load_only(struct load *l, const json_t *list, struct shaper_src *src)
{
	const json_t *o, *keep, *k;
	size_t i, j, f, was, item;

	if (list == NULL)
		return 0;
	was = enter(l, "only", 0);
	if (!json_is_array(list))
		return fail(l, "must be a list of {\"when\", \"keep\"}");
	src->nonly = json_array_size(list);
	src->only = xcalloc(src->nonly, sizeof(*src->only));
	json_array_foreach(list, i, o)
	{
		struct only *on = &src->only[i];

		item = enter(l, NULL, i);
		keep = json_object_get(o, "keep");
		if (!json_is_object(o) || !json_is_array(keep))
			return fail(
			    l, "must be {\"when\": ..., \"keep\": [...]}");
		on->keep = xcalloc(src->nfields, 1);
		json_array_foreach(keep, j, k)
		{
			for (f = 0; f < src->nfields; f++) {
				if (json_is_string(k) &&
				    strcmp(src->fields[f].name,
				        json_string_value(k)) == 0)
					break;
			}
			if (f == src->nfields)
				return fail(l,
				    "keep[%zu]: not a field of the object", j);
			on->keep[f] = 1;
		}
		if (load_when(l, json_object_get(o, "when"), &on->when,
		        &on->nwhen) < 0)
			return -1;
		leave(l, item);
	}
	leave(l, was);
	return 0;
}

/* The kind of source obj is: exactly one of its kind keys. */
static int
src_kind(struct load *l, const json_t *obj, enum src_kind *kind)
{
	static const char *const kinds[] = {
	    "column", "piece", "const", "default", "columns", "fields", "omit"};
	static const enum src_kind as[] = {SRC_COLUMN, SRC_PIECE, SRC_JSON,
	    SRC_JSON, SRC_COLUMNS, SRC_FIELDS, SRC_OMIT};
	size_t i, found = 0;

	for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		if (json_object_get(obj, kinds[i])) {
			*kind = as[i];
			found++;
		}
	}
	if (found != 1)
		return fail(l,
		    "must have one of \"column\", \"piece\", \"const\", "
		    "\"default\", \"columns\", \"fields\" or \"omit\"");
	return 0;
}

static int
load_json(struct load *l, const json_t *obj, struct shaper_src *src)
{
	const json_t *v = json_object_get(obj, "const");
	const char *key;

	if (v == NULL) {
		key = json_string_value(json_object_get(obj, "default"));
		v = key ? json_object_get(l->s->defaults, key) : NULL;
		if (v == NULL)
			return fail(l,
			    "default: no \"%s\" in the vendor file's "
			    "defaults",
			    key ? key : "");
	}
	src->json = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return src->json ? 0 : fail(l, "cannot be written as JSON");
}

static int
load_src(struct load *l, const json_t *obj, struct shaper_src *src)
{
	static const char *const keys[] = {"column", "piece", "const",
	    "default", "columns", "fields", "omit", "when", "fn", "arg",
	    "empty", "only", NULL};
	const char *empty = json_string_value(json_object_get(obj, "empty"));
	const json_t *v;
	size_t i, was;
	long p;

	src->empty = EMPTY_NULL;
	if (!json_is_object(obj))
		return fail(l, "must be an object: {\"column\": ...}, "
		               "{\"piece\": ...}, {\"const\": ...}...");
	if (only_keys(l, obj, keys) < 0 || src_kind(l, obj, &src->kind) < 0 ||
	    load_when(
	        l, json_object_get(obj, "when"), &src->when, &src->nwhen) < 0)
		return -1;
	if (empty && strcmp(empty, "keep") == 0)
		src->empty = EMPTY_KEEP;
	else if (empty && strcmp(empty, "skip") == 0)
		src->empty = EMPTY_SKIP;
	else if (json_object_get(obj, "empty") &&
	         (!empty || strcmp(empty, "null") != 0))
		return fail(l, "empty: must be \"null\", \"keep\" or \"skip\"");
	if (json_object_get(obj, "fn")) {
		if (src->kind != SRC_COLUMN && src->kind != SRC_PIECE)
			return fail(l, "fn: only for a column or a piece");
		if (function_of(l, obj, "fn", &src->fn, &src->arg) < 0)
			return -1;
		if (src->fn->pieces)
			return fail(l,
			    "fn: '%s' gives pieces: use it in "
			    "\"parse\"",
			    src->fn->name);
		buf_init(&src->fnout.s, BUF_UNLIMITED);
	} else if (json_object_get(obj, "arg")) {
		return fail(l, "arg: goes with \"fn\"");
	}
	if (json_object_get(obj, "only") && src->kind != SRC_FIELDS)
		return fail(l, "only: goes with \"fields\"");
	switch (src->kind) {
	case SRC_COLUMN:
		was = enter(l, "column", 0);
		if (column_of(l, json_object_get(obj, "column"), &src->idx) < 0)
			return -1;
		leave(l, was);
		return 0;
	case SRC_PIECE:
		v = json_object_get(obj, "piece");
		if ((p = piece_index(l->s,
		         json_string_value(v) ? json_string_value(v) : "")) < 0)
			return fail(l,
			    "piece: no piece named '%s' in \"parse\"",
			    json_string_value(v) ? json_string_value(v) : "");
		src->idx = (size_t)p;
		return 0;
	case SRC_JSON:
		return load_json(l, obj, src);
	case SRC_COLUMNS:
		v = json_object_get(obj, "columns");
		was = enter(l, "columns", 0);
		if (!json_is_array(v))
			return fail(l, "must be a list of columns");
		src->ncols = json_array_size(v);
		src->cols = xcalloc(src->ncols, sizeof(*src->cols));
		for (i = 0; i < src->ncols; i++) {
			size_t item = enter(l, NULL, i), k;

			if (column_of(l, json_array_get(v, i), &src->cols[i]) <
			    0)
				return -1;
			for (k = 0; k < i; k++) {
				if (src->cols[k] == src->cols[i])
					return fail(l,
					    "column '%s' is in the "
					    "list twice",
					    l->s->cols[src->cols[i]].name);
			}
			leave(l, item);
		}
		leave(l, was);
		return 0;
	case SRC_FIELDS:
		was = enter(l, "fields", 0);
		if (load_fields(l, json_object_get(obj, "fields"), &src->fields,
		        &src->nfields, 0) < 0)
			return -1;
		leave(l, was);
		return load_only(l, json_object_get(obj, "only"), src);
	case SRC_OMIT:
		if (!json_is_true(json_object_get(obj, "omit")))
			return fail(l, "omit: must be true");
		return 0;
	}
	return 0;
}

/* Whether a name can be compared with keys as a line writes them. */
static int
plain(const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			return 0;
	}
	return 1;
}

static int
load_fields(struct load *l, const json_t *obj, struct shaper_field **out,
    size_t *n, int plain_names)
{
	const char *name;
	const json_t *v;
	size_t i, was;

	if (!json_is_object(obj))
		return fail(l, "must be an object of fields");
	*n = 0;
	*out = xcalloc(json_object_size(obj), sizeof(**out));
	json_object_foreach((json_t *)obj, name, v)
	{
		struct shaper_field *f = &(*out)[(*n)++];
		struct buf key = BUF_INIT;

		was = enter(l, name, 0);
		f->name = xstrdup(name);
		jsonw_cstring(&key, name);
		buf_addc(&key, ':');
		f->key = key.data;
		if (plain_names && !plain(name))
			return fail(l, "a _meta field's name may not hold a "
			               "quote, a backslash or a control "
			               "character");
		if (strcmp(name, "_meta") == 0 && !plain_names)
			return fail(l, "_meta is the row's own (see \"meta\")");
		if (strcmp(name, "warning") == 0 && plain_names)
			return fail(l, "_meta.warning is shape's own: what the "
			               "functions set aside");
		f->nalts = json_is_array(v) ? json_array_size(v) : 1;
		if (f->nalts == 0)
			return fail(l, "an empty list of sources");
		f->alts = xcalloc(f->nalts, sizeof(*f->alts));
		for (i = 0; i < f->nalts; i++) {
			size_t item = l->where.len;

			if (json_is_array(v))
				enter(l, NULL, i);
			if (load_src(l,
			        json_is_array(v) ? json_array_get(v, i) : v,
			        &f->alts[i]) < 0)
				return -1;
			leave(l, item);
		}
		leave(l, was);
	}
	return 0;
}

/*
 * The drop rules (name "rule"), or the reject rules (name "why"), into
 * *rules and *n.
 */
static int
load_drops(struct load *l, const json_t *list, const char *name,
    struct shaper_drop **rules, size_t *n)
{
	const char *const keys[] = {
	    name, "column", "if", "unless", "arg", "when", NULL};
	const json_t *o;
	size_t i, was;

	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return fail(l, "must be a list of rules");
	*n = json_array_size(list);
	*rules = xcalloc(*n, sizeof(**rules));
	json_array_foreach(list, i, o)
	{
		struct shaper_drop *d = &(*rules)[i];
		const char *test = json_object_get(o, "if") ? "if" : "unless";
		int tests =
		    !!json_object_get(o, "if") + !!json_object_get(o, "unless");

		was = enter(l, NULL, i);
		if (!json_is_object(o) || only_keys(l, o, keys) < 0)
			return fail(l,
			    "must be {\"%s\", \"column\", \"if\" "
			    "or \"unless\"} or {\"%s\", \"when\"}",
			    name, name);
		d->rule = json_string_value(json_object_get(o, name));
		if (d->rule == NULL || *d->rule == '\0')
			return fail(l, "%s: must %s", name,
			    strcmp(name, "rule") == 0
			        ? "name the rule"
			        : "say why the row is rejected");
		buf_init(&d->out.s, BUF_UNLIMITED);
		if (json_object_get(o, "when")) {
			if (tests || json_object_get(o, "column"))
				return fail(l,
				    "a \"when\" rule takes no "
				    "\"column\", \"if\" or \"unless\"");
			if (load_when(l, json_object_get(o, "when"), &d->when,
			        &d->nwhen) < 0)
				return -1;
		} else {
			if (tests != 1)
				return fail(l, "needs \"if\" or \"unless\", or "
				               "\"when\"");
			d->unless = strcmp(test, "unless") == 0;
			if (column_of(
			        l, json_object_get(o, "column"), &d->col) < 0 ||
			    function_of(l, o, test, &d->fn, &d->arg) < 0)
				return -1;
			if (!d->fn->test)
				return fail(l,
				    "%s: '%s' is not a test (it does "
				    "not say yes or no)",
				    test, d->fn->name);
		}
		leave(l, was);
	}
	return 0;
}

int
shaper_load(struct shaper *s, const json_t *shape, const json_t *defaults,
    const struct rulefn *fns, struct buf *err)
{
	static const char *const keys[] = {"columns", "optional", "drop",
	    "reject", "parse", "record", "meta", "typed", NULL};
	struct load l = {s, fns, err, BUF_INIT};
	size_t was;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	s->defaults = defaults;
	s->gen = 0;
	buf_init(&s->warning, 1 << 16);
	buf_init(&s->why, 1 << 16);
	buf_init(&s->scratch, BUF_UNLIMITED);
	buf_init(&s->scratch2, BUF_UNLIMITED);
	buf_adds(&l.where, "shape");
	if (!json_is_object(shape)) {
		fail(&l, "must be an object");
		goto out;
	}
	if (only_keys(&l, shape, keys) < 0)
		goto out;
	if (json_object_get(shape, "typed") &&
	    !json_is_boolean(json_object_get(shape, "typed"))) {
		fail(&l, "typed: must be true or false");
		goto out;
	}
	s->typed = json_is_true(json_object_get(shape, "typed"));
	if (json_object_get(shape, "record") == NULL) {
		fail(&l, "record: the canonical record is missing");
		goto out;
	}
#define STEP(key, call)                                                        \
	do {                                                                   \
		was = enter(&l, key, 0);                                       \
		if ((call) < 0)                                                \
			goto out;                                              \
		leave(&l, was);                                                \
	} while (0)
	STEP("columns", load_columns(&l, json_object_get(shape, "columns"), 1));
	STEP("optional",
	    load_columns(&l, json_object_get(shape, "optional"), 0));
	STEP("parse", load_parse(&l, json_object_get(shape, "parse")));
	STEP("drop", load_drops(&l, json_object_get(shape, "drop"), "rule",
	                 &s->drops, &s->ndrops));
	STEP("reject", load_drops(&l, json_object_get(shape, "reject"), "why",
	                   &s->rejects, &s->nrejects));
	STEP("record", load_fields(&l, json_object_get(shape, "record"),
	                   &s->fields, &s->nfields, 0));
	if (json_object_get(shape, "meta"))
		STEP("meta", load_fields(&l, json_object_get(shape, "meta"),
		                 &s->meta, &s->nmeta, 1));
#undef STEP
	s->added = xcalloc(s->nmeta + 1, sizeof(*s->added));
	rc = 0;
out:
	buf_release(&l.where);
	return rc;
}

/* --- Shaping a row ----------------------------------------------------- */

static int dump_to_buf(const char *p, size_t n, void *b);

/* The cell of column i in the row being shaped. */
static struct shaper_column *
cell(struct shaper *s, size_t i)
{
	struct shaper_column *c = &s->cols[i];

	if (c->gen == s->gen)
		return c;
	c->gen = s->gen;
	c->raw = NULL;
	if (s->doc) {
		c->node =
		    jdoc_get(s->doc, &s->doc->nodes[0], c->json, c->jsonlen);
		c->state = c->node == NULL                ? CELL_MISSING
		           : c->node->type == JDOC_STRING ? CELL_STRING
		           : !s->typed                    ? CELL_OTHER
		           : c->node->type == JDOC_NULL   ? CELL_MISSING
		           : c->node->type == JDOC_INT ||
		                   c->node->type == JDOC_TRUE ||
		                   c->node->type == JDOC_FALSE
		               ? CELL_SCALAR
		               : CELL_OTHER;
		if (c->state == CELL_STRING || c->state == CELL_SCALAR) {
			c->raw = s->doc->text + c->node->off;
			c->rawlen = c->node->len;
		}
	} else {
		c->value = json_object_get(s->tree, c->name);
		c->state =
		    c->value == NULL           ? CELL_MISSING
		    : json_is_string(c->value) ? CELL_STRING
		    : !s->typed                ? CELL_OTHER
		    : json_is_null(c->value)   ? CELL_MISSING
		    : json_is_integer(c->value) || json_is_boolean(c->value)
		        ? CELL_SCALAR
		        : CELL_OTHER;
		if (c->state == CELL_SCALAR) {
			buf_reset(&c->rawbuf);
			json_dump_callback(c->value, dump_to_buf, &c->rawbuf,
			    JSON_COMPACT | JSON_ENCODE_ANY);
			c->raw = c->rawbuf.data;
			c->rawlen = c->rawbuf.len;
		}
	}
	return c;
}

/* A cell the row has a value in: a string, or a typed shape's scalar. */
static int
has_value(const struct shaper_column *c)
{
	return c->state == CELL_STRING || c->state == CELL_SCALAR;
}

/* A string cell's value, unescaped and NUL-terminated. */
static const char *
cell_text(struct shaper *s, struct shaper_column *c)
{
	if (c->state == CELL_SCALAR) {
		/* A number's or a boolean's text, as written. */
		buf_reset(&c->text);
		buf_add(&c->text, c->raw, c->rawlen);
		return c->text.data;
	}
	if (!s->doc)
		return json_string_value(c->value);
	if (c->text_gen != s->gen) {
		c->text_gen = s->gen;
		jdoc_cstr(s->doc, c->node, &c->text);
	}
	return c->text.data ? c->text.data : "";
}

/* A string cell's value as JSON text, quotes included. */
static void
cell_raw(struct shaper_column *c, const char **p, size_t *n)
{
	if (c->raw == NULL) {
		buf_reset(&c->rawbuf);
		jsonw_string(&c->rawbuf, json_string_value(c->value),
		    json_string_length(c->value));
		c->raw = c->rawbuf.data;
		c->rawlen = c->rawbuf.len;
	}
	*p = c->raw;
	*n = c->rawlen;
}

static int
cell_empty(struct shaper *s, struct shaper_column *c)
{
	if (c->state == CELL_SCALAR)
		return 0;
	return s->doc ? c->rawlen == 2 : json_string_length(c->value) == 0;
}

/* Computes a parse entry's pieces, once a row. */
static void
compute(struct shaper *s, struct shaper_parse *p)
{
	struct shaper_column *c;
	size_t i;

	if (p->gen == s->gen)
		return;
	p->gen = s->gen;
	c = cell(s, p->col);
	if (!has_value(c)) {
		for (i = 0; i < p->n; i++)
			rulefn_absent(&s->values[p->first + i]);
		return;
	}
	p->fn->call(cell_text(s, c), p->arg, &s->values[p->first], &s->warning);
}

static const struct rulefn_value *
piece(struct shaper *s, size_t i)
{
	compute(s, &s->parses[s->pieces[i].parse]);
	return &s->values[i];
}

static int
holds(struct shaper *s, const struct shaper_cond *w, size_t n)
{
	enum map_kind kind;
	const char *text;
	size_t i;

	for (i = 0; i < n; i++) {
		text = NULL;
		if (w[i].piece) {
			const struct rulefn_value *v = piece(s, w[i].idx);

			kind = v->type == RULEFN_STRING ? MAP_STRING
			       : v->type == RULEFN_BOOL
			           ? (v->i ? MAP_TRUE : MAP_FALSE)
			       : v->type == RULEFN_INT ? MAP_OTHER
			                               : MAP_ABSENT;
			if (kind == MAP_STRING)
				text = v->s.data ? v->s.data : "";
		} else {
			struct shaper_column *c = cell(s, w[i].idx);

			kind = c->state == CELL_MISSING  ? MAP_ABSENT
			       : c->state == CELL_STRING ? MAP_STRING
			       : c->state == CELL_SCALAR && c->raw[0] == 't'
			           ? MAP_TRUE
			       : c->state == CELL_SCALAR && c->raw[0] == 'f'
			           ? MAP_FALSE
			           : MAP_OTHER;
			if (kind == MAP_STRING)
				text = cell_text(s, c);
		}
		if (!map_holds(w[i].want, kind, text))
			return 0;
	}
	return 1;
}

/* A function's value or a piece as the record takes it. */
static void
from_rulefn(const struct rulefn_value *v, enum empty empty, struct val *out)
{
	switch (v->type) {
	case RULEFN_ABSENT:
		out->kind = V_NONE;
		return;
	case RULEFN_NULL:
		out->kind = V_NULL;
		return;
	case RULEFN_INT:
	case RULEFN_BOOL:
		out->kind = v->type == RULEFN_INT ? V_INT : V_BOOL;
		out->i = v->i;
		return;
	case RULEFN_STRING:
		out->kind = V_STRING;
		out->p = v->s.data ? v->s.data : "";
		out->n = v->s.len;
		if (out->n == 0 && empty != EMPTY_KEEP)
			out->kind = empty == EMPTY_NULL ? V_NULL : V_NONE;
		return;
	}
}

/* The value of a source that is not an object (see write_field). */
static void
eval(struct shaper *s, struct shaper_src *src, struct val *out)
{
	struct shaper_column *c;
	const struct rulefn_value *v;

	out->kind = V_NONE;
	switch (src->kind) {
	case SRC_COLUMN:
		c = cell(s, src->idx);
		if (!has_value(c))
			return;
		if (src->fn) {
			src->fn->call(cell_text(s, c), src->arg, &src->fnout,
			    &s->warning);
			from_rulefn(&src->fnout, src->empty, out);
			return;
		}
		if (cell_empty(s, c) && src->empty != EMPTY_KEEP) {
			out->kind = src->empty == EMPTY_NULL ? V_NULL : V_NONE;
			return;
		}
		out->kind = V_RAW;
		cell_raw(c, &out->p, &out->n);
		return;
	case SRC_PIECE:
		v = piece(s, src->idx);
		if (src->fn && v->type == RULEFN_STRING) {
			src->fn->call(
			    v->s.data, src->arg, &src->fnout, &s->warning);
			v = &src->fnout;
		} else if (src->fn) {
			return;
		}
		from_rulefn(v, src->empty, out);
		return;
	case SRC_JSON:
		out->kind = V_RAW;
		out->p = src->json;
		out->n = strlen(src->json);
		return;
	case SRC_OMIT:
		out->kind = V_OMIT;
		return;
	default:
		return;
	}
}

static void
put_val(struct buf *o, const struct val *v)
{
	switch (v->kind) {
	case V_RAW:
		buf_add(o, v->p, v->n);
		break;
	case V_STRING:
		jsonw_string(o, v->p, v->n);
		break;
	case V_INT:
		buf_printf(o, "%lld", v->i);
		break;
	case V_BOOL:
		buf_adds(o, v->i ? "true" : "false");
		break;
	default:
		buf_add(o, "null", 4);
		break;
	}
}

static void write_object(
    struct shaper *s, const struct shaper_src *obj, struct buf *o);

/* A member's key, after a comma unless it is the object's first. */
static void
put_key(struct buf *o, const char *key)
{
	if (o->data[o->len - 1] != '{')
		buf_addc(o, ',');
	buf_adds(o, key);
}

/* Writes a field: its first source with a value (null when none). */
static void
write_field(struct shaper *s, struct shaper_field *f, struct buf *o)
{
	struct shaper_src *src;
	struct shaper_column *c;
	struct val v = {V_NULL, NULL, 0, 0};
	size_t i, k;

	for (i = 0; i < f->nalts; i++) {
		src = &f->alts[i];
		if (!holds(s, src->when, src->nwhen))
			continue;
		if (src->kind == SRC_FIELDS) {
			put_key(o, f->key);
			write_object(s, src, o);
			return;
		}
		if (src->kind == SRC_COLUMNS) {
			put_key(o, f->key);
			buf_addc(o, '{');
			for (k = 0; k < src->ncols; k++) {
				c = cell(s, src->cols[k]);
				if (!has_value(c))
					continue;
				if (o->data[o->len - 1] != '{')
					buf_addc(o, ',');
				buf_addc(o, '"');
				buf_add(o, c->json, c->jsonlen);
				buf_add(o, "\":", 2);
				cell_raw(c, &v.p, &v.n);
				buf_add(o, v.p, v.n);
			}
			buf_addc(o, '}');
			return;
		}
		eval(s, src, &v);
		if (v.kind == V_OMIT)
			return;
		if (v.kind != V_NONE)
			break;
		v.kind = V_NULL;
	}
	put_key(o, f->key);
	put_val(o, &v);
}

static void
write_object(struct shaper *s, const struct shaper_src *obj, struct buf *o)
{
	const unsigned char *keep = NULL;
	size_t i;

	for (i = 0; i < obj->nonly && keep == NULL; i++) {
		if (holds(s, obj->only[i].when, obj->only[i].nwhen))
			keep = obj->only[i].keep;
	}
	buf_addc(o, '{');
	for (i = 0; i < obj->nfields; i++) {
		if (keep == NULL || keep[i])
			write_field(s, &obj->fields[i], o);
	}
	buf_addc(o, '}');
}

/*
 * What shaping sets in _meta: each "meta" field with a value, then the
 * warning, written one after the other into s->scratch2.
 */
static size_t
meta_values(struct shaper *s)
{
	size_t i, n = 0, at;

	buf_reset(&s->scratch2);
	for (i = 0; i < s->nmeta; i++) {
		at = s->scratch2.len;
		buf_addc(&s->scratch2, '{');
		write_field(s, &s->meta[i], &s->scratch2);
		if (s->scratch2.len == at + 1) {
			s->scratch2.len = at; /* omitted */
			continue;
		}
		/* Keep only the value: {"key":VALUE */
		s->added[n].name = s->meta[i].name;
		s->added[n].off = at + 1 + strlen(s->meta[i].key);
		s->added[n].len = s->scratch2.len - s->added[n].off;
		n++;
	}
	if (s->warning.len) {
		s->added[n].name = "warning";
		s->added[n].off = s->scratch2.len;
		jsonw_string(&s->scratch2, s->warning.data, s->warning.len);
		s->added[n].len = s->scratch2.len - s->added[n].off;
		n++;
	}
	return n;
}

static void
put_added(struct shaper *s, size_t i, struct buf *o)
{
	if (o->data[o->len - 1] != '{')
		buf_addc(o, ',');
	buf_addc(o, '"');
	buf_adds(o, s->added[i].name);
	buf_add(o, "\":", 2);
	buf_add(o, s->scratch2.data + s->added[i].off, s->added[i].len);
	s->added[i].done = 1;
}

/* The index in added of the key of n bytes, or -1. */
static long
added_index(struct shaper *s, size_t nadded, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < nadded; i++) {
		if (!s->added[i].done && strlen(s->added[i].name) == n &&
		    memcmp(s->added[i].name, key, n) == 0)
			return (long)i;
	}
	return -1;
}

static int
dump_to_buf(const char *p, size_t n, void *b)
{
	return buf_add(b, p, n);
}

/*
 * The row's _meta with what shaping sets in it: a member it has keeps its
 * place with the new value (as jansson's set does), the others go at the
 * end; a _meta that is not an object is replaced.
 */
static void
write_meta(struct shaper *s, struct buf *o)
{
	size_t nadded = meta_values(s), i;
	const struct jdoc_node *m, *e;
	const char *key;
	json_t *tm, *v;
	long a;

	for (i = 0; i < nadded; i++)
		s->added[i].done = 0;
	put_key(o, "\"_meta\":");
	buf_addc(o, '{');
	if (s->doc) {
		m = jdoc_get(s->doc, &s->doc->nodes[0], "_meta", 5);
		for (i = m && m->type == JDOC_OBJECT ? m->child : 0; i;
		     i = e->next) {
			e = &s->doc->nodes[i];
			a = added_index(
			    s, nadded, s->doc->text + e->key, e->keylen);
			if (a >= 0) {
				put_added(s, (size_t)a, o);
				continue;
			}
			if (o->data[o->len - 1] != '{')
				buf_addc(o, ',');
			buf_add(o, s->doc->text + e->key - 1, e->keylen + 3);
			buf_add(o, s->doc->text + e->off, e->len);
		}
	} else if (json_is_object(tm = json_object_get(s->tree, "_meta"))) {
		json_object_foreach(tm, key, v)
		{
			a = added_index(s, nadded, key, strlen(key));
			if (a >= 0) {
				put_added(s, (size_t)a, o);
				continue;
			}
			if (o->data[o->len - 1] != '{')
				buf_addc(o, ',');
			jsonw_cstring(o, key);
			buf_addc(o, ':');
			json_dump_callback(
			    v, dump_to_buf, o, JSON_COMPACT | JSON_ENCODE_ANY);
		}
	}
	for (i = 0; i < nadded; i++) {
		if (!s->added[i].done)
			put_added(s, i, o);
	}
	buf_addc(o, '}');
}

/* A row whose column is missing, or not a string. */
static enum shaper_result
bad_column(struct shaper *s, const struct shaper_column *c)
{
	buf_reset(&s->why);
	if (c->state == CELL_MISSING)
		buf_printf(&s->why, "no column '%s'", c->name);
	else
		buf_printf(&s->why, "column '%s' is not a string%s", c->name,
		    s->typed ? ", an integer or a boolean" : "");
	s->column_problem = 1;
	return SHAPER_REJECT;
}

static int
dropped(struct shaper *s, struct shaper_drop *d)
{
	struct shaper_column *c;

	if (d->fn == NULL)
		return holds(s, d->when, d->nwhen);
	c = cell(s, d->col);
	if (!has_value(c))
		return 0;
	buf_reset(&s->scratch);
	d->fn->call(cell_text(s, c), d->arg, &d->out, &s->scratch);
	return (d->out.type == RULEFN_BOOL && d->out.i) != d->unless;
}

/* The row is rejected by rule d: why says the rule, and the value. */
static enum shaper_result
refused(struct shaper *s, const struct shaper_drop *d)
{
	struct shaper_column *c;
	const char *raw;
	size_t n;

	buf_reset(&s->why);
	if (d->fn == NULL) {
		buf_adds(&s->why, d->rule);
		return SHAPER_REJECT;
	}
	c = cell(s, d->col);
	buf_printf(&s->why, "%s: %s ", c->name, d->rule);
	if (c->state == CELL_STRING) {
		cell_raw(c, &raw, &n);
		buf_add(&s->why, raw, n);
	} else
		buf_adds(&s->why, "(none)");
	return SHAPER_REJECT;
}

static enum shaper_result
shape(struct shaper *s, struct buf *out)
{
	struct shaper_column *c;
	struct shaper_src top;
	size_t i;

	s->gen++;
	s->rule = NULL;
	s->column_problem = 0;
	buf_reset(&s->warning);
	for (i = 0; i < s->ncols; i++) {
		c = cell(s, i);
		if ((c->state == CELL_MISSING && c->required) ||
		    c->state == CELL_OTHER)
			return bad_column(s, c);
	}
	for (i = 0; i < s->ndrops; i++) {
		if (dropped(s, &s->drops[i])) {
			s->rule = s->drops[i].rule;
			return SHAPER_DROP;
		}
	}
	for (i = 0; i < s->nrejects; i++) {
		if (dropped(s, &s->rejects[i]))
			return refused(s, &s->rejects[i]);
	}
	for (i = 0; i < s->nparses; i++)
		compute(s, &s->parses[i]);
	memset(&top, 0, sizeof(top));
	top.fields = s->fields;
	top.nfields = s->nfields;
	write_object(s, &top, out);
	out->len--; /* the record's "}", after _meta */
	write_meta(s, out);
	buf_add(out, "}\n", 2);
	return SHAPER_OUT;
}

enum shaper_result
shaper_doc(struct shaper *s, const struct jdoc *d, struct buf *out)
{
	s->doc = d;
	s->tree = NULL;
	return shape(s, out);
}

enum shaper_result
shaper_tree(struct shaper *s, const json_t *rec, struct buf *out)
{
	s->doc = NULL;
	s->tree = rec;
	return shape(s, out);
}

/* --- Releasing --------------------------------------------------------- */

static void release_fields(struct shaper_field *f, size_t n);

static void
release_src(struct shaper_src *src)
{
	size_t i;

	free(src->when);
	free(src->json);
	free(src->cols);
	release_fields(src->fields, src->nfields);
	for (i = 0; i < src->nonly; i++) {
		free(src->only[i].when);
		free(src->only[i].keep);
	}
	free(src->only);
	buf_release(&src->fnout.s);
}

static void
release_fields(struct shaper_field *f, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; f[i].alts && k < f[i].nalts; k++)
			release_src(&f[i].alts[k]);
		free(f[i].alts);
		free(f[i].key);
		free(f[i].name);
	}
	free(f);
}

void
shaper_release(struct shaper *s)
{
	size_t i;

	for (i = 0; i < s->ncols; i++) {
		free(s->cols[i].json);
		buf_release(&s->cols[i].text);
		buf_release(&s->cols[i].rawbuf);
	}
	free(s->cols);
	for (i = 0; i < s->npieces; i++) {
		free(s->pieces[i].name);
		buf_release(&s->values[i].s);
	}
	free(s->pieces);
	free(s->values);
	free(s->parses);
	for (i = 0; i < s->ndrops; i++) {
		free(s->drops[i].when);
		buf_release(&s->drops[i].out.s);
	}
	free(s->drops);
	for (i = 0; i < s->nrejects; i++) {
		free(s->rejects[i].when);
		buf_release(&s->rejects[i].out.s);
	}
	free(s->rejects);
	release_fields(s->fields, s->nfields);
	release_fields(s->meta, s->nmeta);
	free(s->added);
	buf_release(&s->warning);
	buf_release(&s->why);
	buf_release(&s->scratch);
	buf_release(&s->scratch2);
	memset(s, 0, sizeof(*s));
}
