/*
 * The delivery ledger: which keys a delivery stage has already delivered,
 * and at which status, kept in a file beside the import so that a re-run
 * of a cumulative vendor export sends nothing twice. post-rogue appends to
 * it after the service confirmed a write; dedupe --seen reads it.
 *
 * The file is text, one JSON object per line, only ever appended to:
 *
 *	{"fields":"northstar_id,action_id,type","key":[123,"8017","voter-reg"],
 *	 "status":"register-OVR","at":"2024-05-01T12:00:00Z","post_id":9}
 *
 * "fields" is the key spec (reckey.h) the key was taken with, "key" the key
 * field values in that order, "status" the status delivered, "at" the UTC
 * time of the entry; members after those are extras for people reading the
 * file (such as the id the service gave the post). An entry is identified by
 * hash128(fields, 0x1f, key bytes), where the key bytes are those of
 * reckey_join() on "key": exactly the bytes reckey_build() gives for a
 * record with those values. Lines with another "fields" value never match.
 * When a key appears on several lines the latest one wins, because an
 * upgrade (a higher status delivered later) is appended after the entry it
 * supersedes. In memory only the hash and the status are kept (20 bytes a
 * slot, statuses interned), never the key itself.
 *
 * Crash safety. The argument rests on three facts:
 *  1. An entry is appended only after the service confirmed the write, so
 *     every entry in the file is true; a crash can only make the ledger
 *     forget a delivery (which the next run then repeats, the delivery
 *     stage looking the post up before it writes), never claim a delivery
 *     that did not happen.
 *  2. Each entry is one complete line written with ONE write(2) on an
 *     O_APPEND descriptor, and no byte before the end of the file is ever
 *     rewritten. A process killed at any moment (SIGKILL included, which
 *     may cut a write short) can therefore damage at most the last line,
 *     leaving it without its \n; all earlier lines are intact.
 *  3. On opening, a torn last line (one without its \n that starts as an
 *     entry does, maybe followed by NUL bytes) is ignored and counted in
 *     torn; when the ledger is opened for writing it is truncated away
 *     (ftruncate) before anything is appended, so the next entry starts on
 *     a fresh line instead of being glued to the fragment and lost with it.
 *     Any other line that is not an entry, the last one included when it
 *     has its \n, means the file is not a ledger (a CSV given by mistake,
 *     say): it is refused, and nothing of it is ever cut.
 * A power failure may lose entries written since the last ledger_sync()
 * (the kernel had not yet written them), which by fact 1 is safe, and may
 * leave a damaged tail, which fact 3 handles. Writers take an exclusive
 * fcntl() lock on the file, so two imports never append to, or truncate,
 * the same ledger at once. Readers take no lock: a reader that races a
 * writer sees at worst a torn last line, which it ignores.
 *
 * The functions return 0 or -1 and put a message in err ("PATH: ..."); they
 * never print.
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "keyset.h"

/* Lines longer than this are not entries (and are never written). */
#define LEDGER_MAX_LINE ((size_t)64 << 20)

struct ledger {
	char *path;  /* owned copy */
	int fd;      /* open for appending, or -1 when read-only */
	int created; /* the file was created: sync its directory too */
	off_t size;  /* bytes of whole lines: where the next entry goes */
	struct keymap keys;  /* entry hash -> index into status */
	struct keymap names; /* hash of a status string -> its index */
	char **status;       /* the interned status strings, owned */
	size_t nstatus, capstatus;
	unsigned long long lines; /* entries read from the file */
	unsigned long long torn;  /* torn last lines ignored (0 or 1) */
	struct buf kb, hb;        /* scratch: key bytes, hashed bytes */
	/* ledger_open_with(): each entry read goes to take instead of the
	 * status table, and appended ones are the caller's to remember */
	void (*take)(void *arg, const json_t *entry);
	void *take_arg;
};

/* What ledger_open() returns for a file that is not a ledger. */
#define LEDGER_NOT_A_LEDGER (-2)

/*
 * Reads the ledger at path into l. A file that does not exist is an empty
 * ledger: opened read-only nothing is created; opened writable (writable
 * not 0) the file is created, and the ledger is locked against other
 * writers until ledger_close(). Returns 0; -1 with a message in err when
 * the file cannot be read or another process holds the lock; or
 * LEDGER_NOT_A_LEDGER when a line of it is not an entry (see 3. above),
 * with "PATH:LINE: ..." in err and the file left as it was. Release l with
 * ledger_close() either way. path is copied.
 */
int ledger_open(
    struct ledger *l, const char *path, int writable, struct buf *err);

/*
 * ledger_open() for a ledger of another kind of entry (memberledger.h):
 * every entry read (a JSON object with "fields", "key" and "status", the
 * rest as written) is handed to take(arg, entry, borrowed) instead of
 * being kept here, and ledger_append() keeps nothing in memory either;
 * ledger_lookup() then finds nothing. The file's format, crash safety and
 * lock are the same.
 */
int ledger_open_with(struct ledger *l, const char *path, int writable,
    void (*take)(void *arg, const json_t *entry), void *arg, struct buf *err);

/*
 * The exit status for a failed ledger_open(): EXIT_DATAERR (65) for a file
 * that is not a ledger, else EXIT_IOERR (74).
 */
int ledger_exitcode(int rc);

/*
 * The status last recorded for the key with the given fields string and
 * key bytes (keylen bytes at key), or NULL when there is none. The string
 * is owned by the ledger and valid until ledger_close().
 */
const char *ledger_lookup(
    struct ledger *l, const char *fields, const char *key, size_t keylen);

/*
 * Appends an entry: fields (the key spec), key (a JSON array of the key
 * values, borrowed), status, the current time, and the members of extra (a
 * JSON object, borrowed, or NULL; its members may not be named "fields",
 * "key", "status" or "at"). The whole line goes out in one write(2); a
 * write cut short is truncated away again. On success the entry is also
 * recorded in memory, so ledger_lookup() sees it at once. Returns 0, or -1
 * with a message in err (read-only ledger, bad arguments, write error).
 * The entry is durable only after ledger_sync().
 */
int ledger_append(struct ledger *l, const char *fields, const json_t *key,
    const char *status, const json_t *extra, struct buf *err);

/*
 * Forces appended entries to disk (fsync), and the file's directory entry
 * too when ledger_open() created the file. A no-op for a read-only ledger.
 * Returns 0, or -1 with a message in err.
 */
int ledger_sync(struct ledger *l, struct buf *err);

/*
 * What ledger_open() does with a file it writes, for another kind of
 * ledger (hashledger.h): opens path for appending, creating it when it is
 * missing (*created set to 1, else 0), and takes the fcntl() lock against
 * other writers. Returns 0 with *fd open; -1 with "PATH: ..." in err
 * (another process holds the lock: "in use by another process"), *fd
 * then open or -1, for the caller to close.
 */
int ledger_lock_open(const char *path, int *fd, int *created, struct buf *err);

/*
 * Makes a new file's name durable: fsync(2) on the directory path is in.
 * 0, or -1 with errno set.
 */
int ledger_sync_dir(const char *path);

/*
 * fsync(2) of the open file fd at path (nothing for fd < 0), and of its
 * directory when *created (then cleared): a ledger's sync, whatever holds
 * the descriptor. 0, or -1 with err saying "PATH: cannot sync: ...".
 */
int ledger_sync_file(int fd, const char *path, int *created, struct buf *err);

/*
 * Closes the file (releasing the lock) and frees everything. Returns 0, or
 * -1 when close(2) reported an error. l is left empty.
 */
int ledger_close(struct ledger *l);

#endif
