/*
 * dictionary: the data dictionary's loader and checker (see dictionary.h).
 *
 * The loader keeps the file's tree: every name and description the
 * compiled dictionary holds is borrowed from it, and the page that renders
 * the dictionary reads it. Properties and events are kept sorted by name,
 * found by binary search.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dictionary.h"
#include "jdoc.h"
#include "jschema.h"
#include "jsonpos.h"
#include "strset.h"

#define MAX_FILE ((size_t)16 << 20)

struct rule {
	const char *name, *description;
	size_t len; /* of name */
	struct jschema *schema;
	enum dictionary_action action;
	int marks; /* MARK_REQUIRED, MARK_IDENTITY: for the fast path */
};

#define MARK_REQUIRED 1
#define MARK_IDENTITY 2

struct rules {
	struct rule *v;
	size_t n;
};

struct names {
	const char **v;
	size_t n;
};

struct event {
	const char *name, *description;
	enum dictionary_action action;
	int closed; /* additionalProperties false */
	struct rules props;
	struct names required;
};

struct dictionary {
	json_t *root;
	enum dictionary_action dflt, unknown;
	const char *meta_description;
	struct rules meta;
	struct names required, identity, conversions;
	struct event *events;
	size_t nevents;
};

static const char *const action_names[] = {"flag", "omit", "block"};

const char *
dictionary_action_name(enum dictionary_action a)
{
	return action_names[a];
}

/* The loader's state: the file, its tree, the reason of a refusal. */
struct loader {
	const char *path;
	const char *text;
	size_t len;
	json_t *root;
	struct buf *why;
};

/* "events.signup.properties", arrays as [N], for the tree at pointer. */
static void
dotted(const json_t *root, const char *ptr, struct buf *out)
{
	const json_t *v = root;
	struct buf step = BUF_INIT;
	const char *p = ptr;

	while (*p == '/') {
		buf_reset(&step);
		buf_add(&step, "", 0);
		for (p++; *p && *p != '/'; p++) {
			if (p[0] == '~' && (p[1] == '0' || p[1] == '1'))
				buf_addc(&step, p[1] == '0' ? '~' : '/'), p++;
			else
				buf_addc(&step, *p);
		}
		if (json_is_array(v)) {
			buf_printf(out, "[%s]", step.data);
			v = json_array_get(v, strtoul(step.data, NULL, 10));
		} else {
			buf_printf(out, "%s%s", out->len ? "." : "", step.data);
			v = json_object_get(v, step.data);
		}
	}
	buf_release(&step);
}

/*
 * Refuses the dictionary: why becomes "FILE:LINE:COL: PATH: message", the
 * place being the value at ptr, or its key when key is set. Returns -1.
 */
static int refuse(struct loader *L, const char *ptr, int key, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
refuse(struct loader *L, const char *ptr, int key, const char *fmt, ...)
{
	struct jsonpos pos;
	struct buf path = BUF_INIT;
	va_list ap;

	jsonpos_find(L->text, L->len, ptr, key, &pos);
	dotted(L->root, ptr, &path);
	buf_reset(L->why);
	buf_printf(L->why, "%s:%lu:%lu: ", L->path, pos.line, pos.col);
	if (path.len)
		buf_printf(L->why, "%s: ", path.data);
	va_start(ap, fmt);
	buf_vprintf(L->why, fmt, ap);
	va_end(ap);
	buf_release(&path);
	return -1;
}

/* ptr with one more step (the caller releases out). */
static void
child(struct buf *out, const char *ptr, const char *name)
{
	buf_init(out, BUF_UNLIMITED);
	buf_adds(out, ptr);
	jsonpos_step(out, name, strlen(name));
}

/* Refuses a key of obj (at ptr) that allowed (NULL-ended) does not name. */
static int
check_keys(struct loader *L, const json_t *obj, const char *ptr,
    const char *const *allowed, const char *what)
{
	const char *k, *const *a;
	json_t *v;
	struct buf list = BUF_INIT, p;
	int rc = 0;

	json_object_foreach((json_t *)obj, k, v)
	{
		for (a = allowed; *a && strcmp(*a, k) != 0; a++)
			;
		if (*a)
			continue;
		for (a = allowed; *a; a++)
			buf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
		child(&p, ptr, k);
		rc = refuse(
		    L, p.data, 1, "unknown key (%s has %s)", what, list.data);
		buf_release(&p);
		break;
	}
	buf_release(&list);
	return rc;
}

static int
snake_case(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		        *s == '_'))
			return 0;
	return 1;
}

