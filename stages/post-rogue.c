/*
 * post-rogue: each canonical activity record becomes a post in Rogue, once.
 *
 * For a record it finds the member's post for (action_id, northstar_id,
 * type), or with --match-detail KEY the one whose details hold the same
 * KEY value (one post per registration); then creates the post, or moves
 * its status up when the record's ranks higher in the vendor file's
 * hierarchy, or
 * leaves it. The record goes on with _meta.rogue = {"result": "created",
 * "upgraded", "unchanged" or "skipped", "post_id": N}.
 *
 * Lookups are batched: the members of up to 50 records waiting in the
 * window are looked up with one GET (Rogue's filters take comma-separated
 * values), every page of it, and what is found is kept while records
 * using it are in the window, and updated by this stage's own writes. Two
 * records with the same key are never in flight together (keylock.h), so
 * the second sees what the first did.
 *
 * With --ledger FILE, each key is appended after Rogue confirmed the write
 * (or that the post already stood at that status), and a record whose key
 * the ledger holds at an equal or higher rank is skipped with no request:
 * a re-run of the same export sends nothing. A create whose answer was
 * lost (a dropped connection, a timeout, a 5xx) is not sent again blindly:
 * the member's posts are looked up again first, so a post is never
 * created twice.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "cli.h"
#include "deliver.h"
#include "diag.h"
#include "exitcode.h"
#include "jpath.h"
#include "keylock.h"
#include "ledger.h"
#include "reckey.h"
#include "referral.h"
#include "stage.h"
#include "vendor.h"

#define SYNOPSIS "post-rogue --vendor NAME|FILE [OPTIONS] [FILE...]"
#define BATCH 50 /* members a lookup asks for */
#define PAGE 100 /* posts a page holds */
#define BUCKETS 1024

static const char default_key[] = "northstar_id,action_id,type";

enum result { R_CREATED, R_UPGRADED, R_UNCHANGED, R_SKIPPED, NRESULTS };
static const char *const result_names[NRESULTS] = {
    "created", "upgraded", "unchanged", "skipped"};

/* A post as Rogue has it, as far as this stage cares. */
struct post {
	long long id;
	char *status, *detail; /* owned; detail NULL without --match-detail */
};

/* What is known of one member's posts for one action and type. */
enum gstate { G_NEW, G_FETCHING, G_KNOWN, G_FAILED };
struct group {
	char nsid[25];
	long long action_id;
	char *type;
	struct hash128 h;
	enum gstate state;
	struct post *posts; /* newest first */
	size_t nposts;
	unsigned refs;      /* jobs that use it */
	char *why;          /* G_FAILED: the reason */
	struct group *next; /* in its bucket */
	struct group *todo; /* in the list of groups to look up */
};

/* One lookup: a GET for up to BATCH members, page by page. */
struct lookup {
	struct http_call call;
	struct run *r;
	struct group *g[BATCH];
	size_t n;
	int page;
};

enum jstate { J_LOOKUP, J_READY, J_WRITE, J_RELOOK, J_DONE };

struct pjob {
	struct group *g;
	struct hash128 key; /* the record's key bytes, hashed: the lock */
	int locked;
	const char *status;
	char *detail;
	enum result result;
	int created_maybe; /* a create's answer was lost */
};

struct opts {
	struct deliver_opts d;
	const char *vendor, *ledger, *key, *match_detail;
};

struct run {
	struct opts *o;
	const char *url;
	struct vendor vendor;
	const struct map *map;
	struct reckey key;
	struct ledger ledger;
	int ledger_error;
	struct keylock locks;
	struct group *buckets[BUCKETS];
	struct group *todo; /* groups to look up, G_NEW */
	struct deliver d;
	unsigned long long results[NRESULTS];
	struct buf kb;
};

/* --- the groups --------------------------------------------------- */

