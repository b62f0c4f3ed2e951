/*
 * Unit tests for common/jdoc.c: which lines are canonical, lookups by key
 * and dotted path, unescaping, changes spliced into the line; and the
 * promise the fast path rests on, checked on many random lines against
 * jansson itself: a line jdoc accepts is one jansson reads and writes back
 * byte for byte, and every compact dump of jansson's without reals is
 * accepted; and the limit on values, which stops the index growing.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "jdoc.h"

static int
canonical(const char *s)
{
	struct jdoc d;
	int rc;

	jdoc_init(&d);
	rc = jdoc_parse(&d, s, strlen(s));
	jdoc_release(&d);
	return rc == 0;
}

TEST(accepts_jansson_compact_form)
{
	CHECK(canonical("{}"));
	CHECK(canonical("{\"a\":1}"));
	CHECK(canonical("{\"a\":[],\"b\":{},\"c\":[1,\"x\",null,true,false]}"));
	CHECK(canonical("{\"\":\"\"}"));
	CHECK(canonical(
	    "{\"a\":-9223372036854775808,\"b\":9223372036854775807}"));
	CHECK(canonical("{\"a\":\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001F\"}"));
	CHECK(canonical("{\"a\":\"Zo\xc3\xab \xf0\x9f\x98\x80 / \x7f\"}"));
	CHECK(canonical("{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":2}}"));
}

TEST(refuses_other_forms)
{
	CHECK(!canonical(""));
	CHECK(!canonical("[]"));
	CHECK(!canonical("{"));
	CHECK(!canonical("{} "));
	CHECK(!canonical("{ }"));
	CHECK(!canonical("{\"a\": 1}"));
	CHECK(!canonical("{\"a\":1,}"));
	CHECK(!canonical("{\"a\":1,\"a\":2}"));
	CHECK(!canonical("{\"o\":{\"a\":1,\"a\":2}}"));
	CHECK(!canonical("{\"a\":1.5}"));
	CHECK(!canonical("{\"a\":1e2}"));
	CHECK(!canonical("{\"a\":-0}"));
	CHECK(!canonical("{\"a\":01}"));
	CHECK(!canonical("{\"a\":9223372036854775808}"));
	CHECK(!canonical("{\"a\":-9223372036854775809}"));
	CHECK(!canonical("{\"a\":\"\\/\"}"));
	CHECK(!canonical("{\"a\":\"\\u0041\"}"));
	CHECK(!canonical("{\"a\":\"\\u000a\"}"));
	CHECK(!canonical("{\"a\":\"\\u001f\"}"));
	CHECK(!canonical("{\"a\":\"\\u00e9\"}"));
	CHECK(!canonical("{\"a\":\"\\ud83d\\ude00\"}"));
	CHECK(!canonical("{\"\\u0000\":1}"));
	CHECK(!canonical("{\"a\":\"\x01\"}"));
	CHECK(!canonical("{\"a\":\"\xc3\"}"));
	CHECK(!canonical("{\"a\":\"\xed\xa0\x80\"}"));
	CHECK(!canonical("{\"a\":tru}"));
	CHECK(!canonical("{\"a\":\"x}"));
}

TEST(depth_limit)
{
	struct buf b = BUF_INIT;
	int i;

	buf_adds(&b, "{\"a\":");
	for (i = 0; i < JDOC_MAX_DEPTH - 2; i++)
		buf_addc(&b, '[');
	buf_addc(&b, '1');
	for (i = 0; i < JDOC_MAX_DEPTH - 2; i++)
		buf_addc(&b, ']');
	buf_addc(&b, '}');
	CHECK(canonical(b.data));
	buf_reset(&b);
	buf_adds(&b, "{\"a\":");
	for (i = 0; i < JDOC_MAX_DEPTH; i++)
		buf_addc(&b, '[');
	for (i = 0; i < JDOC_MAX_DEPTH; i++)
		buf_addc(&b, ']');
	buf_addc(&b, '}');
	CHECK(!canonical(b.data));
	buf_release(&b);
}

TEST(value_limit)
{
	static const char line[] = "{\"a\":[1,2],\"b\":{}}"; /* 5 values */
	struct buf b = BUF_INIT;
	struct jdoc d;
	int i;

	jdoc_init(&d);
	CHECK(d.max_values == 0);
	d.max_values = 5;
	CHECK(jdoc_parse(&d, line, strlen(line)) == 0 && d.n == 5);
	d.max_values = 4;
	CHECK(jdoc_parse(&d, line, strlen(line)) == JDOC_TOO_COMPLEX);
	/* Too complex is found before the reason the line is not canonical. */
	CHECK(jdoc_parse(&d, "{\"a\":[1,2,3,4,5.5]}", 19) == JDOC_TOO_COMPLEX);
	CHECK(jdoc_parse(&d, "{\"a\":1.5,\"b\":[1,2,3]}", 22) == -1);
	/* The limit outlives a release, and caps the index of a big line. */
	jdoc_release(&d);
	CHECK(d.max_values == 4);
	d.max_values = 100;
	buf_adds(&b, "{\"a\":[0");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, ",0");
	buf_adds(&b, "]}");
	CHECK(jdoc_parse(&d, b.data, b.len) == JDOC_TOO_COMPLEX);
	CHECK(d.cap <= 128);
	d.max_values = 0;
	CHECK(jdoc_parse(&d, b.data, b.len) == 0 && d.n == 100003);
	jdoc_release(&d);
	buf_release(&b);
}

