/*
 * Unit tests for common/hookevent.c, on the checkout's dictionary
 * (analytics/dictionary.json, found from the vendors' folder the build was
 * given): the route's keys read and refused, defaults filled, a name the
 * route does not take and a blocking violation answered 422 with the
 * violations, flag and omit taken with theirs, nothing for a clean event.
 */
#include <jansson.h>
#include <string.h>

#include "harness.h"
#include "hookevent.h"

static json_t *
js(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);

	if (v == NULL)
		fprintf(stderr, "bad test JSON: %s\n", text);
	return v;
}

/* Loads recv's text; 0 or -1 with the reason in err. */
static int
load(struct hookevent *e, json_t **recv, const char *text, struct buf *err)
{
	*recv = js(text);
	buf_reset(err);
	return hookevent_load(e, *recv, NULL, err);
}

TEST(keys)
{
	struct hookevent e;
	struct buf err = BUF_INIT;
	json_t *r;

	CHECK(load(&e, &r, "{\"path\":\"/x\"}", &err) == 0 && e.dict == NULL);
	hookevent_release(&e);
	json_decref(r);
	CHECK(load(&e, &r, "{\"events\":[\"signup\"]}", &err) == -1);
	CHECK_STR(err.data, "receive.events: only with a \"dictionary\"");
	hookevent_release(&e);
	json_decref(r);
	CHECK(load(&e, &r,
	          "{\"dictionary\":\"analytics/dictionary.json\","
	          "\"events\":[\"signup\",\"sigup\"]}",
	          &err) == -1);
	CHECK(strstr(err.data, "receive.events: \"sigup\" is not an event of "
	                       "/") != NULL);
	hookevent_release(&e);
	json_decref(r);
	CHECK(load(&e, &r,
	          "{\"dictionary\":\"analytics/dictionary.json\","
	          "\"defaults\":[1]}",
	          &err) == -1);
	CHECK_STR(err.data, "receive.defaults: must be an object of values");
	hookevent_release(&e);
	json_decref(r);
	CHECK(load(&e, &r, "{\"dictionary\":\"no/such/dictionary.json\"}",
	          &err) == -1);
	CHECK(strstr(err.data, "no/such/dictionary.json") != NULL);
	hookevent_release(&e);
	json_decref(r);
	buf_release(&err);
}

#define PAGEVIEW                                                               \
	"{\"event_id\":\"0b6e6f2c-6c1f-4a51-9b4e-9a3c2f1d7e10\","              \
	"\"time\":\"2026-11-30T12:00:00Z\",\"anonymous_id\":\"fp-3f9a1c2e\","  \
	"\"session_id\":\"s-1\",\"url\":\"https://www.example.org/\","         \
	"\"properties\":{\"path\":\"/\""

TEST(checks)
{
	struct hookevent e;
	struct buf err = BUF_INIT;
	json_t *r, *ev, *viol, *answer;

	CHECK(load(&e, &r,
	          "{\"dictionary\":\"analytics/dictionary.json\","
	          "\"events\":[\"pageview\"],"
	          "\"defaults\":{\"event\":\"pageview\"}}",
	          &err) == 0);
	CHECK(e.dict != NULL && e.nevents == 1);
	/* Clean, the name filled in. */
	ev = js(PAGEVIEW "}}");
	CHECK(hookevent_check(&e, ev, &viol, &answer) == 0);
	CHECK(viol == NULL && answer == NULL);
	CHECK_STR(json_string_value(json_object_get(ev, "event")), "pageview");
	json_decref(ev);
	/* Omit and flag: taken, with the violations; title removed. */
	ev = js(PAGEVIEW ",\"title\":5,\"load_ms\":-1}}");
	CHECK(hookevent_check(&e, ev, &viol, &answer) == 0);
	CHECK(json_array_size(viol) == 2 && answer == NULL);
	CHECK(json_object_get(json_object_get(ev, "properties"), "title") ==
	      NULL);
	json_decref(viol);
	json_decref(ev);
	/* Another event's name: 422, the rule "events". */
	ev = js(PAGEVIEW "},\"event\":\"signup\"}");
	CHECK(hookevent_check(&e, ev, &viol, &answer) == 422);
	CHECK(viol == NULL);
	viol = json_array_get(json_object_get(answer, "violations"), 0);
	CHECK_STR(json_string_value(json_object_get(viol, "rule")), "events");
	CHECK_STR(json_string_value(json_object_get(viol, "message")),
	    "\"signup\" is not an event this route takes: pageview");
	json_decref(answer);
	json_decref(ev);
	/* A blocking rule: 422 with every violation. */
	ev = js("{\"event\":\"pageview\",\"time\":\"soon\",\"properties\":{}}");
	CHECK(hookevent_check(&e, ev, &viol, &answer) == 422);
	CHECK(json_array_size(json_object_get(answer, "violations")) >= 3);
	json_decref(answer);
	json_decref(ev);
	hookevent_release(&e);
	json_decref(r);
	buf_release(&err);
}

int
main(void)
{
	RUN(keys);
	RUN(checks);
	return harness_done();
}
