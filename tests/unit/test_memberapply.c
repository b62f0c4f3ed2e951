/*
 * Unit tests for common/memberapply.c, with answers made up here (no
 * network): the requests a member's update sets and actions make, in
 * order, for Rock the Vote's rules: the status moved up, the mobile's
 * owner asked, the SMS change sent to the owner or to the member with the
 * mobile, a set applied once per registration (also for a member just
 * made), the activation e-mail for a member just made, an action done
 * before not done again, and the refusals (a set's rejects the record, a
 * mobile-owner set's does not, a 404 is "no such member").
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "jsoncheck.h"
#include "memberapply.h"

static const char rules[] =
    "{\"updates\": ["
    " {\"name\": \"status\", \"fields\": {\"voter_registration_status\": "
    "  \"rank\"}},"
    " {\"name\": \"sms\", \"target\": \"mobile-owner\","
    "  \"once\": [\"northstar_id\", \"details.started\"],"
    "  \"when\": {\"user.sms_status\": [\"active\", \"stop\"]},"
    "  \"fields\": {\"sms_status\": {\"table\": {"
    "   \"active\": {\"\": \"active\", \"less\": \"active\"},"
    "   \"stop\": {\"\": \"stop\"}}},"
    "  \"sms_subscription_topics\": ["
    "   {\"when\": {\"user.sms_status\": \"active\"}, \"rule\": \"union\"},"
    "   {\"rule\": \"minus\", \"values\": [\"voting\"]}]}}],"
    " \"after\": [{\"do\": \"activate\", \"created\": true, \"when\": "
    "  {\"user.email_subscription_status\": true}, \"type\": \"welcome\"},"
    "  {\"do\": \"mute-promotions\"}]}";

static struct memberrules mr;
static struct map map;
static struct http_call c;

/* A record opting in (or out) with a mobile, of one registration. */
static json_t *
row(int in, const char *status)
{
	return json_pack("{s:s,s:{s:s},s:{s:s,s:s,s:s,s:[s],s:b}}",
	    "northstar_id", "", "details", "started", "2020-03-08", "user",
	    "mobile", "312-555-0111", "voter_registration_status", status,
	    "sms_status", in ? "active" : "stop", "sms_subscription_topics",
	    "voting", "email_subscription_status", in);
}

/* The request set up on c: "METHOD PATH BODY". */
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

/* Northstar's answer to the request on c. */
static void
answer(long status, const char *body)
{
	c.status = status;
	buf_reset(&c.resp);
	buf_adds(&c.resp, body);
}

static void
setup(struct memberapply *a, struct memberwork *w, const char *once)
{
	struct buf err = BUF_INIT;

	CHECK(memberapply_open(a, &mr, &map, once, &err) == 0);
	memberwork_init(w);
	buf_release(&err);
}

static void
teardown(struct memberapply *a, struct memberwork *w)
{
	struct buf err = BUF_INIT;

	memberwork_release(w);
	CHECK(memberapply_close(a, &err) == 0);
	buf_release(&err);
}

TEST(status_then_mobile_nobody_owns)
{
	struct memberapply a;
	struct memberwork w;
	struct buf why = BUF_INIT, warn = BUF_INIT;
	json_t *member = parse("{\"id\": \"m1\", "
	                       "\"voter_registration_status\": \"step-1\"}");
	json_t *rec = row(1, "step-2"), *meta = json_object();
	struct memberwho who = {"m1", member, "312-555-0111", 0, NULL};

	setup(&a, &w, NULL);
	CHECK(memberwork_next(&a, &w, &who, rec, &c, "http://n", &warn) == 1);
	CHECK_REQUEST("PUT /v2/users/m1 {\"voter_registration_status\":"
	              "\"step-2\"}");
	answer(200, "{\"data\": {}}");
	CHECK(memberwork_answer(
	          &a, &w, &who, rec, &c, "http://n", &why, &warn) == 0);
	CHECK(memberwork_next(&a, &w, &who, rec, &c, "http://n", &warn) == 1);
	CHECK_REQUEST("GET /v2/mobile/312-555-0111 ");
	answer(404, "{}");
	CHECK(memberwork_answer(
	          &a, &w, &who, rec, &c, "http://n", &why, &warn) == 1);
	CHECK_REQUEST(
	    "PUT /v2/users/m1 {\"sms_status\":\"active\","
	    "\"sms_subscription_topics\":[\"voting\"],\"mobile\":\"312-555-0111\"}");
	answer(200, "{\"data\": {}}");
	CHECK(memberwork_answer(
	          &a, &w, &who, rec, &c, "http://n", &why, &warn) == 0);
	/* Not made by this record: no activation; then muted. */
	CHECK(memberwork_next(&a, &w, &who, rec, &c, "http://n", &warn) == 1);
	CHECK_REQUEST("POST /v2/users/m1/promotions ");
	answer(200, "{\"data\": {\"promotions_muted_at\": \"T\"}}");
	CHECK(memberwork_answer(
	          &a, &w, &who, rec, &c, "http://n", &why, &warn) == 0);
	CHECK(memberwork_next(&a, &w, &who, rec, &c, "http://n", &warn) == 0);
	/* The member as now known: the changes merged in. */
	CHECK_JSON(member, "{\"id\":\"m1\",\"voter_registration_status\":"
	                   "\"step-2\",\"sms_status\":\"active\","
	                   "\"sms_subscription_topics\":[\"voting\"],"
	                   "\"mobile\":\"312-555-0111\"}");
	memberwork_meta(&w, meta);
	CHECK_JSON(meta,
	    "{\"sets\":{\"status\":{\"member\":\"m1\",\"set\":"
	    "{\"voter_registration_status\":\"step-2\"}},\"sms\":{\"member\":"
	    "\"m1\",\"set\":{\"sms_status\":\"active\",\"sms_subscription_"
	    "topics\":[\"voting\"],\"mobile\":\"312-555-0111\"}}},\"actions\":"
	    "[\"mute-promotions\"],\"muted\":\"T\"}");
	CHECK(a.updated == 2 && a.actions == 1 && w.learnt && warn.len == 0);
	teardown(&a, &w);
	json_decref(member);
	json_decref(rec);
	json_decref(meta);
	buf_release(&why);
	buf_release(&warn);
}

