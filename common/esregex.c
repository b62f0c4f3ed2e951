/*
 * esregex: ECMAScript patterns of the subset as POSIX extended expressions
 * (see esregex.h for the subset and why).
 */
#include "esregex.h"
#include "utf8.h"

#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define ESREGEX_NUL_COPY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ESREGEX_NUL_COPY 1
#endif
#endif

/* The quantifier bound POSIX promises every regcomp honours. */
#define BOUND_MAX 255
/* The most ranges a class may hold once its escapes are expanded. */
#define CLASS_MAX 256

/* ECMAScript's \s: WhiteSpace and LineTerminator, as bracket contents. */
static const char spaces[] = "\t\n\v\f\r \xc2\xa0\xe1\x9a\x80"
                             "\xe2\x80\x80\xe2\x80\x81\xe2\x80\x82"
                             "\xe2\x80\x83\xe2\x80\x84\xe2\x80\x85"
                             "\xe2\x80\x86\xe2\x80\x87\xe2\x80\x88"
                             "\xe2\x80\x89\xe2\x80\x8a\xe2\x80\xa8"
                             "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\x9f"
                             "\xe3\x80\x80\xef\xbb\xbf";
/* ECMAScript's ".": anything but a line terminator. */
static const char dot[] = "[^\n\r\xe2\x80\xa8\xe2\x80\xa9]";

/* The most positions a pattern may unroll to, and groups nest. */
#define SIZE_MAX_POSITIONS 10000
#define DEPTH_MAX 64

/*
 * The translation's state. cur and last measure the pattern as the C
 * library will build it, each bound unrolled ((a{9}){9} is 81 positions):
 * cur, the positions of the group being read so far; last, those of the
 * last atom (what a quantifier repeats); outer, each open group's cur.
 */
struct tr {
	const char *s;
	size_t i, n;
	struct buf *out;
	char *msg;
	size_t msgsz;
	int depth;
	size_t cur, last, outer[DEPTH_MAX];
};

struct range {
	uint32_t lo, hi;
};

struct cls {
	struct range r[CLASS_MAX];
	size_t n;
	int spaces; /* \s inside: the space set appended as it is */
	int negs;   /* \D \W \S inside: 1, 2, 4 */
};

static int fail(struct tr *t, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct tr *t, size_t at, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(t->msg, t->msgsz, fmt, ap);
	va_end(ap);
	len = strlen(t->msg);
	if (len < t->msgsz)
		snprintf(t->msg + len, t->msgsz - len, " (at offset %zu)", at);
	return -1;
}

static int
add(struct tr *t, const char *s)
{
	return buf_adds(t->out, s) < 0 ? fail(t, t->i, "pattern too long") : 0;
}

/* One atom read: a character, a class, "." (n positions). */
static void
atom(struct tr *t, size_t n)
{
	t->last = n;
	t->cur += n;
}

static void
put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
}

/* Reads one UTF-8 character at t->i (the pattern is valid UTF-8). */
static uint32_t
next_char(struct tr *t)
{
	const unsigned char *p = (const unsigned char *)t->s + t->i;
	size_t left = t->n - t->i, len = 1, k;
	uint32_t cp = p[0];

	if (cp >= 0xf0 && left >= 4) {
		cp &= 0x07;
		len = 4;
	} else if (cp >= 0xe0 && left >= 3) {
		cp &= 0x0f;
		len = 3;
	} else if (cp >= 0xc0 && left >= 2) {
		cp &= 0x1f;
		len = 2;
	}
	for (k = 1; k < len; k++)
		cp = cp << 6 | (p[k] & 0x3f);
	t->i += len;
	return cp;
}

/* \xHH or \uHHHH after the x or u: the code point, or -1. */
static long
hex_escape(struct tr *t, int digits)
{
	long v = 0;
	int k, h;

	if (t->n - t->i < (size_t)digits)
		return -1;
	for (k = 0; k < digits; k++) {
		if ((h = hex_digit((unsigned char)t->s[t->i + (size_t)k])) < 0)
			return -1;
		v = v * 16 + h;
	}
	t->i += (size_t)digits;
	return v;
}

