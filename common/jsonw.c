/* Fast JSON string output; see jsonw.h. */
#include <stdint.h>
#include <string.h>

#include "jsonw.h"

/*
 * For each byte: 0 copy as is, 'u' write as \u00XX, anything else write as
 * a backslash and that character.
 */
/* clang-format off */
static const char escape[256] = {
	['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
	[0] = 'u', [1] = 'u', [2] = 'u', [3] = 'u', [4] = 'u', [5] = 'u',
	[6] = 'u', [7] = 'u', [11] = 'u', [14] = 'u', [15] = 'u', [16] = 'u',
	[17] = 'u', [18] = 'u', [19] = 'u', [20] = 'u', [21] = 'u', [22] = 'u',
	[23] = 'u', [24] = 'u', [25] = 'u', [26] = 'u', [27] = 'u', [28] = 'u',
	[29] = 'u', [30] = 'u', [31] = 'u', ['"'] = '"', ['\\'] = '\\',
};
/* clang-format on */

static const char hex[] = "0123456789ABCDEF";

/*
 * The length of the prefix of s that needs no escaping. Eight bytes at a
 * time: a word is safe when none of its bytes is below 0x20, a quote or a
 * backslash (the usual "has a zero byte" bit tricks).
 */
static size_t
safe_prefix(const unsigned char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t highs = 0x8080808080808080ull;
	uint64_t w, ctl, quote, bslash;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		ctl = (w - ones * 0x20) & ~w;
		quote = ((w ^ (ones * '"')) - ones) & ~(w ^ (ones * '"'));
		bslash = ((w ^ (ones * '\\')) - ones) & ~(w ^ (ones * '\\'));
		if ((ctl | quote | bslash) & highs)
			break;
	}
	while (i < n && !escape[s[i]])
		i++;
	return i;
}

int
jsonw_string(struct buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run;
	char e[6];

	/* Reserve for the common case (nothing to escape) in one step. */
	if (buf_reserve(out, n + 2) < 0)
		return -1;
	out->data[out->len++] = '"';
	while (i < n) {
		run = i + safe_prefix(s + i, n - i);
		if (buf_add(out, s + i, run - i) < 0)
			return -1;
		if ((i = run) >= n)
			break;
		e[0] = '\\';
		e[1] = escape[s[i]];
		if (e[1] == 'u') {
			memcpy(e + 2, "00", 2);
			e[4] = hex[s[i] >> 4];
			e[5] = hex[s[i] & 15];
			if (buf_add(out, e, 6) < 0)
				return -1;
		} else if (buf_add(out, e, 2) < 0) {
			return -1;
		}
		i++;
	}
	return buf_addc(out, '"');
}

/* Whether a word of eight bytes holds one that needs escaping. */
static inline int
word_unsafe(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t ctl, quote, bslash;

	ctl = (w - ones * 0x20) & ~w;
	quote = ((w ^ (ones * '"')) - ones) & ~(w ^ (ones * '"'));
	bslash = ((w ^ (ones * '\\')) - ones) & ~(w ^ (ones * '\\'));
	return ((ctl | quote | bslash) & (ones << 7)) != 0;
}

/* One byte as JSON string text at o; returns the end. */
static inline char *
byte_at(char *o, unsigned char c)
{
	char e = escape[c];

	if (e == 0) {
		*o++ = (char)c;
	} else if (e != 'u') {
		*o++ = '\\';
		*o++ = e;
	} else {
		memcpy(o, "\\u00", 4);
		o[4] = hex[c >> 4];
		o[5] = hex[c & 15];
		o += 6;
	}
	return o;
}

char *
jsonw_string_at(char *o, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, stop;
	uint64_t w;

	*o++ = '"';
	while (i < n) {
		/* Plain words are copied whole. */
		for (; n - i >= 8; i += 8) {
			memcpy(&w, s + i, 8);
			if (word_unsafe(w))
				break;
			memcpy(o, &w, 8);
			o += 8;
		}
		/* Then a word's worth (or the tail) byte by byte. */
		stop = n - i < 8 ? n : i + 8;
		for (; i < stop; i++)
			o = byte_at(o, s[i]);
	}
	*o++ = '"';
	return o;
}

int
jsonw_cstring(struct buf *out, const char *s)
{
	return jsonw_string(out, s, strlen(s));
}

int
jsonw_uint(struct buf *out, unsigned long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	/* Once per record: cheaper than snprintf. */
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return buf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}
