/* Finding or making a record's member; see memberfind.h. */
#include <string.h>

#include "answer.h"
#include "memberfind.h"
#include "url.h"

enum { F_LOOKUP, F_CREATE };

static void
lookup(struct memberfind *f, struct http_call *c)
{
	static const char *const paths[] = {
	    "/v2/users/", "/v2/email/", "/v2/mobile/"};
	enum mr_find k = f->mr->find[f->look];

	f->step = F_LOOKUP;
	url_join(&c->url, f->url, paths[k]);
	url_escape(&c->url, f->ident[k]);
	c->method = "GET";
	c->idempotent = 1;
	buf_reset(&c->body);
}

static void
create(struct memberfind *f, struct http_call *c)
{
	json_t *body =
	    memberrules_create_body(f->rec, f->ident[MR_MOBILE], f->source);

	f->step = F_CREATE;
	url_join(&c->url, f->url, "/v2/users");
	c->method = "POST";
	c->idempotent = 0;
	buf_reset(&c->body);
	http_set_json(c, body);
	json_decref(body);
}

/* The first lookup from index from on the record has a value for, or -1. */
static int
next_lookup(const struct memberfind *f, size_t from, int skip_id)
{
	size_t i;

	for (i = from; i < f->mr->nfind; i++)
		if (f->ident[f->mr->find[i]] &&
		    !(skip_id && f->mr->find[i] == MR_ID))
			return (int)i;
	return -1;
}

/* The lookup at index i (>= 0), else the create: 1 set up, 0 neither. */
static int
lookup_or_create(struct memberfind *f, int i, struct http_call *c)
{
	if (i >= 0) {
		f->look = (size_t)i;
		lookup(f, c);
		return 1;
	}
	if (!f->mr->create)
		return 0;
	create(f, c);
	return 1;
}

int
memberfind_start(struct memberfind *f, const struct memberrules *mr,
    const char *const ident[3], const json_t *rec, const char *url,
    const char *source, struct http_call *c, struct buf *why)
{
	memset(f, 0, sizeof(*f));
	f->mr = mr;
	memcpy(f->ident, ident, sizeof(f->ident));
	f->rec = rec;
	f->url = url;
	f->source = source;
	f->by = -1;
	if (lookup_or_create(f, next_lookup(f, 0, 0), c))
		return 1;
	buf_adds(why, "no such member");
	return -1;
}

int
memberfind_lost(struct memberfind *f, struct http_call *c)
{
	int i = next_lookup(f, 0, 1);

	f->create_lost |= f->step == F_CREATE;
	f->relooked |= i >= 0;
	return lookup_or_create(f, i, c);
}

/* Whether a 422 says the member exists already (a create raced). */
static int
exists_already(const struct http_call *c)
{
	return c->status == 422 && c->resp.data &&
	       strstr(c->resp.data, "already") != NULL;
}

int
memberfind_answer(
    struct memberfind *f, struct http_call *c, json_t **member, struct buf *why)
{
	json_t *ans;
	int i;

	*member = NULL;
	if (f->step == F_LOOKUP && c->status == 404) {
		if (lookup_or_create(f, next_lookup(f, f->look + 1, 0), c))
			return 1;
		buf_adds(why, "no such member");
		return -1;
	}
	if (f->step == F_CREATE && exists_already(c) && !f->relooked &&
	    (i = next_lookup(f, 0, 1)) >= 0) {
		f->relooked = 1;
		return lookup_or_create(f, i, c);
	}
	if (c->status != 200 && c->status != 201) {
		answer_refusal(
		    why, c, "Northstar", "error.message", "error.fields");
		return -1;
	}
	/* Found after a create whose answer was lost: that create made the
	 * member, since the lookups before it found nobody. */
	if (f->step == F_CREATE || f->create_lost)
		f->created = 1;
	else
		f->by = (int)f->mr->find[f->look];
	ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
	if (json_is_object(json_object_get(ans, "data")) &&
	    json_is_string(json_object_get(json_object_get(ans, "data"), "id")))
		*member = json_deep_copy(json_object_get(ans, "data"));
	json_decref(ans);
	if (*member == NULL) {
		buf_adds(why, "Northstar answered without the member's id");
		return -1;
	}
	return 0;
}
