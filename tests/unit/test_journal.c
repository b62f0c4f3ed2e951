/* Unit tests for common/journal: group commit, ids, segments, restarts. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "journal.h"

struct done {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int calls, ok;
};

static struct done D = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static void
on_done(void *arg, int ok)
{
	(void)arg;
	pthread_mutex_lock(&D.mu);
	D.calls++;
	D.ok += ok;
	pthread_cond_broadcast(&D.cv);
	pthread_mutex_unlock(&D.mu);
}

static void
wait_calls(int n)
{
	pthread_mutex_lock(&D.mu);
	while (D.calls < n)
		pthread_cond_wait(&D.cv, &D.mu);
	pthread_mutex_unlock(&D.mu);
}

static void
reset(void)
{
	D.calls = D.ok = 0;
}

/* A fresh directory under /tmp. */
static void
tmpdir(char *path)
{
	strcpy(path, "/tmp/sluice-journal.XXXXXX");
	if (mkdtemp(path) == NULL)
		abort();
}

static void
line(char *out, size_t n, const char *id)
{
	snprintf(out, n, "{\"x\":1,\"_meta\":{\"request_id\":\"%s\"}}", id);
}

/* Lines in every segment of dir; *closed, *open: how many of each. */
static int
count(const char *dir, int *closed, int *open)
{
	char path[512], buf[4096];
	struct dirent *de;
	DIR *d = opendir(dir);
	FILE *f;
	int n = 0;

	*closed = *open = 0;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (strstr(de->d_name, ".open"))
			(*open)++;
		else
			(*closed)++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(buf, sizeof(buf), f))
			n++;
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

static void
cleanup(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

TEST(writes_then_tells)
{
	struct journal_opts o = {0};
	struct journal_stats st;
	struct buf err = BUF_INIT;
	struct journal *j;
	char dir[64], sub[128], l[128], id[32];
	int s, i, closed, open;

	tmpdir(dir);
	snprintf(sub, sizeof(sub), "%s/v", dir);
	reset();
	j = journal_new(&o);
	CHECK((s = journal_stream(j, sub, &err)) == 0);
	CHECK(journal_start(j) == 0);
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "id-%d", i);
		line(l, sizeof(l), id);
		CHECK(journal_submit(j, s, id, l, strlen(l), on_done, NULL) ==
		      JOURNAL_QUEUED);
	}
	wait_calls(1000);
	CHECK(D.ok == 1000);
	/* Told only once written: the lines are there now. */
	CHECK(count(sub, &closed, &open) == 1000);
	CHECK(open == 1 && closed == 0);
	journal_stats(j, &st);
	CHECK(st.records == 1000);
	CHECK(st.flushes < 1000); /* group commit */
	CHECK(journal_has(j, s, "id-7"));
	CHECK(!journal_has(j, s, "id-1000"));
	CHECK(journal_close(j) == 0);
	CHECK(count(sub, &closed, &open) == 1000);
	CHECK(open == 0 && closed == 1); /* closed at the end */
	buf_release(&err);
	cleanup(dir);
}

TEST(duplicates_and_restart)
{
	struct journal_opts o = {0};
	struct buf err = BUF_INIT;
	struct journal *j;
	char dir[64], sub[128], l[128], path[256];
	int s, closed, open;
	FILE *f;

	tmpdir(dir);
	snprintf(sub, sizeof(sub), "%s/v", dir);
	reset();
	j = journal_new(&o);
	s = journal_stream(j, sub, &err);
	journal_start(j);
	line(l, sizeof(l), "a");
	CHECK(journal_submit(j, s, "a", l, strlen(l), on_done, NULL) ==
	      JOURNAL_QUEUED);
	/* The same id while the first is on its way: told with it. */
	journal_submit(j, s, "a", l, strlen(l), on_done, NULL);
	wait_calls(2);
	CHECK(D.ok == 2);
	CHECK(journal_submit(j, s, "a", l, strlen(l), on_done, NULL) ==
	      JOURNAL_DUPLICATE);
	CHECK(journal_close(j) == 0);
	CHECK(count(sub, &closed, &open) == 1);

	/* A crash's open segment with a torn last line. */
	snprintf(path, sizeof(path), "%s/0000000000000002.ndjson.open", sub);
	f = fopen(path, "w");
	fputs("{\"_meta\":{\"request_id\":\"b\"}}\n{\"_meta\":{\"requ", f);
	fclose(f);
	reset();
	j = journal_new(&o);
	CHECK((s = journal_stream(j, sub, &err)) == 0);
	CHECK(count(sub, &closed, &open) == 2);
	CHECK(closed == 2 && open == 0);
	CHECK(journal_has(j, s, "a") && journal_has(j, s, "b"));
	journal_start(j);
	CHECK(journal_submit(j, s, "b", l, strlen(l), on_done, NULL) ==
	      JOURNAL_DUPLICATE);
	line(l, sizeof(l), "c");
	journal_submit(j, s, "c", l, strlen(l), on_done, NULL);
	wait_calls(1);
	CHECK(journal_close(j) == 0);
	/* The next segment is number 3. */
	snprintf(path, sizeof(path), "%s/0000000000000003.ndjson", sub);
	CHECK(access(path, F_OK) == 0);
	buf_release(&err);
	cleanup(dir);
}

TEST(rotation_and_backlog)
{
	struct journal_opts o = {0};
	struct buf err = BUF_INIT;
	struct journal *j;
	char dir[64], sub[128], l[128], id[32];
	int s, i, closed, open;

	tmpdir(dir);
	snprintf(sub, sizeof(sub), "%s/v", dir);
	reset();
	o.segment_bytes = 200; /* every few lines */
	j = journal_new(&o);
	s = journal_stream(j, sub, &err);
	journal_start(j);
	for (i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "r%d", i);
		line(l, sizeof(l), id);
		journal_submit(j, s, id, l, strlen(l), on_done, NULL);
		wait_calls(i + 1);
	}
	journal_rotate(j);
	CHECK(journal_close(j) == 0);
	CHECK(count(sub, &closed, &open) == 20);
	CHECK(closed >= 4 && open == 0); /* 200 bytes: five lines each */

	o.segment_bytes = 0;
	o.backlog_bytes = 10; /* smaller than a line */
	j = journal_new(&o);
	s = journal_stream(j, sub, &err);
	line(l, sizeof(l), "z");
	CHECK(journal_submit(j, s, "z", l, strlen(l), on_done, NULL) ==
	      JOURNAL_BUSY);
	CHECK(!journal_has(j, s, "z"));
	CHECK(journal_close(j) == 0);
	buf_release(&err);
	cleanup(dir);
}

TEST(not_a_journal)
{
	struct journal_opts o = {0};
	struct buf err = BUF_INIT;
	struct journal *j;
	char dir[64], path[256];
	FILE *f;

	tmpdir(dir);
	snprintf(path, sizeof(path), "%s/0000000000000001.ndjson", dir);
	f = fopen(path, "w");
	fputs("{\"no\":\"id\"}\n", f);
	fclose(f);
	j = journal_new(&o);
	CHECK(journal_stream(j, dir, &err) < 0);
	CHECK(err.data && strstr(err.data, ".ndjson:1: not a journal record"));
	journal_close(j);
	buf_release(&err);
	cleanup(dir);
}

int
main(void)
{
	RUN(writes_then_tells);
	RUN(duplicates_and_restart);
	RUN(rotation_and_backlog);
	RUN(not_a_journal);
	return harness_done();
}
