/* quotas: a quota sample's design from its file (quotas.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion.h"
#include "jsonpos.h"
#include "quotas.h"

/* What a parse is at: the text, for places, and the error once set. */
struct qctx {
	const char *text;
	size_t len;
	struct buf *why;
	unsigned long *line, *col;
};

/* Says what is wrong at the JSON Pointer ptr (at its key with key set). */
static int fail(struct qctx *c, const char *ptr, int key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct qctx *c, const char *ptr, int key, const char *fmt, ...)
{
	struct jsonpos pos;
	va_list ap;

	jsonpos_find(c->text, c->len, ptr, key, &pos);
	*c->line = pos.line;
	*c->col = pos.col;
	buf_reset(c->why);
	va_start(ap, fmt);
	buf_vprintf(c->why, fmt, ap);
	va_end(ap);
	return -2;
}

/* ptr + "/" + step, in out (reset first). */
static const char *
at(struct buf *out, const char *ptr, const char *step)
{
	buf_reset(out);
	buf_adds(out, ptr);
	jsonpos_step(out, step, strlen(step));
	return out->data;
}

static const char *
at_i(struct buf *out, const char *ptr, size_t i)
{
	char n[32];

	snprintf(n, sizeof(n), "%zu", i);
	return at(out, ptr, n);
}

/* ptr + "/" + step + "/" + i, in out (reset first). */
static const char *
at_item(struct buf *out, const char *ptr, const char *step, size_t i)
{
	char n[32];

	snprintf(n, sizeof(n), "%zu", i);
	at(out, ptr, step);
	jsonpos_step(out, n, strlen(n));
	return out->data;
}

/* Refuses a key of obj not in the NULL-ended list. */
static int
only_keys(
    struct qctx *c, const json_t *obj, const char *ptr, const char *const *keys)
{
	struct buf p = BUF_INIT;
	const char *k;
	json_t *v;
	int rc = 0;

	json_object_foreach((json_t *)obj, k, v)
	{
		size_t i;

		for (i = 0; keys[i] && strcmp(keys[i], k) != 0; i++)
			;
		if (!keys[i]) {
			rc =
			    fail(c, at(&p, ptr, k), 1, "unknown key \"%s\"", k);
			break;
		}
	}
	buf_release(&p);
	return rc;
}

/* The edges' texts as written in the file (numbers as jansson reads). */
static char *
edge_text(const json_t *e)
{
	char t[64];

	if (json_is_string(e))
		return xstrdup(json_string_value(e));
	if (json_is_integer(e))
		snprintf(
		    t, sizeof(t), "%lld", (long long)json_integer_value(e));
	else
		snprintf(t, sizeof(t), "%.17g", json_real_value(e));
	return xstrdup(t);
}

static int
load_bands(struct qctx *c, struct qfield *f, const json_t *fo, const char *ptr)
{
	const json_t *b = json_object_get(fo, "bands");
	const json_t *on = json_object_get(fo, "age_on");
	const json_t *lab = json_object_get(fo, "labels");
	struct buf p = BUF_INIT;
	size_t n, i;
	double *nums = NULL;
	char **texts = NULL;
	const char *why = NULL;
	enum bands_kind kind;
	int rc = 0;

	if (!b) {
		if (on || lab)
			rc = fail(c, at(&p, ptr, on ? "age_on" : "labels"), 1,
			    "\"%s\" needs \"bands\"", on ? "age_on" : "labels");
		goto out;
	}
	if (!json_is_array(b) || (n = json_array_size(b)) == 0) {
		rc = fail(c, at(&p, ptr, "bands"), 0,
		    "\"bands\": an array of edges, numbers or dates");
		goto out;
	}
	kind = json_is_string(json_array_get(b, 0)) ? BANDS_DATE
	       : on                                 ? BANDS_AGE
	                                            : BANDS_NUMBER;
	nums = xcalloc(n, sizeof(*nums));
	texts = xcalloc(n, sizeof(*texts));
	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(b, i);

		if (kind == BANDS_DATE ? !json_is_string(e)
		                       : !json_is_number(e)) {
			rc = fail(c, at_item(&p, ptr, "bands", i), 0,
			    "\"bands\": every edge a %s",
			    kind == BANDS_DATE ? "date (YYYY-MM-DD)"
			                       : "number");
			goto out;
		}
		nums[i] = json_number_value(e);
		texts[i] = edge_text(e);
	}
	if (bands_set(&f->bands, kind, nums, (const char *const *)texts, n,
	        &why) < 0) {
		rc = fail(c, at(&p, ptr, "bands"), 0, "%s", why);
		goto out;
	}
	if (on && (!json_is_string(on) ||
	              bands_age_on(&f->bands, json_string_value(on)) < 0)) {
		rc = fail(c, at(&p, ptr, "age_on"), 0,
		    "\"age_on\": the day ages are counted on, YYYY-MM-DD");
		goto out;
	}
	if (on && kind == BANDS_DATE) {
		rc = fail(c, at(&p, ptr, "age_on"), 1,
		    "\"age_on\" needs numeric bands (ages)");
		goto out;
	}
	if (lab) {
		const char **l;

		if (!json_is_array(lab) || json_array_size(lab) != n + 1) {
			rc = fail(c, at(&p, ptr, "labels"), 0,
			    "\"labels\": %zu strings, one a band", n + 1);
			goto out;
		}
		l = xcalloc(n + 1, sizeof(*l));
		for (i = 0; i <= n; i++)
			l[i] = json_string_value(json_array_get(lab, i));
		for (i = 0; i <= n && l[i]; i++)
			;
		if (i <= n) {
			free(l);
			rc = fail(c, at_item(&p, ptr, "labels", i), 0,
			    "\"labels\": every label a string");
			goto out;
		}
		bands_label(&f->bands, l);
		free(l);
		for (i = 0; i <= n; i++)
			if (bands_label_index(&f->bands, f->bands.labels[i]) !=
			    (int)i) {
				rc = fail(c, at_item(&p, ptr, "labels", i), 0,
				    "\"labels\": \"%s\" twice",
				    f->bands.labels[i]);
				goto out;
			}
	}
