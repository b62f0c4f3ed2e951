/* An SES-shaped e-mail API's calls and bodies; sesmail.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "jpath.h"
#include "onecall.h"
#include "sesmail.h"

void
sesmail_init(struct sesmail *s)
{
	memset(s, 0, sizeof(*s));
	s->vars = json_array();
	s->rate = 1;
	s->size = 1;
	s->left = -1;
	buf_init(&s->sigv4, 256);
	buf_init(&s->url, 4096);
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int
sesmail_configure(struct sesmail *s, struct http_opts *o, const char *region,
    const char *creds_file, const char *profile, const char *url,
    const char **from, struct buf *err)
{
	if (region == NULL || *region == '\0')
		region = env("AWS_REGION");
	if (region == NULL)
		region = env("AWS_DEFAULT_REGION");
	if (region == NULL) {
		buf_adds(err, "no region: give --region or set AWS_REGION");
		return EXIT_USAGE;
	}
	if (awscreds_load(&s->creds, creds_file, profile, err) < 0)
		return creds_file ? EXIT_NOINPUT : EXIT_USAGE;
	buf_printf(&s->sigv4, "aws:amz:%s:ses", region);
	o->aws_sigv4 = s->sigv4.data;
	o->aws_keys = s->creds.userpwd.data;
	o->aws_token = s->creds.token;
	*from = "--url";
	if (url == NULL && (url = env("SES_URL")) != NULL)
		*from = "SES_URL";
	if (url)
		buf_adds(&s->url, url);
	else {
		buf_printf(&s->url, "https://email.%s.amazonaws.com", region);
		*from = "--region";
	}
	return 0;
}

/* One GET, its answer's JSON in *ans. 0, or an exit status. */
static int
ask(struct sesmail *s, struct onecall *one, const char *path, json_t **ans,
    struct buf *err)
{
	struct http_call *c = &one->call;

	buf_reset(&c->url);
	url_join(&c->url, s->url.data, path);
	if (onecall_run(one, "GET", 0, 0) != ONECALL_ENDED) {
		buf_printf(err, "the e-mail service: GET %s: stopped", path);
		return EXIT_UNAVAILABLE;
	}
	if (c->result != HTTP_ANSWER)
		return http_failure(c, "the e-mail service", path, err);
	if (c->status / 100 != 2) {
		buf_printf(err, "the e-mail service: GET %s: HTTP %ld %.300s",
		    path, c->status, c->resp.data ? c->resp.data : "");
		return c->status == 403 || c->status == 401 ? EXIT_NOPERM
		                                            : EXIT_USAGE;
	}
	if ((*ans = json_loadb(c->resp.data, c->resp.len, 0, NULL)) == NULL) {
		buf_printf(err, "the e-mail service: GET %s: not JSON", path);
		return EXIT_UNAVAILABLE;
	}
	return 0;
}

/* The pace and the quota from GetAccount's answer. */
static void
pace(struct sesmail *s, const json_t *a)
{
	const json_t *q = json_object_get(a, "SendQuota");
	const json_t *max = json_object_get(q, "Max24HourSend");

	s->rate = json_number_value(json_object_get(q, "MaxSendRate"));
	s->rate = s->rate >= 1 ? s->rate : 1;
	s->size =
	    s->rate >= SESMAIL_BULK_MAX ? SESMAIL_BULK_MAX : (size_t)s->rate;
	s->left = -1;
	if (json_is_number(max) && json_number_value(max) >= 0)
		s->left = (long long)fmax(0,
		    json_number_value(max) - json_number_value(json_object_get(
		                                 q, "SentLast24Hours")));
}

int
sesmail_ask(struct sesmail *s, const struct http_opts *o,
    const struct mailing *m, struct buf *err)
{
	static const char *const parts[] = {"Subject", "Text", "Html", NULL};
	struct onecall one;
	struct buf path = BUF_INIT;
	json_t *t = NULL, *a = NULL, *content;
	int rc = EXIT_UNAVAILABLE, i;

	onecall_init(&one, NULL);
	if (onecall_connect(&one, o, err) < 0)
		goto out;
	buf_adds(&path, "/v2/email/templates/");
	url_escape(&path, m->template);
	if ((rc = ask(s, &one, path.data, &t, err)) != 0 ||
	    (rc = ask(s, &one, "/v2/email/account", &a, err)) != 0)
		goto out;
	content = json_object_get(t, "TemplateContent");
	for (i = 0; parts[i]; i++)
		template_vars(
		    json_string_value(json_object_get(content, parts[i])),
		    s->vars);
	pace(s, a);
	if (json_is_false(json_object_get(a, "SendingEnabled"))) {
		buf_adds(err, "the e-mail service: the account's sending is "
		              "paused");
		rc = EXIT_UNAVAILABLE;
	}
out:
	s->requests = http_requests(one.http);
	json_decref(t);
	json_decref(a);
	buf_release(&path);
	onecall_release(&one);
	return rc;
}

/* Whether v is a value a template can use: not absent, null or "". */
static int
has_value(const json_t *v)
{
	return v && !json_is_null(v) &&
	       !(json_is_string(v) && json_string_length(v) == 0);
}

json_t *
sesmail_data(const struct sesmail *s, const struct mailing *m,
    const json_t *rec, struct buf *why)
{
	json_t *data = json_object(), *v;
	const json_t *name;
	size_t i;

	json_array_foreach(s->vars, i, name)
	{
		const char *var = json_string_value(name);

		v = jpath_get(rec, mailing_path(m, var));
		if (!has_value(v) && has_value(jpath_get(m->defaults, var)))
			continue;
		if (!has_value(v)) {
			buf_reset(why);
			buf_printf(why,
			    "no value for the template's {{%s}} (at %s)", var,
			    mailing_path(m, var));
			json_decref(data);
			return NULL;
		}
		jpath_set_new(data, var, json_incref(v));
	}
	return data;
}

json_t *
sesmail_body(const struct mailing *m, const char *const *to,
    json_t *const *data, size_t n)
{
	json_t *entries = json_array(), *tmpl, *body;
	char *text;
	size_t i;

	for (i = 0; i < n; i++) {
		text = json_dumps(data[i], JSON_COMPACT);
		json_array_append_new(entries,
		    json_pack("{s:{s:[s]},s:{s:{s:s}}}", "Destination",
		        "ToAddresses", to[i], "ReplacementEmailContent",
		        "ReplacementTemplate", "ReplacementTemplateData",
		        text));
		free(text);
	}
	text =
	    m->defaults ? json_dumps(m->defaults, JSON_COMPACT) : xstrdup("{}");
	tmpl = json_pack(
	    "{s:s,s:s}", "TemplateName", m->template, "TemplateData", text);
	free(text);
	body = json_pack("{s:s,s:{s:o},s:o}", "FromEmailAddress", m->from,
	    "DefaultContent", "Template", tmpl, "BulkEmailEntries", entries);
	if (m->config_set)
		json_object_set_new(
		    body, "ConfigurationSetName", json_string(m->config_set));
	return body;
}

int
sesmail_transient(const char *status)
{
	return strcmp(status, "TRANSIENT_FAILURE") == 0 ||
	       strcmp(status, "FAILED") == 0 ||
	       strcmp(status, "ACCOUNT_THROTTLED") == 0;
}

void
sesmail_release(struct sesmail *s)
{
	json_decref(s->vars);
	s->vars = NULL;
	awscreds_release(&s->creds);
	buf_release(&s->sigv4);
	buf_release(&s->url);
}
