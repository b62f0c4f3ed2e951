#include "reorder.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
reorder_init(struct reorder *r, int64_t tolerance)
{
	memset(r, 0, sizeof(*r));
	r->tolerance = tolerance;
}

void
reorder_release(struct reorder *r)
{
	free(r->heap);
	r->heap = NULL;
	r->n = r->cap = 0;
}

int
reorder_cmp(const struct reorder_item *a, const struct reorder_item *b)
{
	size_t n = a->filelen < b->filelen ? a->filelen : b->filelen;
	int c;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if ((c = memcmp(a->file, b->file, n)) != 0)
		return c;
	if (a->filelen != b->filelen)
		return a->filelen < b->filelen ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

int
reorder_push(struct reorder *r, const struct reorder_item *it)
{
	size_t i, parent;
	struct reorder_item tmp;

	if (r->started && it->time < r->latest - r->tolerance)
		return -1;
	if (!r->started || it->time > r->latest)
		r->latest = it->time;
	r->started = 1;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->heap = xrealloc(r->heap, r->cap * sizeof(*r->heap));
	}
	i = r->n++;
	r->heap[i] = *it;
	r->heap[i].seq = r->seq++;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (reorder_cmp(&r->heap[parent], &r->heap[i]) <= 0)
			break;
		tmp = r->heap[parent];
		r->heap[parent] = r->heap[i];
		r->heap[i] = tmp;
		i = parent;
	}
	if (r->n > r->peak)
		r->peak = r->n;
	return 0;
}

int
reorder_pop(struct reorder *r, int end, struct reorder_item *out)
{
	size_t i = 0, l, c;
	struct reorder_item tmp;

	if (r->n == 0)
		return 0;
	/* An event accepted later has a time at least latest - tolerance,
	 * and the latest time only grows: anything strictly earlier than
	 * that is safe to give back. */
	if (!end && r->heap[0].time >= r->latest - r->tolerance)
		return 0;
	*out = r->heap[0];
	r->heap[0] = r->heap[--r->n];
	for (;;) {
		l = 2 * i + 1;
		if (l >= r->n)
			break;
		c = l + 1 < r->n &&
		            reorder_cmp(&r->heap[l + 1], &r->heap[l]) < 0
		        ? l + 1
		        : l;
		if (reorder_cmp(&r->heap[i], &r->heap[c]) <= 0)
			break;
		tmp = r->heap[i];
		r->heap[i] = r->heap[c];
		r->heap[c] = tmp;
		i = c;
	}
	return 1;
}
