#include "attrib.h"
#include "harness.h"

#define H 3600000LL

static struct buf out = BUF_INIT;

/* A page view at hour h: member m (or NULL), anonymous id a, utm_source. */
static const char *
pv(struct attrib *at, int64_t h, const char *m, const char *a, const char *src,
    const char *id)
{
	struct attrib_event e = {.time = h * H};
	char eid[32];

	snprintf(eid, sizeof(eid), "\"%s\"", id);
	e.member = m;
	e.nmember = m ? strlen(m) : 0;
	e.anon = a;
	e.nanon = a ? strlen(a) : 0;
	e.event_id = eid;
	e.nevent_id = strlen(eid);
	e.utm_source = src;
	e.nsource = src ? strlen(src) : 0;
	buf_reset(&out);
	CHECK(attrib_pageview(at, &e, &out) == 0);
	return out.data;
}

static const char *
conv(struct attrib *at, int64_t h, const char *m, const char *a)
{
	struct attrib_event e = {.time = h * H};

	e.member = m;
	e.nmember = strlen(m);
	e.anon = a;
	e.nanon = a ? strlen(a) : 0;
	e.event_id = "\"c\"";
	e.nevent_id = 3;
	buf_reset(&out);
	CHECK(attrib_conversion(at, &e, &out) == 0);
	return out.data;
}

#define TOUCH(id, t, s)                                                        \
	"{\"event_id\":\"" id "\",\"time\":\"" t "\",\"source\":\"" s          \
	"\",\"campaign\":\"\",\"medium\":\"\"}"

TEST(anonymous_visits_join_at_the_sign_up)
{
	struct attrib at;

	attrib_init(&at, 24 * H);
	CHECK_STR(pv(&at, 1, NULL, "fp", "fb", "p1"),
	    "{\"touch\":{\"source\":\"fb\",\"campaign\":\"\",\"medium\":\"\"}}");
	pv(&at, 2, NULL, "fp", NULL, "p2");
	pv(&at, 3, NULL, "fp", "ads", "p3");
	CHECK_STR(conv(&at, 4, "m", "fp"),
	    "{\"first\":" TOUCH("p1", "1970-01-01T01:00:00.000Z",
	        "fb") ",\"last\":" TOUCH("p3", "1970-01-01T03:00:00.000Z",
	        "ads") ",\"pages_before\":3,\"time_to_convert_ms\":10800000}");
	/* After it: the anonymous id is the member's now. */
	CHECK(strstr(pv(&at, 5, NULL, "fp", NULL, "p4"),
	          ",\"after\":{\"event_id\":\"c\",\"first\":{") != NULL);
	/* A second sign-up sees only what came after the first. */
	CHECK_STR(conv(&at, 6, "m", NULL),
	    "{\"first\":" TOUCH("p4", "1970-01-01T05:00:00.000Z",
	        "direct") ",\"last\":" TOUCH("p4", "1970-01-01T05:00:00.000Z",
	        "direct") ",\"pages_before\":1,\"time_to_convert_ms\":3600000}");
	attrib_release(&at);
}

TEST(lookback_and_empty_windows)
{
	struct attrib at;

	attrib_init(&at, 24 * H);
	pv(&at, 0, "m", NULL, "old", "p0"); /* 25 hours before: out */
	pv(&at, 1, "m", NULL, "in", "p1");  /* exactly 24 hours: in */
	CHECK(strstr(conv(&at, 25, "m", NULL), "\"pages_before\":1,") != NULL);
	CHECK_STR(conv(&at, 26, "n", NULL),
	    "{\"first\":null,\"last\":null,\"pages_before\":0,"
	    "\"time_to_convert_ms\":null}");
	/* More than the lookback after the conversion: no after mark. */
	CHECK(strstr(pv(&at, 26 + 25, "n", NULL, NULL, "p2"), "after") == NULL);
	attrib_release(&at);
}

TEST(a_claim_is_the_first_and_ends_with_the_member)
{
	struct attrib at;

	attrib_init(&at, 24 * H);
	conv(&at, 1, "m1", "shared");
	conv(&at, 2, "m2", "shared"); /* claimed already: stays m1's */
	CHECK(strstr(pv(&at, 3, NULL, "shared", NULL, "p1"),
	          "\"after\":{\"event_id\":\"c\"") != NULL);
	/* m1 quiet for more than the lookback: the claim is gone. */
	CHECK(strstr(pv(&at, 3 + 25, NULL, "shared", "x", "p2"), "after") ==
	      NULL);
	CHECK(strstr(conv(&at, 3 + 26, "m2", "shared"),
	          "\"pages_before\":1,") != NULL);
	attrib_release(&at);
}

TEST(forgotten_persons_are_swept)
{
	struct attrib at;
	char id[32];
	int i;

	attrib_init(&at, H);
	at.sweep_min = 16;
	for (i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "fp%d", i);
		pv(&at, i, NULL, id, NULL, "p");
		snprintf(id, sizeof(id), "m%d", i);
		conv(&at, i, id, NULL);
	}
	CHECK(at.peak < 64);
	CHECK(at.sweeps > 100);
	attrib_release(&at);
}

int
main(void)
{
	RUN(anonymous_visits_join_at_the_sign_up);
	RUN(lookback_and_empty_windows);
	RUN(a_claim_is_the_first_and_ends_with_the_member);
	RUN(forgotten_persons_are_swept);
	buf_release(&out);
	return harness_done();
}
