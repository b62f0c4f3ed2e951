/*
 * Unit tests for common/postcache.c without a network: a record's scope
 * and the lookup's URL, the groups' references and the to-do list's
 * batches, the pages of an answer filed under their members (and whether
 * another page follows), a lookup's end, and the stage's own writes (their
 * requests, and what they change in the cache). The lookups on the wire
 * are run by the delivery tests (tests/scripts/delivery.py) against the
 * emulator.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "jsoncheck.h"
#include "postcache.h"

static const char *const scope_fields[] = {"action_id", "type", NULL};
static const struct postcache_names names = {"Rogue", "/api/v3/posts",
    "northstar_id", "id", "status", "details", scope_fields};

/* A cache with no network, for the service at rogue.test. */
static void
cache_init(struct postcache *pc)
{
	postcache_init(pc, &names, NULL);
	pc->url = "http://rogue.test/";
}

/* The groups the cache holds, in all its buckets. */
static size_t
ngroups(const struct postcache *pc)
{
	const struct postcache_group *g;
	size_t b, n = 0;

	for (b = 0; b < POSTCACHE_BUCKETS; b++) {
		for (g = pc->buckets[b]; g; g = g->next)
			n++;
	}
	return n;
}

/* The scope of a record given as JSON text, in out (emptied first). */
static const char *
scope_of(const struct postcache *pc, const char *rec, struct buf *out)
{
	json_t *v = parse(rec);
	int rc;

	buf_reset(out);
	rc = postcache_scope(pc, v, out);
	json_decref(v);
	return rc == 0 ? out->data : NULL;
}

/* Files a page given as JSON text; returns what postcache_take_page does. */
static int
take(struct postcache *pc, struct postcache_group *const *g, size_t n,
    const char *page)
{
	json_t *ans = parse(page);
	int rc = postcache_take_page(pc, g, n, ans);

	json_decref(ans);
	return rc;
}

TEST(scope_and_url)
{
	struct postcache pc;
	struct buf s = BUF_INIT, u = BUF_INIT;
	const char *members[] = {"5552aa34469c64ec7d8b715b", "a b"};

	cache_init(&pc);
	CHECK_STR(
	    scope_of(&pc, "{\"type\":\"voter-reg\",\"action_id\":954}", &s),
	    "filter%5Baction_id%5D=954&filter%5Btype%5D=voter-reg");
	/* Values are percent-encoded: no '&' or '=' of a value splits it. */
	CHECK_STR(
	    scope_of(&pc, "{\"action_id\":-1,\"type\":\"a&b=c/\\u00e9\"}", &s),
	    "filter%5Baction_id%5D=-1&filter%5Btype%5D=a%26b%3Dc%2F%C3%A9");
	/* A value that is neither a string nor an integer makes no scope. */
	CHECK(scope_of(&pc, "{\"action_id\":1.5,\"type\":\"x\"}", &s) == NULL);
	CHECK(scope_of(&pc, "{\"action_id\":1}", &s) == NULL);

	scope_of(&pc, "{\"action_id\":954,\"type\":\"voter-reg\"}", &s);
	postcache_url(&pc, &u, s.data, members, 2, 3);
	CHECK_STR(u.data,
	    "http://rogue.test/api/v3/posts?filter%5Baction_id%5D="
	    "954&filter%5Btype%5D=voter-reg&filter%5Bnorthstar_id"
	    "%5D=5552aa34469c64ec7d8b715b,a%20b&limit=100&page=3");
	/* Page 0 (a dry run's plan) names no page; u is replaced, not added
	 * to. */
	postcache_url(&pc, &u, s.data, members, 1, 0);
	CHECK_STR(u.data,
	    "http://rogue.test/api/v3/posts?filter%5Baction_id%5D="
	    "954&filter%5Btype%5D=voter-reg&filter%5Bnorthstar_id"
	    "%5D=5552aa34469c64ec7d8b715b&limit=100");
	/* An empty scope: the member's filter alone. */
	postcache_url(&pc, &u, "", members, 1, 1);
	CHECK_STR(u.data, "http://rogue.test/api/v3/posts?filter%5Bnorthstar_id"
	                  "%5D=5552aa34469c64ec7d8b715b&limit=100&page=1");
	buf_release(&s);
	buf_release(&u);
	postcache_release(&pc);
}

