/*
 * touch: where a page view came from, by the rules of analytics/README.md
 * ("Source and campaign of a page view"), on the values of its event
 * record.
 *
 * A URL's host is what ^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:@]*) captures,
 * its ASCII letters lower-cased; a URL that does not match has none. A page
 * view's source is its utm_source when that is not empty; else the host of
 * its referrer when the referrer is not empty, that host is not empty and
 * it differs from the host of the page's own URL; else "direct". Its
 * campaign is utm_campaign, "" when there is none. It is a touch when its
 * source is not "direct" or its campaign is not empty.
 *
 * Every value is n bytes (NULL: the record has none; the same as empty).
 */
#ifndef TOUCH_H
#define TOUCH_H

#include <stddef.h>

#include "buf.h"

/*
 * The host of the URL u (n bytes): returns 0 with *off and *len naming it
 * within u (not yet lower-cased), or -1 when u does not match.
 */
int touch_host(const char *u, size_t n, size_t *off, size_t *len);

/*
 * Appends the source of a page view to out: its utm_source, the host of
 * its referrer (lower-cased) or "direct", as above. 0, or -1 when out would
 * exceed its maximum.
 */
int touch_source(struct buf *out, const char *utm_source, size_t nsource,
    const char *referrer, size_t nref, const char *url, size_t nurl);

/* 1 when a page view of this source and campaign (ncampaign bytes) is a
 * touch, else 0. */
int touch_is(const char *source, size_t nsource, size_t ncampaign);

#endif
