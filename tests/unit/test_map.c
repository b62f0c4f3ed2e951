/*
 * Unit tests for common/map.c: map_load on temporary map files (every
 * section, the forms of "default", and the messages for invalid JSON,
 * maps of the wrong shape, duplicate keys and a missing file); map_rank,
 * map_user_rank and the upgrade rule of map_upgrades; map_match (first
 * match wins, lists, missing and non-string fields) and map_apply. Every
 * map is released, so ASan's leak check covers map_release too.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "jsoncheck.h"
#include "map.h"

/* The map of most tests, shaped as a vendor file's status map. */
static const char full_map[] =
    "{\n"
    "  \"_comment\": \"top-level keys with _ are comments\",\n"
    "  \"rank\": [\"uncertain\", \"ineligible\", \"confirmed\",\n"
    "           \"register-OVR\", \"register-form\"],\n"
    "  \"user_rank\": [\"prospect\", \"registration_complete\"],\n"
    "  \"rules\": [\n"
    "    {\"when\": {\"status\": \"registered\",\n"
    "              \"details.voter-registration-method\": \"online\"},\n"
    "     \"set\": {\"status\": \"register-OVR\",\n"
    "             \"user.voter_registration_status\":\n"
    "                 \"registration_complete\"}},\n"
    "    {\"when\": {\"status\": [\"unknown\", \"pending\"]},\n"
    "     \"set\": {\"status\": \"uncertain\"}},\n"
    "    {\"when\": {\"status\": \"registered\"},\n"
    "     \"set\": {\"status\": \"register-form\"}}\n"
    "  ],\n"
    "  \"default\": \"reject\",\n"
    "  \"shape\": {\"left\": \"to vendor.h\"},\n"
    "  \"defaults\": {\"_note\": \"x\", \"campaign_id\": 8017,\n"
    "               \"source\": \"rtv\"}\n"
    "}\n";

/*
 * Writes text to a temporary map file and loads it into m. Returns what
 * map_load returned (or 99 when the file could not be written); the
 * file's name is left in path, the file itself is removed.
 */
static int
load_text(struct map *m, const char *text, char *path, struct buf *err)
{
	int rc;

	if (harness_tmpfile(path, text, strlen(text)) < 0) {
		memset(m, 0, sizeof(*m));
		return 99;
	}
	rc = map_load(m, path, err);
	remove(path);
	return rc;
}

/* Loads text and expects -1 with the message "FILE: " want. */
static void
check_shape_error(const char *text, const char *want, int line)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf err = BUF_INIT, expect = BUF_INIT;
	struct map m;
	int rc = load_text(&m, text, path, &err);

	buf_printf(&expect, "%s: %s", path, want);
	if (rc != -1 || err.data == NULL || strcmp(err.data, expect.data)) {
		harness_failed_checks++;
		fprintf(stderr,
		    "%s:%d: map_load gave %d \"%s\", want -1 \"%s\"\n",
		    __FILE__, line, rc, err.data ? err.data : "(null)",
		    expect.data);
	}
	map_release(&m);
	buf_release(&err);
	buf_release(&expect);
}

#define CHECK_SHAPE_ERROR(text, want)                                          \
	check_shape_error((text), (want), __LINE__)

/* Loads text and expects -1 with "FILE:" where ": ..." (a JSON error). */
static void
check_json_error(
    const char *text, const char *where, const char *what, int line)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf err = BUF_INIT, expect = BUF_INIT;
	struct map m;
	int rc = load_text(&m, text, path, &err);

	buf_printf(&expect, "%s:%s: ", path, where);
	if (rc != -1 || err.data == NULL ||
	    strncmp(err.data, expect.data, expect.len) != 0 ||
	    strstr(err.data + expect.len, what) == NULL) {
		harness_failed_checks++;
		fprintf(stderr,
		    "%s:%d: map_load gave %d \"%s\", want -1 \"%s...%s...\"\n",
		    __FILE__, line, rc, err.data ? err.data : "(null)",
		    expect.data, what);
	}
	map_release(&m);
	buf_release(&err);
	buf_release(&expect);
}

