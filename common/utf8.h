/*
 * UTF-8 validation, repair for display, and conversion from the 8-bit
 * encodings vendors' Excel exports use; and the value of a hexadecimal
 * digit, with which JSON, URLs, patterns and ledgers write code points and
 * bytes.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

#include "buf.h"

enum encoding { ENC_UTF8, ENC_LATIN1, ENC_CP1252 };

/*
 * Returns the length of the longest valid UTF-8 prefix of s: n when all of
 * s is valid. Overlong forms, surrogates and code points above U+10FFFF are
 * invalid, as RFC 3629 says.
 */
size_t utf8_valid_prefix(const char *s, size_t n);

/*
 * Appends s to out with every byte that is not part of valid UTF-8 replaced
 * by U+FFFD, so that it can be shown or embedded in JSON. Returns 0, or -1
 * when out would exceed its maximum.
 */
int utf8_repair(struct buf *out, const char *s, size_t n);

/*
 * Appends s, read in encoding enc, to out as UTF-8. For ENC_UTF8 the bytes
 * are copied as they are. CP1252's five undefined bytes become the C1
 * control characters of the same value, as the WHATWG decoder does.
 * Returns 0, or -1 when out would exceed its maximum.
 */
int utf8_from(struct buf *out, const char *s, size_t n, enum encoding enc);

/* Parses "utf-8", "latin1", "cp1252" and their usual aliases. 0 or -1. */
/* The value of the hexadecimal digit c (0-9, a-f, A-F), or -1. */
int hex_digit(int c);

int encoding_parse(const char *name, enum encoding *enc);

#endif
