/* Fast JSON string output; see jsonw.h. */
#include <stdio.h>
#include <string.h>

#include "jsonw.h"

/*
 * For each byte: 0 copy as is, 'u' write as \u00XX, anything else write as
 * a backslash and that character.
 */
static const char escape[256] = {
	['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
	[0] = 'u', [1] = 'u', [2] = 'u', [3] = 'u', [4] = 'u', [5] = 'u',
	[6] = 'u', [7] = 'u', [11] = 'u', [14] = 'u', [15] = 'u', [16] = 'u',
	[17] = 'u', [18] = 'u', [19] = 'u', [20] = 'u', [21] = 'u', [22] = 'u',
	[23] = 'u', [24] = 'u', [25] = 'u', [26] = 'u', [27] = 'u', [28] = 'u',
	[29] = 'u', [30] = 'u', [31] = 'u', ['"'] = '"', ['\\'] = '\\',
};

int
jsonw_string(struct buf *out, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run;
	char e[6];

	/* Reserve for the common case (nothing to escape) in one step. */
	if (buf_grow(out, n + 2) < 0)
		return -1;
	out->data[out->len++] = '"';
	while (i < n) {
		for (run = i; run < n && !escape[s[run]]; run++)
			;
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

int
jsonw_cstring(struct buf *out, const char *s)
{
	return jsonw_string(out, s, strlen(s));
}

int
jsonw_uint(struct buf *out, unsigned long long v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%llu", v);

	return buf_add(out, tmp, (size_t)n);
}