/* A non-empty description at obj's "description" (ptr obj's). */
static int
description(
    struct loader *L, const json_t *obj, const char *ptr, const char **out)
{
	const json_t *v = json_object_get(obj, "description");
	struct buf p;
	int rc = 0;

	child(&p, ptr, "description");
	if (v == NULL)
		rc = refuse(L, ptr, 0,
		    "no \"description\": every event and "
		    "every rule says what it means");
	else if (!json_is_string(v) || json_string_length(v) == 0)
		rc = refuse(L, p.data, 0,
		    "a description is a string, not "
		    "empty");
	else
		*out = json_string_value(v);
	buf_release(&p);
	return rc;
}

/* An action at obj's key (ptr obj's): one of the first n action names. */
static int
action(struct loader *L, const json_t *obj, const char *ptr, const char *key,
    int n, enum dictionary_action *out)
{
	const json_t *v = json_object_get(obj, key);
	struct buf p;
	int i;

	if (v == NULL)
		return 0;
	for (i = 0; i < 3; i++)
		if (json_is_string(v) &&
		    strcmp(json_string_value(v), action_names[i]) == 0 &&
		    (n == 3 || i != DICTIONARY_OMIT)) {
			*out = (enum dictionary_action)i;
			return 0;
		}
	child(&p, ptr, key);
	refuse(L, p.data, 0, "%s",
	    n == 3 ? "not \"flag\", \"omit\" or \"block\""
	           : "not \"block\" or \"flag\"");
	buf_release(&p);
	return -1;
}

static int
rule_cmp(const void *a, const void *b)
{
	return strcmp(
	    ((const struct rule *)a)->name, ((const struct rule *)b)->name);
}

static const struct rule *
rule_find(const struct rules *r, const char *name)
{
	struct rule key = {.name = name};

	return r->n ? bsearch(&key, r->v, r->n, sizeof(*r->v), rule_cmp) : NULL;
}

/* One rule: {"description", "schema", "violation"}. */
static int
load_rule(struct loader *L, const char *name, const json_t *obj,
    const char *ptr, enum dictionary_action dflt, struct rule *r)
{
	static const char *const keys[] = {
	    "description", "schema", "violation", NULL};
	struct jschema_error err;
	const json_t *schema = json_object_get(obj, "schema");
	struct buf p;
	int rc;

	r->name = name;
	r->len = strlen(name);
	r->action = dflt;
	if (!json_is_object(obj))
		return refuse(L, ptr, 0,
		    "a rule is an object: description, "
		    "schema, violation");
	if (check_keys(L, obj, ptr, keys, "a rule") < 0 ||
	    description(L, obj, ptr, &r->description) < 0 ||
	    action(L, obj, ptr, "violation", 3, &r->action) < 0)
		return -1;
	if (schema == NULL)
		return refuse(L, ptr, 0,
		    "no \"schema\": a rule says what its "
		    "values must be");
	memset(&err, 0, sizeof(err));
	if ((r->schema = jschema_compile(schema, &err)) != NULL)
		return 0;
	child(&p, ptr, "schema");
	buf_adds(&p, err.pointer);
	rc = refuse(L, p.data, 1, "%s", err.message);
	buf_release(&p);
	return rc;
}

/* The "properties" of obj (at ptr) as rules, sorted. */
static int
load_rules(struct loader *L, const json_t *obj, const char *ptr,
    enum dictionary_action dflt, const char *what, struct rules *out)
{
	const json_t *props = json_object_get(obj, "properties");
	const char *k;
	json_t *v;
	struct buf p, q;
	int rc = 0;

	child(&p, ptr, "properties");
	if (props && !json_is_object(props)) {
		rc = refuse(
		    L, p.data, 0, "\"properties\" is an object of rules");
		goto out;
	}
	out->v = xcalloc(json_object_size(props) + 1, sizeof(*out->v));
	json_object_foreach((json_t *)props, k, v)
	{
		child(&q, p.data, k);
		if (!snake_case(k))
			rc = refuse(L, q.data, 1,
			    "%s name is snake_case "
			    "(^[a-z][a-z0-9_]*$)",
			    what);
		else
			rc = load_rule(L, k, v, q.data, dflt, &out->v[out->n]);
		if (out->v[out->n].schema)
			out->n++;
		buf_release(&q);
		if (rc < 0)
			goto out;
	}
	qsort(out->v, out->n, sizeof(*out->v), rule_cmp);
out:
	buf_release(&p);
	return rc;
}

