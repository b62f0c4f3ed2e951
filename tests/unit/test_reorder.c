#include "harness.h"
#include "reorder.h"

static struct reorder_item
item(int64_t t, const char *file, unsigned long long line)
{
	struct reorder_item it = {t, file, strlen(file), line, 0, NULL};

	return it;
}

TEST(holds_within_the_tolerance)
{
	struct reorder r;
	struct reorder_item it = item(10000, "a", 1), out;

	reorder_init(&r, 1000);
	CHECK(reorder_push(&r, &it) == 0);
	CHECK(reorder_pop(&r, 0, &out) == 0); /* might still be preceded */
	it = item(9000, "a", 2); /* exactly the tolerance older: held */
	CHECK(reorder_push(&r, &it) == 0);
	it = item(8999, "a", 3); /* older: refused */
	CHECK(reorder_push(&r, &it) < 0);
	it = item(11000, "a", 4);
	CHECK(reorder_push(&r, &it) == 0);
	/* 9000 is before 11000 - 1000: nothing to come can precede it. */
	CHECK(reorder_pop(&r, 0, &out) == 1 && out.time == 9000);
	CHECK(reorder_pop(&r, 0, &out) == 0); /* 10000 is not before it */
	it = item(10001, "a", 5);
	CHECK(reorder_push(&r, &it) == 0);
	it = item(10002, "a", 6);
	CHECK(reorder_push(&r, &it) == 0);
	CHECK(reorder_pop(&r, 0, &out) == 0);
	it = item(11001, "a", 7);
	CHECK(reorder_push(&r, &it) == 0);
	CHECK(reorder_pop(&r, 0, &out) == 1 && out.time == 10000);
	CHECK(reorder_pop(&r, 0, &out) == 0);
	CHECK(reorder_pop(&r, 1, &out) == 1 && out.time == 10001);
	CHECK(reorder_pop(&r, 1, &out) == 1 && out.time == 10002);
	CHECK(reorder_pop(&r, 1, &out) == 1 && out.time == 11000);
	CHECK(reorder_pop(&r, 1, &out) == 1 && out.time == 11001);
	CHECK(reorder_pop(&r, 1, &out) == 0);
	CHECK(r.peak == 5);
	reorder_release(&r);
}

TEST(ties_by_file_then_line_then_arrival)
{
	struct reorder r;
	struct reorder_item in[] = {item(5, "b", 1), item(5, "ab", 9),
	    item(5, "a", 3), item(5, "a", 2), item(5, "a", 2), item(4, "z", 1)};
	const char *want[] = {"z", "a", "a", "a", "ab", "b"};
	unsigned long long lines[] = {1, 2, 2, 3, 9, 1};
	struct reorder_item out;
	size_t i;

	reorder_init(&r, 0);
	for (i = 0; i < 6; i++)
		CHECK(reorder_push(&r, &in[i]) == (i == 5 ? -1 : 0));
	reorder_release(&r);
	reorder_init(&r, 10);
	for (i = 0; i < 6; i++)
		CHECK(reorder_push(&r, &in[i]) == 0);
	for (i = 0; i < 6; i++) {
		CHECK(reorder_pop(&r, 1, &out) == 1);
		CHECK_STR(out.file, want[i]);
		CHECK(out.line == lines[i]);
		if (i == 1)
			CHECK(out.seq == 3); /* the first of the two a:2 */
	}
	reorder_release(&r);
}

int
main(void)
{
	RUN(holds_within_the_tolerance);
	RUN(ties_by_file_then_line_then_arrival);
	return harness_done();
}
