/*
 * Unit tests for common/inboxfile.c in a folder of the test's: the
 * folders made; a claim (the file and its options file into the worker's
 * folder, its sha256 and size; a second worker finding it gone); options
 * from the sub-directory and the file's own, the latter winning; a failed
 * file to failed/ with its reason and line; an imported one to
 * done/DATE/ with the numbers of its run's summary; duplicates found by
 * bytes, vendor and options; a dead worker's claim given back; status.
 * The bookkeeping's numbers of a summary read by runsum: a whole import's
 * (the TurboVote sample's, as import.sh printed it); one whose second
 * phase did not run (imported null, the rejects of the stages that ran);
 * one of a pipeline without post-rogue; post-quasar's out= never the
 * imported, a count a delivery line lacks null; none at all (every number
 * null); the run folder from the "log" line of an import's output; the
 * inputs a fuzz target once read past.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "inboxfile.h"
#include "maildir.h"
#include "runsum.h"

static char dir[] = "/tmp/test_inboxfile.XXXXXX";
static struct inboxfile f;

static void
put(const char *rel, const char *text)
{
	struct buf p = BUF_INIT;
	FILE *o;

	buf_printf(&p, "%s/%s", dir, rel);
	o = fopen(p.data, "w");
	fputs(text, o);
	fclose(o);
	buf_release(&p);
}

static int
exists(const char *rel)
{
	struct buf p = BUF_INIT;
	int rc;

	buf_printf(&p, "%s/%s", dir, rel);
	rc = access(p.data, F_OK) == 0;
	buf_release(&p);
	return rc;
}

static json_t *
last_line(void)
{
	struct buf p = BUF_INIT;
	char line[8192], last[8192] = "";
	FILE *o;

	buf_printf(&p, "%s/state/imports.ndjson", dir);
	o = fopen(p.data, "r");
	while (o && fgets(line, sizeof(line), o))
		memcpy(last, line, sizeof(line));
	if (o)
		fclose(o);
	buf_release(&p);
	return json_loads(last, 0, NULL);
}

static const char full[] =
    "== turbovote import of vendors/turbovote/sample.csv\n"
    "per stage (records in = out + dropped + rejected):\n"
    "  csv2ndjson: in=1951 out=1950 dropped=0 rejected=1\n"
    "  shape: in=1950 out=1916 dropped=34 (staff-email=8 test-hostname=8 "
    "test-last-name=8 turbovote-email=10) rejected=0\n"
    "  status-map: in=1916 out=1906 dropped=0 rejected=10\n"
    "  post-northstar: in=1906 out=1906 dropped=0 rejected=0\n"
    "  dedupe: in=1906 out=1500 dropped=406 (duplicate=406) rejected=0\n"
    "  post-rogue: in=1500 out=1500 dropped=0 rejected=0\n"
    "delivery:\n"
    "  post-northstar: found=406 created=1500 updated=92 actions=0 "
    "remembered=406 requests=5032\n"
    "  post-rogue: created=1500 upgraded=0 unchanged=0 skipped=0 "
    "requests=1539\n"
    "per final status (post status, member status, count):\n"
    "  confirmed       confirmed              289\n"
    "  ineligible      ineligible             116\n"
    "  register-OVR    registration_complete  317\n"
    "  register-form   registration_complete  492\n"
    "  uncertain       uncertain              286\n"
    "per post result:\n"
    "  created    1500\n"
    "exit status per stage (-: not run): csv2ndjson=1 shape=0 "
    "status-map=1 post-northstar=0 dedupe=0 post-rogue=0\n"
    "files:\n"
    "  results   /tmp/inbx/data/runs/turbovote/20261202T022954Z/"
    "results.ndjson\n"
    "  csv2ndjson rejects 1 in /tmp/inbx/data/runs/turbovote/"
    "20261202T022954Z/csv2ndjson.rejects.ndjson\n"
    "  status-map rejects 10 in /tmp/inbx/data/runs/turbovote/"
    "20261202T022954Z/status-map.rejects.ndjson\n"
    "  dedupe dropped 406 in /tmp/inbx/data/runs/turbovote/"
    "20261202T022954Z/dedupe.dropped.ndjson\n"
    "  shape dropped 34 in /tmp/inbx/data/runs/turbovote/"
    "20261202T022954Z/shape.dropped.ndjson\n"
    "  raw       /tmp/inbx/data/raw/turbovote/2026-12-02/\n"
    "  ledger    /tmp/inbx/data/state/turbovote.ledger\n"
    "  log       /tmp/inbx/data/runs/turbovote/20261202T022954Z/"
    "stages.log\n"
    "warehouse: QUASAR_URL is not set; the raw rows are only in "
    "/tmp/inbx/data/raw/turbovote/2026-12-02/\n"
    "exit 1: finished; the rejected records are in the rejects files, "
    "with the reason\n";

static const char held[] =
    "== turbovote import of x.csv\n\n"
    "per stage (records in = out + dropped + rejected):\n"
    "  csv2ndjson: in=10 out=10 dropped=0 rejected=0\n"
    "  shape: in=10 out=9 dropped=1 (staff-email=1) rejected=0\n"
    "  status-map: in=9 out=9 dropped=0 rejected=0\n"
    "  post-northstar: in=9 out=0 dropped=0 rejected=9\n\n"
    "delivery:\n"
    "  post-northstar: found=0 created=0 updated=0 actions=0 "
    "remembered=0 requests=0\n\n"
    "exit status per stage (-: not run): csv2ndjson=0 shape=0 "
    "status-map=0 post-northstar=69 dedupe=- post-rogue=-\n";

static const char members_only[] =
    "== niche import of x.csv\n\n"
    "per stage (records in = out + dropped + rejected):\n"
    "  csv2ndjson: in=200 out=200 dropped=0 rejected=0\n"
    "  shape: in=200 out=194 dropped=0 rejected=6\n"
    "  post-northstar: in=194 out=194 dropped=0 rejected=0\n"
    "delivery:\n"
    "  post-northstar: found=4 created=190 updated=0 actions=190 "
    "remembered=4 requests=570\n"
    "exit status per stage (-: not run): csv2ndjson=0 post-quasar=0 "
    "shape=1 post-northstar=0\n";

/* The numbers of text as the bookkeeping writes them (compact). */
static void
check_numbers(const char *text, size_t n, const char *want)
{
	struct runsum s;
	json_t *o;
	char *got;

	runsum_init(&s);
	o = inboxfile_numbers(runsum_parse(&s, text, n) == 0 ? &s : NULL);
	got = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	CHECK_STR(got, want);
	free(got);
	json_decref(o);
	runsum_release(&s);
}