/* obj's key (at ptr) as a list of names, each one rules lists. */
static int
load_names(struct loader *L, const json_t *obj, const char *ptr,
    const char *key, const struct rules *rules, const char *what, int mark,
    struct names *out)
{
	struct rule *r;
	const json_t *a = json_object_get(obj, key), *v;
	struct buf p, q = BUF_INIT;
	size_t i;
	int rc = 0;

	if (a == NULL)
		return 0;
	child(&p, ptr, key);
	if (!json_is_array(a)) {
		rc = refuse(L, p.data, 0, "a list of names");
		goto out;
	}
	out->v = xcalloc(json_array_size(a) + 1, sizeof(*out->v));
	json_array_foreach(a, i, v)
	{
		buf_reset(&q);
		buf_printf(&q, "%s/%zu", p.data, i);
		if (!json_is_string(v)) {
			rc = refuse(L, q.data, 0, "a name, as a string");
			goto out;
		}
		r = rules
		        ? (struct rule *)rule_find(rules, json_string_value(v))
		        : NULL;
		if (rules && r == NULL) {
			rc = refuse(L, q.data, 0, "\"%s\" is not %s",
			    json_string_value(v), what);
			goto out;
		}
		if (r)
			r->marks |= mark;
		out->v[out->n++] = json_string_value(v);
	}
out:
	buf_release(&p);
	buf_release(&q);
	return rc;
}

static int
load_metadata(struct loader *L, struct dictionary *d, const json_t *meta)
{
	static const char *const keys[] = {
	    "description", "required", "identity", "properties", NULL};
	static const char *const needed[] = {"event", "properties"};
	size_t i;

	if (!json_is_object(meta))
		return refuse(L, "/metadata", meta ? 0 : 1, "%s",
		    meta ? "the metadata is an object"
		         : "missing: the rules every event keeps");
	if (check_keys(L, meta, "/metadata", keys, "the metadata") < 0 ||
	    description(L, meta, "/metadata", &d->meta_description) < 0 ||
	    load_rules(
	        L, meta, "/metadata", d->dflt, "a property's", &d->meta) < 0 ||
	    load_names(L, meta, "/metadata", "required", &d->meta,
	        "a property of the metadata", MARK_REQUIRED,
	        &d->required) < 0 ||
	    load_names(L, meta, "/metadata", "identity", &d->meta,
	        "a property of the metadata", MARK_IDENTITY, &d->identity) < 0)
		return -1;
	for (i = 0; i < 2; i++)
		if (rule_find(&d->meta, needed[i]) == NULL)
			return refuse(L, "/metadata/properties", 0,
			    "no rule for \"%s\": every event has one",
			    needed[i]);
	return 0;
}

static int
load_event(struct loader *L, struct dictionary *d, const char *name,
    const json_t *obj, struct event *e)
{
	static const char *const keys[] = {"description", "violation",
	    "additionalProperties", "required", "properties", NULL};
	const json_t *ap = json_object_get(obj, "additionalProperties");
	struct buf p;
	int rc = -1;

	child(&p, "/events", name);
	e->name = name;
	e->action = d->dflt;
	if (!snake_case(name)) {
		rc = refuse(L, p.data, 1,
		    "an event's name is snake_case (^[a-z][a-z0-9_]*$)");
		goto out;
	}
	if (!json_is_object(obj)) {
		rc = refuse(L, p.data, 0,
		    "an event is an object: description, "
		    "properties, ...");
		goto out;
	}
	if (check_keys(L, obj, p.data, keys, "an event") < 0 ||
	    description(L, obj, p.data, &e->description) < 0 ||
	    action(L, obj, p.data, "violation", 3, &e->action) < 0)
		goto out;
	if (ap && !json_is_boolean(ap)) {
		buf_adds(&p, "/additionalProperties");
		rc = refuse(L, p.data, 0, "true or false");
		goto out;
	}
	e->closed = ap && json_is_false(ap);
	if (load_rules(L, obj, p.data, e->action, "a property's", &e->props) <
	        0 ||
	    load_names(L, obj, p.data, "required", &e->props,
	        "a property of the event", MARK_REQUIRED, &e->required) < 0)
		goto out;
	rc = 0;
out:
	buf_release(&p);
	return rc;
}