static struct hash128
group_hash(const char *nsid, long long action_id, const char *type)
{
	struct buf b = BUF_INIT;
	struct hash128 h;

	buf_printf(&b, "%s%c%lld%c%s", nsid, 0x1f, action_id, 0x1f, type);
	h = hash128(b.data, b.len);
	buf_release(&b);
	return h;
}

static struct group *
group_ref(
    struct run *r, const char *nsid, long long action_id, const char *type)
{
	struct hash128 h = group_hash(nsid, action_id, type);
	struct group **p = &r->buckets[h.lo % BUCKETS], *g;

	for (g = *p; g; g = g->next) {
		if (hash128_eq(g->h, h)) {
			g->refs++;
			return g;
		}
	}
	g = xcalloc(1, sizeof(*g));
	memcpy(g->nsid, nsid, 24);
	g->action_id = action_id;
	g->type = xstrdup(type);
	g->h = h;
	g->refs = 1;
	g->next = *p;
	*p = g;
	g->todo = r->todo;
	r->todo = g;
	return g;
}

static void
posts_clear(struct group *g)
{
	size_t i;

	for (i = 0; i < g->nposts; i++) {
		free(g->posts[i].status);
		free(g->posts[i].detail);
	}
	free(g->posts);
	g->posts = NULL;
	g->nposts = 0;
}

static void
post_add(struct group *g, long long id, const char *status, const char *detail)
{
	struct post *p;

	g->posts = xrealloc(g->posts, (g->nposts + 1) * sizeof(*g->posts));
	p = &g->posts[g->nposts++];
	p->id = id;
	p->status = xstrdup(status ? status : "");
	p->detail = detail ? xstrdup(detail) : NULL;
}

/* Frees a group nobody uses any more (and no lookup is filling). */
static void
group_unref(struct run *r, struct group *g)
{
	struct group **p;

	if (g == NULL || --g->refs > 0 || g->state == G_FETCHING ||
	    g->state == G_NEW)
		return; /* a lookup or the list of lookups to make holds it */
	for (p = &r->buckets[g->h.lo % BUCKETS]; *p != g; p = &(*p)->next)
		;
	*p = g->next;
	posts_clear(g);
	free(g->type);
	free(g->why);
	free(g);
}

/* --- lookups ------------------------------------------------------ */

static void lookup_done(struct http_call *c);

/* Sets the lookup's URL for its members and page. */
static void
lookup_url(struct run *r, struct lookup *lk)
{
	struct buf *u = &lk->call.url;
	size_t i;

	url_join(u, r->url, "/api/v3/posts");
	buf_printf(u, "?filter%%5Baction_id%%5D=%lld", lk->g[0]->action_id);
	buf_adds(u, "&filter%5Btype%5D=");
	url_escape(u, lk->g[0]->type);
	buf_adds(u, "&filter%5Bnorthstar_id%5D=");
	for (i = 0; i < lk->n; i++)
		buf_printf(u, "%s%s", i ? "," : "", lk->g[i]->nsid);
	buf_printf(u, "&limit=%d&page=%d", PAGE, lk->page);
}

static struct lookup *
lookup_new(struct run *r)
{
	struct lookup *lk = xcalloc(1, sizeof(*lk));

	http_call_init(&lk->call);
	lk->call.auth = 1;
	lk->call.done = lookup_done;
	lk->call.arg = lk;
	lk->r = r;
	lk->page = 1;
	return lk;
}

static void
lookup_free(struct lookup *lk)
{
	http_call_release(&lk->call);
	free(lk);
}

/* The string value of details[key] in a post's details (a JSON text). */
static char *
post_detail(const json_t *post, const char *key)
{
	json_t *d = json_object_get(post, "details"), *parsed = NULL, *v;
	char *out = NULL;

	if (json_is_string(d))
		d = parsed = json_loads(json_string_value(d), 0, NULL);
	v = json_object_get(d, key);
	if (json_is_string(v))
		out = xstrdup(json_string_value(v));
	json_decref(parsed);
	return out;
}

