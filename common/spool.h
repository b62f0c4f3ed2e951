/*
 * The spool: batches post-quasar could not deliver, kept on disk with what
 * it takes to send them again (post-quasar --replay DIR).
 *
 * A spooled batch is two files in the spool directory:
 *
 *	batch-20261122T100000Z-4242-000001.body   the request body, as it
 *	                                          was to be sent: the rows
 *	                                          (the sidecar's "format")
 *	                                          compressed (its
 *	                                          "encoding": ClickHouse's
 *	                                          LZ4 blocks, or gzip)
 *	batch-20261122T100000Z-4242-000001.json   the sidecar: one JSON
 *	                                          object (struct spool_meta)
 *
 * A post-quasar older than RowBinary rows named the body NAME.ndjson.gz
 * whatever it held; such a body is read, listed and removed as well.
 *
 * The name is the UTC time of spooling, the writer's process id and a
 * sequence number, so names sort in the order batches were spooled and two
 * writers never pick the same one. Each file is written under a temporary
 * name starting with ".tmp-", fsync'd, then renamed into place, and the
 * directory is fsync'd: a file under its final name is always complete.
 * The sidecar goes first and the body last, so the body's rename is the
 * moment the batch is spooled; a sidecar without its body (a writer killed
 * in between) is not a batch and is ignored (and removed by a replay).
 *
 * A batch is removed body first, then sidecar, and only by the caller,
 * after the server confirmed it. A replay holds an exclusive lock on the
 * directory's ".lock" file (spool_lock), so two replays never send the
 * same batch at once.
 *
 * The functions return 0 or -1 and put "PATH: what went wrong" in err;
 * they never print.
 */
#ifndef SPOOL_H
#define SPOOL_H

#include <stddef.h>

#include "buf.h"

#define SPOOL_BODY_SUFFIX ".body"
#define SPOOL_OLD_BODY_SUFFIX ".ndjson.gz"
#define SPOOL_META_SUFFIX ".json"

/*
 * The sidecar's "version": 2 since a JSONEachRow row carries record_hash
 * (quasar.h); a sidecar of version 1 (or none) was written by an older
 * post-quasar, whose rows lack it.
 */
#define SPOOL_VERSION 2

/*
 * What a batch needs to be sent again, and what a person looking at the
 * spool wants to know. Strings are borrowed when writing; spool_load()
 * fills them with copies that spool_meta_release() frees.
 */
struct spool_meta {
	char *format;   /* the rows': "rowbinary" (ClickHouse, the raw
	                   layout's since RowBinary), "jsoneachrow"
	                   (ClickHouse: the other layouts', and the raw one's
	                   before), or "ndjson" */
	char *url;      /* the target: ClickHouse's base URL, or the whole
	                   URL for ndjson; credentials never stored */
	char *table;    /* ClickHouse: the table, else NULL */
	char *query;    /* ClickHouse: the INSERT query, else NULL */
	char *layout;   /* ClickHouse: the rows' layout (qlayout.h), NULL
	                   for raw */
	char *ddl;      /* the table's CREATE statement when it is not the
	                   raw layout's, for --replay --create-table */
	char *from;     /* "FILE:LINE" of the batch's first record */
	char *to;       /* and of its last */
	char *reason;   /* why it was spooled */
	char *spooled;  /* when, "YYYY-MM-DDThh:mm:ssZ" (set on writing) */
	char *encoding; /* the body's codec, "gzip" or "lz4" (shipcodec.h);
	                   NULL, and a sidecar without it, are gzip */
	unsigned long long version; /* set on writing (SPOOL_VERSION) */
	unsigned long long records; /* rows in the body */
	unsigned long long bytes;   /* the body's size uncompressed */
	unsigned long long size;    /* the body file's size (compressed) */
};

/*
 * Creates dir when it does not exist (mode 0700; not its parents). 0 or
 * -1.
 */
int spool_mkdir(const char *dir, struct buf *err);

/*
 * Spools one batch: its n-byte body and meta (size and spooled are set
 * from the body and the clock, version to SPOOL_VERSION). The name chosen
 * (without the directory and suffix, "batch-...") goes into name when not NULL.
 * 0 or -1 (nothing is left under a final name on failure).
 */
int spool_put(const char *dir, const struct spool_meta *meta, const void *body,
    size_t n, struct buf *name, struct buf *err);

/*
 * Lists the batches in dir: the names ("batch-...", without suffix) of
 * bodies that have a sidecar, sorted, in *names (an array of n owned
 * strings: free each and the array; NULL when n is 0). Sidecars without a
 * body are counted in *orphans when it is not NULL. 0 or -1.
 */
int spool_list(const char *dir, char ***names, size_t *n, size_t *orphans,
    struct buf *err);

/*
 * Reads a batch's sidecar into meta (owned strings) and its body into body
 * (replacing what it held; body NULL: the sidecar only). Fails when the
 * sidecar is not a valid one or the body's size is not the size it gives.
 * 0 or -1.
 */
int spool_load(const char *dir, const char *name, struct spool_meta *meta,
    struct buf *body, struct buf *err);

/* Frees what spool_load() put in meta and zeroes it. */
void spool_meta_release(struct spool_meta *meta);

/*
 * Removes a batch (body first, then sidecar) and syncs the directory. 0 or
 * -1.
 */
int spool_remove(const char *dir, const char *name, struct buf *err);

/* Removes sidecars that have no body (see the top). 0 or -1. */
int spool_clean(const char *dir, struct buf *err);

/*
 * Takes the directory's replay lock, waiting for another holder to let
 * go. Returns the descriptor to close to let go of it, or -1.
 */
int spool_lock(const char *dir, struct buf *err);

#endif
