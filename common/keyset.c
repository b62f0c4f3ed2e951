/* Sets and maps of 128-bit hashes; see keyset.h. */
#include <stdlib.h>

#include "buf.h"
#include "keyset.h"

#define MIN_CAP 64

/* The all-zero hash means "free"; a real one is stored as {1, 0}. */
static struct hash128
stored(struct hash128 h)
{
	if (h.lo == 0 && h.hi == 0)
		h.lo = 1;
	return h;
}

static int
is_free(const struct hash128 *slot)
{
	return slot->lo == 0 && slot->hi == 0;
}

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

	while (!is_free(&slots[i]) && !hash128_eq(slots[i], h))
		i = (i + 1) & (cap - 1);
	return i;
}

/* Whether adding one more entry to n would push the load over 0.75. */
static int
needs_growth(size_t n, size_t cap)
{
	return cap == 0 || (n + 1) > cap / 4 * 3;
}

void
keyset_init(struct keyset *s)
{
	s->slots = NULL;
	s->cap = s->n = 0;
}

static void
keyset_grow(struct keyset *s)
{
	size_t cap = s->cap ? 2 * s->cap : MIN_CAP, i;
	struct hash128 *slots = xcalloc(cap, sizeof(*slots));

	for (i = 0; i < s->cap; i++) {
		if (!is_free(&s->slots[i]))
			slots[probe(slots, cap, s->slots[i])] = s->slots[i];
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
}

int
keyset_add(struct keyset *s, struct hash128 h)
{
	size_t i;

	h = stored(h);
	if (needs_growth(s->n, s->cap)) {
		/* Look first: a key already there needs no room. */
		if (keyset_has(s, h))
			return 0;
		keyset_grow(s);
	}
	i = probe(s->slots, s->cap, h);
	if (!is_free(&s->slots[i]))
		return 0;
	s->slots[i] = h;
	s->n++;
	return 1;
}

int
keyset_has(const struct keyset *s, struct hash128 h)
{
	if (s->cap == 0)
		return 0;
	return !is_free(&s->slots[probe(s->slots, s->cap, stored(h))]);
}

void
keyset_release(struct keyset *s)
{
	free(s->slots);
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
		if (is_free(&m->slots[i]))
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
	i = probe(m->slots, m->cap, stored(h));
	return is_free(&m->slots[i]) ? NULL : &m->vals[i];
}

uint32_t *
keymap_ref(struct keymap *m, struct hash128 h, uint32_t v, int *added)
{
	uint32_t *have;
	size_t i;

	h = stored(h);
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
