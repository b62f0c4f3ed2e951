/*
 * What post-quasar knows about its warehouse, ClickHouse: the table, the
 * row each record becomes, the URL of an insert, and what an answer means
 * (tests/servers/CLICKHOUSE.md has the measurements behind it).
 *
 * A record becomes one row of the table
 *
 *	source 'acme', record_hash '9f86d0...', file 'export.csv',
 *	line 2, imported_at '2026-11-22 10:00:00', record '{"id":...}'
 *
 * whose record is the line exactly as read: no vendor schema is needed,
 * and RowBinary or JSONEachRow output gives the line back byte for byte.
 * source, file and line come from the record's _meta (csv2ndjson's
 * provenance), else the defaults the stage gives. The row travels as
 * RowBinary (rowbin.h): each column's bytes as they are, after a length,
 * where JSONEachRow would escape every quote of the record again (the
 * record of an export has one every 16 bytes or so), which took a seventh
 * of post-quasar's CPU and a fifth more bytes to compress.
 *
 * The table's key is (source, record_hash): the record's identity is its
 * content (the record without its _meta, see quasar_hash_doc()), never the
 * path it was read through. A batch inserted twice, the same export read
 * through another spelling of its path, and a cumulative export saved
 * under a new name each day all collapse to one row per record under
 * FINAL; file and line stay as columns, the provenance of the copy
 * inserted last. Two rows of one export that are the same record are one
 * row too. A table made by an older post-quasar is keyed by (source,
 * file, line), which CREATE TABLE IF NOT EXISTS does not change:
 * quasar_key_check() tells it, and an insert into it is refused for the
 * record_hash column it lacks (quasar_hint()).
 */
#ifndef QUASAR_H
#define QUASAR_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "jdoc.h"
#include "qlayout.h"
#include "sha256.h"

/* A table name: letters, digits, _ (not first a digit), maybe "db.". */
int quasar_table_ok(const char *table);

/* Appends the CREATE TABLE IF NOT EXISTS statement for table. */
void quasar_ddl(struct buf *out, const char *table);

/*
 * Appends the INSERT of rows of layout l into table: "INSERT INTO table
 * (source, record_hash, file, line, imported_at, record) FORMAT
 * RowBinary" for the raw layout's (quasar_row()), "INSERT INTO table
 * FORMAT JSONEachRow" for the others' (qlayout.h).
 */
void quasar_insert(struct buf *out, const char *table, enum qlayout l);

/*
 * Appends the query that asks ClickHouse for table's engine and sorting
 * key (system.tables), answered as one TSV line, or nothing without the
 * table.
 */
void quasar_key_query(struct buf *out, const char *table);

/*
 * Reads the answer to quasar_key_query() (or quasar_shards_query()'s, a
 * line per shard's answer): 1 when the table (every line) is the
 * ReplacingMergeTree keyed by (source, record_hash) that quasar_ddl()
 * makes, 0 when there is no such table, -1 when it is keyed otherwise
 * (an older post-quasar's table: (source, file, line)), with its engine
 * and key put in what ("ReplacingMergeTree keyed by (source, file,
 * line)").
 */
int quasar_key_check(const char *body, size_t n, struct buf *what);

/*
 * A Distributed table (a cluster's, pipelines/sql/cluster.sql) holds no
 * rows of its own: its shards' tables are the ones keyed. Whether the
 * answer to quasar_key_query() is such a table's ("Distributed\t").
 */
int quasar_distributed(const char *body, size_t n);

/*
 * Appends the query that asks for table's columns and their types
 * (system.columns), answered a TSV line each ("line\tUInt64").
 */
void quasar_columns_query(struct buf *out, const char *table);

/*
 * Reads the answer to quasar_columns_query(): 0 when the table has each
 * column of quasar_ddl() with its type (a DateTime may name a time
 * zone), as RowBinary rows need, their columns being read by the table's
 * types: a table whose line is UInt32 would take the next column's bytes
 * for the rest of it. Else -1 with what differs in what ("line is
 * UInt32, not UInt64", "it has no column record_hash FixedString(64)").
 * Other columns are the table's own business (they take their defaults).
 * An empty answer (the server shows no such table) is 0, as
 * quasar_key_check()'s: there is nothing to check.
 */
int quasar_columns_check(const char *body, size_t n, struct buf *what);

/* Appends the query that asks for table's engine_full (system.tables). */
void quasar_engine_query(struct buf *out, const char *table);

/*
 * Reads the answer to quasar_engine_query(), "Distributed(cluster,
 * database, table[, sharding key])", and appends the query that asks
 * every shard of the cluster for that table's engine and key
 * (cluster('C', system.tables)), answered a TSV line per distinct answer,
 * for quasar_key_check(). -1 when the answer is not one, or its arguments
 * not plain names (quoted or not).
 */
int quasar_shards_query(struct buf *out, const char *body, size_t n);

/*
 * A hint for a refused insert whose answer says that the table has no
 * column record_hash (an older post-quasar's table), or that the rows
 * ended before their columns did (code 33: a column of another type), or
 * NULL.
 */
const char *quasar_hint(const char *body, size_t n);

/*
 * Appends ClickHouse's HTTP URL running query: base (http://host:8123,
 * with or without a path or parameters of its own) and the query as its
 * "query" parameter, percent-encoded. 0 or -1.
 */
int quasar_url(struct buf *out, const char *base, const char *query);

/*
 * A copy of url without credentials, to be written to disk: no
 * "user:password@" and no "password" parameter. Owned by the caller.
 */
