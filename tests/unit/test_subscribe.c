/*
 * Unit tests for rules/subscribe.c: the SMS table of the old importer
 * (vendors/rock-the-vote/README.md, "SMS subscriptions"), with the spot
 * checks of its case 15 and the examples of its own tests.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "subscribe.h"

/* The change, as compact JSON with sorted keys (freed by the caller). */
static char *
change(const char *status, const char *topics, int in)
{
	json_t *t = json_loads(topics, 0, NULL);
	json_t *conf = json_pack("[s]", "voting");
	json_t *c = sms_change(status, t, in, conf);
	char *s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(t);
	json_decref(conf);
	json_decref(c);
	return s;
}

#define CHECK_CHANGE(status, topics, in, want)                                 \
	do {                                                                   \
		char *got_ = change(status, topics, in);                       \
		CHECK_STR(got_, want);                                         \
		free(got_);                                                    \
	} while (0)

TEST(case_15_spot_checks)
{
	CHECK_CHANGE("stop", "[]", 0, "{}");
	CHECK_CHANGE("less", "[\"general\",\"voting\"]", 1,
	    "{\"sms_status\":\"active\"}");
	CHECK_CHANGE("active", "[\"general\",\"voting\",\"pizza\"]", 0,
	    "{\"sms_subscription_topics\":[\"general\",\"pizza\"]}");
	CHECK_CHANGE("undeliverable", "[]", 1,
	    "{\"sms_status\":\"active\",\"sms_subscription_topics\":"
	    "[\"voting\"]}");
}

TEST(old_importer_examples)
{
	CHECK_CHANGE("active", "[\"general\",\"voting\"]", 0,
	    "{\"sms_subscription_topics\":[\"general\"]}");
	CHECK_CHANGE(NULL, "null", 1,
	    "{\"sms_status\":\"active\",\"sms_subscription_topics\":"
	    "[\"voting\"]}");
	CHECK_CHANGE(NULL, "null", 0, "{\"sms_status\":\"stop\"}");
	CHECK_CHANGE("", "[]", 0, "{\"sms_status\":\"stop\"}");
	/* Opted out: sent even when voting was not there. */
	CHECK_CHANGE("active", "[\"general\"]", 0,
	    "{\"sms_subscription_topics\":[\"general\"]}");
	CHECK_CHANGE(
	    "pending", "[\"voting\"]", 1, "{\"sms_status\":\"active\"}");
	CHECK_CHANGE(
	    "unknown", "[]", 1, "{\"sms_subscription_topics\":[\"voting\"]}");
	CHECK_CHANGE("less", "[]", 0, "{}");
}

int
main(void)
{
	RUN(case_15_spot_checks);
	RUN(old_importer_examples);
	return harness_done();
}
