/* The life of a record in a posts service; see postflow.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "postbody.h"
#include "postflow.h"

const char *const postflow_result_names[POSTFLOW_NRESULTS] = {
    "created", "upgraded", "unchanged", "skipped"};

void
postflow_init(struct postflow *pf, const struct postcache_names *posts,
    const struct actioncache_names *actions, struct deliver *d,
    const struct map *map, const char *meta)
{
	memset(pf, 0, sizeof(*pf));
	pf->map = map;
	pf->meta = meta;
	pf->service = posts->service;
	keyledger_init(&pf->kl);
	keylock_init(&pf->locks);
	postcache_init(&pf->cache, posts, d);
	actioncache_init(&pf->actions, actions, NULL, d);
}

void
postflow_release(struct postflow *pf)
{
	postcache_release(&pf->cache);
	actioncache_release(&pf->actions);
	keyledger_close(&pf->kl);
	keylock_release(&pf->locks);
	buf_release(&pf->ledger_why);
}

static void
unlock(struct postflow *pf, struct postflow_job *pj)
{
	if (pj && pj->locked) {
		keylock_drop(&pf->locks, pj->key);
		pj->locked = 0;
	}
}

void
postflow_finish(struct postflow *pf, struct job *j, enum postflow_result res,
    long long post_id)
{
	json_t *v = json_pack("{s:s}", "result", postflow_result_names[res]);

	if (post_id > 0)
		json_object_set_new(v, "post_id", json_integer(post_id));
	job_meta(j, pf->meta, v);
	pf->results[res]++;
	unlock(pf, j->priv);
	j->state = POSTFLOW_DONE;
	job_finish(j);
}

/* The job's call failed for good: delivery stops (job_failed). */
static void
fail(struct postflow *pf, struct job *j)
{
	unlock(pf, j->priv);
	j->state = POSTFLOW_DONE;
	job_failed(j, pf->service);
}

void
postflow_reject(struct postflow *pf, struct job *j, const char *fmt, ...)
{
	va_list ap;

	unlock(pf, j->priv);
	j->state = POSTFLOW_DONE;
	va_start(ap, fmt);
	job_vreject(j, fmt, ap);
	va_end(ap);
}

/* Records in the ledger that the key stands at status in the service. */
static void
remember(
    struct postflow *pf, struct job *j, const char *status, long long post_id)
{
	struct buf err = BUF_INIT;
	json_t *extra;

	if (!pf->ledger)
		return;
	extra = post_id > 0 ? json_pack("{s:I}", "post_id", (json_int_t)post_id)
	                    : NULL;
	if (keyledger_append(&pf->kl, j->rec, status, extra, &err) < 0 &&
	    !pf->ledger_error++)
		buf_adds(&pf->ledger_why, err.data ? err.data : "");
	json_decref(extra);
	buf_release(&err);
}

json_t *
postflow_body(const struct postflow *pf, const json_t *rec)
{
	return postbody_create(rec, pf->fields, pf->extra, pf->details);
}

int
postflow_key(struct postflow *pf, const struct job *j, struct postflow_job *pj)
{
	const char *st;

	if (keyledger_lookup(&pf->kl, j->rec, &st) < 0)
		return -1;
	pj->key = reckey_hash(&pf->kl.kb);
	pj->keyed = 1;
	pj->seen = pf->ledger && st &&
	           map_rank(pf->map, st) >= map_rank(pf->map, pj->status) &&
	           map_rank(pf->map, pj->status) > 0;
	return 0;
}

static void write_done(struct http_call *c);

/* Decides, the key held: create, move the status up, or leave it. */
static void
decide(struct postflow *pf, struct job *j)
{
	struct postflow_job *pj = j->priv;
	struct postcache_post *p = postcache_find(pj->g, pj->detail);
	struct http_call *c = &j->call;
	json_t *body;

	if (p && !map_upgrades(pf->map, p->status, pj->status)) {
		remember(pf, j, p->status, p->id);
		/* Found after a create whose answer was lost: it took. */
		postflow_finish(pf, j,
		    pj->created_maybe && strcmp(p->status, pj->status) == 0
		        ? POSTFLOW_CREATED
		        : POSTFLOW_UNCHANGED,
		    p->id);
		return;
	}
	c->done = write_done;
	c->arg = j;
	if (p == NULL) {
		body = postflow_body(pf, j->rec);
		postcache_create_call(&pf->cache, c, body);
		json_decref(body);
		pj->result = POSTFLOW_CREATED;
	} else {
		postcache_status_call(&pf->cache, c, p, pj->status);
		pj->result = POSTFLOW_UPGRADED;
	}
	j->state = POSTFLOW_WRITE;
	job_call(j, 0);
}

