/* UTF-8 validation and 8-bit conversion; see utf8.h. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

/* Returns the length of the valid sequence at s, or 0 when it is invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0) /* overlong */
			return 0;
		if (c == 0xed && s[1] >= 0xa0) /* surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90) /* overlong */
			return 0;
		if (c == 0xf4 && s[1] >= 0x90) /* above U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

size_t
utf8_valid_prefix(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k;
	uint64_t w;

	while (i < n) {
		/* Most vendor data is ASCII: test eight bytes at a time. */
		while (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(s + i, n - i);
		if (k == 0)
			return i;
		i += k;
	}
	return n;
}

int
utf8_repair(struct buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, ok;

	while (i < n) {
		ok = utf8_valid_prefix(str + i, n - i);
		if (buf_add(out, s + i, ok) < 0)
			return -1;
		i += ok;
		if (i < n) {
			if (buf_add(out, "\xef\xbf\xbd", 3) < 0)
				return -1;
			i++;
		}
	}
	return 0;
}

/* CP1252's 0x80..0x9f; the undefined ones map to the C1 control itself. */
/* clang-format off */
static const uint16_t cp1252_high[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};
/* clang-format on */

int
utf8_from(struct buf *out, const char *str, size_t n, enum encoding enc)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned cp;
	char u[3];
	size_t i, run;

	if (enc == ENC_UTF8)
		return buf_add(out, str, n);
	for (i = 0; i < n;) {
		for (run = i; run < n && s[run] < 0x80; run++)
			;
		if (buf_add(out, s + i, run - i) < 0)
			return -1;
		if ((i = run) >= n)
			break;
		cp = s[i++];
		if (enc == ENC_CP1252 && cp < 0xa0)
			cp = cp1252_high[cp - 0x80];
		if (cp < 0x800) {
			u[0] = (char)(0xc0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3f));
			if (buf_add(out, u, 2) < 0)
				return -1;
		} else {
			u[0] = (char)(0xe0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (char)(0x80 | (cp & 0x3f));
			if (buf_add(out, u, 3) < 0)
				return -1;
		}
	}
	return 0;
}

int
encoding_parse(const char *name, enum encoding *enc)
{
	static const struct {
		const char *name;
		enum encoding enc;
	} names[] = {
	    {"utf-8", ENC_UTF8},
	    {"utf8", ENC_UTF8},
	    {"latin1", ENC_LATIN1},
	    {"latin-1", ENC_LATIN1},
	    {"iso-8859-1", ENC_LATIN1},
	    {"iso8859-1", ENC_LATIN1},
	    {"cp1252", ENC_CP1252},
	    {"windows-1252", ENC_CP1252},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*enc = names[i].enc;
			return 0;
		}
	}
	return -1;
}

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
