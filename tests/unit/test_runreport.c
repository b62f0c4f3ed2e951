/*
 * Unit tests for common/runreport.c: every number of the summary in an
 * element named by data-k, with its value; the rejects by stage and
 * reason, masked and escaped; the commands that send them again; a
 * summary that disagrees with a rejects file said so; a run without a
 * summary; nothing that loads from elsewhere (a script, a source, a URL).
 */
#include "harness.h"
#include "runreport.h"

static const char SUMMARY[] =
    "== shop import of /d/export.csv\n"
    "per stage (records in = out + dropped + rejected):\n"
    "  csv2ndjson: in=12 out=11 dropped=0 rejected=1\n"
    "  shape: in=11 out=8 dropped=2 (staff-email=2) rejected=1\n"
    "delivery:\n"
    "  post-quasar: rows sent=9 spooled=0 batches sent=1 spooled=0\n"
    "per final status (post status, member status, count):\n"
    "  confirmed       confirmed              8\n"
    "per post result:\n  created    8\n"
    "exit status per stage (-: not run): csv2ndjson=1 shape=1\n"
    "timing: started=2026-12-02T02:29:04Z seconds=2.91\n"
    "files:\n  csv2ndjson rejects 1 in /d/r/csv2ndjson.rejects.ndjson\n"
    "exit 1: finished; some rejected\n";

static int
has(const struct buf *b, const char *s)
{
	return b->data && strstr(b->data, s) != NULL;
}

static void
page(
    struct runreport *r, struct runsum *s, struct rejgroups *g, struct buf *out)
{
	runsum_init(s);
	CHECK(runsum_parse(s, SUMMARY, sizeof(SUMMARY) - 1) == 0);
	rejgroups_init(g);
	rejgroups_add(g, "csv2ndjson", "record has 2 fields", "/d/export.csv",
	    5, "Jane,jane@example.org", 21);
	rejgroups_add(g, "shape", "email: bad \"<script>jo@example.org\"",
	    "/d/export.csv", 9, NULL, 0);
	rejgroups_finish(g);
	memset(r, 0, sizeof(*r));
	r->sum = s;
	r->rej = g;
	r->run = "/d/runs/shop/20261202T022904Z";
	r->index = "../../../index.html";
	r->rows_cmd = "report --rows /d/runs/shop/20261202T022904Z";
	r->rows_file = "/d/runs/shop/20261202T022904Z/rejected-rows.csv";
	r->resend = "SLUICE_DATA=/d pipelines/import.sh shop";
	r->export_file = "/d/export.csv";
	CHECK(runreport_write(r, out) == 0);
}

TEST(numbers)
{
	struct runreport r;
	struct runsum s;
	struct rejgroups g;
	struct buf b = BUF_INIT;

	page(&r, &s, &g, &b);
	CHECK(has(&b, "data-k=\"stage.csv2ndjson.in\">12<"));
	CHECK(has(&b, "data-k=\"stage.shape.out\">8<"));
	CHECK(has(&b, "data-k=\"stage.shape.dropped\">2<"));
	CHECK(has(&b, "data-k=\"rule.shape.staff-email\">2<"));
	CHECK(has(&b, "data-k=\"stage.shape.rejected\">1<"));
	CHECK(has(&b, "data-k=\"delivery.post-quasar.rows sent\">9<"));
	CHECK(has(&b, "data-k=\"delivery.post-quasar.spooled#2\">0<"));
	CHECK(has(&b, "data-k=\"final.confirmed.confirmed\">8<"));
	CHECK(has(&b, "data-k=\"result.created\">8<"));
	CHECK(has(&b, "data-k=\"exit.shape\">1<"));
	CHECK(has(&b, "data-k=\"exit\">1<"));
	CHECK(has(&b, "data-k=\"timing.seconds\">2.91<"));
	CHECK(has(&b, "data-k=\"file.csv2ndjson rejects\">1<"));
	CHECK(has(&b, "data-k=\"rejects.shape\">1<"));
	CHECK(has(&b, "<svg"));
	CHECK(has(&b, "href=\"../../../index.html\""));
	runsum_release(&s);
	rejgroups_release(&g);
	buf_release(&b);
}

TEST(masked_escaped_self_contained)
{
	struct runreport r;
	struct runsum s;
	struct rejgroups g;
	struct buf b = BUF_INIT;

	page(&r, &s, &g, &b);
	CHECK(!has(&b, "jane@example.org") && !has(&b, "jo@example.org"));
	CHECK(!has(&b, "<script"));
	CHECK(has(&b, "&lt;script&gt;j***@e***.org"));
	CHECK(has(&b, "J***,j***@e******.o**"));
	CHECK(has(&b, "default-src 'none'"));
	CHECK(!has(&b, "src=") && !has(&b, "http:") && !has(&b, "https:") &&
	      !has(&b, "@import") && !has(&b, "url("));
	runsum_release(&s);
	rejgroups_release(&g);
	buf_release(&b);
}

