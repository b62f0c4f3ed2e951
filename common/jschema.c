/*
 * jschema: a JSON Schema subset, compiled into a tree of nodes and checked
 * against values (see jschema.h for the contract).
 *
 * The evaluation is written once, over a small accessor interface (struct
 * acc): what kind a value is, its number or its string, a member by name,
 * and a walk over members or items. One implementation reads jansson
 * trees, the other jdoc indexes of canonical lines; both answer every
 * question alike, so the two entry points cannot disagree on a schema.
 */
#include "jschema.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "esregex.h"
#include "jdoc.h"
#include "jformat.h"

enum kind { K_NULL, K_TRUE, K_FALSE, K_INT, K_REAL, K_STR, K_ARR, K_OBJ };

#define TY_NULL 1u
#define TY_BOOLEAN 2u
#define TY_INTEGER 4u
#define TY_NUMBER 8u
#define TY_STRING 16u
#define TY_ARRAY 32u
#define TY_OBJECT 64u

static const char *const type_names[] = {
    "null", "boolean", "integer", "number", "string", "array", "object"};

struct numlim {
	int set, isint;
	long long i;
	double d;
};

struct key {
	const char *s;
	size_t n;
	uint32_t hash;
	struct node *schema; /* properties only */
};

struct node {
	struct node *next_alloc;
	int always, never; /* the boolean schemas true and false */
	unsigned types;    /* 0: any */
	struct key *req;
	size_t nreq;
	struct key *props;
	size_t nprops;
	uint32_t *ptab; /* props' hash table: index + 1, 0 empty */
	size_t pmask;
	int addl_false;
	struct node *addl; /* additionalProperties as a schema */
	const json_t *enumv, *constv;
	struct esregex *pattern;
	jformat_fn format;
	const char *format_name;
	int has_minlen, has_maxlen, has_minitems, has_maxitems;
	size_t minlen, maxlen, minitems, maxitems;
	struct numlim min, max, xmin, xmax;
	struct node *items;
};

/*
 * The compiled schema borrows its strings and its enum and const values
 * from a copy of the schema it keeps, so the caller's may go.
 */
struct jschema {
	struct node *root;
	struct node *all;
	json_t *copy;
};

/* ---- the accessor interface ------------------------------------------ */

struct str {
	const char *s;
	size_t n;
};

struct it {
	uintptr_t a;
	size_t i;
};

struct acc {
	int (*kind)(const void *doc, uintptr_t v);
	long long (*ival)(const void *doc, uintptr_t v);
	double (*rval)(const void *doc, uintptr_t v);
	/* A string's bytes, unescaped into scratch where they must be. */
	void (*str)(
	    const void *doc, uintptr_t v, struct buf *scratch, struct str *out);
	size_t (*size)(const void *doc, uintptr_t v);
	/* The member named by the n bytes of k; 0 when there is none. */
	uintptr_t (*get)(
	    const void *doc, uintptr_t obj, const char *k, size_t n);
	/* The next member (key set) or item (key NULL) from it (all zeros to
	 * start); 0 at the end. */
	uintptr_t (*next)(const void *doc, uintptr_t c, struct it *it,
	    struct buf *scratch, struct str *key);
};

static int
jt_kind(const void *doc, uintptr_t v)
{
	(void)doc;
	switch (json_typeof((const json_t *)v)) {
	case JSON_OBJECT:
		return K_OBJ;
	case JSON_ARRAY:
		return K_ARR;
	case JSON_STRING:
		return K_STR;
	case JSON_INTEGER:
		return K_INT;
	case JSON_REAL:
		return K_REAL;
	case JSON_TRUE:
		return K_TRUE;
	case JSON_FALSE:
		return K_FALSE;
	default:
		return K_NULL;
	}
}

static long long
jt_ival(const void *doc, uintptr_t v)
{
	(void)doc;
	return json_integer_value((const json_t *)v);
}

static double
jt_rval(const void *doc, uintptr_t v)
{
	(void)doc;
	return json_real_value((const json_t *)v);
}

static void
jt_str(const void *doc, uintptr_t v, struct buf *scratch, struct str *out)
{
	(void)doc;
	(void)scratch;
	out->s = json_string_value((const json_t *)v);
	out->n = json_string_length((const json_t *)v);
}

static size_t
jt_size(const void *doc, uintptr_t v)
{
	const json_t *j = (const json_t *)v;

	(void)doc;
	return json_is_array(j) ? json_array_size(j) : json_object_size(j);
}

