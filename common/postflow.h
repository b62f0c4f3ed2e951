/*
 * postflow: what a delivery stage does with a record once it knows which
 * post it is (post-rogue's life of a record): its action found by a
 * filter when it names none (actioncache.h), its member's posts looked up
 * (postcache.h), its key held (keylock.h), then the post created, or its
 * status moved up when the record's ranks higher in the vendor file's
 * hierarchy (map.h), or left; what the service confirmed is appended to
 * the ledger (keyledger.h), and the record goes on with _meta.NAME =
 * {"result": "created", "upgraded", "unchanged" or "skipped",
 * "post_id": N}.
 *
 * A create whose answer was lost (HTTP_TRANSIENT) is never sent again
 * blindly: the member's posts are looked up again first
 * (postcache_relook()), and a post found then at the record's status
 * counts as created.
 *
 * The stage checks a record and says what the flow needs (the job's
 * status, detail and, for the key, postflow_key()), then hands the job on
 * with postflow_ready() or postflow_wait_action(); the delivery loop's
 * advance and release are postflow_advance() and postflow_release_job().
 * The delivery loop's context (d->ctx) is the flow; the stage's own is
 * flow->arg. Nothing here knows a service's field by name: the caches'
 * names and the create's fields come from the stage.
 *
 *	struct postflow pf;
 *	postflow_init(&pf, &post_names, &action_names, &d, map, "rogue");
 *	(the stage sets pf.cache.url, pf.actions, the body's fields, a ledger)
 *	start: check; postflow_key(&pf, j, pj); postflow_ready(&pf, j) ...
 *	postflow_release(&pf);
 */
#ifndef POSTFLOW_H
#define POSTFLOW_H

#include <jansson.h>

#include "actioncache.h"
#include "deliver.h"
#include "keyledger.h"
#include "keylock.h"
#include "map.h"
#include "postcache.h"

enum postflow_result {
	POSTFLOW_CREATED,
	POSTFLOW_UPGRADED,
	POSTFLOW_UNCHANGED,
	POSTFLOW_SKIPPED,
	POSTFLOW_NRESULTS
};

/* A job's state (job.state), for the stage that reads it. */
enum postflow_state {
	POSTFLOW_NEW,    /* the stage's, until it hands the job on */
	POSTFLOW_ACTION, /* waiting for its action */
	POSTFLOW_READY,  /* waiting for its posts and its key */
	POSTFLOW_WRITE,  /* its write is on the wire */
	POSTFLOW_DONE
};

/* What the flow holds for one job (job.priv). */
struct postflow_job {
	struct postcache_group *g;
	struct actioncache_entry *action; /* POSTFLOW_ACTION: awaited */
	struct hash128 key; /* the record's key bytes, hashed: the lock */
	int keyed;          /* key is set */
	int locked;
	int needs_action;   /* the stage's: the record names no action */
	int seen;           /* the ledger holds the key at this rank */
	const char *status; /* the record's (borrowed from it) */
	char *detail;       /* owned; postcache_detail(), or NULL */
	enum postflow_result result;
	int created_maybe; /* a create's answer was lost */
};

struct postflow {
	const struct map *map;    /* borrowed: the ranks */
	const char *meta;         /* the record's _meta member: "rogue" */
	const char *action_field; /* filled with the action found */
	const char *service;      /* in messages: "Rogue" */
	struct keyledger kl;      /* the key; a ledger when ledger is set */
	int ledger;               /* a ledger is kept */
	int ledger_error;         /* appends that failed */
	struct buf ledger_why;    /* the first one's reason */
	struct keylock locks;
	struct postcache cache;
	struct actioncache actions;
	/* The create's body (postbody_create()): fields, extra, details. */
	const char *const *fields;
	const char *extra, *details;
	unsigned long long results[POSTFLOW_NRESULTS];
	void *arg; /* the stage's */
};

extern const char *const postflow_result_names[POSTFLOW_NRESULTS];

/*
 * Sets pf up: its caches of posts and actions named so, through d (whose
 * ctx the caller makes pf), ranked by map, the result in _meta.meta (all
 * borrowed); the action found goes into the record's field
 * action_field, which the caller sets. The key, the ledger, the URLs and the
 * body's fields are the caller's to set before the first record. Allocates
 * nothing.
 */
void postflow_init(struct postflow *pf, const struct postcache_names *posts,
    const struct actioncache_names *actions, struct deliver *d,
    const struct map *map, const char *meta);

/* Frees what pf holds (the ledger closed), after deliver_run(). */
void postflow_release(struct postflow *pf);

/*
 * The record's key (pf->kl's fields): its lock, and whether the ledger
 * holds it at pj->status's rank or higher (pj->seen). Returns 0, or -1
 * when a key field is missing or null (pj->keyed stays 0).
 */
int postflow_key(
    struct postflow *pf, const struct job *j, struct postflow_job *pj);

/* The create's body for rec: a new reference. */
json_t *postflow_body(const struct postflow *pf, const json_t *rec);

/* The job (keyed) is through: _meta set, the key let go, written. */
void postflow_finish(struct postflow *pf, struct job *j,
    enum postflow_result res, long long post_id);

/* The job is rejected with a formatted reason, its key let go. */
void postflow_reject(struct postflow *pf, struct job *j, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The job's action is known (or given): its posts are looked up next. */
void postflow_ready(struct postflow *pf, struct job *j);

/*
 * The job waits for the action of query (what names it in messages; both
 * copied), which postflow_advance() looks up once for every job of it.
 */
void postflow_wait_action(
    struct postflow *pf, struct job *j, const char *query, const char *what);

/* The delivery loop's advance (deliver_ops). */
void postflow_advance(struct deliver *d);

/* The delivery loop's release (deliver_ops). */
void postflow_release_job(struct deliver *d, struct job *j);

#endif