/* Files the posts of one page under the lookup's groups. */
static int
take_page(struct lookup *lk, const json_t *ans)
{
	const char *key = lk->r->o->match_detail, *nsid;
	json_t *data = json_object_get(ans, "data"), *p;
	char *detail;
	size_t i, k;

	if (!json_is_array(data))
		return -1;
	json_array_foreach(data, i, p)
	{
		nsid = json_string_value(json_object_get(p, "northstar_id"));
		if (nsid == NULL || !json_is_integer(json_object_get(p, "id")))
			continue;
		for (k = 0; k < lk->n; k++) {
			if (strcmp(lk->g[k]->nsid, nsid) != 0)
				continue;
			detail = key ? post_detail(p, key) : NULL;
			post_add(lk->g[k],
			    json_integer_value(json_object_get(p, "id")),
			    json_string_value(json_object_get(p, "status")),
			    detail);
			free(detail);
		}
	}
	return 0;
}

/* Whether the answer says there is a page after this one. */
static int
more_pages(const json_t *ans, int page)
{
	json_t *pg =
	    json_object_get(json_object_get(ans, "meta"), "pagination");
	json_t *total = json_object_get(pg, "total_pages");

	if (json_is_integer(total))
		return page < json_integer_value(total);
	return json_array_size(json_object_get(ans, "data")) >= PAGE;
}

/* The lookup ended for good: its groups are known, or failed. */
static void
lookup_end(struct lookup *lk, enum gstate st, const char *why)
{
	struct run *r = lk->r;
	struct group *g;
	size_t i;

	for (i = 0; i < lk->n; i++) {
		g = lk->g[i];
		g->state = st;
		if (why)
			g->why = xstrdup(why);
		g->refs++; /* group_unref frees it when nobody waits */
		group_unref(r, g);
	}
	lookup_free(lk);
}

static void
lookup_done(struct http_call *c)
{
	struct lookup *lk = c->arg;
	struct run *r = lk->r;
	json_t *ans;
	struct buf why = BUF_INIT;

	if (c->result != HTTP_ANSWER && c->result != HTTP_TRANSIENT) {
		deliver_failed(&r->d, c, "Rogue");
		lookup_end(lk, G_FAILED, r->d.stop_why.data);
		return;
	}
	if (c->result == HTTP_TRANSIENT || c->status != 200) {
		buf_printf(&why,
		    "Rogue answered the lookup with HTTP %ld: %.200s",
		    c->status, c->resp.data ? c->resp.data : "");
		lookup_end(lk, G_FAILED, why.data);
		buf_release(&why);
		return;
	}
	ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
	if (take_page(lk, ans) < 0) {
		lookup_end(
		    lk, G_FAILED, "Rogue's lookup answer has no data list");
	} else if (more_pages(ans, lk->page)) {
		lk->page++;
		lookup_url(r, lk);
		c->tries = 0;
		if (r->d.stopped)
			lookup_end(lk, G_FAILED, r->d.stop_why.data);
		else
			http_start(r->d.http, c, 0);
	} else {
		lookup_end(lk, G_KNOWN, NULL);
	}
	json_decref(ans);
	buf_release(&why);
}

/* Starts a lookup of its groups (what was known forgotten first). */
static void
lookup_start(struct run *r, struct lookup *lk, double delay)
{
	size_t i;

	for (i = 0; i < lk->n; i++) {
		lk->g[i]->state = G_FETCHING;
		posts_clear(lk->g[i]);
	}
	lookup_url(r, lk);
	http_start(r->d.http, &lk->call, delay);
}

/*
 * Batches the groups nobody has looked up yet, by action and type. While
 * anything is in flight, a part batch waits for more members (the window
 * refills a record at a time), so lookups go out full: a record waits a
 * little longer, and the service gets one GET for fifty records.
 */
