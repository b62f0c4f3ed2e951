/*
 * shipfeed: the input of a stage that ships rows (post-quasar), read by a
 * reader thread (feed.h) while the shipper's batches are on the wire
 * (shipper.h). One loop takes lines while a row can be added, seals the
 * open batch when it is due, and in between waits for the network, or
 * for the input too when a row could be taken.
 *
 * Lines are taken from the reader in runs of up to SHIPFEED_RUN, without
 * waiting, so that the reader refills its queue while they are handled
 * instead of the two threads waking each other for every line. A wait is
 * first a nap of a millisecond, in which lines gather, then a sleep in
 * http_poll() that the network ends, or the open batch's interval, or the
 * reader when it queues a line: it wakes the client only while the loop
 * sleeps, not for every line.
 *
 *	static struct shipfeed sf;   (static: see shipfeed_run())
 *	shipfeed_init(&sf, &ship, &ops, arg);
 *	rc = shipfeed_run(&sf, nfiles, files, max_line);
 */
#ifndef SHIPFEED_H
#define SHIPFEED_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>

#include "feed.h"
#include "shipper.h"

#define SHIPFEED_QUEUE 256 /* lines read ahead by the reader thread */
#define SHIPFEED_RUN 64    /* lines taken from the reader at once */

struct shipfeed_ops {
	/*
	 * Takes one item of the reader's: a line, whose row it adds to the
	 * shipper (shipper_room() said there is room), or a file's error
	 * (FEED_ERROR), to report. it->text stays the feed's: it is given
	 * back to the reader after the take (feed_recycle()). Required.
	 */
	void (*take)(void *arg, struct feed_item *it);
	/* Called after each wait: for a progress line. May be NULL. */
	void (*tick)(void *arg);
	/* Nonzero (a signal's flag): stop reading. May be NULL. */
	const volatile sig_atomic_t *stop;
};

struct shipfeed {
	struct feed feed;
	struct shipper *ship; /* borrowed; its client is the one waited on */
	struct shipfeed_ops ops;
	void *arg;
	struct feed_item run[SHIPFEED_RUN]; /* lines taken from the reader */
	size_t i, n;                        /* run[i..n) are still to take */
	int eof;                            /* the reader is through */
	atomic_int sleeping;                /* the loop waits in http_poll() */
};

/* Sets sf up to feed the shipper s (borrowed); ops is copied. */
void shipfeed_init(struct shipfeed *sf, struct shipper *s,
    const struct shipfeed_ops *ops, void *arg);

/*
 * Reads the files (stdin when nfiles is 0; "-" is stdin too), lines of at
 * most max_line bytes, handing each item to ops->take, until the input has
 * ended and every batch has ended (sealed at the end of the input
 * whatever its interval). Returns 0 then, the reader stopped and freed;
 * -1 when the reader thread cannot start; 1 when ops->stop was set: the
 * batches in hand then end as failed (shipper_abort(), EXIT_UNAVAILABLE,
 * "interrupted") and the reader is left as it is, since it may be waiting
 * on a terminal for good. The reader may still call on sf then, so sf
 * must stay valid until the process exits (a static); feed_release(
 * &sf->feed) stops and frees it when the caller knows it will end (a
 * test reading a file).
 */
int shipfeed_run(
    struct shipfeed *sf, int nfiles, char **files, size_t max_line);

#endif
