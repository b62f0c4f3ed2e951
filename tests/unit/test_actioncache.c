/*
 * Unit tests for common/actioncache.c without a network: a record's query
 * and its words, the lookup's URL, one entry per query (records of one
 * campaign share it), and an answer's first action, none, or no list.
 * The lookups on the wire (one GET per value, a 5xx retried, then the
 * stop) are run by tests/scripts/post-events.py against the emulator.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "actioncache.h"
#include "harness.h"
#include "jsoncheck.h"

static const struct actioncache_names names = {
    "Rogue", "/api/v3/actions", "id"};

/* The query and words of a record given as JSON text; -1 on failure. */
static int
query_of(struct actioncache *ac, const char *rec, struct buf *q, struct buf *w)
{
	json_t *v = parse(rec);
	int rc;

	buf_reset(q);
	buf_reset(w);
	rc = actioncache_query(ac, v, q, w);
	json_decref(v);
	return rc;
}

TEST(queries)
{
	json_t *f = parse("{\"callpower_campaign_id\":\"campaign\","
	                  "\"post type\":{\"const\":\"phone-call\"},"
	                  "\"n\":\"x.n\"}");
	struct actioncache ac;
	struct buf q = BUF_INIT, w = BUF_INIT, u = BUF_INIT;

	actioncache_init(&ac, &names, f, NULL);
	ac.url = "http://rogue.test/";
	CHECK(query_of(&ac, "{\"campaign\":\"4&2\",\"x\":{\"n\":7}}", &q, &w) ==
	      0);
	CHECK_STR(q.data, "filter%5Bcallpower_campaign_id%5D=4%262&"
	                  "filter%5Bpost%20type%5D=phone-call&filter%5Bn%5D=7");
	CHECK_STR(
	    w.data, "callpower_campaign_id 4&2, post type phone-call, n 7");
	actioncache_url(&ac, &u, q.data);
	CHECK_STR(u.data, "http://rogue.test/api/v3/actions?"
	                  "filter%5Bcallpower_campaign_id%5D=4%262&"
	                  "filter%5Bpost%20type%5D=phone-call&filter%5Bn%5D=7");
	/* A field missing, null or of another type names the field. */
	CHECK(query_of(&ac, "{\"x\":{\"n\":7}}", &q, &w) == -1);
	CHECK_STR(w.data, "campaign");
	CHECK(query_of(&ac, "{\"campaign\":\"1\",\"x\":{\"n\":null}}", &q,
	          &w) == -1);
	CHECK_STR(w.data, "x.n");
	CHECK(
	    query_of(&ac, "{\"campaign\":1.5,\"x\":{\"n\":1}}", &q, &w) == -1);
	actioncache_release(&ac);
	json_decref(f);
	buf_release(&q);
	buf_release(&w);
	buf_release(&u);
}

TEST(one_entry_per_query)
{
	json_t *f = parse("{\"c\":\"c\"}");
	struct actioncache ac;
	struct actioncache_entry *a, *b, *c;

	actioncache_init(&ac, &names, f, NULL);
	a = actioncache_ref(&ac, "filter%5Bc%5D=1", "c 1");
	b = actioncache_ref(&ac, "filter%5Bc%5D=2", "c 2");
	c = actioncache_ref(&ac, "filter%5Bc%5D=1", "c 1");
	CHECK(a == c && a != b);
	CHECK(a->state == ACTIONCACHE_NEW && b->state == ACTIONCACHE_NEW);
	CHECK_STR(a->what, "c 1");
	/* The to-do list holds each entry once, the newest first. */
	CHECK(ac.todo == b && b->todo == a && a->todo == NULL);
	/* No network: nothing is looked up, nothing changes. */
	actioncache_lookups(&ac);
	CHECK(a->state == ACTIONCACHE_NEW && ac.lookups == 0);
	actioncache_release(&ac);
	json_decref(f);
}

/* Settles a new entry with an answer given as JSON text. */
static int
take(struct actioncache_entry *e, const char *ans)
{
	json_t *v = parse(ans);
	int rc = actioncache_take(e, v);

	json_decref(v);
	return rc;
}

TEST(answers)
{
	json_t *f = parse("{\"c\":\"c\"}");
	struct actioncache ac;
	struct actioncache_entry *e;

	actioncache_init(&ac, &names, f, NULL);
	e = actioncache_ref(&ac, "q1", "c 1");
	CHECK(take(e, "{\"data\":[{\"id\":1003,\"name\":\"x\"},{\"id\":1}],"
	              "\"meta\":{}}") == 0);
	CHECK(e->state == ACTIONCACHE_FOUND && e->id == 1003);
	e = actioncache_ref(&ac, "q2", "c 2");
	CHECK(take(e, "{\"data\":[]}") == 0);
	CHECK(e->state == ACTIONCACHE_NONE);
	e = actioncache_ref(&ac, "q3", "c 3");
	CHECK(take(e, "{\"data\":{}}") == -1);
	CHECK(e->state == ACTIONCACHE_FAILED);
	CHECK_STR(e->why, "Rogue's actions answer has no data list");
	e = actioncache_ref(&ac, "q4", "c 4");
	CHECK(
	    actioncache_take(e, NULL) == -1 && e->state == ACTIONCACHE_FAILED);
	e = actioncache_ref(&ac, "q5", "c 5");
	CHECK(take(e, "{\"data\":[{\"id\":\"7\"}]}") == -1);
	CHECK_STR(e->why, "Rogue's action for c 5 has no id");
	actioncache_release(&ac);
	json_decref(f);
}

int
main(void)
{
	RUN(queries);
	RUN(one_entry_per_query);
	RUN(answers);
	return harness_done();
}
