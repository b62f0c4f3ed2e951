/*
 * The line of items waiting for a bulk call (a service that takes many
 * items a request, such as an e-mail API's 50 destinations), and the pace
 * they leave at: a rate of items a second, shared by every call, so that
 * calls in flight together never exceed it, and a backoff after a
 * throttled call that every later call waits for too (no storm of
 * retries: the next call after a 429 waits its Retry-After at least).
 *
 *	struct bulkline b;
 *	bulkline_init(&b, rate, size, short_wait);
 *	bulkline_push(&b, item, 0, now);            a new item at the end
 *	while ((n = bulkline_ready(&b, now, flush)) > 0)
 *		bulkline_take(&b, items, n, now);   ... one call of n items
 *	bulkline_push(&b, item, 1, now);            an item to try again first
 *	delay = bulkline_throttled(&b, retry_after, now);  (-1: out of tries)
 *	bulkline_answered(&b);                      a call went through
 *	wake = bulkline_wake(&b);                   when to look again
 *	bulkline_release(&b);
 *
 * Items are the caller's pointers, kept in order; times are seconds on
 * any monotonic clock the caller uses throughout. Nothing here allocates
 * but the line itself, prints or sleeps.
 */
#ifndef BULKLINE_H
#define BULKLINE_H

#include <stddef.h>

struct bulkline {
	void **q;           /* the items, in order */
	size_t n, cap;      /* held; room for */
	size_t size;        /* items a call at most */
	double rate;        /* items a second (> 0) */
	double short_wait;  /* how long a short call waits for more */
	double since;       /* when the head started waiting */
	double next_at;     /* when the next call may go */
	unsigned throttled; /* throttled calls in a row */
	unsigned seed;      /* the backoff's jitter */
};

/*
 * Sets b up empty: size items a call (at least 1), rate items a second
 * (at least a tiny positive rate), a short call held short_wait seconds
 * for more items to come.
 */
void bulkline_init(
    struct bulkline *b, double rate, size_t size, double short_wait);

/* Adds item at the end, or at the front (front not 0: first to go). */
void bulkline_push(struct bulkline *b, void *item, int front, double now);

/*
 * How many items may go in one call now: 0 when the line is empty or the
 * pace says wait; fewer than size only when flush is set (no more items
 * are coming soon: the input ended, the window is full) or the head has
 * waited short_wait.
 */
size_t bulkline_ready(const struct bulkline *b, double now, int flush);

/*
 * Takes the first n items (n at most bulkline_ready()'s) into out, and
 * counts them against the pace: the next call goes n / rate seconds later.
 */
void bulkline_take(struct bulkline *b, void **out, size_t n, double now);

/*
 * A call was throttled (or failed without effect): the delay before the
 * next call, exponential in the throttled calls in a row (0.25 s, doubled,
 * at most 30 s), at least retry_after, with jitter; every call waits for
 * it. Returns the delay, or -1 once more than tries calls in a row were
 * throttled (the caller stops).
 */
double bulkline_throttled(
    struct bulkline *b, double retry_after, unsigned tries, double now);

/* A call went through: the backoff starts again from its smallest. */
void bulkline_answered(struct bulkline *b);

/*
 * When the line next needs a look (the pace's time, or when a short call
 * stops waiting), or 0 when it is empty.
 */
double bulkline_wake(const struct bulkline *b);

/* Frees the line (not the items). */
void bulkline_release(struct bulkline *b);

#endif
