/*
 * Unit tests for common/postbody.c: the base fields in their order, the
 * extra ones after them, nulls and missing fields left out, a field never
 * twice, and the details sent as a string of JSON.
 */
#include <jansson.h>
#include <stdlib.h>

#include "harness.h"
#include "jsoncheck.h"
#include "postbody.h"

static const char *const base[] = {"northstar_id", "action_id", "status", NULL};

static void
check_body(
    const char *rec, const char *extra, const char *details, const char *want)
{
	json_t *r = parse(rec), *b = postbody_create(r, base, extra, details);

	CHECK_JSON(b, want);
	json_decref(b);
	json_decref(r);
}

TEST(fields)
{
	check_body("{\"status\":\"accepted\",\"action_id\":7,\"x\":1,"
	           "\"northstar_id\":null}",
	    NULL, NULL, "{\"action_id\":7,\"status\":\"accepted\"}");
	check_body("{\"status\":\"accepted\",\"quantity\":1,\"created_at\":"
	           "\"2019-03-01\",\"action_id\":7}",
	    "quantity,created_at", NULL,
	    "{\"action_id\":7,\"status\":\"accepted\",\"quantity\":1,"
	    "\"created_at\":\"2019-03-01\"}");
	/* Missing or null extra fields are left out; a base field is not
	 * repeated; an empty name is nothing. */
	check_body("{\"status\":\"a\",\"quantity\":null}",
	    "quantity,,created_at,status", NULL, "{\"status\":\"a\"}");
}

TEST(details)
{
	check_body("{\"status\":\"a\",\"details\":{\"k\":\"v\",\"n\":1}}", NULL,
	    "details",
	    "{\"status\":\"a\",\"details\":\"{\\\"k\\\":\\\"v\\\",\\\"n\\\":1}\"}");
	/* Not an object: not sent. */
	check_body("{\"status\":\"a\",\"details\":\"x\"}", NULL, "details",
	    "{\"status\":\"a\"}");
	check_body("{\"status\":\"a\",\"details\":{\"k\":1}}", NULL, NULL,
	    "{\"status\":\"a\"}");
}

int
main(void)
{
	RUN(fields);
	RUN(details);
	return harness_done();
}
