/*
 * attrib: the persons behind events and their windows, for attribute
 * (analytics/README.md, "attribute": the rules "Who", "A conversion's
 * window", "After a conversion" and "Memory" are this module's).
 *
 * Events are given in order of place, one call each: page views to
 * attrib_pageview(), conversions (with a member id) to attrib_conversion().
 * Each call appends the event's "attribution" object, as JSON text, to
 * out. State is kept per person: a member's page views since their last
 * conversion, their last conversion, and the anonymous ids they claimed;
 * an unclaimed anonymous id's own page views. A person whose latest event
 * is more than the lookback before the event being handled is forgotten
 * (a member's claims with them), and every so often the forgotten ones are
 * swept away, so that memory follows the persons with an open window, not
 * the input.
 */
#ifndef ATTRIB_H
#define ATTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "strmap.h"

/* One event's values; every string is n bytes, NULL (or empty) for none. */
struct attrib_event {
	int64_t time; /* UTC milliseconds */
	const char *member, *anon;
	size_t nmember, nanon;
	const char *event_id; /* its JSON text as written, "null" if none */
	size_t nevent_id;
	/* Page views only. */
	const char *utm_source, *utm_campaign, *utm_medium, *referrer, *url;
	size_t nsource, ncampaign, nmedium, nreferrer, nurl;
};

struct attrib {
	struct strmap members, anons;
	int64_t lookback; /* milliseconds */
	unsigned long long serial, ord;
	size_t after_sweep; /* persons kept by the last sweep */
	size_t peak;        /* the most persons held at once */
	size_t sweep_min;   /* no sweep below this many persons (1024);
	                       tests set it lower to sweep small streams */
	unsigned long long sweeps;
	struct buf touch, own, source;
};

/* No persons yet; lookback in milliseconds. */
void attrib_init(struct attrib *a, int64_t lookback);

/* Frees every person. */
void attrib_release(struct attrib *a);

/*
 * A page view: appends {"touch":{...}} or {"touch":{...},"after":{...}}
 * to out. 0, or -1 when out would exceed its maximum.
 */
int attrib_pageview(
    struct attrib *a, const struct attrib_event *e, struct buf *out);

/*
 * A conversion of e->member (not NULL): appends {"first":..,"last":..,
 * "pages_before":N,"time_to_convert_ms":N} to out. 0 or -1.
 */
int attrib_conversion(
    struct attrib *a, const struct attrib_event *e, struct buf *out);

/* The persons held now (members and anonymous ids). */
size_t attrib_persons(const struct attrib *a);

#endif
