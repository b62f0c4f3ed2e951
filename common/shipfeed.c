/* A reader thread's lines into the shipper; see shipfeed.h. */
#include <string.h>

#include "exitcode.h"
#include "http.h"
#include "shipfeed.h"

void
shipfeed_init(struct shipfeed *sf, struct shipper *s,
    const struct shipfeed_ops *ops, void *arg)
{
	memset(sf, 0, sizeof(*sf));
	sf->ship = s;
	sf->ops = *ops;
	sf->arg = arg;
	atomic_init(&sf->sleeping, 0);
}

/* The reader's callback, from its thread: a line queued, or the end. */
static void
wake(void *arg)
{
	struct shipfeed *sf = arg;

	if (atomic_load(&sf->sleeping))
		http_wakeup(sf->ship->http);
}

static int
stopping(const struct shipfeed *sf)
{
	return sf->ops.stop && *sf->ops.stop;
}

/*
 * Takes what the reader has queued, up to SHIPFEED_RUN lines, without
 * waiting (see the top). Returns the number of lines in hand.
 */
static size_t
refill(struct shipfeed *sf)
{
	int got;

	if (sf->i == sf->n) {
		feed_recycle(&sf->feed, sf->run, sf->n);
		sf->i = sf->n = 0;
	}
	got = feed_take_many(&sf->feed, sf->run + sf->n, SHIPFEED_RUN - sf->n);
	if (got > 0)
		sf->n += (size_t)got;
	if (got < 0)
		sf->eof = 1;
	return sf->n - sf->i;
}

/* The next line in hand, or NULL when none is yet. */
static struct feed_item *
next_line(struct shipfeed *sf)
{
	if (sf->i == sf->n && refill(sf) == 0)
		return NULL;
	return &sf->run[sf->i++];
}

/*
 * Waits for the network or, when a row can be taken (want), for input
 * too: first a nap of a millisecond, in which lines gather, then a sleep
 * that the reader ends when it queues a line.
 */
static void
idle(struct shipfeed *sf, int want)
{
	struct http *http = sf->ship->http;
	int ms = shipper_wait_ms(sf->ship, 1000);

	if (want) {
		http_poll(http, ms < 1 ? ms : 1);
		if (refill(sf) || sf->eof)
			return;
		atomic_store(&sf->sleeping, 1);
		/* After the flag: a line queued from now on wakes the poll. */
		if (refill(sf) || sf->eof) {
			atomic_store(&sf->sleeping, 0);
			return;
		}
		ms = shipper_wait_ms(sf->ship, 1000);
	}
	http_poll(http, ms);
	atomic_store(&sf->sleeping, 0);
	if (sf->ops.tick)
		sf->ops.tick(sf->arg);
}

int
shipfeed_run(struct shipfeed *sf, int nfiles, char **files, size_t max_line)
{
	struct shipper *s = sf->ship;
	struct feed_item *it;
	int ended = 0;

	if (feed_start(&sf->feed, nfiles, files, max_line, SHIPFEED_QUEUE, wake,
	        sf) < 0)
		return -1;
	while (!stopping(sf)) {
		while (shipper_room(s) && (it = next_line(sf)) != NULL)
			sf->ops.take(sf->arg, it);
		ended = sf->eof && sf->i == sf->n;
		shipper_due(s, ended);
		if (ended && !shipper_busy(s))
			break;
		idle(sf, !ended && shipper_room(s));
	}
	/* The lines in hand, taken or not, back to the feed: none is taken
	 * after a stop. */
	feed_recycle(&sf->feed, sf->run, sf->n);
	sf->i = sf->n = 0;
	if (stopping(sf)) {
		shipper_abort(s, EXIT_UNAVAILABLE, "interrupted");
		return 1;
	}
	feed_release(&sf->feed);
	return 0;
}
