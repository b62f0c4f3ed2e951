/*
 * The number of requests a client keeps in flight, found from the
 * service's answers (--concurrency auto): additive increase while the
 * service keeps its pace, multiplicative decrease when it pushes back,
 * the scheme of TCP's congestion control and of Vector's adaptive request
 * concurrency. Pure arithmetic: the caller gives the times, so that a test
 * can script any sequence of answers.
 *
 * Time is cut in windows about one round trip long (the baseline's mean,
 * at least the first answer's time). Each answer that ends in a window is
 * a sample: its round-trip time, and whether it was back-pressure (a 429,
 * a 503). The first back-pressure of a window cuts the limit at once, to
 * limit x decrease (at least min): a refusal comes back fast and frees its
 * slot, and every request sent in its place until the window's end would
 * be refused too. When an answer ends after the window's end, the window
 * closes and, unless it was cut already, the limit moves once:
 *
 *   - down, to limit x decrease, when the mean round trip of its answers
 *     rose past the baseline's mean + k x its deviation;
 *   - up by one (at most max) when the window's mean round trip was near
 *     the baseline (within one deviation) and the limit was reached during
 *     the window (more requests were waiting than it let out): without
 *     that evidence a higher limit would be a guess;
 *   - else it stays.
 *
 * The baseline is an exponentially weighted moving average (weight alpha)
 * of the windows' mean round trips and of their squared deviation; a
 * window with back-pressure does not move it (its answers came fast
 * because they were refused). The deviation is taken as at least 10% of
 * the mean, so that a service with a very steady latency is not thought
 * slower for a millisecond of noise.
 *
 * After a back-pressure decrease, the limit it happened at is remembered:
 * the additive increase that would bring the limit back to it waits
 * `probe` windows more, so that a service with a hard cap on requests in
 * flight is probed now and then rather than every few windows (fewer
 * 429s for the same pace).
 */
#ifndef AIMD_H
#define AIMD_H

struct aimd {
	/* Settings (aimd_init's defaults; may be changed before use). */
	unsigned min, max; /* the limit's range */
	double decrease;   /* the factor of a decrease, in (0, 1) */
	double alpha;      /* the EWMA's weight of a new window */
	double k;          /* deviations above the mean that mean "slower" */
	unsigned probe;    /* windows to wait before probing the ceiling */

	/* State. */
	double limit;
	double mean, var; /* the baseline */
	int have_base;
	double win_end; /* the current window's end; 0: none open */
	double win_sum; /* round trips of its answers that were not refused */
	unsigned win_n;
	int win_pushback, win_full;
	unsigned ceiling; /* the limit the last back-pressure came at; 0 */
	unsigned waited;  /* windows waited below the ceiling */

	/* What happened, for the summary. */
	unsigned long long ups, downs, pushbacks;
	double t0, tlast, area; /* the limit's integral over time */
};

/*
 * Sets a up with the limit at start, within [1, max] (max 0: 256), and
 * the defaults: decrease 0.9, alpha 0.4, k 2.5, probe 8.
 */
void aimd_init(struct aimd *a, unsigned start, unsigned max);

/*
 * The limit now: requests in flight at most.
 */
unsigned aimd_limit(const struct aimd *a);

/*
 * Tells that a request was held back by the limit at time now (it could
 * have gone out with a higher one).
 */
void aimd_full(struct aimd *a, double now);

/*
 * Tells an answer received at time now, rtt seconds after its request
 * went out; pushback: it was a 429 or a 503. May move the limit (see the
 * top). Returns the limit after it.
 */
unsigned aimd_answer(struct aimd *a, double now, double rtt, int pushback);

/*
 * The limit's mean over time since the first answer (the limit itself
 * before any), at time now.
 */
double aimd_mean_limit(const struct aimd *a, double now);

#endif