#define CHECK_JSON_ERROR(text, where, what)                                    \
	check_json_error((text), (where), (what), __LINE__)

/* Loads text, which must be a valid map. */
static int
load_ok(struct map *m, const char *text)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf err = BUF_INIT;
	int rc = load_text(m, text, path, &err);

	if (rc != 0)
		fprintf(
		    stderr, "map_load: %d %s\n", rc, err.data ? err.data : "");
	buf_release(&err);
	return rc;
}

TEST(load_full)
{
	struct map m;
	const struct map_rule *r;

	CHECK(load_ok(&m, full_map) == 0);
	CHECK(m.root != NULL);
	CHECK(m.nrank == 5);
	if (m.nrank == 5) {
		CHECK_STR(m.rank[0], "uncertain");
		CHECK_STR(m.rank[4], "register-form");
	}
	CHECK(m.nuser_rank == 2);
	if (m.nuser_rank == 2)
		CHECK_STR(m.user_rank[1], "registration_complete");
	CHECK(m.nrules == 3);
	if (m.nrules == 3) {
		r = &m.rules[0];
		CHECK(r->nwhen == 2 && r->nset == 2);
		if (r->nwhen == 2 && r->nset == 2) {
			CHECK_STR(r->when_path[0], "status");
			CHECK_STR(
			    json_string_value(r->when_value[0]), "registered");
			CHECK_STR(r->when_path[1],
			    "details.voter-registration-method");
			CHECK_STR(
			    r->set_path[1], "user.voter_registration_status");
			CHECK_STR(json_string_value(r->set_value[1]),
			    "registration_complete");
		}
		r = &m.rules[1];
		CHECK(r->nwhen == 1 && r->nset == 1);
		if (r->nwhen == 1)
			CHECK_JSON(
			    r->when_value[0], "[\"unknown\",\"pending\"]");
	}
	CHECK(m.dflt == MAP_REJECT);
	CHECK(json_is_object(m.defaults));
	CHECK(json_integer_value(json_object_get(m.defaults, "campaign_id")) ==
	      8017);
	CHECK_STR(
	    json_string_value(json_object_get(m.defaults, "source")), "rtv");
	{
		json_t *a = map_default(&m, "campaign_id");
		json_t *b = map_default(&m, "nothing");

		CHECK(json_integer_value(a) == 8017 && json_is_null(b));
		json_decref(a);
		json_decref(b);
	}
	/* Each distinct "when" path once. */
	CHECK(m.nwhen_paths == 2);
	if (m.nwhen_paths == 2) {
		CHECK_STR(m.when_paths[0], "status");
		CHECK_STR(m.when_paths[1], "details.voter-registration-method");
	}
	map_release(&m);
	CHECK(m.root == NULL && m.nrules == 0 && m.rank == NULL);
}

TEST(load_empty_map)
{
	struct map m;

	/* Every section is optional. */
	CHECK(load_ok(&m, "{}") == 0);
	CHECK(m.nrank == 0 && m.nuser_rank == 0 && m.nrules == 0);
	CHECK(m.defaults == NULL);
	{
		json_t *v = map_default(&m, "campaign_id");

		CHECK(json_is_null(v));
		json_decref(v);
	}
	CHECK(m.dflt == MAP_REJECT);
	CHECK(m.user_rank == NULL);
	map_release(&m);
}

