#include "harness.h"
#include "rowsum.h"

TEST(sums_sorts_and_writes)
{
	struct rowsum t;
	struct rowsum_row **v, *r;
	unsigned long long a[RS_NCOUNTS] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
	unsigned long long c[RS_NCOUNTS] = {0, 1, 1, 1, 500, 500, 500, 2, 0};
	unsigned long long d[RS_NCOUNTS] = {0, 1, 1, 1, 200, 200, 200, 0, 1};
	struct buf b = BUF_INIT;
	size_t n;

	rowsum_init(&t);
	rowsum_add(rowsum_at(&t, 1, 0, "b", 1, "", 0, NULL, 0), a);
	r = rowsum_at(&t, 0, 86400000, "a", 1, "x", 1, NULL, 0);
	rowsum_add(r, a);
	rowsum_add(r, c);
	rowsum_add(r, d);
	rowsum_add(rowsum_at(&t, 0, 86400000, "a", 1, "", 0, NULL, 0), a);
	rowsum_add(rowsum_at(&t, 0, 0, "z", 1, "", 0, NULL, 0), a);
	CHECK(rowsum_at(&t, 0, 86400000, "a", 1, "x", 1, NULL, 0) == r);
	CHECK(r->c[RS_TTC_MIN] == 200 && r->c[RS_TTC_MAX] == 500);
	CHECK(r->c[RS_TTC_SUM] == 700 && r->c[RS_TTC_COUNT] == 2);
	v = rowsum_sorted(&t, &n);
	CHECK(n == 4);
	CHECK(v[0]->model == 0 && v[0]->bucket == 0);
	CHECK(v[1]->bucket == 86400000 && v[1]->ncampaign == 0);
	CHECK(v[2] == r);
	CHECK(v[3]->model == 1);
	CHECK(rowsum_write(&b, r, 0) == 0);
	CHECK_STR(b.data,
	    "{\"model\":\"first\",\"bucket\":\"1970-01-02 00:00:00\","
	    "\"source\":\"a\",\"campaign\":\"x\",\"views\":1,\"signups\":2,"
	    "\"conversions\":2,\"ttc_count\":2,\"ttc_sum_ms\":700,"
	    "\"ttc_min_ms\":200,\"ttc_max_ms\":500,\"pages_before\":2,"
	    "\"pages_after\":1}\n");
	r->cost = 0.1 * 3;
	buf_reset(&b);
	CHECK(rowsum_write(&b, r, 1) == 0);
	CHECK(
	    strstr(b.data, ",\"cost\":0.30000000000000004,"
	                   "\"cost_per_signup\":0.15000000000000002}") != NULL);
	buf_reset(&b);
	CHECK(rowsum_write(&b, v[0], 1) == 0);
	CHECK(strstr(b.data, ",\"cost\":0,\"cost_per_signup\":null}") != NULL);
	free(v);
	buf_release(&b);
	rowsum_release(&t);
}

TEST(ttc_min_and_max_stay_0_without_a_count)
{
	struct rowsum t;
	unsigned long long a[RS_NCOUNTS] = {0, 1, 1, 0, 0, 0, 0, 0, 0};
	struct rowsum_row *r;

	rowsum_init(&t);
	r = rowsum_at(&t, 0, 0, "(none)", 6, "", 0, "b1", 2);
	rowsum_add(r, a);
	CHECK(r->c[RS_TTC_MIN] == 0 && r->c[RS_TTC_MAX] == 0);
	CHECK(rowsum_at(&t, 0, 0, "(none)", 6, "", 0, "b2", 2) != r);
	CHECK(rowsum_at(&t, 0, 0, "(none)", 6, "", 0, NULL, 0) != r);
	CHECK(!rowsum_empty(r));
	rowsum_release(&t);
}

int
main(void)
{
	RUN(sums_sorts_and_writes);
	RUN(ttc_min_and_max_stay_0_without_a_count);
	return harness_done();
}
