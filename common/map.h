/*
 * A business map: the rules of one import that change with campaigns, kept
 * as data in its vendor file (vendors/NAME/vendor.json, vendor.h) rather
 * than in code.
 *
 *	{
 *	  "rank": ["uncertain", "ineligible", ...],  post statuses, lowest
 *	                                             first
 *	  "user_rank": [...],                        member statuses (else
 *	                                             rank)
 *	  "rules": [                                 first match wins
 *	    {"when": {"status": "registered",
 *	              "details.voter-registration-method": "online"},
 *	     "set": {"status": "register-OVR",
 *	             "user.voter_registration_status":
 *	                 "registration_complete"}},
 *	    {"when": {"status": ["unknown", "pending"]}, "set": {...}}
 *	  ],
 *	  "default": "reject" | "keep" | "STATUS" | {"status": ..., ...},
 *	  "defaults": {"campaign_id": 8017, ...}
 *	}
 *
 * "when" matches fields by dotted path, exactly and case-sensitively: a
 * string, or a list meaning any of its strings; true or false a boolean;
 * null a field that is missing or null. Every section is optional; keys
 * starting with "_" at the top level and in "defaults" are comments, and
 * the other sections of a vendor file (vendor.h) are left to it.
 */
#ifndef MAP_H
#define MAP_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "jdoc.h"

struct map_rule {
	size_t nwhen;
	const char **when_path; /* borrowed from the loaded JSON */
	json_t **when_value;    /* a string, or an array of strings */
	size_t nset;
	const char **set_path;
	json_t **set_value;
	char **set_text; /* each set_value as compact JSON, for jdoc_set */
};

enum map_default { MAP_REJECT, MAP_KEEP, MAP_SET };

struct map {
	json_t *root; /* owns every string and value below */
	const char **rank, **user_rank;
	size_t nrank, nuser_rank;
	struct map_rule *rules;
	size_t nrules;
	enum map_default dflt;
	struct map_rule dflt_set; /* for MAP_SET: no "when", only "set" */
	json_t *defaults; /* an object (borrowed from root), maybe empty */
	const char **when_paths; /* every distinct "when" path, for messages */
	size_t nwhen_paths;
	int plain; /* every when and set path suits jdoc (jdoc_plain_path) */
};

/*
 * Loads and checks the map file at path. Returns 0; -1 with a message in
 * err, "FILE:LINE:COLUMN: ..." for invalid JSON or "FILE: rules[2].set:
 * ..." for a map of the wrong shape; or -2 when the file cannot be opened
 * ("FILE: reason"). Release the map either way.
 */
int map_load(struct map *m, const char *path, struct buf *err);

/* map_load() on n bytes of JSON in memory, named name in messages. */
int map_loadb(struct map *m, const char *name, const char *data, size_t n,
    struct buf *err);

/* The map's default for key (its "defaults"), copied; null when there is
 * none. A new reference. */
json_t *map_default(const struct map *m, const char *key);

/* Frees the map. */
void map_release(struct map *m);

/* The rank of a post status: 1 for the lowest listed, 0 when unlisted. */
int map_rank(const struct map *m, const char *status);

/* The rank of a member status in user_rank (rank when there is none). */
int map_user_rank(const struct map *m, const char *status);

/*
 * Whether a post moves from current (NULL: none) to next: only when next is
 * listed and ranks strictly above current. No current status (NULL) ranks
 * below every listed one; an unlisted current one counts as the lowest
 * listed (so "uncertain" does not replace Rogue's default "pending"); an
 * unlisted next never wins. map_user_upgrades is the same on user_rank.
 */
int map_upgrades(const struct map *m, const char *current, const char *next);
int map_user_upgrades(
    const struct map *m, const char *current, const char *next);

/* What a "when" sees of a value. */
enum map_kind {
	MAP_ABSENT, /* missing, or null */
	MAP_STRING,
	MAP_TRUE,
	MAP_FALSE,
	MAP_OTHER /* a number, an object or an array */
};

/*
 * Whether a value that is of kind (s: its text, for MAP_STRING) is what
 * want, a "when" value, asks for (see the top). The one matcher of every
 * "when": status-map's rules and a vendor file's shape (shaper.h).
 */
int map_holds(const json_t *want, enum map_kind kind, const char *s);

/* Whether v may be a "when" value. */
int map_when_value_ok(const json_t *v);

/* The first rule whose "when" matches rec, or NULL. */
const struct map_rule *map_match(const struct map *m, const json_t *rec);

/* Applies a rule's "set" to rec. Returns 0, or -1 when a path is blocked. */
int map_apply(const struct map_rule *r, json_t *rec);

/*
 * map_match() and map_apply() on a canonical line (jdoc.h), for a map whose
 * paths are plain (m->plain): the same rule, the same changes, recorded
 * with jdoc_set(). scratch is for unescaping values. map_apply_doc returns
 * 0, or -1 when the changes need the tree (jdoc_set could not make one).
 */
const struct map_rule *map_match_doc(
    const struct map *m, const struct jdoc *d, struct buf *scratch);
int map_apply_doc(const struct map_rule *r, struct jdoc *d);

#endif
