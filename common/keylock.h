/*
 * Keys in use: the delivery stages' guarantee that two records with the
 * same key (the same member, the same post) are never in flight together,
 * so a lookup followed by a create can never create a duplicate. A key is
 * held by at most one job at a time; jobs that find their key held wait.
 *
 * A small open-addressing set of 128-bit hashes with linear probing and
 * removal by backward shift (no tombstones), since keys come and go all
 * the time while few are held at once. The all-zero hash marks a free
 * slot (a real all-zero hash is taken as {1, 0}, as in keyset.h).
 */
#ifndef KEYLOCK_H
#define KEYLOCK_H

#include <stddef.h>

#include "hash128.h"

struct keylock {
	struct hash128 *slots;
	size_t cap, n;
};

/* An empty set; allocates nothing. */
void keylock_init(struct keylock *l);

/* Whether k is held. */
int keylock_held(const struct keylock *l, struct hash128 k);

/* Holds k. Returns 0, or -1 when it was held already (nothing changes). */
int keylock_take(struct keylock *l, struct hash128 k);

/* Lets k go (nothing when it was not held). */
void keylock_drop(struct keylock *l, struct hash128 k);

/* Frees the table. */
void keylock_release(struct keylock *l);

#endif
