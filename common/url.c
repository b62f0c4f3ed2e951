/* URLs as text; see url.h. */
#include <string.h>

#include "url.h"

int
url_join(struct buf *out, const char *base, const char *path)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_reset(out);
	return buf_add(out, base, n) < 0 ? -1 : buf_adds(out, path);
}

int
url_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (buf_addc(out, (char)c) < 0)
				return -1;
		} else if (buf_addc(out, '%') < 0 ||
		           buf_addc(out, hex[c >> 4]) < 0 ||
		           buf_addc(out, hex[c & 15]) < 0) {
			return -1;
		}
	}
	return 0;
}
