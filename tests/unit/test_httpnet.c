/*
 * Unit tests of common/http.c's network paths and of the OAuth token's life
 * (oauth.c, driven by http.c), against the scripted server
 * (tests/servers/scripted.py, through scripted.h): failures retried with
 * backoff, Retry-After honoured, the retry budget, a POST never retried
 * behind the caller's back (a 503 and a lost answer end HTTP_TRANSIENT
 * after one request, on a fresh connection, while GETs share one), a slow
 * answer timed out and retried; one token for many calls, renewed before
 * it expires, and renewed once on a 401.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "http.h"
#include "oauth.h"
#include "scripted.h"

#define TOKEN1 "token-one-0123456789abcdef"
#define TOKEN2 "token-two-0123456789abcdef"
#define TOKEN3 "token-three-0123456789abcdef"

static void
count_done(struct http_call *c)
{
	++*(int *)c->arg;
}

/* A client on s with quick retries. */
static struct http *
client(struct oauth *oauth, double base)
{
	struct http_opts o;
	struct buf err = BUF_INIT;
	struct http *h;

	http_opts_default(&o);
	o.backoff_base = base;
	o.backoff_max = 2;
	o.retries = 4;
	o.timeout_ms = 5000;
	h = http_new(&o, oauth, &err);
	buf_release(&err);
	return h;
}

/* Sets c up for METHOD s->url PATH; the caller runs it. */
static void
setup(struct http_call *c, const struct scripted *s, const char *method,
    const char *path, int *done)
{
	http_call_init(c);
	c->method = method;
	buf_printf(&c->url, "%s%s", s->url, path);
	if (strcmp(method, "GET") != 0) {
		buf_adds(&c->body, "{\"a\":1}");
		c->idempotent = 0;
	}
	c->done = count_done;
	c->arg = done;
}

/* Runs the client until want calls are done (20 s at most). */
static void
wait_done(struct http *h, int *done, int want)
{
	double until = http_now() + 20;

	while (*done < want && http_now() < until)
		http_poll(h, 100);
}

/* One call, run to its end. */
static void
run1(struct http *h, const struct scripted *s, struct http_call *c,
    const char *method, const char *path)
{
	int done = 0;

	setup(c, s, method, path, &done);
	http_start(h, c, 0);
	wait_done(h, &done, 1);
}

TEST(retried_with_backoff)
{
	struct scripted s;
	struct http *h;
	struct http_call c;
	json_t *log;

	CHECK(scripted_start(&s,
	          "{\"routes\":{\"GET /r\":[{\"status\":500},{\"status\":503},"
	          "{\"status\":200,\"body\":\"fine\"}]}}") == 0);
	h = client(NULL, 0.2);
	run1(h, &s, &c, "GET", "/r");
	CHECK(c.result == HTTP_ANSWER && c.status == 200);
	CHECK_STR(c.resp.data, "fine");
	CHECK(c.tries == 3 && c.retries_seen == 2 && http_retries(h) == 2);
	log = scripted_log(&s);
	CHECK(json_array_size(log) == 3);
	/* Equal jitter: 0.1 to 0.2 s, then 0.2 to 0.4 s. */
	CHECK(scripted_real(log, 1, "t") - scripted_real(log, 0, "t") >= 0.1);
	CHECK(scripted_real(log, 2, "t") - scripted_real(log, 1, "t") >= 0.2);
	json_decref(log);
	http_call_release(&c);
	http_free(h);
	scripted_stop(&s);
}

TEST(retry_after_honoured)
{
	struct scripted s;
	struct http *h;
	struct http_call c;
	json_t *log;

	CHECK(scripted_start(&s,
	          "{\"routes\":{\"GET /r\":[{\"status\":429,\"headers\":"
	          "{\"Retry-After\":\"1\"}},{\"status\":200}]}}") == 0);
	h = client(NULL, 0.01);
	run1(h, &s, &c, "GET", "/r");
	CHECK(c.result == HTTP_ANSWER && c.status == 200 && c.tries == 2);
	log = scripted_log(&s);
	CHECK(json_array_size(log) == 2);
	CHECK(scripted_real(log, 1, "t") - scripted_real(log, 0, "t") >= 0.95);
	json_decref(log);
	http_call_release(&c);
	http_free(h);
	scripted_stop(&s);
}

TEST(budget_spent)
{
	struct scripted s;
	struct http *h;
	struct http_call c;
	json_t *log;

	CHECK(scripted_start(
	          &s, "{\"routes\":{\"GET /r\":[{\"status\":503}]}}") == 0);
	h = client(NULL, 0.01);
	run1(h, &s, &c, "GET", "/r");
	CHECK(c.result == HTTP_UNAVAILABLE && c.status == 503);
	CHECK(c.tries == 5); /* the first and 4 retries */
	CHECK(strstr(c.err.data, "gave up after 5 tries") != NULL);
	log = scripted_log(&s);
	CHECK(json_array_size(log) == 5);
	json_decref(log);
	http_call_release(&c);
	http_free(h);
	scripted_stop(&s);
}

