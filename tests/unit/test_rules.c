/*
 * Unit tests for rules/rules.c: the table of named functions a vendor file
 * calls, each called as shape calls it (common/rulefn.h): the pieces it
 * gives, a value that is absent, the warnings joined for _meta.warning.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "rules.h"

/* Calls a named function on s; out has room for 8 values. */
static void
call(const char *name, const char *s, const char *arg, struct rulefn_value *out,
    struct buf *why)
{
	const struct rulefn *f = rules_find(name);
	size_t i;

	CHECK(f != NULL);
	for (i = 0; i < 8; i++) {
		buf_release(&out[i].s);
		memset(&out[i], 0, sizeof(out[i]));
		buf_init(&out[i].s, BUF_UNLIMITED);
	}
	if (f)
		f->call(s, arg, out, why);
}

static void
release(struct rulefn_value *out)
{
	size_t i;

	for (i = 0; i < 8; i++)
		buf_release(&out[i].s);
}

TEST(table)
{
	const struct rulefn *f, *g;

	for (f = rules_table; f->name; f++) {
		CHECK(f->call != NULL && f->about != NULL);
		CHECK(rules_find(f->name) == f);
		for (g = f + 1; g->name; g++)
			CHECK(strcmp(f->name, g->name) != 0);
		/* A test gives one value, yes or no. */
		CHECK(!(f->test && f->pieces));
	}
	CHECK(rules_find("no_such_rule") == NULL);
}

TEST(referral_code_pieces)
{
	struct rulefn_value out[8] = {{0}};
	struct buf why = BUF_INIT;

	call("referral_code",
	    "user:5552AA34469C64EC7D8B715B,campaignID:7059,campaignRunID:8022,"
	    "source:email,source_details:news",
	    NULL, out, &why);
	CHECK(out[0].type == RULEFN_STRING);
	CHECK_STR(out[0].s.data, "5552aa34469c64ec7d8b715b");
	CHECK(out[1].type == RULEFN_INT && out[1].i == 7059);
	CHECK(out[2].type == RULEFN_INT && out[2].i == 8022);
	CHECK_STR(out[3].s.data, "email");
	CHECK_STR(out[4].s.data, "news");
	CHECK(why.len == 0);
	/* Each piece on its own; what is not there is absent. */
	call("referral_code", "campaign:12", NULL, out, &why);
	CHECK(out[0].type == RULEFN_ABSENT && out[1].i == 12 &&
	      out[2].type == RULEFN_ABSENT && out[3].type == RULEFN_ABSENT &&
	      out[4].type == RULEFN_ABSENT);
	/* Warnings are appended after "; ". */
	buf_adds(&why, "earlier");
	call("referral_code", "user:nope,campaign:x", NULL, out, &why);
	CHECK_STR(why.data, "earlier; referral code user 'nope' is not a "
	                    "Northstar id; not used; referral code campaign "
	                    "'x' is not a number; not used");
	CHECK(out[0].type == RULEFN_ABSENT && out[1].type == RULEFN_ABSENT);
	buf_release(&why);
	release(out);
}

TEST(tracking_source_pieces)
{
	struct rulefn_value out[8] = {{0}};
	struct buf why = BUF_INIT;

	call("tracking_source",
	    "referral=true,user:5552aa34469c64ec7d8b715b,group_id:12", NULL,
	    out, &why);
	CHECK(out[0].type == RULEFN_ABSENT);
	CHECK_STR(out[1].s.data, "5552aa34469c64ec7d8b715b");
	CHECK(out[2].type == RULEFN_INT && out[2].i == 12);
	call("tracking_source", "group_id=abc", NULL, out, &why);
	CHECK(out[2].type == RULEFN_ABSENT && strstr(why.data, "'abc'"));
	buf_release(&why);
	release(out);
}

TEST(one_value_functions)
{
	struct rulefn_value out[8] = {{0}};
	struct buf why = BUF_INIT;

	call("slug", "Step 2", NULL, out, &why);
	CHECK(out[0].type == RULEFN_STRING);
	CHECK_STR(out[0].s.data, "step-2");
	call("yes_no", "Y", NULL, out, &why);
	CHECK(out[0].type == RULEFN_BOOL && out[0].i == 1);
	call("yes_no", "y ", NULL, out, &why);
	CHECK(out[0].type == RULEFN_BOOL && out[0].i == 0);
	call("mobile", "(212) 254-2390", NULL, out, &why);
	CHECK_STR(out[0].s.data, "(212) 254-2390");
	call("mobile", "000-000-0000", NULL, out, &why);
	CHECK(out[0].type == RULEFN_ABSENT);
	call("real_date", "2020-02-30", NULL, out, &why);
	CHECK(out[0].type == RULEFN_BOOL && out[0].i == 0);
	call("contains_ci", "Jane@DoSomething.ORG", "dosomething.org", out,
	    &why);
	CHECK(out[0].i == 1);
	call("contains", "Jane@DoSomething.ORG", "dosomething.org", out, &why);
	CHECK(out[0].i == 0);
	CHECK(why.len == 0);
	buf_release(&why);
	release(out);
}

int
main(void)
{
	RUN(table);
	RUN(referral_code_pieces);
	RUN(tracking_source_pieces);
	RUN(one_value_functions);
	return harness_done();
}