static void
start_lookups(struct run *r)
{
	struct group *g, **p;
	struct lookup *lk;
	size_t n = 0;

	if (r->todo == NULL || r->d.http == NULL)
		return;
	for (g = r->todo; g && n < BATCH; g = g->todo)
		n++;
	if (n < BATCH && !r->d.input_ended && http_pending(r->d.http) > 0)
		return;
	while (r->todo) {
		lk = lookup_new(r);
		for (p = &r->todo; (g = *p) != NULL && lk->n < BATCH;) {
			if (lk->n &&
			    (g->action_id != lk->g[0]->action_id ||
			        strcmp(g->type, lk->g[0]->type) != 0)) {
				p = &g->todo;
				continue;
			}
			*p = g->todo;
			lk->g[lk->n++] = g;
		}
		lookup_start(r, lk, 0);
	}
}

/* --- the records -------------------------------------------------- */

/* Sets _meta.rogue on the record: the result, and the post's id. */
static void
set_result(struct run *r, struct job *j, enum result res, long long post_id)
{
	json_t *v = json_pack("{s:s}", "result", result_names[res]);

	if (post_id > 0)
		json_object_set_new(v, "post_id", json_integer(post_id));
	job_meta(j, "rogue", v);
	r->results[res]++;
}

/* Records in the ledger that the key stands at status in Rogue. */
static void
remember(struct run *r, struct job *j, const char *status, long long post_id)
{
	struct buf err = BUF_INIT;
	const char *missing;
	json_t *key, *extra;

	if (r->o->ledger == NULL)
		return;
	key = reckey_array(&r->key, j->rec, &missing);
	extra = post_id > 0 ? json_pack("{s:I}", "post_id", (json_int_t)post_id)
	                    : NULL;
	if (key && ledger_append(&r->ledger, r->key.fields, key, status, extra,
	               &err) < 0) {
		if (!r->ledger_error++)
			diag(NULL, 0, "%s", err.data);
	}
	json_decref(key);
	json_decref(extra);
	buf_release(&err);
}

/* The job is through: the key is let go and the record written. */
static void
finish(struct run *r, struct job *j, enum result res, long long post_id)
{
	struct pjob *pj = j->priv;

	set_result(r, j, res, post_id);
	if (pj->locked) {
		keylock_drop(&r->locks, pj->key);
		pj->locked = 0;
	}
	j->state = J_DONE;
	job_finish(j);
}

/* The job's call failed for good: delivery stops (job_failed). */
static void
fail(struct run *r, struct job *j)
{
	struct pjob *pj = j->priv;

	if (pj->locked) {
		keylock_drop(&r->locks, pj->key);
		pj->locked = 0;
	}
	j->state = J_DONE;
	job_failed(j, "Rogue");
}

static void reject(struct run *r, struct job *j, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reject(struct run *r, struct job *j, const char *fmt, ...)
{
	struct pjob *pj = j->priv;
	va_list ap;

	if (pj && pj->locked) {
		keylock_drop(&r->locks, pj->key);
		pj->locked = 0;
	}
	j->state = J_DONE;
	va_start(ap, fmt);
	job_vreject(j, fmt, ap);
	va_end(ap);
}

/* The post of the group the record belongs to, or NULL. */
static struct post *
find_post(struct group *g, const struct pjob *pj)
{
	size_t i;

	for (i = 0; i < g->nposts; i++) {
		if (pj->detail == NULL ||
		    (g->posts[i].detail &&
		        strcmp(g->posts[i].detail, pj->detail) == 0))
			return &g->posts[i];
	}
	return NULL;
}

static void write_done(struct http_call *c);

/* The create request's body: the record's fields Rogue takes (new). */
static json_t *
create_body(const json_t *rec)
{
	static const char *const fields[] = {"northstar_id", "action_id",
	    "type", "status", "source", "source_details", "referrer_user_id",
	    "group_id"};
	json_t *body = json_object(), *v;
	char *details;
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		v = json_object_get(rec, fields[i]);
		if (v && !json_is_null(v))
			json_object_set(body, fields[i], v);
	}
	/* Rogue takes details as a string of JSON. */
	v = json_object_get(rec, "details");
	if (json_is_object(v) &&
	    (details = json_dumps(v, JSON_COMPACT)) != NULL) {
		json_object_set_new(body, "details", json_string(details));
		free(details);
	}
	return body;
}

