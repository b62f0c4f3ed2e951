/*
 * A ledger (ledger.h) whose entries are named by fields of a record
 * (reckey.h): what a stage remembers of a record across runs, "this
 * registration's SMS opt-in was applied", looked up and appended by the
 * record itself, so that the stage never builds the key bytes or the key
 * array on its own.
 *
 *	struct keyledger k;
 *	keyledger_init(&k);
 *	keyledger_key(&k, "northstar_id,registration_id");
 *	keyledger_open(&k, path, 1, &err);
 *	keyledger_lookup(&k, rec, &status) ... keyledger_append(&k, rec, ...)
 *	keyledger_sync(&k, &err); keyledger_close(&k);
 */
#ifndef KEYLEDGER_H
#define KEYLEDGER_H

#include <jansson.h>

#include "buf.h"
#include "ledger.h"
#include "reckey.h"

struct keyledger {
	struct ledger ledger;
	struct reckey key; /* the fields that name an entry */
	struct buf kb;     /* scratch: a record's key bytes */
};

/* Sets k up with no key and no file; allocates nothing. */
void keyledger_init(struct keyledger *k);

/*
 * Takes the fields that name an entry (a key spec, reckey_parse(), which
 * copies it). Returns 0, or -1 when the spec is bad.
 */
int keyledger_key(struct keyledger *k, const char *spec);

/* Opens the ledger file: ledger_open()'s arguments and returns. */
int keyledger_open(
    struct keyledger *k, const char *path, int writable, struct buf *err);

/*
 * The status the ledger holds for rec's key (rec borrowed): returns 0 with
 * *status set (owned by the ledger; NULL when there is no entry), or -1
 * when a key field of rec is absent or null, which names no entry.
 */
int keyledger_lookup(
    struct keyledger *k, const json_t *rec, const char **status);

/*
 * Appends an entry for rec's key at status (ledger_append(), extra
 * borrowed, may be NULL). Returns 0; 1 when a key field of rec is absent
 * or null (nothing appended); or -1 with a message in err.
 */
int keyledger_append(struct keyledger *k, const json_t *rec, const char *status,
    const json_t *extra, struct buf *err);

/* ledger_sync() of the file; 0 for a ledger never opened. */
int keyledger_sync(struct keyledger *k, struct buf *err);

/* Closes the file and frees everything (whether or not it was opened). */
void keyledger_close(struct keyledger *k);

#endif
