/*
 * postbody: the body of a create request made of a record's fields
 * (post-rogue's new post): the fields a service takes, copied when the
 * record has them, and its details sent as a string of JSON, as Rogue
 * wants them.
 *
 * The stage names the fields (a NULL-terminated list of its own, the
 * base, and the vendor file's extra ones, "quantity,created_at"): the
 * module knows none. A field the record lacks, or holds null, is left
 * out, so the service's default applies; the details key, an object in
 * the record, is sent as its compact JSON text.
 */
#ifndef POSTBODY_H
#define POSTBODY_H

#include <jansson.h>

/*
 * A new object (the caller's reference): each field of base, then of
 * extra (a list of names "a,b", or NULL; a name of base again is not
 * repeated), with rec's value (borrowed) when it is there and not null,
 * in that order; then, when details is not NULL and rec's value at that
 * key is an object, that key with the object's compact JSON as a string.
 */
json_t *postbody_create(const json_t *rec, const char *const *base,
    const char *extra, const char *details);

#endif