static void
posts_url(struct run *r, struct buf *u, long long id)
{
	url_join(u, r->url, "/api/v3/posts");
	if (id > 0)
		buf_printf(u, "/%lld", id);
}

/* Decides, the key held: create, move the status up, or leave it. */
static void
decide(struct run *r, struct job *j)
{
	struct pjob *pj = j->priv;
	struct post *p = find_post(pj->g, pj);
	struct http_call *c = &j->call;
	json_t *body;

	if (p && !map_upgrades(r->map, p->status, pj->status)) {
		remember(r, j, p->status, p->id);
		/* Found after a create whose answer was lost: it took. */
		finish(r, j,
		    pj->created_maybe && strcmp(p->status, pj->status) == 0
		        ? R_CREATED
		        : R_UNCHANGED,
		    p->id);
		return;
	}
	c->auth = 1;
	c->done = write_done;
	c->arg = j;
	if (p == NULL) {
		posts_url(r, &c->url, 0);
		c->method = "POST";
		c->idempotent = 0;
		body = create_body(j->rec);
		http_set_json(c, body);
		json_decref(body);
		pj->result = R_CREATED;
	} else {
		posts_url(r, &c->url, p->id);
		c->method = "PATCH";
		c->idempotent = 1;
		body = json_pack("{s:s}", "status", pj->status);
		http_set_json(c, body);
		json_decref(body);
		pj->result = R_UPGRADED;
		c->tries = 0;
	}
	j->state = J_WRITE;
	job_call(j, 0);
}

/* A create's answer was lost: look the member's posts up again first. */
static void
relook(struct run *r, struct job *j)
{
	struct pjob *pj = j->priv;
	double delay = http_backoff(r->d.http, &j->call);
	struct lookup *lk;

	if (delay < 0) {
		buf_printf(
		    &j->call.err, " (gave up after %u tries)", j->call.tries);
		j->call.result = HTTP_UNAVAILABLE;
		fail(r, j);
		return;
	}
	pj->created_maybe = 1;
	lk = lookup_new(r);
	lk->g[lk->n++] = pj->g;
	/* The job holds the group; G_FETCHING keeps it until the lookup ends.
	 */
	j->state = J_READY;
	lookup_start(r, lk, delay);
}

static void
write_done(struct http_call *c)
{
	struct job *j = c->arg;
	struct run *r = j->d->ctx;
	struct pjob *pj = j->priv;
	json_t *ans;
	long long id = 0;
	struct post *p, tmp;
	struct buf why = BUF_INIT;

	if (c->result == HTTP_TRANSIENT) {
		relook(r, j);
		return;
	}
	if (c->result != HTTP_ANSWER) {
		fail(r, j);
		return;
	}
	if (c->status != 200 && c->status != 201) {
		answer_refusal(&why, c, "Rogue", "message", "errors");
		reject(r, j, "%s", why.data);
		buf_release(&why);
		return;
	}
	ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
	id = json_integer_value(
	    json_object_get(json_object_get(ans, "data"), "id"));
	json_decref(ans);
	if (pj->result == R_CREATED) {
		post_add(pj->g, id, pj->status, pj->detail);
		/* Newest first: the new post goes to the front. */
		tmp = pj->g->posts[pj->g->nposts - 1];
		memmove(pj->g->posts + 1, pj->g->posts,
		    (pj->g->nposts - 1) * sizeof(*pj->g->posts));
		pj->g->posts[0] = tmp;
	} else if ((p = find_post(pj->g, pj)) != NULL) {
		free(p->status);
		p->status = xstrdup(pj->status);
		id = p->id;
	}
	remember(r, j, pj->status, id);
	finish(r, j, pj->result, id);
}

/*
 * Checks a record and fills pj: NULL, or why it cannot be posted.
 */
