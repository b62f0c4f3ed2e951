/* Tests and transforms of one vendor value; see values.h. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "values.h"

int
yes_no(const char *s)
{
	static const char *const yes[] = {"1", "true", "on", "yes"};
	char w[8];
	size_t i, n;

	if (s == NULL)
		return 0;
	if (strcasecmp(s, "y") == 0)
		return 1;
	while (isspace((unsigned char)*s))
		s++;
	for (n = 0; n < sizeof(w) - 1 && s[n]; n++)
		w[n] = (char)tolower((unsigned char)s[n]);
	while (n > 0 && isspace((unsigned char)w[n - 1]))
		n--;
	if (s[n] && !isspace((unsigned char)s[n]))
		return 0; /* longer than any yes */
	w[n] = '\0';
	for (i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (strcmp(w, yes[i]) == 0)
			return 1;
	}
	return 0;
}

int
mobile_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL || strcmp(s, "000-000-0000") == 0)
		return 0;
	for (; *s; s++)
		n += *s != ' ' && *s != '-';
	return n > 9;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Reads n digits at *p into *v. */
static int
digits(const char **p, int n, int *v)
{
	*v = 0;
	while (n--) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (*(*p)++ - '0');
	}
	return 0;
}

/* The date part: year-month-day or month/day/year. */
static int
read_day(const char **p, int *y, int *m, int *d)
{
	const char *s = *p;

	if (isdigit((unsigned char)s[0]) && strlen(s) > 4 && s[4] == '-') {
		if (digits(&s, 4, y) || *s++ != '-' || digits(&s, 2, m) ||
		    *s++ != '-' || digits(&s, 2, d))
			return -1;
	} else if (digits(&s, 2, m) || *s++ != '/' || digits(&s, 2, d) ||
	           *s++ != '/' || digits(&s, 4, y)) {
		return -1;
	}
	*p = s;
	return 0;
}

/* The time part after the date, if any: T or a space, hh:mm[:ss][.fff]. */
static int
read_time(const char **p)
{
	const char *s = *p;
	int hh, mm, ss = 0;

	if (*s != 'T' && *s != ' ')
		return 0;
	s++;
	if (digits(&s, 2, &hh) || *s++ != ':' || digits(&s, 2, &mm))
		return -1;
	if (*s == ':' && (s++, digits(&s, 2, &ss)))
		return -1;
	if (hh > 23 || mm > 59 || ss > 60)
		return -1;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			;
	*p = s;
	return 0;
}

int
real_date(const char *s)
{
	static const int mdays[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (s == NULL)
		return 0;
	while (isspace((unsigned char)*s))
		s++;
	if (read_day(&s, &y, &m, &d) < 0)
		return 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap(y)))
		return 0;
	if (read_time(&s) < 0)
		return 0;
	while (isspace((unsigned char)*s))
		s++;
	/* A zone: Z, UTC, +hh:mm, -hhmm. */
	if (*s == 'Z')
		s++;
	else if (strncmp(s, "UTC", 3) == 0)
		s += 3;
	else if (*s == '+' || *s == '-')
		for (s++; isdigit((unsigned char)*s) || *s == ':'; s++)
			;
	return *s == '\0';
}

void
slug(const char *s, struct buf *out)
{
	buf_reset(out);
	buf_add(out, "", 0);
	for (; s && *s; s++)
		buf_addc(
		    out, *s == ' ' ? '-' : (char)tolower((unsigned char)*s));
}

int
contains(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle) != NULL;
}

int
contains_ci(const char *hay, const char *needle)
{
	size_t n, i;

	if (hay == NULL || needle == NULL)
		return 0;
	for (n = strlen(needle); *hay; hay++) {
		for (i = 0; i < n && hay[i]; i++) {
			if (tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		}
		if (i == n)
			return 1;
	}
	return n == 0;
}

/* s with white space around cut: its first byte, and *end past its last. */
static const char *
trimmed(const char *s, const char **end)
{
	while (isspace((unsigned char)*s))
		s++;
	*end = s + strlen(s);
	while (*end > s && isspace((unsigned char)(*end)[-1]))
		(*end)--;
	return s;
}

/* Whether the n bytes at s are a domain name of two labels or more. */
static int
domain_valid(const char *s, size_t n)
{
	size_t i, label = 0, labels = 0, tld = 0;

	for (i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)s[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return 0;
			labels++;
			tld = label;
			label = 0;
		} else if (isalnum(c) || c >= 0x80 || (c == '-' && label > 0)) {
			label++;
		} else {
			return 0;
		}
	}
	return labels >= 2 && tld >= 2;
}

int
email_valid(const char *s)
{
	const char *at, *end;
	size_t local, i;

	if (s == NULL)
		return 0;
	s = trimmed(s, &end);
	if (end - s > 254 || (at = memchr(s, '@', (size_t)(end - s))) == NULL)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
		return 0;
	for (i = 0; i < local; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f || strchr("\"(),:;<>[\\]", c) ||
		    (c == '.' && s[i + 1] == '.'))
			return 0;
	}
	return domain_valid(at + 1, (size_t)(end - at - 1));
}

void
email_clean(const char *s, struct buf *out)
{
	const char *end;

	buf_reset(out);
	buf_add(out, "", 0);
	if (s == NULL)
		return;
	s = trimmed(s, &end);
	for (; s < end; s++)
		buf_addc(out, (char)tolower((unsigned char)*s));
}

int
integer_value(const char *s, long long *n)
{
	long long v = 0;
	int neg = 0, digits = 0;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 18)
			return -1;
		v = v * 10 + (*s - '0');
	}
	while (isspace((unsigned char)*s))
		s++;
	if (digits == 0 || *s != '\0')
		return -1;
	*n = neg ? -v : v;
	return 0;
}
