/*
 * Unit tests for common/vendor.c: which file --vendor names, a vendor
 * file's sections read (the map, the export, the delivery options as the
 * stages take them), each kind of mistake refused with where it is, and
 * a list of names as the stages take it made a JSON array.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "vendor.h"

static char dir[] = "/tmp/sluice-vendor.XXXXXX";

/* Writes text as DIR/NAME/vendor.json and loads it by that path. */
static int
load(struct vendor *v, const char *name, const char *text, struct buf *err)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s/vendor.json", dir, name);
	fp = fopen(path, "w");
	if (fp == NULL)
		return 99;
	fputs(text, fp);
	fclose(fp);
	buf_reset(err);
	return vendor_load(v, path, err);
}

/* The message (after the file's name) for a file that must not load. */
static void
check_error(const char *text, const char *want)
{
	struct vendor v;
	struct buf err = BUF_INIT;
	const char *msg;

	CHECK(load(&v, "bad", text, &err) == -1);
	msg = err.data ? strstr(err.data, "vendor.json") : NULL;
	CHECK(msg != NULL);
	if (msg)
		CHECK_STR(msg + strlen("vendor.json"), want);
	vendor_release(&v);
	buf_release(&err);
}

TEST(paths)
{
	struct buf b = BUF_INIT;

	vendor_path("./x.json", &b);
	CHECK_STR(b.data, "./x.json");
	vendor_path("x.json", &b);
	CHECK_STR(b.data, "x.json");
	vendor_path("some/dir/vendor.json", &b);
	CHECK_STR(b.data, "some/dir/vendor.json");
	setenv("SLUICE_VENDORS", "/srv/vendors", 1);
	vendor_path("turbovote", &b);
	CHECK_STR(b.data, "/srv/vendors/turbovote/vendor.json");
	unsetenv("SLUICE_VENDORS");
	vendor_path("turbovote", &b);
	CHECK(strstr(b.data, "/turbovote/vendor.json") != NULL);
	buf_release(&b);
}

TEST(loads_sections)
{
	struct vendor v;
	struct buf err = BUF_INIT;

	CHECK(
	    load(&v, "acme",
	        "{\"_about\": \"a comment\",\n"
	        " \"export\": {\"title\": \"Acme export\", \"source\": "
	        "\"acme\", \"encoding\": \"cp1252\", \"delimiter\": \";\"},\n"
	        " \"pipeline\": [\"csv2ndjson\", \"shape\"],\n"
	        " \"shape\": {\"record\": {}},\n"
	        " \"rank\": [\"a\", \"b\"], \"defaults\": {\"x\": 1},\n"
	        " \"delivery\": {\"key\": [\"northstar_id\", \"details.When\"], "
	        "\"keep\": \"best\", \"rank\": \"status\", \"member\": "
	        "{\"find\": [\"email\"], \"create\": false}, "
	        "\"table\": \"raw_acme\", \"_note\": 1}}",
	        &err) == 0);
	if (err.len)
		fprintf(stderr, "%s\n", err.data);
	CHECK_STR(v.name, "acme");
	CHECK_STR(v.title, "Acme export");
	CHECK_STR(v.source, "acme");
	CHECK_STR(v.encoding, "cp1252");
	CHECK_STR(v.delimiter, ";");
	CHECK(v.fetch == NULL);
	CHECK_STR(v.key, "northstar_id,details.When");
	CHECK(v.member.nfind == 1 && v.member.find[0] == MR_EMAIL &&
	      !v.member.create && v.member.nsets == 0);
	CHECK_STR(v.keep, "best");
	CHECK_STR(v.rank, "status");
	CHECK_STR(v.table, "raw_acme");
	CHECK(json_is_object(v.shape) && json_is_object(v.defaults));
	CHECK(v.map.nrank == 2 && map_rank(&v.map, "b") == 2);
	vendor_release(&v);
	/* Every section is optional: a plain map is a vendor file. */
	CHECK(load(&v, "plain", "{\"rank\": [\"a\"]}", &err) == 0);
	CHECK_STR(v.title, "plain");
	CHECK(v.shape == NULL && v.key == NULL);
	/* Without delivery.member: today's rules. */
	CHECK(v.member.nfind == 3 && v.member.create && v.member.nsets == 1);
	vendor_release(&v);
	buf_release(&err);
}