TEST(lookups)
{
	static const char line[] = "{\"status\":\"registered\",\"n\":-12,"
	                           "\"details\":{\"voter-registration-method\":"
	                           "\"online\",\"x\":[1,2]},\"user\":null}";
	const struct jdoc_node *n;
	struct jdoc d;
	struct buf b = BUF_INIT;

	jdoc_init(&d);
	CHECK(jdoc_parse(&d, line, strlen(line)) == 0);
	n = jdoc_path(&d, "status");
	CHECK(n && n->type == JDOC_STRING);
	CHECK_STR(jdoc_cstr(&d, n, &b), "registered");
	n = jdoc_path(&d, "details.voter-registration-method");
	CHECK_STR(jdoc_cstr(&d, n, &b), "online");
	n = jdoc_path(&d, "details.x");
	CHECK(n && n->type == JDOC_ARRAY);
	CHECK_MEM(d.text + n->off, n->len, "[1,2]");
	n = jdoc_path(&d, "n");
	CHECK(n && n->type == JDOC_INT);
	CHECK_MEM(d.text + n->off, n->len, "-12");
	CHECK(jdoc_path(&d, "user")->type == JDOC_NULL);
	CHECK(jdoc_path(&d, "user.email") == NULL);
	CHECK(jdoc_path(&d, "status.x") == NULL);
	CHECK(jdoc_path(&d, "missing") == NULL);
	CHECK(jdoc_path(&d, "details.voter") == NULL);
	CHECK(jdoc_cstr(&d, jdoc_path(&d, "n"), &b) == NULL);
	CHECK(jdoc_cstr(&d, NULL, &b) == NULL);
	jdoc_release(&d);
	buf_release(&b);
}

TEST(unescaping)
{
	static const char line[] =
	    "{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001f\\u001Fg\\b\\f\\r\","
	    "\"z\":\"x\\u0000y\"}";
	struct jdoc d;
	struct buf b = BUF_INIT;

	jdoc_init(&d);
	CHECK(jdoc_parse(&d, line, strlen(line)) == 0);
	CHECK(jdoc_path(&d, "s")->escaped);
	CHECK_STR(jdoc_cstr(&d, jdoc_path(&d, "s"), &b), "a\"b\\c\nd\te\x01"
	                                                 "f\x1fg\b\f\r");
	buf_reset(&b);
	CHECK(jdoc_unescape(&d, jdoc_path(&d, "z"), &b) == 0);
	CHECK(b.len == 3 && memcmp(b.data, "x\0y", 3) == 0);
	/* As a C string, it ends at the NUL, as jansson's value does. */
	CHECK_STR(jdoc_cstr(&d, jdoc_path(&d, "z"), &b), "x");
	jdoc_release(&d);
	buf_release(&b);
}

