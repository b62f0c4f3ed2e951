/*
 * postcache: what a delivery stage knows of its members' posts in a
 * service, looked up fifty members at a time and kept while records use it
 * (post-rogue's cache of Rogue's posts).
 *
 * A group is what is known of one member's posts in one scope (for Rogue,
 * one action and type): the member is a string, the scope the query
 * fragment of filters a record's values make (postcache_scope()). This
 * module knows no field of any record or post by name: the stage gives
 * the names (struct postcache_names).
 *
 * The service is asked as Rogue is:
 *
 *	GET PATH?filter%5BF%5D=V&...&filter%5BMEMBER%5D=M1,M2&limit=100&page=P
 *
 * and answers a page {"data": [post, ...], "meta": {"pagination":
 * {"total_pages": N}}}; without total_pages, a full page means there may be
 * another. Each post found is filed under the group of its member.
 *
 * A group's life:
 *
 *	postcache_ref()        NEW: in the to-do list, nothing known yet
 *	postcache_lookups()    FETCHING: a lookup is filling it, page by page
 *	                       KNOWN: its posts (newest first) can be used
 *	                       FAILED: the lookup failed, why says so
 *	postcache_relook()     FETCHING again, what was known forgotten
 *	postcache_unref()      freed when no job holds it any more
 *
 * A group lives while jobs hold it (refs), while it is NEW (the to-do list
 * holds it) and while lookups of it are on the wire; the last of these to
 * let it go frees it. Records of one member's posts in one scope but of
 * different keys (one post per event, --match-detail) share a group, so
 * two of them may look it up again at once: it is KNOWN when the last of
 * its lookups ends, so that each record decides on what the service held
 * after its own write. The stage's own writes (postcache_create_call(),
 * postcache_status_call()) are filed with postcache_written(), so that a
 * group stays true without being looked up again: the stage never has two
 * writes of one key in flight (keylock.h), so nothing else of this run
 * changes a post it knows meanwhile.
 *
 * Lookups go through the delivery loop's HTTP client (deliver.h), and a
 * lookup that fails for good stops delivery as any call does
 * (deliver_failed()). Nothing here prints: a failed group's why says what
 * went wrong, for the stage to reject its records with.
 *
 *	struct postcache pc;
 *	postcache_init(&pc, &names, &d);
 *	pc.url = url; pc.detail_key = key;
 *	g = postcache_ref(&pc, member, scope);     (a job starts)
 *	postcache_lookups(&pc);                    (each turn of the loop)
 *	g->state == POSTCACHE_KNOWN: postcache_find(g, detail) ...
 *	postcache_unref(&pc, g);                   (the job leaves)
 *	postcache_release(&pc);
 */
#ifndef POSTCACHE_H
#define POSTCACHE_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "deliver.h"
#include "hash128.h"

#define POSTCACHE_BATCH 50 /* members one lookup asks for */
#define POSTCACHE_PAGE 100 /* posts a page holds */
#define POSTCACHE_BUCKETS 1024

/*
 * The names the service gives things, all borrowed (string literals, as a
 * rule): the module knows none itself.
 */
struct postcache_names {
	const char *service; /* in messages: "Rogue" */
	const char *path;    /* the posts' collection: "/api/v3/posts" */
	const char *member;  /* a post's member field, and its filter */
	const char *id;      /* a post's id (an integer) */
	const char *status;  /* a post's status (a string) */
	const char *details; /* a post's details: an object or its JSON text */
	/*
	 * The fields that a record and a post share and that, with the
	 * member, say which posts are the record's ("action_id", "type"):
	 * the scope, a NULL-terminated list, each also a filter of lookups.
	 */
	const char *const *scope;
};

/* A post as the service has it, as far as the stage cares. */
struct postcache_post {
	long long id;
	char *status; /* owned; "" when the service gave none */
	char *detail; /* owned; details[detail_key], NULL without one */
};

enum postcache_state {
	POSTCACHE_NEW,
	POSTCACHE_FETCHING,
	POSTCACHE_KNOWN,
	POSTCACHE_FAILED
};

