/*
 * Unit tests for common/dictpage.c: the page of a small dictionary, whole
 * (its head, the metadata's table, the list of events, each event's
 * table with types and constraints in words, "|" escaped in a cell).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dictpage.h"
#include "harness.h"

static const char dict[] =
    "{\"about\": \"What we track.\", \"version\": 1, \"violation\": \"flag\",\n"
    " \"unknown_event\": \"block\", \"conversions\": [\"signup\"],\n"
    " \"metadata\": {\"description\": \"Every event.\", \"required\": "
    "[\"event\"],\n"
    "  \"identity\": [\"member_id\"],\n"
    "  \"properties\": {\n"
    "   \"event\": {\"description\": \"The name.\", \"schema\": {\"type\": "
    "\"string\", \"pattern\": \"^(a|b)$\"}},\n"
    "   \"member_id\": {\"description\": \"Who.\", \"schema\": {\"type\": "
    "[\"string\", \"null\"], \"minLength\": 2}, \"violation\": \"block\"},\n"
    "   \"properties\": {\"description\": \"Its own.\", \"schema\": "
    "{\"type\": \"object\"}}}},\n"
    " \"events\": {\"signup\": {\"description\": \"Joined.\", "
    "\"additionalProperties\": false, \"required\": [\"method\"],\n"
    "   \"properties\": {\n"
    "   \"method\": {\"description\": \"How.\", \"schema\": {\"enum\": "
    "[\"email\", \"sms\"]}, \"violation\": \"omit\"},\n"
    "   \"tags\": {\"description\": \"Tags.\", \"schema\": {\"type\": "
    "\"array\", \"items\": {\"type\": \"string\", \"maxLength\": 8}, "
    "\"maxItems\": 3}},\n"
    "   \"n\": {\"description\": \"A count.\", \"schema\": {\"type\": "
    "\"integer\", \"minimum\": 1, \"exclusiveMaximum\": 10}}}}}}\n";

static const char page[] =
    "# The data dictionary\n\n"
    "<!-- Rendered from the dictionary by `validate --markdown` (`make "
    "dictionary`): edit the dictionary, not this page. -->\n\n"
    "What we track.\n\n"
    "Version 1. A violation does `flag` unless its rule or its event says "
    "otherwise: `flag` lets the event go on, recorded in "
    "`_meta.violations`; `omit` removes the property; `block` sets the "
    "event aside. An event the dictionary does not list: `block`. "
    "Conversions (what attribution credits): `signup`.\n\n"
    "## Every event: the metadata\n\nEvery event.\n\n"
    "Who: at least one of `member_id` has a value (not null). A top-level "
    "key not listed here (but `_meta`, the project's side object) is a "
    "violation (`flag`).\n\n"
    "| property | type | constraints | violation | description |\n"
    "|---|---|---|---|---|\n"
    "| `event` | string | required; matches `^(a\\|b)$` | flag | The name. "
    "|\n"
    "| `member_id` | string or null | at least 2 characters | block | Who. "
    "|\n"
    "| `properties` | object |  | flag | Its own. |\n\n"
    "## The events\n\n"
    "- [`signup`](#signup): Joined.\n\n"
    "### signup\n\nJoined.\n\n"
    "In `properties`. A violation does `flag` unless its rule says "
    "otherwise. A property not listed is a violation (`flag`).\n\n"
    "| property | type | constraints | violation | description |\n"
    "|---|---|---|---|---|\n"
    "| `method` | listed values | required; one of `email`, `sms` | omit | "
    "How. |\n"
    "| `tags` | array | at most 3 items; items: string (at most 8 "
    "characters) | flag | Tags. |\n"
    "| `n` | integer | >= 1; < 10 | flag | A count. |\n\n";

TEST(whole_page)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf why = BUF_INIT, out = BUF_INIT;
	struct dictionary *d;

	CHECK(harness_tmpfile(path, dict, strlen(dict)) == 0);
	d = dictionary_load(path, &why);
	unlink(path);
	CHECK(d != NULL);
	if (d == NULL) {
		fprintf(stderr, "%s\n", why.data);
		return;
	}
	CHECK(dictpage_render(d, &out) == 0);
	CHECK_STR(out.data, page);
	dictionary_free(d);
	buf_release(&why);
	buf_release(&out);
}

int
main(void)
{
	RUN(whole_page);
	return harness_done();
}
