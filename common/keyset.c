/* Sets and maps of 128-bit hashes; see keyset.h. */
#include <stdlib.h>

#include "buf.h"
#include "keyset.h"

#define MIN_CAP 64

/*
 * The slot holding h, or the free slot where it would go. The table is
 * never full (the load stays at most 0.75), so the probe always ends. The
 * low bits of a MurmurHash3 result are as good as any, so they pick the
 * home slot directly.
 */
static size_t
probe(const struct hash128 *slots, size_t cap, struct hash128 h)
{
	size_t i = (size_t)h.lo & (cap - 1);

	while (!hash128_free(slots[i]) && !hash128_eq(slots[i], h))
		i = (i + 1) & (cap - 1);
	return i;
}

/* Whether adding one more entry to n would push the load over 0.75. */
static int
needs_growth(size_t n, size_t cap)
{
	return cap == 0 || (n + 1) > cap / 4 * 3;
}

#define SEG_MIN_CAP 16

/* A segment's slot holding h, or the free slot where it would go. */
static uint32_t
seg_probe(const struct keyset_seg *g, struct hash128 h)
{
	uint32_t i = (uint32_t)(h.lo % g->cap);

	while (!hash128_free(g->slots[i]) && !hash128_eq(g->slots[i], h))
		i = i + 1 == g->cap ? 0 : i + 1;
	return i;
}

/* Grows a segment by half again; the load goes back to about 0.53. */
static void
seg_grow(struct keyset_seg *g)
{
	struct keyset_seg old = *g;
	uint32_t i;

	g->cap = old.cap ? old.cap + old.cap / 2 : SEG_MIN_CAP;
	g->slots = xcalloc(g->cap, sizeof(*g->slots));
	for (i = 0; i < old.cap; i++) {
		if (!hash128_free(old.slots[i]))
			g->slots[seg_probe(g, old.slots[i])] = old.slots[i];
	}
	free(old.slots);
}

static struct keyset_seg *
seg_of(const struct keyset *s, struct hash128 h)
{
	return &s->seg[h.hi >> 56];
}

void
keyset_init(struct keyset *s)
{
	s->seg = NULL;
	s->n = 0;
}

int
keyset_add(struct keyset *s, struct hash128 h)
{
	struct keyset_seg *g;
	uint32_t i;

	h = hash128_slot(h);
	if (s->seg == NULL)
		s->seg = xcalloc(KEYSET_SEGS, sizeof(*s->seg));
	g = seg_of(s, h);
	/* Over 0.8 full after this one: grow (looking first, since a key
	 * already there needs no room). */
	if ((uint64_t)(g->n + 1) * 5 > (uint64_t)g->cap * 4) {
		if (keyset_has(s, h))
			return 0;
		seg_grow(g);
	}
	i = seg_probe(g, h);
	if (!hash128_free(g->slots[i]))
		return 0;
	g->slots[i] = h;
	g->n++;
	s->n++;
	return 1;
}

int
keyset_has(const struct keyset *s, struct hash128 h)
{
	const struct keyset_seg *g;

	h = hash128_slot(h);
	if (s->seg == NULL || (g = seg_of(s, h))->cap == 0)
		return 0;
	return !hash128_free(g->slots[seg_probe(g, h)]);
}

size_t
keyset_bytes(const struct keyset *s)
{
	size_t i, b = 0;

	for (i = 0; s->seg && i < KEYSET_SEGS; i++)
		b += (size_t)s->seg[i].cap * sizeof(struct hash128);
	return b;
}

void
keyset_release(struct keyset *s)
{
	size_t i;

	for (i = 0; s->seg && i < KEYSET_SEGS; i++)
		free(s->seg[i].slots);
	free(s->seg);
	keyset_init(s);
}

void
keymap_init(struct keymap *m)
{
	m->slots = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

static void
keymap_grow(struct keymap *m)
{
	size_t cap = m->cap ? 2 * m->cap : MIN_CAP, i, k;
	struct hash128 *slots = xcalloc(cap, sizeof(*slots));
	uint32_t *vals = xcalloc(cap, sizeof(*vals));

	for (i = 0; i < m->cap; i++) {
		if (hash128_free(m->slots[i]))
			continue;
		k = probe(slots, cap, m->slots[i]);
		slots[k] = m->slots[i];
		vals[k] = m->vals[i];
	}
	free(m->slots);
	free(m->vals);
	m->slots = slots;
	m->vals = vals;
	m->cap = cap;
}

uint32_t *
keymap_get(const struct keymap *m, struct hash128 h)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = probe(m->slots, m->cap, hash128_slot(h));
	return hash128_free(m->slots[i]) ? NULL : &m->vals[i];
}

uint32_t *
keymap_ref(struct keymap *m, struct hash128 h, uint32_t v, int *added)
{
	uint32_t *have;
	size_t i;

	h = hash128_slot(h);
	*added = 0;
	if ((have = keymap_get(m, h)) != NULL)
		return have;
	if (needs_growth(m->n, m->cap))
		keymap_grow(m);
	i = probe(m->slots, m->cap, h);
	m->slots[i] = h;
	m->vals[i] = v;
	m->n++;
	*added = 1;
	return &m->vals[i];
}

int
keymap_put(struct keymap *m, struct hash128 h, uint32_t v)
{
	int added;

	*keymap_ref(m, h, v, &added) = v;
	return added;
}

void
keymap_release(struct keymap *m)
{
	free(m->slots);
	free(m->vals);
	keymap_init(m);
}
