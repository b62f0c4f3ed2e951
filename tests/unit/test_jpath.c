/*
 * Unit tests for common/jpath.c: jpath_get on top-level and nested paths,
 * missing steps and steps that are not objects; jpath_string on values
 * that are not strings; jpath_set_new creating intermediate objects,
 * replacing values, and failing (without a leak, since it steals the value
 * even then) when a step is not an object; jpath_pick keeping the values
 * worth sending, in order. ASan's leak check watches the stolen
 * references.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "jpath.h"
#include "jsoncheck.h"

TEST(get_top_level)
{
	json_t *o = parse("{\"status\":\"pending\",\"n\":3}");

	CHECK_STR(json_string_value(jpath_get(o, "status")), "pending");
	CHECK(json_integer_value(jpath_get(o, "n")) == 3);
	CHECK(jpath_get(o, "missing") == NULL);
	CHECK(jpath_get(o, "") == NULL);
	json_decref(o);
}

TEST(get_nested)
{
	json_t *o = parse("{\"details\":{\"voter-registration-method\":"
	                  "\"online\",\"deep\":{\"er\":{\"est\":7}}},"
	                  "\"details.flat\":\"x\"}");

	CHECK_STR(json_string_value(
	              jpath_get(o, "details.voter-registration-method")),
	    "online");
	CHECK(json_integer_value(jpath_get(o, "details.deep.er.est")) == 7);
	/* An intermediate path names the object itself. */
	CHECK(jpath_get(o, "details.deep") ==
	      json_object_get(json_object_get(o, "details"), "deep"));
	/* A key containing a dot cannot be named. */
	CHECK(jpath_get(o, "details.flat") == NULL);
	json_decref(o);
}

TEST(get_missing_steps)
{
	json_t *o = parse("{\"a\":{\"b\":{\"c\":1}}}");

	CHECK(jpath_get(o, "x.b.c") == NULL);
	CHECK(jpath_get(o, "a.x.c") == NULL);
	CHECK(jpath_get(o, "a.b.x") == NULL);
	CHECK(jpath_get(o, "a.b.c.d") == NULL);
	CHECK(jpath_get(NULL, "a") == NULL);
	json_decref(o);
}

TEST(get_non_object_step)
{
	json_t *o = parse("{\"s\":\"text\",\"arr\":[{\"k\":1}],\"n\":null,"
	                  "\"i\":5}");
	json_t *arr = parse("[1,2]");

	CHECK(jpath_get(o, "s.k") == NULL);
	CHECK(jpath_get(o, "arr.k") == NULL);
	CHECK(jpath_get(o, "arr.0") == NULL);
	CHECK(jpath_get(o, "n.k") == NULL);
	CHECK(jpath_get(o, "i.k") == NULL);
	/* The root itself must be an object. */
	CHECK(jpath_get(arr, "0") == NULL);
	json_decref(o);
	json_decref(arr);
}

TEST(string_only_strings)
{
	json_t *o = parse("{\"s\":\"v\",\"i\":1,\"r\":1.5,\"t\":true,"
	                  "\"n\":null,\"o\":{\"s\":\"w\"},\"a\":[\"x\"],"
	                  "\"e\":\"\"}");

	CHECK_STR(jpath_string(o, "s"), "v");
	CHECK_STR(jpath_string(o, "o.s"), "w");
	CHECK_STR(jpath_string(o, "e"), "");
	CHECK(jpath_string(o, "i") == NULL);
	CHECK(jpath_string(o, "r") == NULL);
	CHECK(jpath_string(o, "t") == NULL);
	CHECK(jpath_string(o, "n") == NULL);
	CHECK(jpath_string(o, "o") == NULL);
	CHECK(jpath_string(o, "a") == NULL);
	CHECK(jpath_string(o, "missing") == NULL);
	CHECK(jpath_string(o, "s.x") == NULL);
	json_decref(o);
}

TEST(set_top_level)
{
	json_t *o = parse("{\"a\":1}");

	CHECK(jpath_set_new(o, "b", json_string("two")) == 0);
	CHECK_JSON(o, "{\"a\":1,\"b\":\"two\"}");
	json_decref(o);
}

