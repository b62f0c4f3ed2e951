/*
 * A live progress line on stderr, only when stderr is a terminal:
 *
 *	csv2ndjson: 1,204,000 records  402,113/s  3 rejected  41%
 *
 * Ticks are cheap (the clock is read every 1024 ticks), so a stage can tick
 * once per record. Nothing is printed when stderr is not a terminal or
 * SLUICE_PROGRESS=0 is set; SLUICE_PROGRESS=1 forces it on (for tests).
 */
#ifndef PROGRESS_H
#define PROGRESS_H

struct progress {
	int active;
	const char *unit; /* "records" */
	double start, last;
	unsigned long long done, errors, retries;
	unsigned concurrency; /* requests in flight at most now; 0: not shown */
	unsigned ticks;
	double fraction; /* 0..1, or negative when the total is unknown */
};

/* Starts a progress display; unit is borrowed. */
void progress_init(struct progress *p, const char *unit);

/* Counts one more unit done and redraws at most four times a second. */
void progress_tick(struct progress *p);

/* Redraws now if due (call after changing errors, retries, fraction). */
void progress_update(struct progress *p, int force);

/*
 * Shows how far a job that a service works on has come, as the service
 * says, done of total (either -1 when it does not say): done counts from
 * 0, the fraction is shown when the total is known (at most 100%), and the
 * line is redrawn now.
 */
void progress_of(struct progress *p, long long done, long long total);

/* Erases the line for good (before the summary). */
void progress_done(struct progress *p);

/* Erases the live line, if any, so a message can be printed (diag). */
void progress_clear(void);

#endif
