/* qsample: a quota sample in memory (qsample.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpath.h"
#include "ndjson.h"
#include "qsample.h"

void
qsample_init(struct qsample *s, const struct quotas *q, struct sipkey *k,
    int sticky, void (*pushed)(struct qsample_member *m, void *ctx), void *ctx)
{
	size_t c;

	memset(s, 0, sizeof(*s));
	s->q = q;
	s->k = k;
	s->sticky = sticky;
	s->pushed = pushed;
	s->ctx = ctx;
	strmap_init(&s->ids);
	buf_init(&s->id, BUF_UNLIMITED);
	buf_init(&s->cellkey, BUF_UNLIMITED);
	buf_init(&s->tmp, BUF_UNLIMITED);
	buf_init(&s->text, BUF_UNLIMITED);
	s->heaps = xcalloc(q->ncells ? q->ncells : 1, sizeof(*s->heaps));
	for (c = 0; c < q->ncells; c++)
		bottomk_init(&s->heaps[c], q->cells[c].count);
	if (sticky)
		s->pins = xcalloc(q->ncells ? q->ncells : 1, sizeof(*s->pins));
}

static struct qsample_member *
member_new(struct qsample *s, const char *id, size_t idlen, uint64_t key)
{
	struct qsample_member *m = xcalloc(1, sizeof(*m));

	m->key = key;
	m->id = xmalloc(idlen + 1);
	memcpy(m->id, id, idlen);
	m->id[idlen] = 0;
	m->idlen = idlen;
	*strmap_put(&s->ids, id, idlen) = m;
	return m;
}

static void
list_add(struct qsample_list *l, struct qsample_member *m)
{
	if (l->n == 0 || (l->n & (l->n - 1)) == 0)
		l->v = xrealloc(l->v, (l->n ? 2 * l->n : 4) * sizeof(*l->v));
	l->v[l->n++] = m;
}

static int
sweep_dead(void *value, void *ctx)
{
	struct qsample_member *m = value;

	(void)ctx;
	if (!m->dead || m->old) /* the state's are freed with s->old */
		return 0;
	free(m->id);
	free(m);
	return 1;
}

/* A member out of the sample: an input member's record goes to pushed();
 * a state member has left (and keeps its record for saying so). */
static void
push_out(struct qsample *s, struct qsample_member *m)
{
	m->dead = 1;
	if (!m->old) {
		s->pushed(m, s->ctx);
		free(m->text);
		m->text = NULL;
	}
	/* The dead keep their place in ids until there are many of them:
	 * strmap removes only by sweeping. */
	if (++s->ndead > 1024 && s->ndead > s->ids.n / 2) {
		s->ndead = 0;
		strmap_sweep(&s->ids, sweep_dead, NULL);
	}
}

static void
offer(struct qsample *s, struct qsample_member *m)
{
	struct bottomk_item it = {m->key, m->id, m->idlen, m}, out;
	int rc = bottomk_offer(&s->heaps[m->cell], &it, &out);

	if (rc == 0)
		push_out(s, m);
	else if (rc == 2)
		push_out(s, out.val);
}

void
qsample_add_old(struct qsample *s, const struct samplestate_member *sm)
{
	struct qsample_member *m;
	size_t i;

	if (strmap_get(&s->ids, sm->id, sm->idlen))
		return;
	m = member_new(
	    s, sm->id, sm->idlen, sipkey_hash(s->k, sm->id, sm->idlen));
	m->old = 1;
	m->text = xmalloc(sm->reclen ? sm->reclen : 1);
	memcpy(m->text, sm->record, sm->reclen);
	m->textlen = sm->reclen;
	m->oldcell = json_incref((json_t *)sm->cell);
	buf_reset(&s->cellkey);
	for (i = 0; i < s->q->nfields; i++) {
		const char *l = json_string_value(
		    json_object_get(sm->cell, s->q->fields[i].name));

		quotas_key_add(&s->cellkey, l ? l : "", l ? strlen(l) : 0);
	}
	m->cell = quotas_cell(s->q, s->cellkey.data, s->cellkey.len);
	list_add(&s->old, m);
	if (s->sticky && m->cell >= 0)
		list_add(&s->pins[m->cell], m);
	else if (m->cell >= 0)
		offer(s, m);
	else if (!s->sticky)
		m->dead = 1;
}

