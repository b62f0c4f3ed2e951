#include "costs.h"
#include "exitcode.h"
#include "harness.h"

static int
read_text(const char *text, struct rowsum *t, struct buf *why,
    unsigned long long *line)
{
	char path[sizeof(HARNESS_TMP)];
	int rc;

	if (harness_tmpfile(path, text, strlen(text)) < 0)
		return -1;
	buf_reset(why);
	rc = costs_read(path, t, why, line);
	unlink(path);
	return rc;
}

TEST(prices_both_models_and_adds_up)
{
	struct rowsum t;
	struct buf why = BUF_INIT;
	unsigned long long line = 9;
	struct rowsum_row *r;

	rowsum_init(&t);
	CHECK(read_text("bucket,source,campaign,cost\r\n"
	                "2026-11-30,facebook,fall,12.5\r\n"
	                "2026-11-30 00:00:00,facebook,fall,2.5\r\n"
	                "2026-11-30T01:00:00,\"a,b\",,0\r\n",
	          &t, &why, &line) == 0);
	CHECK(line == 0);
	CHECK(t.rows.n == 4);
	r = rowsum_at(
	    &t, 1, 1795996800000LL, "facebook", 8, "fall", 4, NULL, 0);
	CHECK(r->has_cost && r->cost == 15);
	r = rowsum_at(
	    &t, 0, 1795996800000LL + 3600000, "a,b", 3, "", 0, NULL, 0);
	CHECK(r->has_cost && r->cost == 0 && rowsum_empty(r));
	rowsum_release(&t);
	buf_release(&why);
}

TEST(refuses_with_the_line)
{
	struct rowsum t;
	struct buf why = BUF_INIT;
	unsigned long long line = 0;

	rowsum_init(&t);
	CHECK(read_text("day,source,campaign,cost\n", &t, &why, &line) ==
	      EXIT_DATAERR);
	CHECK(line == 1 && strstr(why.data, "header") != NULL);
	CHECK(read_text("bucket,source,campaign,cost\n2026-11-30,a,b\n", &t,
	          &why, &line) == EXIT_DATAERR);
	CHECK(line == 2 && strstr(why.data, "four fields") != NULL);
	CHECK(read_text("bucket,source,campaign,cost\n\n2026-11-31,a,b,1\n", &t,
	          &why, &line) == EXIT_DATAERR);
	CHECK(line == 3 && strstr(why.data, "2026-11-31") != NULL);
	CHECK(read_text("bucket,source,campaign,cost\n2026-11-30,a,b,-1\n", &t,
	          &why, &line) == EXIT_DATAERR);
	CHECK(read_text("bucket,source,campaign,cost\n2026-11-30,a,b,nan\n", &t,
	          &why, &line) == EXIT_DATAERR);
	CHECK(read_text("bucket,source,campaign,cost\n2026-11-30,a,b,1x\n", &t,
	          &why, &line) == EXIT_DATAERR);
	CHECK(read_text("", &t, &why, &line) == EXIT_DATAERR);
	buf_reset(&why);
	CHECK(costs_read("/nonexistent/costs.csv", &t, &why, &line) ==
	      EXIT_NOINPUT);
	CHECK(t.rows.n == 0);
	rowsum_release(&t);
	buf_release(&why);
}

int
main(void)
{
	RUN(prices_both_models_and_adds_up);
	RUN(refuses_with_the_line);
	return harness_done();
}