/* What is known of one member's posts in one scope. */
struct postcache_group {
	char *member, *scope; /* owned */
	struct hash128 h;     /* of member and scope: the group's identity */
	enum postcache_state state;
	struct postcache_post *posts; /* newest first; owned */
	size_t nposts;
	unsigned refs;                /* jobs that hold it */
	unsigned lookups;             /* lookups of it on the wire */
	char *why;                    /* POSTCACHE_FAILED: the reason; owned */
	struct postcache_group *next; /* in its bucket */
	struct postcache_group *todo; /* in the to-do list */
};

struct postcache {
	const struct postcache_names *names; /* borrowed */
	const char *url; /* the service's base URL; borrowed */
	/* NULL, or the details' keys, "k1,k2" (borrowed): one post per
	 * value of them all (postcache_detail()) */
	const char *detail_key;
	struct deliver *d; /* borrowed: its HTTP client and its stop */
	struct postcache_group *buckets[POSTCACHE_BUCKETS];
	struct postcache_group *todo; /* NEW groups, the newest first */
};

/*
 * An empty cache for the service named by names, whose lookups go through
 * d's HTTP client (d->http, read when a lookup starts: NULL means no
 * network, and nothing is looked up). url is NULL and detail_key NULL: the
 * caller sets both before the first postcache_ref(). Allocates nothing.
 */
void postcache_init(struct postcache *pc, const struct postcache_names *names,
    struct deliver *d);

/*
 * Frees every group, held or not. Call it once no lookup is in flight any
 * more (after deliver_run(), whose end waits for every call).
 */
void postcache_release(struct postcache *pc);

/*
 * Appends to scope (empty, as a rule) the record's scope: for each field of
 * names->scope in turn, the filter "field is the record's value"
 * (filter%5BFIELD%5D=VALUE, both percent-encoded, an integer in decimal),
 * joined by '&'. Two records have the same scope when, and only when, they
 * have the same values in those fields. Returns 0, or -1 when a field's
 * value is neither a string nor an integer (scope then holds the filters
 * before it).
 */
int postcache_scope(
    const struct postcache *pc, const json_t *rec, struct buf *scope);

/*
 * The group of member in scope (both copied), with one more reference: a
 * new one is NEW and goes first in the to-do list. Never NULL.
 */
struct postcache_group *postcache_ref(
    struct postcache *pc, const char *member, const char *scope);

/*
 * Lets go of one reference to g (nothing when g is NULL); frees g when it
 * was the last and g is KNOWN or FAILED (a NEW or FETCHING group is freed
 * when its lookup ends).
 */
void postcache_unref(struct postcache *pc, struct postcache_group *g);

/*
 * Starts the lookups of the to-do list, when there is a network. While a
 * call is in flight and the input has not ended, the list waits until it
 * holds a full batch: the window refills a record at a time, so lookups
 * go out full, and the service gets one GET for fifty records where each
 * record would wait a little longer. Then every group in the list is
 * looked up, POSTCACHE_BATCH of one scope a lookup, each lookup asking for
 * every page. A group becomes KNOWN when its lookup has read the last
 * page, or FAILED (with why) when a call failed, the service answered
 * other than 200, a page had no data list, or delivery stopped.
 */
void postcache_lookups(struct postcache *pc);

/*
 * The stage's write c of a post of g (KNOWN) ended HTTP_TRANSIENT: its
 * answer was lost, and it may or may not have been made. Looks g up again,
 * alone, what was known of it forgotten, after the backoff c has earned
 * (http_backoff()), so that the stage writes again only what the service
 * does not hold. Returns 0; or, when c's retry budget is spent, -1 with c
 * made HTTP_UNAVAILABLE and err saying that it gave up, for the stage to
 * fail the job with (job_failed()); nothing is looked up then.
 */
int postcache_relook(
    struct postcache *pc, struct postcache_group *g, struct http_call *c);

/*
 * Takes from the to-do list the next batch, in the list's order: the
 * first group and up to POSTCACHE_BATCH - 1 more of its scope (the others
 * stay, in their order). Fills g (room for POSTCACHE_BATCH) and returns
 * how many, 0 when the list is empty. The groups stay NEW: the caller
 * looks them up (postcache_lookups() does, with postcache_forget()).
 */