TEST(refs_and_unrefs)
{
	struct postcache pc;
	struct postcache_group *a, *b, *c, *g[POSTCACHE_BATCH];

	cache_init(&pc);
	a = postcache_ref(&pc, "m1", "s1");
	b = postcache_ref(&pc, "m1", "s2");
	c = postcache_ref(&pc, "m1", "s1");
	CHECK(a == c && a != b && a->refs == 2 && b->refs == 1);
	CHECK(a->state == POSTCACHE_NEW && ngroups(&pc) == 2);
	CHECK_STR(a->member, "m1");
	CHECK_STR(a->scope, "s1");
	/* The newest first in the to-do list, each once. */
	CHECK(pc.todo == b && b->todo == a && a->todo == NULL);

	/* A NEW group nobody holds stays: the to-do list holds it. */
	postcache_unref(&pc, a);
	postcache_unref(&pc, a);
	CHECK(ngroups(&pc) == 2 && a->refs == 0);
	CHECK(postcache_ref(&pc, "m1", "s1") == a && a->refs == 1);
	postcache_unref(&pc, a);
	postcache_unref(&pc, NULL); /* nothing */

	/* Looked up and known: freed at once when nobody holds it ... */
	CHECK(postcache_batch(&pc, g) == 1 && g[0] == b);
	CHECK(postcache_batch(&pc, g) == 1 && g[0] == a);
	CHECK(postcache_batch(&pc, g) == 0 && pc.todo == NULL);
	postcache_forget(&a, 1);
	CHECK(a->state == POSTCACHE_FETCHING);
	postcache_settle(&pc, &a, 1, POSTCACHE_KNOWN, NULL);
	CHECK(ngroups(&pc) == 1);
	/* ... else when the last job lets it go, failed or known. */
	postcache_forget(&b, 1);
	postcache_settle(&pc, &b, 1, POSTCACHE_FAILED, "Rogue is down");
	CHECK(ngroups(&pc) == 1 && b->state == POSTCACHE_FAILED);
	CHECK_STR(b->why, "Rogue is down");
	CHECK(postcache_ref(&pc, "m1", "s2") == b && b->refs == 2);
	postcache_unref(&pc, b);
	CHECK(ngroups(&pc) == 1);
	postcache_unref(&pc, b);
	CHECK(ngroups(&pc) == 0);
	/* A group made again is new, to look up again. */
	a = postcache_ref(&pc, "m1", "s1");
	CHECK(a->state == POSTCACHE_NEW && pc.todo == a);
	/* Release frees what is held too. */
	postcache_release(&pc);
	CHECK(ngroups(&pc) == 0 && pc.todo == NULL);
}

TEST(batches)
{
	struct postcache pc;
	struct postcache_group *g[POSTCACHE_BATCH];
	char member[32];
	size_t i, n;
	int ok = 1;

	cache_init(&pc);
	/* 120 members of scope "x" and, every tenth, one of scope "y". */
	for (i = 0; i < 120; i++) {
		snprintf(member, sizeof(member), "m%zu", i);
		postcache_ref(&pc, member, "x");
		if (i % 10 == 0)
			postcache_ref(&pc, member, "y");
	}
	/* The list is newest first: fifty "x"s, the "y"s between them left
	 * where they are. */
	CHECK(postcache_batch(&pc, g) == POSTCACHE_BATCH);
	CHECK_STR(g[0]->member, "m119");
	CHECK_STR(g[POSTCACHE_BATCH - 1]->member, "m70");
	/* Then a "y" leads, and takes every other "y" with it, however far
	 * down the list. */
	n = postcache_batch(&pc, g);
	CHECK(n == 12);
	for (i = 0; i < n; i++) {
		snprintf(member, sizeof(member), "m%zu", 110 - 10 * i);
		ok &= strcmp(g[i]->scope, "y") == 0 &&
		      strcmp(g[i]->member, member) == 0 &&
		      g[i]->state == POSTCACHE_NEW;
	}
	CHECK(ok);
	/* Then the rest of the "x"s, in the list's order. */
	CHECK(postcache_batch(&pc, g) == POSTCACHE_BATCH);
	CHECK_STR(g[0]->member, "m69");
	CHECK(strcmp(g[0]->scope, "x") == 0);
	CHECK(postcache_batch(&pc, g) == 20);
	CHECK_STR(g[19]->member, "m0");
	CHECK(postcache_batch(&pc, g) == 0);
	CHECK(ngroups(&pc) == 132);
	postcache_release(&pc);
}

/* postcache_detail() of details given as JSON text, with keys. */
static void
check_detail(const char *keys, const char *details, const char *want)
{
	struct postcache pc;
	json_t *d = json_loads(details, JSON_DECODE_ANY, NULL);
	char *got;

	cache_init(&pc);
	pc.detail_key = keys;
	got = postcache_detail(&pc, d);
	if (want == NULL)
		CHECK(got == NULL);
	else
		CHECK_STR(got, want);
	free(got);
	json_decref(d);
}

