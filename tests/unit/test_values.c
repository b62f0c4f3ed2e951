/*
 * Unit tests for rules/values.c: the old importer's yes/no and mobile
 * tests (Rock the Vote's cases 1 and 5), the real-date rule (case 4: an
 * invalid date is dropped), the status slug, and the substring tests of
 * TurboVote's scrub rules (case 20, where the e-mail test is ours:
 * case-insensitive).
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "values.h"

TEST(yes_and_no)
{
	CHECK(yes_no("Yes") && yes_no("yes ") && yes_no("Y") && yes_no("y") &&
	      yes_no("1") && yes_no(" TRUE") && yes_no("on") &&
	      yes_no("\tyes\n"));
	CHECK(!yes_no("y ") && !yes_no("No") && !yes_no("") && !yes_no("n") &&
	      !yes_no(NULL) && !yes_no("yess") && !yes_no("yes yes") &&
	      !yes_no("0") && !yes_no("truest"));
}

TEST(mobiles)
{
	CHECK(mobile_valid("212-254-2390") && mobile_valid("(212) 254-2390") &&
	      mobile_valid("+1 212 254 2390") && mobile_valid("2122542390"));
	CHECK(!mobile_valid("000-000-0000") && !mobile_valid("787 249 13") &&
	      !mobile_valid("302367890") && !mobile_valid("") &&
	      !mobile_valid(NULL) && !mobile_valid("- - - - - - - - - - -"));
}

TEST(real_dates)
{
	static const char *const yes[] = {
	    "2020-03-08 00:56:02 -0400",
	    "2020-03-08T00:56:02Z",
	    "2020-03-08T00:56:02.123+02:00",
	    "2020-03-08",
	    "  2020-03-08 10:00  ",
	    "2020-03-08 10:00 UTC",
	    "03/08/2020 10:00",
	    "03/08/2020",
	    "2020-02-29",
	    "2000-02-29",
	    "2016-12-31 23:59:60",
	};
	static const char *const no[] = {
	    "",
	    "555-555-5555",
	    "2020-02-30",
	    "2019-02-29",
	    "1900-02-29",
	    "1899-12-31",
	    "2020-13-01",
	    "2020-00-10",
	    "2020-3-8",
	    "2020-03-08 24:00",
	    "2020-03-08 10:60",
	    "2020-03-08T",
	    "2020-03-08 10:00 EST",
	    "12",
	    "2020",
	    "13/01/2020",
	    "yesterday",
	};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (!real_date(yes[i]))
			fprintf(stderr, "not a date? '%s'\n", yes[i]);
		CHECK(real_date(yes[i]));
	}
	for (i = 0; i < sizeof(no) / sizeof(*no); i++) {
		if (real_date(no[i]))
			fprintf(stderr, "a date? '%s'\n", no[i]);
		CHECK(!real_date(no[i]));
	}
	CHECK(!real_date(NULL));
}

TEST(slugs)
{
	struct buf b = BUF_INIT;

	slug("Step 1", &b);
	CHECK_STR(b.data, "step-1");
	slug("Under 18", &b);
	CHECK_STR(b.data, "under-18");
	slug("COMPLETE", &b);
	CHECK_STR(b.data, "complete");
	/* Only spaces become dashes, and only ASCII is lowered. */
	slug(" Foo  Bar\tÉ", &b);
	CHECK_STR(b.data, "-foo--bar\tÉ");
	slug("", &b);
	CHECK_STR(b.data, "");
	buf_release(&b);
}

TEST(contains_tests)
{
	CHECK(contains("jane@dosomething.org", "dosomething.org"));
	CHECK(!contains("Jane@DoSomething.ORG", "dosomething.org"));
	CHECK(contains_ci("Jane@DoSomething.ORG", "dosomething.org"));
	CHECK(contains_ci("X@TurboVote.com", "turbovote"));
	CHECK(!contains_ci("jane@nothing.org", "dosomething.org"));
	CHECK(!contains_ci("jane@dosome.org", "dosomething.org"));
	CHECK(!contains_ci("dosomething.or", "dosomething.org"));
	CHECK(!contains(NULL, "x") && !contains_ci(NULL, "x"));
	CHECK(contains_ci("abc", "ABC") && contains_ci("xxABCxx", "abc"));
}

TEST(emails)
{
	CHECK(email_valid("jane@example.org"));
	CHECK(email_valid("  Jane.Doe+news@Mail.Example.ORG \t"));
	CHECK(email_valid("o'brien@xn--bcher-kva.de"));
	CHECK(email_valid("ren\xc3\xa9@caf\xc3\xa9.fr"));
	CHECK(!email_valid(NULL) && !email_valid("") && !email_valid("   "));
	CHECK(!email_valid("bob@") && !email_valid("@example.org"));
	CHECK(!email_valid("bob@localhost") && !email_valid("bob@x.o"));
	CHECK(!email_valid("a b@x.org") && !email_valid("bob@x .org"));
	CHECK(!email_valid("bob@@x.org") && !email_valid("bob@x..org"));
	CHECK(!email_valid(".bob@x.org") && !email_valid("bob.@x.org"));
	CHECK(!email_valid("bo..b@x.org") && !email_valid("bob@-x.org"));
	CHECK(!email_valid("bob@x-.org") && !email_valid("bob@x.org."));
	CHECK(!email_valid("<bob@x.org>") && !email_valid("bob,jim@x.org"));
	CHECK(!email_valid("not an email"));
}

TEST(integers)
{
	long long n = 0;

	CHECK(integer_value("8017", &n) == 0 && n == 8017);
	CHECK(integer_value("  -42 ", &n) == 0 && n == -42);
	CHECK(integer_value("999999999999999999", &n) == 0);
	CHECK(integer_value("9999999999999999999", &n) < 0);
	CHECK(integer_value("", &n) < 0 && integer_value(NULL, &n) < 0);
	CHECK(integer_value("12a", &n) < 0 && integer_value("1.5", &n) < 0);
	CHECK(integer_value("-", &n) < 0 && integer_value("1e3", &n) < 0);
}

TEST(email_cleaning)
{
	struct buf b = BUF_INIT;

	email_clean("  Sam.Lee@Example.COM \t", &b);
	CHECK_STR(b.data, "sam.lee@example.com");
	email_clean("ren\xc3\xa9@X.fr", &b);
	CHECK_STR(b.data, "ren\xc3\xa9@x.fr");
	email_clean("   ", &b);
	CHECK_STR(b.data, "");
	email_clean(NULL, &b);
	CHECK_STR(b.data, "");
	buf_release(&b);
}

int
main(void)
{
	RUN(yes_and_no);
	RUN(mobiles);
	RUN(real_dates);
	RUN(slugs);
	RUN(contains_tests);
	RUN(emails);
	RUN(email_cleaning);
	RUN(integers);
	return harness_done();
}