static int
event_cmp(const void *a, const void *b)
{
	return strcmp(
	    ((const struct event *)a)->name, ((const struct event *)b)->name);
}

static const struct event *
event_find(const struct dictionary *d, const char *name)
{
	struct event key = {.name = name};

	return d->nevents ? bsearch(&key, d->events, d->nevents,
	                        sizeof(*d->events), event_cmp)
	                  : NULL;
}

static int
load_events(struct loader *L, struct dictionary *d, const json_t *events)
{
	const char *k;
	json_t *v;

	if (!json_is_object(events))
		return refuse(L, "/events", events ? 0 : 1, "%s",
		    events ? "the events are an object: NAME: {...}"
		           : "missing: the events, NAME: {...}");
	d->events = xcalloc(json_object_size(events) + 1, sizeof(*d->events));
	json_object_foreach((json_t *)events, k, v)
	{
		if (load_event(L, d, k, v, &d->events[d->nevents++]) < 0)
			return -1;
	}
	qsort(d->events, d->nevents, sizeof(*d->events), event_cmp);
	return 0;
}

/* The dictionary's own keys but metadata and events. */
static int
load_top(struct loader *L, struct dictionary *d)
{
	static const char *const keys[] = {"about", "version", "violation",
	    "unknown_event", "conversions", "metadata", "events", NULL};
	const json_t *v;

	if (!json_is_object(L->root))
		return refuse(L, "", 0, "a dictionary is a JSON object");
	if (check_keys(L, L->root, "", keys, "the dictionary") < 0 ||
	    action(L, L->root, "", "violation", 3, &d->dflt) < 0 ||
	    action(L, L->root, "", "unknown_event", 2, &d->unknown) < 0)
		return -1;
	v = json_object_get(L->root, "about");
	if (v && !json_is_string(v))
		return refuse(L, "/about", 0, "a string");
	v = json_object_get(L->root, "version");
	if (v && !(json_is_integer(v) && json_integer_value(v) == 1))
		return refuse(
		    L, "/version", 0, "this validate reads version 1");
	return 0;
}

/* conversions: names of events listed. */
static int
load_conversions(struct loader *L, struct dictionary *d)
{
	struct buf q = BUF_INIT;
	size_t i;
	int rc = 0;

	if (load_names(L, L->root, "", "conversions", NULL, NULL, 0,
	        &d->conversions) < 0)
		return -1;
	for (i = 0; i < d->conversions.n && rc == 0; i++)
		if (event_find(d, d->conversions.v[i]) == NULL) {
			buf_reset(&q);
			buf_printf(&q, "/conversions/%zu", i);
			rc = refuse(L, q.data, 0,
			    "\"%s\" is not an event of "
			    "the dictionary",
			    d->conversions.v[i]);
		}
	buf_release(&q);
	return rc;
}

/* Reads the whole file into text; -1 with errno set. */
static int
read_file(const char *path, struct buf *text)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int err = 0;

	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_add(text, chunk, n) < 0) {
			err = EFBIG;
			break;
		}
	if (ferror(fp))
		err = errno ? errno : EIO;
	fclose(fp);
	if (text->data == NULL)
		buf_add(text, "", 0);
	errno = err;
	return err ? -1 : 0;
}

struct dictionary *
dictionary_loadb(
    const char *name, const char *text, size_t len, struct buf *why)
{
	struct dictionary *d = xcalloc(1, sizeof(*d));
	struct loader L = {name, text, len, NULL, why};
	json_error_t je;

	d->dflt = d->unknown = DICTIONARY_BLOCK;
	buf_reset(why);
	d->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (d->root == NULL) {
		buf_printf(
		    why, "%s:%d:%d: %s", name, je.line, je.column, je.text);
		goto fail;
	}
	L.root = d->root;
	if (load_top(&L, d) < 0 ||
	    load_metadata(&L, d, json_object_get(d->root, "metadata")) < 0 ||
	    load_events(&L, d, json_object_get(d->root, "events")) < 0 ||
	    load_conversions(&L, d) < 0)
		goto fail;
	return d;
fail:
	dictionary_free(d);
	errno = 0;
	return NULL;
}

