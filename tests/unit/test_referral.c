/*
 * Unit tests for common/referral.c: TurboVote referral codes, piece by
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

int
main(void)
{
	RUN(all_pieces);
	RUN(each_piece_on_its_own);
	RUN(separators_case_spaces);
	RUN(set_aside);
	RUN(northstar_ids);
	return harness_done();
}
