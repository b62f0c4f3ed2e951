/*
 * The counters every stage keeps, and the summary line it prints at exit:
 *
 *	shape: in=1000 out=990 dropped=7 (staff-email=5 test-hostname=2)
 *rejected=3
 *
 * The accounting rule of DESIGN.md is in = out + dropped + rejected. A
 * record that was to go out but never reached stdout whole (a write
 * error) is not out: it is counted as unwritten, shown as " unwritten=N"
 * at the end of the line only when there is one, and then in = out +
 * dropped + rejected + unwritten.
 *
 * A stage that writes records of its own making rather than passing its
 * input on (rollup's rows, made from the events it counted) counts them
 * as made: each is out too, its input records are dropped by a rule
 * (rolled-up), and the rule becomes in + made = out + dropped + rejected
 * + unwritten; " made=N" follows in=N when there is one.
 */
#ifndef TALLY_H
#define TALLY_H

#include "buf.h"

#define TALLY_MAX_RULES 32

struct tally {
	unsigned long long in, out, dropped, rejected, unwritten, made;
	struct {
		const char *rule; /* borrowed: a string literal or map data */
		unsigned long long count;
	} rules[TALLY_MAX_RULES];
	int nrules;
};

/* Zeroes the counters. */
void tally_init(struct tally *t);

/*
 * Counts a record dropped by a named rule. The name is borrowed and must
 * outlive the tally. After TALLY_MAX_RULES - 1 named rules, any further
 * rule is counted in one last entry named "other".
 */
void tally_drop(struct tally *t, const char *rule);

/*
 * Appends "in=N out=N dropped=N (rule=N ...) rejected=N" to out, and
 * " unwritten=N" when records were lost on stdout. 0 or -1.
 */
int tally_format(const struct tally *t, struct buf *out);

/* 1 when in + made = out + dropped + rejected + unwritten, else 0. */
int tally_balanced(const struct tally *t);

#endif