struct dictionary *
dictionary_load(const char *path, struct buf *why)
{
	struct buf text = BUF_INIT_MAX(MAX_FILE);
	struct dictionary *d = NULL;
	int err;

	buf_reset(why);
	if (read_file(path, &text) < 0) {
		err = errno;
		buf_printf(why, "%s: %s", path, strerror(err));
		errno = err;
	} else {
		d = dictionary_loadb(path, text.data, text.len, why);
	}
	err = errno;
	buf_release(&text);
	errno = err;
	return d;
}

/* One event's check in progress. */
struct check {
	const struct dictionary *d;
	json_t *ev, *viol;
	const json_t *name; /* the event's name, a string, or NULL */
	int blocked;
	/* The rule being checked, for jschema's callback. */
	const char *prefix; /* "" or "properties." */
	const char *key;
	const struct rule *rule;
	struct strset omit_top, omit_props;
	struct buf field;
};

static void
record(struct check *c, const char *field, const char *rule,
    enum dictionary_action act, const char *message, const char *desc)
{
	json_t *v;

	if (act == DICTIONARY_BLOCK)
		c->blocked = 1;
	if (c->viol == NULL)
		return;
	v = json_object();
	json_object_set_new(
	    v, "event", c->name ? json_incref((json_t *)c->name) : json_null());
	json_object_set_new(v, "field", json_string(field));
	json_object_set_new(v, "rule", json_string(rule));
	json_object_set_new(v, "action", json_string(action_names[act]));
	json_object_set_new(v, "message", json_string(message));
	json_object_set_new(v, "description", json_string(desc));
	json_array_append_new(c->viol, v);
}

/* The field of a value at path (a pointer) within key's value. */
static const char *
field_of(struct check *c, const char *key, const char *path)
{
	buf_reset(&c->field);
	buf_printf(&c->field, "%s%s", c->prefix, key);
	for (; *path; path++) {
		if (*path == '/')
			buf_addc(&c->field, '.');
		else if (path[0] == '~' && (path[1] == '0' || path[1] == '1'))
			buf_addc(&c->field, path[1] == '0' ? '~' : '/'), path++;
		else
			buf_addc(&c->field, *path);
	}
	return c->field.data;
}

static void
on_violation(const struct jschema_violation *v, void *ctx)
{
	struct check *c = ctx;

	record(c, field_of(c, c->key, v->path), v->keyword, c->rule->action,
	    v->message, c->rule->description);
}

/* Checks value against rule; an omit marks key for removal from its set. */
static void
check_value(struct check *c, const struct rule *r, const char *key,
    const json_t *value, struct strset *omit)
{
	if (jschema_ok(r->schema, value))
		return;
	c->rule = r;
	c->key = key;
	if (jschema_check(r->schema, value, on_violation, c) > 0 &&
	    r->action == DICTIONARY_OMIT)
		strset_add(omit, key);
}

static void
required(struct check *c, const json_t *obj, const struct names *req,
    const struct rules *rules)
{
	const struct rule *r;
	struct buf msg = BUF_INIT;
	size_t i;

	for (i = 0; i < req->n; i++) {
		if (json_object_get(obj, req->v[i]))
			continue;
		r = rule_find(rules, req->v[i]);
		buf_reset(&msg);
		buf_printf(&msg, "\"%s\" is required", req->v[i]);
		record(c, field_of(c, req->v[i], ""), "required", r->action,
		    msg.data, r->description);
	}
	buf_release(&msg);
}

static void
identity(struct check *c)
{
	const struct dictionary *d = c->d;
	struct buf names = BUF_INIT, msg = BUF_INIT;
	const json_t *v;
	size_t i;

	if (d->identity.n == 0)
		return;
	for (i = 0; i < d->identity.n; i++) {
		v = json_object_get(c->ev, d->identity.v[i]);
		if (v && !json_is_null(v))
			goto out;
		buf_printf(&names, "%s%s", i ? "," : "", d->identity.v[i]);
	}
	buf_printf(
	    &msg, "none of %s has a value: an event says who", names.data);
	record(
	    c, names.data, "identity", d->dflt, msg.data, d->meta_description);
out:
	buf_release(&names);
	buf_release(&msg);
}

