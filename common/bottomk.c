/* bottomk: a bounded max-heap of keyed items (bottomk.h). */
#include <stdlib.h>

#include "bottomk.h"
#include "buf.h"
#include "sipkey.h"

void
bottomk_init(struct bottomk *h, size_t k)
{
	h->v = NULL;
	h->n = h->cap = 0;
	h->k = k;
}

static int
cmp(const struct bottomk_item *a, const struct bottomk_item *b)
{
	return sipkey_cmp(a->key, a->id, a->idlen, b->key, b->id, b->idlen);
}

static void
sift_down(struct bottomk_item *v, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, big = i;
		struct bottomk_item t;

		if (l < n && cmp(&v[l], &v[big]) > 0)
			big = l;
		if (r < n && cmp(&v[r], &v[big]) > 0)
			big = r;
		if (big == i)
			return;
		t = v[i];
		v[i] = v[big];
		v[big] = t;
		i = big;
	}
}

static void
sift_up(struct bottomk_item *v, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		struct bottomk_item t;

		if (cmp(&v[i], &v[p]) <= 0)
			return;
		t = v[i];
		v[i] = v[p];
		v[p] = t;
		i = p;
	}
}

int
bottomk_would_keep(
    const struct bottomk *h, uint64_t key, const char *id, size_t idlen)
{
	if (h->k == 0)
		return 0;
	if (h->n < h->k)
		return 1;
	return sipkey_cmp(
	           key, id, idlen, h->v[0].key, h->v[0].id, h->v[0].idlen) < 0;
}

int
bottomk_offer(
    struct bottomk *h, const struct bottomk_item *it, struct bottomk_item *out)
{
	if (!bottomk_would_keep(h, it->key, it->id, it->idlen))
		return 0;
	if (h->n < h->k) {
		if (h->n == h->cap) {
			/* Grown as items come, so that a large quota costs
			 * only what its cell holds. */
			h->cap = h->cap ? 2 * h->cap : 8;
			if (h->cap > h->k)
				h->cap = h->k;
			h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
		}
		h->v[h->n] = *it;
		sift_up(h->v, h->n++);
		return 1;
	}
	*out = h->v[0];
	h->v[0] = *it;
	sift_down(h->v, h->n, 0);
	return 2;
}

static int
qcmp(const void *a, const void *b)
{
	return cmp(a, b);
}

struct bottomk_item *
bottomk_sorted(struct bottomk *h, size_t *n)
{
	if (h->n > 1)
		qsort(h->v, h->n, sizeof(*h->v), qcmp);
	*n = h->n;
	return h->v;
}

void
bottomk_release(struct bottomk *h)
{
	free(h->v);
	bottomk_init(h, 0);
}
