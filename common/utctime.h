/*
 * UTC times as a report API writes them, "YYYY-MM-DD HH:MM:SS", or as ISO
 * 8601 does, "YYYY-MM-DDTHH:MM:SSZ", and the window of such times a fetch
 * stage asks for: [--since, --before).
 *
 * The parse is our own (the proleptic Gregorian calendar, no strptime, no
 * time zone database), so that a time means the same whatever TZ and the
 * locale say: a time given is UTC on every machine.
 */
#ifndef UTCTIME_H
#define UTCTIME_H

#include <time.h>

#include "buf.h"

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar
 * (negative before it): the one calendar every time parse here uses. */
long long utctime_days(long long y, int m, int d);

/* The days of month m (1 to 12) of year y. */
int utctime_month_days(int y, int m);

/* The n decimal digits at s as a number, or -1 when one is not a digit. */
int utctime_digits(const char *s, int n);

/*
 * "YYYY-MM-DD" in the 10 bytes at s (no NUL needed): a real date, its day
 * number (utctime_days) into *days. 0, or -1 with *days unchanged.
 */
int utctime_date(const char *s, long long *days);

/* The size of "YYYY-MM-DD HH:MM:SS" with its NUL. */
#define UTCTIME_SIZE 20

/*
 * Parses "YYYY-MM-DD HH:MM:SS" (UTC) or "YYYY-MM-DDTHH:MM:SSZ", a real date
 * and time from 1970 on (no leap second), into seconds since the epoch.
 * Returns 0, or -1 (*out unchanged) for anything else.
 */
int utctime_parse(const char *s, time_t *out);

/* Writes t as "YYYY-MM-DD HH:MM:SS" in UTC, the APIs' form, into out. */
void utctime_format(time_t t, char out[UTCTIME_SIZE]);

/*
 * The window [*since, *before) from the options --since and --before
 * (since_arg and before_arg, NULL when not given), at the time now: before
 * defaults to now, since to len seconds before before. Returns 0 with both
 * set; or -1 with the reason in why, which names the option, checked in
 * this order: a time that does not parse (--before first), a time after
 * now (no service has records from the future, and a window still open
 * would miss those to come with nothing to say so), a window that is
 * empty. *since and *before are then not to be used.
 */
int utctime_window(const char *since_arg, const char *before_arg, time_t len,
    time_t now, time_t *since, time_t *before, struct buf *why);

#endif