out:
	if (texts)
		for (i = 0; i < n; i++)
			free(texts[i]);
	free(texts);
	free(nums);
	buf_release(&p);
	return rc;
}

static int
load_fields(struct qctx *c, struct quotas *q, const json_t *fs)
{
	static const char *const keys[] = {
	    "name", "path", "bands", "age_on", "labels", NULL};
	struct buf p = BUF_INIT, p2 = BUF_INIT;
	size_t i, j;
	int rc = 0;

	if (!json_is_array(fs) || json_array_size(fs) == 0)
		return fail(c, fs ? "/fields" : "", 0,
		    "\"fields\": an array of the cells' fields");
	q->nfields = json_array_size(fs);
	q->fields = xcalloc(q->nfields, sizeof(*q->fields));
	for (i = 0; i < q->nfields && rc == 0; i++) {
		const json_t *fo = json_array_get(fs, i);
		const json_t *path = json_object_get(fo, "path");
		const json_t *name = json_object_get(fo, "name");
		struct qfield *f = &q->fields[i];

		bands_init(&f->bands);
		at_i(&p, "/fields", i);
		if (!json_is_object(fo)) {
			rc = fail(c, p.data, 0, "a field is an object");
			break;
		}
		if ((rc = only_keys(c, fo, p.data, keys)) != 0)
			break;
		if (!json_is_string(path) || !*json_string_value(path) ||
		    strstr(json_string_value(path), "..")) {
			rc = fail(c, path ? at(&p2, p.data, "path") : p.data, 0,
			    "\"path\": the field's dotted path");
			break;
		}
		if (name &&
		    (!json_is_string(name) || !*json_string_value(name))) {
			rc = fail(c, at(&p2, p.data, "name"), 0,
			    "\"name\": a non-empty string");
			break;
		}
		f->path = xstrdup(json_string_value(path));
		f->name = xstrdup(json_string_value(name ? name : path));
		for (j = 0; j < i; j++)
			if (strcmp(q->fields[j].name, f->name) == 0)
				rc = fail(c, p.data, 0,
				    "the field \"%s\" twice", f->name);
		if (rc == 0)
			rc = load_bands(c, f, fo, p.data);
	}
	buf_release(&p);
	buf_release(&p2);
	return rc;
}

int
quotas_key_add(struct buf *key, const char *label, size_t n)
{
	if (buf_printf(key, "%zu:", n) < 0)
		return -1;
	return buf_add(key, label, n);
}

