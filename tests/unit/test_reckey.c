/*
 * Unit tests for common/reckey.c: parsing key specs (and refusing empty
 * fields and steps), the key bytes of records (compact JSON joined by
 * 0x1f, "1" unlike 1, dotted paths), absent and null fields named, the
 * buffer maximum, and that reckey_join on the stored key array gives the
 * same bytes as reckey_build on the record.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "reckey.h"

static json_t *
parse(const char *s)
{
	return json_loads(s, 0, NULL);
}

TEST(parse_spec)
{
	struct reckey k;

	CHECK(reckey_parse(&k, "a,b.c") == 0);
	CHECK(k.n == 2);
	CHECK_STR(k.paths[0], "a");
	CHECK_STR(k.paths[1], "b.c");
	CHECK_STR(k.fields, "a,b.c");
	reckey_release(&k);
	CHECK(k.n == 0 && k.paths == NULL && k.fields == NULL);
	CHECK(reckey_parse(&k, "northstar_id") == 0);
	CHECK(k.n == 1);
	CHECK_STR(k.paths[0], "northstar_id");
	reckey_release(&k);
}

TEST(parse_refuses_bad_specs)
{
	static const char *bad[] = {"", ",", "a,", ",a", "a,,b", "a..b", ".a",
	    "a.", "a.b.",
	    "a\x1f"
	    "b",
	    "a\nb"};
	struct reckey k;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (reckey_parse(&k, bad[i]) != -1) {
			ok = 0;
			fprintf(stderr, "accepted \"%s\"\n", bad[i]);
		}
		CHECK(k.n == 0 && k.paths == NULL);
		reckey_release(&k);
	}
	CHECK(ok);
}

TEST(build_key_bytes)
{
	struct reckey k;
	struct buf b = BUF_INIT;
	const char *missing = NULL;
	json_t *rec = parse("{\"a\":1,\"b\":{\"c\":\"x y\"},\"z\":true}");

	CHECK(reckey_parse(&k, "a,b.c") == 0);
	CHECK(reckey_build(&k, rec, &b, &missing) == 0);
	CHECK_MEM(b.data, b.len, "1\x1f\"x y\"");
	/* The buffer is replaced, not appended to. */
	CHECK(reckey_build(&k, rec, &b, &missing) == 0);
	CHECK_MEM(b.data, b.len, "1\x1f\"x y\"");
	reckey_release(&k);
	json_decref(rec);
	buf_release(&b);
}

TEST(string_and_number_differ)
{
	struct reckey k;
	struct buf b1 = BUF_INIT, b2 = BUF_INIT;
	const char *missing;
	json_t *r1 = parse("{\"id\":1}"), *r2 = parse("{\"id\":\"1\"}");

	CHECK(reckey_parse(&k, "id") == 0);
	CHECK(reckey_build(&k, r1, &b1, &missing) == 0);
	CHECK(reckey_build(&k, r2, &b2, &missing) == 0);
	CHECK_MEM(b1.data, b1.len, "1");
	CHECK_MEM(b2.data, b2.len, "\"1\"");
	CHECK(!hash128_eq(reckey_hash(&b1), reckey_hash(&b2)));
	reckey_release(&k);
	json_decref(r1);
	json_decref(r2);
	buf_release(&b1);
	buf_release(&b2);
}

TEST(all_kinds_of_values)
{
	struct reckey k;
	struct buf b = BUF_INIT;
	const char *missing;
	json_t *rec = parse("{\"o\":{\"y\":[1, 2],\"x\":false},"
	                    "\"s\":\"a\\u001fb\\\"\",\"f\":2.5,\"t\":true}");

	CHECK(reckey_parse(&k, "o,s,f,t") == 0);
	CHECK(reckey_build(&k, rec, &b, &missing) == 0);
	/* 0x1f inside a string is escaped, so it only ever separates. */
	CHECK_MEM(b.data, b.len,
	    "{\"y\":[1,2],\"x\":false}\x1f\"a\\u001Fb\\\"\"\x1f"
	    "2.5\x1ftrue");
	reckey_release(&k);
	json_decref(rec);
	buf_release(&b);
}

TEST(missing_and_null_fields)
{
	struct reckey k;
	struct buf b = BUF_INIT;
	const char *missing = NULL;
	json_t *absent = parse("{\"a\":1,\"b\":{}}");
	json_t *null = parse("{\"a\":1,\"b\":{\"c\":null}}");
	json_t *notobj = parse("{\"a\":1,\"b\":5}");
	json_t *arr;

	CHECK(reckey_parse(&k, "a,b.c") == 0);
	CHECK(reckey_build(&k, absent, &b, &missing) == -1);
	CHECK_STR(missing, "b.c");
	missing = NULL;
	CHECK(reckey_build(&k, null, &b, &missing) == -1);
	CHECK_STR(missing, "b.c");
	missing = NULL;
	CHECK(reckey_build(&k, notobj, &b, &missing) == -1);
	CHECK_STR(missing, "b.c");
	missing = NULL;
	arr = reckey_array(&k, null, &missing);
	CHECK(arr == NULL);
	CHECK_STR(missing, "b.c");
	reckey_release(&k);
	json_decref(absent);
	json_decref(null);
	json_decref(notobj);
	buf_release(&b);
}

TEST(buffer_maximum)
{
	struct reckey k;
	struct buf b = BUF_INIT_MAX(8);
	const char *missing;
	json_t *rec = parse("{\"a\":\"0123456789\"}");

	CHECK(reckey_parse(&k, "a") == 0);
	CHECK(reckey_build(&k, rec, &b, &missing) == -2);
	reckey_release(&k);
	json_decref(rec);
	buf_release(&b);
}

/* The ledger stores reckey_array(); joining it gives the record's bytes. */
TEST(join_matches_build)
{
	struct reckey k;
	struct buf b1 = BUF_INIT, b2 = BUF_INIT;
	const char *missing;
	json_t *rec = parse("{\"n\":\"5f3\",\"act\":{\"id\":8017},"
	                    "\"t\":\"v\"}");
	json_t *arr, *back;
	char *text;

	CHECK(reckey_parse(&k, "n,act.id,t") == 0);
	CHECK(reckey_build(&k, rec, &b1, &missing) == 0);
	arr = reckey_array(&k, rec, &missing);
	CHECK(arr != NULL && json_array_size(arr) == 3);
	/* Through text and back, as the ledger file does. */
	text = json_dumps(arr, JSON_COMPACT);
	CHECK_STR(text, "[\"5f3\",8017,\"v\"]");
	back = json_loads(text, 0, NULL);
	CHECK(reckey_join(back, &b2) == 0);
	CHECK(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0);
	CHECK(hash128_eq(reckey_hash(&b1), reckey_hash(&b2)));
	CHECK(reckey_join(rec, &b2) == -1); /* not an array */
	free(text);
	json_decref(arr);
	json_decref(back);
	json_decref(rec);
	reckey_release(&k);
	buf_release(&b1);
	buf_release(&b2);
}

int
main(void)
{
	RUN(parse_spec);
	RUN(parse_refuses_bad_specs);
	RUN(build_key_bytes);
	RUN(string_and_number_differ);
	RUN(all_kinds_of_values);
	RUN(missing_and_null_fields);
	RUN(buffer_maximum);
	RUN(join_matches_build);
	return harness_done();
}