static uintptr_t
jt_get(const void *doc, uintptr_t obj, const char *k, size_t n)
{
	(void)doc;
	return (uintptr_t)json_object_getn((const json_t *)obj, k, n);
}

static uintptr_t
jt_next(const void *doc, uintptr_t c, struct it *it, struct buf *scratch,
    struct str *key)
{
	json_t *j = (json_t *)c;
	void *iter;

	(void)doc;
	(void)scratch;
	if (json_is_array(j)) {
		key->s = NULL;
		if (it->i >= json_array_size(j))
			return 0;
		return (uintptr_t)json_array_get(j, it->i++);
	}
	iter = it->a ? json_object_iter_next(j, (void *)it->a)
	             : json_object_iter(j);
	if (iter == NULL)
		return 0;
	it->a = (uintptr_t)iter;
	key->s = json_object_iter_key(iter);
	key->n = json_object_iter_key_len(iter);
	return (uintptr_t)json_object_iter_value(iter);
}

static const struct acc jansson_acc = {
    jt_kind, jt_ival, jt_rval, jt_str, jt_size, jt_get, jt_next};

/*
 * The jdoc side: a value is the index of its node. 0 is never a member or
 * an item (it is the root), so it serves as "none".
 */
static const struct jdoc_node *
jd_node(const void *doc, uintptr_t v)
{
	return &((const struct jdoc *)doc)->nodes[v];
}

static int
jd_kind(const void *doc, uintptr_t v)
{
	switch (jd_node(doc, v)->type) {
	case JDOC_OBJECT:
		return K_OBJ;
	case JDOC_ARRAY:
		return K_ARR;
	case JDOC_STRING:
		return K_STR;
	case JDOC_INT:
		return K_INT;
	case JDOC_TRUE:
		return K_TRUE;
	case JDOC_FALSE:
		return K_FALSE;
	default:
		return K_NULL;
	}
}

static long long
jd_ival(const void *doc, uintptr_t v)
{
	const struct jdoc_node *n = jd_node(doc, v);
	const char *p = ((const struct jdoc *)doc)->text + n->off;
	unsigned long long u = 0;
	uint32_t i = p[0] == '-';

	/* A canonical integer is within int64_t: jdoc checked it. */
	for (; i < n->len; i++)
		u = u * 10 + (unsigned)(p[i] - '0');
	return p[0] == '-' ? (long long)(0 - u) : (long long)u;
}

static double
jd_rval(const void *doc, uintptr_t v)
{
	return (double)jd_ival(doc, v);
}

static void
jd_str(const void *doc, uintptr_t v, struct buf *scratch, struct str *out)
{
	const struct jdoc *d = doc;
	const struct jdoc_node *n = jd_node(doc, v);

	if (!n->escaped) {
		out->s = d->text + n->off + 1;
		out->n = n->len - 2;
		return;
	}
	buf_reset(scratch);
	if (jdoc_unescape(d, n, scratch) < 0 || scratch->data == NULL) {
		out->s = "";
		out->n = 0;
		return;
	}
	out->s = scratch->data;
	out->n = scratch->len;
}

static size_t
jd_size(const void *doc, uintptr_t v)
{
	const struct jdoc *d = doc;
	uint32_t c;
	size_t n = 0;

	for (c = d->nodes[v].child; c; c = d->nodes[c].next)
		n++;
	return n;
}

/* A member's key, unescaped into scratch when it holds an escape. */
static void
jd_key(const struct jdoc *d, const struct jdoc_node *m, struct buf *scratch,
    struct str *key)
{
	struct jdoc_node tmp;

	key->s = d->text + m->key;
	key->n = m->keylen;
	if (memchr(key->s, '\\', key->n) == NULL)
		return;
	memset(&tmp, 0, sizeof(tmp));
	tmp.type = JDOC_STRING;
	tmp.off = m->key - 1;
	tmp.len = m->keylen + 2;
	tmp.escaped = 1;
	buf_reset(scratch);
	if (jdoc_unescape(d, &tmp, scratch) == 0 && scratch->data) {
		key->s = scratch->data;
		key->n = scratch->len;
	}
}

static uintptr_t
jd_next(const void *doc, uintptr_t c, struct it *it, struct buf *scratch,
    struct str *key)
{
	const struct jdoc *d = doc;
	uint32_t m = it->a ? d->nodes[it->a].next : d->nodes[c].child;

	if (m == 0)
		return 0;
	it->a = m;
	key->s = NULL;
	key->n = 0;
	if (d->nodes[c].type == JDOC_OBJECT)
		jd_key(d, &d->nodes[m], scratch, key);
	return m;
}