TEST(load_default_forms)
{
	struct map m;
	json_t *rec;

	CHECK(load_ok(&m, "{\"default\": \"keep\"}") == 0);
	CHECK(m.dflt == MAP_KEEP);
	map_release(&m);

	CHECK(load_ok(&m, "{\"default\": \"reject\"}") == 0);
	CHECK(m.dflt == MAP_REJECT);
	map_release(&m);

	/* Any other string is the status to give. */
	CHECK(load_ok(&m, "{\"default\": \"uncertain\"}") == 0);
	CHECK(m.dflt == MAP_SET);
	CHECK(m.dflt_set.nset == 1 && m.dflt_set.nwhen == 0);
	if (m.dflt_set.nset == 1) {
		CHECK_STR(m.dflt_set.set_path[0], "status");
		CHECK_STR(
		    json_string_value(m.dflt_set.set_value[0]), "uncertain");
	}
	rec = parse("{\"status\":\"weird\"}");
	CHECK(map_apply(&m.dflt_set, rec) == 0);
	CHECK_JSON(rec, "{\"status\":\"uncertain\"}");
	json_decref(rec);
	map_release(&m);

	/* An object: the fields to set. */
	CHECK(load_ok(&m, "{\"default\": {\"status\": \"uncertain\", "
	                  "\"user.flag\": true}}") == 0);
	CHECK(m.dflt == MAP_SET);
	CHECK(m.dflt_set.nset == 2);
	rec = parse("{\"status\":\"weird\",\"id\":1}");
	CHECK(map_apply(&m.dflt_set, rec) == 0);
	CHECK_JSON(rec, "{\"status\":\"uncertain\",\"id\":1,"
	                "\"user\":{\"flag\":true}}");
	json_decref(rec);
	map_release(&m);
}

TEST(load_invalid_json)
{
	/* The second comma is at line 2, column 16. */
	CHECK_JSON_ERROR(
	    "{\n  \"rank\": [\"a\",,\n]\n}\n", "2:16", "unexpected token");
	CHECK_JSON_ERROR("{\"rules\": tru}", "1:13", "invalid token");
	CHECK_JSON_ERROR("{}\n{}\n", "2:1", "end of file expected");
	CHECK_JSON_ERROR("", "1:0", "expected");
}

TEST(load_duplicate_keys)
{
	CHECK_JSON_ERROR("{\n \"rank\": [\"a\"],\n \"rank\": [\"b\"]\n}\n",
	    "3:7", "duplicate object key");
	/* Also deep inside, where a second "status" would hide the first. */
	CHECK_JSON_ERROR("{\"rules\": [{\"when\": {\"status\": \"a\",\n"
	                 "\"status\": \"b\"}, \"set\": {}}]}",
	    "2:8", "duplicate object key");
}

TEST(load_wrong_shapes)
{
	CHECK_SHAPE_ERROR("[]", "must be a JSON object");
	CHECK_SHAPE_ERROR("{\"rules\": {}}", "rules: must be a list");
	CHECK_SHAPE_ERROR(
	    "{\"rules\": [{\"when\": {\"status\": 5}, \"set\": {}}]}",
	    "rules[0].when.status: must be a string, a list of strings, true, "
	    "false or null");
	CHECK_SHAPE_ERROR(
	    "{\"rules\": [{\"when\": {\"status\": {}}, \"set\": {}}]}",
	    "rules[0].when.status: must be a string, a list of strings, true, "
	    "false or null");
	CHECK_SHAPE_ERROR("{\"rules\": [{\"when\": {}, \"set\": {}},\n"
	                  "{\"when\": {\"a.b\": [\"x\", 1]}, \"set\": {}}]}",
	    "rules[1].when.a.b: must be a string, a list of strings, true, "
	    "false or null");
	CHECK_SHAPE_ERROR(
	    "{\"rules\": [{\"set\": {}}]}", "rules[0].when: must be an object");
	CHECK_SHAPE_ERROR(
	    "{\"rules\": [\"x\"]}", "rules[0].when: must be an object");
	CHECK_SHAPE_ERROR(
	    "{\"rules\": [{\"when\": {\"s\": \"x\"}, \"set\": [\"y\"]}]}",
	    "rules[0].set: must be an object");
	CHECK_SHAPE_ERROR(
	    "{\"rank\": \"uncertain\"}", "rank: must be a list of statuses");
	CHECK_SHAPE_ERROR(
	    "{\"rank\": [\"a\", 2, \"c\"]}", "rank[1]: must be a string");
	CHECK_SHAPE_ERROR(
	    "{\"user_rank\": [null]}", "user_rank[0]: must be a string");
	CHECK_SHAPE_ERROR("{\"defaults\": [1]}", "defaults: must be an object");
}

