/* The terminal progress line; see progress.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "progress.h"

/* The display currently drawn, so that diag() can clear it. */
static struct progress *shown;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Formats v with thousands separators into out (at least 32 bytes). */
static void
group(char *out, unsigned long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", v), i, j = 0;

	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = tmp[i];
	}
	out[j] = '\0';
}

void
progress_init(struct progress *p, const char *unit)
{
	const char *env = getenv("SLUICE_PROGRESS");

	memset(p, 0, sizeof(*p));
	diag_before(progress_clear);
	p->unit = unit;
	p->fraction = -1;
	p->active = isatty(STDERR_FILENO);
	if (env && *env)
		p->active = strcmp(env, "0") != 0;
	p->start = p->last = now();
}

void
progress_update(struct progress *p, int force)
{
	char done[32], rate[32], line[160];
	double t, el;
	int n;

	if (!p->active)
		return;
	t = now();
	if (!force && t - p->last < 0.25)
		return;
	p->last = t;
	el = t - p->start;
	group(done, p->done);
	group(rate, el > 0 ? (unsigned long long)((double)p->done / el) : 0);
	n = snprintf(line, sizeof(line), "%s: %s %s  %s/s", diag_stage(), done,
	    p->unit, rate);
	if (p->errors && n > 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n,
		    "  %llu rejected", p->errors);
	if (p->retries && n > 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n,
		    "  %llu retries", p->retries);
	if (p->concurrency && n > 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n,
		    "  concurrency %u", p->concurrency);
	if (p->fraction >= 0 && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, "  %d%%",
		    (int)(p->fraction * 100));
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	shown = p;
}

void
progress_tick(struct progress *p)
{
	p->done++;
	if (p->active && (++p->ticks & 1023) == 0)
		progress_update(p, 0);
}

void
progress_clear(void)
{
	if (shown) {
		fputs("\r\033[K", stderr);
		shown = NULL;
	}
}

void
progress_of(struct progress *p, long long done, long long total)
{
	p->done = done > 0 ? (unsigned long long)done : 0;
	p->fraction = total > 0 && done >= 0 ? (double)done / total : -1;
	if (p->fraction > 1)
		p->fraction = 1;
	progress_update(p, 1);
}

void
progress_done(struct progress *p)
{
	if (shown == p)
		progress_clear();
	p->active = 0;
}
