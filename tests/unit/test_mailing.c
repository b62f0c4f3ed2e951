/*
 * Unit tests for common/mailing.c: a template's variables (plain, triple,
 * dotted, helpers' words left out, a name inside its own {{#if}} block
 * optional), a mailing file loaded with its defaults, a subscription's
 * off values and a missing field, and files refused with where.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "harness.h"
#include "mailing.h"

static char *
names(const char *text)
{
	json_t *a = json_array();
	char *s;

	template_vars(text, a);
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

TEST(vars)
{
	char *s = names("Hi {{ first_name }}, {{{html}}} {{panel.name}} "
	                "{{#if city}}in {{city}}{{/if}} {{! note}} {{else}} "
	                "{{> part}} {{fmt date}} {{first_name}} {{@index}}");

	CHECK_STR(s, "[\"first_name\",\"html\",\"panel.name\"]");
	free(s);
	s = names("{{#if a}}{{/if}}{{a}} {{unclosed");
	CHECK_STR(s, "[\"a\"]");
	free(s);
}

static int
load(const char *text, struct mailing *m, struct buf *err)
{
	char path[sizeof(HARNESS_TMP)];
	int rc;

	if (harness_tmpfile(path, text, strlen(text)) < 0)
		return -1;
	rc = mailing_load(m, path, err);
	unlink(path);
	return rc;
}

TEST(loads)
{
	struct mailing m;
	struct buf err = BUF_INIT;
	json_t *on = json_loads("{\"s\":{\"on\":true}}", 0, NULL);
	json_t *off = json_loads("{\"s\":{\"on\":false}}", 0, NULL);
	json_t *none = json_loads("{}", 0, NULL);

	CHECK(load("{\"mailing\":\"m1\",\"template\":\"t\",\"from\":\"a@b\","
	           "\"subscription\":{\"field\":\"s.on\"},"
	           "\"variables\":{\"url\":\"survey.url\"},\"_c\":1}",
	          &m, &err) == 0);
	CHECK_STR(m.id, "m1");
	CHECK_STR(m.member, "northstar_id");
	CHECK_STR(mailing_path(&m, "url"), "survey.url");
	CHECK_STR(mailing_path(&m, "name"), "name");
	CHECK(!mailing_unsubscribed(&m, on));
	CHECK(mailing_unsubscribed(&m, off));
	CHECK(mailing_unsubscribed(&m, none));
	mailing_release(&m);
	CHECK(load("{\"mailing\":\"m1\",\"template\":\"t\",\"from\":\"a@b\","
	           "\"subscription\":{\"field\":\"s.on\",\"missing\":\"on\"}}",
	          &m, &err) == 0);
	CHECK(!mailing_unsubscribed(&m, none));
	mailing_release(&m);
	json_decref(on);
	json_decref(off);
	json_decref(none);
	buf_release(&err);
}

TEST(refusals)
{
	struct mailing m;
	struct buf err = BUF_INIT;

	CHECK(load("{\"mailing\":\"m\",\"template\":\"t\",\"form\":\"x\"}", &m,
	          &err) == EXIT_DATAERR);
	CHECK(strstr(err.data, "form: unknown key") != NULL);
	mailing_release(&m);
	buf_reset(&err);
	CHECK(load("{\"mailing\":\"m\",\n\"template\":}", &m, &err) ==
	      EXIT_DATAERR);
	CHECK(strstr(err.data, ":2: ") != NULL);
	mailing_release(&m);
	buf_reset(&err);
	CHECK(load("{\"mailing\":\"m\",\"template\":\"t\"}", &m, &err) ==
	      EXIT_DATAERR);
	CHECK(strstr(err.data, "from: a non-empty string") != NULL);
	mailing_release(&m);
	buf_reset(&err);
	CHECK(mailing_load(&m, "/nonexistent/mailing.json", &err) ==
	      EXIT_NOINPUT);
	mailing_release(&m);
	buf_release(&err);
}

int
main(void)
{
	RUN(vars);
	RUN(loads);
	RUN(refusals);
	return harness_done();
}
