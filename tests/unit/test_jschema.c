/*
 * Unit tests for common/jschema: refusals and their pointers, each
 * keyword, violations (every one, with its path and keyword), and the jdoc
 * entry points giving the jansson path's answers.
 */
#include "harness.h"
#include "jdoc.h"
#include "jschema.h"

static struct jschema *
compile(const char *text, struct jschema_error *err)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	struct jschema *s;

	if (j == NULL) {
		fprintf(stderr, "bad test schema: %s: %s\n", text, je.text);
		return NULL;
	}
	s = jschema_compile(j, err);
	json_decref(j);
	return s;
}

/* The refusal of a schema as "POINTER: MESSAGE", or "(compiled)". */
static const char *
refused(const char *text)
{
	static char out[800];
	struct jschema_error err;
	struct jschema *s = compile(text, &err);

	if (s) {
		jschema_free(s);
		return "(compiled)";
	}
	snprintf(out, sizeof(out), "%s: %s", err.pointer, err.message);
	return out;
}

static void
collect(const struct jschema_violation *v, void *ctx)
{
	struct buf *b = ctx;

	buf_printf(b, "%s%s %s", b->len ? "; " : "", v->path, v->keyword);
}

/*
 * Every violation of value as "PATH KEYWORD; ..." ("" when it is valid),
 * checked against jschema_ok() and, when the value is an object written
 * canonically, against the jdoc entry points.
 */
static const char *
violations(const char *schema, const char *value)
{
	static char out[2000];
	struct buf b = BUF_INIT, b2 = BUF_INIT;
	struct jschema *s = compile(schema, NULL);
	json_t *v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	size_t n;
	struct jdoc d;

	if (s == NULL || v == NULL)
		return "(bad test)";
	n = jschema_check(s, v, collect, &b);
	CHECK((n == 0) == jschema_ok(s, v));
	snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	jdoc_init(&d);
	if (jdoc_parse(&d, value, strlen(value)) == 0) {
		CHECK(jschema_check_jdoc(s, &d, 0, collect, &b2) == n);
		CHECK_STR(b2.data ? b2.data : "", out);
		CHECK(jschema_ok_jdoc(s, &d, 0) == (n == 0));
	}
	jdoc_release(&d);
	buf_release(&b);
	buf_release(&b2);
	json_decref(v);
	jschema_free(s);
	return out;
}

static int
ok(const char *schema, const char *value)
{
	return violations(schema, value)[0] == '\0';
}

TEST(refusals_name_the_keyword)
{
	CHECK_STR(refused("{\"patern\":\"x\"}"), "/patern: unknown keyword "
	                                         "\"patern\"");
	CHECK_STR(refused("{\"properties\":{\"a\":{\"anyOf\":[]}}}"),
	    "/properties/a/anyOf: keyword \"anyOf\" is not in the subset");
	CHECK_STR(refused("{\"$ref\":\"#\"}"),
	    "/$ref: keyword \"$ref\" is not in the subset");
	CHECK_STR(refused("{\"items\":{\"if\":true}}"),
	    "/items/if: keyword \"if\" is not in the subset");
	CHECK_STR(refused("{\"additionalProperties\":{\"not\":{}}}"),
	    "/additionalProperties/not: keyword \"not\" is not in the subset");
	CHECK_STR(refused("{\"properties\":{\"a/b~c\":{\"x\":1}}}"),
	    "/properties/a~1b~0c/x: unknown keyword \"x\"");
	CHECK_STR(refused("{\"items\":[{}]}"),
	    "/items: items as a list of schemas is not in the subset (one "
	    "schema is)");
	CHECK_STR(refused("{\"format\":\"hostname\"}"),
	    "/format: format \"hostname\" is not supported (date-time, date, "
	    "email, uuid, uri are)");
	CHECK_STR(refused("{\"properties\":{\"p\":{\"pattern\":\"a(?=b)\"}}}"),
	    "/properties/p/pattern: lookahead is not supported (at offset 1)");
	CHECK(
	    strstr(refused("{\"pattern\":\"\\\\bx\"}"), "/pattern: ") != NULL);
	CHECK(strstr(refused("{\"pattern\":\"(?<n>x)\"}"), "named") != NULL);
	CHECK(strstr(refused("{\"pattern\":\"x+?\"}"), "lazy") != NULL);
	CHECK(
	    strstr(refused("{\"pattern\":\"(x)\\\\1\"}"), "back-ref") != NULL);
	CHECK(
	    strstr(refused("{\"pattern\":\"\\\\p{L}\"}"), "property") != NULL);
}