/* Parses line, applies the sets (path, value pairs), writes the result. */
static int
edit(const char *line, const char *const *sets, size_t nsets, struct buf *out)
{
	struct jdoc d;
	size_t i;
	int rc = 0;

	jdoc_init(&d);
	buf_reset(out);
	if (jdoc_parse(&d, line, strlen(line)) < 0)
		rc = -2;
	for (i = 0; rc == 0 && i < nsets; i++)
		rc = jdoc_set(
		    &d, sets[2 * i], sets[2 * i + 1], strlen(sets[2 * i + 1]));
	if (rc == 0)
		rc = jdoc_write(&d, out);
	jdoc_release(&d);
	return rc;
}

TEST(setting_values)
{
	static const char line[] =
	    "{\"status\":\"registered\",\"user\":{\"email\":\"a@b.c\"},"
	    "\"empty\":{},\"n\":1}";
	static const char *const replace[] = {"status", "\"register-OVR\""};
	static const char *const add[] = {
	    "user.voter_registration_status", "\"confirmed\""};
	static const char *const both[] = {"user.voter_registration_status",
	    "\"confirmed\"", "status", "\"confirmed\""};
	static const char *const two_new[] = {
	    "empty.a", "1", "empty.b", "[2]", "c", "null"};
	static const char *const blocked[] = {"n.x", "1"};
	static const char *const no_parent[] = {"nothing.x", "1"};
	static const char *const overlap[] = {"user", "{}", "user.x", "1"};
	static const char *const twice[] = {"n", "2", "n", "3"};
	struct buf b = BUF_INIT;

	CHECK(edit(line, replace, 1, &b) == 0);
	CHECK_STR(b.data, "{\"status\":\"register-OVR\",\"user\":{\"email\":"
	                  "\"a@b.c\"},\"empty\":{},\"n\":1}\n");
	CHECK(edit(line, add, 1, &b) == 0);
	CHECK_STR(b.data,
	    "{\"status\":\"registered\",\"user\":{\"email\":\"a@b.c\","
	    "\"voter_registration_status\":\"confirmed\"},\"empty\":{},"
	    "\"n\":1}\n");
	CHECK(edit(line, both, 2, &b) == 0);
	CHECK_STR(b.data,
	    "{\"status\":\"confirmed\",\"user\":{\"email\":\"a@b.c\","
	    "\"voter_registration_status\":\"confirmed\"},\"empty\":{},"
	    "\"n\":1}\n");
	CHECK(edit(line, two_new, 3, &b) == 0);
	CHECK_STR(b.data,
	    "{\"status\":\"registered\",\"user\":{\"email\":\"a@b.c\"},"
	    "\"empty\":{\"a\":1,\"b\":[2]},\"n\":1,\"c\":null}\n");
	CHECK(edit(line, blocked, 1, &b) == -1);
	CHECK(edit(line, no_parent, 1, &b) == -1);
	CHECK(edit(line, overlap, 2, &b) == -1);
	CHECK(edit(line, twice, 2, &b) == -1);
	CHECK(edit("{}", add, 1, &b) == -1);
	buf_release(&b);
}

TEST(plain_paths)
{
	CHECK(jdoc_plain_path("details.voter-registration-method"));
	CHECK(jdoc_plain_path("email subscribed"));
	CHECK(jdoc_plain_path("Zo\xc3\xab"));
	CHECK(!jdoc_plain_path("a\"b"));
	CHECK(!jdoc_plain_path("a\\b"));
	CHECK(!jdoc_plain_path("a\tb"));
}

/* A small deterministic generator (xorshift64*). */
static uint64_t rng_state = 88172645463325252ull;

static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ull) >> 33) % n;
}

/*
 * A random string: ASCII, escapes, control bytes, UTF-8, and a NUL when nul
 * (not in keys: jansson reads no \u0000 in a key).
 */
