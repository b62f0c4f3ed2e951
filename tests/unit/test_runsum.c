/*
 * Unit tests for common/runsum.c: an import's summary read back, every
 * block (the stages with their rules and unwritten records, the delivery
 * lines with two-word keys, the final statuses, the results, the exit
 * statuses, the timing, the files with and without a count, the prose),
 * a fetched export, a stage's line missing, and text that is no summary.
 */
#include "harness.h"
#include "runsum.h"

static const char SUMMARY[] =
    "== turbovote import of /data/export.csv\n"
    "\n"
    "per stage (records in = out + dropped + rejected):\n"
    "  csv2ndjson: in=1951 out=1950 dropped=0 rejected=1\n"
    "  shape: in=1950 out=1916 dropped=34 (staff-email=8 test-hostname=26) "
    "rejected=0\n"
    "  post-rogue: in=10 out=7 dropped=0 rejected=1 unwritten=2\n"
    "\n"
    "delivery:\n"
    "  post-quasar: rows sent=1830 spooled=0 batches sent=1 spooled=0 "
    "requests=3\n"
    "  post-rogue: created=7 upgraded=0\n"
    "\n"
    "per final status (post status, member status, count):\n"
    "  confirmed       confirmed              289\n"
    "  register-OVR    registration_complete  317\n"
    "\n"
    "per post result:\n"
    "  created    7\n"
    "\n"
    "exit status per stage (-: not run): csv2ndjson=1 shape=0 post-rogue=-\n"
    "timing: started=2026-12-02T02:29:04Z ended=2026-12-02T02:29:07Z "
    "seconds=2.91 phase1=2.10\n"
    "\n"
    "not run: dedupe post-rogue, because post-northstar ended with 69.\n"
    "Run the import again once the cause is fixed (the ledgers send "
    "nothing twice).\n"
    "\n"
    "files:\n"
    "  results   /data/runs/t/1/results.ndjson\n"
    "  csv2ndjson rejects 1 in /data/runs/t/1/csv2ndjson.rejects.ndjson\n"
    "  failed    0 in /data/runs/t/1/failed.csv\n"
    "\n"
    "warehouse: rows wait in /s; once the warehouse takes them again, "
    "send them with\n"
    "  post-quasar --replay /s\n"
    "exit 69: a service stayed unavailable\n";

TEST(every_block)
{
	struct runsum s;
	const struct runsum_stage *st;

	runsum_init(&s);
	CHECK(runsum_parse(&s, SUMMARY, sizeof(SUMMARY) - 1) == 0);
	CHECK_STR(s.vendor, "turbovote");
	CHECK_STR(s.file, "/data/export.csv");
	CHECK(s.fetched == NULL);
	CHECK(s.nstages == 3);
	st = runsum_stage(&s, "shape");
	CHECK(st && st->in == 1950 && st->out == 1916 && st->dropped == 34 &&
	      st->rejected == 0 && st->nrules == 2);
	CHECK(st && !strcmp(st->rules[1].key, "test-hostname") &&
	      !strcmp(st->rules[1].val, "26"));
	st = runsum_stage(&s, "post-rogue");
	CHECK(st && st->unwritten == 2 && st->rejected == 1);
	CHECK(runsum_stage(&s, "dedupe") == NULL);
	CHECK(s.ndelivery == 2 && s.delivery[0].nkv == 5);
	CHECK_STR(s.delivery[0].kv[0].key, "rows sent");
	CHECK_STR(s.delivery[0].kv[0].val, "1830");
	CHECK_STR(s.delivery[0].kv[2].key, "batches sent");
	CHECK_STR(s.delivery[0].kv[3].key, "spooled");
	CHECK(s.nfinals == 2 && s.finals[1].n == 317);
	CHECK_STR(s.finals[1].member, "registration_complete");
	CHECK_STR(s.result_kind, "post");
	CHECK(s.nresults == 1);
	CHECK_STR(runsum_get(s.results, s.nresults, "created"), "7");
	CHECK_STR(runsum_get(s.exits, s.nexits, "post-rogue"), "-");
	CHECK_STR(runsum_get(s.timing, s.ntiming, "seconds"), "2.91");
	CHECK_STR(
	    runsum_get(s.timing, s.ntiming, "started"), "2026-12-02T02:29:04Z");
	CHECK(s.nfiles == 3);
	CHECK_STR(s.files[1].what, "csv2ndjson rejects");
	CHECK(s.files[1].n == 1 && s.files[0].n == -1 && s.files[2].n == 0);
	CHECK_STR(s.files[1].path, "/data/runs/t/1/csv2ndjson.rejects.ndjson");
	CHECK_STR(s.files[0].path, "/data/runs/t/1/results.ndjson");
	CHECK(s.nnotes == 4);
	CHECK_STR(s.notes[3], "post-quasar --replay /s");
	CHECK(s.exit_status == 69);
	CHECK_STR(s.exit_text, "exit 69: a service stayed unavailable");
	runsum_release(&s);
	CHECK(s.nstages == 0 && s.exit_status == -1);
}