TEST(load_default_wrong_type)
{
	static const char want[] = "default: must be \"reject\", \"keep\", a "
	                           "status or an object of fields to set";

	CHECK_SHAPE_ERROR("{\"default\": 5}", want);
	CHECK_SHAPE_ERROR("{\"default\": true}", want);
	CHECK_SHAPE_ERROR("{\"default\": [\"reject\"]}", want);
	CHECK_SHAPE_ERROR("{\"default\": null}", want);
}

TEST(load_missing_file)
{
	static const char path[] = "/nonexistent-dir-for-sluice/map.json";
	struct buf err = BUF_INIT;
	struct map m;

	CHECK(map_load(&m, path, &err) == -2);
	CHECK_STR(err.data,
	    "/nonexistent-dir-for-sluice/map.json: No such file or directory");
	CHECK(m.root == NULL);
	map_release(&m);
	buf_release(&err);
}

TEST(rank)
{
	struct map m;

	CHECK(load_ok(&m, full_map) == 0);
	CHECK(map_rank(&m, "uncertain") == 1);
	CHECK(map_rank(&m, "ineligible") == 2);
	CHECK(map_rank(&m, "register-form") == 5);
	CHECK(map_rank(&m, "pending") == 0);
	CHECK(map_rank(&m, "Uncertain") == 0);
	CHECK(map_rank(&m, "") == 0);
	CHECK(map_rank(&m, NULL) == 0);
	/* user_rank is its own list... */
	CHECK(map_user_rank(&m, "prospect") == 1);
	CHECK(map_user_rank(&m, "registration_complete") == 2);
	CHECK(map_user_rank(&m, "uncertain") == 0);
	map_release(&m);

	/* ...and without one, rank stands in for it. */
	CHECK(load_ok(&m, "{\"rank\": [\"a\", \"b\", \"c\"]}") == 0);
	CHECK(map_user_rank(&m, "a") == 1);
	CHECK(map_user_rank(&m, "c") == 3);
	CHECK(map_user_rank(&m, "d") == 0);
	CHECK(map_user_upgrades(&m, "a", "c"));
	CHECK(!map_user_upgrades(&m, "c", "b"));
	map_release(&m);

	/* No rank at all: nothing is listed. */
	CHECK(load_ok(&m, "{}") == 0);
	CHECK(map_rank(&m, "a") == 0);
	CHECK(map_user_rank(&m, "a") == 0);
	CHECK(!map_upgrades(&m, NULL, "a"));
	map_release(&m);
}

TEST(upgrades)
{
	struct map m;

	CHECK(load_ok(&m, full_map) == 0);
	/* An unlisted current counts as the lowest listed: Rogue's default
	 * "pending" is not moved by "uncertain" (the old importer's case 16),
	 * by the next one up it is. */
	CHECK(!map_upgrades(&m, "pending", "uncertain"));
	CHECK(map_upgrades(&m, "pending", "ineligible"));
	CHECK(map_upgrades(&m, "confirmed", "register-OVR"));
	CHECK(map_upgrades(&m, "uncertain", "register-form"));
	CHECK(!map_upgrades(&m, "register-form", "register-OVR"));
	/* Strictly above. */
	CHECK(!map_upgrades(&m, "confirmed", "confirmed"));
	/* An unlisted next never wins, not even over an unlisted current. */
	CHECK(!map_upgrades(&m, "confirmed", "pending"));
	CHECK(!map_upgrades(&m, "pending", "unknown"));
	CHECK(!map_upgrades(&m, NULL, "pending"));
	CHECK(!map_upgrades(&m, "confirmed", NULL));
	CHECK(!map_upgrades(&m, NULL, NULL));
	/* No current status at all. */
	CHECK(map_upgrades(&m, NULL, "uncertain"));
	/* Member statuses go by user_rank. */
	CHECK(map_user_upgrades(&m, NULL, "prospect"));
	CHECK(map_user_upgrades(&m, "prospect", "registration_complete"));
	CHECK(!map_user_upgrades(&m, "registration_complete", "prospect"));
	CHECK(!map_user_upgrades(&m, "uncertain", "confirmed"));
	map_release(&m);
}

