/*
 * postcache: members' posts in a service, looked up in batches and kept
 * while records use them. See postcache.h.
 */
#include <stdlib.h>
#include <string.h>

#include "postcache.h"
#include "url.h"

/* One lookup: a GET for up to POSTCACHE_BATCH members, page by page. */
struct lookup {
	struct http_call call;
	struct postcache *pc;
	struct postcache_group *g[POSTCACHE_BATCH];
	size_t n;
	int page;
};

void
postcache_init(struct postcache *pc, const struct postcache_names *names,
    struct deliver *d)
{
	memset(pc, 0, sizeof(*pc));
	pc->names = names;
	pc->d = d;
}

/* --- the groups --------------------------------------------------- */

static struct hash128
group_hash(const char *member, const char *scope)
{
	struct buf b = BUF_INIT;
	struct hash128 h;

	buf_printf(&b, "%s%c%s", member, 0x1f, scope);
	h = hash128(b.data, b.len);
	buf_release(&b);
	return h;
}

struct postcache_group *
postcache_ref(struct postcache *pc, const char *member, const char *scope)
{
	struct hash128 h = group_hash(member, scope);
	struct postcache_group **p = &pc->buckets[h.lo % POSTCACHE_BUCKETS], *g;

	for (g = *p; g; g = g->next) {
		if (hash128_eq(g->h, h)) {
			g->refs++;
			return g;
		}
	}
	g = xcalloc(1, sizeof(*g));
	g->member = xstrdup(member);
	g->scope = xstrdup(scope);
	g->h = h;
	g->refs = 1;
	g->next = *p;
	*p = g;
	g->todo = pc->todo;
	pc->todo = g;
	return g;
}

static void
posts_clear(struct postcache_group *g)
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
post_add(struct postcache_group *g, long long id, const char *status,
    const char *detail)
{
	struct postcache_post *p;

	g->posts = xrealloc(g->posts, (g->nposts + 1) * sizeof(*g->posts));
	p = &g->posts[g->nposts++];
	p->id = id;
	p->status = xstrdup(status ? status : "");
	p->detail = detail ? xstrdup(detail) : NULL;
}

static void
group_free(struct postcache_group *g)
{
	posts_clear(g);
	free(g->member);
	free(g->scope);
	free(g->why);
	free(g);
}

void
postcache_unref(struct postcache *pc, struct postcache_group *g)
{
	struct postcache_group **p;

	if (g == NULL || --g->refs > 0 || g->lookups > 0 ||
	    g->state == POSTCACHE_NEW)
		return; /* a lookup or the to-do list holds it */
	p = &pc->buckets[g->h.lo % POSTCACHE_BUCKETS];
	while (*p != g)
		p = &(*p)->next;
	*p = g->next;
	group_free(g);
}

void
postcache_release(struct postcache *pc)
{
	struct postcache_group *g, *next;
	size_t b;

	for (b = 0; b < POSTCACHE_BUCKETS; b++) {
		for (g = pc->buckets[b]; g; g = next) {
			next = g->next;
			group_free(g);
		}
		pc->buckets[b] = NULL;
	}
	pc->todo = NULL;
}

size_t
postcache_batch(struct postcache *pc, struct postcache_group **g)
{
	struct postcache_group **p, *t;
	size_t n = 0;

	for (p = &pc->todo; (t = *p) != NULL && n < POSTCACHE_BATCH;) {
		if (n && strcmp(t->scope, g[0]->scope) != 0) {
			p = &t->todo;
			continue;
		}
		*p = t->todo;
		t->todo = NULL;
		g[n++] = t;
	}
	return n;
}

void
postcache_forget(struct postcache_group *const *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		g[i]->state = POSTCACHE_FETCHING;
		g[i]->lookups++;
		posts_clear(g[i]);
	}
}

void
postcache_settle(struct postcache *pc, struct postcache_group *const *g,
    size_t n, enum postcache_state state, const char *why)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (g[i]->lookups > 0)
			g[i]->lookups--;
		/* Another lookup of it still on the wire (two records of the
		 * member's posts looked up again): known when it ends too. */
		if (state == POSTCACHE_FAILED || g[i]->lookups == 0)
			g[i]->state = state;
		if (why && g[i]->why == NULL)
			g[i]->why = xstrdup(why);
		g[i]->refs++; /* postcache_unref frees it when nobody waits */
		postcache_unref(pc, g[i]);
	}
}

/* --- what the service is asked and answers ------------------------ */

/* Appends filter%5Bfield%5D= to u. */
static void
filter(struct buf *u, const char *field)
{
	buf_adds(u, "filter%5B");
	url_escape(u, field);
	buf_adds(u, "%5D=");
}

