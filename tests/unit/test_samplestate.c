/* Tests for common/samplestate: a dynamic sample's file. */
#include <sys/stat.h>

#include "harness.h"
#include "samplestate.h"

struct seen {
	int n;
	char ids[8][16];
	char recs[8][64];
};

static int
collect(const struct samplestate_member *m, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		snprintf(s->ids[s->n], 16, "%.*s", (int)m->idlen, m->id);
		snprintf(s->recs[s->n], 64, "%.*s", (int)m->reclen, m->record);
	}
	s->n++;
	return 0;
}

static void
tmpdir(char *dir)
{
	strcpy(dir, "/tmp/sluice-unit.XXXXXX");
	if (!mkdtemp(dir))
		dir[0] = 0;
}

TEST(written_then_read)
{
	char dir[32], path[64];
	struct samplestate_out o;
	struct buf why = BUF_INIT;
	struct seen s = {0};
	unsigned long long line;
	json_t *cell = json_pack("{s:s}", "state", "CA");
	struct samplestate_member m1 = {
	    "m1", 2, 0x1234, cell, "{\"id\":\"m1\",\"n\":1}", 0};
	struct samplestate_member m2 = {
	    "m\0002", 3, 0xffff, cell, "{\"id\":\"m\\u00002\"}", 0};

	m1.reclen = strlen(m1.record);
	m2.reclen = strlen(m2.record);
	tmpdir(dir);
	snprintf(path, sizeof(path), "%s/state", dir);
	CHECK(samplestate_read(path, 7, collect, &s, &why, &line) == 1);
	CHECK(samplestate_open(&o, path, 7) == 0);
	CHECK(samplestate_add(&o, &m1) == 0);
	CHECK(samplestate_add(&o, &m2) == 0);
	CHECK(samplestate_commit(&o) == 0);
	samplestate_release(&o);
	CHECK(samplestate_read(path, 7, collect, &s, &why, &line) == 0);
	CHECK(s.n == 2);
	CHECK_STR(s.ids[0], "m1");
	CHECK_STR(s.recs[0], "{\"id\":\"m1\",\"n\":1}");
	CHECK_STR(s.ids[1], "m"); /* "m\0" "2": read as written */
	/* Another seed's check: refused at the first line. */
	s.n = 0;
	CHECK(samplestate_read(path, 8, collect, &s, &why, &line) == -2);
	CHECK(line == 1 && s.n == 0);
	CHECK(why.data && strstr(why.data, "another seed"));
	remove(path);
	rmdir(dir);
	json_decref(cell);
	buf_release(&why);
}

/* A state not committed leaves the one before as it was. */
TEST(not_committed)
{
	char dir[32], path[64];
	struct samplestate_out o;
	struct buf why = BUF_INIT;
	struct seen s = {0};
	unsigned long long line;
	json_t *cell = json_object();
	struct samplestate_member m = {"a", 1, 1, cell, "{}", 2};

	tmpdir(dir);
	snprintf(path, sizeof(path), "%s/state", dir);
	CHECK(samplestate_open(&o, path, 1) == 0);
	CHECK(samplestate_add(&o, &m) == 0);
	CHECK(samplestate_commit(&o) == 0);
	samplestate_release(&o);
	CHECK(samplestate_open(&o, path, 1) == 0);
	samplestate_release(&o); /* no commit */
	CHECK(samplestate_read(path, 1, collect, &s, &why, &line) == 0);
	CHECK(s.n == 1);
	remove(path);
	CHECK(rmdir(dir) == 0); /* no temporary file left */
	json_decref(cell);
	buf_release(&why);
}

TEST(not_a_state)
{
	char path[sizeof(HARNESS_TMP)];
	struct buf why = BUF_INIT;
	struct seen s = {0};
	unsigned long long line;
	const char *bad[] = {"", "{\"sample_state\":2,\"check\":\"x\"}\n",
	    "not json\n",
	    "{\"sample_state\":1,\"check\":\"0000000000000001\"}\n{\"id\":1}\n"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		CHECK(harness_tmpfile(path, bad[i], strlen(bad[i])) == 0);
		CHECK(
		    samplestate_read(path, 1, collect, &s, &why, &line) == -2);
		remove(path);
	}
	CHECK(line == 2); /* the last: its member line */
	buf_release(&why);
}

int
main(void)
{
	RUN(written_then_read);
	RUN(not_committed);
	RUN(not_a_state);
	return harness_done();
}