/* The index of the rule map_match picks for the record text, -1 for none. */
static long
match_index(const struct map *m, const char *text)
{
	json_t *rec = parse(text);
	const struct map_rule *r = map_match(m, rec);
	struct buf scratch = BUF_INIT;
	struct jdoc d;

	/* The line's index must pick the rule the tree picks. */
	jdoc_init(&d);
	if (jdoc_parse(&d, text, strlen(text)) == 0)
		CHECK(map_match_doc(m, &d, &scratch) == r);
	jdoc_release(&d);
	buf_release(&scratch);
	json_decref(rec);
	return r == NULL ? -1 : (long)(r - m->rules);
}

TEST(match)
{
	struct map m;

	CHECK(load_ok(&m, full_map) == 0);
	/* Both rule 0 and rule 2 match: the first wins. */
	CHECK(match_index(&m,
	          "{\"status\":\"registered\",\"details\":"
	          "{\"voter-registration-method\":\"online\"}}") == 0);
	CHECK(
	    match_index(&m, "{\"status\":\"registered\",\"details\":"
	                    "{\"voter-registration-method\":\"paper\"}}") == 2);
	CHECK(match_index(&m, "{\"status\":\"registered\"}") == 2);
	/* Any value of a list. */
	CHECK(match_index(&m, "{\"status\":\"pending\"}") == 1);
	CHECK(match_index(&m, "{\"status\":\"unknown\",\"x\":1}") == 1);
	/* Exact and case-sensitive. */
	CHECK(match_index(&m, "{\"status\":\"Pending\"}") == -1);
	CHECK(match_index(&m, "{\"status\":\"pending \"}") == -1);
	CHECK(match_index(&m, "{\"status\":\"register\"}") == -1);
	/* A missing field never matches. */
	CHECK(match_index(&m, "{}") == -1);
	CHECK(match_index(&m, "{\"Status\":\"pending\"}") == -1);
	/* Nor does a field that is not a string. */
	CHECK(match_index(&m, "{\"status\":[\"pending\"]}") == -1);
	CHECK(match_index(&m, "{\"status\":null}") == -1);
	CHECK(match_index(&m, "{\"status\":{\"pending\":1}}") == -1);
	CHECK(match_index(&m, "{\"status\":\"registered\",\"details\":"
	                      "{\"voter-registration-method\":true}}") == 2);
	CHECK(match_index(&m, "{\"status\":\"registered\",\"details\":"
	                      "\"online\"}") == 2);
	map_release(&m);
}

TEST(match_numbers_are_not_strings)
{
	struct map m;

	CHECK(load_ok(&m, "{\"rules\": [{\"when\": {\"n\": \"1\"}, "
	                  "\"set\": {}},\n"
	                  "{\"when\": {}, \"set\": {\"s\": \"any\"}}]}") == 0);
	CHECK(match_index(&m, "{\"n\":\"1\"}") == 0);
	CHECK(match_index(&m, "{\"n\":1}") == 1);
	/* An empty "when" matches every record. */
	CHECK(match_index(&m, "{}") == 1);
	map_release(&m);

	CHECK(load_ok(&m, "{}") == 0);
	CHECK(match_index(&m, "{\"status\":\"x\"}") == -1);
	map_release(&m);
}