void
qsample_start(struct qsample *s)
{
	size_t c;

	for (c = 0; s->pins && c < s->q->ncells; c++)
		s->heaps[c].k = s->pins[c].n < s->q->cells[c].count
		                    ? s->q->cells[c].count - s->pins[c].n
		                    : 0;
}

/* A value as bands.h reads it; -1 for one no field takes. */
static int
tree_value(const json_t *v, struct bandval *bv, char num[32])
{
	memset(bv, 0, sizeof(*bv));
	if (json_is_string(v) && json_string_length(v) > 0) {
		bv->type = BANDVAL_STRING;
		bv->s = json_string_value(v);
		bv->n = json_string_length(v);
	} else if (json_is_integer(v)) {
		bv->type = BANDVAL_INT;
		bv->n = (size_t)snprintf(
		    num, 32, "%lld", (long long)json_integer_value(v));
		bv->s = num;
		bv->d = (double)json_integer_value(v);
	} else if (json_is_real(v)) {
		bv->type = BANDVAL_REAL;
		bv->d = json_real_value(v);
	} else if (json_is_boolean(v)) {
		bv->type = BANDVAL_BOOL;
		bv->s = json_is_true(v) ? "true" : "false";
		bv->n = strlen(bv->s);
	} else {
		return -1;
	}
	return 0;
}

int
qsample_tree_key(
    struct qsample *s, const json_t *rec, const char *idpath, struct buf *why)
{
	const json_t *meta = json_object_get(rec, "_meta");
	struct bandval bv;
	const char *w, *l;
	char num[32];
	size_t i, n;

	buf_reset(why);
	if (meta && !json_is_object(meta))
		return buf_adds(why, "\"_meta\" is not an object"), -1;
	if (tree_value(jpath_get(rec, idpath), &bv, num) < 0 ||
	    bv.type == BANDVAL_REAL || bv.type == BANDVAL_BOOL) {
		buf_printf(why,
		    "no member id at \"%s\" (a string or an "
		    "integer)",
		    idpath);
		return -1;
	}
	buf_reset(&s->id);
	buf_add(&s->id, bv.s, bv.n);
	buf_reset(&s->cellkey);
	for (i = 0; i < s->q->nfields; i++) {
		const struct qfield *f = &s->q->fields[i];

		if (tree_value(jpath_get(rec, f->path), &bv, num) < 0) {
			buf_printf(why, "no cell field \"%s\"", f->path);
			return -1;
		}
		if (quotas_label(f, &bv, &l, &n, &w) < 0) {
			buf_printf(why, "cell field \"%s\": %s", f->path, w);
			return -1;
		}
		quotas_key_add(&s->cellkey, l, n);
	}
	buf_reset(&s->text);
	ndjson_dump(&s->text, rec);
	s->text.len--; /* its newline */
	return 0;
}

/* A value of the index as bands.h reads it; -1: the tree path's. */
static int
doc_value(struct jdoc *d, const struct jdoc_node *v, struct bandval *bv,
    struct buf *tmp)
{
	memset(bv, 0, sizeof(*bv));
	if (!v)
		return -1;
	if (v->type == JDOC_STRING && v->len > 2) {
		bv->type = BANDVAL_STRING;
		bv->s = d->text + v->off + 1;
		bv->n = v->len - 2;
		if (v->escaped) {
			if (!jdoc_cstr(d, v, tmp))
				return -1;
			bv->s = tmp->data;
			bv->n = tmp->len;
		}
	} else if (v->type == JDOC_INT) {
		bv->type = BANDVAL_INT;
		bv->s = d->text + v->off;
		bv->n = v->len;
		bv->d = strtod(bv->s, NULL);
	} else if (v->type == JDOC_TRUE || v->type == JDOC_FALSE) {
		bv->type = BANDVAL_BOOL;
		bv->s = d->text + v->off;
		bv->n = v->len;
	} else {
		return -1;
	}
	return 0;
}