/* One cell's labels, checked, into its key and its cell object. */
static int
load_cell(struct qctx *c, struct quotas *q, struct qcell *qc,
    const json_t *cell, const char *ptr)
{
	struct buf p = BUF_INIT, key = BUF_INIT;
	const char *k;
	json_t *v;
	size_t i;
	int rc = 0;

	if (!json_is_object(cell)) {
		rc = fail(
		    c, ptr, 0, "\"cell\": an object of the fields' labels");
		goto out;
	}
	json_object_foreach((json_t *)cell, k, v)
	{
		for (i = 0; i < q->nfields && strcmp(q->fields[i].name, k); i++)
			;
		if (i == q->nfields) {
			rc = fail(c, at(&p, ptr, k), 1, "no field \"%s\"", k);
			goto out;
		}
	}
	qc->cell = json_object();
	for (i = 0; i < q->nfields; i++) {
		const struct qfield *f = &q->fields[i];
		const char *l;

		v = json_object_get(cell, f->name);
		if (!v) {
			rc = fail(c, ptr, 0, "the cell has no \"%s\"", f->name);
			goto out;
		}
		if (!json_is_string(v)) {
			rc = fail(c, at(&p, ptr, f->name), 0,
			    "\"%s\": a string", f->name);
			goto out;
		}
		if (f->bands.kind != BANDS_NONE &&
		    bands_label_index(&f->bands, json_string_value(v)) < 0) {
			struct buf all = BUF_INIT;
			size_t b;

			for (b = 0; b <= f->bands.n; b++)
				buf_printf(&all, "%s\"%s\"", b ? ", " : "",
				    f->bands.labels[b]);
			rc = fail(c, at(&p, ptr, f->name), 0,
			    "\"%s\": \"%s\" is no band's label (%s)", f->name,
			    json_string_value(v), all.data);
			buf_release(&all);
			goto out;
		}
		l = json_string_value(v);
		quotas_key_add(&key, l, json_string_length(v));
		json_object_set_new(qc->cell, f->name, json_incref(v));
	}
	qc->keylen = key.len;
	qc->key = xmalloc(key.len + 1);
	memcpy(qc->key, key.data ? key.data : "", key.len);
	qc->key[key.len] = 0;
out:
	buf_release(&p);
	buf_release(&key);
	return rc;
}

static int
load_cells(struct qctx *c, struct quotas *q, const json_t *cs)
{
	static const char *const keys[] = {"cell", "count", "share", NULL};
	struct buf p = BUF_INIT, p2 = BUF_INIT;
	size_t i;
	int rc = 0;

	if (!json_is_array(cs) || json_array_size(cs) == 0)
		return fail(c, cs ? "/cells" : "", 0,
		    "\"cells\": an array of cells and their quotas");
	q->ncells = json_array_size(cs);
	q->cells = xcalloc(q->ncells, sizeof(*q->cells));
	for (i = 0; i < q->ncells && rc == 0; i++) {
		const json_t *co = json_array_get(cs, i);
		const json_t *count = json_object_get(co, "count");
		const json_t *share = json_object_get(co, "share");
		struct qcell *qc = &q->cells[i];
		void **slot;

		at_i(&p, "/cells", i);
		if (!json_is_object(co)) {
			rc = fail(c, p.data, 0, "a cell is an object");
			break;
		}
		if ((rc = only_keys(c, co, p.data, keys)) != 0)
			break;
		if (!json_object_get(co, "cell")) {
			rc = fail(c, p.data, 0, "a cell needs \"cell\"");
			break;
		}
		if ((rc = load_cell(c, q, qc, json_object_get(co, "cell"),
		         at(&p2, p.data, "cell"))) != 0)
			break;
		if (q->by_share ? !share || count : !count || share) {
			rc = fail(c, p.data, 0,
			    q->by_share ? "with \"total\", every cell has a "
			                  "\"share\" and no \"count\""
			                : "every cell has a \"count\" (or "
			                  "\"share\"s and a \"total\")");
			break;
		}
		if (count && (!json_is_integer(count) ||
		                 json_integer_value(count) < 0)) {
			rc = fail(c, at(&p2, p.data, "count"), 0,
			    "\"count\": a whole number, 0 or more");
			break;
		}
		if (share && (!json_is_number(share) ||
		                 !(json_number_value(share) > 0) ||
		                 !isfinite(json_number_value(share)))) {
			rc = fail(c, at(&p2, p.data, "share"), 0,
			    "\"share\": a number above 0");
			break;
		}
		qc->count =
		    count ? (unsigned long long)json_integer_value(count) : 0;
		qc->share = share ? json_number_value(share) : 0;
		slot = strmap_put(&q->index, qc->key, qc->keylen);
		if (*slot) {
			rc = fail(c, p.data, 0, "the cell %s is listed twice",
			    "above");
			break;
		}
		*slot = (void *)(i + 1);
	}
	buf_release(&p);
	buf_release(&p2);
	return rc;
}

static int
by_shares(struct qctx *c, struct quotas *q, const json_t *total)
{
	double *shares;
	unsigned long long *counts;
	size_t i;
	int rc = 0;

	shares = xcalloc(q->ncells, sizeof(*shares));
	counts = xcalloc(q->ncells, sizeof(*counts));
	for (i = 0; i < q->ncells; i++)
		shares[i] = q->cells[i].share;
	if (apportion(shares, q->ncells,
	        (unsigned long long)json_integer_value(total), counts) < 0)
		rc = fail(c, "/total", 0,
		    "\"total\": at least one member a cell (%zu)", q->ncells);
	for (i = 0; rc == 0 && i < q->ncells; i++)
		q->cells[i].count = counts[i];
	free(shares);
	free(counts);
	return rc;
}