TEST(numbers_of_a_whole_import)
{
	check_numbers(full, strlen(full),
	    "{\"rows\":1951,\"imported\":1500,\"dropped\":{\"staff-email\":8,"
	    "\"test-hostname\":8,\"test-last-name\":8,\"turbovote-email\":10,"
	    "\"duplicate\":406},\"rejected\":11,\"rejected_by_stage\":{"
	    "\"csv2ndjson\":1,\"status-map\":10},\"members\":{\"found\":406,"
	    "\"created\":1500},\"posts\":{\"created\":1500,\"upgraded\":0}}");
}

TEST(numbers_second_phase_not_run)
{
	check_numbers(held, strlen(held),
	    "{\"rows\":10,\"imported\":null,\"dropped\":{"
	    "\"staff-email\":1},\"rejected\":9,\"rejected_by_stage\":"
	    "{\"post-northstar\":9},\"members\":{\"found\":0,"
	    "\"created\":0},\"posts\":null}");
}

TEST(numbers_members_only_pipeline)
{
	check_numbers(members_only, strlen(members_only),
	    "{\"rows\":200,\"imported\":194,\"dropped\":{},"
	    "\"rejected\":6,\"rejected_by_stage\":{\"shape\":6},"
	    "\"members\":{\"found\":4,\"created\":190},\"posts\":null}");
}

/*
 * The warehouse's stage, a side branch, is not what was imported; a count
 * a delivery line lacks is null.
 */
TEST(numbers_post_quasar_aside)
{
	static const char t[] =
	    "== shop import of x.csv\n"
	    "per stage (records in = out + dropped + rejected):\n"
	    "  csv2ndjson: in=4 out=4 dropped=0 rejected=0\n"
	    "  shape: in=4 out=3 dropped=0 rejected=1\n"
	    "  post-quasar: in=4 out=4 dropped=0 rejected=0\n"
	    "delivery:\n"
	    "  post-rogue: created=3 requests=3\n"
	    "exit status per stage (-: not run): csv2ndjson=0 shape=1 "
	    "post-quasar=0\n";

	check_numbers(t, strlen(t),
	    "{\"rows\":4,\"imported\":3,\"dropped\":{},\"rejected\":1,"
	    "\"rejected_by_stage\":{\"shape\":1},\"members\":null,"
	    "\"posts\":{\"created\":3,\"upgraded\":null}}");
}

