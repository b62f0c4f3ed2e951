/* Unit tests for common/hookroute: the receive section, request checks. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hookroute.h"

static const char route_json[] =
    "{\"path\":\"/hook\",\"content_types\":[\"json\",\"form\"],"
    "\"auth\":{\"headers\":[\"X-Key\"],\"keys\":\"TEST_HOOK_KEYS\"},"
    "\"fields\":{\"n\":\"integer\",\"when\":\"date\",\"who\":\"string\"},"
    "\"optional\":{\"note\":\"string\"},\"key\":[\"n\",\"who\"],"
    "\"answer\":{\"status\":202,\"body\":\"{}\"}}";

static void
load(struct hookroute *r, json_t **root)
{
	struct buf err = BUF_INIT;

	*root = json_loads(route_json, 0, NULL);
	if (hookroute_load(r, *root, &err) < 0)
		abort();
	buf_release(&err);
}

TEST(loads)
{
	struct hookroute r;
	json_t *root;

	load(&r, &root);
	CHECK_STR(r.path, "/hook");
	CHECK(r.nmethods == 1 && strcmp(r.methods[0], "POST") == 0);
	CHECK(r.json && r.form);
	CHECK(r.nheaders == 1 && r.nfields == 4 && r.nkey == 2);
	CHECK(r.status == 202);
	CHECK_STR(r.answer, "{}");
	hookroute_release(&r);
	json_decref(root);
}

static void
refused(const char *text, const char *want)
{
	struct hookroute r;
	struct buf err = BUF_INIT;
	json_t *root = json_loads(text, 0, NULL);

	CHECK(hookroute_load(&r, root, &err) < 0);
	CHECK_STR(err.data, want);
	hookroute_release(&r);
	json_decref(root);
	buf_release(&err);
}

TEST(refuses)
{
	refused("{\"path\":\"x\"}", "receive.path: must be a path, starting "
	                            "with /");
	refused("{\"path\":\"/x\",\"fields\":{}}",
	    "receive.auth: a route needs \"auth\" or \"signature\" (or both)");
	refused("{\"path\":\"/x\",\"pth\":1}",
	    "receive.pth: not a key of a receive section");
	refused("{\"path\":\"/x\",\"signature\":{\"secrets\":\"S\"},"
	        "\"fields\":{\"a\":\"int\"}}",
	    "receive.fields.a: must be \"string\", \"integer\" or \"date\"");
	refused("{\"path\":\"/x\",\"signature\":{\"secrets\":\"S\"},"
	        "\"content_types\":[\"xml\"]}",
	    "receive.content_types: must be a list of \"json\" and \"form\"");
}

TEST(content_types)
{
	struct hookroute r;
	json_t *root;

	load(&r, &root);
	CHECK(hookroute_ctype(&r, "application/json") == HOOKROUTE_JSON);
	CHECK(hookroute_ctype(&r, "Application/JSON; charset=utf-8") ==
	      HOOKROUTE_JSON);
	CHECK(hookroute_ctype(&r, "application/x-www-form-urlencoded") ==
	      HOOKROUTE_FORM);
	CHECK(hookroute_ctype(&r, "application/jsonx") == 0);
	CHECK(hookroute_ctype(&r, "text/plain") == 0);
	CHECK(hookroute_ctype(&r, NULL) == 0);
	hookroute_release(&r);
	json_decref(root);
}

/* Reads body; returns the status, the record or the answer into out. */
static int
read_body(const struct hookroute *r, int kind, const char *body, char **out)
{
	json_t *rec, *answer;
	int st = hookroute_read(r, kind, body, strlen(body), &rec, &answer);

	*out = json_dumps(st ? answer : rec, JSON_COMPACT);
	json_decref(rec);
	json_decref(answer);
	return st;
}

