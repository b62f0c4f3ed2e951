/* Business maps; see map.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jpath.h"
#include "map.h"

/* Says what is wrong with the map's shape, after the file name. */
static int shape_error(struct buf *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
shape_error(struct buf *err, const char *path, const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_printf(err, "%s: %s", path, msg);
	return -1;
}

/* Reads a list of status strings. */
static int
load_rank(const char *path, json_t *v, const char *what, const char ***out,
    size_t *n, struct buf *err)
{
	size_t i;

	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return shape_error(
		    err, path, "%s: must be a list of statuses", what);
	*n = json_array_size(v);
	*out = xcalloc(*n, sizeof(**out));
	for (i = 0; i < *n; i++) {
		(*out)[i] = json_string_value(json_array_get(v, i));
		if ((*out)[i] == NULL)
			return shape_error(err, path,
			    "%s[%zu]: must be a "
			    "string",
			    what, i);
	}
	return 0;
}

/* Reads the members of one object into path/value arrays. */
static int
load_pairs(const char *path, json_t *obj, const char *what, size_t *n,
    const char ***paths, json_t ***values, int when, struct buf *err)
{
	const char *key;
	json_t *v;
	size_t i = 0;

	if (!json_is_object(obj))
		return shape_error(err, path, "%s: must be an object", what);
	*n = json_object_size(obj);
	*paths = xcalloc(*n, sizeof(**paths));
	*values = xcalloc(*n, sizeof(**values));
	json_object_foreach(obj, key, v)
	{
		if (when && !map_when_value_ok(v))
			return shape_error(err, path,
			    "%s.%s: must be a string, a list of strings, "
			    "true, false or null",
			    what, key);
		(*paths)[i] = key;
		(*values)[i++] = v;
	}
	return 0;
}

/* Remembers a "when" path once, for messages about unmatched records. */
static void
note_when_path(struct map *m, const char *p)
{
	size_t i;

	for (i = 0; i < m->nwhen_paths; i++) {
		if (strcmp(m->when_paths[i], p) == 0)
			return;
	}
	m->when_paths = xrealloc(
	    m->when_paths, (m->nwhen_paths + 1) * sizeof(*m->when_paths));
	m->when_paths[m->nwhen_paths++] = p;
}

static int
load_rules(struct map *m, const char *path, json_t *v, struct buf *err)
{
	char what[64];
	json_t *r;
	size_t i, k;

	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return shape_error(err, path, "rules: must be a list");
	m->nrules = json_array_size(v);
	m->rules = xcalloc(m->nrules, sizeof(*m->rules));
	for (i = 0; i < m->nrules; i++) {
		struct map_rule *rule = &m->rules[i];

		r = json_array_get(v, i);
		snprintf(what, sizeof(what), "rules[%zu].when", i);
		if (load_pairs(path, json_object_get(r, "when"), what,
		        &rule->nwhen, &rule->when_path, &rule->when_value, 1,
		        err) < 0)
			return -1;
		snprintf(what, sizeof(what), "rules[%zu].set", i);
		if (load_pairs(path, json_object_get(r, "set"), what,
		        &rule->nset, &rule->set_path, &rule->set_value, 0,
		        err) < 0)
			return -1;
		for (k = 0; k < rule->nwhen; k++)
			note_when_path(m, rule->when_path[k]);
	}
	return 0;
}

static int
load_default(struct map *m, const char *path, json_t *v, struct buf *err)
{
	const char *s = json_string_value(v);

	m->dflt = MAP_REJECT;
	if (v == NULL || (s && strcmp(s, "reject") == 0))
		return 0;
	if (s && strcmp(s, "keep") == 0) {
		m->dflt = MAP_KEEP;
		return 0;
	}
	m->dflt = MAP_SET;
	if (s) {
		/* A plain value: the status to give unmatched records. */
		m->dflt_set.nset = 1;
		m->dflt_set.set_path = xcalloc(1, sizeof(char *));
		m->dflt_set.set_value = xcalloc(1, sizeof(json_t *));
		m->dflt_set.set_path[0] = "status";
		m->dflt_set.set_value[0] = v;
		return 0;
	}
	if (!json_is_object(v))
		return shape_error(err, path,
		    "default: must be \"reject\", "
		    "\"keep\", a status or an object of fields to set");
	return load_pairs(path, v, "default", &m->dflt_set.nset,
	    &m->dflt_set.set_path, &m->dflt_set.set_value, 0, err);
}

/*
 * Prepares a rule for lines read by jdoc: the text of its values, and
 * whether its paths are plain. Returns whether they are.
 */
static int
rule_prepare(struct map_rule *r)
{
	int plain = 1;
	size_t i;

	r->set_text = xcalloc(r->nset ? r->nset : 1, sizeof(*r->set_text));
	for (i = 0; i < r->nset; i++) {
		r->set_text[i] =
		    json_dumps(r->set_value[i], JSON_COMPACT | JSON_ENCODE_ANY);
		if (r->set_text[i] == NULL || !jdoc_plain_path(r->set_path[i]))
			plain = 0;
	}
	for (i = 0; i < r->nwhen; i++) {
		if (!jdoc_plain_path(r->when_path[i]))
			plain = 0;
	}
	return plain;
}

/* Says what is wrong with JSON that did not parse, with where. */
static int
json_error(struct buf *err, const char *path, const json_error_t *je)
{
	if (je->line <= 0)
		buf_printf(err, "%s: %s", path, je->text);
	else
		buf_printf(
		    err, "%s:%d:%d: %s", path, je->line, je->column, je->text);
	return -1;
}

/* Checks and takes apart a parsed map (root: a new reference, taken). */
static int
load_root(struct map *m, const char *path, json_t *root, struct buf *err)
{
	size_t i;

	m->root = root;
	if (!json_is_object(root))
		return shape_error(err, path, "must be a JSON object");
	if (load_rank(path, json_object_get(root, "rank"), "rank", &m->rank,
	        &m->nrank, err) < 0 ||
	    load_rank(path, json_object_get(root, "user_rank"), "user_rank",
	        &m->user_rank, &m->nuser_rank, err) < 0 ||
	    load_rules(m, path, json_object_get(root, "rules"), err) < 0 ||
	    load_default(m, path, json_object_get(root, "default"), err) < 0)
		return -1;
	m->defaults = json_object_get(root, "defaults");
	if (m->defaults && !json_is_object(m->defaults))
		return shape_error(err, path, "defaults: must be an object");
	m->plain = rule_prepare(&m->dflt_set);
	for (i = 0; i < m->nrules; i++)
		m->plain &= rule_prepare(&m->rules[i]);
	return 0;
}

int
map_load(struct map *m, const char *path, struct buf *err)
{
	json_error_t je;
	json_t *root;
	FILE *fp;

	memset(m, 0, sizeof(*m));
	if ((fp = fopen(path, "r")) == NULL) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -2;
	}
	root = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
	fclose(fp);
	if (root == NULL)
		return json_error(err, path, &je);
	return load_root(m, path, root, err);
}