TEST(numbers_of_no_summary)
{
	static const char none[] =
	    "{\"rows\":null,\"imported\":null,\"dropped\":null,"
	    "\"rejected\":null,\"rejected_by_stage\":null,"
	    "\"members\":null,\"posts\":null}";

	check_numbers("import.sh: no vendor 'x'\n", 25, none);
	check_numbers("", 0, none);
}

TEST(run_dir)
{
	static const char out[] = "import.sh: a line of a stage's\n"
	                          "  log       /d/runs/v/1/stages.log\n"
	                          "== again\n"
	                          "  log       /d/runs/v/2/stages.log";
	struct buf run = BUF_INIT;

	CHECK(inboxfile_run_dir(full, strlen(full), &run) == 0);
	CHECK_STR(run.data, "/tmp/inbx/data/runs/turbovote/20261202T022954Z");
	CHECK(inboxfile_run_dir(out, strlen(out), &run) == 0);
	CHECK_STR(run.data, "/d/runs/v/2");
	CHECK(inboxfile_run_dir(held, strlen(held), &run) < 0);
	buf_release(&run);
}

/*
 * What a fuzz target found in the inbox's first reader of summaries: a
 * counter or a stage's "=" at the very end of the text was read past it.
 * Each input (and each after a summary's heading) in a buffer of its
 * exact size, so AddressSanitizer sees a read beyond.
 */
TEST(ends_at_an_equals_sign)
{
	static const char *const found[] = {
	    "  e: e: 2  in=n=exit\xd7\x12\x12  in=",
	    "exit status per stage  log e:    :usU-usU=", "  shape: in=",
	    "exit status per stage (-: not run): a=", NULL};
	static const char heading[] = "== v import of f\nper stage (x):\n";
	struct buf run = BUF_INIT;
	struct runsum s;
	json_t *o;
	size_t n;
	char *p;
	int i, h;

	for (i = 0; found[i]; i++) {
		for (h = 0; h < 2; h++) {
			n = (h ? strlen(heading) : 0) + strlen(found[i]);
			p = malloc(n);
			memcpy(p, heading, h ? strlen(heading) : 0);
			memcpy(p + n - strlen(found[i]), found[i],
			    strlen(found[i]));
			runsum_init(&s);
			CHECK(runsum_parse(&s, p, n) == (h ? 0 : -1));
			o = inboxfile_numbers(&s);
			CHECK(json_is_object(o) && json_object_size(o) == 7);
			json_decref(o);
			runsum_release(&s);
			CHECK(inboxfile_run_dir(p, n, &run) < 0);
			free(p);
		}
	}
	buf_release(&run);
}

TEST(claim_and_fail)
{
	struct inboxclaim c, again;
	struct buf err = BUF_INIT, p = BUF_INIT;
	json_t *x;

	mkdir(f.incoming, 0777);
	buf_printf(&p, "%s/list", f.incoming);
	mkdir(p.data, 0777);
	put("incoming/list/.options", "topic=news\nsource=folder\n");
	put("incoming/list/a.csv", "abc\n");
	put("incoming/list/a.csv.options", "topic=community\n");
	CHECK(inboxclaim_take(&f, "list/a.csv", &c) == 1);
	CHECK(!exists("incoming/list/a.csv"));
	CHECK(!exists("incoming/list/a.csv.options"));
	CHECK(access(c.path, F_OK) == 0 && c.opath != NULL);
	CHECK_STR(c.sha256, "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb"
	                    "34982ddf0efd18cb");
	CHECK(c.bytes == 4 && c.forced && !strcmp(c.vendor, "list"));
	CHECK(inboxclaim_take(&f, "list/a.csv", &again) == 0);
	inboxclaim_release(&again);
	CHECK(inboxclaim_options(&f, &c, &err) == 0);
	CHECK_STR(json_string_value(json_object_get(c.options, "topic")),
	    "community");
	CHECK_STR(
	    json_string_value(json_object_get(c.options, "source")), "folder");
	inboxclaim_fail(&c, "no good", "because\n");
	CHECK(inboxfile_finish(&f, &c, &err) == 0);
	CHECK(exists("failed/a.csv") && exists("failed/a.csv.reason") &&
	      exists("failed/a.csv.options"));
	CHECK(access(c.path, F_OK) != 0);
	x = last_line();
	CHECK_STR(json_string_value(json_object_get(x, "result")), "failed");
	CHECK_STR(
	    json_string_value(json_object_get(x, "moved_to")), "failed/a.csv");
	CHECK(json_is_null(json_object_get(x, "exit")));
	json_decref(x);
	inboxclaim_release(&c);
	buf_release(&err);
	buf_release(&p);
}

