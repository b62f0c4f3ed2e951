/*
 * actioncache: actions found by a filter, once per value a run. See
 * actioncache.h.
 */
#include <stdlib.h>
#include <string.h>

#include "actioncache.h"
#include "hash128.h"
#include "jpath.h"
#include "url.h"

void
actioncache_init(struct actioncache *ac, const struct actioncache_names *names,
    const json_t *filters, struct deliver *d)
{
	memset(ac, 0, sizeof(*ac));
	ac->names = names;
	ac->filters = filters;
	ac->d = d;
}

void
actioncache_release(struct actioncache *ac)
{
	struct actioncache_entry *e, *next;
	size_t b;

	for (b = 0; b < ACTIONCACHE_BUCKETS; b++) {
		for (e = ac->buckets[b]; e; e = next) {
			next = e->next;
			http_call_release(&e->call);
			free(e->query);
			free(e->what);
			free(e->why);
			free(e);
		}
		ac->buckets[b] = NULL;
	}
	ac->todo = NULL;
}

/* Appends a value (a string or an integer) to u, escaped or as it is. */
static void
add_value(struct buf *u, const json_t *v, int escape)
{
	if (json_is_integer(v))
		buf_printf(u, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (escape)
		url_escape(u, json_string_value(v));
	else
		buf_adds(u, json_string_value(v));
}

int
actioncache_query(const struct actioncache *ac, const json_t *rec,
    struct buf *query, struct buf *what)
{
	const char *name;
	json_t *spec, *v;
	int first = 1;

	json_object_foreach((json_t *)ac->filters, name, spec)
	{
		v = json_is_string(spec)
		        ? jpath_get(rec, json_string_value(spec))
		        : json_object_get(spec, "const");
		if (!json_is_string(v) && !json_is_integer(v)) {
			buf_reset(what);
			buf_adds(what, json_string_value(spec));
			return -1;
		}
		if (!first) {
			buf_addc(query, '&');
			buf_adds(what, ", ");
		}
		first = 0;
		buf_adds(query, "filter%5B");
		url_escape(query, name);
		buf_adds(query, "%5D=");
		add_value(query, v, 1);
		buf_printf(what, "%s ", name);
		add_value(what, v, 0);
	}
	return 0;
}

struct actioncache_entry *
actioncache_ref(struct actioncache *ac, const char *query, const char *what)
{
	struct hash128 h = hash128(query, strlen(query));
	struct actioncache_entry **p = &ac->buckets[h.lo % ACTIONCACHE_BUCKETS];
	struct actioncache_entry *e;

	for (e = *p; e; e = e->next) {
		if (strcmp(e->query, query) == 0)
			return e;
	}
	e = xcalloc(1, sizeof(*e));
	e->query = xstrdup(query);
	e->what = xstrdup(what);
	e->ac = ac;
	http_call_init(&e->call);
	e->next = *p;
	*p = e;
	e->todo = ac->todo;
	ac->todo = e;
	return e;
}

void
actioncache_url(const struct actioncache *ac, struct buf *u, const char *query)
{
	url_join(u, ac->url, ac->names->path);
	buf_addc(u, '?');
	buf_adds(u, query);
}

static void
fail(struct actioncache_entry *e, const char *why)
{
	e->state = ACTIONCACHE_FAILED;
	free(e->why);
	e->why = xstrdup(why);
}

int
actioncache_take(struct actioncache_entry *e, const json_t *ans)
{
	const char *service = e->ac->names->service;
	json_t *data = json_object_get(ans, "data"), *id;
	struct buf why = BUF_INIT;

	if (!json_is_array(data)) {
		buf_printf(
		    &why, "%s's actions answer has no data list", service);
		goto bad;
	}
	if (json_array_size(data) == 0) {
		e->state = ACTIONCACHE_NONE;
		return 0;
	}
	id = json_object_get(json_array_get(data, 0), e->ac->names->id);
	if (!json_is_integer(id) || json_integer_value(id) <= 0) {
		buf_printf(&why, "%s's action for %s has no %s", service,
		    e->what, e->ac->names->id);
		goto bad;
	}
	e->id = json_integer_value(id);
	e->state = ACTIONCACHE_FOUND;
	return 0;
bad:
	fail(e, why.data);
	buf_release(&why);
	return -1;
}

static void
lookup_done(struct http_call *c)
{
	struct actioncache_entry *e = c->arg;
	struct deliver *d = e->ac->d;
	struct buf why = BUF_INIT;
	json_t *ans;

	if (c->result != HTTP_ANSWER && c->result != HTTP_TRANSIENT) {
		deliver_failed(d, c, e->ac->names->service);
		fail(e, d->stop_why.data);
	} else if (c->result == HTTP_TRANSIENT || c->status != 200) {
		buf_printf(&why,
		    "%s answered the action lookup with HTTP %ld: %.200s",
		    e->ac->names->service, c->status,
		    c->resp.data ? c->resp.data : "");
		fail(e, why.data);
	} else {
		ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
		actioncache_take(e, ans);
		json_decref(ans);
	}
	buf_release(&why);
	http_call_release(&e->call);
	http_call_init(&e->call);
}

void
actioncache_lookups(struct actioncache *ac)
{
	struct actioncache_entry *e;

	if (ac->d == NULL || ac->d->http == NULL)
		return;
	while ((e = ac->todo) != NULL) {
		ac->todo = e->todo;
		e->todo = NULL;
		if (ac->d->stopped) {
			fail(e, ac->d->stop_why.data);
			continue;
		}
		e->state = ACTIONCACHE_FETCHING;
		e->call.method = "GET";
		e->call.auth = 1;
		e->call.done = lookup_done;
		e->call.arg = e;
		actioncache_url(ac, &e->call.url, e->query);
		ac->lookups++;
		http_start(ac->d->http, &e->call, 0);
	}
}
