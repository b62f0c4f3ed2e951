/*
 * What the member stage (post-northstar) does with a record's member, as
 * data: a vendor file's delivery.member (README.md, "The vendor file").
 *
 *	"member": {
 *	  "find": ["id", "email", "mobile"],   lookups, in order ([]: none,
 *	                                       the record's northstar_id is
 *	                                       the member as is)
 *	  "create": true,                      false: not found is rejected
 *	  "updates": [SET, ...],               applied to a member found
 *	  "after": [ACTION, ...]               after found or created
 *	}
 *
 * A SET is {"name", "fields": {FIELD: RULE}, and optionally "when" (the
 * set applies only when it holds on the record), "once" (a key spec,
 * reckey.h: applied once per key, memberapply.h keeps the ledger) and
 * "target": "mobile-owner"}. A RULE is a rule name, an object {"rule":
 * NAME, "values": [...]} or {"table": {ROW: {MEMBER: NEW}}}, or a list of
 * such objects each with an optional "when", the first whose "when" holds
 * applying. The rules, for FIELD, with ROW the record's user.FIELD and
 * MEMBER the member's FIELD:
 *
 *	rank    ROW when it ranks above MEMBER in user_rank (map.h)
 *	union   MEMBER's list plus ROW's (or "values"), when that adds one
 *	minus   MEMBER's list less "values", when that removes one
 *	set     ROW when it is not empty and differs from MEMBER
 *	fill    ROW when MEMBER is empty
 *	table   table[ROW][MEMBER] (either "" when empty), when listed and
 *	        different from MEMBER
 *
 * Empty means absent, null, "" or []. An ACTION is {"do": "activate",
 * "type": T or "type_by": {"field": PATH, "map": {VALUE: T}}, "created":
 * true (only for a member the record made), "when"} or {"do":
 * "mute-promotions", "when"}. A "when" is a map "when" (map.h) on the
 * record: each path's value matched by map_holds().
 *
 * A vendor file without the section gets today's defaults: every lookup,
 * create, and one set "status" moving voter_registration_status up by
 * rank. Nothing here talks to a service: the stage does, with these
 * answers. Allocation failures abort; nothing prints.
 */
#ifndef MEMBERRULES_H
#define MEMBERRULES_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "map.h"

enum mr_find { MR_ID, MR_EMAIL, MR_MOBILE };
enum mr_do { MR_ACTIVATE, MR_MUTE };

struct mr_set {
	const char *name;
	const json_t *when;   /* or NULL */
	const json_t *fields; /* FIELD -> RULE, checked */
	char *once;           /* the key spec joined by ",", owned, or NULL */
	int mobile_owner;     /* target "mobile-owner" */
};

struct mr_action {
	enum mr_do kind;
	int created;
	const json_t *when;     /* or NULL */
	const char *type;       /* activate: the type, or NULL with type_by */
	const char *type_field; /* type_by.field */
	const json_t *type_map; /* type_by.map */
};

struct memberrules {
	json_t *root; /* owns everything borrowed above */
	enum mr_find find[3];
	size_t nfind;
	int create;
	struct mr_set *sets;
	size_t nsets;
	struct mr_action *acts;
	size_t nacts;
	json_t *touched; /* every field a set names, sorted, plus "mobile" for
	                    a mobile-owner set: an array of strings */
};

/*
 * Loads and checks a member section (borrowed, a reference kept; NULL for
 * the defaults). Returns 0, or -1 with "WHAT.updates[1].fields.F: ..." in
 * err (what names the section, "delivery.member"). Release either way.
 */
int memberrules_load(struct memberrules *m, const json_t *section,
    const char *what, struct buf *err);

/* Frees what memberrules_load allocated. */
void memberrules_release(struct memberrules *m);

/* Whether a "when" (NULL: always) holds on the record. */
int memberrules_holds(const json_t *when, const json_t *rec);

/*
 * The change set s makes to member (a member's JSON, borrowed; NULL for a
 * member with no fields), by the record rec and the map's user_rank: a new
 * object of the fields to send, empty when nothing changes. Does not look
 * at the set's own "when".
 */
json_t *memberrules_change(const struct mr_set *s, const struct map *map,
    const json_t *rec, const json_t *member);

/*
 * The activation type action a names for rec: its "type", or by
 * "type_by" the first string of the list field (or the string field) that
 * the map names; NULL when none (no e-mail), and for an action that is
 * not an activation. Borrowed from the rules.
 */
const char *memberrules_activation(
    const struct mr_action *a, const json_t *rec);

/* The action's name in ledgers and _meta: "activate TYPE", "mute-promotions"
 * (into out, reset). */
void memberrules_action_name(
    const struct mr_action *a, const char *type, struct buf *out);

/*
 * The body of a create for the record rec (borrowed): its user fields
 * worth sending (the member service's names: e-mail, mobile, names,
 * address, voter_registration_status, source_detail, the subscriptions),
 * the mobile left out when mobile is NULL (the record's is not valid),
 * "source" beside a source_detail (the member service keeps one only with
 * the other: ours, the client's id), and the record's referrer_user_id. A
 * new object, the caller's.
 */
json_t *memberrules_create_body(
    const json_t *rec, const char *mobile, const char *source);

#endif
