/*
 * Command-line and output plumbing shared by the stages: sizes like "1MiB",
 * --version, usage errors, and a buffered stdout that is checked at exit.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>

#include "buf.h"

/*
 * Parses a byte size: a number with an optional suffix k, M, G (powers of
 * 1024, "KiB"/"MB" spellings accepted). Returns 0, or -1 when malformed.
 */
int cli_size(const char *s, size_t *out);

/* Parses a non-negative integer no larger than max. 0 or -1. */
int cli_uint(const char *s, unsigned long long max, unsigned long long *out);

/*
 * Parses a number of seconds, a fraction allowed, from 0 to a day
 * (86400). Returns 0, or -1 when malformed or out of that range (*out is
 * then unchanged).
 */
int cli_seconds(const char *s, double *out);

/* The value of the environment variable name when it is set and not
 * empty (borrowed from the environment), else NULL. */
const char *cli_env(const char *name);

/* Prints "STAGE (sluice) VERSION" on stdout. */
void cli_version(void);

/*
 * Prints "STAGE: message", the synopsis and "try 'STAGE --help'" on stderr
 * and returns EXIT_USAGE (64) for the stage to exit with.
 */
int cli_usage_error(const char *synopsis, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Records on stdout. They are gathered in a buffer of our own and written
 * with write(2), so that the count of records that reached stdout whole is
 * known exactly, even when a write fails part of the way through the
 * buffer: stdio cannot say how much of its buffer a failed flush wrote.
 * After a write error nothing more is written (a record after a hole would
 * only mislead the reader), and every record from the one cut short on is
 * counted as lost.
 */

/*
 * Sets stdout up: written a buffer at a time, or after each record when
 * line_buffered is set (--line-buffered).
 */
void out_init(int line_buffered);

/*
 * Writes one record (the bytes of b, which end in its only \n). Returns 0
 * when it was written or buffered, -1 when it will not reach stdout (a
 * write error now or earlier: see out_errno()).
 */
int out_record(const struct buf *b);

/*
 * Writes the records buffered so far now: for a stage that must know at
 * once whether they got out (a delivery stage, before it starts more
 * requests). 0, or -1 after a write error (see out_errno()).
 */
int out_sync(void);

/* The errno of the first write error on stdout, or 0 when none. */
int out_errno(void);

/*
 * Records given to out_record() that did not reach stdout whole: lost to
 * the reader. Final once out_finish() has flushed the buffer.
 */
unsigned long long out_lost(void);

/*
 * Flushes the records and closes stdout (stdio's too, for a stage that
 * wrote there with fwrite), checking for write errors: a full disk is an
 * error. Returns EXIT_OK, or EXIT_IOERR after saying what went wrong when
 * out_record() had not returned -1 for it already.
 */
int out_finish(void);

#endif
