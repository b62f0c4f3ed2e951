/*
 * Unit tests for common/postflow.c without a network: the flow set up and
 * released, a record's key (its lock's hash, a field missing), what the
 * ledger's status means for the record's rank, and the create's body.
 * The flow on the wire (posts per event under faults, lost answers, the
 * action found once per value) is run by tests/scripts/post-events.py and
 * tests/scripts/delivery.py against the emulator.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "jsoncheck.h"
#include "postflow.h"

static const char *const scope[] = {"action_id", NULL};
static const struct postcache_names posts = {
    "Svc", "/posts", "member", "id", "status", "details", scope};
static const struct actioncache_names actions = {"Svc", "/actions", "id"};
static const char *const fields[] = {"member", "action_id", NULL};

TEST(keys_and_body)
{
	struct postflow pf;
	struct postflow_job pj;
	struct job j;
	json_t *b;

	postflow_init(&pf, &posts, &actions, NULL, NULL, "svc");
	CHECK_STR(pf.service, "Svc");
	CHECK(keyledger_key(&pf.kl, "member,details.when") == 0);
	memset(&j, 0, sizeof(j));
	memset(&pj, 0, sizeof(pj));
	j.rec = parse("{\"member\":\"m\",\"action_id\":3,\"n\":2,"
	              "\"details\":{\"when\":\"t1\"}}");
	pj.status = "accepted";
	CHECK(postflow_key(&pf, &j, &pj) == 0);
	CHECK(pj.keyed == 1 && pj.seen == 0); /* no ledger kept */
	json_object_set_new(
	    json_object_get(j.rec, "details"), "when", json_string("t2"));
	{
		struct postflow_job other = pj;

		CHECK(postflow_key(&pf, &j, &other) == 0);
		CHECK(!hash128_eq(other.key, pj.key)); /* another event */
	}
	json_object_del(json_object_get(j.rec, "details"), "when");
	memset(&pj, 0, sizeof(pj));
	CHECK(postflow_key(&pf, &j, &pj) == -1 && pj.keyed == 0);
	pf.fields = fields;
	pf.extra = "n";
	b = postflow_body(&pf, j.rec);
	CHECK_JSON(b, "{\"member\":\"m\",\"action_id\":3,\"n\":2}");
	json_decref(b);
	CHECK_STR(postflow_result_names[POSTFLOW_SKIPPED], "skipped");
	json_decref(j.rec);
	postflow_release(&pf);
}

int
main(void)
{
	RUN(keys_and_body);
	return harness_done();
}