static uintptr_t
jd_get(const void *doc, uintptr_t obj, const char *k, size_t n)
{
	const struct jdoc *d = doc;
	const struct jdoc_node *m;
	struct buf scratch = BUF_INIT;
	struct it it = {0, 0};
	struct str key;
	uintptr_t c;
	size_t i;

	/* A name jansson writes as it is is compared as written. */
	for (i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x20 || k[i] == '"' || k[i] == '\\')
			break;
	if (i == n) {
		m = jdoc_get(d, &d->nodes[obj], k, n);
		return m ? (uintptr_t)(m - d->nodes) : 0;
	}
	while ((c = jd_next(doc, obj, &it, &scratch, &key)))
		if (key.n == n && memcmp(key.s, k, n) == 0)
			break;
	buf_release(&scratch);
	return c;
}

static const struct acc jdoc_acc = {
    jd_kind, jd_ival, jd_rval, jd_str, jd_size, jd_get, jd_next};

/* ---- compiling -------------------------------------------------------- */

struct comp {
	struct jschema *s;
	struct buf ptr; /* the JSON Pointer of the keyword at hand */
	struct jschema_error *err;
};

static int refuse(struct comp *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
refuse(struct comp *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err) {
		snprintf(c->err->pointer, sizeof(c->err->pointer), "%s",
		    c->ptr.data ? c->ptr.data : "");
		va_start(ap, fmt);
		vsnprintf(c->err->message, sizeof(c->err->message), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Appends "/" and the n bytes of a key, escaped as JSON Pointer says. */
static void
ptr_push(struct buf *b, const char *k, size_t n)
{
	size_t i;

	buf_addc(b, '/');
	for (i = 0; i < n; i++) {
		if (k[i] == '~')
			buf_add(b, "~0", 2);
		else if (k[i] == '/')
			buf_add(b, "~1", 2);
		else
			buf_addc(b, k[i]);
	}
}

static void
ptr_pop(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

/*
 * The properties' hash: a few bytes and the length, mixed. A member's key
 * is hashed once per value checked, so this is on the hot path; a weak
 * hash only lengthens a probe, and memcmp decides.
 */
static uint32_t
hash(const char *s, size_t n)
{
	uint32_t h = (uint32_t)n;

	if (n) {
		h ^= (uint32_t)(unsigned char)s[0] << 8;
		h ^= (uint32_t)(unsigned char)s[n - 1] << 16;
		h ^= (uint32_t)(unsigned char)s[n / 2] << 24;
		h ^= (uint32_t)(unsigned char)s[n / 3] << 4;
	}
	return (h * 2654435761u) >> 7;
}

static struct node *compile(struct comp *c, const json_t *s);

static int
want_count(struct comp *c, const json_t *v, size_t *out)
{
	double d;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (size_t)json_integer_value(v);
		return 0;
	}
	d = json_is_real(v) ? json_real_value(v) : -1;
	if (d >= 0 && d == floor(d) && d < 9e15) {
		*out = (size_t)d;
		return 0;
	}
	return refuse(c, "a non-negative integer is required");
}

static int
want_number(struct comp *c, const json_t *v, struct numlim *l)
{
	if (json_is_integer(v)) {
		l->isint = 1;
		l->i = json_integer_value(v);
		l->d = (double)l->i;
	} else if (json_is_real(v)) {
		l->d = json_real_value(v);
	} else {
		return refuse(c, "a number is required");
	}
	l->set = 1;
	return 0;
}

static int
kw_type(struct comp *c, struct node *n, const json_t *v)
{
	size_t i, k, count = json_is_array(v) ? json_array_size(v) : 1;
	const json_t *t;
	unsigned bit;

	if (!json_is_string(v) && (!json_is_array(v) || count == 0))
		return refuse(
		    c, "a type name or a non-empty list of them is required");
	for (i = 0; i < count; i++) {
		t = json_is_array(v) ? json_array_get(v, i) : v;
		for (k = 0; k < 7; k++)
			if (json_is_string(t) &&
			    strcmp(json_string_value(t), type_names[k]) == 0)
				break;
		if (k == 7)
			return refuse(c, "an unknown type %s%s%s",
			    json_is_string(t) ? "\"" : "",
			    json_is_string(t) ? json_string_value(t) : "name",
			    json_is_string(t) ? "\"" : "");
		bit = 1u << k;
		if (n->types & bit)
			return refuse(
			    c, "type \"%s\" listed twice", type_names[k]);
		n->types |= bit;
	}
	return 0;
}

static int
kw_required(struct comp *c, struct node *n, const json_t *v)
{
	size_t i, k;
	const json_t *t;

	if (!json_is_array(v))
		return refuse(c, "a list of property names is required");
	n->nreq = json_array_size(v);
	n->req = xcalloc(n->nreq + 1, sizeof(*n->req));
	for (i = 0; i < n->nreq; i++) {
		t = json_array_get(v, i);
		if (!json_is_string(t))
			return refuse(
			    c, "a list of property names is required");
		n->req[i].s = json_string_value(t);
		n->req[i].n = json_string_length(t);
		for (k = 0; k < i; k++)
			if (n->req[k].n == n->req[i].n &&
			    memcmp(n->req[k].s, n->req[i].s, n->req[i].n) == 0)
				return refuse(
				    c, "\"%s\" listed twice", n->req[i].s);
	}
	return 0;
}

static int
kw_properties(struct comp *c, struct node *n, const json_t *v)
{
	const char *k;
	json_t *sub;
	size_t i = 0, len = c->ptr.len, slot;

	if (!json_is_object(v))
		return refuse(c, "an object of schemas is required");
	n->nprops = json_object_size(v);
	n->props = xcalloc(n->nprops + 1, sizeof(*n->props));
	for (n->pmask = 1; n->pmask < 2 * n->nprops;)
		n->pmask <<= 1;
	n->ptab = xcalloc(n->pmask, sizeof(*n->ptab));
	n->pmask--;
	json_object_foreach((json_t *)v, k, sub)
	{
		struct key *p = &n->props[i];

		p->s = k;
		p->n = json_object_iter_key_len(json_object_key_to_iter(k));
		p->hash = hash(p->s, p->n);
		ptr_push(&c->ptr, p->s, p->n);
		if ((p->schema = compile(c, sub)) == NULL)
			return -1;
		ptr_pop(&c->ptr, len);
		for (slot = p->hash & n->pmask; n->ptab[slot];)
			slot = (slot + 1) & n->pmask;
		n->ptab[slot] = (uint32_t)++i;
	}
	return 0;
}

static int
kw_pattern(struct comp *c, struct node *n, const json_t *v)
{
	char msg[200];

	if (!json_is_string(v))
		return refuse(c, "a string is required");
	n->pattern = xcalloc(1, sizeof(*n->pattern));
	if (esregex_compile(n->pattern, json_string_value(v),
	        json_string_length(v), msg, sizeof(msg)) < 0) {
		free(n->pattern);
		n->pattern = NULL;
		return refuse(c, "%s", msg);
	}
	return 0;
}

static int
kw_format(struct comp *c, struct node *n, const json_t *v)
{
	if (!json_is_string(v))
		return refuse(c, "a string is required");
	if ((n->format = jformat_find(json_string_value(v))) == NULL)
		return refuse(c,
		    "format \"%s\" is not supported (date-time, date, email, uuid, uri are)",
		    json_string_value(v));
	n->format_name = json_string_value(v);
	return 0;
}

/* Keywords of draft 7 outside the subset: refused with their name. */
static const char *const outside[] = {"$schema", "$id", "$ref", "definitions",
    "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependencies",
    "propertyNames", "patternProperties", "contains", "additionalItems",
    "uniqueItems", "multipleOf", "minProperties", "maxProperties",
    "contentMediaType", "contentEncoding", "readOnly", "writeOnly", NULL};

/* One keyword of the object schema n. */
static int
keyword(struct comp *c, struct node *n, const char *k, const json_t *v)
{
	size_t i;

	if (!strcmp(k, "type"))
		return kw_type(c, n, v);
	if (!strcmp(k, "required"))
		return kw_required(c, n, v);
	if (!strcmp(k, "properties"))
		return kw_properties(c, n, v);
	if (!strcmp(k, "additionalProperties")) {
		if (json_is_false(v))
			n->addl_false = 1;
		else if ((n->addl = compile(c, v)) == NULL)
			return -1;
		return 0;
	}
	if (!strcmp(k, "items")) {
		if (json_is_array(v))
			return refuse(c,
			    "items as a list of schemas is not in the subset (one schema is)");
		return (n->items = compile(c, v)) ? 0 : -1;
	}
	if (!strcmp(k, "enum")) {
		if (!json_is_array(v))
			return refuse(c, "a list of values is required");
		n->enumv = v;
		return 0;
	}
	if (!strcmp(k, "const")) {
		n->constv = v;
		return 0;
	}
	if (!strcmp(k, "pattern"))
		return kw_pattern(c, n, v);
	if (!strcmp(k, "format"))
		return kw_format(c, n, v);
	if (!strcmp(k, "minLength"))
		return n->has_minlen = 1, want_count(c, v, &n->minlen);
	if (!strcmp(k, "maxLength"))
		return n->has_maxlen = 1, want_count(c, v, &n->maxlen);
	if (!strcmp(k, "minItems"))
		return n->has_minitems = 1, want_count(c, v, &n->minitems);
	if (!strcmp(k, "maxItems"))
		return n->has_maxitems = 1, want_count(c, v, &n->maxitems);
	if (!strcmp(k, "minimum"))
		return want_number(c, v, &n->min);
	if (!strcmp(k, "maximum"))
		return want_number(c, v, &n->max);
	if (!strcmp(k, "exclusiveMinimum"))
		return want_number(c, v, &n->xmin);
	if (!strcmp(k, "exclusiveMaximum"))
		return want_number(c, v, &n->xmax);
	if (!strcmp(k, "description") || !strcmp(k, "title") ||
	    !strcmp(k, "$comment"))
		return json_is_string(v) ? 0
		                         : refuse(c, "a string is required");
	if (!strcmp(k, "examples"))
		return json_is_array(v) ? 0 : refuse(c, "a list is required");
	if (!strcmp(k, "default"))
		return 0;
	for (i = 0; outside[i]; i++)
		if (!strcmp(k, outside[i]))
			return refuse(
			    c, "keyword \"%s\" is not in the subset", k);
	return refuse(c, "unknown keyword \"%s\"", k);
}

static struct node *
compile(struct comp *c, const json_t *s)
{
	struct node *n;
	const char *k;
	json_t *v;
	size_t len = c->ptr.len;

	if (!json_is_object(s) && !json_is_boolean(s)) {
		refuse(c, "a schema must be an object or a boolean");
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->next_alloc = c->s->all;
	c->s->all = n;
	if (json_is_boolean(s)) {
		n->always = json_is_true(s);
		n->never = !n->always;
		return n;
	}
	json_object_foreach((json_t *)s, k, v)
	{
		if (strlen(k) !=
		    json_object_iter_key_len(json_object_key_to_iter(k))) {
			refuse(c, "a keyword holding a NUL character");
			return NULL;
		}
		ptr_push(&c->ptr, k, strlen(k));
		if (keyword(c, n, k, v) < 0)
			return NULL;
		ptr_pop(&c->ptr, len);
	}
	return n;
}

struct jschema *
jschema_compile(const json_t *schema, struct jschema_error *err)
{
	struct comp c;
	struct jschema *s = xcalloc(1, sizeof(*s));

	c.s = s;
	c.err = err;
	buf_init(&c.ptr, BUF_UNLIMITED);
	buf_adds(&c.ptr, "");
	s->copy = json_deep_copy(schema);
	s->root = s->copy ? compile(&c, s->copy) : NULL;
	if (s->copy == NULL)
		refuse(&c, "out of memory");
	buf_release(&c.ptr);
	if (s->root == NULL) {
		jschema_free(s);
		return NULL;
	}
	return s;
}

void
jschema_free(struct jschema *s)
{
	struct node *n, *next;

	if (s == NULL)
		return;
	for (n = s->all; n; n = next) {
		next = n->next_alloc;
		free(n->req);
		free(n->props);
		free(n->ptab);
		if (n->pattern) {
			esregex_free(n->pattern);
			free(n->pattern);
		}
		free(n);
	}
	json_decref(s->copy);
	free(s);
}

/* ---- checking --------------------------------------------------------- */

struct ev {
	const struct acc *a;
	const void *doc;
	jschema_fn fn; /* NULL: only whether there is a violation */
	void *fnctx;
	size_t count;
	struct buf path;
	struct buf scratch;
};

/* In jschema_ok()'s mode, the first violation ends the walk. */
#define DONE(e) ((e)->fn == NULL && (e)->count)

static void violation(struct ev *e, const char *keyword, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
violation(struct ev *e, const char *keyword, const char *fmt, ...)
{
	struct jschema_violation v;
	char msg[320];
	va_list ap;

	e->count++;
	if (e->fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v.path = e->path.data ? e->path.data : "";
	v.keyword = keyword;
	v.message = msg;
	e->fn(&v, e->fnctx);
}

/* Writes a short description of value v into out: "\"fax\"", "12". */
static void
describe(struct ev *e, uintptr_t v, char *out, size_t size)
{
	struct str s;
	size_t n;

	switch (e->a->kind(e->doc, v)) {
	case K_STR:
		buf_reset(&e->scratch);
		e->a->str(e->doc, v, &e->scratch, &s);
		n = s.n > 60 ? 60 : s.n;
		while (
		    n < s.n && n > 0 && ((unsigned char)s.s[n] & 0xc0) == 0x80)
			n--;
		snprintf(
		    out, size, "\"%.*s%s\"", (int)n, s.s, n < s.n ? "..." : "");
		break;
	case K_INT:
		snprintf(out, size, "%lld", e->a->ival(e->doc, v));
		break;
	case K_REAL:
		snprintf(out, size, "%.17g", e->a->rval(e->doc, v));
		break;
	case K_TRUE:
		snprintf(out, size, "true");
		break;
	case K_FALSE:
		snprintf(out, size, "false");
		break;
	case K_NULL:
		snprintf(out, size, "null");
		break;
	case K_ARR:
		snprintf(out, size, "the array");
		break;
	default:
		snprintf(out, size, "the object");
		break;
	}
}

/* -1, 0, 1 as the number v compares with the limit l. */
static int
numcmp(struct ev *e, uintptr_t v, int kind, const struct numlim *l)
{
	double d;
	long long i;

	if (kind == K_INT) {
		i = e->a->ival(e->doc, v);
		if (l->isint)
			return i < l->i ? -1 : i > l->i;
		d = (double)i;
	} else {
		d = e->a->rval(e->doc, v);
	}
	return d < l->d ? -1 : d > l->d;
}

static int equal(struct ev *e, uintptr_t v, const json_t *c);

static int
equal_number(struct ev *e, uintptr_t v, int kind, const json_t *c)
{
	struct numlim l;

	l.isint = json_is_integer(c);
	l.i = l.isint ? json_integer_value(c) : 0;
	l.d = l.isint ? (double)l.i : json_real_value(c);
	if (!l.isint && kind == K_INT && l.d == floor(l.d) &&
	    fabs(l.d) < 9.2e18) {
		l.isint = 1;
		l.i = (long long)l.d;
	}
	return numcmp(e, v, kind, &l) == 0;
}

static int
equal(struct ev *e, uintptr_t v, const json_t *c)
{
	int kind = e->a->kind(e->doc, v);
	struct it it = {0, 0};
	struct str s, key;
	uintptr_t child;
	size_t i = 0;

	switch (kind) {
	case K_NULL:
		return json_is_null(c);
	case K_TRUE:
		return json_is_true(c);
	case K_FALSE:
		return json_is_false(c);
	case K_INT:
	case K_REAL:
		return json_is_number(c) && equal_number(e, v, kind, c);
	case K_STR:
		if (!json_is_string(c))
			return 0;
		buf_reset(&e->scratch);
		e->a->str(e->doc, v, &e->scratch, &s);
		return s.n == json_string_length(c) &&
		       memcmp(s.s, json_string_value(c), s.n) == 0;
	case K_ARR:
		if (!json_is_array(c) ||
		    json_array_size(c) != e->a->size(e->doc, v))
			return 0;
		while ((child = e->a->next(e->doc, v, &it, &e->scratch, &key)))
			if (!equal(e, child, json_array_get(c, i++)))
				return 0;
		return 1;
	default:
		if (!json_is_object(c) ||
		    json_object_size(c) != e->a->size(e->doc, v))
			return 0;
		while (
		    (child = e->a->next(e->doc, v, &it, &e->scratch, &key))) {
			const json_t *m = json_object_getn(c, key.s, key.n);

			if (m == NULL || !equal(e, child, m))
				return 0;
		}
		return 1;
	}
}

static void eval(struct ev *e, const struct node *n, uintptr_t v);

static size_t
codepoints(const struct str *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += ((unsigned char)s->s[i] & 0xc0) != 0x80;
	return n;
}

static void
eval_string(struct ev *e, const struct node *n, uintptr_t v)
{
	struct str s;
	size_t len;
	char what[100];

	buf_reset(&e->scratch);
	e->a->str(e->doc, v, &e->scratch, &s);
	/* A string of n bytes holds n/4 to n characters: count them only
	 * when that range does not settle the question. */
	if ((n->has_minlen && s.n / 4 < n->minlen) ||
	    (n->has_maxlen && s.n > n->maxlen)) {
		len = codepoints(&s);
		if (n->has_minlen && len < n->minlen)
			violation(e, "minLength",
			    "%zu characters, fewer than %zu", len, n->minlen);
		if (n->has_maxlen && len > n->maxlen)
			violation(e, "maxLength",
			    "%zu characters, more than %zu", len, n->maxlen);
		if (DONE(e))
			return;
	}
	if (n->format && !n->format(s.s, s.n)) {
		describe(e, v, what, sizeof(what));
		violation(
		    e, "format", "%s is not a valid %s", what, n->format_name);
		if (DONE(e))
			return;
		buf_reset(&e->scratch);
		e->a->str(e->doc, v, &e->scratch, &s);
	}
	if (n->pattern && !esregex_match(n->pattern, s.s, s.n)) {
		describe(e, v, what, sizeof(what));
		violation(e, "pattern", "%s does not match the pattern", what);
	}
}

/*
 * A violation of the limit l when the value compares with it as a bit of
 * bad says (1: below, 2: equal, 4: above).
 */
static void
limit(struct ev *e, uintptr_t v, int kind, const struct numlim *l,
    const char *keyword, unsigned bad, const char *words)
{
	char what[100], lim[40];

	if (!l->set || !(bad & (1u << (numcmp(e, v, kind, l) + 1))))
		return;
	describe(e, v, what, sizeof(what));
	if (l->isint)
		snprintf(lim, sizeof(lim), "%lld", l->i);
	else
		snprintf(lim, sizeof(lim), "%.17g", l->d);
	violation(e, keyword, "%s is %s %s", what, words, lim);
}

static void
eval_number(struct ev *e, const struct node *n, uintptr_t v, int kind)
{
	limit(e, v, kind, &n->min, "minimum", 1, "less than");
	if (DONE(e))
		return;
	limit(e, v, kind, &n->max, "maximum", 4, "more than");
	if (DONE(e))
		return;
	limit(e, v, kind, &n->xmin, "exclusiveMinimum", 3, "not more than");
	if (DONE(e))
		return;
	limit(e, v, kind, &n->xmax, "exclusiveMaximum", 6, "not less than");
}

static void
eval_array(struct ev *e, const struct node *n, uintptr_t v)
{
	size_t count = e->a->size(e->doc, v), i = 0, len;
	struct it it = {0, 0};
	struct str key;
	uintptr_t child;

	if (n->has_minitems && count < n->minitems)
		violation(e, "minItems", "%zu items, fewer than %zu", count,
		    n->minitems);
	if (n->has_maxitems && count > n->maxitems)
		violation(e, "maxItems", "%zu items, more than %zu", count,
		    n->maxitems);
	if (n->items == NULL || DONE(e))
		return;
	len = e->path.len;
	while ((child = e->a->next(e->doc, v, &it, &e->scratch, &key))) {
		if (e->fn)
			buf_printf(&e->path, "/%zu", i);
		eval(e, n->items, child);
		ptr_pop(&e->path, len);
		if (DONE(e))
			return;
		i++;
	}
}

static const struct key *
prop_find(const struct node *n, const char *k, size_t len)
{
	uint32_t h = hash(k, len);
	size_t slot;
	const struct key *p;

	for (slot = h & n->pmask; n->ptab[slot]; slot = (slot + 1) & n->pmask) {
		p = &n->props[n->ptab[slot] - 1];
		if (p->hash == h && p->n == len && memcmp(p->s, k, len) == 0)
			return p;
	}
	return NULL;
}

/* A member's schema: pushed on the path, checked, popped. */
static void
eval_member(struct ev *e, const struct node *schema, const char *k, size_t klen,
    uintptr_t child)
{
	size_t len = e->path.len;

	if (e->fn)
		ptr_push(&e->path, k, klen);
	eval(e, schema, child);
	ptr_pop(&e->path, len);
}

static void
eval_object(struct ev *e, const struct node *n, uintptr_t v)
{
	struct it it = {0, 0};
	const struct key *p;
	struct str key;
	uintptr_t child;
	size_t i;

	for (i = 0; i < n->nreq; i++) {
		if (e->a->get(e->doc, v, n->req[i].s, n->req[i].n))
			continue;
		violation(e, "required", "\"%s\" is required", n->req[i].s);
		if (DONE(e))
			return;
	}
	if (!n->addl_false && n->addl == NULL) {
		/* Only the listed properties matter: look them up. */
		for (i = 0; i < n->nprops && !DONE(e); i++) {
			p = &n->props[i];
			if ((child = e->a->get(e->doc, v, p->s, p->n)))
				eval_member(e, p->schema, p->s, p->n, child);
		}
		return;
	}
	while (!DONE(e) &&
	       (child = e->a->next(e->doc, v, &it, &e->scratch, &key))) {
		p = n->nprops ? prop_find(n, key.s, key.n) : NULL;
		if (p)
			eval_member(e, p->schema, p->s, p->n, child);
		else if (n->addl)
			eval_member(e, n->addl, key.s, key.n, child);
		else
			violation(e, "additionalProperties",
			    "property \"%.*s\" is not allowed",
			    (int)(key.n > 100 ? 100 : key.n), key.s);
	}
}

static int
type_ok(struct ev *e, unsigned types, int kind, uintptr_t v)
{
	double d;

	switch (kind) {
	case K_NULL:
		return types & TY_NULL;
	case K_TRUE:
	case K_FALSE:
		return types & TY_BOOLEAN;
	case K_INT:
		return types & (TY_INTEGER | TY_NUMBER);
	case K_REAL:
		if (types & TY_NUMBER)
			return 1;
		d = e->a->rval(e->doc, v);
		return (types & TY_INTEGER) && d == floor(d) && isfinite(d);
	case K_STR:
		return types & TY_STRING;
	case K_ARR:
		return types & TY_ARRAY;
	default:
		return types & TY_OBJECT;
	}
}

static void
type_violation(struct ev *e, unsigned types, int kind)
{
	static const char *const kinds[] = {"null", "boolean", "boolean",
	    "integer", "number", "string", "array", "object"};
	char want[80] = "";
	size_t k, len;

	for (k = 0; k < 7; k++) {
		if (!(types & (1u << k)))
			continue;
		len = strlen(want);
		snprintf(want + len, sizeof(want) - len, "%s%s",
		    len ? " or " : "", type_names[k]);
	}
	violation(e, "type", "%s is not of type %s", kinds[kind], want);
}

static void
eval(struct ev *e, const struct node *n, uintptr_t v)
{
	int kind;
	char what[100];

	if (n->always)
		return;
	if (n->never) {
		violation(e, "false", "no value is allowed here");
		return;
	}
	kind = e->a->kind(e->doc, v);
	if (n->types && !type_ok(e, n->types, kind, v)) {
		type_violation(e, n->types, kind);
		if (DONE(e))
			return;
	}
	if (n->enumv) {
		size_t i, count = json_array_size(n->enumv);

		for (i = 0; i < count; i++)
			if (equal(e, v, json_array_get(n->enumv, i)))
				break;
		if (i == count) {
			describe(e, v, what, sizeof(what));
			violation(e, "enum",
			    "%s is not one of the allowed values", what);
			if (DONE(e))
				return;
		}
	}
	if (n->constv && !equal(e, v, n->constv)) {
		describe(e, v, what, sizeof(what));
		violation(e, "const", "%s is not the allowed value", what);
		if (DONE(e))
			return;
	}
	switch (kind) {
	case K_STR:
		eval_string(e, n, v);
		break;
	case K_INT:
	case K_REAL:
		eval_number(e, n, v, kind);
		break;
	case K_ARR:
		eval_array(e, n, v);
		break;
	case K_OBJ:
		eval_object(e, n, v);
		break;
	default:
		break;
	}
}

static size_t
run(const struct jschema *s, const struct acc *a, const void *doc, uintptr_t v,
    jschema_fn fn, void *ctx)
{
	struct ev e;

	e.a = a;
	e.doc = doc;
	e.fn = fn;
	e.fnctx = ctx;
	e.count = 0;
	buf_init(&e.path, BUF_UNLIMITED);
	buf_init(&e.scratch, BUF_UNLIMITED);
	eval(&e, s->root, v);
	buf_release(&e.path);
	buf_release(&e.scratch);
	return e.count;
}

/* Counts violations when the caller gave no function. */
static void
ignore(const struct jschema_violation *v, void *ctx)
{
	(void)v;
	(void)ctx;
}

size_t
jschema_check(
    const struct jschema *s, const json_t *value, jschema_fn fn, void *ctx)
{
	return run(
	    s, &jansson_acc, NULL, (uintptr_t)value, fn ? fn : ignore, ctx);
}

int
jschema_ok(const struct jschema *s, const json_t *value)
{
	return run(s, &jansson_acc, NULL, (uintptr_t)value, NULL, NULL) == 0;
}

size_t
jschema_check_jdoc(const struct jschema *s, const struct jdoc *d, uint32_t node,
    jschema_fn fn, void *ctx)
{
	return run(s, &jdoc_acc, d, node, fn ? fn : ignore, ctx);
}

int
jschema_ok_jdoc(const struct jschema *s, const struct jdoc *d, uint32_t node)
{
	return run(s, &jdoc_acc, d, node, NULL, NULL) == 0;
}
