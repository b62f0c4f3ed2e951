/*
 * Unit tests for common/memberkey.c: values normalised as Northstar
 * compares them (a mobile's last ten digits, an e-mail or an id trimmed
 * and lower-cased), kinds kept apart, and a record's keys taken all or
 * none, held once when named twice, and let go only when held.
 */
#include "harness.h"
#include "memberkey.h"

static int
same(const char *kind_a, const char *a, const char *kind_b, const char *b)
{
	return hash128_eq(memberkey(kind_a, a), memberkey(kind_b, b));
}

TEST(normalised)
{
	CHECK(same("mobile:", "(212) 254-2390", "mobile:", "+1 212-254-2390"));
	CHECK(same("mobile:", "2122542390", "mobile:", "+12122542390"));
	CHECK(same("mobile:", "212.254.2390 ext", "mobile:", "2122542390"));
	CHECK(!same("mobile:", "2122542390", "mobile:", "2122542391"));
	CHECK(same("mobile:", "123", "mobile:", "1-2-3"));
	CHECK(same(
	    "email:", " Jane@Example.ORG\t", "email:", "jane@example.org"));
	CHECK(!same("email:", "jane@example.org", "email:", "jane@example.or"));
	CHECK(
	    !same("email:", "j ane@example.org", "email:", "jane@example.org"));
	CHECK(same("id:", " 5552AA34 ", "id:", "5552aa34"));
	/* Kinds apart: an id never waits for an e-mail that reads the same. */
	CHECK(!same("id:", "x@y.z", "email:", "x@y.z"));
	CHECK(!same("id:", "2122542390", "mobile:", "2122542390"));
}

TEST(all_or_none)
{
	struct keylock l;
	struct memberkeys a, b, c, none;

	keylock_init(&l);
	memberkeys_init(&a, "5552aa34", "jane@example.org", "2122542390");
	memberkeys_init(&b, NULL, "JANE@example.org", NULL);
	memberkeys_init(&c, NULL, "ann@example.org", "+1 (212) 254-2390");
	memberkeys_init(&none, NULL, NULL, NULL);
	CHECK(a.n == 3 && b.n == 1 && c.n == 2 && none.n == 0);
	CHECK(memberkeys_take(&a, &l) == 1 && a.held);
	/* The same e-mail, the same mobile: they wait. */
	CHECK(memberkeys_take(&b, &l) == 0 && !b.held);
	CHECK(memberkeys_take(&c, &l) == 0 && !c.held);
	/* c took none of its keys: its e-mail is free for another. */
	CHECK(!keylock_held(&l, memberkey("email:", "ann@example.org")));
	memberkeys_drop(&b, &l); /* not held: lets nothing go */
	CHECK(keylock_held(&l, memberkey("email:", "jane@example.org")));
	memberkeys_drop(&a, &l);
	CHECK(!a.held && l.n == 0);
	memberkeys_drop(&a, &l); /* twice: nothing */
	CHECK(memberkeys_take(&c, &l) == 1 && memberkeys_take(&b, &l) == 1);
	memberkeys_drop(&b, &l);
	memberkeys_drop(&c, &l);
	CHECK(l.n == 0);
	CHECK(memberkeys_take(&none, &l) == 1);
	memberkeys_drop(&none, &l);
	keylock_release(&l);
}

TEST(named_twice)
{
	struct keylock l;
	struct memberkeys k;

	keylock_init(&l);
	/* The same key twice among a record's keys (keylock_take() refuses
	 * the second): held once, and let go once. */
	memberkeys_init(&k, NULL, "a@b.c", NULL);
	k.keys[k.n++] = memberkey("email:", "A@B.C");
	CHECK(memberkeys_take(&k, &l) == 1 && l.n == 1);
	memberkeys_drop(&k, &l);
	CHECK(l.n == 0);
	keylock_release(&l);
}

int
main(void)
{
	RUN(normalised);
	RUN(all_or_none);
	RUN(named_twice);
	return harness_done();
}