static const char *
check_record(struct run *r, struct job *j, struct pjob *pj)
{
	const json_t *rec = j->rec;
	const char *nsid =
	    json_string_value(json_object_get(rec, "northstar_id"));
	json_t *action = json_object_get(rec, "action_id");
	const char *type = json_string_value(json_object_get(rec, "type"));
	const char *missing, *detail;

	if (nsid == NULL)
		return "no northstar_id (run post-northstar first)";
	if (!northstar_id_valid(nsid))
		return "northstar_id is not a Northstar id";
	if (!json_is_integer(action) || json_integer_value(action) <= 0)
		return "no action_id (a positive integer)";
	if (type == NULL || *type == '\0')
		return "no type";
	pj->status = json_string_value(json_object_get(rec, "status"));
	if (pj->status == NULL || *pj->status == '\0')
		return "no status";
	if (r->o->match_detail) {
		detail = json_string_value(json_object_get(
		    json_object_get(rec, "details"), r->o->match_detail));
		if (detail == NULL)
			return "no details value for --match-detail";
		pj->detail = xstrdup(detail);
	}
	if (reckey_build(&r->key, rec, &r->kb, &missing) != 0)
		return "a key field is missing or null";
	pj->key = reckey_hash(&r->kb);
	return NULL;
}

/* Whether the ledger holds the key at the record's rank or higher. */
static int
delivered(struct run *r, const struct pjob *pj)
{
	const char *st;

	if (r->o->ledger == NULL)
		return 0;
	st = ledger_lookup(&r->ledger, r->key.fields, r->kb.data, r->kb.len);
	return st && map_rank(r->map, st) >= map_rank(r->map, pj->status) &&
	       map_rank(r->map, pj->status) > 0;
}

/* --dry-run: the requests the record would need, in place of it. */
static void
dry_run(struct run *r, struct job *j, struct pjob *pj)
{
	struct buf u = BUF_INIT;
	json_t *plan, *reqs = json_array();
	const char *nsid =
	    json_string_value(json_object_get(j->rec, "northstar_id"));

	posts_url(r, &u, 0);
	buf_printf(&u, "?filter%%5Baction_id%%5D=%lld&filter%%5Btype%%5D=",
	    (long long)json_integer_value(
	        json_object_get(j->rec, "action_id")));
	url_escape(&u, json_string_value(json_object_get(j->rec, "type")));
	buf_printf(&u, "&filter%%5Bnorthstar_id%%5D=%s&limit=%d", nsid, PAGE);
	json_array_append_new(
	    reqs, json_pack("{s:s,s:s}", "method", "GET", "url", u.data));
	posts_url(r, &u, 0);
	json_array_append_new(
	    reqs, json_pack("{s:s,s:s,s:o,s:s}", "method", "POST", "url",
	              u.data, "body", create_body(j->rec), "if",
	              "the lookup finds no post (else a PATCH of the status, "
	              "when it ranks higher)"));
	plan = json_pack("{s:s,s:I,s:o}", "file", j->file, "line",
	    (json_int_t)j->line, "requests", reqs);
	json_decref(j->rec);
	j->rec = plan;
	(void)pj;
	buf_release(&u);
	job_finish(j);
}

static void
start(struct deliver *d, struct job *j)
{
	struct run *r = d->ctx;
	struct pjob *pj = xcalloc(1, sizeof(*pj));
	const char *why;

	j->priv = pj;
	if ((why = check_record(r, j, pj)) != NULL) {
		reject(r, j, "%s", why);
		return;
	}
	if (delivered(r, pj)) {
		finish(r, j, R_SKIPPED, 0);
		return;
	}
	if (r->o->d.dry_run) {
		dry_run(r, j, pj);
		return;
	}
	pj->g = group_ref(r,
	    json_string_value(json_object_get(j->rec, "northstar_id")),
	    json_integer_value(json_object_get(j->rec, "action_id")),
	    json_string_value(json_object_get(j->rec, "type")));
	j->state = J_READY;
}

