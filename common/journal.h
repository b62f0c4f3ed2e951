/*
 * journal: records made durable before anyone is told they are, many at a
 * time (group commit), in segments an importer takes away whole.
 *
 * A journal has streams, one a directory (the receiver gives each route
 * its own). A stream's records are lines, each a JSON object whose
 * "_meta"."request_id" is a string: its id. The lines are appended to the
 * stream's open segment, DIR/NNNNNNNNNNNNNNNN.ndjson.open (a number of 16
 * digits, one more than the last segment's), and that segment is closed,
 * renamed DIR/NNNNNNNNNNNNNNNN.ndjson, once it passes segment_bytes, once
 * it is segment_secs old, on journal_rotate() and on journal_close(). A
 * closed segment is never written again: what reads the journal takes the
 * closed segments in the order of their names and removes each one it is
 * done with. Segments are mode 0600 (they hold people's numbers).
 *
 * journal_submit() hands a line to the journal's writer thread and
 * returns at once; the writer appends everything submitted since its last
 * turn with one write a stream, flushes each stream it wrote to disk with
 * one fdatasync, and only then calls each record's done function (ok 1).
 * So a thousand requests that arrive during one flush share the next one.
 * With fsync_each, every record is written and flushed alone (what the
 * benchmark compares group commit with).
 *
 * An id already taken in a stream is not written again: its submit
 * answers JOURNAL_DUPLICATE at once when that record is durable, or calls
 * done when it becomes so (or fails). journal_stream() rebuilds a
 * stream's ids from its segments, closed and open, so a restart still
 * knows them; an open segment left by a crash is closed first, a torn
 * last line (the write the crash cut) cut off. So the ids known are those
 * of the segments there at start and of every record since (in memory,
 * about 100 bytes each, until the journal is closed): an id whose segment
 * an importer removed before a restart is a new record after it.
 *
 * A write or flush that fails fails its records (done with ok 0; their
 * ids are forgotten): a failed write is cut off the segment again, so the
 * segment holds only whole lines; a failed flush breaks the stream (the
 * kernel may have dropped the pages), whose later submits answer
 * JOURNAL_BROKEN. Past backlog_bytes of lines waiting to be written,
 * submits answer JOURNAL_BUSY, so that a disk that falls behind turns into
 * refusals rather than unbounded memory.
 *
 * Every function but journal_stream() and journal_start() is safe to call
 * from any thread; done is called on the writer thread, without the
 * journal's lock held, and must not block. Nothing here prints.
 */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <stddef.h>

#include "buf.h"

struct journal;

struct journal_opts {
	unsigned long long segment_bytes; /* 0: 64 MiB */
	double segment_secs;              /* 0: 60 s; negative: never */
	size_t backlog_bytes;             /* 0: 64 MiB */
	int fsync_each;                   /* one flush a record */
};

struct journal_stats {
	unsigned long long records;    /* lines written and flushed */
	unsigned long long flushes;    /* fdatasync calls */
	unsigned long long duplicates; /* submits of an id already taken */
	unsigned long long segments;   /* segments closed */
};

enum journal_answer {
	JOURNAL_QUEUED,    /* done will be called */
	JOURNAL_DUPLICATE, /* the id is durable already; done is not called */
	JOURNAL_BUSY,      /* the backlog is full: try again later */
	JOURNAL_BROKEN     /* the stream's disk failed it */
};

typedef void (*journal_done_fn)(void *arg, int ok);

/* A new journal (the caller's: journal_close() frees it). */
struct journal *journal_new(const struct journal_opts *o);

/*
 * Adds the stream of directory dir (created, mode 0700, when missing):
 * closes the open segment a crash left, cutting a torn last line, and
 * reads the ids of its segments. Returns the stream's number (0, 1...),
 * or -1 with err saying what is wrong ("DIR/N.ndjson:LINE: not a journal
 * record"). Before journal_start() only.
 */
int journal_stream(struct journal *j, const char *dir, struct buf *err);

/* Starts the writer thread. 0, or -1 with errno. */
int journal_start(struct journal *j);

/*
 * Hands the record line[0..len) (one line, without its newline) of id to
 * stream s; see the answers above. The line is copied.
 */
enum journal_answer journal_submit(struct journal *j, int s, const char *id,
    const char *line, size_t len, journal_done_fn done, void *arg);

/* 1 when id is taken in stream s (durable or on its way), else 0. */
int journal_has(struct journal *j, int s, const char *id);

/* Closes every open segment at the writer's next turn. */
void journal_rotate(struct journal *j);

/* The counters so far. */
void journal_stats(struct journal *j, struct journal_stats *out);

/*
 * Writes what was submitted, closes the open segments, stops the writer
 * and frees the journal. Returns 0, or -1 when some write, flush or close
 * failed during the journal's life.
 */
int journal_close(struct journal *j);

#endif
