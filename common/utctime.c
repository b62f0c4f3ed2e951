/* UTC times and the window of a fetch stage; see utctime.h. */
#include <string.h>

#include "utctime.h"

long long
utctime_days(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
utctime_month_days(int y, int m)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int
utctime_digits(const char *s, int n)
{
	int v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

int
utctime_date(const char *s, long long *days)
{
	int y = utctime_digits(s, 4), m = utctime_digits(s + 5, 2),
	    d = utctime_digits(s + 8, 2);

	if (y < 0 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 ||
	    d > utctime_month_days(y, m))
		return -1;
	*days = utctime_days(y, m, d);
	return 0;
}

int
utctime_parse(const char *s, time_t *out)
{
	size_t len = strlen(s);
	long long days;
	int h, mi, se;

	if (len == 19 && s[10] == ' ')
		;
	else if (len == 20 && s[10] == 'T' && s[19] == 'Z')
		;
	else
		return -1;
	if (utctime_date(s, &days) < 0 || days < 0 || s[13] != ':' ||
	    s[16] != ':')
		return -1;
	h = utctime_digits(s + 11, 2);
	mi = utctime_digits(s + 14, 2);
	se = utctime_digits(s + 17, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
		return -1;
	*out = (time_t)(days * 86400 + h * 3600 + mi * 60 + se);
	return 0;
}

void
utctime_format(time_t t, char out[UTCTIME_SIZE])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, UTCTIME_SIZE, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Parses the time of an option given (arg not NULL). 0, or -1 with why. */
static int
parse_arg(const char *opt, const char *arg, time_t *out, struct buf *why)
{
	if (arg == NULL || utctime_parse(arg, out) == 0)
		return 0;
	buf_printf(why,
	    "bad time '%s' for %s: use \"YYYY-MM-DD HH:MM:SS\" (UTC) or "
	    "YYYY-MM-DDTHH:MM:SSZ",
	    arg, opt);
	return -1;
}

/* A time given that is after now. 0, or -1 with why. */
static int
not_future(
    const char *opt, const char *arg, time_t t, time_t now, struct buf *why)
{
	char at[UTCTIME_SIZE];

	if (arg == NULL || t <= now)
		return 0;
	utctime_format(now, at);
	buf_printf(why,
	    "the time '%s' for %s is in the future (it is %s UTC now)", arg,
	    opt, at);
	return -1;
}

int
utctime_window(const char *since_arg, const char *before_arg, time_t len,
    time_t now, time_t *since, time_t *before, struct buf *why)
{
	if (parse_arg("--before", before_arg, before, why) < 0 ||
	    parse_arg("--since", since_arg, since, why) < 0 ||
	    not_future("--before", before_arg, *before, now, why) < 0 ||
	    not_future("--since", since_arg, *since, now, why) < 0)
		return -1;
	if (before_arg == NULL)
		*before = now;
	if (since_arg == NULL)
		*since = *before - len;
	if (*since >= *before) {
		buf_adds(why, "the window is empty: --since must be before "
		              "--before (or now)");
		return -1;
	}
	return 0;
}
