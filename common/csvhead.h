/*
 * csvhead: a CSV file's column names, made into the keys of the JSON
 * objects its records become (csv2ndjson).
 *
 * The names come from the header row (csvhead_read) or from a list the
 * user typed (csvhead_columns, --columns A,B,...). Every key must be a
 * name and no two the same, or a record's JSON object would hold a key
 * twice or an empty one:
 *
 *   - an empty name becomes column_N, N its position from 1;
 *   - a name seen before gets _2 (or _3, ... the first free one), and the
 *     name it had is kept in renamed[] for the stage to say so;
 *   - with provenance on, "_meta" counts as seen already, so a column of
 *     that name becomes _meta_2 and never collides with the record's own.
 *
 * The keys are then written once per file as JSON text, the opening brace
 * or the comma before each included ("{\"a\":" ",\"b\":" ...), so that a
 * record is written by copying each key and appending its value.
 *
 *	struct csvhead h = {0};
 *	if (csvhead_read(&h, &c, ENC_UTF8, 1, &why) == CSVIN_RECORD) ...
 *	key = csvhead_key(&h, i, &len);
 *	csvhead_release(&h);
 *
 * Nothing here prints: what is wrong comes back in why, and the renames
 * in renamed[].
 */
#ifndef CSVHEAD_H
#define CSVHEAD_H

#include <stddef.h>

#include "buf.h"
#include "csvin.h"
#include "utf8.h"

struct csvhead {
	size_t ncols;
	char **names;    /* the keys, unescaped, unique and non-empty */
	char **renamed;  /* per column: the name a repeat took from it, or
	                    NULL when it kept its own */
	char **fnames;   /* per column: "field 'NAME'", for messages */
	struct buf keys; /* the keys as JSON text, back to back */
	size_t *koff;    /* ncols + 1 offsets into keys */
};

/*
 * Makes the n names unique and non-empty (see the top; meta: "_meta" is
 * taken) and writes the keys. Takes ownership of names, an array of n
 * strings from malloc (the array itself may be NULL when n is 0): h frees
 * them. h must be zeroed or released.
 */
void csvhead_build(struct csvhead *h, char **names, size_t n, int meta);

/*
 * Checks a list of names between commas as --columns takes it: none may
 * be empty (a header row's empty name becomes column_N, but one typed on
 * the command line is a slip). Returns 0, or the position of the first
 * empty name, from 1.
 */
int csvhead_columns_check(const char *spec);

/*
 * csvhead_build() on the names of spec, split at its commas (empty names
 * included: check spec with csvhead_columns_check() first).
 */
void csvhead_columns(struct csvhead *h, const char *spec, int meta);

/*
 * Reads the next record of c as the header row: its fields, read in
 * encoding enc and checked as csvin_field_text() checks them (named
 * "column N" in its reasons), become the names of csvhead_build(). Returns
 * CSVIN_RECORD with h built; CSVIN_EOF when the input holds no record;
 * CSVIN_BAD with the reason in why (replaced) when the row is malformed
 * or a name holds a NUL byte or is not valid text; CSVIN_ERROR when
 * reading failed (the input's status and errmsg say why). h is built only
 * with CSVIN_RECORD; the row's line is c->line.
 */
enum csvin_status csvhead_read(struct csvhead *h, struct csvin *c,
    enum encoding enc, int meta, struct buf *why);

/*
 * Column i's key as JSON text, with the "{" or "," before it and the ":"
 * after it: n bytes, borrowed from h.
 */
static inline const char *
csvhead_key(const struct csvhead *h, size_t i, size_t *n)
{
	*n = h->koff[i + 1] - h->koff[i];
	return h->keys.data + h->koff[i];
}

/* The most bytes of fields csvhead_write() takes on: 1 MiB. */
#define CSVHEAD_WRITE_MAX ((size_t)1 << 20)

/*
 * Writes the record c last returned under h's keys as the start of a JSON
 * object, '{' and its members without the closing brace, in place of
 * out's content, with room reserved for extra more bytes: the fast writer
 * of a converter's hot path, one reservation for the whole record and no
 * escaping at all for a plain record (csvin_record_plain()). The record
 * must have exactly h->ncols fields, each valid UTF-8 without a NUL byte
 * (csvin_record_clean()). Returns 0, or -1 when its fields are over
 * CSVHEAD_WRITE_MAX bytes in all or out would pass its maximum: out is
 * then empty, and the caller writes the record another way.
 */
int csvhead_write(const struct csvhead *h, const struct csvin *c,
    struct buf *out, size_t extra);

/* Frees what h holds and zeroes it (a zeroed h is fine too). */
void csvhead_release(struct csvhead *h);

#endif
