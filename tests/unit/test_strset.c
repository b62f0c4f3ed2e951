/*
 * Unit tests for common/strset.c: adding and finding strings, duplicates,
 * the set keeping its own copies, the empty string, growth to 100,000
 * entries all still found, and reuse after release.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "strset.h"

TEST(empty_set)
{
	struct strset s;

	strset_init(&s);
	CHECK(s.n == 0);
	CHECK(strset_has(&s, "a") == 0);
	CHECK(strset_has(&s, "") == 0);
	strset_release(&s);
}

TEST(add_and_has)
{
	struct strset s;

	strset_init(&s);
	CHECK(strset_add(&s, "email") == 1);
	CHECK(strset_has(&s, "email") == 1);
	CHECK(strset_has(&s, "Email") == 0);
	CHECK(strset_has(&s, "emai") == 0);
	CHECK(strset_has(&s, "email ") == 0);
	CHECK(strset_add(&s, "name") == 1);
	CHECK(strset_has(&s, "name") == 1);
	CHECK(strset_has(&s, "email") == 1);
	CHECK(s.n == 2);
	strset_release(&s);
}

TEST(duplicates)
{
	struct strset s;
	char copy[] = "id";

	strset_init(&s);
	CHECK(strset_add(&s, "id") == 1);
	CHECK(strset_add(&s, "id") == 0);
	CHECK(strset_add(&s, copy) == 0); /* equal text, other memory */
	CHECK(s.n == 1);
	CHECK(strset_add(&s, "a") == 1);
	CHECK(strset_add(&s, "aa") == 1);
	CHECK(strset_add(&s, "aaa") == 1);
	CHECK(strset_add(&s, "aa") == 0);
	CHECK(s.n == 4);
	strset_release(&s);
}

TEST(keeps_copies)
{
	struct strset s;
	char name[] = "header";

	strset_init(&s);
	CHECK(strset_add(&s, name) == 1);
	/* Changing the caller's string does not change the set. */
	name[0] = 'H';
	CHECK(strset_has(&s, "header") == 1);
	CHECK(strset_has(&s, name) == 0);
	strset_release(&s);
}

TEST(empty_string)
{
	struct strset s;

	strset_init(&s);
	CHECK(strset_has(&s, "") == 0);
	CHECK(strset_add(&s, "") == 1);
	CHECK(strset_has(&s, "") == 1);
	CHECK(strset_add(&s, "") == 0);
	CHECK(strset_has(&s, "x") == 0);
	strset_release(&s);
}

TEST(utf8_names)
{
	struct strset s;

	strset_init(&s);
	CHECK(strset_add(&s, "caf\xc3\xa9") == 1);
	CHECK(strset_add(&s, "cafe") == 1);
	CHECK(strset_add(&s, "cafe\xcc\x81") == 1); /* not normalised */
	CHECK(strset_has(&s, "caf\xc3\xa9") == 1);
	CHECK(s.n == 3);
	strset_release(&s);
}

TEST(growth_100000)
{
	struct strset s;
	char key[32];
	unsigned long i, added = 0, found = 0, again = 0, absent = 0;

	strset_init(&s);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "key%lu", i);
		added += (unsigned long)strset_add(&s, key);
	}
	CHECK(added == 100000);
	CHECK(s.n == 100000);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "key%lu", i);
		found += (unsigned long)strset_has(&s, key);
		again += (unsigned long)strset_add(&s, key);
		snprintf(key, sizeof(key), "nokey%lu", i);
		absent += (unsigned long)strset_has(&s, key);
	}
	CHECK(found == 100000);
	CHECK(again == 0);
	CHECK(absent == 0);
	CHECK(s.n == 100000);
	CHECK(strset_has(&s, "key100000") == 0);
	strset_release(&s);
}

TEST(release_and_reuse)
{
	struct strset s;

	strset_init(&s);
	CHECK(strset_add(&s, "a") == 1);
	strset_release(&s);
	CHECK(s.n == 0);
	CHECK(strset_has(&s, "a") == 0);
	CHECK(strset_add(&s, "a") == 1);
	CHECK(strset_has(&s, "a") == 1);
	strset_release(&s);
}

int
main(void)
{
	RUN(empty_set);
	RUN(add_and_has);
	RUN(duplicates);
	RUN(keeps_copies);
	RUN(empty_string);
	RUN(utf8_names);
	RUN(growth_100000);
	RUN(release_and_reuse);
	return harness_done();
}
