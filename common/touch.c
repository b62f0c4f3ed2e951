#include "touch.h"

#include <string.h>

static int
alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
scheme_char(unsigned char c)
{
	return alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '.' ||
	       c == '-';
}

int
touch_host(const char *u, size_t n, size_t *off, size_t *len)
{
	size_t i = 1, j;

	if (u == NULL || n == 0 || !alpha((unsigned char)u[0]))
		return -1;
	while (i < n && scheme_char((unsigned char)u[i]))
		i++;
	/* The scheme's characters never include ':', so the first one not
	 * among them must begin "://". */
	if (n - i < 3 || memcmp(u + i, "://", 3) != 0)
		return -1;
	i += 3;
	for (j = i; j < n && !memchr("/?#:@", u[j], 5); j++)
		;
	*off = i;
	*len = j - i;
	return 0;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether the hosts a and b are the same once lower-cased. */
static int
same_host(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

int
touch_source(struct buf *out, const char *utm_source, size_t nsource,
    const char *referrer, size_t nref, const char *url, size_t nurl)
{
	size_t roff, rlen, uoff = 0, ulen = 0, i;

	if (utm_source && nsource)
		return buf_add(out, utm_source, nsource);
	if (referrer && nref && touch_host(referrer, nref, &roff, &rlen) == 0 &&
	    rlen > 0) {
		if (url == NULL || touch_host(url, nurl, &uoff, &ulen) < 0) {
			url = "";
			uoff = ulen = 0;
		}
		if (!same_host(referrer + roff, rlen, url + uoff, ulen)) {
			if (buf_reserve(out, rlen) < 0)
				return -1;
			for (i = 0; i < rlen; i++)
				out->data[out->len++] =
				    lower(referrer[roff + i]);
			out->data[out->len] = '\0';
			return 0;
		}
	}
	return buf_adds(out, "direct");
}

int
touch_is(const char *source, size_t nsource, size_t ncampaign)
{
	return ncampaign > 0 || nsource != 6 ||
	       memcmp(source, "direct", 6) != 0;
}
