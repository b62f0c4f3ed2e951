/*
 * Unit tests for common/rejgroup.c: reasons' patterns (quoted values,
 * addresses and long numbers taken out), one group per stage and
 * pattern with its reasons counted and its first examples, masked; the
 * cap on groups ("(other reasons)") and on reasons; a rejects file read
 * with the source file and line from the record's _meta, a raw line, a
 * line that is no record; the order; the source lines sorted once.
 */
#include "harness.h"
#include "rejgroup.h"

static const char *
pattern(const char *reason)
{
	static struct buf b = BUF_INIT;

	rejgroups_pattern(reason, &b);
	return b.data ? b.data : "";
}

TEST(patterns)
{
	CHECK_STR(pattern("no rule of the map matches status=\"moved-away\", "
	                  "x=\"\""),
	    "no rule of the map matches status=\"…\", x=\"…\"");
	CHECK_STR(pattern("a \"q\\\"uote\" b"), "a \"…\" b");
	CHECK_STR(pattern("no member jane@example.org"), "no member …");
	CHECK_STR(pattern("northstar answered 422 for 5550100"),
	    "northstar answered … for …");
	CHECK_STR(pattern("record has 7 fields, the header has 29"),
	    "record has … fields, the header has …");
	CHECK_STR(pattern("v2 post-rogue a1b2c"), "v2 post-rogue a1b2c");
	CHECK_STR(pattern("open \"quote"), "open \"…\"");
}

TEST(groups_values_examples)
{
	struct rejgroups r;
	char reason[64];
	int i;

	rejgroups_init(&r);
	for (i = 0; i < 30; i++) {
		snprintf(reason, sizeof(reason), "status \"v%d\"", i % 12);
		rejgroups_add(&r, "shape", reason, "/d/e.csv",
		    (unsigned long long)(100 - i), NULL, 0);
	}
	rejgroups_add(&r, "csv2ndjson", "record has 2 fields", "/d/e.csv", 7,
	    "Jane,jane@example.org\r\n", 23);
	rejgroups_add(&r, "shape", "another", NULL, 0, NULL, 0);
	/* Masked, two addresses are one reason. */
	rejgroups_add(&r, "shape", "email \"ann@x.org\"", NULL, 0, NULL, 0);
	rejgroups_add(&r, "shape", "email \"amy@x.org\"", NULL, 0, NULL, 0);
	rejgroups_finish(&r);
	CHECK(r.total == 34 && r.n == 4);
	CHECK_STR(r.g[0].stage, "shape");
	CHECK_STR(r.g[0].pattern, "status \"…\"");
	CHECK(r.g[0].n == 30 && r.g[0].nvalues == REJGROUP_MAX_VALUES);
	CHECK(r.g[0].values[0].n == 3);
	CHECK_STR(r.g[0].values[0].reason, "status \"v0\"");
	CHECK(r.g[0].other_values == 4);
	CHECK(r.g[0].nex == REJGROUP_MAX_EXAMPLES);
	CHECK(r.g[0].ex[0].line == 100);
	CHECK_STR(r.g[0].ex[0].file, "/d/e.csv");
	CHECK(r.g[0].ex[0].raw == NULL);
	CHECK_STR(r.g[1].pattern, "email \"…\"");
	CHECK(r.g[1].nvalues == 1 && r.g[1].values[0].n == 2);
	CHECK_STR(r.g[1].values[0].reason, "email \"a***@x***.org\"");
	CHECK_STR(r.g[1].ex[1].reason, "email \"a***@x***.org\"");
	CHECK_STR(r.g[2].pattern, "another");
	CHECK_STR(r.g[3].stage, "csv2ndjson");
	CHECK_STR(r.g[3].ex[0].raw, "J***,j***@e******.o**");
	/* Lines: 71..100 and 7, each once, sorted; the unknown one left out. */
	CHECK(r.nlines == 31 && r.lines[0] == 7 && r.lines[1] == 71 &&
	      r.lines[30] == 100);
	rejgroups_release(&r);
}

TEST(cap)
{
	struct rejgroups r;
	char reason[32];
	int i;

	rejgroups_init(&r);
	for (i = 0; i < REJGROUP_MAX_GROUPS + 10; i++) {
		snprintf(reason, sizeof(reason), "reason r%d", i);
		rejgroups_add(&r, "s", reason, "f", 1, NULL, 0);
		rejgroups_add(&r, "s", reason, "f", 1, NULL, 0);
	}
	rejgroups_finish(&r);
	CHECK(r.n == REJGROUP_MAX_GROUPS + 1);
	CHECK_STR(r.g[r.n - 1].pattern, REJGROUP_OTHER);
	CHECK(r.g[r.n - 1].n == 20);
	rejgroups_release(&r);
}

TEST(read_file)
{
	static const char F[] =
	    "{\"stage\":\"status-map\",\"reason\":\"no rule matches "
	    "status=\\\"X\\\"\",\"file\":\"<stdin>\",\"line\":3,\"record\":{"
	    "\"_meta\":{\"file\":\"/in/export.csv\",\"line\":41}}}\n"
	    "{\"stage\":\"csv2ndjson\",\"reason\":\"record has 2 fields\","
	    "\"file\":\"/in/export.csv\",\"line\":9,\"record\":\"a,b\\r\\n\"}\n"
	    "not json\n";
	char path[sizeof(HARNESS_TMP)];
	struct rejgroups r;
	struct buf why = BUF_INIT;

	CHECK(harness_tmpfile(path, F, sizeof(F) - 1) == 0);
	rejgroups_init(&r);
	CHECK(rejgroups_read(&r, path, "x", &why) == 0);
	rejgroups_finish(&r);
	CHECK(r.total == 3 && r.n == 3);
	CHECK_STR(r.g[0].stage, "status-map");
	CHECK_STR(r.g[0].ex[0].file, "/in/export.csv");
	CHECK(r.g[0].ex[0].line == 41);
	CHECK_STR(r.g[1].stage, "csv2ndjson");
	CHECK_STR(r.g[1].ex[0].raw, "a,b");
	CHECK(r.g[1].ex[0].line == 9);
	CHECK_STR(r.g[2].stage, "x");
	CHECK_STR(r.g[2].pattern, "not a reject record");
	CHECK(r.nlines == 3 && r.lines[0] == 3 && r.lines[1] == 9 &&
	      r.lines[2] == 41);
	unlink(path);
	CHECK(rejgroups_read(&r, "/nonexistent/x.ndjson", "x", &why) < 0);
	CHECK(why.len > 0);
	rejgroups_release(&r);
	buf_release(&why);
}

int
main(void)
{
	RUN(patterns);
	RUN(groups_values_examples);
	RUN(cap);
	RUN(read_file);
	return harness_done();
}
