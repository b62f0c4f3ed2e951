#include "evtime.h"
#include "utctime.h"

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "hh:mm:ss" at s (8 bytes): seconds into the day, or -1. */
static int64_t
clock_at(const char *s)
{
	int h = utctime_digits(s, 2), mi = utctime_digits(s + 3, 2),
	    se = utctime_digits(s + 6, 2);

	if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 ||
	    s[2] != ':' || s[5] != ':')
		return -1;
	return h * 3600 + mi * 60 + se;
}

int
evtime_parse(const char *s, size_t n, int64_t *ms)
{
	long long days;
	int64_t secs, frac = 0, off = 0;
	size_t i = 19;
	int nf = 0, oh, om;

	if (n < 20 || utctime_date(s, &days) < 0 ||
	    (s[10] != 'T' && s[10] != 't'))
		return -1;
	if ((secs = clock_at(s + 11)) < 0)
		return -1;
	if (s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9' && nf < 4; i++)
			frac = frac * 10 + (s[i] - '0'), nf++;
		if (nf == 0 || nf > 3)
			return -1;
		while (nf++ < 3)
			frac *= 10;
	}
	if (i >= n)
		return -1;
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
		off = 0;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') &&
	           s[i + 3] == ':') {
		oh = utctime_digits(s + i + 1, 2);
		om = utctime_digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		off = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
	} else {
		return -1;
	}
	*ms = (days * 86400 + secs - off) * 1000 + frac;
	return 0;
}

int
evtime_parse_bucket(const char *s, size_t n, int64_t *ms)
{
	long long days;
	int64_t secs = 0;

	if ((n != 10 && n != 19) || utctime_date(s, &days) < 0)
		return -1;
	if (n == 19 &&
	    ((s[10] != ' ' && s[10] != 'T') || (secs = clock_at(s + 11)) < 0))
		return -1;
	*ms = (days * 86400 + secs) * 1000;
	return 0;
}

int64_t
evtime_floor(int64_t ms, int64_t step)
{
	int64_t q = ms / step;

	if (ms % step != 0 && ms < 0)
		q--;
	return q * step;
}

static void
split(int64_t ms, int *y, int *mo, int *d, int *h, int *mi, int *s, int *f)
{
	int64_t secs = evtime_floor(ms, 1000) / 1000;
	int64_t days = evtime_floor(secs, 86400) / 86400;
	int64_t rem = secs - days * 86400;

	civil_from_days(days, y, mo, d);
	*h = (int)(rem / 3600);
	*mi = (int)(rem / 60 % 60);
	*s = (int)(rem % 60);
	*f = (int)(ms - evtime_floor(ms, 1000));
}

/* Writes v (non-negative) as width digits at p. */
static void
put(char *p, int v, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* "YYYY-MM-DD?hh:mm:ss" at out, sep the byte between date and time. */
static void
put_second(int64_t ms, char sep, char *out)
{
	int y, mo, d, h, mi, s, f;

	split(ms, &y, &mo, &d, &h, &mi, &s, &f);
	if (y < 0)
		y = 0;
	put(out, y % 10000, 4);
	out[4] = '-';
	put(out + 5, mo, 2);
	out[7] = '-';
	put(out + 8, d, 2);
	out[10] = sep;
	put(out + 11, h, 2);
	out[13] = ':';
	put(out + 14, mi, 2);
	out[16] = ':';
	put(out + 17, s, 2);
}

void
evtime_iso(int64_t ms, char out[EVTIME_ISO_SIZE])
{
	put_second(ms, 'T', out);
	out[19] = '.';
	put(out + 20, (int)(ms - evtime_floor(ms, 1000)), 3);
	out[23] = 'Z';
	out[24] = '\0';
}

void
evtime_bucket(int64_t ms, char out[EVTIME_BUCKET_SIZE])
{
	put_second(ms, ' ', out);
	out[19] = '\0';
}
