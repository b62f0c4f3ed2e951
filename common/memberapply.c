/* A member's update sets and actions as requests; see memberapply.h. */
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "memberapply.h"
#include "url.h"

enum { W_NONE, W_OWNER, W_PUT, W_ACTION };

int
memberapply_open(struct memberapply *a, const struct memberrules *mr,
    const struct map *map, const char *once_path, struct buf *err)
{
	size_t i;
	int rc;

	memset(a, 0, sizeof(*a));
	a->mr = mr;
	a->map = map;
	a->once = xcalloc(mr->nsets + 1, sizeof(*a->once));
	for (i = 0; i < mr->nsets; i++)
		keyledger_init(&a->once[i]);
	a->once_open = once_path != NULL;
	for (i = 0; i < mr->nsets && once_path; i++) {
		if (mr->sets[i].once == NULL)
			continue;
		keyledger_key(&a->once[i], mr->sets[i].once);
		if ((rc = keyledger_open(&a->once[i], once_path, 1, err)) < 0)
			return rc;
	}
	return 0;
}

int
memberapply_close(struct memberapply *a, struct buf *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; a->once && i < a->mr->nsets; i++) {
		if (rc == 0 && keyledger_sync(&a->once[i], err) < 0)
			rc = -1;
		keyledger_close(&a->once[i]);
	}
	free(a->once);
	a->once = NULL;
	return rc;
}

void
memberwork_init(struct memberwork *w)
{
	memset(w, 0, sizeof(*w));
	w->sets = json_object();
	w->actions = json_array();
}

void
memberwork_release(struct memberwork *w)
{
	free(w->target);
	json_decref(w->change);
	json_decref(w->sets);
	json_decref(w->actions);
	json_decref(w->muted);
	memset(w, 0, sizeof(*w));
}

/* The request on c: method, url + path + escaped arg, body (stolen). */
static void
request(struct http_call *c, const char *url, const char *method,
    const char *path, const char *arg, const char *tail, json_t *body)
{
	url_join(&c->url, url, path);
	if (arg)
		url_escape(&c->url, arg);
	if (tail)
		buf_adds(&c->url, tail);
	c->method = method;
	c->idempotent = strcmp(method, "POST") != 0;
	buf_reset(&c->body);
	if (body) {
		http_set_json(c, body);
		json_decref(body);
	}
}

/* Set i's once key: 1 applied before, 0 not, -1 no key (skip the set);
 * with mark, remembered as applied. */
static int
once(struct memberapply *a, size_t i, json_t *rec, int mark, struct buf *warn)
{
	const char *st;

	if (a->mr->sets[i].once == NULL || !a->once_open)
		return 0;
	if (mark) {
		keyledger_append(&a->once[i], rec, "applied", NULL, warn);
		return 0;
	}
	if (keyledger_lookup(&a->once[i], rec, &st) < 0)
		return -1;
	return st != NULL;
}

/* Whether set s applies to rec, whose valid mobile is mobile (or NULL):
 * its "when" holds, and a mobile-owner set has the row's mobile. */
static int
applies(const struct mr_set *s, const json_t *rec, const char *mobile)
{
	return memberrules_holds(s->when, rec) &&
	       !(s->mobile_owner && mobile == NULL);
}

int
memberapply_fresh(struct memberapply *a, const json_t *rec, const char *id,
    const char *mobile)
{
	const struct mr_set *s;
	json_t *r = NULL;
	size_t i;
	int fresh = 0;

	for (i = 0; i < a->mr->nsets && !fresh; i++) {
		s = &a->mr->sets[i];
		if (s->once == NULL || !applies(s, rec, mobile))
			continue;
		if (r == NULL) {
			/* The key may name the member: the remembered id. */
			r = json_copy((json_t *)rec);
			json_object_set_new(r, "northstar_id", json_string(id));
		}
		fresh = once(a, i, r, 0, NULL) == 0;
	}
	json_decref(r);
	return fresh;
}

/* The set in hand is through: said in _meta, remembered once. */
static void
set_done(struct memberapply *a, struct memberwork *w, json_t *rec, json_t *note,
    struct buf *warn)
{
	json_object_set_new(w->sets, a->mr->sets[w->set - 1].name, note);
	once(a, w->set - 1, rec, 1, warn);
}

/* The change of the set in hand for member m (the row's mobile added). */
static void
change_for(struct memberapply *a, struct memberwork *w,
    const struct memberwho *who, const json_t *rec, const json_t *m,
    int give_mobile)
{
	const char *id = json_string_value(json_object_get(m, "id"));

	free(w->target);
	w->target = xstrdup(id ? id : who->id);
	json_decref(w->change);
	w->change =
	    memberrules_change(&a->mr->sets[w->set - 1], a->map, rec, m);
	if (give_mobile)
		json_object_set_new(
		    w->change, "mobile", json_string(who->mobile));
}

/* The PUT of the change in hand: 1 set up, 0 no change (the set done). */
static int
put_change(struct memberapply *a, struct memberwork *w, json_t *rec,
    struct http_call *c, const char *url, struct buf *warn)
{
	if (json_object_size(w->change) == 0) {
		set_done(a, w, rec, json_string("no change"), warn);
		return 0;
	}
	w->step = W_PUT;
	request(c, url, "PUT", "/v2/users/", w->target, NULL,
	    json_incref(w->change));
	return 1;
}