TEST(refusals_of_wrong_kinds)
{
	CHECK_STR(refused("3"), ": a schema must be an object or a boolean");
	CHECK_STR(refused("{\"properties\":{\"a\":3}}"),
	    "/properties/a: a schema must be an object or a boolean");
	CHECK_STR(refused("{\"type\":\"text\"}"), "/type: an unknown type "
	                                          "\"text\"");
	CHECK_STR(refused("{\"type\":[]}"),
	    "/type: a type name or a non-empty list of them is required");
	CHECK_STR(refused("{\"type\":[\"null\",\"null\"]}"),
	    "/type: type \"null\" listed twice");
	CHECK_STR(refused("{\"required\":\"a\"}"),
	    "/required: a list of property names is required");
	CHECK_STR(refused("{\"required\":[\"a\",\"a\"]}"),
	    "/required: \"a\" listed twice");
	CHECK_STR(refused("{\"properties\":[]}"),
	    "/properties: an object of schemas is required");
	CHECK_STR(refused("{\"additionalProperties\":1}"),
	    "/additionalProperties: a schema must be an object or a boolean");
	CHECK_STR(refused("{\"enum\":1}"), "/enum: a list of values is "
	                                   "required");
	CHECK_STR(refused("{\"pattern\":1}"), "/pattern: a string is required");
	CHECK_STR(refused("{\"minLength\":-1}"),
	    "/minLength: a non-negative integer is required");
	CHECK_STR(refused("{\"maxItems\":1.5}"),
	    "/maxItems: a non-negative integer is required");
	CHECK_STR(refused("{\"minimum\":\"1\"}"), "/minimum: a number is "
	                                          "required");
	CHECK_STR(refused("{\"description\":1}"),
	    "/description: a string is required");
	CHECK_STR(refused("{\"examples\":1}"), "/examples: a list is required");
	CHECK_STR(refused("{\"format\":1}"), "/format: a string is required");
}

TEST(annotations_and_booleans)
{
	CHECK_STR(refused("{\"description\":\"d\",\"title\":\"t\",\"examples\":"
	                  "[1],\"default\":{\"x\":1},\"$comment\":\"c\","
	                  "\"maxLength\":2.0}"),
	    "(compiled)");
	CHECK(ok("true", "{\"a\":1}"));
	CHECK(ok("{}", "[1,\"x\",null]"));
	CHECK_STR(violations("false", "{}"), " false");
	CHECK_STR(violations("{\"properties\":{\"a\":false}}", "{\"a\":1}"),
	    "/a false");
}

TEST(type)
{
	CHECK(ok("{\"type\":\"integer\"}", "1"));
	CHECK(ok("{\"type\":\"integer\"}", "1.0"));
	CHECK(!ok("{\"type\":\"integer\"}", "1.5"));
	CHECK(ok("{\"type\":\"number\"}", "1.5"));
	CHECK(!ok("{\"type\":\"number\"}", "\"1\""));
	CHECK(ok("{\"type\":[\"string\",\"null\"]}", "null"));
	CHECK(!ok("{\"type\":[\"string\",\"null\"]}", "false"));
	CHECK(ok("{\"type\":\"boolean\"}", "false"));
	CHECK(ok("{\"type\":\"array\"}", "[]"));
	CHECK(!ok("{\"type\":\"object\"}", "[]"));
	CHECK_STR(violations("{\"properties\":{\"a\":{\"type\":\"string\"}}}",
	              "{\"a\":5}"),
	    "/a type");
}

TEST(required_properties_additional)
{
	const char *s = "{\"type\":\"object\",\"required\":[\"a\",\"b\"],"
	                "\"properties\":{\"a\":{\"type\":\"string\"},"
	                "\"c\":{\"type\":\"integer\"}},"
	                "\"additionalProperties\":false}";

	CHECK(ok(s, "{\"a\":\"x\",\"b\":1}") == 0); /* b is not listed */
	CHECK_STR(
	    violations(s, "{\"a\":\"x\",\"b\":1}"), " additionalProperties");
	CHECK_STR(violations(s, "{\"c\":\"no\",\"z\":1}"),
	    " required;  required; /c type;  additionalProperties");
	CHECK(ok("{\"additionalProperties\":{\"type\":\"integer\"},"
	         "\"properties\":{\"a\":{}}}",
	    "{\"a\":\"s\",\"b\":1}"));
	CHECK_STR(
	    violations("{\"additionalProperties\":{\"type\":\"integer\"}}",
	        "{\"a\":1,\"b\":\"x\"}"),
	    "/b type");
	/* Properties apply only to objects; required too. */
	CHECK(ok("{\"required\":[\"a\"]}", "[1]"));
	CHECK(ok("{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{}"));
	/* A name JSON Pointer escapes. */
	CHECK_STR(violations("{\"properties\":{\"a/b\":{\"type\":\"string\"},"
	                     "\"t~\":{\"type\":\"string\"}}}",
	              "{\"a/b\":1,\"t~\":2}"),
	    "/a~1b type; /t~0 type");
	/* Many properties: the hash table finds each one. */
	CHECK_STR(
	    violations("{\"properties\":{\"p0\":{},\"p1\":{},\"p2\":{},"
	               "\"p3\":{},\"p4\":{},\"p5\":{},\"p6\":{},\"p7\":{},"
	               "\"p8\":{\"type\":\"null\"}},"
	               "\"additionalProperties\":false}",
	        "{\"p8\":1,\"p3\":1,\"q\":1,\"p0\":1}"),
	    "/p8 type;  additionalProperties");
}

