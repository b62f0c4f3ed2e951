#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static unsigned long
fnv(const char *s, size_t n)
{
	unsigned long h = 2166136261UL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619UL;
	}
	return h;
}

void
strmap_init(struct strmap *m)
{
	m->buckets = NULL;
	m->nbuckets = m->n = 0;
}

void *
strmap_get(const struct strmap *m, const char *key, size_t n)
{
	unsigned long h;
	struct strmap_entry *e;

	if (m->nbuckets == 0)
		return NULL;
	h = fnv(key, n);
	for (e = m->buckets[h & (m->nbuckets - 1)]; e; e = e->next)
		if (e->hash == h && e->keylen == n && !memcmp(e->key, key, n))
			return e->value;
	return NULL;
}

static void
grow(struct strmap *m)
{
	size_t nb = m->nbuckets ? m->nbuckets * 2 : 64, i;
	struct strmap_entry **b = xcalloc(nb, sizeof(*b)), *e, *next;

	for (i = 0; i < m->nbuckets; i++) {
		for (e = m->buckets[i]; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = nb;
}

void **
strmap_put(struct strmap *m, const char *key, size_t n)
{
	unsigned long h = fnv(key, n);
	struct strmap_entry *e, **head;

	if (m->nbuckets) {
		for (e = m->buckets[h & (m->nbuckets - 1)]; e; e = e->next)
			if (e->hash == h && e->keylen == n &&
			    !memcmp(e->key, key, n))
				return &e->value;
	}
	if (m->n >= m->nbuckets)
		grow(m);
	e = xmalloc(sizeof(*e) + n + 1);
	memcpy(e->key, key, n);
	e->key[n] = '\0';
	e->keylen = n;
	e->hash = h;
	e->value = NULL;
	head = &m->buckets[h & (m->nbuckets - 1)];
	e->next = *head;
	*head = e;
	m->n++;
	return &e->value;
}

size_t
strmap_sweep(struct strmap *m, int (*drop)(void *value, void *ctx), void *ctx)
{
	struct strmap_entry **p, *e;
	size_t i, removed = 0;

	for (i = 0; i < m->nbuckets; i++) {
		for (p = &m->buckets[i]; (e = *p) != NULL;) {
			if (drop(e->value, ctx)) {
				*p = e->next;
				free(e);
				removed++;
			} else {
				p = &e->next;
			}
		}
	}
	m->n -= removed;
	return removed;
}

void
strmap_each(const struct strmap *m,
    void (*each)(const struct strmap_entry *e, void *ctx), void *ctx)
{
	struct strmap_entry *e;
	size_t i;

	for (i = 0; i < m->nbuckets; i++)
		for (e = m->buckets[i]; e; e = e->next)
			each(e, ctx);
}

void
strmap_release(struct strmap *m, void (*release)(void *value))
{
	struct strmap_entry *e, *next;
	size_t i;

	for (i = 0; i < m->nbuckets; i++) {
		for (e = m->buckets[i]; e; e = next) {
			next = e->next;
			if (release)
				release(e->value);
			free(e);
		}
	}
	free(m->buckets);
	strmap_init(m);
}
