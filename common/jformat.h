/*
 * jformat: the string formats JSON Schema's "format" keyword names that
 * jschema checks (date-time, date, email, uuid, uri), each a function of
 * the n bytes of a string answering 1 (the format holds) or 0.
 *
 * - date-time: RFC 3339's date-time: YYYY-MM-DDThh:mm:ss, an optional
 *   fraction of any number of digits, then Z or an offset +hh:mm / -hh:mm;
 *   "T" and "Z" may be lower case, as RFC 3339 allows. The fields are
 *   checked against the calendar (February 29 in leap years only) and the
 *   clock (hours 00-23, minutes 00-59, offsets up to 23:59). Second 60 is
 *   a leap second: without a table of the leap seconds that were, it is
 *   allowed exactly where one can fall, at 23:59:60 UTC (the time less its
 *   offset), and nowhere else.
 * - date: RFC 3339's full-date, YYYY-MM-DD, checked as above.
 * - email: a practical rule, not RFC 5322's whole grammar: one "@" between
 *   a local part and a domain, both non-empty; no white space, control
 *   character or any of "(),:;<>[\] anywhere; the local part and each
 *   dot-separated label of the domain non-empty (no leading, trailing or
 *   doubled dot). A local part without a dot, and a domain without one
 *   ("root@localhost"), are allowed.
 * - uuid: 8-4-4-4-12 hexadecimal digits (either case), as RFC 4122 writes
 *   one; no braces, no "urn:uuid:".
 * - uri: an absolute URI of RFC 3986: a scheme (a letter, then letters,
 *   digits, "+", "-", "."), ":", then only the characters a URI may hold
 *   (unreserved, reserved, and "%" followed by two hex digits), at most
 *   one "#", and "[" "]" only around the host of an authority ("//").
 *   No space, no non-ASCII character (that would be an IRI).
 */
#ifndef JFORMAT_H
#define JFORMAT_H

#include <stddef.h>

int jformat_date_time(const char *s, size_t n);
int jformat_date(const char *s, size_t n);
int jformat_email(const char *s, size_t n);
int jformat_uuid(const char *s, size_t n);
int jformat_uri(const char *s, size_t n);

/* The checker of a format by its name, or NULL when it is not one above. */
typedef int (*jformat_fn)(const char *s, size_t n);
jformat_fn jformat_find(const char *name);

#endif
