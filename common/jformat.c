/*
 * jformat: the formats jschema checks (see jformat.h for each rule).
 */
#include "jformat.h"

#include <string.h>

#include "utctime.h"

/* YYYY-MM-DD at s (10 bytes). */
static int
full_date(const char *s)
{
	long long days;

	return utctime_date(s, &days) == 0;
}

int
jformat_date(const char *s, size_t n)
{
	return n == 10 && full_date(s);
}

int
jformat_date_time(const char *s, size_t n)
{
	int h, mi, sec, oh = 0, om = 0, sign = 0, utc;
	size_t i = 19;

	if (n < 20 || !full_date(s) || (s[10] != 'T' && s[10] != 't'))
		return 0;
	h = utctime_digits(s + 11, 2);
	mi = utctime_digits(s + 14, 2);
	sec = utctime_digits(s + 17, 2);
	if (s[13] != ':' || s[16] != ':' || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 60)
		return 0;
	if (s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 20)
			return 0;
	}
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
		sign = 0;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') &&
	           s[i + 3] == ':') {
		sign = s[i] == '+' ? 1 : -1;
		oh = utctime_digits(s + i + 1, 2);
		om = utctime_digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return 0;
	} else {
		return 0;
	}
	if (sec < 60)
		return 1;
	/* A leap second: the UTC time must be 23:59. */
	utc = h * 60 + mi - sign * (oh * 60 + om);
	utc = ((utc % 1440) + 1440) % 1440;
	return utc == 23 * 60 + 59;
}

static int
email_special(unsigned char c)
{
	switch (c) {
	case '"':
	case '(':
	case ')':
	case ',':
	case ':':
	case ';':
	case '<':
	case '>':
	case '[':
	case '\\':
	case ']':
		return 1;
	default:
		return 0;
	}
}

int
jformat_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t i, local;
	unsigned char c;

	if (at == NULL || at == s || (size_t)(at - s) == n - 1)
		return 0;
	local = (size_t)(at - s);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || email_special(c))
			return 0;
		if (c == '@' && i != local)
			return 0;
		if (c == '.' && (i == 0 || i == n - 1 || s[i + 1] == '.' ||
		                    s[i + 1] == '@' || s[i - 1] == '@'))
			return 0;
	}
	return 1;
}

static int
hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

int
jformat_uuid(const char *s, size_t n)
{
	/* "x" a hex digit, "-" a dash, for each of the 36 places. */
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;
	int bad = 0;

	if (n != 36)
		return 0;
	for (i = 0; i < n; i++)
		bad |= shape[i] == '-' ? s[i] != '-' : !hex(s[i]);
	return !bad;
}

static int
alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 3986's unreserved and reserved characters but letters, digits and
 * "[]#%". */
static int
uri_other(char c)
{
	switch (c) {
	case '-':
	case '.':
	case '_':
	case '~':
	case ':':
	case '/':
	case '?':
	case '@':
	case '!':
	case '$':
	case '&':
	case '\'':
	case '(':
	case ')':
	case '*':
	case '+':
	case ',':
	case ';':
	case '=':
		return 1;
	default:
		return 0;
	}
}

int
jformat_uri(const char *s, size_t n)
{
	size_t i = 0, host_end = 0;
	int fragment = 0;
	char c;

	if (n == 0 || !alpha(s[0]))
		return 0;
	while (i < n && (alpha(s[i]) || (s[i] >= '0' && s[i] <= '9') ||
	                    s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	if (i == n || s[i] != ':')
		return 0;
	i++;
	/* The authority, after "//", ends at the first "/", "?" or "#". */
	if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		host_end = i + 2;
		while (host_end < n && s[host_end] != '/' &&
		       s[host_end] != '?' && s[host_end] != '#')
			host_end++;
	}
	for (; i < n; i++) {
		c = s[i];
		if (alpha(c) || (c >= '0' && c <= '9') || uri_other(c)) {
			continue;
		} else if (c == '%') {
			if (n - i < 3 || !hex(s[i + 1]) || !hex(s[i + 2]))
				return 0;
			i += 2;
		} else if (c == '#') {
			if (fragment++)
				return 0;
		} else if ((c == '[' || c == ']') && i < host_end) {
			continue;
		} else {
			return 0;
		}
	}
	return 1;
}

jformat_fn
jformat_find(const char *name)
{
	static const struct {
		const char *name;
		jformat_fn fn;
	} formats[] = {
	    {"date-time", jformat_date_time},
	    {"date", jformat_date},
	    {"email", jformat_email},
	    {"uuid", jformat_uuid},
	    {"uri", jformat_uri},
	};
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, name) == 0)
			return formats[i].fn;
	return NULL;
}
