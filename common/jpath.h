/*
 * Dotted paths into JSON objects: "status", "details.voter-registration-
 * method", "user.voter_registration_status". A path names nested object
 * keys; it cannot name a key that itself contains a dot.
 */
#ifndef JPATH_H
#define JPATH_H

#include <jansson.h>

/* The value at path in obj (borrowed), or NULL when any step is missing. */
json_t *jpath_get(const json_t *obj, const char *path);

/*
 * Sets the value at path, creating intermediate objects as needed; steals
 * the reference to value (also on failure). Returns 0, or -1 when a step
 * exists and is not an object.
 */
int jpath_set_new(json_t *obj, const char *path, json_t *value);

/* The string at path, or NULL when missing or not a string. */
const char *jpath_string(const json_t *obj, const char *path);

/*
 * A new object (the caller's reference) of the values at the n paths that
 * hold one, not null and not an empty string, each under its path as the
 * key, in the order of paths: the fields of a record worth sending (a
 * create's body). The values are shared with obj, which may be NULL.
 */
json_t *jpath_pick(const json_t *obj, const char *const *paths, size_t n);

#endif
