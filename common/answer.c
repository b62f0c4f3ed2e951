/* What a service answered; see answer.h. */
#include "answer.h"
#include "cli.h"
#include "exitcode.h"
#include "jpath.h"
#include "redact.h"

/* The body of c as JSON (a new reference), or NULL. */
static json_t *
body_json(const struct http_call *c)
{
	return json_loadb(
	    c->resp.data ? c->resp.data : "", c->resp.len, 0, NULL);
}

json_t *
answer_object(const struct http_call *c)
{
	json_t *v = body_json(c);

	if (json_is_object(v))
		return v;
	json_decref(v);
	return NULL;
}

long long
answer_count(const json_t *v)
{
	unsigned long long n;

	if (json_is_integer(v))
		return json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
	if (json_is_real(v) && json_real_value(v) >= 0 &&
	    json_real_value(v) < 9e15)
		return (long long)json_real_value(v);
	if (json_is_string(v) &&
	    cli_uint(json_string_value(v), 1ULL << 53, &n) == 0)
		return (long long)n;
	return -1;
}

void
answer_gist(struct buf *out, const struct http_call *c)
{
	json_t *v = body_json(c);
	const char *s = NULL;

	if (json_is_object(v)) {
		s = json_string_value(json_object_get(v, "message"));
		if (s == NULL)
			s = json_string_value(json_object_get(v, "error"));
	}
	if (s)
		buf_printf(out, ": %.200s", s);
	else if (c->resp.len)
		buf_printf(out, ": %.200s", c->resp.data);
	json_decref(v);
}

void
answer_refusal(struct buf *out, const struct http_call *c, const char *service,
    const char *msg_path, const char *fields_path)
{
	json_t *ans = body_json(c), *fields = jpath_get(ans, fields_path);
	const char *msg = jpath_string(ans, msg_path), *field;
	json_t *msgs, *m;
	size_t i;

	buf_printf(out, "%s refused it (HTTP %ld)", service, c->status);
	if (msg)
		buf_printf(out, ": %s", msg);
	json_object_foreach(fields, field, msgs)
	{
		json_array_foreach(msgs, i, m)
		{
			if (json_is_string(m))
				buf_printf(out, " %s: %s", field,
				    json_string_value(m));
		}
	}
	if (ans == NULL && c->resp.len)
		buf_printf(out, ": %.200s", c->resp.data);
	json_decref(ans);
	redact_buf(out);
}

int
answer_outcome(const struct http_call *c, const char *service,
    const char *doing, const char *creds, const char *hint, struct buf *msg)
{
	struct buf g = BUF_INIT;
	int rc;

	if (c->result != HTTP_ANSWER)
		return http_failure(c, service, doing, msg);
	if (c->status >= 200 && c->status < 300)
		return 0;
	answer_gist(&g, c);
	if (c->status == 401 || c->status == 403) {
		buf_printf(msg, "%s refused the %s while %s (HTTP %ld%s): %s",
		    service, creds, doing, c->status, g.data ? g.data : "",
		    hint);
		rc = EXIT_NOPERM;
	} else {
		buf_printf(msg, "%s answered HTTP %ld while %s%s", service,
		    c->status, doing, g.data ? g.data : "");
		rc = EXIT_UNAVAILABLE;
	}
	buf_release(&g);
	return rc;
}