TEST(reads)
{
	struct hookroute r;
	json_t *root;
	char *out;

	load(&r, &root);
	CHECK(read_body(&r, HOOKROUTE_JSON,
	          "{\"n\":\"42\",\"when\":\"2019-03-01 10:00:00\",\"who\":7,"
	          "\"extra\":[1],\"_meta\":{\"x\":1}}",
	          &out) == 0);
	CHECK_STR(out, "{\"n\":42,\"when\":\"2019-03-01 10:00:00\",\"who\":"
	               "\"7\",\"extra\":[1]}");
	free(out);
	CHECK(read_body(&r, HOOKROUTE_FORM,
	          "n=-3&when=2019-02-28T23%3A59Z&who=J%C3%BCrgen+K&note=",
	          &out) == 0);
	CHECK_STR(out, "{\"n\":-3,\"when\":\"2019-02-28T23:59Z\",\"who\":"
	               "\"J\xc3\xbcrgen K\"}");
	free(out);
	CHECK(read_body(&r, HOOKROUTE_JSON,
	          "{\"n\":1.5,\"when\":\"2019-02-29\",\"note\":{}}",
	          &out) == 422);
	CHECK_STR(out,
	    "{\"message\":\"The given data was invalid.\",\"errors\":"
	    "{\"n\":[\"must be an integer\"],\"when\":[\"must be a "
	    "date (YYYY-MM-DD, with an optional time)\"],\"who\":[\"is "
	    "required\"],\"note\":[\"must be a string\"]}}");
	free(out);
	CHECK(read_body(&r, HOOKROUTE_JSON, "[1]", &out) == 400);
	free(out);
	CHECK(read_body(&r, HOOKROUTE_JSON, "{\"a\":1", &out) == 400);
	free(out);
	CHECK(read_body(&r, HOOKROUTE_FORM, "a=%FF", &out) == 400);
	free(out);
	CHECK(read_body(&r, HOOKROUTE_FORM, "a=1&a=2", &out) == 400);
	free(out);
	hookroute_release(&r);
	json_decref(root);
}

TEST(dates)
{
	CHECK(hookroute_is_date("2020-02-29"));
	CHECK(!hookroute_is_date("2019-02-29"));
	CHECK(!hookroute_is_date("2019-13-01"));
	CHECK(hookroute_is_date("2019-03-01T10:00:00.123+02:00"));
	CHECK(hookroute_is_date("2019-03-01 10:00"));
	CHECK(!hookroute_is_date("2019-03-01 25:00"));
	CHECK(!hookroute_is_date("2019-03-01T10:00:00Zx"));
	CHECK(!hookroute_is_date("yesterday"));
	CHECK(!hookroute_is_date(""));
}

TEST(ids)
{
	struct hookroute r;
	struct buf id = BUF_INIT, id2 = BUF_INIT;
	json_t *root,
	    *a = json_loads("{\"n\":1,\"who\":\"x\",\"z\":1}", 0, NULL);
	json_t *b = json_loads("{\"n\":1,\"who\":\"x\",\"z\":2}", 0, NULL);
	json_t *c = json_loads("{\"n\":\"1\",\"who\":\"x\"}", 0, NULL);
	char big[300];

	load(&r, &root);
	CHECK(hookroute_id(&r, "msg_1", a, &id) == 1);
	CHECK_STR(id.data, "msg_1");
	CHECK(hookroute_id(&r, NULL, a, &id) == 1);
	CHECK(strncmp(id.data, "key:", 4) == 0 && id.len == 68);
	CHECK(hookroute_id(&r, NULL, b, &id2) == 1);
	CHECK_STR(id.data, id2.data); /* only the key's fields count */
	CHECK(hookroute_id(&r, NULL, c, &id2) == 1);
	CHECK(strcmp(id.data, id2.data) != 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(hookroute_id(&r, big, a, &id) == -1);
	CHECK(hookroute_id(&r, "a b", a, &id) == -1);
	r.nkey = 0;
	CHECK(hookroute_id(&r, NULL, a, &id) == 0);
	hookroute_release(&r);
	json_decref(root);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	buf_release(&id);
	buf_release(&id2);
}

TEST(secrets)
{
	struct buf err = BUF_INIT;
	char path[sizeof(HARNESS_TMP)], **s;
	int n;

	setenv("TEST_HOOK_KEYS", " a, b\nc ", 1);
	CHECK((n = hookroute_secrets("TEST_HOOK_KEYS", &s, &err)) == 3);
	CHECK(n == 3 && strcmp(s[0], "a") == 0 && strcmp(s[2], "c") == 0);
	hookroute_free_secrets(s, n);
	unsetenv("TEST_HOOK_KEYS");
	CHECK(harness_tmpfile(path, "k1\nk2\n", 6) == 0);
	setenv("TEST_HOOK_KEYS_FILE", path, 1);
	CHECK((n = hookroute_secrets("TEST_HOOK_KEYS", &s, &err)) == 2);
	hookroute_free_secrets(s, n);
	unlink(path);
	unsetenv("TEST_HOOK_KEYS_FILE");
	CHECK(hookroute_secrets("TEST_HOOK_KEYS", &s, &err) < 0);
	CHECK_STR(err.data, "no keys in TEST_HOOK_KEYS or in the file "
	                    "TEST_HOOK_KEYS_FILE names");
	buf_release(&err);
}

int
main(void)
{
	RUN(loads);
	RUN(refuses);
	RUN(content_types);
	RUN(reads);
	RUN(dates);
	RUN(ids);
	RUN(secrets);
	return harness_done();
}
