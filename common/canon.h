/*
 * Shaping the canonical activity record (README: "The canonical activity
 * record"), for the vendor filters (tv-filter, rtv-filter): the small
 * pieces each of them builds the record from.
 */
#ifndef CANON_H
#define CANON_H

#include <jansson.h>
#include <stddef.h>

/*
 * A JSON string of s, or null for NULL or "" (Northstar and Rogue store an
 * empty string as null). A new reference.
 */
json_t *canon_text(const char *s);

/*
 * A new object with the n members of rec named in cols, in that order, as
 * they are (the vendor's columns verbatim, for the post's details); a
 * column rec lacks is left out.
 */
json_t *canon_pick(const json_t *rec, const char *const *cols, size_t n);

#endif
