/*
 * Unit tests for common/utctime.c: both forms of a UTC time parsed, and
 * only real dates and times from 1970 on (leap years, the last second of a
 * day); the API's form written back; the window of --since and --before
 * with its defaults, and each reason it is refused for, in order.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "utctime.h"

/* Whether s parses, to want seconds since the epoch. */
static int
parses_to(const char *s, long long want)
{
	time_t t = 0;

	return utctime_parse(s, &t) == 0 && (long long)t == want;
}

static int
refused(const char *s)
{
	time_t t = 12345;

	return utctime_parse(s, &t) == -1 && t == 12345;
}

TEST(both_forms)
{
	CHECK(parses_to("1970-01-01 00:00:00", 0));
	CHECK(parses_to("1970-01-01T00:00:00Z", 0));
	CHECK(parses_to("2024-11-05 01:30:00", 1730770200));
	CHECK(parses_to("2024-11-05T01:30:00Z", 1730770200));
	CHECK(parses_to("2000-02-29 23:59:59", 951868799));
	CHECK(parses_to("2100-12-31 23:59:59", 4133980799));
}

TEST(only_real_times)
{
	CHECK(refused(""));
	CHECK(refused("2024-11-05"));
	CHECK(refused("2024-11-05 01:30"));
	CHECK(refused("2024-11-05T01:30:00"));  /* no Z */
	CHECK(refused("2024-11-05 01:30:00Z")); /* Z after a space */
	CHECK(refused("2024-11-05t01:30:00Z"));
	CHECK(refused("2024-11-05 01:30:00 "));
	CHECK(refused("2024/11/05 01:30:00"));
	CHECK(refused("2024-11-05 01.30.00"));
	CHECK(refused("2024-1a-05 01:30:00"));
	CHECK(refused("+024-11-05 01:30:00"));
	CHECK(refused("1969-12-31 23:59:59")); /* before the epoch */
	CHECK(refused("2024-00-05 01:30:00"));
	CHECK(refused("2024-13-05 01:30:00"));
	CHECK(refused("2024-11-00 01:30:00"));
	CHECK(refused("2024-11-31 01:30:00"));
	CHECK(refused("2023-02-29 00:00:00")); /* not a leap year */
	CHECK(refused("1900-02-29 00:00:00")); /* nor is 1900 */
	CHECK(parses_to("2000-02-29 00:00:00", 951782400)); /* 2000 is */
	CHECK(refused("2024-11-05 24:00:00"));
	CHECK(refused("2024-11-05 23:60:00"));
	CHECK(refused("2024-11-05 23:59:60")); /* no leap second */
}

TEST(format)
{
	char s[UTCTIME_SIZE];
	time_t t;

	utctime_format(0, s);
	CHECK_STR(s, "1970-01-01 00:00:00");
	utctime_format(1730770200, s);
	CHECK_STR(s, "2024-11-05 01:30:00");
	/* What is written parses back to the same time. */
	CHECK(utctime_parse(s, &t) == 0 && t == 1730770200);
}

TEST(format_ignores_tz)
{
	char s[UTCTIME_SIZE];
	time_t t;

	setenv("TZ", "America/New_York", 1);
	tzset();
	utctime_format(1730770200, s);
	CHECK_STR(s, "2024-11-05 01:30:00");
	CHECK(utctime_parse("2024-11-05 01:30:00", &t) == 0 && t == 1730770200);
	unsetenv("TZ");
	tzset();
}

/* The window's verdict: "SINCE BEFORE" in seconds, or the reason. */
static const char *
window(const char *since, const char *before, time_t now, struct buf *out)
{
	time_t s = -1, b = -1;

	buf_reset(out);
	if (utctime_window(since, before, 5400, now, &s, &b, out) == 0)
		buf_printf(out, "%lld %lld", (long long)s, (long long)b);
	return out->data;
}

TEST(window_defaults)
{
	struct buf b = BUF_INIT;
	time_t now = 1730770200; /* 2024-11-05 01:30:00 */

	CHECK_STR(window(NULL, NULL, now, &b), "1730764800 1730770200");
	CHECK_STR(window("2024-11-05 00:00:00", NULL, now, &b),
	    "1730764800 1730770200");
	CHECK_STR(window(NULL, "2024-11-05T01:00:00Z", now, &b),
	    "1730763000 1730768400");
	CHECK_STR(window("2024-11-04 00:00:00", "2024-11-05 00:00:00", now, &b),
	    "1730678400 1730764800");
	/* now itself is not the future. */
	CHECK_STR(window(NULL, "2024-11-05 01:30:00", now, &b),
	    "1730764800 1730770200");
	buf_release(&b);
}

TEST(window_refused)
{
	struct buf b = BUF_INIT;
	time_t now = 1730770200;

	CHECK_STR(window("x", "y", now, &b),
	    "bad time 'y' for --before: use \"YYYY-MM-DD HH:MM:SS\" (UTC) or "
	    "YYYY-MM-DDTHH:MM:SSZ");
	CHECK_STR(window("x", NULL, now, &b),
	    "bad time 'x' for --since: use \"YYYY-MM-DD HH:MM:SS\" (UTC) or "
	    "YYYY-MM-DDTHH:MM:SSZ");
	/* A bad time is found before a time in the future. */
	CHECK_STR(window("x", "2030-01-01 00:00:00", now, &b),
	    "bad time 'x' for --since: use \"YYYY-MM-DD HH:MM:SS\" (UTC) or "
	    "YYYY-MM-DDTHH:MM:SSZ");
	CHECK_STR(window("2030-01-01 00:00:00", "2030-01-02 00:00:00", now, &b),
	    "the time '2030-01-02 00:00:00' for --before is in the future (it "
	    "is 2024-11-05 01:30:00 UTC now)");
	CHECK_STR(window("2024-11-05T01:30:01Z", NULL, now, &b),
	    "the time '2024-11-05T01:30:01Z' for --since is in the future (it "
	    "is 2024-11-05 01:30:00 UTC now)");
	CHECK_STR(window("2024-11-05 00:00:00", "2024-11-05 00:00:00", now, &b),
	    "the window is empty: --since must be before --before (or now)");
	CHECK_STR(window("2024-11-05 01:00:00", "2024-11-04 00:00:00", now, &b),
	    "the window is empty: --since must be before --before (or now)");
	buf_release(&b);
}

int
main(void)
{
	RUN(both_forms);
	RUN(only_real_times);
	RUN(format);
	RUN(format_ignores_tz);
	RUN(window_defaults);
	RUN(window_refused);
	return harness_done();
}