static int
load_top(struct qctx *c, struct quotas *q, const json_t *root)
{
	static const char *const keys[] = {
	    "seed", "id", "fields", "cells", "total", NULL};
	const json_t *seed = json_object_get(root, "seed");
	const json_t *id = json_object_get(root, "id");
	const json_t *total = json_object_get(root, "total");
	size_t i;
	int rc;

	if (!json_is_object(root))
		return fail(c, "", 0, "the quotas file holds an object");
	if ((rc = only_keys(c, root, "", keys)) != 0)
		return rc;
	if (seed && (!json_is_string(seed) || !*json_string_value(seed)))
		return fail(c, "/seed", 0, "\"seed\": a non-empty string");
	if (id && (!json_is_string(id) || !*json_string_value(id)))
		return fail(c, "/id", 0, "\"id\": the id's dotted path");
	if (total && (!json_is_integer(total) || json_integer_value(total) < 1))
		return fail(
		    c, "/total", 0, "\"total\": a whole number, 1 or more");
	q->seed = seed ? xstrdup(json_string_value(seed)) : NULL;
	q->id = id ? xstrdup(json_string_value(id)) : NULL;
	q->by_share = total != NULL;
	if ((rc = load_fields(c, q, json_object_get(root, "fields"))) != 0 ||
	    (rc = load_cells(c, q, json_object_get(root, "cells"))) != 0)
		return rc;
	if (q->by_share && (rc = by_shares(c, q, total)) != 0)
		return rc;
	for (i = 0; i < q->ncells; i++)
		q->total += q->cells[i].count;
	return 0;
}

int
quotas_parse(struct quotas *q, const char *text, size_t n, struct buf *why,
    unsigned long *line, unsigned long *col)
{
	struct qctx c = {text, n, why, line, col};
	json_error_t err;
	json_t *root;
	int rc;

	memset(q, 0, sizeof(*q));
	strmap_init(&q->index);
	*line = *col = 0;
	root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		*line = err.line > 0 ? (unsigned long)err.line : 1;
		*col = err.column > 0 ? (unsigned long)err.column : 1;
		buf_reset(why);
		buf_printf(why, "not JSON: %s", err.text);
		return -2;
	}
	rc = load_top(&c, q, root);
	json_decref(root);
	return rc;
}

int
quotas_load(struct quotas *q, const char *path, struct buf *why,
    unsigned long *line, unsigned long *col)
{
	struct buf text = BUF_INIT_MAX(16 << 20);
	char chunk[65536];
	size_t n;
	FILE *f;
	int rc;

	memset(q, 0, sizeof(*q));
	strmap_init(&q->index);
	*line = *col = 0;
	if (!(f = fopen(path, "rb"))) {
		buf_reset(why);
		buf_printf(why, "cannot open: %s", strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&text, chunk, n) < 0) {
			fclose(f);
			buf_release(&text);
			buf_reset(why);
			buf_adds(why, "larger than 16 MiB");
			return -1;
		}
	rc = ferror(f);
	fclose(f);
	if (rc) {
		buf_release(&text);
		buf_reset(why);
		buf_adds(why, "cannot read");
		return -1;
	}
	rc = quotas_parse(
	    q, text.data ? text.data : "", text.len, why, line, col);
	buf_release(&text);
	return rc;
}

long
quotas_cell(const struct quotas *q, const char *key, size_t n)
{
	void *v = strmap_get(&q->index, key, n);

	return v ? (long)((size_t)v - 1) : -1;
}

int
quotas_label(const struct qfield *f, const struct bandval *v,
    const char **label, size_t *n, const char **why)
{
	int b;

	if (f->bands.kind == BANDS_NONE) {
		if (v->type == BANDVAL_REAL) {
			*why = "a string, an integer or a boolean";
			return -1;
		}
		*label = v->s;
		*n = v->n;
		return 0;
	}
	if ((b = bands_find(&f->bands, v, why)) < 0)
		return -1;
	*label = f->bands.labels[b];
	*n = strlen(*label);
	return 0;
}

void
quotas_release(struct quotas *q)
{
	size_t i;

	for (i = 0; q->fields && i < q->nfields; i++) {
		free(q->fields[i].name);
		free(q->fields[i].path);
		bands_release(&q->fields[i].bands);
	}
	for (i = 0; q->cells && i < q->ncells; i++) {
		json_decref(q->cells[i].cell);
		free(q->cells[i].key);
	}
	free(q->fields);
	free(q->cells);
	free(q->seed);
	free(q->id);
	strmap_release(&q->index, NULL);
	memset(q, 0, sizeof(*q));
}
