/*
 * The member ledger: what the member stage (post-northstar) last learnt of
 * each member it found, made or changed, kept beside the delivery ledger
 * so that a re-run of the same export sends Northstar nothing at all.
 *
 * The file is a ledger (ledger.h: the same format, the same crash safety,
 * the same lock), one line per member each time the service confirmed
 * something about it (a lookup's answer, a create, a change):
 *
 *	{"fields":"member","key":[["email","a@x.org"],["mobile","312..."]],
 *	 "status":"5e9f...","at":"...","values":{"first_name":"Ana"},
 *	 "done":["activate wyd-activate-account"]}
 *
 * "key" lists the identities the member was looked up (or made) by, each
 * [KIND, VALUE] as the record gave it (KIND "id", "email" or "mobile");
 * "status" is the member's id; "values" the fields the vendor's rules touch
 * (memberrules.h), as Northstar last had them, null for none; "done" the
 * actions done for the member. The latest line naming an identity wins.
 * Since a line is written only after Northstar confirmed what it says, the
 * ledger can only be behind Northstar's own changes (a member who texted
 * STOP), never ahead of what the importer did; --refresh looks again.
 *
 * In memory, per identity: its 128-bit hash in a keymap (keyset.h, about
 * 27 to 53 bytes a slot) pointing into one arena of compact records
 * ([ID,[VALUES...],[DONE...]] as JSON text, the values in the order of the
 * touched fields, so no field name is stored per member). Identities of
 * one line share one record. Nothing prints; functions return 0 or -1 with
 * a message in err.
 */
#ifndef MEMBERLEDGER_H
#define MEMBERLEDGER_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "keyset.h"
#include "ledger.h"
#include "memberrules.h"

struct memberledger {
	struct ledger ledger;
	json_t *fields; /* the touched fields' names, an array (a reference) */
	struct keymap ids; /* identity hash -> arena offset */
	char *arena;       /* NUL-terminated records */
	size_t len, cap;
	struct buf scratch;
};

/*
 * Sets m up for the given touched field names (a JSON array of strings,
 * borrowed; a reference is kept). Allocates little; opens nothing.
 */
void memberledger_init(struct memberledger *m, const json_t *fields);

/*
 * Opens (and reads) the file: ledger_open()'s arguments and returns
 * (LEDGER_NOT_A_LEDGER for a file that is not one, ledger_exitcode()).
 */
int memberledger_open(
    struct memberledger *m, const char *path, int writable, struct buf *err);

/*
 * What the ledger remembers of the member known by kind and value: a new
 * object {"id": ID, "member": {"id": ID, FIELD: VALUE...}, "done": [...]}
 * (the caller's reference; a field the member had none of is left out), or
 * NULL when the identity is unknown.
 */
json_t *memberledger_get(
    const struct memberledger *m, const char *kind, const char *value);

/*
 * Appends a line for the member id known by the n identities (kinds[i],
 * values[i], borrowed), with the touched fields' values taken from member
 * (a member's JSON, borrowed) and done (an array of action names, or
 * NULL), and remembers it. Returns 0, or -1 with a message in err.
 */
int memberledger_put(struct memberledger *m, const char *const *kinds,
    const char *const *values, size_t n, const char *id, const json_t *member,
    const json_t *done, struct buf *err);

/*
 * The identities of a record by kind (ident[MR_ID], ident[MR_EMAIL],
 * ident[MR_MOBILE] of memberrules.h; NULL for none), borrowed.
 *
 * memberledger_recall(): what the ledger remembers (as memberledger_get())
 * by the first of find[0..nfind-1] that ident has and the ledger holds, or
 * by the id when nfind is 0; *by is set to that kind. NULL when none.
 *
 * memberledger_learn(): memberledger_put() under the identity by (a kind,
 * or -1), and, for a member the record made (created), under its e-mail
 * and mobile too, the actions done those of before and now (arrays, or
 * NULL) together. Returns 0 (also when there is no identity to put it
 * under), or -1 with a line in err.
 */
json_t *memberledger_recall(const struct memberledger *m,
    const enum mr_find *find, size_t nfind, const char *const ident[3],
    int *by);
int memberledger_learn(struct memberledger *m, const char *const ident[3],
    int by, int created, const char *id, const json_t *member,
    const json_t *before, const json_t *now, struct buf *err);

/* Bytes of memory held for the members (keymap and arena), for reports. */
size_t memberledger_bytes(const struct memberledger *m);

/* Identities remembered. */
size_t memberledger_count(const struct memberledger *m);

/* ledger_sync() of the file. */
int memberledger_sync(struct memberledger *m, struct buf *err);

/* Closes the file and frees everything (opened or not). */
void memberledger_close(struct memberledger *m);

#endif
