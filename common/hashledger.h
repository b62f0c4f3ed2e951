/*
 * A ledger of 128-bit hashes: which records a stage has already shipped
 * somewhere, so that a re-run of a cumulative export ships nothing twice
 * (post-quasar --seen: the records already in the warehouse's table). It
 * is what ledger.h is for the delivery stages, with less in it: a record
 * is its hash, and there is no status.
 *
 * The file is text. Its first line names what the hashes are of (the
 * label the stage gives, one line of printable text), and every other
 * line is one hash, 32 lowercase hex digits:
 *
 *	#sluice-hashes post-quasar table=raw_turbovote url=http://ch:8123
 *	9f86d081884c7d659a2feaa0c55ad015
 *	...
 *
 * hashledger_hex() reads such digits, so a stage may name a record by
 * the first 32 digits of a longer hex digest (post-quasar's record_hash):
 * the line is then a prefix of the digest a person can look for.
 *
 * Crash safety, as for ledger.h:
 *  1. Hashes are appended only after the service confirmed what they name
 *     (the caller's part), so every hash in the file is true; a crash can
 *     only make the ledger forget (the next run ships again), never claim.
 *  2. A group of hashes (a batch) goes out in one write(2) on an O_APPEND
 *     descriptor, and no byte before the end is ever rewritten: a kill at
 *     any moment damages at most the last line. Lines before it, even of
 *     a group cut short, are whole hashes, each true.
 *  3. On opening, a last line without its \n that is hex digits (maybe
 *     followed by NUL bytes) is torn: ignored, counted in torn, and cut
 *     off (ftruncate) before anything is appended. A header cut short
 *     (the file made and killed at once) is a new ledger. Any other line
 *     that is not a hash, or a first line that is not a header, means the
 *     file is not a ledger of hashes: refused, nothing of it cut. A header
 *     with another label is a ledger of something else: refused too, so
 *     that hashes of one table never keep records from another.
 * The writer holds an exclusive fcntl() lock until hashledger_close(), so
 * two runs never append to the same ledger at once (ledger_lock_open()).
 *
 * In memory each hash is a keyset member (keyset.h): 16 bytes a slot, 20
 * to 30 bytes a hash. The functions return 0 or a negative code with
 * "PATH: ..." in err; they never print.
 */
#ifndef HASHLEDGER_H
#define HASHLEDGER_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "hash128.h"
#include "keyset.h"

#define HASHLEDGER_HEX 32 /* the digits of a line */

/* What hashledger_open() returns for a file that is not a ledger of
 * hashes, and for one of another label. */
#define HASHLEDGER_NOT_A_LEDGER (-2)
#define HASHLEDGER_OTHER (-3)

struct hashledger {
	char *path; /* owned copy */
	int fd;     /* open for appending, or -1 */
	int created;
	off_t size;               /* bytes of whole lines */
	struct keyset keys;       /* the hashes of the file, and noted */
	unsigned long long lines; /* hashes read from the file */
	unsigned long long torn;  /* torn last lines cut off (0 or 1) */
	unsigned long long added; /* hashes appended by this process */
};

/*
 * Opens the ledger at path for appending, locked, creating it with its
 * header when it does not exist (or is empty), and reads its hashes.
 * label is one line of printable ASCII. Returns 0; -1 (cannot read or
 * write it, or it is locked); HASHLEDGER_NOT_A_LEDGER ("PATH:LINE: ..."
 * in err); HASHLEDGER_OTHER ("PATH: a ledger of LABEL, not of LABEL").
 * Release l with hashledger_close() either way. path is copied.
 */
int hashledger_open(
    struct hashledger *l, const char *path, const char *label, struct buf *err);

/* The exit status for a failed open: EXIT_DATAERR (65), or 74. */
int hashledger_exitcode(int rc);

/* 1 when the ledger holds h (from the file, appended or noted), else 0. */
int hashledger_has(const struct hashledger *l, struct hash128 h);

/*
 * Adds h in memory only (a record on its way: the same record again in
 * this run is not shipped twice). 1 when it is new, else 0.
 */
int hashledger_note(struct hashledger *l, struct hash128 h);

/*
 * Appends the n hashes at h (each a line), in one write(2), and holds
 * them in memory. A write cut short is cut away again. 0, or -1 with the
 * reason in err. Durable only after hashledger_sync().
 */
int hashledger_append(
    struct hashledger *l, const struct hash128 *h, size_t n, struct buf *err);

/* fsync(2) of the file (and of its directory when it was created). */
int hashledger_sync(struct hashledger *l, struct buf *err);

/* Closes the file (the lock goes) and frees everything. 0, or -1. */
int hashledger_close(struct hashledger *l);

/*
 * Reads the first HASHLEDGER_HEX hex digits at s (either case) into *h:
 * the first 16 are lo, the next 16 hi. 0, or -1 when they are not hex.
 */
int hashledger_hex(const char *s, struct hash128 *h);

/* Writes h as its HASHLEDGER_HEX lowercase digits (no NUL). */
void hashledger_format(struct hash128 h, char out[HASHLEDGER_HEX]);

#endif
