/*
 * replay: the batches post-quasar spooled (spool.h) sent again, in the
 * order they were spooled (post-quasar --replay DIR).
 *
 * replay_open() takes the spool's lock (spool_lock: two replays never
 * send the same batch), removes the sidecars a writer killed in between
 * left without a body (spool_clean) and lists the batches. replay_run()
 * then, with create set, makes the table of the batches first, each table
 * once where the batches change from one to another
 * (shipper_create_table(), or the statement its sidecar keeps for a
 * table of another layout), and sends the batches through the shipper, at
 * most its flight at once: each is loaded with its sidecar, its rows given
 * their record_hash when an older post-quasar spooled them
 * (quasar_upgrade_rows()), posted to the URL given or else to the one its
 * sidecar names, and removed from the spool once the server took it, and
 * not before. A batch that cannot be loaded or upgraded (damaged) stays in
 * the spool and the others go on. The first batch that fails stops the
 * shipper (shipper.h): the batches on the wire end, and those after it
 * stay in the spool unsent; so does a signal (stop).
 *
 * Nothing here prints: what happens is told through the told callback,
 * for the stage to say.
 *
 *	struct replay rp;
 *	replay_init(&rp, &ship, http, &shipper_opts, &replay_opts);
 *	if (replay_open(&rp, &err) == 0)
 *		replay_run(&rp);
 *	... rp.sent and rp.rows sent, rp.n - rp.sent left in the spool ...
 *	replay_release(&rp);
 *	shipper_release(&ship);
 */
#ifndef REPLAY_H
#define REPLAY_H

#include <signal.h>
#include <stddef.h>

#include "buf.h"
#include "http.h"
#include "shipper.h"
#include "spool.h"

/* What told() is told, with its text. */
enum replay_event {
	REPLAY_SENT,      /* the server took a batch and it left the spool
	                     (text: its name); sent and rows count it */
	REPLAY_STOPPED,   /* a batch failed, or a table could not be made
	                     (text: why): the shipper stopped, the batches
	                     left stay in the spool */
	REPLAY_DAMAGED,   /* a batch cannot be sent as it is (text: "NAME:
	                     what is wrong"): it stays in the spool;
	                     EXIT_DATAERR */
	REPLAY_UNREMOVED, /* the server took a batch that cannot be removed
	                     from the spool (text: why); EXIT_IOERR */
};

struct replay_opts {
	const char *dir; /* the spool (borrowed) */
	const char *url; /* the target over the sidecars' one, or NULL */
	int create;      /* --create-table: the batches' tables first */
	/* Nonzero (a signal's flag): no more batch is sent. May be NULL. */
	const volatile sig_atomic_t *stop;
	void (*told)(void *arg, enum replay_event ev, const char *text);
	/*
	 * Called after each batch ended, once told() has been, and after
	 * each wait for the network: for a progress line. May be NULL.
	 */
	void (*tick)(void *arg);
	void *arg;
	int keys; /* each batch's rows' keys in its keys (--seen) */
};

/* A batch on its way, beside its ship_batch (the same index). */
struct replay_slot {
	struct spool_meta meta; /* its sidecar (owned strings) */
	struct buf name;        /* its name in the spool */
};

struct replay {
	struct replay_opts o;
	struct shipper *ship; /* borrowed */
	struct replay_slot slot[SHIP_SLOTS];
	char **names; /* the batches listed, in order (owned) */
	size_t n;
	int lock;                /* the spool's lock, or -1 */
	unsigned long long sent; /* batches taken and removed */
	unsigned long long rows; /* their rows */
	int status;              /* EXIT_DATAERR, EXIT_IOERR, or 0 */
	/* While told(REPLAY_SENT) runs: the batch and its sidecar. With
	 * o.keys set, the batch's keys are its rows' (quasar_row_keys()),
	 * or none when they cannot be read. */
	const struct ship_batch *last_batch;
	const struct spool_meta *last_meta;
};

/*
 * Sets rp up, and the shipper s (the stage's: its retries and its stop
 * are the stage's to read) with shipper_init(s, http, so, ...) and a
 * callback of rp's own. o is copied; what it points to is borrowed.
 * Release rp before s.
 */
void replay_init(struct replay *rp, struct shipper *s, struct http *http,
    const struct shipper_opts *so, const struct replay_opts *o);

/*
 * Takes the spool's lock, waiting for another replay to let go of it,
 * cleans the spool and lists its batches (rp->n). Returns 0;
 * EXIT_NOINPUT when the directory does not exist (err is left as it
 * was); or EXIT_IOERR with "PATH: what went wrong" in err.
 */
int replay_open(struct replay *rp, struct buf *err);

/*
 * Sends the batches listed (see the top) and returns once none is on the
 * wire: all sent, the shipper stopped, or o->stop set. What went wrong is
 * in rp->status and the shipper's stopped.
 */
void replay_run(struct replay *rp);

/*
 * Lets go of the lock and frees what rp holds; rp is zeroed. A zeroed rp
 * (never set up) may be released too.
 */
void replay_release(struct replay *rp);

#endif
