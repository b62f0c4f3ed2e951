/* Record counters; see tally.h. */
#include <string.h>

#include "tally.h"

void
tally_init(struct tally *t)
{
	memset(t, 0, sizeof(*t));
}

void
tally_drop(struct tally *t, const char *rule)
{
	int i;

	t->dropped++;
	for (i = 0; i < t->nrules; i++) {
		if (t->rules[i].rule == rule ||
		    strcmp(t->rules[i].rule, rule) == 0)
			break;
	}
	if (i == t->nrules) {
		if (t->nrules < TALLY_MAX_RULES - 1) {
			t->rules[t->nrules++].rule = rule;
		} else {
			/* The last slot gathers every rule past the others. */
			i = TALLY_MAX_RULES - 1;
			t->rules[i].rule = "other";
			t->nrules = TALLY_MAX_RULES;
		}
	}
	t->rules[i].count++;
}

int
tally_format(const struct tally *t, struct buf *out)
{
	int i, rc;

	rc = buf_printf(out, "in=%llu", t->in);
	if (rc == 0 && t->made)
		rc = buf_printf(out, " made=%llu", t->made);
	if (rc == 0)
		rc = buf_printf(
		    out, " out=%llu dropped=%llu", t->out, t->dropped);
	for (i = 0; rc == 0 && i < t->nrules; i++)
		rc = buf_printf(out, "%s%s=%llu", i ? " " : " (",
		    t->rules[i].rule, t->rules[i].count);
	if (rc == 0 && t->nrules)
		rc = buf_addc(out, ')');
	if (rc == 0)
		rc = buf_printf(out, " rejected=%llu", t->rejected);
	if (rc == 0 && t->unwritten)
		rc = buf_printf(out, " unwritten=%llu", t->unwritten);
	return rc;
}

int
tally_balanced(const struct tally *t)
{
	return t->in + t->made ==
	       t->out + t->dropped + t->rejected + t->unwritten;
}
