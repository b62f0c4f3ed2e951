/*
 * Unit tests for common/bulkline.c: calls of at most size items, a short
 * call only when flushed or after its wait, the pace (n / rate seconds a
 * call), items put back first, the backoff after throttled calls (at
 * least Retry-After, growing, every call held by it, -1 past the tries,
 * smallest again after an answer), and when to look again.
 */
#include <stdio.h>

#include "bulkline.h"
#include "harness.h"

TEST(pace)
{
	struct bulkline b;
	int items[7];
	void *out[7];
	size_t i;

	bulkline_init(&b, 10, 3, 0.5);
	CHECK(bulkline_ready(&b, 0, 1) == 0);
	for (i = 0; i < 7; i++)
		bulkline_push(&b, &items[i], 0, 0);
	CHECK(bulkline_ready(&b, 0, 0) == 3);
	bulkline_take(&b, out, 3, 0);
	CHECK(out[0] == &items[0] && out[2] == &items[2]);
	CHECK(bulkline_ready(&b, 0.2, 0) == 0); /* 3 at 10/s: 0.3 s */
	CHECK(bulkline_ready(&b, 0.3, 0) == 3);
	bulkline_take(&b, out, 3, 0.3);
	CHECK(bulkline_ready(&b, 0.6, 0) == 0); /* one left, not flushed */
	CHECK(bulkline_ready(&b, 0.6, 1) == 1);
	CHECK(bulkline_ready(&b, 0.8, 0) == 1); /* waited 0.5 s */
	bulkline_push(&b, &items[5], 1, 0.8);
	bulkline_take(&b, out, 2, 0.8);
	CHECK(out[0] == &items[5] && out[1] == &items[6]);
	CHECK(bulkline_wake(&b) == 0);
	bulkline_release(&b);
}

TEST(backoff)
{
	struct bulkline b;
	int item;
	double d1, d2;

	bulkline_init(&b, 100, 50, 0.5);
	bulkline_push(&b, &item, 0, 0);
	d1 = bulkline_throttled(&b, 0, 3, 0);
	CHECK(d1 > 0.1 && d1 < 0.4);
	CHECK(bulkline_ready(&b, d1 / 2, 1) == 0);
	CHECK(bulkline_ready(&b, d1, 1) == 1);
	CHECK(bulkline_wake(&b) >= d1);
	d2 = bulkline_throttled(&b, 2, 3, 10);
	CHECK(d2 >= 2);
	CHECK(bulkline_throttled(&b, 0, 3, 20) > 0.7);
	CHECK(bulkline_throttled(&b, 0, 3, 30) < 0);
	bulkline_answered(&b);
	CHECK(bulkline_throttled(&b, 0, 3, 40) < 0.4);
	bulkline_release(&b);
}

int
main(void)
{
	RUN(pace);
	RUN(backoff);
	return harness_done();
}
