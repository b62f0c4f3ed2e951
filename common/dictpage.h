/*
 * dictpage: the data dictionary as a page people read (Markdown), the one
 * the company reads before it sends an event: analytics/DICTIONARY.md.
 *
 * The page says what the dictionary does with a violation and an unknown
 * event, lists the conversions, then the metadata every event carries and
 * each event in turn (in the file's order): its description and a table of
 * its properties, each with its type, its constraints in words (required,
 * enum, pattern, lengths, bounds, format, items...), what a violation does
 * and its description. The page depends on the dictionary alone, so that
 * a test can render it again and compare it with the one committed.
 */
#ifndef DICTPAGE_H
#define DICTPAGE_H

#include "buf.h"
#include "dictionary.h"

/* Appends the page to out. Returns 0, or -1 when out would exceed its
 * maximum. */
int dictpage_render(const struct dictionary *d, struct buf *out);

#endif
