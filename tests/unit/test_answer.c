/*
 * Unit tests for common/answer.c: an answer's body as a JSON object or
 * nothing, the counts services write (numbers and strings of digits), the
 * gist of an error body, and a refusal in the service's words with its
 * field errors, cut short when not JSON and scrubbed of secrets.
 */
#include <string.h>

#include "answer.h"
#include "harness.h"
#include "redact.h"

/* A call that ended with status and body. */
static void
answered(struct http_call *c, long status, const char *body)
{
	http_call_init(c);
	c->result = HTTP_ANSWER;
	c->status = status;
	if (body)
		buf_adds(&c->resp, body);
}

TEST(object)
{
	struct http_call c;
	json_t *v;

	answered(&c, 200, "{\"status\":\"queued\"}");
	v = answer_object(&c);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "queued");
	json_decref(v);
	http_call_release(&c);
	answered(&c, 200, "[1,2]");
	CHECK(answer_object(&c) == NULL);
	http_call_release(&c);
	answered(&c, 200, "<html>");
	CHECK(answer_object(&c) == NULL);
	http_call_release(&c);
	answered(&c, 204, NULL); /* no body at all */
	CHECK(answer_object(&c) == NULL);
	http_call_release(&c);
}

/* answer_count() of a JSON text. */
static long long
count(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
	long long n = answer_count(v);

	json_decref(v);
	return n;
}

TEST(counts)
{
	CHECK(count("340") == 340);
	CHECK(count("0") == 0);
	CHECK(count("-1") == -1);
	CHECK(count("40.9") == 40);
	CHECK(count("-0.5") == -1);
	CHECK(count("1e16") == -1);
	CHECK(count("\"340\"") == 340);
	CHECK(count("\"9007199254740992\"") == 9007199254740992LL);
	CHECK(count("\"9007199254740993\"") == -1);
	CHECK(count("\"\"") == -1);
	CHECK(count("\" 3\"") == -1);
	CHECK(count("\"3 \"") == -1);
	CHECK(count("\"-3\"") == -1);
	CHECK(count("null") == -1);
	CHECK(count("true") == -1);
	CHECK(count("[3]") == -1);
	CHECK(answer_count(NULL) == -1);
}

/* answer_gist() for a body. */
static const char *
gist(const char *body, struct buf *out)
{
	struct http_call c;

	answered(&c, 500, body);
	buf_reset(out);
	answer_gist(out, &c);
	http_call_release(&c);
	return out->data ? out->data : "";
}

TEST(gists)
{
	struct buf b = BUF_INIT;
	char big[300];

	CHECK_STR(gist("{\"message\":\"down\",\"error\":\"x\"}", &b), ": down");
	CHECK_STR(gist("{\"error\":\"bad key\"}", &b), ": bad key");
	CHECK_STR(gist("{\"error\":{\"message\":\"m\"}}", &b),
	    ": {\"error\":{\"message\":\"m\"}}");
	CHECK_STR(gist("Bad Gateway", &b), ": Bad Gateway");
	CHECK_STR(gist("", &b), "");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(strlen(gist(big, &b)) == 202); /* ": " and 200 bytes */
	buf_release(&b);
}

/* answer_refusal() for a Northstar-shaped body. */
static const char *
refusal(long status, const char *body, struct buf *out)
{
	struct http_call c;

	answered(&c, status, body);
	buf_reset(out);
	answer_refusal(out, &c, "Northstar", "error.message", "error.fields");
	http_call_release(&c);
	return out->data;
}

TEST(refusals)
{
	struct buf b = BUF_INIT;

	CHECK_STR(refusal(422,
	              "{\"error\":{\"message\":\"The given data was invalid.\","
	              "\"fields\":{\"email\":[\"The email must be a valid "
	              "email address.\",7],\"mobile\":[\"Taken.\"]}}}",
	              &b),
	    "Northstar refused it (HTTP 422): The given data was invalid. "
	    "email: The email must be a valid email address. mobile: Taken.");
	CHECK_STR(refusal(404, "{\"message\":\"top level\"}", &b),
	    "Northstar refused it (HTTP 404)");
	CHECK_STR(refusal(400, "[\"not an object\"]", &b),
	    "Northstar refused it (HTTP 400)");
	CHECK_STR(refusal(400, "plain words", &b),
	    "Northstar refused it (HTTP 400): plain words");
	CHECK_STR(refusal(400, "", &b), "Northstar refused it (HTTP 400)");
	/* A secret the process holds never reaches the reason. */
	redact_add("s3cret-key");
	CHECK_STR(
	    refusal(403, "{\"error\":{\"message\":\"bad s3cret-key\"}}", &b),
	    "Northstar refused it (HTTP 403): bad [redacted]");
	redact_clear();
	buf_release(&b);
}

TEST(refusal_paths_at_the_top)
{
	struct http_call c;
	struct buf b = BUF_INIT;

	answered(&c, 422,
	    "{\"message\":\"Invalid.\",\"errors\":{\"type\":[\"Required.\"]}}");
	answer_refusal(&b, &c, "Rogue", "message", "errors");
	CHECK_STR(
	    b.data, "Rogue refused it (HTTP 422): Invalid. type: Required.");
	http_call_release(&c);
	buf_release(&b);
}

TEST(outcomes)
{
	struct http_call c;
	struct buf msg = BUF_INIT;

	answered(&c, 201, "{}");
	CHECK(
	    answer_outcome(&c, "Svc", "asking", "keys", "check K", &msg) == 0);
	CHECK(msg.len == 0);
	http_call_release(&c);
	answered(&c, 401, "{\"message\":\"bad key\"}");
	CHECK(
	    answer_outcome(&c, "Svc", "asking", "keys", "check K", &msg) == 77);
	CHECK_STR(msg.data,
	    "Svc refused the keys while asking (HTTP 401: bad key): check K");
	http_call_release(&c);
	buf_reset(&msg);
	answered(&c, 503, "{\"error\":\"busy\"}");
	CHECK(
	    answer_outcome(&c, "Svc", "asking", "keys", "check K", &msg) == 69);
	CHECK_STR(msg.data, "Svc answered HTTP 503 while asking: busy");
	http_call_release(&c);
	buf_reset(&msg);
	/* No answer: http_failure()'s word. */
	http_call_init(&c);
	c.result = HTTP_UNAVAILABLE;
	buf_adds(&c.err, "connection refused");
	CHECK(
	    answer_outcome(&c, "Svc", "asking", "keys", "check K", &msg) == 69);
	CHECK(strstr(msg.data, "connection refused") != NULL);
	http_call_release(&c);
	buf_release(&msg);
}

int
main(void)
{
	RUN(object);
	RUN(counts);
	RUN(gists);
	RUN(refusals);
	RUN(refusal_paths_at_the_top);
	RUN(outcomes);
	return harness_done();
}