TEST(mobile_of_another_member)
{
	struct memberapply a;
	struct memberwork w;
	struct buf why = BUF_INIT, warn = BUF_INIT;
	json_t *member = parse("{\"id\": \"m1\", "
	                       "\"voter_registration_status\": \"step-2\"}");
	json_t *rec = row(0, "step-1");
	json_t *done = parse("[\"mute-promotions\"]");
	struct memberwho who = {"m1", member, "312-555-0111", 0, done};

	setup(&a, &w, NULL);
	/* Step 1 after step 2: no status change; straight to the owner. */
	CHECK(memberwork_next(&a, &w, &who, rec, &c, "http://n", &warn) == 1);
	CHECK_REQUEST("GET /v2/mobile/312-555-0111 ");
	answer(200, "{\"data\": {\"id\": \"o1\", \"sms_status\": \"active\", "
	            "\"sms_subscription_topics\": [\"general\", \"voting\"]}}");
	CHECK(memberwork_answer(
	          &a, &w, &who, rec, &c, "http://n", &why, &warn) == 1);
	CHECK_REQUEST(
	    "PUT /v2/users/o1 {\"sms_subscription_topics\":[\"general\"]}");
	/* Refused: the record goes on, the set says so. */
	answer(422, "{\"error\": {\"message\": \"nope\"}}");
	CHECK(memberwork_answer(
	          &a, &w, &who, rec, &c, "http://n", &why, &warn) == 0);
	CHECK(json_object_get(json_object_get(w.sets, "sms"), "failed"));
	/* Muted before (the ledger's done): nothing more. */
	CHECK(memberwork_next(&a, &w, &who, rec, &c, "http://n", &warn) == 0);
	CHECK_JSON(member, "{\"id\":\"m1\",\"voter_registration_status\":"
	                   "\"step-2\"}");
	teardown(&a, &w);
	json_decref(member);
	json_decref(rec);
	json_decref(done);
	buf_release(&why);
	buf_release(&warn);
}

TEST(created_once_and_activation)
{
	char path[sizeof(HARNESS_TMP)];
	struct memberapply a;
	struct memberwork w;
	struct buf why = BUF_INIT, warn = BUF_INIT;
	json_t *member = parse("{\"id\": \"m2\"}");
	json_t *rec = row(1, "step-2");
	struct memberwho who = {"m2", member, "312-555-0111", 1, NULL};

	CHECK(harness_tmpfile(path, "", 0) == 0);
	setup(&a, &w, path);
	/* Made by this record: no set is sent, the activation is. */
	CHECK(memberwork_next(&a, &w, &who, rec, &c, "http://n", &warn) == 1);
	CHECK_REQUEST("POST /v2/resets {\"id\":\"m2\",\"type\":\"welcome\"}");
	answer(200, "{\"data\": {}}");
	CHECK(memberwork_answer(
	          &a, &w, &who, rec, &c, "http://n", &why, &warn) == 0);
	CHECK(memberwork_next(&a, &w, &who, rec, &c, "http://n", &warn) == 1);
	CHECK_REQUEST("POST /v2/users/m2/promotions ");
	/* A 404 from an action: no such member. */
	answer(404, "{}");
	CHECK(memberwork_answer(
	          &a, &w, &who, rec, &c, "http://n", &why, &warn) == -1);
	CHECK_STR(why.data, "no such member");
	memberwork_release(&w);
	/* A later row of the registration: the SMS set applied before. */
	memberwork_init(&w);
	who.created = 0;
	who.done = NULL;
	CHECK(memberwork_next(&a, &w, &who, rec, &c, "http://n", &warn) == 1);
	CHECK_REQUEST("PUT /v2/users/m2 {\"voter_registration_status\":"
	              "\"step-2\"}");
	/* A set's refusal rejects the record. */
	buf_reset(&why);
	answer(422, "{\"error\": {\"message\": \"bad status\"}}");
	CHECK(memberwork_answer(
	          &a, &w, &who, rec, &c, "http://n", &why, &warn) == -1);
	CHECK(why.data && strstr(why.data, "bad status"));
	CHECK_JSON(w.sets, "{}");
	CHECK(memberwork_next(&a, &w, &who, rec, &c, "http://n", &warn) == 1);
	CHECK_JSON(w.sets, "{\"sms\":\"applied before\"}");
	teardown(&a, &w);
	json_decref(member);
	json_decref(rec);
	buf_release(&why);
	buf_release(&warn);
	unlink(path);
}

int
main(void)
{
	struct buf err = BUF_INIT;
	const char *m = "{\"user_rank\": [\"step-1\", \"step-2\"]}";
	json_t *sec = parse(rules);

	if (map_loadb(&map, "rank", m, strlen(m), &err) != 0 ||
	    memberrules_load(&mr, sec, "member", &err) != 0) {
		fprintf(stderr, "%s\n", err.data);
		return 1;
	}
	http_call_init(&c);
	RUN(status_then_mobile_nobody_owns);
	RUN(mobile_of_another_member);
	RUN(created_once_and_activation);
	http_call_release(&c);
	memberrules_release(&mr);
	map_release(&map);
	json_decref(sec);
	buf_release(&err);
	return harness_done();
}