/*
 * An escape's meaning, t->i just past the backslash: a character (its
 * code point, returned), or a class escape (*cls set to d, D, w, W, s or
 * S; returns 0). inclass: the escape sits inside [...] (\b is then a
 * backspace). Returns -1 after fail() for what the subset refuses.
 */
static long
escape(struct tr *t, int inclass, int *cls)
{
	size_t at = t->i - 1;
	int c;
	long v;

	*cls = 0;
	if (t->i >= t->n)
		return fail(t, at, "a backslash ends the pattern");
	c = (unsigned char)t->s[t->i];
	switch (c) {
	case 'd':
	case 'D':
	case 'w':
	case 'W':
	case 's':
	case 'S':
		t->i++;
		*cls = c;
		return 0;
	case 't':
		t->i++;
		return '\t';
	case 'n':
		t->i++;
		return '\n';
	case 'r':
		t->i++;
		return '\r';
	case 'f':
		t->i++;
		return '\f';
	case 'v':
		t->i++;
		return '\v';
	case 'b':
		if (inclass) {
			t->i++;
			return '\b';
		}
		return fail(t, at, "word boundary \\b is not supported");
	case 'B':
		return fail(t, at, "word boundary \\B is not supported");
	case 'k':
		return fail(t, at, "named back-reference \\k is not supported");
	case 'p':
	case 'P':
		return fail(
		    t, at, "Unicode property escape \\%c is not supported", c);
	case 'c':
		return fail(t, at, "control escape \\c is not supported");
	case '0':
		return fail(t, at, "\\0 (NUL) is not supported");
	case 'x':
	case 'u':
		t->i++;
		if ((v = hex_escape(t, c == 'x' ? 2 : 4)) < 0)
			return fail(t, at, "\\%c needs %d hex digits", c,
			    c == 'x' ? 2 : 4);
		if (v == 0)
			return fail(t, at, "\\0 (NUL) is not supported");
		if (v >= 0xd800 && v <= 0xdfff)
			return fail(
			    t, at, "a surrogate escape is not supported");
		return v;
	default:
		break;
	}
	if (c >= '1' && c <= '9')
		return fail(t, at, "back-reference \\%c is not supported", c);
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return fail(t, at, "unknown escape \\%c", c);
	return (long)next_char(t);
}

/*
 * A character outside a class, escaped where ERE gives it a meaning. A
 * non-ASCII character is written as a bracket of itself, one atom in
 * either locale: under C, where it is several bytes, a quantifier after it
 * would otherwise bind to its last byte alone.
 */
static void
literal(struct tr *t, uint32_t cp)
{
	if (cp >= 0x80) {
		buf_addc(t->out, '[');
		put_utf8(t->out, cp);
		buf_addc(t->out, ']');
		return;
	}
	if (strchr(".[]()*+?{}|^$\\", (int)cp) != NULL)
		buf_addc(t->out, '\\');
	put_utf8(t->out, cp);
}

static int
class_add(struct tr *t, struct cls *k, uint32_t lo, uint32_t hi)
{
	if (k->n == CLASS_MAX)
		return fail(t, t->i, "a class too large");
	k->r[k->n].lo = lo;
	k->r[k->n].hi = hi;
	k->n++;
	return 0;
}

static int
class_escape(struct tr *t, struct cls *k, int c)
{
	switch (c) {
	case 'd':
		return class_add(t, k, '0', '9');
	case 'w':
		if (class_add(t, k, '0', '9') < 0 ||
		    class_add(t, k, 'A', 'Z') < 0 ||
		    class_add(t, k, 'a', 'z') < 0)
			return -1;
		return class_add(t, k, '_', '_');
	case 's':
		k->spaces = 1;
		return 0;
	default:
		k->negs |= c == 'D' ? 1 : c == 'W' ? 2 : 4;
		return 0;
	}
}

static int
bracket_special(uint32_t c)
{
	return c == ']' || c == '-' || c == '^' || c == '[';
}