static void
write_done(struct http_call *c)
{
	struct job *j = c->arg;
	struct postflow *pf = j->d->ctx;
	struct postflow_job *pj = j->priv;
	long long id;
	struct buf why = BUF_INIT;

	if (c->result == HTTP_TRANSIENT) {
		/* A create's answer was lost: the posts are looked up first. */
		if (postcache_relook(&pf->cache, pj->g, &j->call) < 0) {
			fail(pf, j);
			return;
		}
		pj->created_maybe = 1;
		j->state = POSTFLOW_READY;
		return;
	}
	if (c->result != HTTP_ANSWER) {
		fail(pf, j);
		return;
	}
	if (c->status != 200 && c->status != 201) {
		answer_refusal(&why, c, pf->service, "message", "errors");
		postflow_reject(pf, j, "%s", why.data);
		buf_release(&why);
		return;
	}
	id = postcache_written(&pf->cache, pj->g, c,
	    pj->result == POSTFLOW_CREATED, pj->status, pj->detail);
	remember(pf, j, pj->status, id);
	postflow_finish(pf, j, pj->result, id);
}

void
postflow_ready(struct postflow *pf, struct job *j)
{
	struct postflow_job *pj = j->priv;
	struct buf scope = BUF_INIT;

	postcache_scope(&pf->cache, j->rec, &scope);
	pj->g = postcache_ref(&pf->cache,
	    json_string_value(json_object_get(j->rec, pf->cache.names->member)),
	    scope.data);
	buf_release(&scope);
	j->state = POSTFLOW_READY;
}

void
postflow_wait_action(
    struct postflow *pf, struct job *j, const char *query, const char *what)
{
	struct postflow_job *pj = j->priv;

	pj->action = actioncache_ref(&pf->actions, query, what);
	j->state = POSTFLOW_ACTION;
}

/* A job waiting for its action: on, once the action is known. */
static void
action_known(struct postflow *pf, struct job *j)
{
	struct postflow_job *pj = j->priv;
	struct actioncache_entry *e = pj->action;

	if (e->state == ACTIONCACHE_NONE) {
		postflow_reject(
		    pf, j, "no %s action with %s", pf->service, e->what);
		return;
	}
	if (e->state == ACTIONCACHE_FAILED) {
		postflow_reject(pf, j, "%s", e->why);
		return;
	}
	if (e->state != ACTIONCACHE_FOUND)
		return;
	json_object_set_new(j->rec, pf->action_field, json_integer(e->id));
	if (!pj->keyed && postflow_key(pf, j, pj) < 0)
		postflow_reject(pf, j, "a key field is missing or null");
	else if (pj->seen)
		postflow_finish(pf, j, POSTFLOW_SKIPPED, 0);
	else
		postflow_ready(pf, j);
}

void
postflow_advance(struct deliver *d)
{
	struct postflow *pf = d->ctx;
	struct postflow_job *pj;
	struct job *j;
	size_t i;

	actioncache_lookups(&pf->actions);
	for (i = 0; i < d->n; i++) {
		j = deliver_job(d, i);
		if (!j->done && j->priv && j->state == POSTFLOW_ACTION)
			action_known(pf, j);
	}
	postcache_lookups(&pf->cache);
	for (i = 0; i < d->n; i++) {
		j = deliver_job(d, i);
		pj = j->priv;
		if (j->done || pj == NULL || j->state != POSTFLOW_READY)
			continue;
		if (pj->g->state == POSTCACHE_FAILED) {
			postflow_reject(pf, j, "%s", pj->g->why);
			continue;
		}
		if (pj->g->state != POSTCACHE_KNOWN)
			continue;
		if (!pj->locked && keylock_take(&pf->locks, pj->key) < 0)
			continue;
		pj->locked = 1;
		decide(pf, j);
	}
}

void
postflow_release_job(struct deliver *d, struct job *j)
{
	struct postflow *pf = d->ctx;
	struct postflow_job *pj = j->priv;

	if (pj == NULL)
		return;
	unlock(pf, pj);
	postcache_unref(&pf->cache, pj->g);
	free(pj->detail);
	free(pj);
	j->priv = NULL;
}
