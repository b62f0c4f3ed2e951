/*
 * A file that is written whole or not at all: what a stage downloads goes
 * to a temporary file (mode 0600: a report holds people's names and
 * addresses), never to memory, and reaches its destination only once it is
 * complete. With a destination named, the temporary file is beside it (so
 * that the rename stays within one file system) and is renamed onto it;
 * without one, it is in $TMPDIR (else /tmp), unlinked at once so that it
 * is gone when closed whatever happens, and copied to stdout at the end.
 * A download cut short starts again from the start (wholefile_restart), so
 * what reads the output (csv2ndjson) never sees half of one.
 *
 *	struct wholefile w;
 *	wholefile_init(&w);
 *	wholefile_open(&w, path, "fetch-rtv")     (path NULL: stdout)
 *	wholefile_write(&w, p, n) ...              (wholefile_restart)
 *	wholefile_commit(&w)                       (then out_finish() for
 *stdout) wholefile_release(&w);
 *
 * The functions return 0 or a negative number with errno in err and, for
 * a message, the file concerned in where (borrowed, or w's own). Nothing
 * here prints.
 */
#ifndef WHOLEFILE_H
#define WHOLEFILE_H

#include <stddef.h>

#include "buf.h"

struct wholefile {
	const char *path;         /* the destination (borrowed), NULL: stdout */
	int fd;                   /* the temporary file, or -1 */
	char *tmp;                /* its name when renamed at the end (owned) */
	unsigned long long bytes; /* written since the last restart */
	const char *where;        /* after a failure: the file to name */
	int err;                  /* after a failure: its errno, else 0 */
};

/* Sets w up closed; allocates nothing. */
void wholefile_init(struct wholefile *w);

/*
 * Whether path (--output) can be a destination, checked before any work
 * is done: not empty, not a directory (nor a name ending in "/"), not a
 * device or a pipe (the rename would replace it, and /dev/stdout is no way
 * to stdout here). Whether its directory can be written is found by
 * wholefile_open(). Returns 0, or -1 with the reason, which names
 * --output, in why.
 */
int wholefile_check(const char *path, struct buf *why);

/*
 * Creates the temporary file: "PATH.tmp-XXXXXX" beside path (borrowed
 * until wholefile_release), or, for stdout (path NULL),
 * "$TMPDIR/PREFIX-XXXXXX", unlinked at once. Returns 0, or -1 with where
 * set to path or the temporary directory.
 */
int wholefile_open(struct wholefile *w, const char *path, const char *prefix);

/* Empties the file for a download sent again from its start. 0 or -1. */
int wholefile_restart(struct wholefile *w);

/* Appends n bytes at p (counted in bytes, even when cut short). 0 or -1. */
int wholefile_write(struct wholefile *w, const void *p, size_t n);

/*
 * The whole file to its destination: synced, closed and renamed onto path,
 * or copied to stdout with stdio. Returns 0 (for stdout: what was copied
 * is handed to stdio, whose errors out_finish() finds: the caller calls
 * it); -1 when the file cannot be written or renamed (where names which);
 * -2 when the temporary file cannot be read back.
 */
int wholefile_commit(struct wholefile *w);

/* Closes the file and removes a temporary file not renamed; frees. */
void wholefile_release(struct wholefile *w);

/*
 * wholefile_commit(), said as a stage says it: 0 once the file is at its
 * destination (for stdout, also flushed and closed: out_finish()); else
 * EXIT_IOERR after saying what could not be written (diag(): "PATH:
 * cannot write: ..."), or that what was downloaded cannot be read back
 * ("cannot read the downloaded WHAT back: ...").
 */
int wholefile_deliver(struct wholefile *w, const char *what);

#endif