/*
 * Writes a class's ranges as an ERE bracket expression: in a bracket a
 * backslash is an ordinary character, "]" must come first, "-" last, "^"
 * anywhere but first and "[" where no ".", "=" or ":" follows it; so the
 * four are taken out of the ranges and placed where they are literal.
 *
 * glibc refuses a range with a non-ASCII end in a locale without collation
 * rules, as C.UTF-8 is (REG_ECOLLATE): the non-ASCII part of a range is
 * listed character by character instead, up to NONASCII_MAX of them.
 */
#define NONASCII_MAX 4096

static int
class_emit(struct tr *t, const struct cls *k, int neg, size_t at)
{
	struct buf *o = t->out;
	int has[4] = {0, 0, 0, 0}; /* ] [ ^ - */
	size_t i, start, listed = 0;
	uint32_t lo, hi, c;

	buf_addc(o, '[');
	if (neg)
		buf_addc(o, '^');
	start = o->len;
	for (i = 0; i < k->n; i++) {
		lo = k->r[i].lo;
		hi = k->r[i].hi;
		if (hi >= 0x80) {
			c = lo < 0x80 ? 0x80 : lo;
			listed += hi - c + 1;
			if (listed > NONASCII_MAX)
				return fail(t, at,
				    "a class of more than %d non-ASCII characters",
				    NONASCII_MAX);
			for (; c <= hi; c++)
				if (c < 0xd800 || c > 0xdfff)
					put_utf8(o, c);
			if (lo >= 0x80)
				continue;
			hi = 0x7f;
		}
		while (lo <= hi && bracket_special(lo)) {
			has[lo == ']'   ? 0
			    : lo == '[' ? 1
			    : lo == '^' ? 2
			                : 3] = 1;
			lo++;
		}
		while (hi >= lo && bracket_special(hi)) {
			has[hi == ']'   ? 0
			    : hi == '[' ? 1
			    : hi == '^' ? 2
			                : 3] = 1;
			hi--;
		}
		if (lo > hi)
			continue;
		put_utf8(o, lo);
		if (hi > lo) {
			if (hi > lo + 1)
				buf_addc(o, '-');
			put_utf8(o, hi);
		}
	}
	if (k->spaces)
		buf_adds(o, spaces);
	if (has[0]) {
		/* "]" first: shift what was written by one. */
		buf_addc(o, ']');
		memmove(
		    o->data + start + 1, o->data + start, o->len - start - 1);
		o->data[start] = ']';
	}
	if (has[1])
		buf_addc(o, '[');
	if (has[2] && o->len == start && !neg && !has[3]) {
		/* A class of "^" alone: the literal instead. */
		o->len = start - 1;
		return add(t, "\\^");
	}
	if (has[2] && o->len == start && !neg) {
		buf_addc(o, '-');
		has[3] = 0;
	}
	if (has[2])
		buf_addc(o, '^');
	if (has[3])
		buf_addc(o, '-');
	return add(t, "]");
}

/* One class atom or endpoint: a code point, or a class escape in *cls. */
static long
class_char(struct tr *t, int *cls)
{
	*cls = 0;
	if (t->s[t->i] == '\\') {
		t->i++;
		return escape(t, 1, cls);
	}
	return (long)next_char(t);
}

/*
 * \D, \W or \S inside a class ([\s\S], [a\D]) is a set no bracket can
 * hold beside others: the class becomes a group of alternatives, the rest
 * of the class in a bracket, then each such escape's negated bracket.
 */
static int
bracket_negs(struct tr *t, const struct cls *k, size_t at)
{
	const char *sep = "";

	if (add(t, "(") < 0)
		return -1;
	if (k->n || k->spaces) {
		if (class_emit(t, k, 0, at) < 0)
			return -1;
		sep = "|";
	}
	if (k->negs & 1)
		add(t, sep), add(t, "[^0-9]"), sep = "|";
	if (k->negs & 2)
		add(t, sep), add(t, "[^0-9A-Za-z_]"), sep = "|";
	if (k->negs & 4)
		add(t, sep), add(t, "[^"), add(t, spaces), add(t, "]");
	return add(t, ")");
}