TEST(set_creates_intermediates)
{
	json_t *o = json_object();

	CHECK(jpath_set_new(o, "user.voter_registration_status",
	          json_string("registration_complete")) == 0);
	CHECK_JSON(o, "{\"user\":{\"voter_registration_status\":"
	              "\"registration_complete\"}}");
	CHECK(jpath_set_new(o, "a.b.c.d", json_integer(4)) == 0);
	CHECK(json_integer_value(jpath_get(o, "a.b.c.d")) == 4);
	/* An existing object on the way is reused, not replaced. */
	CHECK(jpath_set_new(o, "user.other", json_true()) == 0);
	CHECK_JSON(o, "{\"user\":{\"voter_registration_status\":"
	              "\"registration_complete\",\"other\":true},"
	              "\"a\":{\"b\":{\"c\":{\"d\":4}}}}");
	json_decref(o);
}

TEST(set_replaces)
{
	json_t *o = parse("{\"status\":\"pending\",\"d\":{\"m\":\"x\","
	                  "\"k\":1}}");

	CHECK(jpath_set_new(o, "status", json_string("registered")) == 0);
	CHECK(jpath_set_new(o, "d.m", json_string("online")) == 0);
	/* The last step may replace an object with a scalar. */
	CHECK(jpath_set_new(o, "d", json_null()) == 0);
	CHECK_JSON(o, "{\"status\":\"registered\",\"d\":null}");
	json_decref(o);
}

TEST(set_blocked_by_non_object)
{
	json_t *o = parse("{\"s\":\"text\",\"a\":[1],\"o\":{\"n\":5}}");
	json_t *v = json_string("stolen");

	/* The value is stolen even on failure: the leak check sees it. */
	CHECK(jpath_set_new(o, "s.k", json_string("lost")) == -1);
	CHECK(jpath_set_new(o, "a.k", json_integer(1)) == -1);
	CHECK(jpath_set_new(o, "o.n.k", json_object()) == -1);
	/* With an extra reference we can see it was dropped exactly once. */
	json_incref(v);
	CHECK(jpath_set_new(o, "s.k.deeper", v) == -1);
	CHECK(v->refcount == 1);
	json_decref(v);
	/* Nothing changed. */
	CHECK_JSON(o, "{\"s\":\"text\",\"a\":[1],\"o\":{\"n\":5}}");
	json_decref(o);
}

TEST(set_leaves_blocker)
{
	json_t *o = parse("{\"x\":{\"y\":1}}");

	/* A blocked set leaves the value it ran into alone. */
	CHECK(jpath_set_new(o, "x.y.z", json_string("v")) == -1);
	CHECK(json_integer_value(jpath_get(o, "x.y")) == 1);
	/* Setting through a borrowed inner object changes the whole. */
	CHECK(jpath_set_new(json_object_get(o, "x"), "y", json_null()) == 0);
	CHECK_JSON(o, "{\"x\":{\"y\":null}}");
	json_decref(o);
	/* A root that is not an object blocks too, and the value is freed. */
	o = parse("[1]");
	CHECK(jpath_set_new(o, "k", json_string("v")) == -1);
	CHECK(jpath_set_new(o, "k.j", json_string("v")) == -1);
	CHECK_JSON(o, "[1]");
	json_decref(o);
}

TEST(pick)
{
	static const char *const paths[] = {"email", "mobile", "first_name",
	    "addr.city", "zip", "opt_in", "n", "topics", "missing"};
	json_t *o = parse("{\"n\":0,\"first_name\":\"Ann\",\"email\":\"\","
	                  "\"mobile\":null,\"opt_in\":false,\"zip\":\" \","
	                  "\"addr\":{\"city\":\"Troy\"},\"topics\":[]}");
	json_t *got = jpath_pick(o, paths, sizeof(paths) / sizeof(*paths));
	char *text = json_dumps(got, JSON_COMPACT);

	CHECK_STR(text,
	    "{\"first_name\":\"Ann\",\"addr.city\":\"Troy\","
	    "\"zip\":\" \",\"opt_in\":false,\"n\":0,\"topics\":[]}");
	/* Shared, not copied. */
	CHECK(json_object_get(got, "topics") == json_object_get(o, "topics"));
	free(text);
	json_decref(got);
	json_decref(o);
	got = jpath_pick(NULL, paths, 2);
	CHECK(json_is_object(got) && json_object_size(got) == 0);
	json_decref(got);
}

int
main(void)
{
	RUN(get_top_level);
	RUN(get_nested);
	RUN(get_missing_steps);
	RUN(get_non_object_step);
	RUN(string_only_strings);
	RUN(set_top_level);
	RUN(set_creates_intermediates);
	RUN(set_replaces);
	RUN(set_blocked_by_non_object);
	RUN(set_leaves_blocker);
	RUN(pick);
	return harness_done();
}