char *quasar_redact(const char *url);

/* UTC time t as DateTime input wants it: "YYYY-MM-DD hh:mm:ss". */
void quasar_datetime(time_t t, char out[20]);

/*
 * A record's provenance, each part as the JSON text the row takes: a
 * string's with its quotes and escapes. A part the record lacks is NULL
 * (line: -1) until quasar_prov_fill() fills in the stage's defaults.
 */
struct quasar_prov {
	const char *source, *file;
	size_t source_len, file_len;
	long long line;
	char hash[SHA256_HEX]; /* the record's identity (quasar_hash_*) */
	struct buf sbuf, fbuf; /* the texts, for a record read by jansson */
	struct buf dump;       /* the tree without _meta, for its hash */
	struct buf sdef, fdef; /* the defaults' texts (quasar_prov_fill) */
	const char *fdef_for;  /* the file name fdef was made for */
};

/* Sets p up, with "" as the default source. */
void quasar_prov_init(struct quasar_prov *p);
void quasar_prov_release(struct quasar_prov *p);

/*
 * Sets the source a record without _meta.source gets (--source; a copy
 * is kept).
 */
void quasar_prov_source(struct quasar_prov *p, const char *source);

/*
 * Fills in what the record just read (quasar_prov_doc() or _tree()) lacks:
 * the default source, file (the input it was read from, borrowed; its
 * JSON text is made again only when file is not the pointer of the last
 * call, since a stage's input name stays put while the input is read) and
 * line (where it was read).
 */
void quasar_prov_fill(
    struct quasar_prov *p, const char *file, unsigned long long line);

/*
 * Reads _meta.source, _meta.file (strings) and _meta.line (an integer, 0
 * or more) from a record indexed by jdoc (the texts point into its line),
 * or from its jansson tree. A value of another type counts as missing.
 */
void quasar_prov_doc(struct quasar_prov *p, const struct jdoc *d);
void quasar_prov_tree(struct quasar_prov *p, const json_t *rec);

/*
 * Sets p->hash to the record's identity: the SHA-256, in hex, of the
 * source as JSON text (p->source, quotes included), a \n, and the record
 * without its _meta member as jansson's compact JSON. For a line jdoc
 * indexed (canonical: jansson's own compact form) that is the line with
 * the member and a comma beside it cut out; for a tree, its compact dump
 * without the member. So a record has one identity however its JSON was
 * spelt (spaces, escapes, 2.50 for 2.5), whichever path read it, and
 * whatever its _meta says. p->source must be set.
 */
void quasar_hash_doc(struct quasar_prov *p, const struct jdoc *d);
void quasar_hash_tree(struct quasar_prov *p, const json_t *rec);

/*
 * Appends the record's RowBinary row (rowbin.h), its columns in the order
 * of quasar_insert()'s: p's source (decoded from its JSON text), its
 * identity p->hash, its file and line, the time imported, and the n bytes
 * of the raw line as the record. 0, or -1 when out would exceed its
 * maximum.
 */
int quasar_row(struct buf *out, const struct quasar_prov *p, time_t imported,
    const char *raw, size_t n);

/*
 * Rows spooled by a post-quasar older than record_hash (a sidecar of
 * version 1) lack it, and a table keyed by it would take every such row
 * as the same record. Gives each row of the gzipped JSONEachRow body
 * (replaced) its record_hash, from its source and record as above; *bytes
 * gets the body's new size uncompressed. 0, or -1 with the reason in err
 * when the body is not gzip or a row is not a post-quasar row.
 */
int quasar_upgrade_rows(
    struct buf *body, unsigned long long *bytes, struct buf *err);

/*
 * Appends to keys, for each of the RowBinary rows quasar_row() wrote (a
 * batch's body unpacked: shipcodec.h), the first 32 hex digits of its
 * record_hash as a struct hash128 (hashledger_hex()): the keys
 * post-quasar --seen records of the rows. 0, or -1 when the rows are not
 * such rows (keys may then hold some).
 */
int quasar_rowbin_keys(const struct buf *rows, struct buf *keys);

/*
 * The same for JSONEachRow rows of the raw layout, which a post-quasar
 * older than RowBinary rows spooled (-1 when a row has no record_hash).
 */
int quasar_row_keys(const struct buf *rows, struct buf *keys);

/*
 * quasar_row_keys() for rows of layout l (qlayout.h): the raw layout's
 * record_hash, else the identity qlayout_row_hash() reads from each row.
 */
int quasar_row_keys_layout(
    const struct buf *rows, enum qlayout l, struct buf *keys);

/* What an answer to an insert (or CREATE) means. */
enum quasar_verdict {
	QUASAR_STORED,  /* 2xx: the batch is in the table */
	QUASAR_RETRY,   /* no answer, 429, 5xx without a data error code */
	QUASAR_REFUSED, /* the server will not take it as it is: a 4xx,
	                   or an error code a retry cannot cure */
	QUASAR_DENIED   /* the credentials were refused */
};

/*
 * The verdict on an answer: the HTTP status (0 when there was none) and
 * the body, whose "Code: N" ClickHouse sets on errors.
 */
enum quasar_verdict quasar_verdict(long status, const char *body, size_t n);

/* The "Code: N" of an error body, or -1. */
long quasar_code(const char *body, size_t n);

/*
 * Appends the server's message for a message of ours: the body's first
 * line, at most 300 bytes, without ClickHouse's ", e.what() = ..." tail.
 */
void quasar_message(struct buf *out, const char *body, size_t n);

#endif
