/*
 * Unit tests for common/dictionary.c: every refusal of the loader, each
 * with its exact message and the line and column it names (a table of bad
 * dictionaries, each the small good one below with one change), the
 * shipped dictionary loading, and the checker: flag, omit and block, the
 * metadata's required and identity rules, an unknown event, a property
 * not listed, observe (apply=0) changing nothing, the reason in words.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dictionary.h"
#include "harness.h"
#include "jdoc.h"

static const char base[] =
    "{\"violation\": \"block\",\n"
    " \"conversions\": [\"signup\"],\n"
    " \"metadata\": {\"description\": \"m\",\n"
    "  \"required\": [\"event\"],\n"
    "  \"identity\": [\"event\"],\n"
    "  \"properties\": {\n"
    "   \"event\": {\"description\": \"e\", \"schema\": {\"type\": \"string\"}},\n"
    "   \"properties\": {\"description\": \"p\", \"schema\": {\"type\": \"object\"}}}},\n"
    " \"events\": {\n"
    "  \"signup\": {\"description\": \"s\", \"required\": [\"method\"], \"properties\": {\n"
    "   \"method\": {\"description\": \"how\", \"schema\": {\"enum\": [\"email\"]}}}}}}\n";

struct refusal {
	const char *name, *old, *new, *message; /* message after the path */
};