TEST(post_rogue_keys)
{
	struct vendor v;
	struct buf err = BUF_INIT;

	CHECK(
	    load(&v, "calls",
	        "{\"delivery\": {\"match_detail\": [\"when\", \"who\"], "
	        "\"post_fields\": [\"quantity\", \"created_at\"], "
	        "\"action\": {\"filter\": {\"callpower_campaign_id\": "
	        "\"campaign\", \"post_type\": {\"const\": \"phone-call\"}}}}}",
	        &err) == 0);
	CHECK_STR(v.match_detail, "when,who");
	CHECK_STR(v.post_fields, "quantity,created_at");
	CHECK(json_is_object(v.action_filter) &&
	      json_object_size(v.action_filter) == 2);
	vendor_release(&v);
	/* The string form of match_detail stays. */
	CHECK(load(&v, "one", "{\"delivery\": {\"match_detail\": \"a b\"}}",
	          &err) == 0);
	CHECK_STR(v.match_detail, "a b");
	CHECK(v.action_filter == NULL && v.post_fields == NULL);
	vendor_release(&v);
	buf_release(&err);
	check_error("{\"delivery\": {\"match_detail\": \"a,b\"}}",
	    ": delivery.match_detail: a name holds no comma (give a list)");
	check_error("{\"delivery\": {\"match_detail\": []}}",
	    ": delivery.match_detail: must be a list of names (strings without "
	    "commas)");
	check_error("{\"delivery\": {\"post_fields\": \"quantity\"}}",
	    ": delivery.post_fields: must be a list of names (strings without "
	    "commas)");
	check_error("{\"delivery\": {\"action\": {\"fliter\": {}}}}",
	    ": delivery.action: must be {\"filter\": {NAME: FIELD, ...}}");
	check_error("{\"delivery\": {\"action\": {\"filter\": {}}}}",
	    ": delivery.action: must be {\"filter\": {NAME: FIELD, ...}}");
	check_error(
	    "{\"delivery\": {\"action\": {\"filter\": {\"a\": {\"const\": "
	    "[]}}}}}",
	    ": delivery.action.filter.a: must be a record's field or "
	    "{\"const\": V}");
	check_error("{\"delivery\": {\"action\": {\"filter\": {\"a\": 1}}}}",
	    ": delivery.action.filter.a: must be a record's field or "
	    "{\"const\": V}");
}

TEST(refuses_mistakes)
{
	struct vendor v;
	struct buf err = BUF_INIT;

	check_error("[]", ": must be a JSON object");
	check_error(
	    "{\"delivry\": {}}", ": delivry: not a key of a vendor file");
	check_error("{\"delivery\": {\"ky\": [\"a\"]}}",
	    ": delivery.ky: not a key of a vendor file");
	check_error("{\"delivery\": {\"key\": \"a,b\"}}",
	    ": delivery.key: must be a list of names (strings without commas)");
	check_error("{\"delivery\": {\"key\": [\"a,b\"]}}",
	    ": delivery.key: must be a list of names (strings without commas)");
	check_error("{\"delivery\": {\"table\": \"\"}}",
	    ": delivery.table: must be a non-empty string");
	check_error("{\"export\": {\"encoding\": 1}}",
	    ": export.encoding: must be a non-empty string");
	check_error("{\"pipeline\": [\"shape\", 2]}",
	    ": pipeline[1]: must be a stage's name");
	check_error("{\"shape\": 1}", ": shape: must be an object");
	check_error("{\"rules\": {}}", ": rules: must be a list");
	check_error("{\"rank\": [1]}", ": rank[0]: must be a string");
	check_error("{\n  \"a\": 1,\n  \"a\": 2\n}",
	    ":3:5: duplicate object key near '\"a\"'");
	CHECK(vendor_load(&v, "/nonexistent-sluice/vendor.json", &err) == -2);
	CHECK(strstr(err.data, "No such file or directory") != NULL);
	vendor_release(&v);
	buf_release(&err);
}

/* A received vendor: export.receive, the receive section, the delivery
 * keys read by other stages, match_detail as a list. */
