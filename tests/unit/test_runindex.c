/*
 * Unit tests for common/runindex.c: a data folder's run folders listed
 * newest first with their summaries' numbers and links to their reports;
 * the inbox's bookkeeping naming a run's uploaded file, and its lines
 * without a run listed on their own; the limit; a run without a summary;
 * a data folder without runs/; the page escaping what it shows.
 */
#include <sys/stat.h>

#include "harness.h"
#include "runindex.h"

static char dir[] = "/tmp/sluice-unit-index.XXXXXX";

static void
put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void
mk(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	CHECK(mkdir(path, 0700) == 0);
}

static void
setup(void)
{
	CHECK(mkdtemp(dir) != NULL);
	mk("runs");
	mk("state");
	mk("runs/shop");
	mk("runs/zine");
	mk("runs/shop/20261202T010000Z");
	mk("runs/shop/20261202T020000Z");
	mk("runs/zine/20261202T015000Z");
	put("runs/shop/20261202T010000Z/summary.txt",
	    "== shop import of /up/a.csv\nper stage (x):\n"
	    "  csv2ndjson: in=10 out=9 dropped=0 rejected=1\n"
	    "  shape: in=9 out=7 dropped=2 (r=2) rejected=0\n"
	    "exit 1: finished\n");
	put("runs/shop/20261202T010000Z/report.html", "<p>");
	put("runs/zine/20261202T015000Z/summary.txt",
	    "== zine import of /up/<b>.csv\nper stage (x):\n"
	    "  csv2ndjson: in=3 out=3 dropped=0 rejected=0\nexit 0: ok\n");
	put("state/imports.ndjson",
	    "{\"v\":1,\"file\":\"shop/uploaded.csv\",\"result\":\"imported\","
	    "\"run\":\"/elsewhere/runs/shop/20261202T010000Z\","
	    "\"end\":\"2026-12-02T01:00:09Z\"}\n"
	    "{\"v\":1,\"file\":\"mystery.csv\",\"result\":\"failed\","
	    "\"reason\":\"no vendor has these columns\",\"vendor\":null,"
	    "\"run\":null,\"end\":\"2026-12-02T03:00:00Z\"}\n"
	    "{\"v\":1,\"file\":\"torn");
}

TEST(listed_newest_first)
{
	struct runindex ix;
	struct buf why = BUF_INIT, page = BUF_INIT;

	CHECK(runindex_scan(&ix, dir, 100, &why) == 0);
	CHECK(ix.n == 4);
	if (ix.n == 4) {
		CHECK_STR(ix.e[0].when, "2026-12-02T03:00:00Z");
		CHECK(ix.e[0].run == NULL && ix.e[0].vendor == NULL);
		CHECK_STR(
		    ix.e[0].result, "failed: no vendor has these columns");
		CHECK_STR(ix.e[1].run, "runs/shop/20261202T020000Z");
		CHECK(!ix.e[1].summary && !ix.e[1].report);
		CHECK_STR(ix.e[2].vendor, "zine");
		CHECK(ix.e[2].exit_status == 0 && ix.e[2].in == 3);
		CHECK_STR(ix.e[3].when, "2026-12-02T01:00:00Z");
		CHECK_STR(ix.e[3].file, "shop/uploaded.csv");
		CHECK_STR(ix.e[3].result, "imported");
		CHECK(ix.e[3].report && ix.e[3].summary);
		CHECK(ix.e[3].in == 10 && ix.e[3].out == 7 &&
		      ix.e[3].dropped == 2 && ix.e[3].rejected == 1 &&
		      ix.e[3].exit_status == 1);
	}
	CHECK(runindex_write(&ix, dir, &page) == 0);
	CHECK(strstr(page.data,
	          "href=\"runs/shop/20261202T010000Z/report.html\"") != NULL);
	CHECK(strstr(page.data, "&lt;b&gt;.csv") != NULL);
	CHECK(strstr(page.data, "<b>") == NULL);
	/* Only the first run has a report: one link. */
	CHECK(strstr(strstr(page.data, "report.html") + 1, "report.html") ==
	      NULL);
	runindex_release(&ix);
	buf_release(&why);
	buf_release(&page);
}

TEST(limit)
{
	struct runindex ix;
	struct buf why = BUF_INIT;

	CHECK(runindex_scan(&ix, dir, 2, &why) == 0);
	CHECK(ix.n == 2);
	if (ix.n == 2)
		CHECK_STR(ix.e[1].run, "runs/shop/20261202T020000Z");
	runindex_release(&ix);
	buf_release(&why);
}

TEST(no_runs)
{
	struct runindex ix;
	struct buf why = BUF_INIT, page = BUF_INIT;

	CHECK(runindex_scan(&ix, "/nonexistent-data", 10, &why) == 0);
	CHECK(ix.n == 0);
	CHECK(runindex_write(&ix, "/nonexistent-data", &page) == 0);
	CHECK(strstr(page.data, "No import yet") != NULL);
	runindex_release(&ix);
	buf_release(&why);
	buf_release(&page);
}

int
main(void)
{
	char cmd[300];

	setup();
	RUN(listed_newest_first);
	RUN(limit);
	RUN(no_runs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return harness_done();
}
