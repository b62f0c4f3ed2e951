/*
 * Tests and small transforms of one vendor value, as the old importer made
 * them: the yes/no of its forms, the mobile worth sending, the real date,
 * the status slug, the plain substring tests of its scrub rules. A vendor
 * file calls them by name (rules.h); post-northstar uses mobile_valid() to
 * decide which mobiles to look a member up by.
 */
#ifndef VALUES_H
#define VALUES_H

#include "buf.h"

/*
 * The old importer's yes/no: lower-cased, exactly "y" is yes; otherwise
 * yes only for "1", "true", "on" or "yes", white space around ignored
 * ("yes " is yes, "y " is not, nor is anything else). NULL is no.
 */
int yes_no(const char *s);

/*
 * Whether s is a mobile worth sending: not 000-000-0000, and more than
 * nine characters once spaces and dashes are gone (parentheses, dots and
 * "+" count, as they did). NULL is not.
 */
int mobile_valid(const char *s);

/*
 * Whether s is a real calendar date, with an optional time and zone, in
 * the shapes vendors and people write: "2020-03-08 00:56:02 -0400", ISO
 * 8601 ("2020-03-08T00:56:02Z", fractions of a second allowed),
 * "03/08/2020 00:56"; white space around is ignored. Not "555-555-5555",
 * "", "2020-02-30" or a year before 1900.
 */
int real_date(const char *s);

/*
 * Replaces out's contents with s lower-cased (ASCII), every space turned
 * into a dash: a vendor's status as the organization's hierarchy names
 * it ("Step 1" is "step-1", "Under 18" is "under-18").
 */
void slug(const char *s, struct buf *out);

/*
 * Whether s is an e-mail address Northstar takes, white space around
 * ignored: a local part of 1 to 64 characters with no white space, no
 * quotes or brackets and no dot first, last or twice in a row; one "@";
 * a domain of two labels or more (letters, digits, dashes inside, bytes
 * of UTF-8), the last of two characters or more; 254 characters at most.
 * Not "bob@", "bob@localhost", "a b@x.org", "bob@@x.org".
 */
int email_valid(const char *s);

/*
 * Replaces out's contents with the address s as Northstar matches it:
 * white space around cut, ASCII letters lower-cased ("  Sam@X.ORG " is
 * "sam@x.org"), so that one address is one member key.
 */
void email_clean(const char *s, struct buf *out);

/*
 * The whole number s writes, white space around ignored: decimal digits
 * with an optional "-", no more than 18 of them. Returns 0 with *n set,
 * or -1 ("", "12a", "1.5", "1e3", NULL).
 */
int integer_value(const char *s, long long *n);

/* Whether needle is in hay: as written, or ASCII case-insensitively. */
int contains(const char *hay, const char *needle);
int contains_ci(const char *hay, const char *needle);

#endif
