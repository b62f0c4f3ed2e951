/*
 * The named functions a vendor file may call (common/rulefn.h says what
 * one is): the only C that knows a vendor's rule. Each is a function of
 * rules/ with its own header and tests; this table gives it its name.
 *
 *	referral_code    TurboVote's referral code: pieces user, campaign,
 *	                 run, source, source_details (referral.h)
 *	tracking_source  Rock the Vote's tracking source: pieces user,
 *	                 referrer, group_id (referral.h)
 *	slug             lower case, spaces to dashes: "Step 1" is step-1
 *	yes_no           the old importer's yes/no, as true or false
 *	mobile           the value when it is a mobile worth sending, else
 *	                 no value (values.h: mobile_valid)
 *	real_date        whether the value is a real date (a test)
 *	contains         whether the value holds arg, as written (a test)
 *	contains_ci      the same, ASCII case-insensitively (a test)
 *
 * A new rule is a function of its own in rules/, unit-tested and fuzzed,
 * and a line in this table; the README's "Add a vendor" says when one is
 * needed.
 */
#ifndef RULES_H
#define RULES_H

#include "rulefn.h"

/* The table, ending with an entry whose name is NULL. */
extern const struct rulefn rules_table[];

/* The named function, or NULL. */
const struct rulefn *rules_find(const char *name);

#endif
