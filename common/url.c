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

int
url_last_segment(const char *url, char *out, size_t size)
{
	const char *end = url + strcspn(url, "?#"), *p;
	size_t n;

	while (end > url && end[-1] == '/')
		end--;
	for (p = end; p > url && p[-1] != '/'; p--)
		;
	n = (size_t)(end - p);
	if (n == 0 || n >= size ||
	    strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	              "nopqrstuvwxyz0123456789-_.") < n)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int
url_resolve(struct buf *out, const char *base, const char *ref)
{
	const char *host;

	buf_reset(out);
	if (strncmp(ref, "https://", 8) == 0 || strncmp(ref, "http://", 7) == 0)
		return buf_adds(out, ref) < 0 ? -2 : 0;
	if (ref[0] != '/' || (host = strstr(base, "://")) == NULL)
		return -1;
	host += 3;
	if (buf_add(out, base, (size_t)(host - base) + strcspn(host, "/?#")) <
	        0 ||
	    buf_adds(out, ref) < 0)
		return -2;
	return 0;
}

int
url_add_query(struct buf *url, const char *name, const char *value)
{
	if (buf_adds(url, url->data && strchr(url->data, '?') ? "&" : "?") <
	        0 ||
	    buf_adds(url, name) < 0 || buf_addc(url, '=') < 0)
		return -1;
	return url_escape(url, value);
}
