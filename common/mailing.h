/*
 * A mailing file, mailings/NAME/mailing.json: what post-mail needs to know
 * of one mail-out, as data, so that no C names a template, a sender or the
 * member field that says a member wants no e-mail. Its keys:
 *
 *	mailing       the mailing's id (a string): with the member's id, the
 *	              mail ledger's key, so that a member gets it once
 *	template      the e-mail service's template name
 *	from          the sender's address (FromEmailAddress)
 *	member        the record's path of the member's id (default
 *	              "northstar_id")
 *	email         the record's path of the address (default "email")
 *	subscription  {"field": PATH, "off": [VALUES...], "missing": "off" or
 *	              "on"}: a record whose value at PATH is one of the "off"
 *	              values (default [false]) is set aside, and so is one
 *	              without the field unless "missing" is "on" (default
 *	              "off": no consent known, no mail). Optional: without it
 *	              every member is mailed.
 *	variables     {"VAR": PATH, ...}: where a template variable's value is
 *	              in the record, for those not found at the path of their
 *	              own name (optional)
 *	defaults      an object: the template data every message starts from
 *	              (DefaultContent's TemplateData), a record's values on top
 *	configuration_set  a configuration set's name (optional)
 *
 * Keys that start with "_" are comments; any other unknown key is refused.
 * A NAME (no "/", not ending in ".json") is looked up as
 * $SLUICE_MAILINGS/NAME/mailing.json, else in the checkout's mailings/.
 *
 * template_vars() reads the {{names}} a template's text uses: plain
 * {{name}} and {{{name}}} (a dotted name is a path), and not the block
 * helpers' own words ({{#if x}}, {{/if}}, {{else}}, {{! comments}},
 * {{> partials}}) nor a helper called with arguments, nor a name inside
 * a {{#if name}} block that asks for it: what a record must hold a value
 * for, or be set aside.
 */
#ifndef MAILING_H
#define MAILING_H

#include <jansson.h>

#include "buf.h"

struct mailing {
	char *path;             /* the file read, owned */
	json_t *root;           /* owns everything borrowed below */
	const char *id;         /* "mailing" */
	const char *template;   /* "template" */
	const char *from;       /* "from" */
	const char *member;     /* "member" */
	const char *email;      /* "email" */
	const char *sub_field;  /* subscription.field, or NULL */
	const json_t *sub_off;  /* subscription.off: an array */
	int missing_off;        /* subscription.missing is "off" */
	const json_t *vars;     /* "variables": an object, or NULL */
	const json_t *defaults; /* "defaults": an object, or NULL */
	const char *config_set; /* "configuration_set", or NULL */
};

/*
 * Loads the mailing named (a NAME or a FILE, see above) into m. Returns 0;
 * EXIT_NOINPUT (66) when the file is missing; EXIT_DATAERR (65) when it is
 * not JSON or a key is wrong, with "FILE:LINE: ..." or "FILE: KEY: ..." in
 * err. Release m with mailing_release() either way.
 */
int mailing_load(struct mailing *m, const char *name, struct buf *err);

/* The record's path of a template variable's value (borrowed). */
const char *mailing_path(const struct mailing *m, const char *var);

/*
 * Whether a record's subscription says no mail: 1 when the value at
 * subscription.field is one of the "off" values (or absent, with
 * "missing" "off"), else 0 (and always 0 without a subscription).
 */
int mailing_unsubscribed(const struct mailing *m, const json_t *rec);

/* Frees what m holds; m is left empty. */
void mailing_release(struct mailing *m);

/*
 * Appends to names (a JSON array, borrowed) every variable text uses, each
 * once, in the order of first use (see the top).
 */
void template_vars(const char *text, json_t *names);

#endif
