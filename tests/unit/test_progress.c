/*
 * Unit tests for common/progress.c: nothing drawn with SLUICE_PROGRESS=0
 * or when stderr is not a terminal; with SLUICE_PROGRESS=1 a drawn line
 * starts with "\r\033[K" and holds the stage name, the count with
 * thousands separators, the rejects, the retries, the concurrency (when
 * set) and the percentage; ticks
 * redraw only every 1024; progress_done and diag() erase the line; a job
 * is shown done of total, either unknown. stderr is redirected to a
 * temporary file for each check and restored after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "capture.h"
#include "diag.h"
#include "harness.h"
#include "progress.h"

#define ERASE "\r\033[K"

/* Draws p once with done set to n and returns the line (without ERASE). */
static void
draw(unsigned long long n, double fraction, struct buf *got)
{
	struct progress p;

	progress_init(&p, "records");
	p.done = n;
	p.fraction = fraction;
	if (capture_begin() != 0) {
		harness_failed_checks++;
		return;
	}
	progress_update(&p, 1);
	progress_done(&p);
	capture_end(got);
}

/* Checks that the line drawn for n records shows want, e.g. "1,234". */
static void
check_count(unsigned long long n, const char *want, int line)
{
	struct buf got = BUF_INIT;
	struct buf expect = BUF_INIT;

	buf_printf(&expect, ERASE "prog: %s records  ", want);
	draw(n, -1, &got);
	if (got.data == NULL ||
	    strncmp(got.data, expect.data, expect.len) != 0) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: got \"%s\", want it to start \"%s\"\n",
		    __FILE__, line, got.data ? got.data : "(null)",
		    expect.data);
	}
	buf_release(&got);
	buf_release(&expect);
}

#define CHECK_COUNT(n, want) check_count((n), (want), __LINE__)

/* Whether s starts with prefix, or ends with suffix. */
static int
starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
ends(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, k = strlen(suffix);

	return s != NULL && n >= k && strcmp(s + n - k, suffix) == 0;
}

TEST(off_prints_nothing)
{
	struct buf got = BUF_INIT;
	struct progress p;
	int i;

	CHECK(setenv("SLUICE_PROGRESS", "0", 1) == 0);
	progress_init(&p, "records");
	CHECK(!p.active);
	CHECK(capture_begin() == 0);
	progress_update(&p, 1);
	p.last = p.start - 10;
	for (i = 0; i < 2048; i++)
		progress_tick(&p);
	progress_done(&p);
	diag(NULL, 0, "msg");
	capture_end(&got);
	CHECK(p.done == 2048); /* still counted */
	CHECK_STR(got.data, "prog: msg\n");
	buf_release(&got);
}

TEST(not_a_terminal_prints_nothing)
{
	struct buf got = BUF_INIT;
	struct progress p;

	/* Without the variable, a file on stderr means no display. */
	CHECK(unsetenv("SLUICE_PROGRESS") == 0);
	CHECK(capture_begin() == 0);
	progress_init(&p, "records");
	progress_update(&p, 1);
	progress_done(&p);
	capture_end(&got);
	CHECK(!p.active);
	CHECK_STR(got.data, "");
	buf_release(&got);
}

TEST(forced_line)
{
	struct buf got = BUF_INIT;
	const char *rate;

	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	draw(1234567, -1, &got);
	CHECK(starts(got.data, ERASE "prog: 1,234,567 records  "));
	/* Then the rate, a grouped number and "/s", then the erase. */
	rate = got.data + strlen(ERASE "prog: 1,234,567 records  ");
	CHECK(*rate >= '0' && *rate <= '9');
	CHECK(strstr(rate, "/s" ERASE) != NULL);
	CHECK(strstr(got.data, "rejected") == NULL);
	CHECK(strstr(got.data, "retries") == NULL);
	CHECK(strstr(got.data, "concurrency") == NULL);
	CHECK(strchr(got.data, '%') == NULL);
	CHECK(strchr(got.data, '\n') == NULL);
	buf_release(&got);
}

TEST(concurrency_shown)
{
	struct buf got = BUF_INIT;
	struct progress p;

	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	progress_init(&p, "records");
	p.done = 10;
	p.concurrency = 24; /* --concurrency auto's limit now */
	CHECK(capture_begin() == 0);
	progress_update(&p, 1);
	progress_done(&p);
	capture_end(&got);
	CHECK(strstr(got.data, "  concurrency 24") != NULL);
	buf_release(&got);
}

TEST(thousands_separators)
{
	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	CHECK_COUNT(0, "0");
	CHECK_COUNT(7, "7");
	CHECK_COUNT(999, "999");
	CHECK_COUNT(1000, "1,000");
	CHECK_COUNT(12345, "12,345");
	CHECK_COUNT(100000, "100,000");
	CHECK_COUNT(1234567, "1,234,567");
	CHECK_COUNT(18446744073709551615ULL, "18,446,744,073,709,551,615");
}

TEST(rejects_retries_percent)
{
	struct buf got = BUF_INIT;
	struct progress p;

	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	progress_init(&p, "records");
	p.done = 2000;
	p.errors = 3;
	p.retries = 2;
	p.fraction = 0.5;
	CHECK(capture_begin() == 0);
	progress_update(&p, 1);
	progress_done(&p);
	capture_end(&got);
	CHECK(starts(got.data, ERASE "prog: 2,000 records  "));
	CHECK(ends(got.data, "/s  3 rejected  2 retries  50%" ERASE));
	buf_release(&got);
}

