/*
 * NDJSON records on jansson: one JSON object per line in, one per line out.
 * Anything else on a line (invalid JSON, an array, an empty line, a line
 * over the maximum size) is a reject with a reason, never a crash.
 */
#ifndef NDJSON_H
#define NDJSON_H

#include <jansson.h>

#include "buf.h"
#include "input.h"
#include "lines.h"

#define NDJSON_MAX_LINE_DEFAULT ((size_t)64 << 20)

/*
 * The most values one record may hold: the object itself, every member's
 * value (its key goes with it) and every array item, at any depth. A
 * record past it is rejected as "record too complex" before a jansson
 * tree or a jdoc index is built for it: a tree costs about 40 bytes an
 * array item and 150 an object member, so a line under the line maximum
 * could otherwise cost gigabytes (30 million tiny array items fit in 60
 * MB). At the limit a tree costs about 20 MB beside its strings. Vendor rows
 * hold tens to a few hundred values, the records made of them a few more.
 */
#define NDJSON_MAX_VALUES 100000

enum ndjson_status {
	NDJSON_RECORD, /* *rec holds a new reference to a JSON object; raw
	                  and rawlen its line, as read */
	NDJSON_EOF,
	NDJSON_REJECT, /* the line is not a record: see why, raw, rawlen */
	NDJSON_ERROR   /* reading failed: see the input's status, errmsg */
};

struct ndjson_reader {
	struct lines lines;
	unsigned long long line; /* of the record or reject last returned */
	struct buf why;          /* the reason of the last reject */
	const char *raw;         /* the rejected line (or its start) */
	size_t rawlen;
};

/* Reads records from in (borrowed), lines of at most max_line bytes. */
void ndjson_init(struct ndjson_reader *r, struct input *in, size_t max_line);

/* Returns the next record or reject; see enum ndjson_status. */
enum ndjson_status ndjson_next(struct ndjson_reader *r, json_t **rec);

/*
 * ndjson_next() in two steps, for a stage that reads some lines without
 * jansson: ndjson_line() reads the next line into raw and rawlen without
 * parsing it (NDJSON_RECORD: a line that may hold a record), and
 * ndjson_parse() then parses that line (NDJSON_RECORD or NDJSON_REJECT).
 */
enum ndjson_status ndjson_line(struct ndjson_reader *r);
enum ndjson_status ndjson_parse(struct ndjson_reader *r, json_t **rec);

/*
 * The two steps on a line read elsewhere (by a reader thread, feed.h).
 * ndjson_check() takes what lines_next() said of the line (LINES_OK or
 * LINES_TOOLONG), trims a final \r from *len, and returns NDJSON_RECORD,
 * or NDJSON_REJECT with the reason in why (max is the line maximum, for
 * the message). ndjson_parse_text() parses a record line: NDJSON_RECORD
 * with a new reference in *rec, or NDJSON_REJECT with the reason in why.
 */
enum ndjson_status ndjson_check(enum lines_status ls, const char *line,
    size_t *len, size_t max, struct buf *why);
enum ndjson_status ndjson_parse_text(
    const char *text, size_t len, json_t **rec, struct buf *why);

/*
 * The values the JSON text holds (as NDJSON_MAX_VALUES counts them),
 * counted from its commas and brackets without parsing it, stopping once
 * the count passes max. Exact for valid JSON; from any text, jansson
 * builds no more values than this count. ndjson_parse_text() rejects
 * a line whose count passes NDJSON_MAX_VALUES before jansson sees it.
 */
size_t ndjson_values(const char *text, size_t len, size_t max);

/* Replaces why with the reason a record over NDJSON_MAX_VALUES gets. */
void ndjson_too_complex(struct buf *why);

/* Frees the reader's buffers. */
void ndjson_release(struct ndjson_reader *r);

/*
 * Appends rec as compact JSON (UTF-8, key order kept) and a \n to out.
 * Returns 0, or -1 when out would exceed its maximum.
 */
int ndjson_dump(struct buf *out, const json_t *rec);

/* "an array", "a string", ... for messages about a value's type. */
const char *ndjson_type_name(const json_t *v);

#endif
