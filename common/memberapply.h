/*
 * What the member stage does to a member once it is found or made: the
 * update sets and the actions of a vendor's member rules (memberrules.h),
 * as member-service requests one after another, each set's "once" kept in
 * a ledger (keyledger.h, one file for every set: each set's key spec names
 * its entries).
 *
 * The stage drives it per record:
 *
 *	memberwork_init(&w);
 *	while (memberwork_next(&a, &w, &who, rec, call, url, &warn))
 *		send call; then memberwork_answer(&a, &w, &who, rec, call, url,
 *		    &why): 0 go on, 1 another request set up on call, -1 reject
 *	memberwork_meta(&w, meta); memberwork_release(&w);
 *
 * The requests (Northstar's API):
 *
 *	PUT  /v2/users/ID                 a set's change, to the member or to
 *	                                  the owner of the row's mobile
 *	GET  /v2/mobile/MOBILE            whose the row's mobile is (a
 *	                                  "mobile-owner" set, a member without
 *	                                  a mobile)
 *	POST /v2/resets {id, type}        activate
 *	POST /v2/users/ID/promotions      mute-promotions
 *
 * A set applies when its "when" holds, it has the row's mobile if it is a
 * mobile-owner set, and its "once" key was not applied before; a member
 * just made got the row's fields with the create, so for it a set is only
 * remembered as applied. A set whose change is empty sends nothing. An
 * action applies when its "when" holds, "created" asks for a member just
 * made, an activation has a type for the record, and it is not among the
 * actions done before (who->done). A 404 rejects the record "no such
 * member"; another refusal rejects it with the service's words, except
 * for a mobile-owner set (the member and the record go on, the set says
 * "failed"). Nothing prints: once-ledger errors go into warn.
 */
#ifndef MEMBERAPPLY_H
#define MEMBERAPPLY_H

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "keyledger.h"
#include "map.h"
#include "memberrules.h"

struct memberapply {
	const struct memberrules *mr;
	const struct map *map;  /* its user_rank orders statuses */
	struct keyledger *once; /* one per set; opened for sets with "once" */
	int once_open;          /* a once-ledger file was given */
	unsigned long long updated, actions; /* requests confirmed */
};

/* Who the member is, as the stage knows it (all borrowed). */
struct memberwho {
	const char *id;     /* the member's id */
	json_t *member;     /* its fields: changes confirmed are merged in */
	const char *mobile; /* the record's valid mobile, or NULL */
	int created;        /* made by this record */
	const json_t *done; /* actions done before (names), or NULL */
};

struct memberwork {
	size_t set, act; /* the next set, the next action */
	int step;        /* the request in flight */
	char *target;    /* whom the change goes to */
	json_t *change;
	json_t *sets, *actions, *muted; /* what it did, for _meta */
	int learnt; /* Northstar confirmed a change to the member or an action
	             */
};

/*
 * Sets a up for the rules and map (borrowed), with the once-ledger at
 * once_path (NULL: none, every set applies each time). Returns 0, or a
 * ledger_open() code with a message in err. Close a either way.
 */
int memberapply_open(struct memberapply *a, const struct memberrules *mr,
    const struct map *map, const char *once_path, struct buf *err);

/*
 * Whether rec (borrowed) has a set applied "once" that applies to it and
 * was not applied yet, for the member id (a once key may name it): then
 * the member is to be read from the service, not from the member ledger,
 * since what a once-set decides on (an SMS status) is what others change
 * between imports (a member who texted STOP). mobile is the row's valid
 * mobile, or NULL.
 */
int memberapply_fresh(struct memberapply *a, const json_t *rec, const char *id,
    const char *mobile);

/* Syncs and closes the once-ledger. Returns 0, or -1 with err set. */
int memberapply_close(struct memberapply *a, struct buf *err);

void memberwork_init(struct memberwork *w);
void memberwork_release(struct memberwork *w);

/*
 * Sets up on c (url, method, idempotent, body; url the service's base) the
 * next request of what is left to do. Returns 1 when c is ready to send,
 * 0 when everything is done. rec's northstar_id is set to the member's
 * (a once key may name it).
 */
int memberwork_next(struct memberapply *a, struct memberwork *w,
    struct memberwho *who, json_t *rec, struct http_call *c, const char *url,
    struct buf *warn);

/*
 * Takes the answer to the request memberwork_next() set up (c->status,
 * c->resp). Returns 0 to go on (memberwork_next() again), 1 when another
 * request is set up on c, or -1 when the record is rejected (why says
 * why).
 */
int memberwork_answer(struct memberapply *a, struct memberwork *w,
    struct memberwho *who, json_t *rec, struct http_call *c, const char *url,
    struct buf *why, struct buf *warn);

/*
 * Says in meta (an object) what the work did: "sets" {NAME: {"member": ID,
 * "set": CHANGE} | "no change" | "applied before" | {"failed": WHY}},
 * "actions" [NAME, ...], "muted": TIME.
 */
void memberwork_meta(const struct memberwork *w, json_t *meta);

#endif