TEST(percent_alone)
{
	struct buf got = BUF_INIT;

	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	draw(10, 0.0, &got);
	CHECK(ends(got.data, "/s  0%" ERASE));
	buf_release(&got);
	draw(10, 1.0, &got);
	CHECK(ends(got.data, "/s  100%" ERASE));
	buf_release(&got);
	draw(10, 0.41, &got);
	CHECK(ends(got.data, "/s  41%" ERASE));
	buf_release(&got);
}

TEST(unit_name)
{
	struct buf got = BUF_INIT;
	struct progress p;

	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	diag_init("ch-load");
	progress_init(&p, "rows");
	p.done = 42;
	CHECK(capture_begin() == 0);
	progress_update(&p, 1);
	progress_done(&p);
	capture_end(&got);
	CHECK(starts(got.data, ERASE "ch-load: 42 rows  "));
	buf_release(&got);
	diag_init("prog");
}

TEST(done_erases)
{
	struct buf got = BUF_INIT;
	struct progress p;

	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	progress_init(&p, "records");
	p.done = 1;
	CHECK(capture_begin() == 0);
	progress_update(&p, 1);
	progress_done(&p);
	/* Once erased, nothing more: not drawn again, nor erased again. */
	progress_update(&p, 1);
	progress_done(&p);
	progress_clear();
	diag(NULL, 0, "summary");
	capture_end(&got);
	CHECK(!p.active);
	CHECK(starts(got.data, ERASE "prog: 1 records  "));
	CHECK(ends(got.data, "/s" ERASE "prog: summary\n"));
	CHECK(count(got.data, ERASE) == 2);
	buf_release(&got);
}

TEST(diag_erases_first)
{
	struct buf got = BUF_INIT;
	struct progress p;

	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	progress_init(&p, "records");
	CHECK(capture_begin() == 0);
	progress_update(&p, 1);
	diag("f", 2, "oops");
	/* The line was already erased: progress_done erases nothing more. */
	progress_done(&p);
	capture_end(&got);
	CHECK(starts(got.data, ERASE "prog: 0 records  "));
	CHECK(ends(got.data, "/s" ERASE "prog: f:2: oops\n"));
	CHECK(count(got.data, ERASE) == 2);
	buf_release(&got);
}

TEST(unforced_waits)
{
	struct buf got = BUF_INIT;
	struct progress p;

	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	progress_init(&p, "records");
	CHECK(p.active);
	CHECK(p.fraction < 0);
	CHECK(capture_begin() == 0);
	/* Just started: a redraw is not due for a quarter second. */
	progress_update(&p, 0);
	capture_end(&got);
	CHECK_STR(got.data, "");
	buf_release(&got);
	progress_done(&p);
}

TEST(ticks_redraw_every_1024)
{
	struct buf got = BUF_INIT;
	struct progress p;
	int i;

	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	progress_init(&p, "records");
	/* Make a redraw due, so only the tick count decides. */
	p.last = p.start - 10;
	CHECK(capture_begin() == 0);
	for (i = 0; i < 1023; i++)
		progress_tick(&p);
	capture_end(&got);
	CHECK(p.done == 1023);
	CHECK_STR(got.data, "");
	buf_release(&got);
	CHECK(capture_begin() == 0);
	progress_tick(&p);
	progress_done(&p);
	capture_end(&got);
	CHECK(starts(got.data, ERASE "prog: 1,024 records  "));
	buf_release(&got);
}

/* progress_of()'s line for done of total, without the rate. */
static int
job_line(long long done, long long total, const char *count, const char *pct)
{
	struct buf got = BUF_INIT;
	struct progress p;
	int ok;

	progress_init(&p, "records");
	CHECK(capture_begin() == 0);
	progress_of(&p, done, total);
	progress_done(&p);
	capture_end(&got);
	ok = starts(got.data, count) && ends(got.data, pct);
	buf_release(&got);
	return ok;
}

TEST(how_far_a_job_is)
{
	CHECK(setenv("SLUICE_PROGRESS", "1", 1) == 0);
	CHECK(job_line(40, 340, ERASE "prog: 40 records  ", "/s  11%" ERASE));
	CHECK(job_line(40, -1, ERASE "prog: 40 records  ", "/s" ERASE));
	CHECK(job_line(-1, 340, ERASE "prog: 0 records  ", "/s" ERASE));
	CHECK(job_line(-1, -1, ERASE "prog: 0 records  ", "/s" ERASE));
	CHECK(job_line(0, 0, ERASE "prog: 0 records  ", "/s" ERASE));
	/* More done than the total said: 100% at most. */
	CHECK(
	    job_line(400, 340, ERASE "prog: 400 records  ", "/s  100%" ERASE));
}

int
main(void)
{
	diag_init("prog");
	RUN(off_prints_nothing);
	RUN(not_a_terminal_prints_nothing);
	RUN(forced_line);
	RUN(concurrency_shown);
	RUN(thousands_separators);
	RUN(rejects_retries_percent);
	RUN(percent_alone);
	RUN(unit_name);
	RUN(done_erases);
	RUN(diag_erases_first);
	RUN(unforced_waits);
	RUN(ticks_redraw_every_1024);
	RUN(how_far_a_job_is);
	unsetenv("SLUICE_PROGRESS");
	return harness_done();
}
