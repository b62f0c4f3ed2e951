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

/*
 * Appends the query parameter name=value to the URL in url: after "?",
 * or "&" when it has a query already; value percent-encoded
 * (url_escape()), name as it is. 0 or -1.
 */
int url_add_query(struct buf *url, const char *name, const char *value);

/*
 * Copies the last path segment of url, its query, fragment and trailing
 * slashes left out, into out (size bytes, NUL-terminated): the id a URL
 * that a service gave ends with ("https://h/api/v4/reports/123?x=1" gives
 * "123"). Returns 0, or -1 when the segment is empty, does not fit, or
 * holds anything but ASCII letters, digits, '-', '_' and '.': the id goes
 * into URLs the caller builds, and an id a service never gives is not
 * guessed at. out is unchanged on -1.
 */
int url_last_segment(const char *url, char *out, size_t size);

/*
 * Replaces out's contents with ref made absolute: ref as it is when it is
 * an http:// or https:// URL, else ref, a path ("/files/1.csv"), on the
 * scheme, host and port of base (a service's URL). Returns 0; -1 when ref
 * is neither (out is then empty) or base has no "://"; -2 when out would
 * exceed its maximum (out then holds what fitted).
 */
int url_resolve(struct buf *out, const char *base, const char *ref);

#endif