int
map_loadb(struct map *m, const char *name, const char *data, size_t n,
    struct buf *err)
{
	json_error_t je;
	json_t *root;

	memset(m, 0, sizeof(*m));
	root = json_loadb(data, n, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return json_error(err, name, &je);
	return load_root(m, name, root, err);
}

static void
rule_release(struct map_rule *r)
{
	size_t i;

	for (i = 0; r->set_text && i < r->nset; i++)
		free(r->set_text[i]);
	free(r->set_text);
	free(r->when_path);
	free(r->when_value);
	free(r->set_path);
	free(r->set_value);
}

void
map_release(struct map *m)
{
	size_t i;

	for (i = 0; i < m->nrules; i++)
		rule_release(&m->rules[i]);
	rule_release(&m->dflt_set);
	free(m->rules);
	free(m->rank);
	free(m->user_rank);
	free(m->when_paths);
	json_decref(m->root);
	memset(m, 0, sizeof(*m));
}

static int
rank_in(const char **list, size_t n, const char *status)
{
	size_t i;

	if (status == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (strcmp(list[i], status) == 0)
			return (int)i + 1;
	}
	return 0;
}

json_t *
map_default(const struct map *m, const char *key)
{
	json_t *v = m->defaults ? json_object_get(m->defaults, key) : NULL;

	return v ? json_deep_copy(v) : json_null();
}

int
map_rank(const struct map *m, const char *status)
{
	return rank_in(m->rank, m->nrank, status);
}

int
map_user_rank(const struct map *m, const char *status)
{
	if (m->user_rank == NULL)
		return map_rank(m, status);
	return rank_in(m->user_rank, m->nuser_rank, status);
}

/*
 * The upgrade rule on ranks: an unlisted next never wins; no current
 * status at all ranks below everything; an unlisted current one ranks as
 * the lowest listed (the old importer compared 0-based positions with
 * PHP's false, which comes to that: Rogue's default "pending" is not moved
 * by "uncertain"; vendors/rock-the-vote/README.md, "The status map").
 */
static int
upgrades(int cur, int next, int have_current)
{
	if (have_current && cur == 0)
		cur = 1;
	return next > 0 && next > cur;
}

int
map_upgrades(const struct map *m, const char *current, const char *next)
{
	return upgrades(
	    map_rank(m, current), map_rank(m, next), current != NULL);
}

int
map_user_upgrades(const struct map *m, const char *current, const char *next)
{
	return upgrades(
	    map_user_rank(m, current), map_user_rank(m, next), current != NULL);
}

int
map_when_value_ok(const json_t *v)
{
	size_t i;

	if (json_is_string(v) || json_is_boolean(v) || json_is_null(v))
		return 1;
	if (!json_is_array(v))
		return 0;
	for (i = 0; i < json_array_size(v); i++) {
		if (!json_is_string(json_array_get(v, i)))
			return 0;
	}
	return 1;
}

int
map_holds(const json_t *want, enum map_kind kind, const char *s)
{
	size_t i;

	if (json_is_null(want))
		return kind == MAP_ABSENT;
	if (json_is_boolean(want))
		return kind == (json_is_true(want) ? MAP_TRUE : MAP_FALSE);
	if (kind != MAP_STRING)
		return 0;
	if (json_is_string(want))
		return strcmp(s, json_string_value(want)) == 0;
	for (i = 0; i < json_array_size(want); i++) {
		if (strcmp(s, json_string_value(json_array_get(want, i))) == 0)
			return 1;
	}
	return 0;
}

/* The first rule all of whose "when" pairs hold by holds(arg, path, want). */
static const struct map_rule *
first_rule(const struct map *m,
    int (*holds)(void *arg, const char *path, const json_t *want), void *arg)
{
	size_t i, k;

	for (i = 0; i < m->nrules; i++) {
		for (k = 0; k < m->rules[i].nwhen; k++) {
			if (!holds(arg, m->rules[i].when_path[k],
			        m->rules[i].when_value[k]))
				break;
		}
		if (k == m->rules[i].nwhen)
			return &m->rules[i];
	}
	return NULL;
}

static int
holds_in_tree(void *rec, const char *path, const json_t *want)
{
	const json_t *v = jpath_get(rec, path);
	enum map_kind kind = MAP_OTHER;

	if (v == NULL || json_is_null(v))
		kind = MAP_ABSENT;
	else if (json_is_string(v))
		kind = MAP_STRING;
	else if (json_is_boolean(v))
		kind = json_is_true(v) ? MAP_TRUE : MAP_FALSE;
	return map_holds(want, kind, json_string_value(v));
}

const struct map_rule *
map_match(const struct map *m, const json_t *rec)
{
	return first_rule(m, holds_in_tree, (void *)rec);
}

int
map_apply(const struct map_rule *r, json_t *rec)
{
	size_t i;

	for (i = 0; i < r->nset; i++) {
		if (jpath_set_new(rec, r->set_path[i],
		        json_deep_copy(r->set_value[i])) < 0)
			return -1;
	}
	return 0;
}

/* A canonical line and a buffer to unescape its values in. */
struct doc_scratch {
	const struct jdoc *d;
	struct buf *scratch;
};

static int
holds_in_doc(void *arg, const char *path, const json_t *want)
{
	struct doc_scratch *ds = arg;
	const struct jdoc_node *n = jdoc_path(ds->d, path);
	enum map_kind kind = MAP_OTHER;

	if (n == NULL || n->type == JDOC_NULL)
		kind = MAP_ABSENT;
	else if (n->type == JDOC_STRING)
		kind = MAP_STRING;
	else if (n->type == JDOC_TRUE || n->type == JDOC_FALSE)
		kind = n->type == JDOC_TRUE ? MAP_TRUE : MAP_FALSE;
	return map_holds(want, kind,
	    kind == MAP_STRING ? jdoc_cstr(ds->d, n, ds->scratch) : NULL);
}

const struct map_rule *
map_match_doc(const struct map *m, const struct jdoc *d, struct buf *scratch)
{
	struct doc_scratch ds = {d, scratch};

	return first_rule(m, holds_in_doc, &ds);
}

int
map_apply_doc(const struct map_rule *r, struct jdoc *d)
{
	size_t i;

	for (i = 0; i < r->nset; i++) {
		if (jdoc_set(d, r->set_path[i], r->set_text[i],
		        strlen(r->set_text[i])) < 0)
			return -1;
	}
	return 0;
}
