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

/* Prints "STAGE (sluice) VERSION" on stdout. */
void cli_version(void);

/*
 * Prints "STAGE: message", the synopsis and "try 'STAGE --help'" on stderr
 * and returns EXIT_USAGE (64) for the stage to exit with.
 */
int cli_usage_error(const char *synopsis, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Sets stdout up: fully buffered with a large buffer, or flushed after each
 * record when line_buffered is set (--line-buffered).
 */
void out_init(int line_buffered);

/* Writes one record (the bytes of b, which end in \n). 0 or -1. */
int out_record(const struct buf *b);

/*
 * Flushes and closes stdout, checking for write errors (a full disk is an
 * error). Returns EXIT_OK, or prints the error and returns EXIT_IOERR.
 */
int out_finish(void);

#endif