TEST(received_vendor)
{
	struct vendor v;
	struct buf err = BUF_INIT;

	CHECK(load(&v, "hooked",
	          "{\"export\": {\"receive\": true},"
	          " \"receive\": {\"path\": \"/x\"},"
	          " \"delivery\": {\"post_fields\": [\"quantity\"],"
	          " \"match_detail\": [\"a\", \"b\"]}}",
	          &err) == 0);
	CHECK(v.received == 1);
	CHECK(json_is_object(v.receive));
	CHECK_STR(v.match_detail, "a,b");
	vendor_release(&v);
	CHECK(load(&v, "plain2", "{\"delivery\": {\"match_detail\": \"a\"}}",
	          &err) == 0);
	CHECK(v.received == 0 && v.receive == NULL);
	CHECK_STR(v.match_detail, "a");
	vendor_release(&v);
	check_error("{\"export\": {\"receive\": 1}}",
	    ": export.receive: must be true or false");
	buf_release(&err);
}

/* Per-file options: declared, given with --set, required, one of. */
TEST(per_file_options)
{
	struct vendor v;
	struct buf err = BUF_INIT;
	json_t *got_json;
	char *got;

	CHECK(
	    load(&v, "opts",
	        "{\"export\": {\"title\": \"list\", \"options\": {"
	        "\"topic\": {\"required\": true, \"list\": true,"
	        " \"one_of\": [\"news\", \"lifestyle\"], \"example\": \"news\"},"
	        " \"detail\": {\"about\": \"where from\", \"required\": true},"
	        " \"note\": {}}},"
	        " \"defaults\": {\"detail\": \"web\"}}",
	        &err) == 0);
	CHECK(vendor_options_given(&v, &err) < 0);
	CHECK(strstr(err.data, "list needs --set topic=VALUE, one of news, "
	                       "lifestyle") != NULL);
	buf_reset(&err);
	CHECK(vendor_set(&v, "topic=sports", &err) < 0);
	CHECK_STR(err.data, "--set topic=sports: 'topic' must be one of news, "
	                    "lifestyle");
	buf_reset(&err);
	CHECK(vendor_set(&v, "color=red", &err) < 0);
	CHECK(strstr(err.data, "declares no option 'color'") != NULL);
	buf_reset(&err);
	CHECK(vendor_set(&v, "=x", &err) < 0);
	CHECK(strstr(err.data, "must be NAME=VALUE") != NULL);
	buf_reset(&err);
	CHECK(vendor_set(&v, "topic=news", &err) == 0);
	CHECK(vendor_set(&v, "note=a=b", &err) == 0);
	CHECK(vendor_options_given(&v, &err) == 0);
	got = json_dumps(v.defaults, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(
	    got, "{\"detail\":\"web\",\"note\":\"a=b\",\"topic\":[\"news\"]}");
	free(got);
	vendor_release(&v);
	/* No defaults in the file: --set makes them. */
	CHECK(load(&v, "opts2", "{\"export\": {\"options\": {\"a\": {}}}}",
	          &err) == 0);
	CHECK(vendor_set(&v, "a=1", &err) == 0);
	CHECK_STR(json_string_value(json_object_get(v.defaults, "a")), "1");
	got_json = map_default(&v.map, "a");
	CHECK_STR(json_string_value(got_json), "1");
	json_decref(got_json);
	vendor_release(&v);
	check_error("{\"export\": {\"options\": {\"a\": {\"one_of\": []}}}}",
	    ": export.options.a.one_of: must be a list of values");
	check_error("{\"export\": {\"options\": {\"a\": {\"colour\": 1}}}}",
	    ": export.options.colour: not a key of a vendor file");
	buf_release(&err);
}

/* vendor_names() of names, as compact JSON. */
static void
check_names(const char *names, const char *want)
{
	json_t *v = vendor_names(names);
	char *got = json_dumps(v, JSON_COMPACT);

	CHECK_STR(got, want);
	free(got);
	json_decref(v);
}

TEST(names_as_a_list)
{
	check_names("voting,civic", "[\"voting\",\"civic\"]");
	check_names("voting", "[\"voting\"]");
	check_names(",a,,b,", "[\"a\",\"b\"]");
	check_names(" a , b", "[\" a \",\" b\"]"); /* kept as written */
	check_names("", "[]");
	check_names(",", "[]");
}

int
main(void)
{
	char cmd[64];
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(paths);
	RUN(post_rogue_keys);
	RUN(loads_sections);
	RUN(refuses_mistakes);
	RUN(names_as_a_list);
	RUN(received_vendor);
	RUN(per_file_options);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	rc = system(cmd);
	(void)rc;
	return harness_done();
}