size_t postcache_batch(struct postcache *pc, struct postcache_group **g);

/*
 * Marks n groups as being looked up: FETCHING, one more lookup of each on
 * the wire, their posts forgotten, so that the pages about to come are all
 * that is known.
 */
void postcache_forget(struct postcache_group *const *g, size_t n);

/*
 * Replaces u's contents with the URL of page page (from 1) of a lookup of
 * the n members (none escaped: each is percent-encoded here, the commas
 * between them not) in scope, at pc->url and pc->names->path; page 0
 * leaves the page out (a dry run's plan names the lookup, not its pages).
 */
void postcache_url(const struct postcache *pc, struct buf *u, const char *scope,
    const char *const *members, size_t n, int page);

/*
 * Files the posts of one page of a lookup's answer (ans, borrowed; NULL
 * when the answer was not JSON) under the n groups asked for: each post
 * with a string member and an integer id is added, at the end, to every
 * group of its member, with its status and, when pc->detail_key is set,
 * the detail of its details (postcache_detail()). Returns 0, or -1 when ans has
 * no data list (nothing is filed).
 */
int postcache_take_page(struct postcache *pc, struct postcache_group *const *g,
    size_t n, const json_t *ans);

/*
 * The detail of a record or a post whose details (borrowed) are an object
 * or a string of its JSON: with one key in pc->detail_key, the string at
 * that key; with several ("k1,k2"), the strings at all of them as a
 * compact JSON array (["v1","v2"]), so that two details match when every
 * key's value does. A new string (the caller's, free()), or NULL when
 * detail_key is NULL or a key's value is missing or not a string.
 */
char *postcache_detail(const struct postcache *pc, const json_t *details);

/*
 * Whether the answer ans (borrowed) of page page says there is a page
 * after it: meta.pagination.total_pages when it is an integer, else
 * whether the page was full (POSTCACHE_PAGE posts or more).
 */
int postcache_more_pages(const json_t *ans, int page);

/*
 * Ends one lookup of n groups: each becomes state (KNOWN or FAILED, why
 * then copied into it unless it has one; why may be NULL for KNOWN), a
 * group with another lookup still on the wire staying FETCHING unless
 * this one FAILED, and is freed when no job or lookup holds it.
 */
void postcache_settle(struct postcache *pc, struct postcache_group *const *g,
    size_t n, enum postcache_state state, const char *why);

/*
 * The post of g a record belongs to: with detail NULL the newest, else
 * the newest whose detail is the same string. NULL when there is none.
 * Borrowed from g: valid until g changes.
 */
struct postcache_post *postcache_find(
    const struct postcache_group *g, const char *detail);

/*
 * Sets c up for the stage's create of a post: a POST of body (borrowed,
 * sent as compact JSON) to the collection, with the token, not idempotent
 * (a create whose answer is lost ends HTTP_TRANSIENT: the caller looks the
 * group up again, postcache_relook(), before it creates anything). The
 * caller sets done and arg.
 */
void postcache_create_call(
    const struct postcache *pc, struct http_call *c, const json_t *body);

/*
 * Sets c up for the stage's change of p's status to status (borrowed
 * until the call is set up): a PATCH of the post with {STATUS: status},
 * with the token, idempotent. The caller sets done and arg.
 */
void postcache_status_call(const struct postcache *pc, struct http_call *c,
    const struct postcache_post *p, const char *status);

/*
 * Files in g the stage's write that c made, which the service took (200
 * or 201), so that g stays true without a lookup: with create, a new post
 * with status and detail (copied; detail may be NULL) goes first in g,
 * being the newest, with the id the answer gives as data.ID; else the post
 * of detail (postcache_find) gets status. Returns the post's id: for a
 * create, the answer's (0 when it gives none); for a change, the post's
 * (the answer's when g has no post of detail).
 */
long long postcache_written(const struct postcache *pc,
    struct postcache_group *g, const struct http_call *c, int create,
    const char *status, const char *detail);

#endif