static const struct refusal refusals[] = {
    {"unknown_top", "\"violation\": \"block\"", "\"violations\": \"block\"",
        ":1:2: violations: unknown key (the dictionary has about, version, violation, unknown_event, conversions, metadata, events)"},
    {"bad_action", "\"violation\": \"block\"", "\"violation\": \"drop\"",
        ":1:15: violation: not \"flag\", \"omit\" or \"block\""},
    {"unknown_event_omit", "\"violation\": \"block\"",
        "\"unknown_event\": \"omit\"",
        ":1:19: unknown_event: not \"block\" or \"flag\""},
    {"version", "\"violation\": \"block\"", "\"version\": 2",
        ":1:13: version: this validate reads version 1"},
    {"conversion_unlisted", "[\"signup\"]", "[\"signup\", \"trial\"]",
        ":2:28: conversions[1]: \"trial\" is not an event of the dictionary"},
    {"meta_key", "\"required\": [\"event\"]", "\"require\": [\"event\"]",
        ":4:3: metadata.require: unknown key (the metadata has description, required, identity, properties)"},
    {"meta_required_unlisted", "\"required\": [\"event\"]",
        "\"required\": [\"event\", \"time\"]",
        ":4:25: metadata.required[1]: \"time\" is not a property of the metadata"},
    {"identity_not_list", "\"identity\": [\"event\"]",
        "\"identity\": \"event\"", ":5:15: metadata.identity: a list of names"},
    {"meta_no_description", "\"description\": \"m\",", "",
        ":3:14: metadata: no \"description\": every event and every rule says what it means"},
    {"meta_needs_properties", "\"properties\": {\"description\": \"p\"",
        "\"props\": {\"description\": \"p\"",
        ":6:17: metadata.properties: no rule for \"properties\": every event has one"},
    {"rule_key", "\"description\": \"how\", \"schema\"",
        "\"description\": \"how\", \"shema\"",
        ":11:37: events.signup.properties.method.shema: unknown key (a rule has description, schema, violation)"},
    {"columns_in_characters", "\"description\": \"how\", \"schema\"",
        "\"description\": \"hôw à —\", \"shema\"",
        ":11:41: events.signup.properties.method.shema: unknown key (a rule has description, schema, violation)"},
    {"rule_no_schema",
        "\"description\": \"how\", \"schema\": {\"enum\": [\"email\"]}",
        "\"description\": \"how\"",
        ":11:14: events.signup.properties.method: no \"schema\": a rule says what its values must be"},
    {"rule_empty_description", "\"description\": \"how\"",
        "\"description\": \"\"",
        ":11:30: events.signup.properties.method.description: a description is a string, not empty"},
    {"rule_no_description", "{\"description\": \"how\", ", "{",
        ":11:14: events.signup.properties.method: no \"description\": every event and every rule says what it means"},
    {"rule_violation", "\"schema\": {\"enum\": [\"email\"]}",
        "\"schema\": {\"enum\": [\"email\"]}, \"violation\": \"warn\"",
        ":11:81: events.signup.properties.method.violation: not \"flag\", \"omit\" or \"block\""},
    {"rule_not_object",
        "\"method\": {\"description\": \"how\", \"schema\": {\"enum\": [\"email\"]}}",
        "\"method\": true",
        ":11:14: events.signup.properties.method: a rule is an object: description, schema, violation"},
    {"schema_keyword", "{\"enum\": [\"email\"]}",
        "{\"enum\": [\"email\"], \"patern\": \"x\"}",
        ":11:67: events.signup.properties.method.schema.patern: unknown keyword \"patern\""},
    {"schema_ref", "{\"type\": \"object\"}", "{\"$ref\": \"#/x\"}",
        ":8:50: metadata.properties.properties.schema.$ref: keyword \"$ref\" is not in the subset"},
    {"schema_lookahead", "{\"type\": \"string\"}",
        "{\"type\": \"string\", \"pattern\": \"^(?=a)\"}",
        ":7:63: metadata.properties.event.schema.pattern: lookahead is not supported (at offset 1)"},
    {"schema_bad_type", "{\"type\": \"string\"}",
        "{\"type\": [\"string\", \"strin\"]}",
        ":7:45: metadata.properties.event.schema.type: an unknown type \"strin\""},
    {"property_name", "\"method\": {", "\"Method\": {",
        ":11:4: events.signup.properties.Method: a property's name is snake_case (^[a-z][a-z0-9_]*$)"},
    {"event_name", "\"signup\": {", "\"sign-up\": {",
        ":10:3: events.sign-up: an event's name is snake_case (^[a-z][a-z0-9_]*$)"},
    {"event_key", "\"required\": [\"method\"]", "\"requires\": [\"method\"]",
        ":10:34: events.signup.requires: unknown key (an event has description, violation, additionalProperties, required, properties)"},
    {"event_required_unlisted", "\"required\": [\"method\"]",
        "\"required\": [\"methd\"]",
        ":10:47: events.signup.required[0]: \"methd\" is not a property of the event"},
    {"event_no_description", "\"signup\": {\"description\": \"s\", ",
        "\"signup\": {",
        ":10:13: events.signup: no \"description\": every event and every rule says what it means"},
    {"event_additional", "\"required\": [\"method\"]",
        "\"additionalProperties\": \"no\"",
        ":10:58: events.signup.additionalProperties: true or false"},
    {"no_metadata",
        "\"metadata\": {\"description\": \"m\",\n  \"required\": [\"event\"],\n  \"identity\": [\"event\"],\n  \"properties\": {\n   \"event\": {\"description\": \"e\", \"schema\": {\"type\": \"string\"}},\n   \"properties\": {\"description\": \"p\", \"schema\": {\"type\": \"object\"}}}},",
        "", ":1:1: metadata: missing: the rules every event keeps"},
    {"no_events",
        ",\n \"events\": {\n  \"signup\": {\"description\": \"s\", \"required\": [\"method\"], \"properties\": {\n   \"method\": {\"description\": \"how\", \"schema\": {\"enum\": [\"email\"]}}}}}}",
        "}", ":1:1: events: missing: the events, NAME: {...}"},
    {"duplicate_key", "\"violation\": \"block\"",
        "\"violation\": \"block\", \"violation\": \"flag\"",
        ":1:34: duplicate object key near '\"violation\"'"},
    {"not_json", "\"violation\": \"block\",", "\"violation\": \"block\"",
        ":2:14: '}' expected near '\"conversions\"'"},
};

/* base with the first old replaced by new, in a temporary file. */
static void
write_variant(char *path, const char *old, const char *new)
{
	struct buf b = BUF_INIT;
	const char *at = strstr(base, old);

	CHECK(at != NULL);
	if (at == NULL)
		at = base + strlen(base), old = "";
	buf_add(&b, base, (size_t)(at - base));
	buf_adds(&b, new);
	buf_adds(&b, at + strlen(old));
	CHECK(harness_tmpfile(path, b.data, b.len) == 0);
	buf_release(&b);
}

static struct dictionary *
load_text(const char *text, struct buf *why)
{
	char path[sizeof(HARNESS_TMP)];
	struct dictionary *d;

	CHECK(harness_tmpfile(path, text, strlen(text)) == 0);
	d = dictionary_load(path, why);
	unlink(path);
	return d;
}

