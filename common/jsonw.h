/*
 * Writing JSON text fast, without building jansson values: the hot path of
 * csv2ndjson and of every reject line.
 */
#ifndef JSONW_H
#define JSONW_H

#include <stddef.h>

#include "buf.h"

/*
 * Appends s (n bytes of valid UTF-8) to out as a quoted JSON string:
 * quotes, backslashes and control characters escaped, everything else kept,
 * exactly as jansson's dump writes it (\u001F in upper case), so that the
 * stages after csv2ndjson read its lines on their fast path (jdoc.h).
 * Returns 0, or -1 when out would exceed its maximum.
 */
int jsonw_string(struct buf *out, const char *s, size_t n);

/*
 * The most bytes jsonw_string_at() writes for n bytes: every byte a
 * \u00XX, and the quotes.
 */
#define JSONW_STRING_MAX(n) (6 * (size_t)(n) + 2)

/*
 * jsonw_string() into room the caller reserved, at least
 * JSONW_STRING_MAX(n) bytes at o: no check of room per string, which a
 * writer of many short strings (csv2ndjson's fields) reserves once for a
 * whole record. The same bytes out. Returns the end of what was written.
 */
char *jsonw_string_at(char *o, const char *s, size_t n);

/* Appends a NUL-terminated UTF-8 string as a JSON string. 0 or -1. */
int jsonw_cstring(struct buf *out, const char *s);

/* Appends an unsigned integer. 0 or -1. */
int jsonw_uint(struct buf *out, unsigned long long v);

#endif