/* null: missing or null; true and false: those booleans only. */
TEST(match_null_and_booleans)
{
	struct map m;

	CHECK(load_ok(&m, "{\"rules\": ["
	                  "{\"when\": {\"user.mobile\": null}, \"set\": {}},"
	                  "{\"when\": {\"sms\": true}, \"set\": {}},"
	                  "{\"when\": {\"sms\": false}, \"set\": {}}]}") == 0);
	CHECK(match_index(&m, "{\"user\":{\"mobile\":null}}") == 0);
	CHECK(match_index(&m, "{\"user\":{}}") == 0);
	CHECK(match_index(&m, "{}") == 0);
	CHECK(
	    match_index(&m, "{\"user\":{\"mobile\":\"\"},\"sms\":true}") == 1);
	CHECK(match_index(&m, "{\"user\":{\"mobile\":\"1\"},\"sms\":false}") ==
	      2);
	/* A string is not a boolean, nor a number null. */
	CHECK(match_index(&m, "{\"user\":{\"mobile\":1},\"sms\":\"true\"}") ==
	      -1);
	CHECK(map_holds(json_null(), MAP_ABSENT, NULL) &&
	      !map_holds(json_true(), MAP_STRING, "true") &&
	      map_holds(json_false(), MAP_FALSE, NULL));
	map_release(&m);
}

TEST(apply)
{
	struct map m;
	json_t *rec;

	CHECK(load_ok(&m, full_map) == 0);
	CHECK(m.nrules == 3);
	if (m.nrules != 3) {
		map_release(&m);
		return;
	}
	rec = parse("{\"status\":\"registered\",\"details\":"
	            "{\"voter-registration-method\":\"online\"}}");
	CHECK(map_match(&m, rec) == &m.rules[0]);
	CHECK(map_apply(&m.rules[0], rec) == 0);
	CHECK_JSON(rec, "{\"status\":\"register-OVR\",\"details\":"
	                "{\"voter-registration-method\":\"online\"},"
	                "\"user\":{\"voter_registration_status\":"
	                "\"registration_complete\"}}");
	json_decref(rec);

	/* An existing object on the path keeps its other keys. */
	rec = parse("{\"user\":{\"id\":7,\"voter_registration_status\":"
	            "\"old\"}}");
	CHECK(map_apply(&m.rules[0], rec) == 0);
	CHECK_JSON(rec, "{\"user\":{\"id\":7,\"voter_registration_status\":"
	                "\"registration_complete\"},"
	                "\"status\":\"register-OVR\"}");
	json_decref(rec);

	/* A path step that is not an object blocks the set. */
	rec = parse("{\"status\":\"registered\",\"user\":\"u-1\"}");
	CHECK(map_apply(&m.rules[0], rec) == -1);
	CHECK_STR(json_string_value(json_object_get(rec, "user")), "u-1");
	json_decref(rec);
	rec = parse("{\"user\":[]}");
	CHECK(map_apply(&m.rules[0], rec) == -1);
	json_decref(rec);
	map_release(&m);
}

TEST(apply_copies_values)
{
	struct map m;
	json_t *a, *b;

	CHECK(load_ok(&m, "{\"default\": {\"meta.tags\": [\"x\"]}}") == 0);
	a = json_object();
	b = json_object();
	CHECK(map_apply(&m.dflt_set, a) == 0);
	/* Changing one record's copy leaves the map and other records be. */
	json_array_append_new(
	    json_object_get(json_object_get(a, "meta"), "tags"),
	    json_string("y"));
	CHECK(map_apply(&m.dflt_set, b) == 0);
	CHECK_JSON(a, "{\"meta\":{\"tags\":[\"x\",\"y\"]}}");
	CHECK_JSON(b, "{\"meta\":{\"tags\":[\"x\"]}}");
	if (m.dflt_set.nset == 1)
		CHECK_JSON(m.dflt_set.set_value[0], "[\"x\"]");
	json_decref(a);
	json_decref(b);
	map_release(&m);
}

int
main(void)
{
	RUN(load_full);
	RUN(load_empty_map);
	RUN(load_default_forms);
	RUN(load_invalid_json);
	RUN(load_duplicate_keys);
	RUN(load_wrong_shapes);
	RUN(load_default_wrong_type);
	RUN(load_missing_file);
	RUN(rank);
	RUN(upgrades);
	RUN(match);
	RUN(match_numbers_are_not_strings);
	RUN(match_null_and_booleans);
	RUN(apply);
	RUN(apply_copies_values);
	return harness_done();
}