TEST(refusals_at_their_place)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf why = BUF_INIT;
	struct dictionary *d;
	size_t i, n = strlen(HARNESS_TMP);

	for (i = 0; i < sizeof(refusals) / sizeof(*refusals); i++) {
		write_variant(path, refusals[i].old, refusals[i].new);
		d = dictionary_load(path, &why);
		CHECK(d == NULL);
		CHECK(errno == 0);
		if (why.data == NULL || strncmp(why.data, path, n) != 0 ||
		    strcmp(why.data + n, refusals[i].message) != 0) {
			fprintf(stderr, "%s: got \"%s\"\n", refusals[i].name,
			    why.data ? why.data : "(null)");
			CHECK(0);
		}
		dictionary_free(d);
		unlink(path);
	}
	buf_release(&why);
}

TEST(the_base_and_the_shipped_dictionary_load)
{
	struct buf why = BUF_INIT;
	struct dictionary *d = load_text(base, &why);

	CHECK(d != NULL);
	dictionary_free(d);
	d = dictionary_load(SLUICE_DICTIONARY, &why);
	CHECK(d != NULL);
	if (d == NULL)
		fprintf(stderr, "%s\n", why.data);
	CHECK(d && dictionary_converts(d, "signup"));
	CHECK(d && !dictionary_converts(d, "pageview"));
	dictionary_free(d);
	buf_release(&why);
}

TEST(a_missing_file)
{
	struct buf why = BUF_INIT;

	CHECK(dictionary_load("/nonexistent/dictionary.json", &why) == NULL);
	CHECK(errno == ENOENT);
	CHECK_STR(why.data,
	    "/nonexistent/dictionary.json: No such file or directory");
	buf_release(&why);
}

/* A dictionary for the checker: one rule of each action. */
static const char checked[] =
    "{\"violation\": \"block\", \"unknown_event\": \"flag\",\n"
    " \"metadata\": {\"description\": \"m\", \"required\": [\"event\"],\n"
    "  \"identity\": [\"member_id\", \"anonymous_id\"],\n"
    "  \"properties\": {\n"
    "   \"event\": {\"description\": \"e\", \"schema\": {\"type\": "
    "\"string\"}},\n"
    "   \"member_id\": {\"description\": \"mi\", \"schema\": {\"type\": "
    "[\"string\", \"null\"]}},\n"
    "   \"anonymous_id\": {\"description\": \"ai\", \"schema\": {\"type\": "
    "[\"string\", \"null\"]}},\n"
    "   \"ref\": {\"description\": \"r\", \"schema\": {\"type\": "
    "\"string\"}, \"violation\": \"omit\"},\n"
    "   \"properties\": {\"description\": \"p\", \"schema\": {\"type\": "
    "\"object\"}}}},\n"
    " \"events\": {\"signup\": {\"description\": \"s\", "
    "\"additionalProperties\": false, \"violation\": \"flag\",\n"
    "   \"required\": [\"method\"], \"properties\": {\n"
    "   \"method\": {\"description\": \"how\", \"schema\": {\"enum\": "
    "[\"email\"]}, \"violation\": \"block\"},\n"
    "   \"tags\": {\"description\": \"t\", \"schema\": {\"type\": "
    "\"array\", \"items\": {\"type\": \"string\"}}},\n"
    "   \"email\": {\"description\": \"em\", \"schema\": {\"type\": "
    "\"string\"}, \"violation\": \"omit\"}}}}}\n";

/* Checks ev (JSON text); returns the blocked flag, *out the event after
 * and *viol the violations (both compact JSON, freed by the caller). */
static int
run(const struct dictionary *d, const char *ev, int apply, char **out,
    char **viol)
{
	json_t *e = json_loads(ev, 0, NULL), *v = json_array();
	int blocked = dictionary_check(d, e, v, apply);

	*out = json_dumps(e, JSON_COMPACT);
	*viol = json_dumps(v, JSON_COMPACT);
	json_decref(e);
	json_decref(v);
	return blocked;
}