static json_t *
random_string(int nul)
{
	static const char *const pieces[] = {"a", "status", "\"", "\\", "/",
	    "\n", "\t", "\x01", "\x1f", "\x7f", "\xc3\xab", "\xe2\x80\xa8",
	    "\xf0\x9f\x98\x80", " ", "0", "u", ":", ",", "{", "]"};
	char s[64];
	size_t n = 0, k;
	unsigned i, len = rnd(6);

	const char *p;

	for (i = 0; i < len; i++) {
		p = pieces[rnd(20)];
		k = strlen(p);
		memcpy(s + n, p, k);
		n += k;
	}
	if (nul && rnd(20) == 0)
		s[n++] = '\0';
	return json_stringn(s, n);
}

static json_t *
random_value(int depth)
{
	static const long long ints[] = {
	    0, 1, -1, 954, 9223372036854775807ll, -9223372036854775807ll - 1};
	json_t *v;
	unsigned i, n;

	switch (depth > 3 ? rnd(5) : rnd(7)) {
	case 0:
		return random_string(1);
	case 1:
		return json_integer(ints[rnd(6)]);
	case 2:
		return json_null();
	case 3:
		return json_boolean(rnd(2));
	case 4:
		return json_integer((long long)rnd(100000) - 50000);
	case 5:
		v = json_array();
		for (i = 0, n = rnd(4); i < n; i++)
			json_array_append_new(v, random_value(depth + 1));
		return v;
	default:
		v = json_object();
		for (i = 0, n = rnd(5); i < n; i++) {
			json_t *k = random_string(0);
			json_object_setn_new(v, json_string_value(k),
			    json_string_length(k), random_value(depth + 1));
			json_decref(k);
		}
		return v;
	}
}

/*
 * Whether jansson, reading text, writes it back byte for byte (the promise
 * behind every line jdoc accepts).
 */
static int
jansson_round_trips(const char *text, size_t n)
{
	json_t *v = json_loadb(text, n, JSON_ALLOW_NUL, NULL);
	char *out;
	int same;

	if (v == NULL || !json_is_object(v)) {
		json_decref(v);
		return 0;
	}
	out = json_dumps(v, JSON_COMPACT);
	same = out && strlen(out) == n && memcmp(out, text, n) == 0;
	free(out);
	json_decref(v);
	return same;
}

TEST(random_lines_against_jansson)
{
	struct jdoc d;
	json_t *v;
	char *text, *mut;
	size_t n, k;
	int i, m, accepted = 0, mutants = 0, bad = 0;

	jdoc_init(&d);
	for (i = 0; i < 3000; i++) {
		v = json_object();
		json_object_set_new(v, "r", random_value(0));
		json_object_set_new(v, "s", random_value(1));
		text = json_dumps(v, JSON_COMPACT);
		json_decref(v);
		n = strlen(text);
		/* jansson's own dumps hold no reals here: all canonical. */
		if (jdoc_parse(&d, text, n) != 0) {
			bad++;
			fprintf(stderr, "refused: %s\n", text);
		}
		/* Mutants: whatever jdoc accepts must round-trip. */
		mut = xmalloc(n + 1);
		for (m = 0; m < 20; m++) {
			memcpy(mut, text, n + 1);
			k = rnd((unsigned)n);
			mut[k] = "\"\\{}[],:0-1eu \x01\xc3\x80"
			         "aF/"[rnd(20)];
			if (jdoc_parse(&d, mut, n) == 0) {
				mutants++;
				if (!jansson_round_trips(mut, n)) {
					bad++;
					fprintf(stderr, "accepted: %s\n", mut);
				}
			}
		}
		free(mut);
		accepted++;
		free(text);
	}
	jdoc_release(&d);
	CHECK(bad == 0);
	CHECK(accepted == 3000);
	CHECK(mutants > 1000); /* the mutants test something */
}

int
main(void)
{
	RUN(accepts_jansson_compact_form);
	RUN(refuses_other_forms);
	RUN(depth_limit);
	RUN(value_limit);
	RUN(lookups);
	RUN(unescaping);
	RUN(setting_values);
	RUN(plain_paths);
	RUN(random_lines_against_jansson);
	return harness_done();
}
