/* Items waiting for a bulk call, and their pace; bulkline.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bulkline.h"

void
bulkline_init(struct bulkline *b, double rate, size_t size, double short_wait)
{
	memset(b, 0, sizeof(*b));
	b->rate = rate > 1e-6 ? rate : 1e-6;
	b->size = size ? size : 1;
	b->short_wait = short_wait;
	b->seed = 0x5e5;
}

void
bulkline_push(struct bulkline *b, void *item, int front, double now)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->q = xrealloc(b->q, b->cap * sizeof(*b->q));
	}
	if (b->n == 0)
		b->since = now;
	if (front) {
		memmove(b->q + 1, b->q, b->n * sizeof(*b->q));
		b->q[0] = item;
	} else {
		b->q[b->n] = item;
	}
	b->n++;
}

size_t
bulkline_ready(const struct bulkline *b, double now, int flush)
{
	if (b->n == 0 || now < b->next_at)
		return 0;
	if (b->n >= b->size)
		return b->size;
	return flush || now - b->since >= b->short_wait ? b->n : 0;
}

void
bulkline_take(struct bulkline *b, void **out, size_t n, double now)
{
	if (n > b->n)
		n = b->n;
	memcpy(out, b->q, n * sizeof(*b->q));
	memmove(b->q, b->q + n, (b->n - n) * sizeof(*b->q));
	b->n -= n;
	b->since = now;
	b->next_at = fmax(b->next_at, now) + (double)n / b->rate;
}

double
bulkline_throttled(
    struct bulkline *b, double retry_after, unsigned tries, double now)
{
	double d = fmin(30, 0.25 * pow(2, b->throttled));

	if (++b->throttled > tries)
		return -1;
	b->seed = b->seed * 1103515245u + 12345u;
	d *= 0.75 + (double)((b->seed >> 8) & 0xffff) / 0x20000;
	d = fmax(d, retry_after);
	b->next_at = fmax(b->next_at, now + d);
	return d;
}

void
bulkline_answered(struct bulkline *b)
{
	b->throttled = 0;
}

double
bulkline_wake(const struct bulkline *b)
{
	if (b->n == 0)
		return 0;
	return fmax(b->next_at, b->since + b->short_wait);
}

void
bulkline_release(struct bulkline *b)
{
	free(b->q);
	memset(b, 0, sizeof(*b));
}
