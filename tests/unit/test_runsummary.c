/*
 * Unit tests for common/runsummary.c: a whole import's summary (the
 * TurboVote sample's, as import.sh printed it) read into the bookkeeping's
 * numbers; a summary whose second phase did not run (imported null, the
 * rejects of the stages that ran); one of a pipeline without post-rogue;
 * no summary at all (every number null); the run folder from the "log"
 * line.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "runsummary.h"

static const char full[] =
    "== turbovote import of vendors/turbovote/sample.csv\n"
    "per stage (records in = out + dropped + rejected):\n"
    "  csv2ndjson: in=1951 out=1950 dropped=0 rejected=1\n"
    "  shape: in=1950 out=1916 dropped=34 (staff-email=8 test-hostname=8 test-last-name=8 turbovote-email=10) rejected=0\n"
    "  status-map: in=1916 out=1906 dropped=0 rejected=10\n"
    "  post-northstar: in=1906 out=1906 dropped=0 rejected=0\n"
    "  dedupe: in=1906 out=1500 dropped=406 (duplicate=406) rejected=0\n"
    "  post-rogue: in=1500 out=1500 dropped=0 rejected=0\n"
    "delivery:\n"
    "  post-northstar: found=406 created=1500 updated=92 actions=0 remembered=406 requests=5032\n"
    "  post-rogue: created=1500 upgraded=0 unchanged=0 skipped=0 requests=1539\n"
    "per final status (post status, member status, count):\n"
    "  confirmed       confirmed              289\n"
    "  ineligible      ineligible             116\n"
    "  register-OVR    registration_complete  317\n"
    "  register-form   registration_complete  492\n"
    "  uncertain       uncertain              286\n"
    "per post result:\n"
    "  created    1500\n"
    "exit status per stage (-: not run): csv2ndjson=1 shape=0 status-map=1 post-northstar=0 dedupe=0 post-rogue=0\n"
    "files:\n"
    "  results   /tmp/inbx/data/runs/turbovote/20261202T022954Z/results.ndjson\n"
    "  csv2ndjson rejects 1 in /tmp/inbx/data/runs/turbovote/20261202T022954Z/csv2ndjson.rejects.ndjson\n"
    "  status-map rejects 10 in /tmp/inbx/data/runs/turbovote/20261202T022954Z/status-map.rejects.ndjson\n"
    "  dedupe dropped 406 in /tmp/inbx/data/runs/turbovote/20261202T022954Z/dedupe.dropped.ndjson\n"
    "  shape dropped 34 in /tmp/inbx/data/runs/turbovote/20261202T022954Z/shape.dropped.ndjson\n"
    "  raw       /tmp/inbx/data/raw/turbovote/2026-12-02/\n"
    "  ledger    /tmp/inbx/data/state/turbovote.ledger\n"
    "  log       /tmp/inbx/data/runs/turbovote/20261202T022954Z/stages.log\n"
    "warehouse: QUASAR_URL is not set; the raw rows are only in /tmp/inbx/data/raw/turbovote/2026-12-02/\n"
    "exit 1: finished; the rejected records are in the rejects files, with the reason\n";

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
    "per stage (records in = out + dropped + rejected):\n"
    "  csv2ndjson: in=200 out=200 dropped=0 rejected=0\n"
    "  shape: in=200 out=194 dropped=0 rejected=6\n"
    "  post-northstar: in=194 out=194 dropped=0 rejected=0\n"
    "delivery:\n"
    "  post-northstar: found=4 created=190 updated=0 actions=190 "
    "remembered=4 requests=570\n"
    "exit status per stage (-: not run): csv2ndjson=0 post-quasar=0 "
    "shape=1 post-northstar=0\n";

static void
check_json(json_t *got, const char *want)
{
	char *s = json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER);

	CHECK_STR(s, want);
	free(s);
}

TEST(whole_import)
{
	json_t *o = runsummary_parse(full, strlen(full));

	check_json(o,
	    "{\"rows\":1951,\"imported\":1500,\"dropped\":{\"staff-email\":8,"
	    "\"test-hostname\":8,\"test-last-name\":8,\"turbovote-email\":10,"
	    "\"duplicate\":406},\"rejected\":11,\"rejected_by_stage\":{"
	    "\"csv2ndjson\":1,\"status-map\":10},\"members\":{\"found\":406,"
	    "\"created\":1500},\"posts\":{\"created\":1500,\"upgraded\":0}}");
	json_decref(o);
}

TEST(second_phase_not_run)
{
	json_t *o = runsummary_parse(held, strlen(held));

	check_json(o, "{\"rows\":10,\"imported\":null,\"dropped\":{"
	              "\"staff-email\":1},\"rejected\":9,\"rejected_by_stage\":"
	              "{\"post-northstar\":9},\"members\":{\"found\":0,"
	              "\"created\":0},\"posts\":null}");
	json_decref(o);
}

TEST(members_only_pipeline)
{
	json_t *o = runsummary_parse(members_only, strlen(members_only));

	check_json(o,
	    "{\"rows\":200,\"imported\":194,\"dropped\":{},"
	    "\"rejected\":6,\"rejected_by_stage\":{\"shape\":6},"
	    "\"members\":{\"found\":4,\"created\":190},\"posts\":null}");
	json_decref(o);
}

TEST(no_summary)
{
	json_t *o = runsummary_parse("import.sh: no vendor 'x'\n", 25);

	check_json(o, "{\"rows\":null,\"imported\":null,\"dropped\":null,"
	              "\"rejected\":null,\"rejected_by_stage\":null,"
	              "\"members\":null,\"posts\":null}");
	json_decref(o);
}

TEST(run_dir)
{
	struct buf out = BUF_INIT;

	CHECK(runsummary_run_dir(full, strlen(full), &out) == 0);
	CHECK_STR(out.data, "/tmp/inbx/data/runs/turbovote/20261202T022954Z");
	CHECK(runsummary_run_dir(held, strlen(held), &out) < 0);
	buf_release(&out);
}

/*
 * What the fuzz target found: a counter or a stage's "=" at the very end
 * of the text was read past it. Each input in a buffer of its exact size,
 * so AddressSanitizer sees a read beyond.
 */
TEST(ends_at_an_equals_sign)
{
	static const char *const found[] = {
	    "  e: e: 2  in=n=exit\xd7\x12\x12  in=",
	    "exit status per stage  log e:    :usU-usU=", "  shape: in=",
	    "exit status per stage (-: not run): a=", NULL};
	static const size_t len[] = {28, 42, 12, 38};
	json_t *o;
	char *p;
	int i;

	for (i = 0; found[i]; i++) {
		p = malloc(len[i]);
		memcpy(p, found[i], len[i]);
		o = runsummary_parse(p, len[i]);
		CHECK(json_is_object(o));
		json_decref(o);
		free(p);
	}
}

int
main(void)
{
	RUN(whole_import);
	RUN(second_phase_not_run);
	RUN(members_only_pipeline);
	RUN(no_summary);
	RUN(run_dir);
	RUN(ends_at_an_equals_sign);
	return harness_done();
}
