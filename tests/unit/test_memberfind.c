/*
 * Unit tests for common/memberfind.c, with answers made up here (no
 * network): the lookups in the rules' order, only for identities the
 * record has, a 404 moving on, the create after the last (or "no such
 * member" when the rules create nothing), a create whose answer was lost
 * looked up again and counted as made when found, a create that raced
 * ("already") looked up again once, a refusal in Northstar's words, and
 * an answer without the member's id.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "jsoncheck.h"
#include "memberfind.h"

static struct http_call c;

static void
check_request(const char *want, int line)
{
	char got[1024];
	const char *path = strstr(c.url.data ? c.url.data : "", "/v2/");

	snprintf(got, sizeof(got), "%s %s %.*s", c.method, path ? path : "",
	    (int)c.body.len, c.body.data ? c.body.data : "");
	if (strcmp(got, want) != 0) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: got '%s', want '%s'\n", __FILE__, line,
		    got, want);
	}
}

#define CHECK_REQUEST(want) check_request((want), __LINE__)

static void
answer(long status, const char *body)
{
	c.status = status;
	buf_reset(&c.resp);
	buf_adds(&c.resp, body);
}

static void
rules(struct memberrules *m, const char *text)
{
	struct buf err = BUF_INIT;
	json_t *sec = parse(text);

	CHECK(memberrules_load(m, sec, "member", &err) == 0);
	json_decref(sec);
	buf_release(&err);
}

static const char *const all[3] = {"i1", "a@x.org", "3125550111"};

TEST(lookups_in_order_then_create)
{
	struct memberrules m;
	struct memberfind f;
	struct buf why = BUF_INIT;
	json_t *rec = parse("{\"user\": {\"email\": \"a@x.org\"}}"), *mem;

	rules(&m, "{\"find\": [\"mobile\", \"id\", \"email\"]}");
	CHECK(memberfind_start(&f, &m, all, rec, "http://n", "cl", &c, &why) ==
	      1);
	CHECK_REQUEST("GET /v2/mobile/3125550111 ");
	answer(404, "{}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 1);
	CHECK_REQUEST("GET /v2/users/i1 ");
	answer(404, "{}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 1);
	CHECK_REQUEST("GET /v2/email/a%40x.org ");
	answer(404, "{}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 1);
	CHECK_REQUEST("POST /v2/users {\"email\":\"a@x.org\"}");
	answer(201, "{\"data\": {\"id\": \"m1\"}}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 0);
	CHECK(f.created && f.by == -1);
	CHECK_JSON(mem, "{\"id\":\"m1\"}");
	json_decref(mem);
	memberrules_release(&m);
	json_decref(rec);
	buf_release(&why);
}

TEST(found_and_identities_missing)
{
	struct memberrules m;
	struct memberfind f;
	struct buf why = BUF_INIT;
	const char *some[3] = {NULL, "a@x.org", NULL};
	const char *none[3] = {NULL, NULL, NULL};
	json_t *rec = parse("{}"), *mem;

	rules(&m, "{\"find\": [\"id\", \"email\"], \"create\": false}");
	CHECK(memberfind_start(&f, &m, some, rec, "http://n", "cl", &c, &why) ==
	      1);
	CHECK_REQUEST("GET /v2/email/a%40x.org ");
	answer(200, "{\"data\": {\"id\": \"m2\", \"x\": 1}}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 0);
	CHECK(!f.created && f.by == MR_EMAIL);
	CHECK_JSON(mem, "{\"id\":\"m2\",\"x\":1}");
	json_decref(mem);
	/* Not found, and no create: no such member. */
	CHECK(memberfind_start(&f, &m, some, rec, "http://n", "cl", &c, &why) ==
	      1);
	answer(404, "{}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == -1);
	CHECK_STR(why.data, "no such member");
	buf_reset(&why);
	CHECK(memberfind_start(&f, &m, none, rec, "http://n", "cl", &c, &why) ==
	      -1);
	CHECK_STR(why.data, "no such member");
	memberrules_release(&m);
	json_decref(rec);
	buf_release(&why);
}

TEST(lost_raced_refused)
{
	struct memberrules m;
	struct memberfind f;
	struct buf why = BUF_INIT;
	json_t *rec = parse("{\"user\": {\"email\": \"a@x.org\"}}"), *mem;
	const char *id_only[3] = {"i1", NULL, NULL};

	rules(&m, "{}");
	CHECK(memberfind_start(&f, &m, all, rec, "http://n", "cl", &c, &why) ==
	      1);
	CHECK_REQUEST("GET /v2/users/i1 ");
	answer(404, "{}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 1);
	answer(404, "{}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 1);
	answer(404, "{}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 1);
	CHECK_REQUEST("POST /v2/users {\"email\":\"a@x.org\"}");
	/* The create's answer lost: the e-mail again (not the id). */
	CHECK(memberfind_lost(&f, &c) == 1);
	CHECK_REQUEST("GET /v2/email/a%40x.org ");
	answer(200, "{\"data\": {\"id\": \"m3\"}}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 0);
	CHECK(f.created);
	json_decref(mem);
	/* A create that raced: looked up again, once. */
	CHECK(memberfind_start(&f, &m, all, rec, "http://n", "cl", &c, &why) ==
	      1);
	answer(404, "{}");
	memberfind_answer(&f, &c, &mem, &why);
	answer(404, "{}");
	memberfind_answer(&f, &c, &mem, &why);
	answer(404, "{}");
	memberfind_answer(&f, &c, &mem, &why);
	answer(422, "{\"error\": {\"message\": \"has already been taken\"}}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 1);
	CHECK_REQUEST("GET /v2/email/a%40x.org ");
	answer(500, "{\"error\": {\"message\": \"boom\"}}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == -1);
	CHECK(why.data && strstr(why.data, "boom"));
	/* Only an id, the create's answer lost: the create again. */
	CHECK(memberfind_start(
	          &f, &m, id_only, rec, "http://n", "cl", &c, &why) == 1);
	answer(404, "{}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == 1);
	CHECK_REQUEST("POST /v2/users {\"email\":\"a@x.org\"}");
	CHECK(memberfind_lost(&f, &c) == 1);
	CHECK_REQUEST("POST /v2/users {\"email\":\"a@x.org\"}");
	/* An answer without an id. */
	buf_reset(&why);
	answer(200, "{\"data\": {}}");
	CHECK(memberfind_answer(&f, &c, &mem, &why) == -1);
	CHECK_STR(why.data, "Northstar answered without the member's id");
	memberrules_release(&m);
	json_decref(rec);
	buf_release(&why);
}

int
main(void)
{
	http_call_init(&c);
	RUN(lookups_in_order_then_create);
	RUN(found_and_identities_missing);
	RUN(lost_raced_refused);
	http_call_release(&c);
	return harness_done();
}