TEST(details)
{
	check_detail("i", "{\"i\":\"1\",\"j\":\"2\"}", "1");
	check_detail("i,j", "{\"j\":\"2\",\"i\":\"1\"}", "[\"1\",\"2\"]");
	check_detail("j,i", "{\"i\":\"1\",\"j\":\"2\"}", "[\"2\",\"1\"]");
	/* details as Rogue gives them: a string of JSON. */
	check_detail("i,j", "\"{\\\"i\\\":\\\"1\\\",\\\"j\\\":\\\"x\\\"}\"",
	    "[\"1\",\"x\"]");
	/* Every key must hold a string. */
	check_detail("i,j", "{\"i\":\"1\"}", NULL);
	check_detail("i,j", "{\"i\":\"1\",\"j\":2}", NULL);
	check_detail("i", "\"not JSON\"", NULL);
	check_detail(NULL, "{\"i\":\"1\"}", NULL);
}

TEST(pages)
{
	struct postcache pc;
	struct postcache_group *g[2];
	struct postcache_post *p;

	cache_init(&pc);
	pc.detail_key = "i";
	g[0] = postcache_ref(&pc, "a", "s");
	g[1] = postcache_ref(&pc, "b", "s");
	postcache_forget(g, 2);
	CHECK(take(&pc, g, 2,
	          "{\"data\":[{\"northstar_id\":\"a\",\"id\":7,\"status\":"
	          "\"confirmed\",\"details\":\"{\\\"i\\\":\\\"1\\\"}\"},"
	          "{\"northstar_id\":\"c\",\"id\":6,\"status\":\"x\"},"
	          "{\"northstar_id\":\"b\",\"id\":\"5\",\"status\":\"x\"},"
	          "{\"id\":4,\"status\":\"x\"},"
	          "{\"northstar_id\":\"a\",\"id\":3,\"details\":{\"i\":\"0\"}},"
	          "{\"northstar_id\":\"b\",\"id\":2,\"status\":\"pending\","
	          "\"details\":\"not JSON\"}],"
	          "\"meta\":{\"pagination\":{\"total_pages\":2}}}") == 0);
	/* Another member's post, a string id and no member: not filed. */
	CHECK(g[0]->nposts == 2 && g[1]->nposts == 1);
	CHECK(g[0]->posts[0].id == 7 && g[0]->posts[1].id == 3);
	CHECK_STR(g[0]->posts[0].status, "confirmed");
	CHECK_STR(g[0]->posts[0].detail, "1");
	CHECK_STR(g[0]->posts[1].status, ""); /* none given */
	CHECK_STR(g[0]->posts[1].detail, "0");
	CHECK(g[1]->posts[0].id == 2 && g[1]->posts[0].detail == NULL);
	/* The next page adds at the end: the service sends the newest
	 * first. */
	CHECK(take(&pc, g, 2,
	          "{\"data\":[{\"northstar_id\":\"a\",\"id\":1,\"status\":"
	          "\"uncertain\",\"details\":{\"i\":2}}]}") == 0);
	CHECK(g[0]->nposts == 3 && g[0]->posts[2].id == 1);
	CHECK(g[0]->posts[2].detail == NULL); /* not a string */
	/* No data list: nothing filed. */
	CHECK(take(&pc, g, 2, "{\"data\":{}}") == -1);
	CHECK(take(&pc, g, 2, "[]") == -1);
	CHECK(postcache_take_page(&pc, g, 2, NULL) == -1);
	CHECK(g[0]->nposts == 3 && g[1]->nposts == 1);
	postcache_settle(&pc, g, 2, POSTCACHE_KNOWN, NULL);
	CHECK(g[0]->state == POSTCACHE_KNOWN && g[0]->why == NULL);

	/* The post of a detail: the newest with the same detail. */
	CHECK((p = postcache_find(g[0], "0")) != NULL && p->id == 3);
	CHECK((p = postcache_find(g[0], "1")) != NULL && p->id == 7);
	CHECK(postcache_find(g[0], "2") == NULL);
	CHECK(postcache_find(g[1], "x") == NULL);
	/* Without a detail: the newest. */
	CHECK((p = postcache_find(g[0], NULL)) != NULL && p->id == 7);

	/* A lookup again forgets what the last one found. */
	postcache_forget(g, 1);
	CHECK(g[0]->nposts == 0 && g[0]->posts == NULL);
	CHECK(postcache_find(g[0], NULL) == NULL);
	postcache_release(&pc);
}

TEST(no_detail_key)
{
	struct postcache pc;
	struct postcache_group *g;

	cache_init(&pc);
	g = postcache_ref(&pc, "a", "s");
	CHECK(take(&pc, &g, 1,
	          "{\"data\":[{\"northstar_id\":\"a\",\"id\":7,\"status\":"
	          "\"confirmed\",\"details\":{\"i\":\"1\"}}]}") == 0);
	CHECK(g->nposts == 1 && g->posts[0].detail == NULL);
	postcache_release(&pc);
}

