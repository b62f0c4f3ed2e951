/*
 * A vendor file, vendors/NAME/vendor.json: what the project knows of one
 * vendor, as data, read by every stage that takes --vendor. Its sections
 * (README.md, "The vendor file", says what each key means):
 *
 *	export     the export itself: "title" (named in messages: "not a
 *	           TurboVote export"), "source", "encoding", "delimiter",
 *	           "fetch" (the stage that fetches one when no file is given),
 *	           "receive" (true: the records come from hook-recv's journal),
 *	           "options" (what is given per file, --set NAME=VALUE:
 *	           {NAME: {"about", "required", "one_of", "list", "example"}}),
 *	           "rejects_csv" (the columns of the import's failed.csv)
 *	pipeline   the stages of its import, in order (pipelines/import.sh)
 *	shape      how a row becomes a canonical record (shaper.h)
 *	rank, user_rank, rules, default, defaults
 *	           the business map (map.h)
 *	delivery   what the later stages need: "key" (the delivery ledger's),
 *	           "keep" and "rank" (dedupe), "match_detail", "action",
 *	           "post_fields" (post-rogue), "member" (post-northstar:
 *	           memberrules.h, loaded and checked here, today's rules when
 *	           absent), "table" (post-quasar)
 *	receive    the route hook-recv serves for the vendor (hookroute.h)
 *
 * Every section is optional, so a plain map is a vendor file too. Keys
 * that start with "_" are comments; any other key the file does not know
 * is refused, so a misspelt option is an error rather than a default.
 */
#ifndef VENDOR_H
#define VENDOR_H

#include <jansson.h>

#include "buf.h"
#include "map.h"
#include "memberrules.h"

struct vendor {
	char *path;        /* the file read */
	char *name;        /* its folder's name, "turbovote" */
	json_t *root;      /* owns everything borrowed below */
	struct map map;    /* the business map */
	json_t *shape;     /* the shape section, or NULL */
	json_t *receive;   /* the receive section, or NULL */
	int received;      /* export.receive: true */
	json_t *defaults;  /* the map's defaults (an object), or NULL */
	const char *title; /* export.title, else the name */
	const char *source, *encoding, *delimiter, *fetch; /* or NULL */
	json_t *options;   /* export.options, borrowed, or NULL */
	char *rejects_csv; /* export.rejects_csv, joined with commas, or NULL */
	/* delivery: lists joined with commas (as the stages' options take
	 * them), owned; NULL when the file does not say */
	char *key, *match_detail, *post_fields;
	const char *keep, *rank, *table;
	json_t *action_filter; /* delivery.action.filter (checked), or NULL */
	struct memberrules member; /* delivery.member, or the defaults */
};

/*
 * The folder vendor_path() looks a name up in: $SLUICE_VENDORS when set,
 * else the vendors/ folder the programs were built beside. Borrowed.
 */
const char *vendor_dir(void);

/*
 * The file that which names: which itself when it holds a "/" or ends in
 * ".json"; else NAME/vendor.json in $SLUICE_VENDORS, or, without it, in
 * the vendors/ folder the programs were built beside. Into out (reset).
 */
void vendor_path(const char *which, struct buf *out);

/*
 * Loads and checks the vendor file which names (see vendor_path). Returns
 * 0; -1 with err saying what is wrong ("FILE:LINE:COLUMN: ..." for JSON
 * that does not parse, "FILE: delivery.key: must be a list of field
 * names"); -2 when the file cannot be opened ("FILE: reason"). The vendor
 * is zeroed first: release it either way.
 */
int vendor_load(struct vendor *v, const char *which, struct buf *err);

/*
 * Gives the per-file option of an assignment "NAME=VALUE" (--set): NAME
 * must be one of export.options, VALUE one of its one_of when it has
 * one; the value becomes defaults[NAME] (a list of it, with "list":
 * true), where the shape reads it ({"default": NAME}). Returns 0, or -1 with
 * err saying what is wrong.
 */
int vendor_set(struct vendor *v, const char *assignment, struct buf *err);

/*
 * Whether every required option has a value (given, or a default of the
 * file): 0, or -1 with err naming the first that has none ("E-mail
 * subscription list needs --set topic=VALUE (...), one of ...").
 */
int vendor_options_given(const struct vendor *v, struct buf *err);

/* Frees the vendor. */
void vendor_release(struct vendor *v);

/*
 * A list of names as the stages' options take it ("a,b,c", from the
 * command line or from the vendor file's delivery lists) as a new JSON
 * array of strings (the caller's reference), empty names ("a,,b", a comma
 * at the end) left out.
 */
json_t *vendor_names(const char *names);

#endif
