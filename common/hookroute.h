/*
 * hookroute: a route of the webhook receiver, as a vendor file's "receive"
 * section declares it, and the check of a request against it.
 *
 *	"receive": {
 *	  "path": "/api/v1/NAME/thing",
 *	  "methods": ["POST"],
 *	  "content_types": ["json", "form"],
 *	  "auth": {"headers": ["X-Key", "X-Other-Key"], "keys":
 *"NAME_API_KEYS"}, "signature": {"secrets": "NAME_WEBHOOK_SECRETS",
 *"tolerance": 300}, "fields": {"id": "integer", "when": "date", "who":
 *"string"}, "optional": {"note": "string"}, "key": ["id"], "answer": {"status":
 *200, "body": ""}
 *	}
 *
 * "path" is the exact path taken (no query); "methods" default ["POST"];
 * "content_types" any of "json" (application/json) and "form"
 * (application/x-www-form-urlencoded), default both. "auth" names the
 * headers that may carry a static key (any one matching is enough) and the
 * environment variable holding the keys allowed; "signature" asks for the
 * Standard Webhooks signature (hooksig.h) with the secrets of that
 * variable, "tolerance" seconds off (300). A route has one of them or
 * both (both must pass). Keys and secrets are never in the vendor file:
 * the variable holds them (separated by commas, spaces or new lines), or
 * VARIABLE_FILE names a file of them, one a line (hookroute_secrets).
 * "fields" are required, "optional" ones may be absent, each of a type:
 * "string" (a JSON string, or a number taken as its text), "integer" (a
 * JSON integer, or a string of digits, stored as an integer) or "date" (a
 * string: a real calendar date "YYYY-MM-DD", with an optional time
 * "HH:MM[:SS[.frac]]" after a "T" or a space, and an optional "Z" or
 * "+HH:MM" zone). A field given null or "" counts as absent. Fields not
 * declared are kept as sent. "key" lists the fields whose values are the
 * request's id when it has no webhook-id or Idempotency-Key header (the
 * vendor's own idempotency key); without it such a request gets an id of
 * its own, never a duplicate. "answer" is what an accepted request gets.
 *
 * "dictionary", "events" and "defaults" make the route an event route:
 * hookevent.h reads them. A vendor file's "receive" may be a list of such
 * sections, one route each (hookserve.h).
 *
 * Nothing here prints; errors are returned as text or as the JSON body of
 * the answer (the caller's reference).
 */
#ifndef HOOKROUTE_H
#define HOOKROUTE_H

#include <jansson.h>

#include "buf.h"

enum hookroute_type { HOOKROUTE_STRING, HOOKROUTE_INTEGER, HOOKROUTE_DATE };

struct hookroute_field {
	const char *name; /* borrowed from the vendor file */
	enum hookroute_type type;
	int required;
};

struct hookroute {
	const char *path;
	const char **methods;
	size_t nmethods;
	int json, form;       /* the content types taken */
	const char **headers; /* the key headers, or none */
	size_t nheaders;
	const char *keys_var;    /* the keys' variable, or NULL */
	const char *secrets_var; /* the signature's, or NULL */
	long tolerance;
	struct hookroute_field *fields;
	size_t nfields;
	const char **key; /* the vendor's idempotency key, or none */
	size_t nkey;
	int status;         /* the answer's status */
	const char *answer; /* and body */
};

/*
 * Reads a "receive" section (borrowed: it must outlive the route). Returns
 * 0, or -1 with err naming the key ("receive.fields.x: must be ...").
 */
int hookroute_load(struct hookroute *r, const json_t *receive, struct buf *err);

void hookroute_release(struct hookroute *r);

/*
 * The secrets of variable var: from $var, else from the file $var_FILE.
 * Returns how many (into *out, a new array of new strings, free with
 * hookroute_free_secrets), or -1 with err saying which variable or file.
 * None at all is an error: a route is never left open.
 */
int hookroute_secrets(const char *var, char ***out, struct buf *err);

void hookroute_free_secrets(char **s, int n);

enum hookroute_body { HOOKROUTE_JSON = 1, HOOKROUTE_FORM = 2 };

/*
 * The content type ctype (a header's value, NULL when absent) as one the
 * route takes, or 0 when it takes no such type (415).
 */
int hookroute_ctype(const struct hookroute *r, const char *ctype);

/*
 * Reads body[0..len) of the given kind into a record (*rec, new) and
 * checks its fields. Returns 0, or the answer's status (400: not an object
 * of JSON or a form; 422: fields wrong) with *answer set to the answer's
 * JSON body (new): {"message": ..., "errors": {"FIELD": ["..."]}}.
 */
int hookroute_read(const struct hookroute *r, enum hookroute_body kind,
    const char *body, size_t len, json_t **rec, json_t **answer);

/*
 * The request's id: the header's (hdr, NULL when absent), else "key:" and
 * the SHA-256 of the route's key fields' values, else NULL (no id: the
 * request is its own). Into out (reset). Returns 1 when an id was made,
 * 0 when none, -1 when hdr is not one (over 200 bytes or not printable).
 */
int hookroute_id(const struct hookroute *r, const char *hdr, const json_t *rec,
    struct buf *out);

/* 1 when s is a date as "date" fields take it, else 0. */
int hookroute_is_date(const char *s);

#endif
