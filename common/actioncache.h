/*
 * actioncache: a service's action found by a filter, once per value a run
 * (post-rogue's actions of Rogue, for a vendor that names a campaign of its
 * own instead of an action id).
 *
 * The filters come from the vendor file: an object of the service's filter
 * names, each to the record's field (a dotted path) holding its value, or
 * to {"const": V}, a value of its own:
 *
 *	{"campaign_id": "campaign_id",
 *	 "post_type": {"const": "share-social"}}
 *
 * A record's query is those filters with its values
 * (filter%5BF%5D=V&..., in the object's order); each distinct query is one
 * entry, asked of the service once, with one GET:
 *
 *	GET PATH?filter%5BF%5D=V&...
 *
 * whose answer is {"data": [action, ...], ...}: the first action's id is
 * the entry's (FOUND), and no action at all is NONE, which the stage
 * rejects its records for, never asking again. Records waiting on one
 * query share its entry, so N records of one campaign cost one GET.
 *
 * This module knows no field of the service by name: the stage gives
 * them (struct actioncache_names). Lookups go through the delivery loop's
 * HTTP client (deliver.h); one that fails for good stops delivery as any
 * call does (deliver_failed()), and its entry is FAILED with why. An
 * answer other than 200 makes the entry FAILED too, with the service's
 * words, without stopping delivery. Nothing here prints.
 *
 *	struct actioncache ac;
 *	actioncache_init(&ac, &names, filters, &d);
 *	ac.url = url;
 *	actioncache_query(&ac, rec, &query, &what)   (a job starts)
 *	e = actioncache_ref(&ac, query.data, what.data);
 *	actioncache_lookups(&ac);                    (each turn of the loop)
 *	e->state == ACTIONCACHE_FOUND: e->id ...
 *	actioncache_release(&ac);
 */
#ifndef ACTIONCACHE_H
#define ACTIONCACHE_H

#include <jansson.h>

#include "buf.h"
#include "deliver.h"

#define ACTIONCACHE_BUCKETS 256

/* The names the service gives things, borrowed (string literals). */
struct actioncache_names {
	const char *service; /* in messages: "Rogue" */
	const char *path;    /* the actions' collection: "/api/v3/actions" */
	const char *id;      /* an action's id (a positive integer) */
};

enum actioncache_state {
	ACTIONCACHE_NEW,      /* to be asked */
	ACTIONCACHE_FETCHING, /* its GET is on the wire */
	ACTIONCACHE_FOUND,    /* id is the action's */
	ACTIONCACHE_NONE,     /* the service has no such action */
	ACTIONCACHE_FAILED    /* the lookup failed: why */
};

struct actioncache_entry {
	char *query; /* the filters with their values: the identity; owned */
	char *what;  /* "campaign_id 123", for messages; owned */
	enum actioncache_state state;
	long long id; /* FOUND */
	char *why;    /* FAILED; owned */
	struct http_call call;
	struct actioncache *ac;
	struct actioncache_entry *next; /* in its bucket */
	struct actioncache_entry *todo; /* in the to-do list */
};

struct actioncache {
	const struct actioncache_names *names; /* borrowed */
	const json_t *filters;                 /* borrowed */
	const char *url;   /* the service's base URL; borrowed */
	struct deliver *d; /* borrowed: its HTTP client and its stop */
	struct actioncache_entry *buckets[ACTIONCACHE_BUCKETS];
	struct actioncache_entry *todo;
	unsigned long long lookups; /* GETs started */
};

/*
 * An empty cache of the actions filters (borrowed, checked by the vendor
 * file's loader) finds, asked through d's HTTP client (d may be NULL, and
 * d->http NULL: nothing is looked up). url is NULL: the caller sets it.
 */
void actioncache_init(struct actioncache *ac,
    const struct actioncache_names *names, const json_t *filters,
    struct deliver *d);

/* Frees every entry. Call it once no lookup is in flight any more. */
void actioncache_release(struct actioncache *ac);

/*
 * Appends to query (empty, as a rule) rec's query, each value (a string,
 * or an integer in decimal) percent-encoded, and to what the same filters
 * for a message ("campaign_id 123, post_type share-social").
 * Returns 0; or -1 when a filter's field is missing from rec, or is
 * neither a string nor an integer, with what reset to that field's name.
 */
int actioncache_query(const struct actioncache *ac, const json_t *rec,
    struct buf *query, struct buf *what);

/*
 * The entry of query (copied, with what), a new one NEW and in the to-do
 * list. Never NULL; owned by the cache, valid until actioncache_release().
 */
struct actioncache_entry *actioncache_ref(
    struct actioncache *ac, const char *query, const char *what);

/* Replaces u's contents with the URL of the lookup of query. */
void actioncache_url(
    const struct actioncache *ac, struct buf *u, const char *query);

/*
 * Starts a GET for every entry of the to-do list (FETCHING), when there
 * is a network; once delivery has stopped, they fail with its reason.
 */
void actioncache_lookups(struct actioncache *ac);

/*
 * Settles e from a 200 answer's JSON (ans borrowed, NULL when it was not
 * JSON): FOUND with the first action's id, or NONE for an empty list.
 * Returns 0, or -1 (e FAILED) when ans has no data list, or its first
 * action no positive integer id.
 */
int actioncache_take(struct actioncache_entry *e, const json_t *ans);

#endif