int
qsample_doc_key(struct qsample *s, struct jdoc *d, const char *idpath)
{
	const struct jdoc_node *meta = jdoc_get(d, &d->nodes[0], "_meta", 5);
	struct bandval bv;
	const char *why, *l;
	size_t i, n;

	if (meta && meta->type != JDOC_OBJECT)
		return -1;
	if (doc_value(d, jdoc_path(d, idpath), &bv, &s->tmp) < 0 ||
	    bv.type == BANDVAL_BOOL)
		return -1;
	buf_reset(&s->id);
	buf_add(&s->id, bv.s, bv.n);
	buf_reset(&s->cellkey);
	for (i = 0; i < s->q->nfields; i++) {
		const struct qfield *f = &s->q->fields[i];

		if (doc_value(d, jdoc_path(d, f->path), &bv, &s->tmp) < 0 ||
		    quotas_label(f, &bv, &l, &n, &why) < 0)
			return -1;
		quotas_key_add(&s->cellkey, l, n);
	}
	return 0;
}

enum qsample_verdict
qsample_offer(struct qsample *s, const char *text, size_t len, const char *file,
    unsigned long long line)
{
	long cell = quotas_cell(s->q, s->cellkey.data, s->cellkey.len);
	const char *id = s->id.data ? s->id.data : "";
	size_t idlen = s->id.len;
	struct qsample_member *m;
	uint64_t key;

	if (cell < 0)
		return QSAMPLE_NO_QUOTA;
	if ((m = strmap_get(&s->ids, id, idlen)) && !m->dead)
		return QSAMPLE_DUPLICATE;
	key = sipkey_hash(s->k, id, idlen);
	if (!bottomk_would_keep(&s->heaps[cell], key, id, idlen))
		return QSAMPLE_NOT_SAMPLED;
	if (m && !m->old) /* dead: the id comes back */
		m->dead = 0;
	else /* a state member that left is a newcomer now */
		m = member_new(s, id, idlen, key);
	free(m->text);
	m->text = xmalloc(len ? len : 1);
	memcpy(m->text, text, len);
	m->textlen = len;
	m->cell = cell;
	m->file = file;
	m->line = line;
	offer(s, m);
	return QSAMPLE_KEPT;
}

static int
member_cmp(const void *a, const void *b)
{
	const struct qsample_member *x = *(struct qsample_member *const *)a;
	const struct qsample_member *y = *(struct qsample_member *const *)b;

	return sipkey_cmp(x->key, x->id, x->idlen, y->key, y->id, y->idlen);
}

struct qsample_member **
qsample_cell(struct qsample *s, size_t c, size_t *n)
{
	struct bottomk_item *it = bottomk_sorted(&s->heaps[c], n);
	size_t i, np = s->pins ? s->pins[c].n : 0;
	struct qsample_member **v = xmalloc((*n + np + 1) * sizeof(*v));

	for (i = 0; i < *n; i++)
		v[i] = it[i].val;
	for (i = 0; i < np; i++)
		v[(*n)++] = s->pins[c].v[i];
	qsort(v, *n, sizeof(*v), member_cmp);
	return v;
}

void
qsample_sort_old(struct qsample *s)
{
	if (s->old.n > 1)
		qsort(s->old.v, s->old.n, sizeof(*s->old.v), member_cmp);
}

const json_t *
qsample_cell_of(const struct qsample *s, const struct qsample_member *m)
{
	return m->cell >= 0 ? s->q->cells[m->cell].cell : m->oldcell;
}

static void
release_member(void *value)
{
	struct qsample_member *m = value;

	if (m->old)
		return; /* freed with s->old */
	free(m->text);
	free(m->id);
	free(m);
}

void
qsample_release(struct qsample *s)
{
	size_t i;

	if (!s->q)
		return;
	strmap_release(&s->ids, release_member);
	for (i = 0; i < s->old.n; i++) {
		free(s->old.v[i]->text);
		free(s->old.v[i]->id);
		json_decref(s->old.v[i]->oldcell);
		free(s->old.v[i]);
	}
	free(s->old.v);
	for (i = 0; i < s->q->ncells; i++) {
		bottomk_release(&s->heaps[i]);
		if (s->pins)
			free(s->pins[i].v);
	}
	free(s->heaps);
	free(s->pins);
	buf_release(&s->id);
	buf_release(&s->cellkey);
	buf_release(&s->tmp);
	buf_release(&s->text);
	memset(s, 0, sizeof(*s));
}
