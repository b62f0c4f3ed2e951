/* Requests in flight found from the answers' pace; see aimd.h. */
#include <math.h>
#include <string.h>

#include "aimd.h"

#define DEV_FLOOR 0.10 /* the deviation, at least this share of the mean */

void
aimd_init(struct aimd *a, unsigned start, unsigned max)
{
	memset(a, 0, sizeof(*a));
	a->min = 1;
	a->max = max ? max : 256;
	a->decrease = 0.9;
	a->alpha = 0.4;
	a->k = 2.5;
	a->probe = 8;
	if (start < a->min)
		start = a->min;
	if (start > a->max)
		start = a->max;
	a->limit = start;
}

unsigned
aimd_limit(const struct aimd *a)
{
	return (unsigned)a->limit;
}

void
aimd_full(struct aimd *a, double now)
{
	(void)now;
	a->win_full = 1;
}

/* The limit's integral over time, up to now. */
static void
account(struct aimd *a, double now)
{
	if (a->tlast == 0) {
		a->t0 = a->tlast = now;
		return;
	}
	if (now > a->tlast) {
		a->area += a->limit * (now - a->tlast);
		a->tlast = now;
	}
}

double
aimd_mean_limit(const struct aimd *a, double now)
{
	double area = a->area;

	if (a->tlast == 0 || now <= a->t0)
		return a->limit;
	if (now > a->tlast)
		area += a->limit * (now - a->tlast);
	return area / (now - a->t0);
}

static double
deviation(const struct aimd *a)
{
	double d = sqrt(a->var);

	return d > a->mean * DEV_FLOOR ? d : a->mean * DEV_FLOOR;
}

static void
down(struct aimd *a)
{
	double l = floor(a->limit * a->decrease);

	if (l < a->min)
		l = a->min;
	if (l < a->limit)
		a->downs++;
	a->limit = l;
}

static void
up(struct aimd *a)
{
	unsigned l = aimd_limit(a);

	if (l >= a->max)
		return;
	/* The step back to where the service pushed back waits. */
	if (a->ceiling && l + 1 >= a->ceiling && a->waited++ < a->probe)
		return;
	a->waited = 0;
	a->limit = l + 1;
	a->ups++;
	/* Past the ceiling: the service takes more now; probe at the pace. */
	if (a->ceiling && a->limit > a->ceiling)
		a->ceiling = 0;
}

/* The window is over: the limit moves once, the baseline learns. */
static void
close_window(struct aimd *a)
{
	double cur = a->win_n ? a->win_sum / a->win_n : 0;

	if (a->win_pushback) {
		/* Cut already, at the first refusal (aimd_answer). */
	} else if (a->win_n && a->have_base &&
	           cur > a->mean + a->k * deviation(a)) {
		down(a);
	} else if (a->win_n && a->win_full &&
	           (!a->have_base || cur <= a->mean + deviation(a))) {
		up(a);
	}
	if (a->win_n && !a->win_pushback) {
		if (!a->have_base) {
			a->mean = cur;
			a->var = 0;
			a->have_base = 1;
		} else {
			double diff = cur - a->mean;

			a->mean += a->alpha * diff;
			a->var =
			    (1 - a->alpha) * (a->var + a->alpha * diff * diff);
		}
	}
	a->win_sum = 0;
	a->win_n = 0;
	a->win_pushback = 0;
	a->win_full = 0;
}

unsigned
aimd_answer(struct aimd *a, double now, double rtt, int pushback)
{
	account(a, now);
	if (a->win_end == 0)
		a->win_end = now; /* the first answer closes the first window */
	if (pushback && !a->win_pushback) {
		/* At once, not at the window's end: a refusal comes back fast
		 * and frees its slot, and each request sent in its place would
		 * be refused too until the window ends. */
		a->win_pushback = 1;
		a->pushbacks++;
		a->ceiling = aimd_limit(a);
		a->waited = 0;
		down(a);
	} else if (pushback) {
		/* Once a window. */
	} else if (rtt >= 0) {
		a->win_sum += rtt;
		a->win_n++;
	}
	if (now >= a->win_end) {
		close_window(a);
		a->win_end = now + (a->have_base ? a->mean : rtt > 0 ? rtt : 0);
	}
	return aimd_limit(a);
}
