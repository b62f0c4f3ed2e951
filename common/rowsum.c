#include "rowsum.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtime.h"
#include "jsonw.h"

const char *const rowsum_columns[RS_NCOUNTS] = {"views", "signups",
    "conversions", "ttc_count", "ttc_sum_ms", "ttc_min_ms", "ttc_max_ms",
    "pages_before", "pages_after"};

const char *const rowsum_models[2] = {"first", "last"};

void
rowsum_init(struct rowsum *t)
{
	strmap_init(&t->rows);
	buf_init(&t->key, BUF_UNLIMITED);
}

static void
row_free(void *v)
{
	struct rowsum_row *r = v;

	free(r->source);
	free(r->campaign);
	free(r->batch);
	free(r);
}

void
rowsum_release(struct rowsum *t)
{
	strmap_release(&t->rows, row_free);
	buf_release(&t->key);
}

static char *
copy(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* A string of the key: its length first, so that keys never run into
 * each other whatever bytes they hold. */
static void
key_add(struct buf *k, const char *s, size_t n)
{
	buf_add(k, &n, sizeof(n));
	buf_add(k, s, n);
}

struct rowsum_row *
rowsum_at(struct rowsum *t, int model, int64_t bucket, const char *source,
    size_t nsource, const char *campaign, size_t ncampaign, const char *batch,
    size_t nbatch)
{
	void **slot;
	struct rowsum_row *r;

	buf_reset(&t->key);
	buf_addc(&t->key, (char)model);
	buf_add(&t->key, &bucket, sizeof(bucket));
	key_add(&t->key, source, nsource);
	key_add(&t->key, campaign, ncampaign);
	buf_addc(&t->key, batch != NULL);
	if (batch)
		key_add(&t->key, batch, nbatch);
	slot = strmap_put(&t->rows, t->key.data, t->key.len);
	if ((r = *slot) != NULL)
		return r;
	r = *slot = xcalloc(1, sizeof(*r));
	r->model = model;
	r->bucket = bucket;
	r->source = copy(source, nsource);
	r->nsource = nsource;
	r->campaign = copy(campaign, ncampaign);
	r->ncampaign = ncampaign;
	if (batch) {
		r->batch = copy(batch, nbatch);
		r->nbatch = nbatch;
	}
	return r;
}

void
rowsum_add(struct rowsum_row *r, const unsigned long long c[RS_NCOUNTS])
{
	int i;

	if (c[RS_TTC_COUNT] > 0) {
		if (r->c[RS_TTC_COUNT] == 0 || c[RS_TTC_MIN] < r->c[RS_TTC_MIN])
			r->c[RS_TTC_MIN] = c[RS_TTC_MIN];
		if (r->c[RS_TTC_COUNT] == 0 || c[RS_TTC_MAX] > r->c[RS_TTC_MAX])
			r->c[RS_TTC_MAX] = c[RS_TTC_MAX];
	}
	for (i = 0; i < RS_NCOUNTS; i++)
		if (i != RS_TTC_MIN && i != RS_TTC_MAX)
			r->c[i] += c[i];
}

int
rowsum_empty(const struct rowsum_row *r)
{
	int i;

	for (i = 0; i < RS_NCOUNTS; i++)
		if (r->c[i])
			return 0;
	return 1;
}

static int
bytes_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);

	if (c)
		return c;
	return na < nb ? -1 : na > nb;
}

static int
row_cmp(const void *pa, const void *pb)
{
	const struct rowsum_row *a = *(const struct rowsum_row *const *)pa;
	const struct rowsum_row *b = *(const struct rowsum_row *const *)pb;
	int c;

	if (a->model != b->model)
		return a->model - b->model;
	if (a->bucket != b->bucket)
		return a->bucket < b->bucket ? -1 : 1;
	if ((c = bytes_cmp(a->source, a->nsource, b->source, b->nsource)))
		return c;
	if ((c = bytes_cmp(
	         a->campaign, a->ncampaign, b->campaign, b->ncampaign)))
		return c;
	return bytes_cmp(a->batch ? a->batch : "", a->nbatch,
	    b->batch ? b->batch : "", b->nbatch);
}

struct gather {
	struct rowsum_row **v;
	size_t n;
};

static void
gather(const struct strmap_entry *e, void *ctx)
{
	struct gather *g = ctx;

	g->v[g->n++] = e->value;
}

struct rowsum_row **
rowsum_sorted(const struct rowsum *t, size_t *n)
{
	struct gather g = {xmalloc((t->rows.n + 1) * sizeof(*g.v)), 0};

	strmap_each(&t->rows, gather, &g);
	qsort(g.v, g.n, sizeof(*g.v), row_cmp);
	*n = g.n;
	return g.v;
}

/*
 * The shortest text of v that reads back as v: in plain decimals for
 * money-sized amounts (40, not 4e+01), else in the exponent form.
 */
static int
add_real(struct buf *out, double v)
{
	char s[64];
	int prec;

	if (v == 0 || (fabs(v) >= 1e-6 && fabs(v) < 1e15)) {
		for (prec = 0; prec <= 20; prec++) {
			snprintf(s, sizeof(s), "%.*f", prec, v);
			if (strtod(s, NULL) == v)
				return buf_adds(out, s);
		}
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	return buf_adds(out, s);
}

int
rowsum_write(struct buf *out, const struct rowsum_row *r, int costs)
{
	char bucket[EVTIME_BUCKET_SIZE];
	int rc = 0, i;

	evtime_bucket(r->bucket, bucket);
	rc |= buf_printf(out, "{\"model\":\"%s\",\"bucket\":\"%s\",\"source\":",
	    rowsum_models[r->model], bucket);
	rc |= jsonw_string(out, r->source, r->nsource);
	rc |= buf_adds(out, ",\"campaign\":");
	rc |= jsonw_string(out, r->campaign, r->ncampaign);
	if (r->batch) {
		rc |= buf_adds(out, ",\"batch_id\":");
		rc |= jsonw_string(out, r->batch, r->nbatch);
	}
	for (i = 0; i < RS_NCOUNTS; i++)
		rc |=
		    buf_printf(out, ",\"%s\":%llu", rowsum_columns[i], r->c[i]);
	if (costs) {
		rc |= buf_adds(out, ",\"cost\":");
		rc |= add_real(out, r->cost);
		rc |= buf_adds(out, ",\"cost_per_signup\":");
		if (r->c[RS_SIGNUPS])
			rc |= add_real(out, r->cost / (double)r->c[RS_SIGNUPS]);
		else
			rc |= buf_adds(out, "null");
	}
	rc |= buf_adds(out, "}\n");
	return rc ? -1 : 0;
}
