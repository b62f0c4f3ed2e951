/*
 * reorder: events that arrive a little out of time order put back in
 * order, within a tolerance (attribute --tolerance).
 *
 * An event's place is (time, file, line): its time in milliseconds, then
 * the name of the file it came from (compared bytewise, a shorter name
 * that is a prefix of a longer one first), then its line; two events of
 * the same place keep the order they arrived in. The buffer remembers the
 * latest time pushed. An event more than the tolerance older than that
 * latest time is refused; every other one is held until no event to come
 * can take a place before it (its time is more than the tolerance before
 * the latest time), or until the input ends, and is then given back in
 * order of place. So what comes out is in order of place, and at most the
 * events of the last tolerance (plus those of the same millisecond) are
 * held at once.
 */
#ifndef REORDER_H
#define REORDER_H

#include <stddef.h>
#include <stdint.h>

struct reorder_item {
	int64_t time;
	const char *file; /* borrowed: must outlive the item */
	size_t filelen;
	unsigned long long line;
	unsigned long long seq; /* the order of arrival */
	void *data;             /* the caller's */
};

struct reorder {
	struct reorder_item *heap; /* a binary min-heap by place */
	size_t n, cap, peak;       /* peak: the most held at once */
	int64_t tolerance, latest;
	int started; /* latest is set */
	unsigned long long seq;
};

/* An empty buffer holding tolerance milliseconds (>= 0). */
void reorder_init(struct reorder *r, int64_t tolerance);

/* Frees the heap (not the items' data: drain them first). */
void reorder_release(struct reorder *r);

/*
 * Holds the item (its seq is set here). Returns 0, or -1 when its time is
 * more than the tolerance before the latest time pushed (nothing held).
 */
int reorder_push(struct reorder *r, const struct reorder_item *it);

/*
 * Takes the first item by place into *out when it is ready (no event that
 * reorder_push() would accept can come before it), or any item when end
 * is set (the input is over). Returns 1 with *out set, or 0.
 */
int reorder_pop(struct reorder *r, int end, struct reorder_item *out);

/* <0, 0 or >0 as a's place comes before, at or after b's (seq last). */
int reorder_cmp(const struct reorder_item *a, const struct reorder_item *b);

#endif