TEST(enum_and_const)
{
	CHECK(ok("{\"enum\":[\"web\",\"sms\"]}", "\"sms\""));
	CHECK_STR(
	    violations("{\"enum\":[\"web\",\"sms\"]}", "\"fax\""), " enum");
	CHECK(ok("{\"enum\":[1]}", "1.0"));
	CHECK(ok("{\"enum\":[1.0]}", "1"));
	CHECK(!ok("{\"enum\":[1]}", "true"));
	CHECK(!ok("{\"enum\":[0]}", "false"));
	CHECK(ok("{\"const\":{\"a\":[1,{\"b\":null}],\"c\":\"d\"}}",
	    "{\"c\":\"d\",\"a\":[1.0,{\"b\":null}]}"));
	CHECK(!ok("{\"const\":{\"a\":1}}", "{\"a\":1,\"b\":2}"));
	CHECK(!ok("{\"const\":[1,2]}", "[2,1]"));
	CHECK(!ok("{\"const\":\"a\"}", "\"a \""));
	CHECK(ok("{\"const\":null}", "null"));
	CHECK_STR(violations("{\"const\":2}", "3"), " const");
	CHECK(ok("{\"enum\":[\"a\\u0000b\"]}", "\"a\\u0000b\""));
	CHECK(!ok("{\"enum\":[\"a\\u0000b\"]}", "\"a\\u0000c\""));
}

TEST(strings)
{
	CHECK(ok("{\"minLength\":2,\"maxLength\":3}",
	    "\"\xf0\x9f\x92\xa9\xc3\xa9\""));
	CHECK_STR(violations("{\"minLength\":2}", "\"\xf0\x9f\x92\xa9\""),
	    " minLength");
	CHECK_STR(violations("{\"maxLength\":1}", "\"ab\""), " maxLength");
	CHECK(ok("{\"maxLength\":1}", "12345"));
	CHECK(ok("{\"pattern\":\"^[a-z_]+$\"}", "\"sign_up\""));
	CHECK_STR(
	    violations("{\"pattern\":\"^[a-z_]+$\"}", "\"Sign\""), " pattern");
	CHECK(ok("{\"pattern\":\"b\"}", "\"abc\"")); /* not anchored */
	CHECK(ok("{\"pattern\":\"^.$\"}", "\"\xe6\xbc\xa2\""));
	CHECK(ok("{\"format\":\"uuid\"}",
	    "\"0b6e6f2c-6c1f-4a51-9b4e-9a3c2f1d7e10\""));
	CHECK_STR(violations(
	              "{\"format\":\"date-time\"}", "\"2026-02-30T00:00:00Z\""),
	    " format");
	CHECK(ok("{\"format\":\"email\"}", "3"));
	CHECK_STR(violations("{\"format\":\"email\",\"maxLength\":3,"
	                     "\"pattern\":\"^x\"}",
	              "\"abcd\""),
	    " maxLength;  format;  pattern");
}

TEST(numbers)
{
	CHECK(ok("{\"minimum\":1,\"maximum\":3}", "1"));
	CHECK(ok("{\"minimum\":1,\"maximum\":3}", "3.0"));
	CHECK_STR(violations("{\"minimum\":1.5}", "1"), " minimum");
	CHECK_STR(violations("{\"maximum\":3}", "3.0001"), " maximum");
	CHECK_STR(
	    violations("{\"exclusiveMinimum\":1}", "1"), " exclusiveMinimum");
	CHECK(ok("{\"exclusiveMinimum\":1}", "1.0001"));
	CHECK_STR(
	    violations("{\"exclusiveMaximum\":1}", "1.0"), " exclusiveMaximum");
	CHECK(ok("{\"exclusiveMaximum\":1}", "0"));
	CHECK(ok("{\"minimum\":5}", "\"1\""));
	/* Exact at the int64 edge (a double would round). */
	CHECK(!ok("{\"maximum\":9007199254740992}", "9007199254740993"));
	CHECK(ok("{\"minimum\":-9223372036854775808}", "-9223372036854775808"));
}

