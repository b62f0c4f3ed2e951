/*
 * Unit tests for common/schedule.c: the waits grow by half each time up to
 * the longest, a first wait longer than that stays, the last wait is cut to
 * end at the deadline, and at the deadline the schedule says to give up.
 */
#include "harness.h"
#include "schedule.h"

TEST(waits_grow_to_the_longest)
{
	struct schedule s;
	static const double want[] = {
	    5, 7.5, 11.25, 16.875, 25.3125, 37.96875, 56.953125, 60, 60};
	size_t i;

	schedule_init(&s, 5, 60, 1e9);
	for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
		CHECK(schedule_delay(&s, 0) == want[i]);
		schedule_stretch(&s);
	}
}

TEST(a_long_first_wait_stays)
{
	struct schedule s;

	schedule_init(&s, 90, 60, 1e9);
	CHECK(schedule_delay(&s, 0) == 90);
	schedule_stretch(&s);
	CHECK(schedule_delay(&s, 0) == 90);
}

TEST(the_deadline)
{
	struct schedule s;

	schedule_init(&s, 5, 60, 100);
	CHECK(schedule_delay(&s, 0) == 5);
	/* 3 seconds left: the question goes out at the deadline. */
	CHECK(schedule_delay(&s, 97) == 3);
	CHECK(schedule_delay(&s, 100) == -1);
	CHECK(schedule_delay(&s, 150) == -1);
	/* Stretching changes the wait, never the deadline. */
	schedule_stretch(&s);
	CHECK(schedule_delay(&s, 0) == 7.5);
	CHECK(schedule_delay(&s, 99.5) == 0.5);
}

int
main(void)
{
	RUN(waits_grow_to_the_longest);
	RUN(a_long_first_wait_stays);
	RUN(the_deadline);
	return harness_done();
}
