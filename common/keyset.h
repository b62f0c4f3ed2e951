/*
 * Sets of 128-bit hashes, and maps from a 128-bit hash to a small integer,
 * for memory-tight bookkeeping of millions of keys: a key is represented by
 * the hash128 of its bytes, never by the bytes themselves.
 *
 * Both are open-addressing tables with linear probing, so a lookup touches
 * few slots and an insertion amortizes to O(1). A keyset slot is 16 bytes
 * and the set is split in segments that grow on their own (below), at most
 * 30 bytes a key at any size, peaks included. A keymap has one table whose
 * capacity is a power of two (starting at 64 slots) and doubles before the
 * load would pass 0.75; a slot is 20 bytes (the hash, and the value in a
 * parallel array).
 *
 * The all-zero hash marks a free slot. A real key whose hash is all zeros
 * (probability 2^-128) is stored as the hash {1, 0} instead, so it shares
 * an identity with that one other hash; every function here applies the
 * same remapping, so callers never see it.
 *
 * Nothing is ever removed. Allocation failures abort (xcalloc).
 */
#ifndef KEYSET_H
#define KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include "hash128.h"

/*
 * A keyset is KEYSET_SEGS independent tables, picked by the hash's top
 * byte. Each grows on its own, by half again (not double) when its load
 * would pass 0.8, so its load stays between 0.53 and 0.8 (20 to 30 bytes
 * a key), and while one grows only that 1/256th of the set is held twice:
 * the peak memory is never much more than the set itself, whatever the
 * number of keys. The home slot is the low 64 bits modulo the capacity.
 */
#define KEYSET_SEGS 256

struct keyset_seg {
	struct hash128 *slots; /* cap slots, all-zero when free */
	uint32_t cap, n;
};

struct keyset {
	struct keyset_seg *seg; /* KEYSET_SEGS, allocated on the first add */
	size_t n;               /* keys in all segments */
};

/* Sets up an empty set. Allocates nothing. */
void keyset_init(struct keyset *s);

/* Adds h. Returns 1 when it is new, 0 when the set held it already. */
int keyset_add(struct keyset *s, struct hash128 h);

/* 1 when the set holds h, else 0. */
int keyset_has(const struct keyset *s, struct hash128 h);

/* Bytes of table the set holds now (for tests and reports). */
size_t keyset_bytes(const struct keyset *s);

/* Frees the tables and leaves the set empty and reusable. */
void keyset_release(struct keyset *s);

struct keymap {
	struct hash128 *slots; /* cap slots, all-zero when free */
	uint32_t *vals;        /* the value of each used slot */
	size_t cap, n;
};

/* Sets up an empty map. Allocates nothing. */
void keymap_init(struct keymap *m);

/*
 * Maps h to v, replacing any value it had. Returns 1 when h is new, 0 when
 * its value was replaced.
 */
int keymap_put(struct keymap *m, struct hash128 h, uint32_t v);

/*
 * The value h maps to, or NULL when h is not in the map. The pointer is
 * into the map: it may be written through to change the value, and it is
 * valid until the next keymap_put or keymap_ref (which may move the table).
 */
uint32_t *keymap_get(const struct keymap *m, struct hash128 h);

/*
 * The value of h, adding h with the value v first when it is new (then
 * *added is set to 1, else to 0). The pointer is valid as for keymap_get.
 */
uint32_t *keymap_ref(
    struct keymap *m, struct hash128 h, uint32_t v, int *added);

/* Frees the tables and leaves the map empty and reusable. */
void keymap_release(struct keymap *m);

#endif
