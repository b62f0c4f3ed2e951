/*
 * bottomk: the k smallest of a stream of keyed items, in memory for k
 * items whatever the stream's length: a bounded max-heap whose root is the
 * largest kept, so that an item enters a full heap only by being smaller
 * than the root, which it then pushes out. The order is sipkey_cmp()'s:
 * by key, then by the id's bytes, so that the k kept are the same whatever
 * order the items come in (the bottom-k sample of a cell). Two heaps'
 * items offered to a third give the k smallest of both streams: samples
 * merge.
 *
 * Items are small structs held by value; id and val are the caller's
 * (borrowed until the item leaves the heap: offered and refused, pushed
 * out, or handed back by bottomk_sorted()).
 */
#ifndef BOTTOMK_H
#define BOTTOMK_H

#include <stddef.h>
#include <stdint.h>

struct bottomk_item {
	uint64_t key;
	const char *id;
	size_t idlen;
	void *val;
};

struct bottomk {
	struct bottomk_item *v; /* v[0] the largest */
	size_t n, k, cap;
};

/* An empty heap that keeps at most k items (0: none); allocates nothing. */
void bottomk_init(struct bottomk *h, size_t k);

/* Whether an item of key and id would be kept if offered now. */
int bottomk_would_keep(
    const struct bottomk *h, uint64_t key, const char *id, size_t idlen);

/*
 * Offers it. Returns 0 when refused (the heap is unchanged), 1 when kept
 * with nothing pushed out, 2 when kept and the largest item was pushed
 * out into *out.
 */
int bottomk_offer(
    struct bottomk *h, const struct bottomk_item *it, struct bottomk_item *out);

/*
 * Sorts the items kept, smallest first, in place (the heap is no longer
 * one: release it or init it again after) and returns them with their
 * count in *n; borrowed from h.
 */
struct bottomk_item *bottomk_sorted(struct bottomk *h, size_t *n);

/* Frees the array (not the ids or values). */
void bottomk_release(struct bottomk *h);

#endif
