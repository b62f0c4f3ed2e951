/*
 * evtime: an event's time (analytics/README.md) as UTC milliseconds since
 * the epoch, and back.
 *
 * An event's time is RFC 3339: "YYYY-MM-DDThh:mm:ss", at most three
 * fraction digits after a dot, then "Z" or an offset "+hh:mm" / "-hh:mm"
 * ("T" and "Z" may be lower-case, as RFC 3339 allows). The date must be a
 * real one (the proleptic Gregorian calendar; no leap second), the offset
 * at most 23:59. Nothing else is read as a time: no missing seconds, no
 * fourth fraction digit, no space for the T. Our own arithmetic, no time
 * zone database, so a time means the same on every machine.
 */
#ifndef EVTIME_H
#define EVTIME_H

#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDThh:mm:ss.sssZ" and its NUL. */
#define EVTIME_ISO_SIZE 25
/* "YYYY-MM-DD hh:mm:ss" and its NUL. */
#define EVTIME_BUCKET_SIZE 20

/* Parses the n bytes at s. Returns 0 with *ms set, or -1 (*ms unchanged). */
int evtime_parse(const char *s, size_t n, int64_t *ms);

/* Writes ms as "YYYY-MM-DDThh:mm:ss.sssZ" (years 0 to 9999). */
void evtime_iso(int64_t ms, char out[EVTIME_ISO_SIZE]);

/* Writes the second of ms as "YYYY-MM-DD hh:mm:ss", the warehouse's form. */
void evtime_bucket(int64_t ms, char out[EVTIME_BUCKET_SIZE]);

/* The start of ms's bucket of step milliseconds (step > 0), aligned to the
 * epoch: the largest multiple of step not after ms. */
int64_t evtime_floor(int64_t ms, int64_t step);

/*
 * Parses a bucket's start as a costs file gives it: "YYYY-MM-DD" (midnight)
 * or "YYYY-MM-DD hh:mm:ss" (or with a T), UTC. 0 or -1.
 */
int evtime_parse_bucket(const char *s, size_t n, int64_t *ms);

#endif