/* The next set that applies; 1 when a request is set up. */
static int
next_set(struct memberapply *a, struct memberwork *w, struct memberwho *who,
    json_t *rec, struct http_call *c, const char *url, struct buf *warn)
{
	const struct mr_set *s;
	const char *mob;
	int rc;

	while (w->set < a->mr->nsets) {
		s = &a->mr->sets[w->set++];
		if (!applies(s, rec, who->mobile))
			continue;
		if (who->created) {
			once(a, w->set - 1, rec, 1, warn);
			continue;
		}
		if ((rc = once(a, w->set - 1, rec, 0, warn)) != 0) {
			if (rc > 0)
				json_object_set_new(w->sets, s->name,
				    json_string("applied before"));
			continue;
		}
		mob = json_string_value(json_object_get(who->member, "mobile"));
		if (s->mobile_owner && (mob == NULL || *mob == '\0')) {
			w->step = W_OWNER;
			request(c, url, "GET", "/v2/mobile/", who->mobile, NULL,
			    NULL);
			return 1;
		}
		change_for(a, w, who, rec, who->member, 0);
		if (put_change(a, w, rec, c, url, warn))
			return 1;
	}
	return 0;
}

/* Whether list (of strings) holds s. */
static int
listed(const json_t *list, const char *s)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++)
		if (strcmp(json_string_value(json_array_get(list, i)), s) == 0)
			return 1;
	return 0;
}

int
memberwork_next(struct memberapply *a, struct memberwork *w,
    struct memberwho *who, json_t *rec, struct http_call *c, const char *url,
    struct buf *warn)
{
	const struct mr_action *act;
	const char *type = NULL;
	struct buf name = BUF_INIT;

	w->step = W_NONE;
	/* A once key may name the member: the id just found or made. */
	json_object_set_new(rec, "northstar_id", json_string(who->id));
	if (next_set(a, w, who, rec, c, url, warn))
		return 1;
	while (w->act < a->mr->nacts) {
		act = &a->mr->acts[w->act++];
		if ((act->created && !who->created) ||
		    !memberrules_holds(act->when, rec) ||
		    (act->kind == MR_ACTIVATE &&
		        (type = memberrules_activation(act, rec)) == NULL))
			continue;
		memberrules_action_name(act, type, &name);
		if (listed(who->done, name.data))
			continue;
		buf_release(&name);
		w->step = W_ACTION;
		if (act->kind == MR_MUTE)
			request(c, url, "POST", "/v2/users/", who->id,
			    "/promotions", NULL);
		else
			request(c, url, "POST", "/v2/resets", NULL, NULL,
			    json_pack(
			        "{s:s,s:s}", "id", who->id, "type", type));
		return 1;
	}
	buf_release(&name);
	return 0;
}

/* A confirmed action: named in _meta. */
static void
action_done(struct memberapply *a, struct memberwork *w, const json_t *rec,
    const json_t *data)
{
	const struct mr_action *act = &a->mr->acts[w->act - 1];
	struct buf name = BUF_INIT;
	json_t *v;

	memberrules_action_name(act, memberrules_activation(act, rec), &name);
	json_array_append_new(w->actions, json_string(name.data));
	if ((v = json_object_get(data, "promotions_muted_at")) != NULL) {
		json_decref(w->muted);
		w->muted = json_incref(v);
	}
	buf_release(&name);
	a->actions++;
	w->learnt = 1;
}

int
memberwork_answer(struct memberapply *a, struct memberwork *w,
    struct memberwho *who, json_t *rec, struct http_call *c, const char *url,
    struct buf *why, struct buf *warn)
{
	const struct mr_set *s = &a->mr->sets[w->set ? w->set - 1 : 0];
	json_t *ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
	json_t *data = json_object_get(ans, "data");
	const char *oid = json_string_value(json_object_get(data, "id"));
	int ok = c->status >= 200 && c->status < 300, rc = 0;

	if (w->step == W_OWNER && (c->status == 200 || c->status == 404)) {
		/* Another member's mobile: that one's fields change; nobody's:
		 * this member gets the mobile with the change. */
		if (c->status == 200 && oid && strcmp(oid, who->id) != 0)
			change_for(a, w, who, rec, data, 0);
		else
			change_for(a, w, who, rec, who->member, 1);
		rc = put_change(a, w, rec, c, url, warn);
	} else if (!ok && c->status == 404 &&
	           (w->step == W_ACTION || !s->mobile_owner)) {
		buf_adds(why, "no such member");
		rc = -1;
	} else if (!ok) {
		answer_refusal(
		    why, c, "Northstar", "error.message", "error.fields");
		if (w->step == W_ACTION || !s->mobile_owner) {
			rc = -1;
		} else {
			json_object_set_new(w->sets, s->name,
			    json_pack("{s:s}", "failed", why->data));
			buf_reset(why);
		}
	} else if (w->step == W_ACTION) {
		action_done(a, w, rec, data);
	} else {
		if (strcmp(w->target, who->id) == 0)
			json_object_update(who->member, w->change);
		set_done(a, w, rec,
		    json_pack(
		        "{s:s,s:O}", "member", w->target, "set", w->change),
		    warn);
		a->updated++;
		w->learnt = 1;
	}
	json_decref(ans);
	return rc;
}

void
memberwork_meta(const struct memberwork *w, json_t *meta)
{
	if (json_object_size(w->sets))
		json_object_set(meta, "sets", w->sets);
	if (json_array_size(w->actions))
		json_object_set(meta, "actions", w->actions);
	if (w->muted)
		json_object_set(meta, "muted", w->muted);
}