/* Starts lookups, and the records whose posts are known and key free. */
static void
advance(struct deliver *d)
{
	struct run *r = d->ctx;
	struct job *j;
	struct pjob *pj;
	size_t i;

	start_lookups(r);
	for (i = 0; i < d->n; i++) {
		j = deliver_job(d, i);
		pj = j->priv;
		if (j->done || j->state != J_READY)
			continue;
		if (pj->g->state == G_FAILED) {
			reject(r, j, "%s", pj->g->why);
			continue;
		}
		if (pj->g->state != G_KNOWN)
			continue;
		if (!pj->locked) {
			if (keylock_take(&r->locks, pj->key) < 0)
				continue;
			pj->locked = 1;
		}
		decide(r, j);
	}
}

static void
release(struct deliver *d, struct job *j)
{
	struct run *r = d->ctx;
	struct pjob *pj = j->priv;

	if (pj == NULL)
		return;
	if (pj->locked)
		keylock_drop(&r->locks, pj->key);
	group_unref(r, pj->g);
	free(pj->detail);
	free(pj);
	j->priv = NULL;
}

static const struct deliver_ops ops = {start, advance, release};

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Create each canonical record's post in Rogue, or move its status "
	    "up; once.\n\n" STAGE_VENDOR_HELP
	    "                            (required: its \"rank\" orders "
	    "statuses, its\n"
	    "                            \"delivery\" gives --key and "
	    "--match-detail)\n"
	    "  -l, --ledger FILE         skip keys delivered before; append "
	    "what is delivered\n"
	    "  -k, --key F[,F...]        the ledger's key (default "
	    "northstar_id,action_id,type,\n"
	    "                            and details.KEY with --match-detail)\n"
	    "  -d, --match-detail KEY    one post per value of details.KEY "
	    "(else the vendor\n"
	    "                            file's delivery.match_detail)\n" DELIVER_DRY_RUN_HELP
	        DELIVER_OPTIONS_HELP STAGE_OPTIONS_HELP "\n"
	    "Environment: ROGUE_URL, NORTHSTAR_URL, NORTHSTAR_CLIENT_ID, "
	    "NORTHSTAR_CLIENT_SECRET.\n"
	    "Each record goes on with _meta.rogue = {\"result\": created, "
	    "upgraded, unchanged\nor skipped, \"post_id\": N}.\n" DELIVER_EXIT_HELP
	    "\n"
	    "Example:\n"
	    "  post-northstar --vendor turbovote < mapped.ndjson |\n"
	    "      post-rogue --vendor turbovote --ledger "
	    "state/turbovote.ledger \\\n"
	    "      --concurrency 32 --rejects rogue-rejects.ndjson > "
	    "results.ndjson\n");
}

static int
parse_args(int argc, char **argv, struct opts *o, struct stage *st)
{
	static const struct option longopts[] = {
	    STAGE_VENDOR_LONGOPTS,
	    {"ledger", required_argument, NULL, 'l'},
	    {"key", required_argument, NULL, 'k'},
	    {"match-detail", required_argument, NULL, 'd'},
	    DELIVER_LONGOPTS,
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv,
	            ":l:k:d:" STAGE_VENDOR_SHORTOPTS DELIVER_SHORTOPTS
	                STAGE_SHORTOPTS,
	            longopts, NULL)) != -1) {
		switch (ch) {
		case 'v':
		case 'm':
			o->vendor = optarg;
			break;
		case 'l':
			o->ledger = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'd':
			o->match_detail = optarg;
			break;
		case 'h':
			usage();
			return -1;
		default:
			if ((rc = deliver_option(
			         &o->d, ch, optarg, SYNOPSIS)) == 1)
				rc = stage_option(st, ch, optarg, argv);
			if (rc != 0)
				return rc;
		}
	}
	if (o->vendor == NULL)
		return cli_usage_error(
		    SYNOPSIS, "--vendor NAME (or FILE) is required");
	return 0;
}

/*
 * The vendor file (its "delivery" gives what the command line does not),
 * the key, the ledger. Returns 0, or an exit status.
 */
