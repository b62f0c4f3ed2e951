/*
 * Unit tests for common/mask.c: e-mail addresses and phone numbers masked
 * inside text, what is neither left alone (dates inside words, hex ids,
 * short numbers), UTF-8 first letters kept whole, a raw row's values
 * masked and its shape kept, and a full buffer.
 */
#include "harness.h"
#include "mask.h"

static const char *
text(const char *s)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	CHECK(mask_text(s, strlen(s), &b) == 0);
	return b.data ? b.data : "";
}

static const char *
row(const char *s)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	CHECK(mask_row(s, strlen(s), &b) == 0);
	return b.data ? b.data : "";
}

TEST(emails)
{
	CHECK_STR(text("jane.doe@example.org"), "j***@e***.org");
	CHECK_STR(text("email: not an e-mail address \"bob@\""),
	    "email: not an e-mail address \"b***@\"");
	CHECK_STR(text("x jane30@DoSomething.ORG, y"), "x j***@D***.ORG, y");
	CHECK_STR(text("a@b"), "a***@b***");
	CHECK_STR(text("@example.org"), "@e***.org");
	CHECK_STR(text("zoë@mail.example.co.uk"), "z***@m***.uk");
	CHECK_STR(text("Élodie@x.fr"), "É***@x***.fr");
}

TEST(phones)
{
	CHECK_STR(text("mobile 385-555-0106"), "mobile ***-***-0106");
	CHECK_STR(text("(212) 254-0100"), "(***) ***-0100");
	CHECK_STR(text("+1 212 254 0100"), "+* *** *** 0100");
	CHECK_STR(text("\"5550199\""), "\"*****99\"");
	CHECK_STR(text("787 249 13"), "*** *** 13");
}

TEST(left_alone)
{
	CHECK_STR(text("record has 7 fields, the header has 29"),
	    "record has 7 fields, the header has 29");
	CHECK_STR(text("fb86a13cdcea7a277069c70a"), "fb86a13cdcea7a277069c70a");
	CHECK_STR(text("2018-10-08T15:17:37Z"), "2018-10-08T15:17:37Z");
	CHECK_STR(text("line 123456"), "line 123456");
	CHECK_STR(text("status=\"moved-away\""), "status=\"moved-away\"");
	CHECK_STR(text(""), "");
}

TEST(rows)
{
	CHECK_STR(row("deadbeef,Broken,,Row,,broken@example.org,1 Main St"),
	    "d*******,B*****,,R**,,b*****@e******.o**,1 M*** S*");
	CHECK_STR(row("李,Zoë"), "李,Z**");
	CHECK_STR(row(",,\"\""), ",,\"\"");
}

TEST(full_buffer)
{
	struct buf b = BUF_INIT_MAX(5);

	CHECK(mask_text("jane@example.org", 16, &b) < 0);
	buf_release(&b);
	buf_init(&b, 5);
	CHECK(mask_row("abcdefgh", 8, &b) < 0);
	buf_release(&b);
}

int
main(void)
{
	RUN(emails);
	RUN(phones);
	RUN(left_alone);
	RUN(rows);
	RUN(full_buffer);
	return harness_done();
}
