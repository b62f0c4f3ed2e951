/* A receiver route's events checked against the dictionary; hookevent.h. */
#include <stdlib.h>
#include <string.h>

#include "hookevent.h"

#ifndef SLUICE_VENDORS_DIR
#define SLUICE_VENDORS_DIR "vendors"
#endif

/* A relative path taken from the checkout: the vendors' folder's parent. */
static char *
resolve(const char *path)
{
	const char *dir = SLUICE_VENDORS_DIR, *slash = strrchr(dir, '/');
	struct buf b = BUF_INIT;

	if (path[0] == '/' || slash == NULL)
		return xstrdup(path);
	buf_printf(&b, "%.*s/%s", (int)(slash - dir), dir, path);
	return b.data;
}

static int
bad(struct buf *err, const char *key, const char *what)
{
	buf_printf(err, "receive.%s: %s", key, what);
	return -1;
}

/* The route's event names: strings, each an event of the dictionary. */
static int
load_events(struct hookevent *e, const json_t *list, struct buf *err)
{
	const json_t *known =
	    json_object_get(dictionary_json(e->dict), "events");
	const json_t *v;
	size_t i;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return bad(err, "events", "must be a list of event names");
	e->events = xcalloc(json_array_size(list), sizeof(*e->events));
	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v))
			return bad(
			    err, "events", "must be a list of event names");
		if (json_object_get(known, json_string_value(v)) == NULL) {
			buf_printf(err,
			    "receive.events: \"%s\" is not an event of %s",
			    json_string_value(v), e->path);
			return -1;
		}
		e->events[e->nevents++] = json_string_value(v);
	}
	return 0;
}

int
hookevent_load(struct hookevent *e, const json_t *recv, const char *dictionary,
    struct buf *err)
{
	const json_t *d = json_object_get(recv, "dictionary");
	const json_t *list = json_object_get(recv, "events");
	struct buf why = BUF_INIT;

	memset(e, 0, sizeof(*e));
	e->defaults = json_object_get(recv, "defaults");
	if (d == NULL)
		return list || e->defaults
		           ? bad(err, list ? "events" : "defaults",
		                 "only with a \"dictionary\"")
		           : 0;
	if (!json_is_string(d) || json_string_length(d) == 0)
		return bad(err, "dictionary", "must be a file's path");
	if (e->defaults && !json_is_object(e->defaults))
		return bad(err, "defaults", "must be an object of values");
	e->path =
	    dictionary ? xstrdup(dictionary) : resolve(json_string_value(d));
	if ((e->dict = dictionary_load(e->path, &why)) == NULL) {
		buf_printf(err, "%s", why.data);
		buf_release(&why);
		return -1;
	}
	if (list && load_events(e, list, err) < 0)
		return -1;
	return 0;
}

void
hookevent_release(struct hookevent *e)
{
	dictionary_free(e->dict);
	free(e->events);
	free(e->path);
	memset(e, 0, sizeof(*e));
}

/* The defaults a record lacks (absent or null), filled in. */
static void
fill(const struct hookevent *e, json_t *rec)
{
	const char *key;
	json_t *v, *have;

	json_object_foreach((json_t *)e->defaults, key, v)
	{
		have = json_object_get(rec, key);
		if (have == NULL || json_is_null(have))
			json_object_set(rec, key, v);
	}
}

/* 1 when the route takes the record's event name (or takes any). */
static int
taken(const struct hookevent *e, const json_t *rec)
{
	const char *name = json_string_value(json_object_get(rec, "event"));
	size_t i;

	if (e->nevents == 0)
		return 1;
	for (i = 0; name && i < e->nevents; i++) {
		if (strcmp(e->events[i], name) == 0)
			return 1;
	}
	return 0;
}

/* The violation of a name the route does not take. */
static json_t *
not_taken(const struct hookevent *e, const json_t *rec)
{
	const json_t *ev = json_object_get(rec, "event");
	struct buf msg = BUF_INIT;
	json_t *v;
	size_t i;

	if (json_is_string(ev))
		buf_printf(&msg, "\"%s\" is not an event this route takes:",
		    json_string_value(ev));
	else
		buf_adds(&msg, "no event name: this route takes");
	for (i = 0; i < e->nevents; i++)
		buf_printf(&msg, "%s %s", i ? "," : "", e->events[i]);
	v = json_pack("{s:O?,s:s,s:s,s:s,s:s}", "event", ev, "field", "event",
	    "rule", "events", "action", "block", "message", msg.data);
	buf_release(&msg);
	return v;
}

int
hookevent_check(const struct hookevent *e, json_t *rec, json_t **violations,
    json_t **answer)
{
	json_t *found = json_array();
	int blocked;

	*violations = *answer = NULL;
	if (e->defaults)
		fill(e, rec);
	if (!taken(e, rec)) {
		json_array_append_new(found, not_taken(e, rec));
		blocked = 1;
	} else {
		blocked = dictionary_check(e->dict, rec, found, 1);
	}
	if (blocked) {
		*answer = json_pack("{s:o}", "violations", found);
		return 422;
	}
	if (json_array_size(found) > 0)
		*violations = found;
	else
		json_decref(found);
	return 0;
}