static int
load(struct run *r)
{
	struct buf spec = BUF_INIT, err = BUF_INIT;
	int rc = 0;

	if ((rc = stage_load_vendor(&r->vendor, r->o->vendor)) != 0)
		goto out;
	r->map = &r->vendor.map;
	if (r->o->key == NULL)
		r->o->key = r->vendor.key;
	if (r->o->match_detail == NULL)
		r->o->match_detail = r->vendor.match_detail;
	buf_adds(&spec, r->o->key ? r->o->key : default_key);
	if (r->o->key == NULL && r->o->match_detail)
		buf_printf(&spec, ",details.%s", r->o->match_detail);
	if (reckey_parse(&r->key, spec.data) < 0) {
		rc = cli_usage_error(SYNOPSIS, "bad key '%s'", spec.data);
		goto out;
	}
	if (r->o->ledger && (rc = ledger_open(&r->ledger, r->o->ledger,
	                         !r->o->d.dry_run, &err)) < 0) {
		diag(NULL, 0, "%s", err.data);
		rc = ledger_exitcode(rc);
	}
out:
	buf_release(&spec);
	buf_release(&err);
	return rc;
}

static void
run_release(struct run *r)
{
	struct group *g, *next;
	size_t b;

	for (b = 0; b < BUCKETS; b++) {
		for (g = r->buckets[b]; g; g = next) {
			next = g->next;
			posts_clear(g);
			free(g->type);
			free(g->why);
			free(g);
		}
	}
	vendor_release(&r->vendor);
	reckey_release(&r->key);
	ledger_close(&r->ledger);
	keylock_release(&r->locks);
	buf_release(&r->kb);
}

/* Ends the run: the ledger made durable, the results told. */
static int
wrap_up(struct run *r, int rc)
{
	struct buf err = BUF_INIT;

	if (r->o->ledger && !r->o->d.dry_run &&
	    ledger_sync(&r->ledger, &err) < 0) {
		diag(NULL, 0, "%s", err.data);
		rc = exit_worst(rc, EXIT_IOERR);
	}
	if (r->ledger_error)
		rc = exit_worst(rc, EXIT_IOERR);
	diag(NULL, 0, "created=%llu upgraded=%llu unchanged=%llu skipped=%llu",
	    r->results[R_CREATED], r->results[R_UPGRADED],
	    r->results[R_UNCHANGED], r->results[R_SKIPPED]);
	buf_release(&err);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	struct run r;
	struct stage st;
	struct oauth oauth;
	int rc, have_oauth = 0;

	memset(&r, 0, sizeof(r));
	memset(&oauth, 0, sizeof(oauth));
	r.o = &o;
	r.ledger.fd = -1;
	deliver_opts_init(&o.d);
	stage_init(&st, "post-rogue", SYNOPSIS);
	if ((rc = parse_args(argc, argv, &o, &st)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	buf_init(&r.kb, BUF_UNLIMITED);
	keylock_init(&r.locks);
	deliver_init(&r.d, &st, &ops, &r,
	    o.d.http.concurrency * 16 < 256 ? 256 : o.d.http.concurrency * 16);
	if ((rc = load(&r)) != 0 ||
	    (rc = deliver_configure(&o.d, "ROGUE_URL", &r.url, &oauth)) != 0)
		goto out;
	have_oauth = !o.d.dry_run;
	if (!o.d.dry_run &&
	    (rc = deliver_connect(&r.d, &o.d.http, &oauth)) != 0)
		goto out;
	if ((rc = stage_start(&st)) != 0)
		goto out;
	progress_init(&st.prog, "records");
	rc = deliver_run(&r.d, argc - optind, argv + optind);
	rc = wrap_up(&r, rc);
	rc = stage_finish(&st, rc);
	deliver_release(&r.d);
	run_release(&r);
	oauth_release(&oauth);
	return rc;
out:
	deliver_release(&r.d);
	run_release(&r);
	if (have_oauth)
		oauth_release(&oauth);
	return rc;
}