/* A class, t->i just past its "[". */
static int
bracket(struct tr *t)
{
	struct cls k;
	size_t at = t->i - 1;
	int neg = 0, cls, cls2;
	long lo, hi;

	k.n = 0;
	k.spaces = 0;
	k.negs = 0;
	if (t->i < t->n && t->s[t->i] == '^') {
		neg = 1;
		t->i++;
	}
	if (t->i < t->n && t->s[t->i] == ']')
		return fail(t, at,
		    neg ? "the class [^] is not supported"
		        : "the empty class [] is not supported");
	for (;;) {
		if (t->i >= t->n)
			return fail(t, at, "a class is not closed");
		if (t->s[t->i] == ']')
			break;
		if ((lo = class_char(t, &cls)) < 0)
			return -1;
		if (cls) {
			if (class_escape(t, &k, cls) < 0)
				return -1;
			if (t->i + 1 < t->n && t->s[t->i] == '-' &&
			    t->s[t->i + 1] != ']')
				return fail(
				    t, t->i, "a range from a class escape");
			continue;
		}
		if (t->i + 1 < t->n && t->s[t->i] == '-' &&
		    t->s[t->i + 1] != ']') {
			t->i++;
			if ((hi = class_char(t, &cls2)) < 0)
				return -1;
			if (cls2)
				return fail(
				    t, t->i - 2, "a range to a class escape");
			if (hi < lo)
				return fail(t, t->i, "a range out of order");
		} else {
			hi = lo;
		}
		if (class_add(t, &k, (uint32_t)lo, (uint32_t)hi) < 0)
			return -1;
	}
	t->i++;
	if (k.negs && neg)
		return fail(t, at,
		    "\\D, \\W or \\S inside a negated class is not supported");
	return k.negs ? bracket_negs(t, &k, at) : class_emit(t, &k, neg, at);
}

/* Reads a {n}, {n,} or {n,m} at t->i; 1 when there is one, else 0. */
static int
bound(struct tr *t, long *lo, long *hi, size_t *end)
{
	size_t i = t->i + 1;
	long a = 0, b;
	int digits = 0;

	while (i < t->n && t->s[i] >= '0' && t->s[i] <= '9' && a <= 100000) {
		a = a * 10 + (t->s[i++] - '0');
		digits++;
	}
	if (!digits || i >= t->n)
		return 0;
	b = a;
	if (t->s[i] == ',') {
		i++;
		b = -1;
		if (i < t->n && t->s[i] >= '0' && t->s[i] <= '9') {
			b = 0;
			while (i < t->n && t->s[i] >= '0' && t->s[i] <= '9' &&
			       b <= 100000)
				b = b * 10 + (t->s[i++] - '0');
		}
	}
	if (i >= t->n || t->s[i] != '}')
		return 0;
	*lo = a;
	*hi = b;
	*end = i + 1;
	return 1;
}

/* A quantifier at t->i (one of * + ? or a bound). */
static int
quantifier(struct tr *t, int *can)
{
	size_t at = t->i, end, factor;
	long lo, hi;
	char c = t->s[t->i];

	if (!*can)
		return fail(t, at, "nothing to repeat");
	if (c == '{') {
		bound(t, &lo, &hi, &end);
		factor = (size_t)(hi >= 0 ? hi : lo + 1);
		if (lo > BOUND_MAX || hi > BOUND_MAX)
			return fail(t, at, "a bound above %d", BOUND_MAX);
		if (hi >= 0 && hi < lo)
			return fail(t, at, "a bound out of order");
		if (buf_add(t->out, t->s + t->i, end - t->i) < 0)
			return fail(t, at, "pattern too long");
		t->i = end;
	} else {
		buf_addc(t->out, c);
		t->i++;
		factor = c == '?' ? 1 : 2;
	}
	/* The repeated atom counts factor times (at least once). */
	if (factor > 1) {
		t->cur += t->last * (factor - 1);
		t->last *= factor;
	}
	if (t->cur > SIZE_MAX_POSITIONS)
		return fail(t, at,
		    "a pattern of more than %d positions once its bounds are unrolled",
		    SIZE_MAX_POSITIONS);
	if (t->i < t->n && t->s[t->i] == '?')
		return fail(t, t->i, "a lazy quantifier is not supported");
	if (t->i < t->n && strchr("*+", t->s[t->i]) != NULL)
		return fail(t, t->i, "a quantifier after a quantifier");
	if (t->i < t->n && t->s[t->i] == '{' && bound(t, &lo, &hi, &end))
		return fail(t, t->i, "a quantifier after a quantifier");
	*can = 0;
	return 0;
}

