/*
 * shiprun: what becomes of the batches of a run of post-quasar, and what
 * the run says of them. A batch the server took is counted, and its rows'
 * keys (shipper_add_keyed()) go to the run's ledger of hashes when it has
 * one (--seen, hashledger.h): only then, so the ledger never holds a row
 * the table may lack. A batch that failed goes to the spool with its
 * sidecar (shipper_spool()), and so does every later one; the first
 * failure is said once, with where the batches go from then on. At the
 * end the run's summary line counts it all:
 *
 *	post-quasar: rows sent=N spooled=N batches sent=N spooled=N
 *	    retries=N skipped=N requests=N
 *
 * (one line): rows and batches the server took or that went to the spool,
 * the tries made again, the records not shipped since the ledger had
 * them (or the run had shipped the same record already), and every
 * request put on the wire (http_requests()). Messages go through diag(),
 * as deliver.h's do.
 *
 *	shiprun_init(&run, spool_dir, NULL, &meta);  (meta: the sidecars')
 *	shipper_init(&ship, http, &so, ended, ...);  ended calls shiprun_ended()
 *	... shiprun_summary(&run, &ship, http, what); shiprun_release(&run);
 */
#ifndef SHIPRUN_H
#define SHIPRUN_H

#include "hashledger.h"
#include "http.h"
#include "replay.h"
#include "shipper.h"
#include "spool.h"

struct shiprun {
	const char *spool;        /* where failed batches go (borrowed) */
	const char *replay;       /* a replay's spool (borrowed), or NULL */
	struct spool_meta meta;   /* the failed batches' sidecar (borrowed
	                             strings, but url: owned, redacted) */
	struct hashledger ledger; /* --seen (shiprun_seen()) */
	struct hashledger *seen;  /* &ledger once open, else NULL */
	char *seen_table;         /* a replay's: the ledger's table */
	int seen_broken;          /* an append failed: no more */
	int told;                 /* the first failure was said */
	int status;               /* EXIT_IOERR when a write failed, or 0 */
	unsigned long long rows_sent, batches_sent;
	unsigned long long rows_spooled, batches_spooled;
	unsigned long long skipped; /* records the ledger knew */
};

/*
 * Sets r up: failed batches go to spool with the sidecar m (format,
 * table, query as given, borrowed; url copied without its credentials,
 * quasar_redact(); may be NULL). replay names the spool a replay reads
 * instead (its batches are not spooled again, only left there).
 */
void shiprun_init(struct shiprun *r, const char *spool, const char *replay,
    const struct spool_meta *m);

void shiprun_release(struct shiprun *r);

/*
 * Opens the ledger at path (--seen) for table at url: its label is
 * "post-quasar table=T url=U", U without credentials, so that a ledger
 * never keeps records from another table or another warehouse. 0, or an
 * exit status after saying what is wrong (65: not such a ledger, or one
 * of another table or URL; 74).
 */
int shiprun_seen(
    struct shiprun *r, const char *path, const char *table, const char *url);

/*
 * The keys of batch b, which the server took, to the ledger (when open).
 * A failure is said once, and EXIT_IOERR goes to status: the rows sent
 * from then on are not recorded, and the next run ships them again.
 */
void shiprun_remember(struct shiprun *r, const struct ship_batch *b);

/*
 * A replayed batch b the server took, whose sidecar is m: its keys to the
 * ledger at path of its table (at url, else the sidecar's), opened for
 * the first batch with a table; a batch of another table than that one
 * is not recorded (the next import ships its rows again).
 */
void shiprun_replayed(struct shiprun *r, const char *path,
    const struct ship_batch *b, const struct spool_meta *m, const char *url);

/*
 * Says, once, that delivery stopped (why) and where batches go now: the
 * spool, or for a replay that the batches left stay in its spool.
 */
void shiprun_stop(struct shiprun *r, const char *why);

/*
 * What the shipper's callback does with batch b: status 0, counted and
 * its keys appended to the ledger (a failure said, and EXIT_IOERR in
 * status); else the stop said and the batch spooled.
 */
void shiprun_ended(
    struct shiprun *r, struct ship_batch *b, int status, const char *why);

/*
 * The tries made again (the shipper's and the client's) and the summary
 * line above, then, when batches were spooled, how to send them ("...
 * once WHAT takes them"; create: the command makes the table), and the
 * ledger synced (a failure said, EXIT_IOERR in status).
 */
unsigned long long shiprun_retries(
    const struct shipper *s, const struct http *h);
void shiprun_summary(struct shiprun *r, const struct shipper *s,
    const struct http *h, const char *what, int create);

/* The ledger synced (fsync), when open; a failure said, 74 in status. */
void shiprun_sync(struct shiprun *r);

/*
 * What a replay (replay.h) tells, as post-quasar says it: a batch sent is
 * counted (rows_sent, batches_sent from rp's counts) and, with seen (the
 * ledger's path), its keys recorded (shiprun_replayed(), url the target
 * given or NULL); a stop said (shiprun_stop()); a damaged or unremoved
 * batch said.
 */
void shiprun_replay_told(struct shiprun *r, const struct replay *rp,
    enum replay_event ev, const char *text, const char *seen, const char *url);

/*
 * post-quasar --replay: opens rp's spool, sends every batch
 * (replay_run()), syncs the ledger, says the replay's line
 *
 *	post-quasar: replay: batches sent=N rows=N left=N requests=N
 *
 * and how to send what is left, and lets go of the spool
 * (replay_release()). Returns the exit status: 66 without the spool,
 * 128 + the signal when *stop was set, else the worst of the replay's,
 * the ledger's and the shipper's stop.
 */
int shiprun_replay(struct shiprun *r, struct replay *rp, const struct http *h,
    const volatile sig_atomic_t *stop);

#endif
