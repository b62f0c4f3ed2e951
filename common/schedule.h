/*
 * The waits of a stage that asks a service the same question until the
 * answer changes (fetch-rtv asking whether a report is built yet): a first
 * wait, each wait after it half as long again as the one before, up to a
 * longest wait, and a deadline after which the stage gives up. Waiting
 * longer each time keeps a slow job from being asked about hundreds of
 * times; the longest wait keeps a job that is done from waiting long to be
 * seen done.
 *
 * The times are on the caller's monotonic clock (http_now()), passed in,
 * so that the schedule is tested without waiting. Allocates nothing.
 */
#ifndef SCHEDULE_H
#define SCHEDULE_H

struct schedule {
	double wait;       /* the wait before the next question */
	double most;       /* the longest wait */
	double give_up_at; /* the deadline, on the caller's clock */
};

/*
 * Starts a schedule: the first wait, the longest (taken as first when first
 * is longer) and the deadline, a time on the caller's clock.
 */
void schedule_init(
    struct schedule *s, double first, double most, double give_up_at);

/*
 * The wait before the next question at the time now: the schedule's wait,
 * or what is left before the deadline when that is less (so the last
 * question goes out at the deadline); -1 when the deadline has come.
 */
double schedule_delay(const struct schedule *s, double now);

/* The answer did not change: the next wait is 1.5 times this one, at most
 * the longest. */
void schedule_stretch(struct schedule *s);

#endif
