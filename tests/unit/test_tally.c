/*
 * Unit tests for common/tally.c: the counters, drops grouped by rule name
 * (equal names, not equal pointers), the exact summary line tally_format
 * writes, rules past TALLY_MAX_RULES, tally_balanced, and records that
 * never reached stdout counted as unwritten, not out.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "tally.h"

/* Formats t into a fresh buffer and compares with want. */
static void
check_format(const struct tally *t, const char *want, int line)
{
	struct buf b = BUF_INIT;

	if (tally_format(t, &b) != 0 || b.data == NULL ||
	    strcmp(b.data, want) != 0) {
		harness_failed_checks++;
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__,
		    line, b.data ? b.data : "(null)", want);
	}
	buf_release(&b);
}

#define CHECK_FORMAT(t, want) check_format((t), (want), __LINE__)

TEST(init_zeroes)
{
	struct tally t;

	memset(&t, 0xff, sizeof(t));
	tally_init(&t);
	CHECK(t.in == 0 && t.out == 0 && t.dropped == 0 && t.rejected == 0);
	CHECK(t.nrules == 0);
	CHECK_FORMAT(&t, "in=0 out=0 dropped=0 rejected=0");
	CHECK(tally_balanced(&t));
}

TEST(summary_line)
{
	struct tally t;

	tally_init(&t);
	t.in = 5;
	t.out = 2;
	tally_drop(&t, "a");
	tally_drop(&t, "b");
	t.rejected = 1;
	CHECK(t.dropped == 2);
	CHECK_FORMAT(&t, "in=5 out=2 dropped=2 (a=1 b=1) rejected=1");
	CHECK(tally_balanced(&t));
	/* Records lost on stdout are not out but unwritten, told last. */
	t.out = 0;
	t.unwritten = 2;
	CHECK_FORMAT(
	    &t, "in=5 out=0 dropped=2 (a=1 b=1) rejected=1 unwritten=2");
	CHECK(tally_balanced(&t));
	t.out = 1; /* one record counted twice */
	CHECK(!tally_balanced(&t));
}

TEST(rules_grouped_by_name)
{
	struct tally t;
	/* Equal names in different memory are one rule. */
	char a1[] = "staff-email", a2[] = "staff-email";

	tally_init(&t);
	t.in = 10;
	t.out = 6;
	tally_drop(&t, a1);
	tally_drop(&t, "test-hostname");
	tally_drop(&t, a2);
	tally_drop(&t, a1);
	CHECK(t.dropped == 4);
	CHECK(t.nrules == 2);
	/* Rules appear in the order first seen. */
	CHECK_FORMAT(&t,
	    "in=10 out=6 dropped=4 (staff-email=3 test-hostname=1) rejected=0");
	CHECK(tally_balanced(&t));
}

TEST(format_appends)
{
	struct tally t;
	struct buf b = BUF_INIT;

	tally_init(&t);
	t.in = ULLONG_MAX;
	t.out = ULLONG_MAX;
	CHECK(buf_adds(&b, "shape: ") == 0);
	CHECK(tally_format(&t, &b) == 0);
	CHECK_STR(b.data, "shape: in=18446744073709551615 "
	                  "out=18446744073709551615 dropped=0 rejected=0");
	buf_release(&b);
}

TEST(format_max)
{
	struct tally t;
	struct buf b;

	tally_init(&t);
	tally_drop(&t, "rule");
	buf_init(&b, 20);
	CHECK(tally_format(&t, &b) == -1);
	buf_release(&b);
	/* "in=0 out=0 dropped=1 (rule=1) rejected=0" is 41 bytes. */
	buf_init(&b, 41);
	CHECK(tally_format(&t, &b) == 0);
	CHECK_STR(b.data, "in=0 out=0 dropped=1 (rule=1) rejected=0");
	buf_release(&b);
}

TEST(balanced)
{
	struct tally t;

	tally_init(&t);
	t.in = 5;
	t.out = 2;
	t.rejected = 1;
	CHECK(!tally_balanced(&t)); /* one record unaccounted for */
	tally_drop(&t, "x");
	CHECK(!tally_balanced(&t));
	tally_drop(&t, "y");
	CHECK(tally_balanced(&t));
	tally_drop(&t, "x");
	CHECK(!tally_balanced(&t)); /* more out than in */
	t.in = 3;
	t.out = 3;
	t.dropped = 0;
	t.rejected = 0;
	CHECK(tally_balanced(&t));
}

/* Records of the stage's own making (rollup's rows) balance what they
 * are made of: in + made = out + dropped + rejected. */
TEST(made)
{
	struct tally t;
	struct buf b = BUF_INIT;

	tally_init(&t);
	t.in = 4;
	tally_drop(&t, "rolled-up");
	tally_drop(&t, "rolled-up");
	tally_drop(&t, "rolled-up");
	t.rejected = 1;
	t.made = 2;
	t.out = 2;
	CHECK(tally_balanced(&t));
	t.made = 1;
	CHECK(!tally_balanced(&t));
	t.made = 2;
	CHECK(tally_format(&t, &b) == 0);
	CHECK_STR(b.data, "in=4 made=2 out=2 dropped=3 (rolled-up=3) "
	                  "rejected=1");
	buf_release(&b);
}

TEST(many_rules)
{
	static const char head[] = "in=0 out=0 dropped=41 (r0=2 r1=1 r2=1 ";
	static char names[40][8];
	struct tally t;
	struct buf b = BUF_INIT;
	unsigned long long sum = 0;
	int i;

	tally_init(&t);
	for (i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "r%d", i);
		tally_drop(&t, names[i]);
	}
	/* A rule seen before the table filled keeps its own count. */
	tally_drop(&t, "r0");
	CHECK(t.dropped == 41);
	CHECK(t.nrules == TALLY_MAX_RULES);
	for (i = 0; i < t.nrules; i++)
		sum += t.rules[i].count;
	CHECK(sum == t.dropped); /* nothing lost */
	CHECK(t.rules[0].count == 2);
	CHECK(tally_format(&t, &b) == 0);
	CHECK(strncmp(b.data, head, strlen(head)) == 0);
	CHECK(strstr(b.data, " r30=1 ") != NULL);
	CHECK(strstr(b.data, " other=") != NULL);
	CHECK(strstr(b.data, " r39=") == NULL);
	t.in = 41;
	CHECK(tally_balanced(&t));
	buf_release(&b);
}

int
main(void)
{
	RUN(init_zeroes);
	RUN(summary_line);
	RUN(rules_grouped_by_name);
	RUN(format_appends);
	RUN(format_max);
	RUN(balanced);
	RUN(made);
	RUN(many_rules);
	return harness_done();
}
