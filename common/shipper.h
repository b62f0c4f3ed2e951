/*
 * shipper: rows shipped to the warehouse in compressed batches, for
 * post-quasar. The stage adds rows; the shipper gathers them into the
 * batch being filled, seals it when it holds max_records rows or max_bytes
 * bytes, or interval seconds after its first row, compresses it whole
 * then (shipcodec.h: gzip by libdeflate, or ClickHouse's LZ4 blocks), and
 * POSTs it (http.h),
 * at most `flight` batches at once. One full batch may wait for a free
 * place on the wire; while it waits, the stage takes no more rows
 * (shipper_room), which is what bounds memory: the rows of the batch being
 * filled (at most max_bytes, or one larger row) and SHIP_SLOTS batches,
 * compressed.
 *
 * What an answer means is quasar_verdict()'s: a failure a retry may cure
 * (no answer, 429, a 5xx without a data error code) is sent again after
 * http_backoff() while the retry budget lasts; anything else ends the
 * batch. Each batch ends once, through the stage's callback:
 *
 *	ended(b, 0, NULL, arg)           the server took it
 *	ended(b, status, why, arg)       it failed: status EXIT_UNAVAILABLE
 *	                                 (unavailable, or refused),
 *	                                 EXIT_NOPERM (credentials refused)
 *	                                 or EXIT_USAGE (no answer for a
 *	                                 reason of the configuration: the
 *	                                 server's certificate not trusted;
 *	                                 http_failure() says it)
 *
 * After the first failure the shipper stops: batches sealed later end at
 * once with the same status and reason, unsent, and no call is retried
 * any more; the stage spools them. The batch is free again when the
 * callback returns. Nothing here prints.
 *
 * Before the first batch, a stage may run calls of its own through the
 * same client and verdicts (shipper_call): the table made and its key
 * checked (shipper_create_table).
 */
#ifndef SHIPPER_H
#define SHIPPER_H

#include "buf.h"
#include "hash128.h"
#include "http.h"
#include "shipcodec.h"
#include "spool.h"

#define SHIP_FLIGHT_MAX 2
#define SHIP_SLOTS (SHIP_FLIGHT_MAX + 2) /* on the wire, full, filling */

enum ship_state { SHIP_FREE, SHIP_FILLING, SHIP_READY, SHIP_SENDING };

struct ship_batch {
	enum ship_state state;
	struct http_call call; /* its body is the compressed batch */
	unsigned long long records, bytes; /* rows; their bytes, unzipped */
	double opened;                     /* http_now() of its first row */
	const char *from_file, *to_file;   /* where its first and last row */
	unsigned long long from_line, to_line; /* came from (borrowed) */
	size_t index;                          /* in the shipper's slots */
	struct buf keys; /* the keys of its rows (struct hash128 each) */
	struct shipper *s;
};

struct shipper_opts {
	unsigned flight;                /* batches on the wire, 1 or 2 */
	unsigned long long max_records; /* rows a batch holds at most */
	size_t max_bytes;               /* bytes of rows a batch holds */
	double interval;                /* seconds a batch stays open */
	const char *url;                /* where batches go (borrowed) */
	const char *content_type;       /* of the body (borrowed) */
	const char *what;      /* the server, in reasons: "ClickHouse" */
	enum ship_codec codec; /* --compress: gzip (the shipper's default;
	                          post-quasar's for ClickHouse is lz4) */
	int codec_given;       /* --compress was given */
};

/*
 * The options of a stage that ships batches (post-quasar), which
 * shipper_option() handles, and their lines of --help.
 */
#define SHIPPER_SHORTOPTS "b:B:i:z:"
/* clang-format off */
#define SHIPPER_LONGOPTS                                               \
	{"batch-records", required_argument, NULL, 'b'},               \
	{"batch-bytes", required_argument, NULL, 'B'},                 \
	{"flush-interval", required_argument, NULL, 'i'},              \
	{"compress", required_argument, NULL, 'z'}
/* clang-format on */

#define SHIPPER_OPTIONS_HELP                                                   \
	"  -b, --batch-records N     rows a batch holds at most (default "     \
	"10000)\n"                                                             \
	"  -B, --batch-bytes SIZE    bytes a batch holds at most, "            \
	"uncompressed (8MiB)\n"                                                \
	"  -i, --flush-interval S    send a batch S seconds after its first "  \
	"row (5)\n"                                                            \
	"  -z, --compress C          lz4 (ClickHouse's compressed blocks, "    \
	"the default)\n"                                                       \
	"                            or gzip (30%% smaller, 1.6 times the "    \
	"CPU)\n"

/*
 * The defaults: SHIP_FLIGHT_MAX batches on the wire, of at most 10000
 * rows and 8 MiB, sent 5 seconds after their first row; no URL, content
 * type or server name yet.
 */
void shipper_opts_init(struct shipper_opts *o);

/*
 * Handles one of the shipper's options (what getopt_long returned):
 * --batch-records (1 to 100000000), --batch-bytes (1 byte to 1 GiB),
 * --flush-interval (seconds, more than 0, at most a day), --compress
 * (shipcodec.h: gzip or lz4). Returns 0 when
 * handled, 1 when the option is not one of them, or EXIT_USAGE after
 * saying what is wrong (cli_usage_error() with synopsis).
 */
int shipper_option(
    struct shipper_opts *o, int ch, const char *arg, const char *synopsis);

