/*
 * jsonpos: a JSON Pointer followed through a JSON text (see jsonpos.h).
 *
 * The scan never recurses: a value that is not on the way is skipped by
 * counting brackets outside strings, so a deep document costs no stack.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonpos.h"
#include "utf8.h"

struct scan {
	const char *t;
	size_t len, i;
};

static void
skip_ws(struct scan *s)
{
	while (s->i < s->len && (s->t[s->i] == ' ' || s->t[s->i] == '\t' ||
	                            s->t[s->i] == '\n' || s->t[s->i] == '\r'))
		s->i++;
}

/* Skips a string whose opening quote is at s->i. 0 or -1. */
static int
skip_string(struct scan *s)
{
	for (s->i++; s->i < s->len; s->i++) {
		if (s->t[s->i] == '\\')
			s->i++;
		else if (s->t[s->i] == '"') {
			s->i++;
			return 0;
		}
	}
	return -1;
}

/* Skips the value at s->i, whatever it is. 0 or -1. */
static int
skip_value(struct scan *s)
{
	size_t depth = 0;
	char c;

	if (s->i >= s->len)
		return -1;
	if (s->t[s->i] == '"')
		return skip_string(s);
	if (s->t[s->i] != '{' && s->t[s->i] != '[') {
		while (s->i < s->len && !strchr(",}] \t\r\n", s->t[s->i]))
			s->i++;
		return 0;
	}
	while (s->i < s->len) {
		c = s->t[s->i];
		if (c == '"') {
			if (skip_string(s) < 0)
				return -1;
			continue;
		}
		s->i++;
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return 0;
	}
	return -1;
}

static unsigned long
hex4(const char *p)
{
	unsigned long v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		if ((h = hex_digit(p[i])) < 0)
			return 0xFFFD;
		v = v * 16 + (unsigned long)h;
	}
	return v;
}

static void
put_utf8(struct buf *b, unsigned long c)
{
	char u[4];

	if (c < 0x80) {
		buf_addc(b, (char)c);
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3F));
		buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		buf_add(b, u, 4);
	}
}

/* The string at s->i unescaped into out; s->i past it. 0 or -1. */
static int
read_string(struct scan *s, struct buf *out)
{
	unsigned long c, lo;
	size_t start;

	buf_reset(out);
	for (s->i++; s->i < s->len; s->i++) {
		start = s->i;
		while (s->i < s->len && s->t[s->i] != '"' && s->t[s->i] != '\\')
			s->i++;
		buf_add(out, s->t + start, s->i - start);
		if (s->i >= s->len)
			return -1;
		if (s->t[s->i] == '"') {
			s->i++;
			return 0;
		}
		if (++s->i >= s->len)
			return -1;
		switch (s->t[s->i]) {
		case 'b':
			buf_addc(out, '\b');
			break;
		case 'f':
			buf_addc(out, '\f');
			break;
		case 'n':
			buf_addc(out, '\n');
			break;
		case 'r':
			buf_addc(out, '\r');
			break;
		case 't':
			buf_addc(out, '\t');
			break;
		case 'u':
			if (s->i + 4 >= s->len)
				return -1;
			c = hex4(s->t + s->i + 1);
			s->i += 4;
			if (c >= 0xD800 && c < 0xDC00 && s->i + 6 < s->len &&
			    s->t[s->i + 1] == '\\' && s->t[s->i + 2] == 'u') {
				lo = hex4(s->t + s->i + 3);
				if (lo >= 0xDC00 && lo < 0xE000) {
					c = 0x10000 + ((c - 0xD800) << 10) +
					    (lo - 0xDC00);
					s->i += 6;
				}
			}
			put_utf8(out, c);
			break;
		default: /* " \ / */
			buf_addc(out, s->t[s->i]);
		}
	}
	return -1;
}