TEST(post_not_retried)
{
	struct scripted s;
	struct http *h;
	struct http_call c;
	json_t *log;

	CHECK(scripted_start(&s, "{\"routes\":{\"POST /p\":[{\"status\":503},"
	                         "{\"status\":201}]}}") == 0);
	h = client(NULL, 0.01);
	run1(h, &s, &c, "POST", "/p");
	/* The caller finds out and decides: one request only. */
	CHECK(c.result == HTTP_TRANSIENT && c.status == 503 && c.tries == 1);
	CHECK(http_backoff(h, &c) > 0);
	log = scripted_log(&s);
	CHECK(json_array_size(log) == 1);
	json_decref(log);
	http_call_release(&c);
	http_free(h);
	scripted_stop(&s);
}

/*
 * A POST whose answer is lost (do: drop or reset, after the body was
 * read), sent after a GET left a kept-alive connection: ends
 * HTTP_TRANSIENT, and the server saw it once. libcurl resends a request
 * by itself when a reused connection dies before an answer; the POST's
 * fresh connection is what stops it.
 */
static void
lost_answer(const char *how)
{
	struct scripted s;
	struct http *h;
	struct http_call g, p;
	json_t *log;
	char script[256];

	snprintf(script, sizeof(script),
	    "{\"routes\":{\"GET /a\":[{\"status\":200}],\"POST /p\":"
	    "[{\"do\":\"%s\"},{\"status\":201}]}}",
	    how);
	CHECK(scripted_start(&s, script) == 0);
	h = client(NULL, 0.01);
	run1(h, &s, &g, "GET", "/a");
	run1(h, &s, &p, "POST", "/p");
	CHECK(g.result == HTTP_ANSWER && g.status == 200);
	CHECK(p.result == HTTP_TRANSIENT && p.status == 0 && p.tries == 1);
	log = scripted_log(&s);
	CHECK(json_array_size(log) == 2);
	CHECK_STR(scripted_str(log, 1, "method"), "POST");
	CHECK(scripted_int(log, 1, "conn") != scripted_int(log, 0, "conn"));
	json_decref(log);
	http_call_release(&g);
	http_call_release(&p);
	http_free(h);
	scripted_stop(&s);
}

TEST(lost_answer_not_resent)
{
	lost_answer("drop");
	lost_answer("reset");
}

TEST(gets_share_a_connection)
{
	struct scripted s;
	struct http *h;
	struct http_call a, b;
	json_t *log;

	CHECK(scripted_start(
	          &s, "{\"routes\":{\"GET /a\":[{\"status\":200}]}}") == 0);
	h = client(NULL, 0.01);
	run1(h, &s, &a, "GET", "/a");
	run1(h, &s, &b, "GET", "/a");
	log = scripted_log(&s);
	CHECK(json_array_size(log) == 2);
	CHECK(scripted_int(log, 1, "conn") == scripted_int(log, 0, "conn"));
	json_decref(log);
	http_call_release(&a);
	http_call_release(&b);
	http_free(h);
	scripted_stop(&s);
}

TEST(timeout_retried)
{
	struct scripted s;
	struct http_opts o;
	struct buf err = BUF_INIT;
	struct http *h;
	struct http_call c;

	CHECK(scripted_start(&s,
	          "{\"routes\":{\"GET /slow\":[{\"delay_ms\":1500},"
	          "{\"status\":200}]}}") == 0);
	http_opts_default(&o);
	o.timeout_ms = 300;
	o.backoff_base = 0.01;
	h = http_new(&o, NULL, &err);
	run1(h, &s, &c, "GET", "/slow");
	CHECK(c.result == HTTP_ANSWER && c.status == 200 && c.tries == 2);
	buf_release(&err);
	http_call_release(&c);
	http_free(h);
	scripted_stop(&s);
}

/* A token endpoint's step: the token, living life seconds. */
#define TOKEN_STEP(tok, life)                                                  \
	"{\"status\":200,\"body\":{\"access_token\":\"" tok                    \
	"\",\"token_type\":\"Bearer\",\"expires_in\":" #life "}}"

TEST(one_token_for_many)
{
	struct scripted s;
	struct oauth oa;
	struct http *h;
	struct http_call c[5];
	json_t *log;
	int done = 0, i, tokens = 0, bearer = 0;

	CHECK(scripted_start(&s,
	          "{\"routes\":{\"POST /v2/auth/token\":[" TOKEN_STEP(
	              TOKEN1, 3600) "],\"GET /a\":[{\"delay_ms\":50}]}}") == 0);
	oauth_init(&oa, s.url, "id", "unit-secret-0123456789", NULL);
	h = client(&oa, 0.01);
	for (i = 0; i < 5; i++) {
		setup(&c[i], &s, "GET", "/a", &done);
		c[i].auth = 1;
		http_start(h, &c[i], 0);
	}
	wait_done(h, &done, 5);
	log = scripted_log(&s);
	for (i = 0; i < (int)json_array_size(log); i++) {
		tokens +=
		    strcmp(scripted_str(log, i, "path"), "/v2/auth/token") == 0;
		bearer +=
		    scripted_str(log, i, "auth") &&
		    strcmp(scripted_str(log, i, "auth"), "Bearer " TOKEN1) == 0;
	}
	CHECK(done == 5 && tokens == 1 && bearer == 5);
	for (i = 0; i < 5; i++)
		http_call_release(&c[i]);
	json_decref(log);
	http_free(h);
	oauth_release(&oa);
	scripted_stop(&s);
}