static int
group(struct tr *t)
{
	size_t at = t->i;
	const char *p = t->s + t->i, *e = t->s + t->n;

	if (p + 1 < e && p[1] == '?') {
		if (p + 2 < e && p[2] == ':') {
			t->i += 3;
		} else if (p + 2 < e && (p[2] == '=' || p[2] == '!')) {
			return fail(t, at, "lookahead is not supported");
		} else if (p + 3 < e && p[2] == '<' &&
		           (p[3] == '=' || p[3] == '!')) {
			return fail(t, at, "lookbehind is not supported");
		} else if (p + 2 < e && p[2] == '<') {
			return fail(t, at, "a named group is not supported");
		} else {
			return fail(
			    t, at, "a group modifier \"(?\" is not supported");
		}
	} else {
		t->i++;
	}
	if (t->depth == DEPTH_MAX)
		return fail(
		    t, at, "groups nested more than %d deep", DEPTH_MAX);
	t->outer[t->depth++] = t->cur;
	t->cur = 0;
	return add(t, "(");
}

/* One step of the pattern at t->i; *can: a quantifier may follow. */
static int
step(struct tr *t, int *can)
{
	char c = t->s[t->i];
	int cls;
	long cp;

	switch (c) {
	case '\\':
		t->i++;
		if ((cp = escape(t, 0, &cls)) < 0)
			return -1;
		if (cls == 'd' || cls == 'D')
			add(t, cls == 'd' ? "[0-9]" : "[^0-9]");
		else if (cls == 'w' || cls == 'W')
			add(t, cls == 'w' ? "[0-9A-Za-z_]" : "[^0-9A-Za-z_]");
		else if (cls == 's' || cls == 'S')
			add(t, cls == 's' ? "[" : "[^"), add(t, spaces),
			    add(t, "]");
		else
			literal(t, (uint32_t)cp);
		*can = 1;
		atom(t, 1);
		return 0;
	case '[':
		t->i++;
		*can = 1;
		atom(t, 1);
		return bracket(t);
	case '(':
		*can = 0;
		return group(t);
	case ')':
		if (t->depth == 0)
			return fail(t, t->i, "an unmatched \")\"");
		t->depth--;
		t->i++;
		*can = 1;
		t->last = t->cur;
		t->cur += t->outer[t->depth];
		return add(t, ")");
	case '|':
	case '^':
	case '$':
		t->i++;
		*can = 0;
		buf_addc(t->out, c);
		return 0;
	case '*':
	case '+':
	case '?':
		return quantifier(t, can);
	case '{': {
		long lo, hi;
		size_t end;

		if (bound(t, &lo, &hi, &end))
			return quantifier(t, can);
		t->i++;
		*can = 1;
		atom(t, 1);
		return add(t, "\\{");
	}
	case '.':
		t->i++;
		*can = 1;
		atom(t, 1);
		return add(t, dot);
	default:
		literal(t, next_char(t));
		*can = 1;
		atom(t, 1);
		return 0;
	}
}