TEST(imported_and_duplicate)
{
	struct inboxclaim c, d;
	struct buf p = BUF_INIT, log = BUF_INIT, err = BUF_INIT;
	json_t *x, *earlier;

	buf_printf(&p, "%s/runs", dir);
	mkdir(p.data, 0777);
	put("runs/summary.txt",
	    "== reg import of b.csv\n\n"
	    "per stage (records in = out + dropped + rejected):\n"
	    "  csv2ndjson: in=3 out=3 dropped=0 rejected=0\n"
	    "  shape: in=3 out=2 dropped=1 (test=1) rejected=0\n"
	    "exit status per stage (-: not run): csv2ndjson=0 shape=0\n");
	buf_reset(&log);
	buf_printf(&log, "%s/out.log", dir);
	put("out.log", "");
	buf_reset(&p);
	buf_printf(
	    &p, "== import\n  log       %s/runs/stages.log\nexit 0\n", dir);
	put("out.log", p.data);
	put("incoming/b.csv", "id\n1\n2\n3\n");
	CHECK(inboxclaim_take(&f, "b.csv", &c) == 1);
	c.vendor = strdup("reg");
	CHECK(inboxfile_imported(&f, &c) == NULL);
	inboxclaim_imported(&c, 0, log.data);
	CHECK_STR(c.result, "imported");
	CHECK(inboxfile_finish(&f, &c, &err) == 0);
	x = last_line();
	CHECK(json_integer_value(json_object_get(x, "rows")) == 3);
	CHECK(json_integer_value(json_object_get(x, "imported")) == 2);
	CHECK(strncmp(json_string_value(json_object_get(x, "moved_to")),
	          "done/", 5) == 0);
	CHECK(strstr(json_string_value(json_object_get(x, "report")),
	          "/runs/report.html") != NULL);
	json_decref(x);
	inboxclaim_release(&c);

	put("incoming/b2.csv", "id\n1\n2\n3\n");
	CHECK(inboxclaim_take(&f, "b2.csv", &d) == 1);
	d.vendor = strdup("reg");
	earlier = inboxfile_imported(&f, &d);
	CHECK(earlier != NULL);
	json_object_set_new(d.options, "topic", json_string("x"));
	CHECK(inboxfile_imported(&f, &d) == NULL); /* other options */
	json_object_clear(d.options);
	inboxclaim_duplicate(&d, earlier);
	CHECK(inboxfile_finish(&f, &d, &err) == 0);
	x = last_line();
	CHECK_STR(json_string_value(json_object_get(x, "result")), "duplicate");
	CHECK_STR(json_string_value(json_object_get(
	              json_object_get(x, "duplicate_of"), "file")),
	    "b.csv");
	json_decref(x);
	json_decref(earlier);
	inboxclaim_release(&d);
	buf_release(&p);
	buf_release(&log);
	buf_release(&err);
}

TEST(dead_worker_and_status)
{
	struct buf p = BUF_INIT, host = BUF_INIT, out = BUF_INIT,
	           err = BUF_INIT;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	maildir_host(&host);
	buf_printf(&p, "%s/%s.%ld", f.work, host.data, (long)pid);
	mkdir(p.data, 0777);
	buf_printf(&p, "/v");
	mkdir(p.data, 0777);
	buf_reset(&p);
	buf_printf(&p, "work/%s.%ld/v/c.csv", host.data, (long)pid);
	put(p.data, "x\n");
	CHECK(inboxfile_recover(&f, 0) == 0);
	CHECK(exists("incoming/v/c.csv"));
	CHECK(!exists(p.data));
	CHECK(inboxfile_status(dir, 0, 10, &out, &err) == 0);
	CHECK(strstr(out.data, "failed/a.csv") != NULL);
	CHECK(strstr(out.data, "  v/c.csv  2 bytes, ready") != NULL);
	buf_release(&p);
	buf_release(&host);
	buf_release(&out);
	buf_release(&err);
}

int
main(void)
{
	struct buf err = BUF_INIT;

	if (!mkdtemp(dir))
		return 1;
	CHECK(inboxfile_open(&f, dir, &err) == 0);
	RUN(numbers_of_a_whole_import);
	RUN(numbers_second_phase_not_run);
	RUN(numbers_members_only_pipeline);
	RUN(numbers_post_quasar_aside);
	RUN(numbers_of_no_summary);
	RUN(run_dir);
	RUN(ends_at_an_equals_sign);
	RUN(claim_and_fail);
	RUN(imported_and_duplicate);
	RUN(dead_worker_and_status);
	inboxfile_close(&f);
	buf_release(&err);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	wait(NULL);
	return harness_done();
}