TEST(resend_commands)
{
	struct runreport r;
	struct runsum s;
	struct rejgroups g;
	struct buf b = BUF_INIT;

	page(&r, &s, &g, &b);
	CHECK(has(&b, "report --rows /d/runs/shop/20261202T022904Z &gt; "
	              "/d/runs/shop/20261202T022904Z/rejected-rows.csv"));
	CHECK(has(&b, "SLUICE_DATA=/d pipelines/import.sh shop "
	              "/d/runs/shop/20261202T022904Z/rejected-rows.csv"));
	CHECK(has(&b, "SLUICE_DATA=/d pipelines/import.sh shop /d/export.csv"));
	runsum_release(&s);
	rejgroups_release(&g);
	buf_release(&b);
}

TEST(mismatch_and_no_summary)
{
	struct runreport r;
	struct runsum s;
	struct rejgroups g;
	struct buf b = BUF_INIT;

	page(&r, &s, &g, &b);
	CHECK(!has(&b, "The summary has no line"));
	rejgroups_add(&g, "dedupe", "odd", NULL, 0, NULL, 0);
	rejgroups_finish(&g);
	buf_reset(&b);
	CHECK(runreport_write(&r, &b) == 0);
	CHECK(has(&b, "The summary has no line of this stage"));
	r.sum = NULL;
	buf_reset(&b);
	CHECK(runreport_write(&r, &b) == 0);
	CHECK(has(&b, "left no summary"));
	CHECK(!has(&b, "data-k=\"stage."));
	runsum_release(&s);
	rejgroups_release(&g);
	buf_release(&b);
}

/* A run of another pipeline (pipelines/panel.sh): its own name and word in
 * the heading, of its file or of its query, and its own command again in
 * place of an import's (no CSV rows to write back). */
TEST(run_of_a_file_or_a_query)
{
	static const char F[] = "== panel-sample run of /d/m.ndjson\n"
	                        "exit 1: finished\n";
	static const char Q[] = "== panel-sample run of the query SELECT "
	                        "'<a>' FROM m\nexit 0: ok\n";
	struct runreport r;
	struct runsum s;
	struct rejgroups g;
	struct buf b = BUF_INIT;

	runsum_init(&s);
	CHECK(runsum_parse(&s, F, sizeof(F) - 1) == 0);
	rejgroups_init(&g);
	rejgroups_add(&g, "sample", "not an object", "/d/m.ndjson", 3, NULL, 0);
	rejgroups_finish(&g);
	memset(&r, 0, sizeof(r));
	r.sum = &s;
	r.rej = &g;
	r.run = "/d/runs/panel-sample/20261202T022904Z";
	r.resend = "SLUICE_DATA=/d pipelines/panel.sh sample";
	r.export_file = "/d/m.ndjson";
	CHECK(runreport_write(&r, &b) == 0);
	CHECK(has(&b, "<title>panel-sample run: /d/m.ndjson</title>"));
	CHECK(has(&b, "<h1>panel-sample run</h1><p class=sub>of <code "
	              "id=file>/d/m.ndjson</code>"));
	CHECK(!has(&b, "(unknown)") && !has(&b, " import"));
	CHECK(has(&b, "<pre>SLUICE_DATA=/d pipelines/panel.sh sample "
	              "/d/m.ndjson</pre>"));
	runsum_release(&s);
	CHECK(runsum_parse(&s, Q, sizeof(Q) - 1) == 0);
	r.export_file = NULL;
	r.resend = "pipelines/panel.sh --query 'SELECT 1' sample";
	buf_reset(&b);
	CHECK(runreport_write(&r, &b) == 0);
	CHECK(
	    has(&b, "<h1>panel-sample run</h1><p class=sub>of the query "
	            "<code id=query>SELECT &#39;&lt;a&gt;&#39; FROM m</code>"));
	CHECK(!has(&b, "(unknown)"));
	CHECK(has(&b, "<pre>pipelines/panel.sh --query &#39;SELECT 1&#39; "
	              "sample</pre>"));
	runsum_release(&s);
	rejgroups_release(&g);
	buf_release(&b);
}

int
main(void)
{
	RUN(numbers);
	RUN(masked_escaped_self_contained);
	RUN(resend_commands);
	RUN(mismatch_and_no_summary);
	RUN(run_of_a_file_or_a_query);
	return harness_done();
}
