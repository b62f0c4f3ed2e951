/*
 * Unit tests for common/jsonpos.c: the place of values and keys found by
 * a JSON Pointer, columns counted in characters, escaped keys and escaped
 * pointer steps, arrays, the last of a duplicated key, pointers that lead
 * nowhere (the deepest place found), and jsonpos_at's line counting.
 */
#include <string.h>

#include "harness.h"
#include "jsonpos.h"

static const char doc[] = "{\n"
                          "  \"a\": {\"b\": [10, {\"c\": true}]},\n"
                          "  \"\\u00e9t\\u00e9\": \"summer\",\n"
                          "  \"x/y~z\": null,\n"
                          "  \"d\": 1, \"d\": \"last\"\n"
                          "}\n";

static struct jsonpos
at(const char *ptr, int key, int *rc)
{
	struct jsonpos p;

	*rc = jsonpos_find(doc, strlen(doc), ptr, key, &p);
	return p;
}

TEST(values_and_keys)
{
	int rc;
	struct jsonpos p;

	p = at("", 0, &rc);
	CHECK(rc == 0 && p.line == 1 && p.col == 1);
	p = at("/a", 0, &rc);
	CHECK(rc == 0 && p.line == 2 && p.col == 8);
	p = at("/a", 1, &rc);
	CHECK(rc == 0 && p.line == 2 && p.col == 3);
	p = at("/a/b", 1, &rc);
	CHECK(rc == 0 && p.line == 2 && p.col == 9);
	p = at("/a/b/1/c", 0, &rc);
	CHECK(rc == 0 && p.line == 2 && p.col == 25);
	/* An array item has no key: its value's place either way. */
	p = at("/a/b/0", 1, &rc);
	CHECK(rc == 0 && p.line == 2 && p.col == 15);
}

TEST(escapes_and_characters)
{
	int rc;
	struct jsonpos p;

	/* The key is written with \u escapes, the pointer in UTF-8. */
	p = at("/\xc3\xa9t\xc3\xa9", 0, &rc);
	CHECK(rc == 0 && p.line == 3 && p.col == 20);
	p = at("/x~1y~0z", 1, &rc);
	CHECK(rc == 0 && p.line == 4 && p.col == 3);
	/* The last of a key written twice, as jansson keeps it. */
	p = at("/d", 0, &rc);
	CHECK(rc == 0 && p.line == 5 && p.col == 16);
}

TEST(columns_count_characters)
{
	const char *t = "{\"\xc3\xa9\xc3\xa9\": 1, \"k\": 2}";
	struct jsonpos p;

	CHECK(jsonpos_find(t, strlen(t), "/k", 1, &p) == 0);
	CHECK(p.line == 1 && p.col == 11 && p.off == 12);
}

TEST(nowhere)
{
	int rc;
	struct jsonpos p;

	p = at("/a/nope", 0, &rc);
	CHECK(rc == -1 && p.line == 2 && p.col == 8);
	p = at("/a/b/7", 0, &rc);
	CHECK(rc == -1 && p.line == 2 && p.col == 14);
	p = at("/a/b/01", 0, &rc);
	CHECK(rc == -1);
	p = at("a", 0, &rc);
	CHECK(rc == -1 && p.line == 1 && p.col == 1);
	p = at("/d/x", 0, &rc);
	CHECK(rc == -1 && p.line == 5 && p.col == 16);
}

TEST(cut_text)
{
	const char *t = "{\"a\": [1, 2";
	struct jsonpos p;

	CHECK(jsonpos_find(t, strlen(t), "/a/5", 0, &p) == -1);
	CHECK(jsonpos_find(t, strlen(t), "/b", 0, &p) == -1);
	CHECK(jsonpos_find("", 0, "/b", 0, &p) == -1);
}

TEST(steps)
{
	struct buf b = BUF_INIT;

	CHECK(jsonpos_step(&b, "events", 6) == 0);
	CHECK(jsonpos_step(&b, "a/b~c", 5) == 0);
	CHECK_STR(b.data, "/events/a~1b~0c");
	buf_release(&b);
}

int
main(void)
{
	RUN(values_and_keys);
	RUN(escapes_and_characters);
	RUN(columns_count_characters);
	RUN(nowhere);
	RUN(cut_text);
	RUN(steps);
	return harness_done();
}
