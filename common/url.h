/*
 * URLs as text: a service's base URL joined with a path, and values
 * percent-encoded for a path segment or a query. Below http.h, oauth.h and
 * redact.h, which all build URLs, so that none of them needs another.
 */
#ifndef URL_H
#define URL_H

#include "buf.h"

/*
 * Replaces out's contents with base (a service's URL) without its trailing
 * slashes, followed by path ("/v2/users"). 0, or -1 when out would exceed
 * its maximum.
 */
int url_join(struct buf *out, const char *base, const char *path);

/*
 * Appends s to out, percent-encoded for a URL path segment or a query
 * value (RFC 3986 unreserved characters kept). 0 or -1.
 */
int url_escape(struct buf *out, const char *s);

#endif