/* The metadata rules on the top-level keys. */
static void
check_metadata(struct check *c)
{
	const struct dictionary *d = c->d;
	const struct rule *r;
	struct buf msg = BUF_INIT;
	const char *k;
	json_t *v;

	c->prefix = "";
	required(c, c->ev, &d->required, &d->meta);
	identity(c);
	json_object_foreach(c->ev, k, v)
	{
		if (strcmp(k, "_meta") == 0)
			continue;
		if ((r = rule_find(&d->meta, k)) != NULL) {
			check_value(c, r, k, v, &c->omit_top);
			continue;
		}
		buf_reset(&msg);
		buf_printf(&msg, "\"%s\" is not a property of the metadata", k);
		record(c, k, "additionalProperties", d->dflt, msg.data,
		    d->meta_description);
		if (d->dflt == DICTIONARY_OMIT)
			strset_add(&c->omit_top, k);
	}
	buf_release(&msg);
}

/* The event's own rules on its properties. */
static void
check_event(struct check *c, const struct event *e, json_t *props)
{
	const struct rule *r;
	struct buf msg = BUF_INIT;
	const char *k;
	json_t *v;

	c->prefix = "properties.";
	required(c, props, &e->required, &e->props);
	json_object_foreach(props, k, v)
	{
		if ((r = rule_find(&e->props, k)) != NULL) {
			check_value(c, r, k, v, &c->omit_props);
			continue;
		}
		if (!e->closed)
			continue;
		buf_reset(&msg);
		buf_printf(&msg, "\"%s\" is not a property of %s", k, e->name);
		record(c, field_of(c, k, ""), "additionalProperties", e->action,
		    msg.data, e->description);
		if (e->action == DICTIONARY_OMIT)
			strset_add(&c->omit_props, k);
	}
	buf_release(&msg);
}

static void
omit(json_t *obj, const struct strset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		if (s->slots[i])
			json_object_del(obj, s->slots[i]);
}

int
dictionary_check(
    const struct dictionary *d, json_t *ev, json_t *violations, int apply)
{
	struct check c = {
	    .d = d, .ev = ev, .viol = violations, .field = BUF_INIT};
	const struct event *e = NULL;
	const json_t *props;
	struct buf msg = BUF_INIT;
	const char *name;

	if (!json_is_object(ev)) {
		c.prefix = "";
		record(&c, "", "type", DICTIONARY_BLOCK,
		    "an event is a JSON object", d->meta_description);
		return 1;
	}
	buf_init(&c.field, BUF_UNLIMITED);
	strset_init(&c.omit_top);
	strset_init(&c.omit_props);
	c.name = json_object_get(ev, "event");
	if (!json_is_string(c.name))
		c.name = NULL;
	check_metadata(&c);
	name = c.name ? json_string_value(c.name) : NULL;
	if (name && (e = event_find(d, name)) == NULL) {
		buf_printf(
		    &msg, "\"%s\" is not an event of the dictionary", name);
		record(&c, "event", "unknown_event", d->unknown, msg.data,
		    rule_find(&d->meta, "event")->description);
	}
	props = json_object_get(ev, "properties");
	if (e && props == NULL)
		props = json_object(); /* none: the required ones are missing */
	else if (props)
		json_incref((json_t *)props);
	if (e && json_is_object(props))
		check_event(&c, e, (json_t *)props);
	if (apply && !c.blocked) {
		omit(ev, &c.omit_top);
		if (json_is_object(props) && json_object_get(ev, "properties"))
			omit((json_t *)props, &c.omit_props);
	}
	json_decref((json_t *)props);
	strset_release(&c.omit_top);
	strset_release(&c.omit_props);
	buf_release(&c.field);
	buf_release(&msg);
	return c.blocked;
}

int
dictionary_converts(const struct dictionary *d, const char *event)
{
	size_t i;

	for (i = 0; i < d->conversions.n; i++)
		if (strcmp(d->conversions.v[i], event) == 0)
			return 1;
	return 0;
}

const json_t *
dictionary_json(const struct dictionary *d)
{
	return d->root;
}

static void
rules_free(struct rules *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		jschema_free(r->v[i].schema);
	free(r->v);
}