struct shipper {
	struct shipper_opts o;
	struct http *http; /* borrowed */
	struct shipcodec codec;
	struct buf plain; /* the rows of the batch being filled */
	struct ship_batch slot[SHIP_SLOTS];
	struct ship_batch *filling, *ready;
	unsigned sending;
	int stopped; /* 0, or the status of the first failure */
	struct buf stop_why;
	unsigned long long retries; /* batches sent again */
	int call_done;              /* shipper_call()'s call ended */
	void (*ended)(
	    struct ship_batch *b, int status, const char *why, void *arg);
	void *arg;
};

/* Sets s up to send through http (borrowed). */
void shipper_init(struct shipper *s, struct http *http,
    const struct shipper_opts *o,
    void (*ended)(struct ship_batch *, int, const char *, void *), void *arg);

/* Frees what s holds. No call of its may be polled any more. */
void shipper_release(struct shipper *s);

/* Whether a row can be added now (see the top). */
int shipper_room(struct shipper *s);

/*
 * Adds a row (n bytes) read at file:line (borrowed until the batch ends).
 * Call only when shipper_room() says so. Returns 0, or -1 when a batch
 * could not be compressed (out of memory; its body is then not to be
 * trusted).
 */
int shipper_add(struct shipper *s, const char *row, size_t n, const char *file,
    unsigned long long line);

/*
 * shipper_add(), with the row's key (may be NULL): the batch keeps the
 * keys of its rows in b->keys, as struct hash128 one after the other, in
 * the order they were added, until it ended, so that a stage can record
 * what the server took (post-quasar --seen) once the callback says so.
 */
int shipper_add_keyed(struct shipper *s, const char *row, size_t n,
    const char *file, unsigned long long line, const struct hash128 *key);

/* Seals the open batch if it is due, or now when force is set. 0 or -1. */
int shipper_due(struct shipper *s, int force);

/* Milliseconds until the open batch is due, at most max. */
int shipper_wait_ms(const struct shipper *s, int max);

/* Whether any batch is open, full or on the wire. */
int shipper_busy(const struct shipper *s);

/* A free batch, or NULL. */
struct ship_batch *shipper_free_batch(struct shipper *s);

/*
 * Sends b, whose body and URL the caller has set (a replay), as a sealed
 * batch is sent. b comes from shipper_free_batch(); it ends through the
 * callback like the others.
 */
void shipper_post(struct shipper *s, struct ship_batch *b);

/*
 * The verdict on a call that ended: 0 when the server took it; 1 when it
 * was started again after a backoff (counted in retries); otherwise the
 * exit status of a failure, with the reason in why. For calls of the
 * stage's own (a CREATE TABLE) as for batches.
 */
int shipper_judge(struct shipper *s, struct http_call *c, struct buf *why);

/*
 * Sends c, a call of the stage's own that must end before any batch goes
 * out (a CREATE TABLE), and waits for its end, retries included: the
 * client is polled until shipper_judge() gives its verdict. c's done and
 * arg are set here. Returns 0 when the server took it, else the exit
 * status of the failure with the reason in why.
 */
int shipper_call(struct shipper *s, struct http_call *c, struct buf *why);

/*
 * --create-table: makes table on the ClickHouse at base (quasar_ddl(),
 * IF NOT EXISTS) and checks that the table there is keyed by the record's
 * identity (quasar_key_check()): a table an older post-quasar made, keyed
 * by (source, file, line), would store a record again under every new
 * file name, and is not to be sent to. Returns 0; or the exit status of a
 * failure, with the reason in why ("cannot create the table T: ...",
 * "cannot read the table's key: ...", or what the older table is and what
 * to do with it), having stopped the shipper with them (shipper_stop), so
 * that the batches go to the spool instead of to that table.
 */
int shipper_create_table(
    struct shipper *s, const char *table, const char *base, struct buf *why);

/*
 * shipper_create_table() with the statement ddl (a table of another
 * layout, qlayout.h: its name already in it) when not NULL, sent as it
 * is, and no key checked.
 */
int shipper_create_table_ddl(struct shipper *s, const char *table,
    const char *ddl, const char *base, struct buf *why);

/*
 * Spools batch b, which did not reach the server, in the spool dir (made
 * when it does not exist; spool.h): its body as it was to be sent, with
 * the sidecar m, whose from and to ("FILE:LINE" of its first and last
 * rows), records and bytes are set here from b; the rest of m is the
 * caller's (format, a URL without credentials, table, query, reason). m
 * is left as it was. Returns 0, or -1 with the reason in err: "PATH: what
 * went wrong: its N records (FROM to TO) are not in the warehouse".
 */
int shipper_spool(const struct ship_batch *b, const char *dir,
    const struct spool_meta *m, struct buf *err);

/*
 * Stops shipping with status and why (the first reason stays): batches
 * sealed from now on end at once, unsent. For a failure of the stage's
 * own, such as its CREATE TABLE.
 */
void shipper_stop(struct shipper *s, int status, const char *why);

/*
 * Stops (status and why, unless stopped already) and ends every batch not
 * ended yet as failed: the open one sealed, the full one, and those on
 * the wire (which may have arrived: the stage spools them anyway). For a
 * signal; the client must not be polled afterwards.
 */
void shipper_abort(struct shipper *s, int status, const char *why);

#endif
