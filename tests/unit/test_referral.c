/*
 * Unit tests for rules/referral.c: TurboVote referral codes, piece by
 * piece: ":" and "=", keys in any case, spaces, each value on its own, a
 * later piece winning, values set aside with their warning (cut between
 * characters), and Northstar ids.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "referral.h"

/* Parses a copy of code into r (release it). */
static void
parse(const char *code, struct referral *r, char *copy, size_t n)
{
	snprintf(copy, n, "%s", code);
	referral_parse(copy, r);
}

TEST(all_pieces)
{
	struct referral r;
	char code[256];

	parse(
	    "user:5552AA34469c64ec7d8b715b,campaignID:8017,campaignRunID:8022,"
	    "source:email,source_details:newsletter",
	    &r, code, sizeof(code));
	CHECK_STR(r.user, "5552aa34469c64ec7d8b715b");
	CHECK(r.campaign == 8017 && r.run == 8022);
	CHECK_STR(r.source, "email");
	CHECK_STR(r.source_details, "newsletter");
	CHECK(r.why.len == 0);
	referral_release(&r);
}

TEST(each_piece_on_its_own)
{
	struct referral r;
	char code[256];

	/* The old importer lost the user id here (no run id). */
	parse("user:5552aa34469c64ec7d8b715b,campaignID:7059", &r, code,
	    sizeof(code));
	CHECK_STR(r.user, "5552aa34469c64ec7d8b715b");
	CHECK(r.campaign == 7059 && r.run == 0 && r.source == NULL);
	referral_release(&r);
	parse("", &r, code, sizeof(code));
	CHECK(r.user[0] == '\0' && r.campaign == 0 && r.why.len == 0);
	referral_release(&r);
}

TEST(separators_case_spaces)
{
	struct referral r;
	char code[256];

	parse(" USER = 5552aa34469c64ec7d8b715b , Campaign=12,source: sms ,x:y,"
	      "novalue,campaign:13",
	    &r, code, sizeof(code));
	CHECK_STR(r.user, "5552aa34469c64ec7d8b715b");
	CHECK(r.campaign == 13); /* the later piece wins */
	CHECK_STR(r.source, "sms");
	referral_release(&r);
}

TEST(set_aside)
{
	struct referral r;
	char code[256];

	parse("user:not-an-id,campaignID:abc,campaignRunID:-3", &r, code,
	    sizeof(code));
	CHECK(r.user[0] == '\0' && r.bad_user == 1 && r.bad_number == 2);
	CHECK_STR(r.why.data,
	    "referral code user 'not-an-id' is not a Northstar id; not used; "
	    "referral code campaign 'abc' is not a number; not used; "
	    "referral code campaign run '-3' is not a number; not used");
	referral_release(&r);
	/* 40 bytes at most, never half a character: 39 bytes of "é". */
	parse("user:aééééééééééééééééééééééééé", &r, code, sizeof(code));
	CHECK(strstr(r.why.data, "'aééééééééééééééééééé'") != NULL);
	referral_release(&r);
}

TEST(northstar_ids)
{
	CHECK(northstar_id_valid("5552aa34469c64ec7d8b715b"));
	CHECK(northstar_id_valid("5552AA34469C64EC7D8B715B"));
	CHECK(!northstar_id_valid("5552aa34469c64ec7d8b715"));
	CHECK(!northstar_id_valid("5552aa34469c64ec7d8b715bb"));
	CHECK(!northstar_id_valid("5552aa34469c64ec7d8b715g"));
	CHECK(!northstar_id_valid(""));
}

/*
 * Rock the Vote's tracking sources (vendors/rock-the-vote/README.md, cases
 * 6 to 9), with the old importer's defects fixed.
 */
TEST(tracking_sources)
{
	struct tracking t;

	tracking_parse("user:58007c1242a0646e3a8b46b8,campaignID:8017,"
	               "campaignRunID:8022,source:email,source_details:x",
	    &t);
	CHECK_STR(t.user, "58007c1242a0646e3a8b46b8");
	CHECK(t.referrer[0] == '\0' && t.group_id == -1 && t.why.len == 0);
	tracking_release(&t);
	/* Case 7: referral after user: the user is the referrer. */
	tracking_parse("user:5552aa34469c64ec7d8b715b,source_details:x,"
	               "referral=true",
	    &t);
	CHECK(t.user[0] == '\0' && t.referral);
	CHECK_STR(t.referrer, "5552aa34469c64ec7d8b715b");
	tracking_release(&t);
	/* Case 8: referral first (the old importer crashed): the same. */
	tracking_parse("referral=true,user:5552AA34469c64ec7d8b715b", &t);
	CHECK(t.user[0] == '\0');
	CHECK_STR(t.referrer, "5552aa34469c64ec7d8b715b");
	tracking_release(&t);
	/* Case 9: group ids, also after a referral piece. */
	tracking_parse("source:email,source_details:x,group_id=12", &t);
	CHECK(t.group_id == 12);
	tracking_release(&t);
	tracking_parse("group_id=abc", &t);
	CHECK(t.group_id == -1 &&
	      strstr(t.why.data, "group_id 'abc' is not a whole number"));
	tracking_release(&t);
	tracking_parse(
	    "user:5552aa34469c64ec7d8b715b,referral:true,group_id:5", &t);
	CHECK(t.group_id == 5 && t.user[0] == '\0' && t.referrer[0]);
	tracking_release(&t);
	/* A referral that is not true changes nothing; a bad user is noted. */
	tracking_parse("user:5552aa34469c64ec7d8b715b,referral:no", &t);
	CHECK_STR(t.user, "5552aa34469c64ec7d8b715b");
	tracking_release(&t);
	tracking_parse("user:123,userid:", &t);
	CHECK(t.user[0] == '\0' && strstr(t.why.data, "user '123'"));
	tracking_release(&t);
	tracking_parse("", &t);
	CHECK(t.user[0] == '\0' && t.group_id == -1 && t.why.len == 0);
	tracking_release(&t);
}

int
main(void)
{
	RUN(all_pieces);
	RUN(each_piece_on_its_own);
	RUN(separators_case_spaces);
	RUN(set_aside);
	RUN(northstar_ids);
	RUN(tracking_sources);
	return harness_done();
}
