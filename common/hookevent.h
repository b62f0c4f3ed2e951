/*
 * hookevent: a receiver route that takes events of the event layer
 * (analytics/README.md), declared by three keys of its "receive" section
 * beside hookroute.h's:
 *
 *	"dictionary": "analytics/dictionary.json",
 *	"events": ["signup", "trial", "unsubscribe"],
 *	"defaults": {"event": "pageview"}
 *
 * "dictionary" is the data dictionary the route's requests are checked
 * against (dictionary.h): a path, absolute or relative to the checkout
 * (the folder above the vendors' folder the build was given); the
 * receiver's --dictionary FILE (or SLUICE_DICTIONARY) replaces it for
 * every route that has one. "events" lists the event names the route
 * takes (each one the dictionary's); "defaults" gives top-level values a
 * request that lacks them (absent or null) gets before it is checked.
 * Without "dictionary" a route is not an event route and these keys are
 * refused.
 *
 * A request's record is checked as validate checks it, applying omit
 * (dictionary_check() with apply): its event name must be one of the
 * route's ("rule": "events" otherwise, a blocking violation, the
 * dictionary not asked); a blocking violation refuses it with 422 and the
 * answer {"violations": [...]} (every violation found); else it is taken,
 * and the flag and omit violations go with it (the caller puts them in
 * its _meta.violations). Nothing here prints.
 */
#ifndef HOOKEVENT_H
#define HOOKEVENT_H

#include <jansson.h>

#include "buf.h"
#include "dictionary.h"

struct hookevent {
	struct dictionary *dict; /* NULL: not an event route */
	const char **events;     /* the names taken (borrowed) */
	size_t nevents;
	const json_t *defaults; /* borrowed, or NULL */
	char *path;             /* the dictionary's file (owned) */
};

/*
 * Reads the event keys of the receive section recv (borrowed: it must
 * outlive e). dictionary, when not NULL, replaces the section's
 * dictionary path. Returns 0 (e->dict NULL when recv has none), or -1
 * with err saying what is wrong ("receive.events: ...", or the
 * dictionary's own "FILE:LINE:COL: message").
 */
int hookevent_load(struct hookevent *e, const json_t *recv,
    const char *dictionary, struct buf *err);

void hookevent_release(struct hookevent *e);

/*
 * Checks the record rec (changed: defaults filled, omitted properties
 * removed). Returns 0 when it is taken, *violations then a new array of
 * the flag and omit violations, or NULL when there are none; or 422 with
 * *answer a new {"violations": [...]}.
 */
int hookevent_check(const struct hookevent *e, json_t *rec, json_t **violations,
    json_t **answer);

#endif