TEST(fetched_and_members)
{
	static const char T[] =
	    "== rock-the-vote import of /r/export.csv (fetched by fetch-rtv)\r\n"
	    "per member result:\n  found 3\n";
	struct runsum s;

	runsum_init(&s);
	CHECK(runsum_parse(&s, T, sizeof(T) - 1) == 0);
	CHECK_STR(s.vendor, "rock-the-vote");
	CHECK_STR(s.file, "/r/export.csv");
	CHECK_STR(s.fetched, "fetch-rtv");
	CHECK_STR(s.result_kind, "member");
	CHECK_STR(runsum_get(s.results, s.nresults, "found"), "3");
	CHECK(s.exit_status == -1);
	runsum_release(&s);
}

TEST(not_a_summary)
{
	struct runsum s;
	char path[sizeof(HARNESS_TMP)];

	runsum_init(&s);
	CHECK(runsum_parse(&s, "hello\n", 6) == -1);
	CHECK(runsum_parse(&s, "", 0) == -1);
	CHECK(harness_tmpfile(path, "nope\n", 5) == 0);
	CHECK(runsum_load(&s, path) == -2);
	unlink(path);
	CHECK(runsum_load(&s, "/nonexistent/summary.txt") == -1);
	CHECK(harness_tmpfile(path, SUMMARY, sizeof(SUMMARY) - 1) == 0);
	CHECK(runsum_load(&s, path) == 0 && s.nstages == 3);
	unlink(path);
	runsum_release(&s);
}

/* Found by tests/fuzz/fuzz_report: a heading with no vendor before
 * " import of", and a heading line that ends before it. */
TEST(odd_headings)
{
	static const char A[] = "== import of  shop\n  x: in=1\n";
	static const char B[] = "== shop\nper stage: import of x\n";
	struct runsum s;

	runsum_init(&s);
	CHECK(runsum_parse(&s, A, sizeof(A) - 1) == 0);
	CHECK_STR(s.vendor, "import of  shop");
	CHECK(s.file == NULL);
	runsum_release(&s);
	CHECK(runsum_parse(&s, B, sizeof(B) - 1) == 0);
	CHECK_STR(s.vendor, "shop");
	CHECK(s.file == NULL);
	runsum_release(&s);
	CHECK(runsum_parse(&s, "== ", 3) == 0);
	CHECK_STR(s.vendor, "");
	runsum_release(&s);
}

/* Another pipeline's heading: "run of FILE", "run of the query SQL"; the
 * earliest of " import of " and " run of " parts the name from the rest. */
TEST(run_headings)
{
	static const char F[] = "== panel-x run of /d/an import of y.ndjson\n";
	static const char Q[] = "== panel-x run of the query SELECT 1 (x)\n";
	static const char I[] = "== shop import of /d/a run of b.csv\n";
	struct runsum s;

	runsum_init(&s);
	CHECK(runsum_parse(&s, F, sizeof(F) - 1) == 0);
	CHECK_STR(s.vendor, "panel-x");
	CHECK_STR(s.kind, "run");
	CHECK_STR(s.file, "/d/an import of y.ndjson");
	CHECK(s.query == NULL);
	runsum_release(&s);
	CHECK(runsum_parse(&s, Q, sizeof(Q) - 1) == 0);
	CHECK_STR(s.vendor, "panel-x");
	CHECK_STR(s.query, "SELECT 1 (x)");
	CHECK(s.file == NULL && s.fetched == NULL);
	runsum_release(&s);
	CHECK(runsum_parse(&s, I, sizeof(I) - 1) == 0);
	CHECK_STR(s.vendor, "shop");
	CHECK_STR(s.kind, "import");
	CHECK_STR(s.file, "/d/a run of b.csv");
	runsum_release(&s);
}

int
main(void)
{
	RUN(every_block);
	RUN(fetched_and_members);
	RUN(not_a_summary);
	RUN(odd_headings);
	RUN(run_headings);
	return harness_done();
}
