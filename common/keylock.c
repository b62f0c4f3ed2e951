/* Keys in use; see keylock.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "keylock.h"

void
keylock_init(struct keylock *l)
{
	memset(l, 0, sizeof(*l));
}

void
keylock_release(struct keylock *l)
{
	free(l->slots);
	keylock_init(l);
}

/* The slot of k, or of the free slot where it would go. */
static size_t
find(const struct keylock *l, struct hash128 k)
{
	size_t i = k.lo & (l->cap - 1);

	while (!hash128_free(l->slots[i]) && !hash128_eq(l->slots[i], k))
		i = (i + 1) & (l->cap - 1);
	return i;
}

int
keylock_held(const struct keylock *l, struct hash128 k)
{
	k = hash128_slot(k);
	return l->cap && hash128_eq(l->slots[find(l, k)], k);
}

static void
grow(struct keylock *l)
{
	struct hash128 *old = l->slots;
	size_t ncap = l->cap, i;

	l->cap = l->cap ? 2 * l->cap : 64;
	l->slots = xcalloc(l->cap, sizeof(*l->slots));
	for (i = 0; i < ncap; i++) {
		if (!hash128_free(old[i]))
			l->slots[find(l, old[i])] = old[i];
	}
	free(old);
}

int
keylock_take(struct keylock *l, struct hash128 k)
{
	size_t i;

	k = hash128_slot(k);
	if ((l->n + 1) * 2 > l->cap)
		grow(l);
	i = find(l, k);
	if (hash128_eq(l->slots[i], k))
		return -1;
	l->slots[i] = k;
	l->n++;
	return 0;
}

void
keylock_drop(struct keylock *l, struct hash128 k)
{
	size_t i, j, home, mask = l->cap - 1;

	k = hash128_slot(k);
	if (l->cap == 0 || !hash128_eq(l->slots[i = find(l, k)], k))
		return;
	/* Backward shift: move later members of the run into the hole when
	 * their home slot is not between the hole and them. */
	for (j = (i + 1) & mask; !hash128_free(l->slots[j]);
	     j = (j + 1) & mask) {
		home = l->slots[j].lo & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			l->slots[i] = l->slots[j];
			i = j;
		}
	}
	memset(&l->slots[i], 0, sizeof(l->slots[i]));
	l->n--;
}