TEST(token_renewed_before_expiry)
{
	struct scripted s;
	struct oauth oa;
	struct http *h;
	struct http_call a, b;
	json_t *log;
	int done = 0;
	struct timespec pause = {1, 900000000};

	/* A life of 2 s is renewed a tenth early, after 1.8 s. */
	CHECK(scripted_start(&s,
	          "{\"routes\":{\"POST /v2/auth/token\":[" TOKEN_STEP(TOKEN1,
	              2) "," TOKEN_STEP(TOKEN2, 3600) "],\"GET /a\":[{}]}}") ==
	      0);
	oauth_init(&oa, s.url, "id", "unit-secret-0123456789", NULL);
	h = client(&oa, 0.01);
	setup(&a, &s, "GET", "/a", &done);
	a.auth = 1;
	http_start(h, &a, 0);
	wait_done(h, &done, 1);
	nanosleep(&pause, NULL);
	setup(&b, &s, "GET", "/a", &done);
	b.auth = 1;
	http_start(h, &b, 0);
	wait_done(h, &done, 2);
	log = scripted_log(&s);
	/* token, GET (TOKEN1), token, GET (TOKEN2): before TOKEN1 expired. */
	CHECK(json_array_size(log) == 4);
	CHECK_STR(scripted_str(log, 1, "auth"), "Bearer " TOKEN1);
	CHECK_STR(scripted_str(log, 2, "path"), "/v2/auth/token");
	CHECK_STR(scripted_str(log, 3, "auth"), "Bearer " TOKEN2);
	CHECK(scripted_real(log, 3, "t") - scripted_real(log, 0, "t") < 2.0);
	json_decref(log);
	http_call_release(&a);
	http_call_release(&b);
	http_free(h);
	oauth_release(&oa);
	scripted_stop(&s);
}

TEST(token_renewed_once_on_401)
{
	struct scripted s;
	struct oauth oa;
	struct http *h;
	struct http_call a, b;
	json_t *log;
	int done = 0;

	CHECK(scripted_start(&s,
	          "{\"routes\":{\"POST /v2/auth/token\":[" TOKEN_STEP(TOKEN1,
	              3600) "," TOKEN_STEP(TOKEN2, 3600) "," TOKEN_STEP(TOKEN3,
	              3600) "],\"GET /p\":[{\"status\":401},{\"status\":200}],"
	                    "\"GET /q\":[{\"status\":401}]}}") == 0);
	oauth_init(&oa, s.url, "id", "unit-secret-0123456789", NULL);
	h = client(&oa, 0.01);
	setup(&a, &s, "GET", "/p", &done);
	a.auth = 1;
	http_start(h, &a, 0);
	wait_done(h, &done, 1);
	CHECK(a.result == HTTP_ANSWER && a.status == 200);
	/* A 401 with a new token too: refused, after one renewal. */
	setup(&b, &s, "GET", "/q", &done);
	b.auth = 1;
	http_start(h, &b, 0);
	wait_done(h, &done, 2);
	CHECK(b.result == HTTP_REFUSED && b.status == 401);
	log = scripted_log(&s);
	/* token, /p, token, /p, /q, token, /q: never a fourth token. */
	CHECK(json_array_size(log) == 7);
	CHECK_STR(scripted_str(log, 1, "auth"), "Bearer " TOKEN1);
	CHECK_STR(scripted_str(log, 2, "path"), "/v2/auth/token");
	CHECK_STR(scripted_str(log, 3, "auth"), "Bearer " TOKEN2);
	CHECK_STR(scripted_str(log, 4, "auth"), "Bearer " TOKEN2);
	CHECK_STR(scripted_str(log, 5, "path"), "/v2/auth/token");
	CHECK_STR(scripted_str(log, 6, "auth"), "Bearer " TOKEN3);
	json_decref(log);
	http_call_release(&a);
	http_call_release(&b);
	http_free(h);
	oauth_release(&oa);
	scripted_stop(&s);
}

int
main(void)
{
	RUN(retried_with_backoff);
	RUN(retry_after_honoured);
	RUN(budget_spent);
	RUN(post_not_retried);
	RUN(lost_answer_not_resent);
	RUN(gets_share_a_connection);
	RUN(timeout_retried);
	RUN(one_token_for_many);
	RUN(token_renewed_before_expiry);
	RUN(token_renewed_once_on_401);
	return harness_done();
}
