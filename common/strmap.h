/*
 * strmap: a hash table from byte strings (any bytes, NUL included) to
 * pointers, with removal, for state kept per key that comes and goes: the
 * persons attribute follows, the rows rollup sums.
 *
 * Chained, FNV-1a, doubled when it holds more entries than buckets. The
 * map owns a copy of each key; values are the caller's (strmap_sweep()
 * and strmap_release() hand each to a function to free).
 */
#ifndef STRMAP_H
#define STRMAP_H

#include <stddef.h>

struct strmap_entry {
	struct strmap_entry *next;
	void *value;
	size_t keylen;
	unsigned long hash;
	char key[]; /* keylen bytes and a NUL */
};

struct strmap {
	struct strmap_entry **buckets;
	size_t nbuckets, n;
};

void strmap_init(struct strmap *m);

/* The value stored under the n bytes of key, or NULL when there is none. */
void *strmap_get(const struct strmap *m, const char *key, size_t n);

/*
 * The place of the value under key, made (holding NULL) when the key is
 * new: the caller stores its value there. Never NULL (allocation failure
 * ends the program, as xmalloc does).
 */
void **strmap_put(struct strmap *m, const char *key, size_t n);

/*
 * Removes every entry for which drop(value, ctx) returns 1, after drop has
 * freed what it must of the value. Returns how many were removed.
 */
size_t strmap_sweep(
    struct strmap *m, int (*drop)(void *value, void *ctx), void *ctx);

/*
 * Calls each(entry, ctx) for every entry, in no particular order; the
 * entries must not be added or removed meanwhile.
 */
void strmap_each(const struct strmap *m,
    void (*each)(const struct strmap_entry *e, void *ctx), void *ctx);

/* Frees the table, calling release(value) on each value (NULL: none). */
void strmap_release(struct strmap *m, void (*release)(void *value));

#endif
