/*
 * The key of a record: the values of one or more fields named by dotted
 * paths ("northstar_id,action_id,type", "user.id"), as the bytes that
 * dedupe hashes and the delivery ledger stores.
 *
 * The key bytes are, for each field in order, the compact JSON text of its
 * value (jansson, JSON_COMPACT), joined by one 0x1f byte. So the string "1"
 * and the number 1 are different keys, and since JSON text escapes every
 * control character, 0x1f never occurs inside a value and the join cannot
 * be ambiguous. The ledger (ledger.h) builds the bytes of a stored key
 * array with reckey_join(), the same way, so a record's key bytes equal
 * the ledger's bytes for that record's key.
 *
 * An object used as a key value keeps its members in the record's order:
 * {"a":1,"b":2} and {"b":2,"a":1} are different keys.
 */
#ifndef RECKEY_H
#define RECKEY_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "hash128.h"

struct reckey {
	size_t n;
	char **paths; /* n dotted paths, owned */
	char *fields; /* the paths joined by ",": the ledger's "fields" */
};

/*
 * Parses a spec of comma-separated dotted paths into k. Returns 0, or -1
 * when the spec or one of its paths is empty, a path has an empty step
 * ("a..b", ".a", "a."), or a path holds a control character (which the
 * ledger's fields string must not contain); k is then empty but must still
 * be released. The spec is copied.
 */
int reckey_parse(struct reckey *k, const char *spec);

/* Frees what reckey_parse allocated. */
void reckey_release(struct reckey *k);

/*
 * Appends the compact JSON text of v (any JSON value, borrowed) to out.
 * Returns 0, or -1 when out would exceed its maximum.
 */
int reckey_add_value(struct buf *out, const json_t *v);

/*
 * Replaces the contents of out with the key bytes of rec (borrowed).
 * Returns 0; -1 when a key field is absent or JSON null, with *missing set
 * to its path (borrowed from k); -2 when out would exceed its maximum.
 */
int reckey_build(const struct reckey *k, const json_t *rec, struct buf *out,
    const char **missing);

/*
 * Replaces the contents of out with the key bytes of a JSON array of key
 * values (borrowed), as stored in the ledger. Returns 0, or -1 when arr is
 * not an array or out would exceed its maximum.
 */
int reckey_join(const json_t *arr, struct buf *out);

/*
 * A new JSON array of the key values of rec (new reference, owned by the
 * caller; the values are shared with rec), for ledger_append. NULL when a
 * key field is absent or null, with *missing set as for reckey_build.
 */
json_t *reckey_array(
    const struct reckey *k, const json_t *rec, const char **missing);

/* The hash of key bytes: hash128() of out's bytes. */
struct hash128 reckey_hash(const struct buf *key);

#endif