void
dictionary_free(struct dictionary *d)
{
	size_t i;

	if (d == NULL)
		return;
	rules_free(&d->meta);
	free(d->required.v);
	free(d->identity.v);
	free(d->conversions.v);
	for (i = 0; i < d->nevents; i++) {
		rules_free(&d->events[i].props);
		free(d->events[i].required.v);
	}
	free(d->events);
	json_decref(d->root);
	free(d);
}

int
dictionary_reason(const json_t *violations, struct buf *out)
{
	const json_t *v;
	size_t i;
	int pass, n = 0, rc = 0;

	/* The blocking ones first: they are why. */
	for (pass = 0; pass < 2; pass++) {
		json_array_foreach(violations, i, v)
		{
			const char *act =
			    json_string_value(json_object_get(v, "action"));
			if ((act && strcmp(act, "block") == 0) != (pass == 0))
				continue;
			rc |= buf_printf(out, "%s%s: %s: %s: %s (%s)",
			    n++ ? "; " : "", act ? act : "?",
			    json_string_value(json_object_get(v, "field")),
			    json_string_value(json_object_get(v, "rule")),
			    json_string_value(json_object_get(v, "message")),
			    json_string_value(
			        json_object_get(v, "description")));
		}
	}
	return rc < 0 ? -1 : 0;
}

/* The rule of the n bytes of name, as written in a line (no escape). */
static const struct rule *
rule_find_n(const struct rules *r, const char *name, size_t n)
{
	size_t lo = 0, hi = r->n, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strncmp(r->v[mid].name, name, n);
		if (c == 0 && r->v[mid].len > n)
			c = 1;
		if (c == 0)
			return &r->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Whether every member of the object node obj has a rule it keeps, and
 * how many of the required ones it holds; *who set when a member marked
 * identity is not null. skip, when not NULL, is a key left alone (_meta).
 * 0 when some member has no rule or fails its own.
 */
static int
members_ok(const struct jdoc *doc, uint32_t obj, const struct rules *rules,
    int closed, const char *skip, size_t *nrequired, int *who)
{
	const struct jdoc_node *n;
	const struct rule *r;
	const char *k;
	uint32_t i;

	for (i = doc->nodes[obj].child; i; i = n->next) {
		n = &doc->nodes[i];
		k = doc->text + n->key;
		if (skip && n->keylen == strlen(skip) &&
		    memcmp(k, skip, n->keylen) == 0)
			continue;
		/* A rule's name is snake_case: a key that matches one as
		 * written holds no escape. One that matches none might, once
		 * unescaped: the tree path decides that. */
		if ((r = rule_find_n(rules, k, n->keylen)) == NULL) {
			if (closed || memchr(k, '\\', n->keylen))
				return 0;
			continue;
		}
		if (!jschema_ok_jdoc(r->schema, doc, i))
			return 0;
		if (r->marks & MARK_REQUIRED)
			(*nrequired)++;
		if ((r->marks & MARK_IDENTITY) && n->type != JDOC_NULL)
			*who = 1;
	}
	return 1;
}

int
dictionary_ok_jdoc(const struct dictionary *d, const struct jdoc *doc)
{
	const struct jdoc_node *name, *props;
	const struct event *e;
	size_t nreq = 0;
	int who = 0;
	struct event key = {.name = NULL};
	char buf[256];

	if (!members_ok(doc, 0, &d->meta, 1, "_meta", &nreq, &who) ||
	    nreq != d->required.n || (d->identity.n && !who))
		return 0;
	name = jdoc_get(doc, &doc->nodes[0], "event", 5);
	if (name == NULL || name->type != JDOC_STRING || name->escaped ||
	    name->len - 2 >= sizeof(buf))
		return 0;
	memcpy(buf, doc->text + name->off + 1, name->len - 2);
	buf[name->len - 2] = '\0';
	key.name = buf;
	if ((e = bsearch(&key, d->events, d->nevents, sizeof(*d->events),
	         event_cmp)) == NULL)
		return 0;
	props = jdoc_get(doc, &doc->nodes[0], "properties", 10);
	nreq = 0;
	if (props == NULL)
		return e->required.n == 0;
	if (props->type != JDOC_OBJECT ||
	    !members_ok(doc, (uint32_t)(props - doc->nodes), &e->props,
	        e->closed, NULL, &nreq, &who))
		return 0;
	return nreq == e->required.n;
}