int
esregex_translate(
    const char *src, size_t n, struct buf *out, char *msg, size_t msgsz)
{
	struct tr t;
	int can = 0;

	t.s = src;
	t.i = 0;
	t.n = n;
	t.out = out;
	t.msg = msg;
	t.msgsz = msgsz;
	t.depth = 0;
	t.cur = t.last = 0;
	if (memchr(src, '\0', n) != NULL)
		return fail(&t,
		    (size_t)((const char *)memchr(src, '\0', n) - src),
		    "a NUL character in a pattern");
	while (t.i < t.n)
		if (step(&t, &can) < 0)
			return -1;
	if (t.depth)
		return fail(&t, n, "a group is not closed");
	return 0;
}

static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;
static locale_t utf8_locale, c_locale;

static void
utf8_open(void)
{
	c_locale = newlocale(LC_CTYPE_MASK | LC_COLLATE_MASK, "C", (locale_t)0);
	utf8_locale =
	    newlocale(LC_CTYPE_MASK | LC_COLLATE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8_locale == (locale_t)0)
		utf8_locale = newlocale(
		    LC_CTYPE_MASK | LC_COLLATE_MASK, "C.utf8", (locale_t)0);
}

int
esregex_compile(
    struct esregex *r, const char *src, size_t n, char *msg, size_t msgsz)
{
	struct buf ere = BUF_INIT_MAX(1 << 20);
	locale_t old;
	int rc;

	memset(r, 0, sizeof(*r));
	pthread_once(&utf8_once, utf8_open);
	if (utf8_locale == (locale_t)0 || c_locale == (locale_t)0) {
		snprintf(msg, msgsz, "the C.UTF-8 locale is not available");
		return -1;
	}
	if (esregex_translate(src, n, &ere, msg, msgsz) < 0) {
		buf_release(&ere);
		return -1;
	}
	if (buf_reserve(&ere, 1) < 0) {
		buf_release(&ere);
		snprintf(msg, msgsz, "pattern too long");
		return -1;
	}
	/* An empty ERE is undefined in POSIX: "()" means the same. */
	if (ere.len == 0)
		buf_adds(&ere, "()");
	old = uselocale(utf8_locale);
	rc = regcomp(&r->re, ere.data, REG_EXTENDED | REG_NOSUB);
	if (rc == 0) {
		uselocale(c_locale);
		rc = regcomp(&r->ascii, ere.data, REG_EXTENDED | REG_NOSUB);
		if (rc != 0)
			regfree(&r->re);
	}
	uselocale(old);
	buf_release(&ere);
	if (rc != 0) {
		char why[128];

		regerror(rc, NULL, why, sizeof(why));
		snprintf(
		    msg, msgsz, "the C library refuses the pattern: %s", why);
		return -1;
	}
	r->compiled = 1;
	return 0;
}

/* Whether the n bytes of s are all ASCII. */
static int
ascii(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char any = 0;
	size_t i;

	for (i = 0; i < n; i++)
		any |= p[i];
	return any < 0x80;
}

int
esregex_match(const struct esregex *r, const char *s, size_t n)
{
	regmatch_t m[1];
	locale_t old;
	int rc;

	char *copy = NULL;

	/* REG_STARTEND: the subject need not be NUL-terminated. */
	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)n;
#ifdef ESREGEX_NUL_COPY
	/* AddressSanitizer's regexec reads the subject up to a NUL whatever
	 * REG_STARTEND says: a subject inside a line of a bigger buffer is
	 * then read past the buffer. Under it, match a NUL-ended copy. */
	if ((copy = malloc(n + 1)) != NULL) {
		memcpy(copy, s, n);
		copy[n] = '\0';
		s = copy;
	}
#endif
	if (ascii(s, n)) {
		old = uselocale(c_locale);
		rc = regexec(&r->ascii, s, 1, m, REG_STARTEND);
	} else {
		old = uselocale(utf8_locale);
		rc = regexec(&r->re, s, 1, m, REG_STARTEND);
	}
	uselocale(old);
	free(copy);
	return rc == 0;
}

void
esregex_free(struct esregex *r)
{
	if (r->compiled) {
		regfree(&r->re);
		regfree(&r->ascii);
	}
	r->compiled = 0;
}