TEST(arrays)
{
	CHECK(ok("{\"items\":{\"type\":\"integer\"},\"minItems\":1}", "[1,2]"));
	CHECK_STR(
	    violations("{\"items\":{\"type\":\"integer\"},\"maxItems\":2}",
	        "[1,\"a\",3,\"b\"]"),
	    " maxItems; /1 type; /3 type");
	CHECK_STR(violations("{\"minItems\":1}", "[]"), " minItems");
	CHECK(ok("{\"items\":false}", "[]"));
	CHECK_STR(violations("{\"items\":false}", "[1]"), "/0 false");
	CHECK(ok("{\"minItems\":3}", "{}"));
}

TEST(every_violation_nested)
{
	const char *s =
	    "{\"properties\":{\"properties\":{\"type\":\"object\","
	    "\"required\":[\"method\"],\"properties\":{\"method\":{\"enum\":"
	    "[\"web\",\"sms\"]},\"interests\":{\"type\":\"array\",\"items\":"
	    "{\"type\":\"string\",\"maxLength\":4}}},"
	    "\"additionalProperties\":false}}}";

	CHECK_STR(violations(s, "{\"properties\":{\"method\":\"fax\","
	                        "\"interests\":[\"vote\",\"climate\",7],"
	                        "\"x\":1}}"),
	    "/properties/method enum; /properties/interests/1 maxLength; "
	    "/properties/interests/2 type; /properties additionalProperties");
	CHECK_STR(violations(s, "{\"properties\":{}}"), "/properties required");
}

static void
keep_message(const struct jschema_violation *v, void *ctx)
{
	buf_printf(ctx, "%s|", v->message);
}

TEST(messages)
{
	struct jschema *s =
	    compile("{\"properties\":{\"m\":{\"enum\":[\"web\"]},"
	            "\"n\":{\"type\":[\"string\",\"null\"]}},"
	            "\"required\":[\"r\"],"
	            "\"additionalProperties\":false}",
	        NULL);
	json_t *v = json_loads("{\"m\":\"fax\",\"n\":1,\"z\":true}", 0, NULL);
	struct buf b = BUF_INIT;

	CHECK(jschema_check(s, v, keep_message, &b) == 4);
	CHECK_STR(b.data, "\"r\" is required|\"fax\" is not one of the allowed "
	                  "values|integer is not of type null or string|"
	                  "property \"z\" is not allowed|");
	CHECK(jschema_check(s, v, NULL, NULL) == 4);
	buf_release(&b);
	json_decref(v);
	jschema_free(s);
}

TEST(jdoc_escapes_and_nodes)
{
	struct jschema *s = compile("{\"properties\":{\"a\\\"b\":{\"const\":"
	                            "\"x\\ny\"},\"q\":{\"maxLength\":3}},"
	                            "\"additionalProperties\":false}",
	    NULL);
	const char *line = "{\"a\\\"b\":\"x\\ny\",\"q\":\"\\u001F\\t\"}";
	struct jdoc d;

	jdoc_init(&d);
	CHECK(jdoc_parse(&d, line, strlen(line)) == 0);
	CHECK(jschema_ok_jdoc(s, &d, 0));
	jschema_free(s);
	/* A node below the root: "q", two characters once unescaped. */
	s = compile("{\"maxLength\":1}", NULL);
	CHECK(jschema_ok_jdoc(s, &d, d.nodes[d.nodes[0].child].next) == 0);
	jschema_free(s);
	s = compile("{\"maxLength\":2,\"pattern\":\"^\\\\u001f\\\\s$\"}", NULL);
	CHECK(jschema_ok_jdoc(s, &d, d.nodes[d.nodes[0].child].next) == 1);
	jdoc_release(&d);
	jschema_free(s);
}

int
main(void)
{
	RUN(refusals_name_the_keyword);
	RUN(refusals_of_wrong_kinds);
	RUN(annotations_and_booleans);
	RUN(type);
	RUN(required_properties_additional);
	RUN(enum_and_const);
	RUN(strings);
	RUN(numbers);
	RUN(arrays);
	RUN(every_violation_nested);
	RUN(messages);
	RUN(jdoc_escapes_and_nodes);
	return harness_done();
}
