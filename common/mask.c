/*
 * Masking personal data in text: see mask.h.
 */
#include <string.h>

#include "mask.h"

static int
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* What an e-mail address may be made of, '@' included. */
static int
is_mailc(unsigned char c)
{
	return is_alnum(c) || (c != '\0' && strchr("@._%+-'", c) != NULL);
}

/* The length of the UTF-8 sequence at s (at most n), at least 1. */
static size_t
seqlen(const char *s, size_t n)
{
	size_t k = 1;

	if ((unsigned char)s[0] < 0xC0)
		return 1;
	while (k < n && ((unsigned char)s[k] & 0xC0) == 0x80 && k < 4)
		k++;
	return k;
}

/* One part of an address: its first character, then "***". */
static int
first_stars(const char *s, size_t n, struct buf *out)
{
	if (n == 0)
		return 0;
	if (buf_add(out, s, seqlen(s, n)) < 0)
		return -1;
	return buf_adds(out, "***");
}

/* "jane.doe@example.org" as "j***@e***.org". */
static int
mask_email(const char *s, size_t n, struct buf *out)
{
	const char *at = memchr(s, '@', n);
	const char *dom = at + 1, *end = s + n, *dot = NULL, *p;

	for (p = dom; p < end; p++)
		if (*p == '.')
			dot = p;
	if (first_stars(s, (size_t)(at - s), out) < 0 || buf_addc(out, '@') < 0)
		return -1;
	if (dot == NULL || dot == dom)
		return first_stars(dom, (size_t)(end - dom), out);
	if (first_stars(dom, (size_t)(dot - dom), out) < 0)
		return -1;
	return buf_add(out, dot, (size_t)(end - dot));
}

/*
 * The length of the phone number at s[i], or 0 when none starts there: a
 * run of digits and single separators, not inside a word, with 7 digits
 * or more. *digits gets their count.
 */
static size_t
phone_at(const char *s, size_t n, size_t i, size_t *digits)
{
	size_t j = i, last = i, d = 0;
	unsigned char c = (unsigned char)s[i];

	if ((i > 0 && is_alnum((unsigned char)s[i - 1])) ||
	    !(is_digit(c) || c == '+' || c == '('))
		return 0;
	for (; j < n; j++) {
		c = (unsigned char)s[j];
		if (is_digit(c)) {
			d++;
			last = j + 1;
		} else if (c == '\0' || strchr(" -.()/+", c) == NULL) {
			break;
		} else if (j > i && !is_digit((unsigned char)s[j - 1]) &&
		           c != '(' && s[j - 1] != ')') {
			break; /* two separators in a row: the run ends */
		}
	}
	if (d < 7 || (last < n && is_alnum((unsigned char)s[last])))
		return 0;
	*digits = d;
	return last - i;
}

static int
mask_phone(const char *s, size_t n, size_t digits, struct buf *out)
{
	size_t keep = digits >= 10 ? 4 : 2, seen = 0, i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (is_digit((unsigned char)c) && seen++ < digits - keep)
			c = '*';
		if (buf_addc(out, c) < 0)
			return -1;
	}
	return 0;
}

int
mask_text(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, j, len, digits;

	while (i < n) {
		if (is_mailc((unsigned char)s[i]) &&
		    (i == 0 || !is_mailc((unsigned char)s[i - 1]))) {
			for (j = i; j < n && is_mailc((unsigned char)s[j]); j++)
				;
			if (memchr(s + i, '@', j - i)) {
				if (mask_email(s + i, j - i, out) < 0)
					return -1;
				i = j;
				continue;
			}
		}
		if ((len = phone_at(s, n, i, &digits)) > 0) {
			if (mask_phone(s + i, len, digits, out) < 0)
				return -1;
			i += len;
			continue;
		}
		if (buf_addc(out, s[i++]) < 0)
			return -1;
	}
	return 0;
}

int
mask_row(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, k;
	int inword = 0;

	while (i < n) {
		k = seqlen(s + i, n - i);
		if (!is_alnum((unsigned char)s[i])) {
			inword = 0;
			if (buf_add(out, s + i, k) < 0)
				return -1;
		} else if (!inword) {
			inword = 1;
			if (buf_add(out, s + i, k) < 0)
				return -1;
		} else if (buf_addc(out, '*') < 0) {
			return -1;
		}
		i += k;
	}
	return 0;
}