/* The next step of pointer *p, unescaped, into step; *p past it. */
static void
next_step(const char **p, struct buf *step)
{
	const char *q = *p + 1; /* past the "/" */

	buf_reset(step);
	buf_add(step, "", 0);
	for (; *q && *q != '/'; q++) {
		if (q[0] == '~' && q[1] == '0')
			buf_addc(step, '~'), q++;
		else if (q[0] == '~' && q[1] == '1')
			buf_addc(step, '/'), q++;
		else
			buf_addc(step, *q);
	}
	*p = q;
}

/*
 * In the object at s->i, finds the member named step (the last one of
 * that name): s->i at its value, *keyat at its key. 0 or -1.
 */
static int
find_member(
    struct scan *s, const struct buf *step, struct buf *k, size_t *keyat)
{
	size_t found = 0, foundkey = 0, at;
	int any = 0;

	for (s->i++;;) {
		skip_ws(s);
		if (s->i >= s->len || s->t[s->i] != '"')
			break;
		at = s->i;
		if (read_string(s, k) < 0)
			return -1;
		skip_ws(s);
		if (s->i >= s->len || s->t[s->i] != ':')
			return -1;
		s->i++;
		skip_ws(s);
		if (k->len == step->len &&
		    memcmp(k->data, step->data, k->len) == 0)
			any = 1, found = s->i, foundkey = at;
		if (skip_value(s) < 0)
			return -1;
		skip_ws(s);
		if (s->i < s->len && s->t[s->i] == ',')
			s->i++;
		else
			break;
	}
	if (!any)
		return -1;
	s->i = found;
	*keyat = foundkey;
	return 0;
}

/* In the array at s->i, finds item step (decimal digits): s->i at it. */
static int
find_item(struct scan *s, const struct buf *step)
{
	unsigned long long n = 0, k;
	size_t j;

	if (step->len == 0 || step->len > 18 ||
	    (step->data[0] == '0' && step->len > 1))
		return -1;
	for (j = 0; j < step->len; j++) {
		if (step->data[j] < '0' || step->data[j] > '9')
			return -1;
		n = n * 10 + (unsigned long long)(step->data[j] - '0');
	}
	s->i++;
	for (k = 0;; k++) {
		skip_ws(s);
		if (s->i >= s->len || s->t[s->i] == ']')
			return -1;
		if (k == n)
			return 0;
		if (skip_value(s) < 0)
			return -1;
		skip_ws(s);
		if (s->i < s->len && s->t[s->i] == ',')
			s->i++;
		else
			return -1;
	}
}

void
jsonpos_at(const char *text, size_t len, size_t off, struct jsonpos *pos)
{
	size_t i;

	if (off > len)
		off = len;
	pos->line = 1;
	pos->col = 1;
	pos->off = off;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n')
			pos->line++, pos->col = 1;
		else if (((unsigned char)text[i] & 0xC0) != 0x80)
			pos->col++;
	}
}

int
jsonpos_find(const char *text, size_t len, const char *pointer, int key,
    struct jsonpos *pos)
{
	struct scan s = {text, len, 0};
	struct buf step = BUF_INIT, k = BUF_INIT;
	size_t here, keyat = 0;
	int rc = 0, member = 0;

	skip_ws(&s);
	here = s.i;
	if (*pointer && *pointer != '/')
		rc = -1;
	while (rc == 0 && *pointer == '/') {
		next_step(&pointer, &step);
		if (s.i < len && text[s.i] == '{')
			rc = find_member(&s, &step, &k, &keyat), member = 1;
		else if (s.i < len && text[s.i] == '[')
			rc = find_item(&s, &step), member = 0;
		else
			rc = -1;
		if (rc == 0)
			here = s.i;
	}
	if (rc == 0 && key && member)
		here = keyat;
	jsonpos_at(text, len, here, pos);
	buf_release(&step);
	buf_release(&k);
	return rc;
}

int
jsonpos_step(struct buf *ptr, const char *name, size_t n)
{
	size_t i;
	int rc = buf_addc(ptr, '/');

	for (i = 0; i < n && rc == 0; i++) {
		if (name[i] == '~')
			rc = buf_adds(ptr, "~0");
		else if (name[i] == '/')
			rc = buf_adds(ptr, "~1");
		else
			rc = buf_addc(ptr, name[i]);
	}
	return rc;
}