TEST(more_pages)
{
	json_t *ans;
	size_t i;

	ans = parse(
	    "{\"data\":[],\"meta\":{\"pagination\":{\"total_pages\":3}}}");
	CHECK(postcache_more_pages(ans, 1) && postcache_more_pages(ans, 2));
	CHECK(!postcache_more_pages(ans, 3) && !postcache_more_pages(ans, 4));
	json_decref(ans);
	/* Without total_pages, a full page may have another after it. */
	ans = parse("{\"data\":[],\"meta\":{\"pagination\":{\"total_pages\":"
	            "\"3\"}}}");
	for (i = 0; i < POSTCACHE_PAGE - 1; i++)
		json_array_append_new(
		    json_object_get(ans, "data"), json_object());
	CHECK(!postcache_more_pages(ans, 1));
	json_array_append_new(json_object_get(ans, "data"), json_object());
	CHECK(postcache_more_pages(ans, 1));
	json_decref(ans);
	CHECK(!postcache_more_pages(NULL, 1));
}

TEST(write_calls)
{
	struct postcache pc;
	struct http_call c;
	struct postcache_post p = {42, NULL, NULL};
	json_t *body = parse("{\"northstar_id\":\"a\",\"status\":\"x\"}");

	cache_init(&pc);
	http_call_init(&c);
	postcache_create_call(&pc, &c, body);
	CHECK_STR(c.method, "POST");
	CHECK_STR(c.url.data, "http://rogue.test/api/v3/posts");
	CHECK_STR(c.body.data, "{\"northstar_id\":\"a\",\"status\":\"x\"}");
	CHECK(c.auth && !c.idempotent);
	/* A change of status after a create on the same call: its own
	 * budget of tries. */
	c.tries = 3;
	postcache_status_call(&pc, &c, &p, "register-OVR");
	CHECK_STR(c.method, "PATCH");
	CHECK_STR(c.url.data, "http://rogue.test/api/v3/posts/42");
	CHECK_STR(c.body.data, "{\"status\":\"register-OVR\"}");
	CHECK(c.auth && c.idempotent && c.tries == 0);
	http_call_release(&c);
	json_decref(body);
	postcache_release(&pc);
}

/* Sets c's answer to text, as the service would have answered. */
static void
answer(struct http_call *c, const char *text)
{
	buf_reset(&c->resp);
	buf_adds(&c->resp, text);
}

TEST(own_writes)
{
	struct postcache pc;
	struct postcache_group *g;
	struct http_call c;

	cache_init(&pc);
	http_call_init(&c);
	g = postcache_ref(&pc, "a", "s");
	CHECK(take(&pc, &g, 1,
	          "{\"data\":[{\"northstar_id\":\"a\",\"id\":7,\"status\":"
	          "\"confirmed\"}]}") == 0);
	postcache_settle(&pc, &g, 1, POSTCACHE_KNOWN, NULL);

	/* A create: the answer's id, the new post first. */
	answer(&c, "{\"data\":{\"id\":9,\"status\":\"ignored\"}}");
	CHECK(postcache_written(&pc, g, &c, 1, "register-form", "d1") == 9);
	CHECK(g->nposts == 2 && g->posts[0].id == 9 && g->posts[1].id == 7);
	CHECK_STR(g->posts[0].status, "register-form");
	CHECK_STR(g->posts[0].detail, "d1");
	CHECK_STR(g->posts[1].status, "confirmed");
	/* A create whose answer names no id: 0, and the post is known. */
	answer(&c, "created");
	CHECK(postcache_written(&pc, g, &c, 1, "uncertain", NULL) == 0);
	CHECK(g->nposts == 3 && g->posts[0].id == 0 && !g->posts[0].detail);

	/* A change of status: the post of the detail, whatever the answer
	 * says. */
	answer(&c, "{\"data\":{\"id\":1000}}");
	CHECK(postcache_written(&pc, g, &c, 0, "register-OVR", "d1") == 9);
	CHECK_STR(g->posts[1].status, "register-OVR");
	/* No post of that detail: the answer's id, nothing changed. */
	CHECK(postcache_written(&pc, g, &c, 0, "x", "d2") == 1000);
	CHECK(g->nposts == 3);
	CHECK_STR(g->posts[0].status, "uncertain");
	CHECK_STR(g->posts[2].status, "confirmed");
	http_call_release(&c);
	postcache_unref(&pc, g);
	CHECK(ngroups(&pc) == 0);
	postcache_release(&pc);
}

int
main(void)
{
	RUN(scope_and_url);
	RUN(refs_and_unrefs);
	RUN(batches);
	RUN(details);
	RUN(pages);
	RUN(no_detail_key);
	RUN(more_pages);
	RUN(write_calls);
	RUN(own_writes);
	return harness_done();
}
