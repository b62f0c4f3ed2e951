/*
 * Unit tests for common/sesmail.c: a record's replacement data (paths,
 * nested names, the defaults filling a gap, a missing value named), the
 * SendBulkEmail body, which statuses are transient, and the endpoint and
 * signing from the region.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sesmail.h"

static const char mfile[] =
    "{\"mailing\":\"m\",\"template\":\"t\",\"from\":\"p@e.org\","
    "\"variables\":{\"url\":\"s.url\"},\"defaults\":{\"org\":\"Us\"}}";

TEST(data_and_body)
{
	char path[sizeof(HARNESS_TMP)];
	struct mailing m;
	struct sesmail s;
	struct buf why = BUF_INIT;
	json_t *rec = json_loads(
	    "{\"first\":\"Ann\",\"s\":{\"url\":\"u1\"},\"p\":{\"n\":2}}", 0,
	    NULL);
	json_t *bad = json_loads("{\"first\":\"\"}", 0, NULL);
	json_t *d, *body;
	const char *to[] = {"a@e.org"};
	char *text;

	CHECK(harness_tmpfile(path, mfile, strlen(mfile)) == 0);
	CHECK(mailing_load(&m, path, &why) == 0);
	sesmail_init(&s);
	template_vars("{{first}} {{url}} {{p.n}} {{org}}", s.vars);
	d = sesmail_data(&s, &m, rec, &why);
	text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(text, "{\"first\":\"Ann\",\"p\":{\"n\":2},\"url\":\"u1\"}");
	free(text);
	CHECK(sesmail_data(&s, &m, bad, &why) == NULL);
	CHECK_STR(why.data, "no value for the template's {{first}} (at first)");
	body = sesmail_body(&m, to, &d, 1);
	text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK(strstr(text, "\"TemplateData\":\"{\\\"org\\\":\\\"Us\\\"}\"") !=
	      NULL);
	CHECK(strstr(text, "\"ToAddresses\":[\"a@e.org\"]") != NULL);
	CHECK(strstr(text, "\"ReplacementTemplateData\":\"{") != NULL);
	CHECK(strstr(text, "\"FromEmailAddress\":\"p@e.org\"") != NULL);
	free(text);
	CHECK(sesmail_transient("TRANSIENT_FAILURE"));
	CHECK(!sesmail_transient("MESSAGE_REJECTED"));
	json_decref(body);
	json_decref(d);
	json_decref(rec);
	json_decref(bad);
	sesmail_release(&s);
	mailing_release(&m);
	unlink(path);
	buf_release(&why);
}

TEST(configure)
{
	struct sesmail s;
	struct http_opts o;
	struct buf err = BUF_INIT;
	const char *from;

	setenv("AWS_ACCESS_KEY_ID", "K", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "S", 1);
	unsetenv("SES_URL");
	http_opts_default(&o);
	sesmail_init(&s);
	CHECK(sesmail_configure(
	          &s, &o, "eu-west-1", NULL, NULL, NULL, &from, &err) == 0);
	CHECK_STR(s.url.data, "https://email.eu-west-1.amazonaws.com");
	CHECK_STR(o.aws_sigv4, "aws:amz:eu-west-1:ses");
	CHECK_STR(o.aws_keys, "K:S");
	CHECK_STR(from, "--region");
	sesmail_release(&s);
	buf_release(&err);
}

int
main(void)
{
	RUN(data_and_body);
	RUN(configure);
	return harness_done();
}
