/*
 * dictionary: the event layer's data dictionary (analytics/README.md), read
 * once and checked against many events.
 *
 * dictionary_load() reads a dictionary file and refuses anything the format
 * does not allow: a key of the dictionary's own that it does not know, a
 * schema outside jschema's subset (every rule's schema is compiled here), a
 * name that is not snake_case, an event or a rule without a description, a
 * `required` or `identity` naming a property not listed, a `violation` that
 * is not flag, omit or block, an `unknown_event` that is not block or flag,
 * `conversions` naming an event not listed. A refusal is one message,
 * "FILE:LINE:COL: message", LINE and COL (1-based, the column counted in
 * characters) where the offending key or value starts in the file.
 *
 * dictionary_check() checks one event: the metadata rules on the top-level
 * keys (a top-level key not listed and not `_meta` is a violation of the
 * dictionary's default action), then, for an event the dictionary knows,
 * its `properties` against the event's rules. Every violation is found, not
 * only the first. Each is appended to the violations array as
 *
 *   {"event":"signup","field":"properties.method","rule":"enum",
 *    "action":"block","message":"...","description":"How they signed up."}
 *
 * A compiled dictionary is read-only: any number of threads may check
 * events with it at once.
 */
#ifndef DICTIONARY_H
#define DICTIONARY_H

#include <jansson.h>

#include "buf.h"

struct dictionary;

enum dictionary_action { DICTIONARY_FLAG, DICTIONARY_OMIT, DICTIONARY_BLOCK };

/*
 * Reads and compiles the dictionary at path. Returns a new dictionary (the
 * caller frees it with dictionary_free()), or NULL with why holding
 * "FILE:LINE:COL: message" (or "FILE: message" when the file cannot be
 * read, "FILE:LINE:COL: message" with jansson's words when it is not
 * JSON). errno is then the reason the file could not be read (ENOENT...),
 * or 0 when its content was refused.
 */
struct dictionary *dictionary_load(const char *path, struct buf *why);

/*
 * dictionary_load() on len bytes of text already read (borrowed; not
 * kept), name standing for the file in messages. errno is 0 on refusal.
 */
struct dictionary *dictionary_loadb(
    const char *name, const char *text, size_t len, struct buf *why);

/* Frees d and everything it holds; NULL is allowed. */
void dictionary_free(struct dictionary *d);

/*
 * Checks one event (a JSON object; anything else is one violation of the
 * rule "type" on the field ""). With apply=1, an omit violation removes the
 * offending property from ev (the top-level key, or the key under
 * `properties`); with apply=0, ev is not changed (observe). Each violation
 * is appended to violations (a JSON array; NULL: not recorded) as a new
 * object shown above. Returns 1 when some violation blocks the event, else
 * 0.
 */
int dictionary_check(
    const struct dictionary *d, json_t *ev, json_t *violations, int apply);

struct jdoc;

/*
 * The fast question on a canonical line's index (jdoc.h): 1 when the event
 * has no violation at all, else 0 (also when the line holds something
 * this path leaves to dictionary_check(), such as an escaped key). For the
 * common case, where nearly every event is valid: answered without a
 * jansson tree, by the same evaluation of the schemas (jschema_ok_jdoc).
 */
int dictionary_ok_jdoc(const struct dictionary *d, const struct jdoc *doc);

/* 1 when event names one of the dictionary's conversions, else 0. */
int dictionary_converts(const struct dictionary *d, const char *event);

/*
 * Appends the violations (an array as dictionary_check() fills it) to out
 * in words, the blocking ones first, "; " between them:
 *
 *   block: properties.method: enum: "fax" is not one of the allowed
 *   values (How they signed up.)
 *
 * Returns 0, or -1 when out would exceed its maximum.
 */
int dictionary_reason(const json_t *violations, struct buf *out);

/* "flag", "omit" or "block". */
const char *dictionary_action_name(enum dictionary_action a);

/*
 * The dictionary file's tree, as read (borrowed, valid while d is): for a
 * page that renders it, knowing that everything in it has been checked.
 */
const json_t *dictionary_json(const struct dictionary *d);

#endif
