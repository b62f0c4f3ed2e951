/*
 * qlayout: the rows post-quasar writes besides its raw one (quasar.h), one
 * JSONEachRow row a record, chosen with --layout.
 *
 * QLAYOUT_EVENTS: a record of the event layer (analytics/README.md)
 * becomes one row of the events table, whose statement is
 * pipelines/sql/events.sql, compiled in (qlayout_events_ddl()):
 *
 *	{"event_id":"e-1","event":"signup","time":"2026-11-30 12:00:00",
 *	 "time_ms":250,"member_id":"m-1","anonymous_id":"",...,
 *	 "utm_campaign":"","properties":"{\"method\":\"web\"}",
 *	 "violations":"[]","file":"in.ndjson","line":3,
 *	 "received_at":"2026-12-01 10:00:00"}
 *
 * The metadata (qlayout_columns) are the top-level members of the same
 * names: a string as it is, an absent or null one as "", any other value
 * as its compact JSON text. time (RFC 3339, "Z" or an offset, at most
 * three fraction digits) is written in UTC to the second, its
 * milliseconds apart; properties (an object, or absent or null: "{}") and
 * _meta.violations (an array, else "[]") as compact JSON text; file and
 * line from _meta.file and _meta.line when the record has both, else the
 * input's name and line; received_at the time the caller gives (the
 * run's start). A record without a non-empty string event_id or event,
 * whose time does not parse (or falls outside DateTime's 1970 to 2106),
 * or whose properties are not an object, is not an event: refused with
 * the reason. The identity of an event is its event_id alone (the
 * table's key): the SHA-256 of "event_id\n" and the id's JSON text.
 *
 * QLAYOUT_ROWS: the record's top-level members are the columns as they
 * are (a partial row of rollup), _meta left out; the row is the record's
 * compact JSON without it, and its identity its content, as the raw
 * layout's: the SHA-256 of "\"\"\n" and the row.
 *
 * In both, a row's identity can be read again from the row alone
 * (qlayout_row_hash()), which a replay of spooled batches needs.
 */
#ifndef QLAYOUT_H
#define QLAYOUT_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "sha256.h"

enum qlayout { QLAYOUT_RAW, QLAYOUT_EVENTS, QLAYOUT_ROWS };

/* The layout named name ("raw", "events", "rows"), or -1. */
int qlayout_parse(const char *name);

/* The layout's name ("raw", "events" or "rows"). */
const char *qlayout_name(enum qlayout l);

/* The metadata columns copied from the top level, NULL-terminated. */
extern const char *const qlayout_columns[];

/* pipelines/sql/events.sql's statement, as it is (its comments out). */
const char *qlayout_events_ddl(void);

/*
 * Appends rec's events row and its \n to out (see the top), and sets hash
 * to its identity. file and line are the input's, received the run's
 * start ("YYYY-MM-DD hh:mm:ss"). 0, or -1 with the reason in why
 * (replaced) and out as it was.
 */
int qlayout_event_row(struct buf *out, const json_t *rec, const char *file,
    unsigned long long line, const char *received, char hash[SHA256_HEX],
    struct buf *why);

/* Appends rec's row (rows layout) and its \n; sets hash. 0 or -1. */
int qlayout_rows_row(struct buf *out, const json_t *rec, char hash[SHA256_HEX]);

/*
 * The identity of a row as qlayout_event_row() or qlayout_rows_row()
 * wrote it (the n bytes at row, its \n excluded) into hash. 0, or -1
 * when it is not such a row (events: it does not start with its
 * event_id).
 */
int qlayout_row_hash(
    enum qlayout l, const char *row, size_t n, char hash[SHA256_HEX]);

/*
 * Appends the CREATE TABLE statement sql (one statement: "--" comment
 * lines and a final ";" left out) with its table's name replaced by
 * table: "CREATE TABLE [IF NOT EXISTS] NAME (" is how it must start. 0,
 * or -1 with the reason in why.
 */
int qlayout_ddl_named(
    struct buf *out, const char *sql, const char *table, struct buf *why);

#endif