TEST(checks)
{
	struct buf why = BUF_INIT;
	struct dictionary *d = load_text(checked, &why);
	char *out, *viol;

	CHECK(d != NULL);
	if (d == NULL) {
		fprintf(stderr, "%s\n", why.data);
		return;
	}
	/* Valid: nothing recorded, nothing changed. */
	CHECK(run(d,
	          "{\"event\":\"signup\",\"member_id\":\"m\",\"_meta\":1,"
	          "\"properties\":{\"method\":\"email\"}}",
	          1, &out, &viol) == 0);
	CHECK_STR(viol, "[]");
	free(out), free(viol);
	/* Flag and omit: the omitted ones gone, all recorded. */
	CHECK(run(d,
	          "{\"event\":\"signup\",\"anonymous_id\":\"a\",\"ref\":1,"
	          "\"properties\":{\"method\":\"email\",\"tags\":[\"x\",2],"
	          "\"email\":3,\"colour\":\"red\"}}",
	          1, &out, &viol) == 0);
	CHECK_STR(out,
	    "{\"event\":\"signup\",\"anonymous_id\":\"a\","
	    "\"properties\":{\"method\":\"email\",\"tags\":[\"x\",2],"
	    "\"colour\":\"red\"}}");
	CHECK_STR(viol,
	    "[{\"event\":\"signup\",\"field\":\"ref\",\"rule\":\"type\","
	    "\"action\":\"omit\",\"message\":\"integer is not of type string\","
	    "\"description\":\"r\"},"
	    "{\"event\":\"signup\",\"field\":\"properties.tags.1\",\"rule\":"
	    "\"type\",\"action\":\"flag\",\"message\":\"integer is not of type "
	    "string\",\"description\":\"t\"},"
	    "{\"event\":\"signup\",\"field\":\"properties.email\",\"rule\":"
	    "\"type\",\"action\":\"omit\",\"message\":\"integer is not of type "
	    "string\",\"description\":\"em\"},"
	    "{\"event\":\"signup\",\"field\":\"properties.colour\",\"rule\":"
	    "\"additionalProperties\",\"action\":\"flag\",\"message\":"
	    "\"\\\"colour\\\" is not a property of signup\",\"description\":"
	    "\"s\"}]");
	free(out), free(viol);
	/* Observe: the same found, nothing changed. */
	CHECK(run(d,
	          "{\"event\":\"signup\",\"anonymous_id\":\"a\",\"ref\":1,"
	          "\"properties\":{\"method\":\"email\"}}",
	          0, &out, &viol) == 0);
	CHECK_STR(out, "{\"event\":\"signup\",\"anonymous_id\":\"a\",\"ref\":1,"
	               "\"properties\":{\"method\":\"email\"}}");
	CHECK(strstr(viol, "\"action\":\"omit\"") != NULL);
	free(out), free(viol);
	/* Block: nothing omitted (the record whole), every violation. */
	CHECK(run(d,
	          "{\"event\":\"signup\",\"member_id\":null,\"ref\":1,"
	          "\"properties\":{\"method\":\"fax\"}}",
	          1, &out, &viol) == 1);
	CHECK_STR(out, "{\"event\":\"signup\",\"member_id\":null,\"ref\":1,"
	               "\"properties\":{\"method\":\"fax\"}}");
	CHECK(strstr(viol, "\"field\":\"member_id,anonymous_id\",\"rule\":"
	                   "\"identity\",\"action\":\"block\"") != NULL);
	CHECK(strstr(viol, "\"field\":\"properties.method\",\"rule\":\"enum\","
	                   "\"action\":\"block\"") != NULL);
	free(out), free(viol);
	dictionary_free(d);
	buf_release(&why);
}

TEST(metadata_and_unknown_events)
{
	struct buf why = BUF_INIT;
	struct dictionary *d = load_text(checked, &why);
	char *out, *viol;

	if (d == NULL)
		return;
	/* Required, and a key the metadata does not list. */
	CHECK(
	    run(d, "{\"member_id\":\"m\",\"colour\":1}", 1, &out, &viol) == 1);
	CHECK_STR(viol,
	    "[{\"event\":null,\"field\":\"event\",\"rule\":\"required\","
	    "\"action\":\"block\",\"message\":\"\\\"event\\\" is required\","
	    "\"description\":\"e\"},"
	    "{\"event\":null,\"field\":\"colour\",\"rule\":"
	    "\"additionalProperties\",\"action\":\"block\",\"message\":"
	    "\"\\\"colour\\\" is not a property of the metadata\","
	    "\"description\":\"m\"}]");
	free(out), free(viol);
	/* An unknown event: flagged (this dictionary's unknown_event), its
	 * properties not checked. */
	CHECK(run(d,
	          "{\"event\":\"boom\",\"member_id\":\"m\","
	          "\"properties\":{\"x\":1}}",
	          1, &out, &viol) == 0);
	CHECK_STR(viol,
	    "[{\"event\":\"boom\",\"field\":\"event\",\"rule\":"
	    "\"unknown_event\",\"action\":\"flag\",\"message\":\"\\\"boom\\\" "
	    "is not an event of the dictionary\",\"description\":\"e\"}]");
	free(out), free(viol);
	/* A known event without properties: its required ones missing. */
	CHECK(run(d, "{\"event\":\"signup\",\"member_id\":\"m\"}", 1, &out,
	          &viol) == 1);
	CHECK(strstr(viol, "\"field\":\"properties.method\",\"rule\":"
	                   "\"required\",\"action\":\"block\"") != NULL);
	free(out), free(viol);
	dictionary_free(d);
	buf_release(&why);
}