int
postcache_scope(
    const struct postcache *pc, const json_t *rec, struct buf *scope)
{
	const char *const *f;
	json_t *v;

	for (f = pc->names->scope; *f; f++) {
		v = json_object_get(rec, *f);
		if (!json_is_string(v) && !json_is_integer(v))
			return -1;
		if (f != pc->names->scope)
			buf_addc(scope, '&');
		filter(scope, *f);
		if (json_is_integer(v))
			buf_printf(scope, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		else
			url_escape(scope, json_string_value(v));
	}
	return 0;
}

void
postcache_url(const struct postcache *pc, struct buf *u, const char *scope,
    const char *const *members, size_t n, int page)
{
	size_t i;

	url_join(u, pc->url, pc->names->path);
	buf_addc(u, '?');
	if (*scope) {
		buf_adds(u, scope);
		buf_addc(u, '&');
	}
	filter(u, pc->names->member);
	for (i = 0; i < n; i++) {
		if (i)
			buf_addc(u, ',');
		url_escape(u, members[i]);
	}
	buf_printf(u, "&limit=%d", POSTCACHE_PAGE);
	if (page > 0)
		buf_printf(u, "&page=%d", page);
}

char *
postcache_detail(const struct postcache *pc, const json_t *details)
{
	json_t *d = (json_t *)details, *parsed = NULL, *v, *all;
	const char *k = pc->detail_key, *comma;
	struct buf key = BUF_INIT;
	char *out = NULL;

	if (k == NULL)
		return NULL;
	if (json_is_string(d))
		d = parsed = json_loads(json_string_value(d), 0, NULL);
	all = json_array();
	for (;; k = comma + 1) {
		comma = strchr(k, ',');
		buf_reset(&key);
		buf_add(&key, k, comma ? (size_t)(comma - k) : strlen(k));
		v = json_object_get(d, key.data);
		if (!json_is_string(v))
			goto out;
		json_array_append(all, v);
		if (comma == NULL)
			break;
	}
	/* One key: its value, as it is; several: their values as JSON. */
	out = json_array_size(all) == 1
	          ? xstrdup(json_string_value(json_array_get(all, 0)))
	          : json_dumps(all, JSON_COMPACT);
out:
	json_decref(all);
	json_decref(parsed);
	buf_release(&key);
	return out;
}

int
postcache_take_page(struct postcache *pc, struct postcache_group *const *g,
    size_t n, const json_t *ans)
{
	const struct postcache_names *nm = pc->names;
	json_t *data = json_object_get(ans, "data"), *p, *id;
	const char *member;
	char *detail;
	size_t i, k;

	if (!json_is_array(data))
		return -1;
	json_array_foreach(data, i, p)
	{
		member = json_string_value(json_object_get(p, nm->member));
		id = json_object_get(p, nm->id);
		if (member == NULL || !json_is_integer(id))
			continue;
		for (k = 0; k < n; k++) {
			if (strcmp(g[k]->member, member) != 0)
				continue;
			detail = postcache_detail(
			    pc, json_object_get(p, nm->details));
			post_add(g[k], json_integer_value(id),
			    json_string_value(json_object_get(p, nm->status)),
			    detail);
			free(detail);
		}
	}
	return 0;
}

int
postcache_more_pages(const json_t *ans, int page)
{
	json_t *pg =
	    json_object_get(json_object_get(ans, "meta"), "pagination");
	json_t *total = json_object_get(pg, "total_pages");

	if (json_is_integer(total))
		return page < json_integer_value(total);
	return json_array_size(json_object_get(ans, "data")) >= POSTCACHE_PAGE;
}

/* --- lookups ------------------------------------------------------ */

static void lookup_done(struct http_call *c);

/* Sets the lookup's URL for its members and page. */
static void
lookup_url(struct lookup *lk)
{
	const char *members[POSTCACHE_BATCH];
	size_t i;

	for (i = 0; i < lk->n; i++)
		members[i] = lk->g[i]->member;
	postcache_url(
	    lk->pc, &lk->call.url, lk->g[0]->scope, members, lk->n, lk->page);
}

static struct lookup *
lookup_new(struct postcache *pc)
{
	struct lookup *lk = xcalloc(1, sizeof(*lk));

	http_call_init(&lk->call);
	lk->call.auth = 1;
	lk->call.done = lookup_done;
	lk->call.arg = lk;
	lk->pc = pc;
	lk->page = 1;
	return lk;
}

/* The lookup ended for good: its groups are known, or failed. */
static void
lookup_end(struct lookup *lk, enum postcache_state state, const char *why)
{
	postcache_settle(lk->pc, lk->g, lk->n, state, why);
	http_call_release(&lk->call);
	free(lk);
}

/* Why a lookup failed when the service answered, but not with a page. */
static void
lookup_refused(struct lookup *lk, const struct http_call *c)
{
	struct buf why = BUF_INIT;
	const char *service = lk->pc->names->service;

	if (c->result == HTTP_TRANSIENT || c->status != 200)
		buf_printf(&why, "%s answered the lookup with HTTP %ld: %.200s",
		    service, c->status, c->resp.data ? c->resp.data : "");
	else
		buf_printf(
		    &why, "%s's lookup answer has no data list", service);
	lookup_end(lk, POSTCACHE_FAILED, why.data);
	buf_release(&why);
}

static void
lookup_done(struct http_call *c)
{
	struct lookup *lk = c->arg;
	struct deliver *d = lk->pc->d;
	json_t *ans;

	if (c->result != HTTP_ANSWER && c->result != HTTP_TRANSIENT) {
		deliver_failed(d, c, lk->pc->names->service);
		lookup_end(lk, POSTCACHE_FAILED, d->stop_why.data);
		return;
	}
	if (c->result == HTTP_TRANSIENT || c->status != 200) {
		lookup_refused(lk, c);
		return;
	}
	ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
	if (postcache_take_page(lk->pc, lk->g, lk->n, ans) < 0) {
		lookup_refused(lk, c);
	} else if (postcache_more_pages(ans, lk->page)) {
		lk->page++;
		lookup_url(lk);
		c->tries = 0;
		if (d->stopped)
			lookup_end(lk, POSTCACHE_FAILED, d->stop_why.data);
		else
			http_start(d->http, c, 0);
	} else {
		lookup_end(lk, POSTCACHE_KNOWN, NULL);
	}
	json_decref(ans);
}

/* Starts a lookup of its groups (what was known forgotten first). */
static void
lookup_start(struct lookup *lk, double delay)
{
	postcache_forget(lk->g, lk->n);
	lookup_url(lk);
	http_start(lk->pc->d->http, &lk->call, delay);
}

void
postcache_lookups(struct postcache *pc)
{
	struct postcache_group *g;
	struct lookup *lk;
	size_t n = 0;

	if (pc->todo == NULL || pc->d->http == NULL)
		return;
	for (g = pc->todo; g && n < POSTCACHE_BATCH; g = g->todo)
		n++;
	if (n < POSTCACHE_BATCH && !pc->d->input_ended &&
	    http_pending(pc->d->http) > 0)
		return;
	while (pc->todo) {
		lk = lookup_new(pc);
		lk->n = postcache_batch(pc, lk->g);
		lookup_start(lk, 0);
	}
}

int
postcache_relook(
    struct postcache *pc, struct postcache_group *g, struct http_call *c)
{
	double delay = http_backoff(pc->d->http, c);
	struct lookup *lk;

	if (delay < 0) {
		buf_printf(&c->err, " (gave up after %u tries)", c->tries);
		c->result = HTTP_UNAVAILABLE;
		return -1;
	}
	lk = lookup_new(pc);
	/* A job holds the group; FETCHING keeps it until the lookup ends. */
	lk->g[lk->n++] = g;
	lookup_start(lk, delay);
	return 0;
}

/* --- the stage's own writes --------------------------------------- */

struct postcache_post *
postcache_find(const struct postcache_group *g, const char *detail)
{
	size_t i;

	for (i = 0; i < g->nposts; i++) {
		if (detail == NULL ||
		    (g->posts[i].detail &&
		        strcmp(g->posts[i].detail, detail) == 0))
			return &g->posts[i];
	}
	return NULL;
}

/* The collection's URL, or with id > 0 the post's. */
static void
posts_url(const struct postcache *pc, struct buf *u, long long id)
{
	url_join(u, pc->url, pc->names->path);
	if (id > 0)
		buf_printf(u, "/%lld", id);
}

void
postcache_create_call(
    const struct postcache *pc, struct http_call *c, const json_t *body)
{
	c->auth = 1;
	posts_url(pc, &c->url, 0);
	c->method = "POST";
	c->idempotent = 0;
	http_set_json(c, body);
}

void
postcache_status_call(const struct postcache *pc, struct http_call *c,
    const struct postcache_post *p, const char *status)
{
	json_t *body = json_pack("{s:s}", pc->names->status, status);

	c->auth = 1;
	posts_url(pc, &c->url, p->id);
	c->method = "PATCH";
	c->idempotent = 1;
	http_set_json(c, body);
	json_decref(body);
	/*
	 * The client retries an idempotent call itself: it gets the whole
	 * budget, whatever the tries of a create made before on this call.
	 */
	c->tries = 0;
}

/* Files a create: the new post goes first, being the newest. */
static void
created(struct postcache_group *g, long long id, const char *status,
    const char *detail)
{
	struct postcache_post tmp;

	post_add(g, id, status, detail);
	tmp = g->posts[g->nposts - 1];
	memmove(g->posts + 1, g->posts, (g->nposts - 1) * sizeof(*g->posts));
	g->posts[0] = tmp;
}

long long
postcache_written(const struct postcache *pc, struct postcache_group *g,
    const struct http_call *c, int create, const char *status,
    const char *detail)
{
	json_t *ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
	long long id = json_integer_value(
	    json_object_get(json_object_get(ans, "data"), pc->names->id));
	struct postcache_post *p;

	json_decref(ans);
	if (create) {
		created(g, id, status, detail);
	} else if ((p = postcache_find(g, detail)) != NULL) {
		free(p->status);
		p->status = xstrdup(status);
		id = p->id;
	}
	return id;
}