/* The fast question on a line's index agrees with the checker. */
TEST(fast_question_agrees)
{
	static const char *const lines[] = {
	    "{\"event\":\"signup\",\"member_id\":\"m\",\"_meta\":{\"x\":1},"
	    "\"properties\":{\"method\":\"email\",\"tags\":[\"a\"]}}",
	    "{\"event\":\"signup\",\"member_id\":\"m\","
	    "\"properties\":{\"method\":\"fax\"}}",
	    "{\"event\":\"signup\",\"member_id\":null,"
	    "\"properties\":{\"method\":\"email\"}}",
	    "{\"event\":\"signup\",\"member_id\":null,\"anonymous_id\":\"a\","
	    "\"properties\":{\"method\":\"email\"}}",
	    "{\"event\":\"signup\",\"member_id\":\"m\",\"properties\":{}}",
	    "{\"event\":\"signup\",\"member_id\":\"m\"}",
	    "{\"event\":\"signup\",\"member_id\":\"m\",\"colour\":1,"
	    "\"properties\":{\"method\":\"email\"}}",
	    "{\"event\":\"signup\",\"member_id\":\"m\","
	    "\"properties\":{\"method\":\"email\",\"colour\":1}}",
	    "{\"event\":\"boom\",\"member_id\":\"m\"}",
	    "{\"member_id\":\"m\"}",
	    "{\"event\":1,\"member_id\":\"m\"}",
	    "{\"event\":\"signup\",\"member_id\":\"m\",\"properties\":[]}",
	    "{\"event\":\"signup\",\"member_id\":\"m\",\"ref\":\"r\","
	    "\"properties\":{\"method\":\"email\",\"email\":\"e\"}}",
	};
	struct buf why = BUF_INIT;
	struct dictionary *d = load_text(checked, &why);
	struct jdoc doc;
	json_t *e, *v;
	size_t i;
	int ok, valid;

	if (d == NULL)
		return;
	jdoc_init(&doc);
	for (i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		CHECK(jdoc_parse(&doc, lines[i], strlen(lines[i])) == 0);
		ok = dictionary_ok_jdoc(d, &doc);
		e = json_loads(lines[i], 0, NULL);
		v = json_array();
		dictionary_check(d, e, v, 0);
		valid = json_array_size(v) == 0;
		if (ok != valid)
			fprintf(stderr, "line %zu: fast %d, checker %d\n", i,
			    ok, valid);
		CHECK(ok == valid);
		CHECK(i > 0 || ok); /* the fast path is taken at all */
		json_decref(e);
		json_decref(v);
	}
	jdoc_release(&doc);
	dictionary_free(d);
	buf_release(&why);
}

TEST(reason_in_words)
{
	json_t *v = json_loads(
	    "[{\"field\":\"a\",\"rule\":\"type\",\"action\":\"flag\","
	    "\"message\":\"m1\",\"description\":\"d1\"},"
	    "{\"field\":\"b\",\"rule\":\"enum\",\"action\":\"block\","
	    "\"message\":\"m2\",\"description\":\"d2\"}]",
	    0, NULL);
	struct buf b = BUF_INIT;

	CHECK(dictionary_reason(v, &b) == 0);
	CHECK_STR(b.data, "block: b: enum: m2 (d2); flag: a: type: m1 (d1)");
	buf_release(&b);
	json_decref(v);
}

int
main(void)
{
	RUN(refusals_at_their_place);
	RUN(the_base_and_the_shipped_dictionary_load);
	RUN(a_missing_file);
	RUN(checks);
	RUN(metadata_and_unknown_events);
	RUN(fast_question_agrees);
	RUN(reason_in_words);
	return harness_done();
}
