/*
 * Unit tests for common/spool.c: the directory made (and an existing one
 * kept, a file in its place refused), a batch spooled and read back (body
 * byte for byte, every sidecar field), names that sort in spooling order,
 * listings that skip temporary files and sidecars without a body (which
 * spool_clean removes), an older post-quasar's NAME.ndjson.gz bodies
 * listed, read and removed beside NAME.body ones, a damaged body or
 * sidecar refused (an encoding unknown too; rowbinary rows taken with a
 * query only), the encoding kept, removal, and
 * the replay lock (tried from a child process, since fcntl locks do not
 * exclude the process that holds them). Files go under /tmp and are
 * removed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "spool.h"

static char top[] = "/tmp/sluice-unit-spool.XXXXXX";

/* A fresh directory name under the test's (not made). */
static const char *
sub(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", top, name);
	return path;
}

static void
put_text(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

static void
meta_sample(struct spool_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->format = "jsoneachrow";
	m->url = "http://127.0.0.1:8123";
	m->table = "t";
	m->query = "INSERT INTO t FORMAT JSONEachRow";
	m->from = "export.ndjson:1";
	m->to = "export.ndjson:3";
	m->reason = "ClickHouse unavailable: \"x\"";
	m->records = 3;
	m->bytes = 300;
}

TEST(directory_made_once)
{
	struct buf err = BUF_INIT;
	const char *d = sub("made");

	CHECK(spool_mkdir(d, &err) == 0);
	CHECK(spool_mkdir(d, &err) == 0);
	put_text(top, "plain", "x");
	CHECK(spool_mkdir(sub("plain"), &err) < 0);
	CHECK(strstr(err.data, "plain: Not a directory") != NULL);
	CHECK(spool_mkdir(sub("no/such/parent"), &err) < 0);
	buf_release(&err);
}

TEST(put_list_load_remove)
{
	struct buf err = BUF_INIT, name = BUF_INIT, body = BUF_INIT;
	struct spool_meta m, got;
	const char *d = sub("round");
	char **names;
	size_t n, orphans = 9;
	static const char data[] = "\x1f\x8b gzip-ish \0 bytes";

	CHECK(spool_mkdir(d, &err) == 0);
	meta_sample(&m);
	CHECK(spool_put(d, &m, data, sizeof(data), &name, &err) == 0);
	CHECK(strncmp(name.data, "batch-", 6) == 0);
	CHECK(spool_list(d, &names, &n, &orphans, &err) == 0);
	CHECK(n == 1 && orphans == 0);
	if (n == 1) {
		CHECK_STR(names[0], name.data);
		free(names[0]);
	}
	free(names);
	CHECK(spool_load(d, name.data, &got, &body, &err) == 0);
	CHECK(body.len == sizeof(data) &&
	      memcmp(body.data, data, sizeof(data)) == 0);
	CHECK_STR(got.format, "jsoneachrow");
	CHECK_STR(got.url, "http://127.0.0.1:8123");
	CHECK_STR(got.table, "t");
	CHECK_STR(got.query, "INSERT INTO t FORMAT JSONEachRow");
	CHECK_STR(got.from, "export.ndjson:1");
	CHECK_STR(got.to, "export.ndjson:3");
	CHECK_STR(got.reason, "ClickHouse unavailable: \"x\"");
	CHECK(
	    got.spooled && strlen(got.spooled) == 20 && got.spooled[19] == 'Z');
	CHECK(got.records == 3 && got.bytes == 300 && got.size == sizeof(data));
	CHECK_STR(got.encoding, "gzip"); /* none given: gzip */
	spool_meta_release(&got);
	/* The sidecar alone. */
	CHECK(spool_load(d, name.data, &got, NULL, &err) == 0);
	CHECK(got.records == 3);
	spool_meta_release(&got);
	CHECK(spool_remove(d, name.data, &err) == 0);
	CHECK(spool_list(d, &names, &n, NULL, &err) == 0);
	CHECK(n == 0 && names == NULL);
	CHECK(spool_load(d, name.data, &got, &body, &err) < 0);
	spool_meta_release(&got);
	buf_release(&err);
	buf_release(&name);
	buf_release(&body);
}

TEST(names_sort_in_spooling_order)
{
	struct buf err = BUF_INIT, name = BUF_INIT;
	struct spool_meta m;
	const char *d = sub("order");
	char **names, first[128];
	size_t n, i;

	CHECK(spool_mkdir(d, &err) == 0);
	meta_sample(&m);
	m.format = "ndjson";
	m.table = m.query = NULL;
	for (i = 0; i < 12; i++) {
		CHECK(spool_put(d, &m, "x", 1, &name, &err) == 0);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", name.data);
	}
	CHECK(spool_list(d, &names, &n, NULL, &err) == 0);
	CHECK(n == 12);
	for (i = 1; i < n; i++)
		CHECK(strcmp(names[i - 1], names[i]) < 0);
	CHECK(n > 0 && strcmp(names[0], first) == 0);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_release(&err);
	buf_release(&name);
}

TEST(orphans_and_temporary_files_are_not_batches)
{
	struct buf err = BUF_INIT;
	const char *d = sub("orphans");
	char **names;
	size_t n, orphans;
	struct stat sb;
	char path[256];

	CHECK(spool_mkdir(d, &err) == 0);
	put_text(d, "batch-1.json", "{}");
	put_text(d, ".tmp-batch-2.body", "x");
	put_text(d, ".tmp-batch-2.json", "{}");
	put_text(d, "batch-3.body", "x");      /* no sidecar: never made */
	put_text(d, "batch-4.ndjson.gz", "x"); /* nor this older one */
	put_text(d, "notes.txt", "x");
	CHECK(spool_list(d, &names, &n, &orphans, &err) == 0);
	CHECK(n == 0 && orphans == 1);
	free(names);
	CHECK(spool_clean(d, &err) == 0);
	snprintf(path, sizeof(path), "%s/batch-1.json", d);
	CHECK(stat(path, &sb) < 0);
	snprintf(path, sizeof(path), "%s/notes.txt", d);
	CHECK(stat(path, &sb) == 0);
	buf_release(&err);
}

/* An older post-quasar's body, NAME.ndjson.gz: listed with the new ones,
 * loaded and removed; its sidecar is not an orphan. */
TEST(older_body_names)
{
	struct buf err = BUF_INIT, name = BUF_INIT, body = BUF_INIT;
	struct spool_meta m, got;
	const char *d = sub("older");
	char **names;
	size_t n, orphans;
	struct stat sb;
	char path[256];

	CHECK(spool_mkdir(d, &err) == 0);
	put_text(d, "batch-20200101T000000Z-1-000001.json",
	    "{\"format\":\"jsoneachrow\",\"url\":\"u\",\"query\":\"q\","
	    "\"records\":1,\"bytes\":3,\"size\":3}");
	put_text(d, "batch-20200101T000000Z-1-000001.ndjson.gz", "old");
	meta_sample(&m);
	CHECK(spool_put(d, &m, "new", 3, &name, &err) == 0);
	snprintf(path, sizeof(path), "%s/%s.body", d, name.data);
	CHECK(stat(path, &sb) == 0);
	CHECK(spool_list(d, &names, &n, &orphans, &err) == 0);
	CHECK(n == 2 && orphans == 0);
	if (n == 2) {
		CHECK_STR(names[0], "batch-20200101T000000Z-1-000001");
		CHECK(spool_load(d, names[0], &got, &body, &err) == 0);
		CHECK_MEM(body.data, body.len, "old");
		spool_meta_release(&got);
		CHECK(spool_load(d, names[1], &got, &body, &err) == 0);
		CHECK_MEM(body.data, body.len, "new");
		spool_meta_release(&got);
		CHECK(spool_remove(d, names[0], &err) == 0);
		CHECK(spool_remove(d, names[1], &err) == 0);
	}
	while (n)
		free(names[--n]);
	free(names);
	CHECK(spool_list(d, &names, &n, &orphans, &err) == 0);
	CHECK(n == 0 && orphans == 0);
	free(names);
	buf_release(&err);
	buf_release(&name);
	buf_release(&body);
}

TEST(damage_is_refused)
{
	struct buf err = BUF_INIT, name = BUF_INIT, body = BUF_INIT;
	struct spool_meta m, got;
	const char *d = sub("damage");
	char path[256];

	CHECK(spool_mkdir(d, &err) == 0);
	meta_sample(&m);
	CHECK(spool_put(d, &m, "0123456789", 10, &name, &err) == 0);
	snprintf(path, sizeof(path), "%s/%s.body", d, name.data);
	CHECK(truncate(path, 4) == 0);
	CHECK(spool_load(d, name.data, &got, &body, &err) < 0);
	CHECK(
	    strstr(err.data, "4 bytes, its sidecar says 10: damaged") != NULL);
	spool_meta_release(&got);
	put_text(d, "batch-x.ndjson.gz", "x");
	put_text(d, "batch-x.json", "{\"format\":\"csv\",\"url\":\"u\"}");
	CHECK(spool_load(d, "batch-x", &got, &body, &err) < 0);
	CHECK(strstr(err.data, "not a post-quasar spool sidecar") != NULL);
	spool_meta_release(&got);
	put_text(d, "batch-x.json",
	    "{\"format\":\"jsoneachrow\",\"url\":\"u\","
	    "\"records\":1,\"bytes\":1,\"size\":1}");
	CHECK(spool_load(d, "batch-x", &got, &body, &err) < 0); /* query */
	spool_meta_release(&got);
	/* RowBinary rows (the raw layout's), with their query and without. */
	put_text(d, "batch-x.json",
	    "{\"format\":\"rowbinary\",\"url\":\"u\",\"query\":\"q\","
	    "\"records\":1,\"bytes\":1,\"size\":1}");
	CHECK(spool_load(d, "batch-x", &got, &body, &err) == 0);
	CHECK_STR(got.format, "rowbinary");
	spool_meta_release(&got);
	put_text(d, "batch-x.json",
	    "{\"format\":\"rowbinary\",\"url\":\"u\","
	    "\"records\":1,\"bytes\":1,\"size\":1}");
	CHECK(spool_load(d, "batch-x", &got, &body, &err) < 0);
	spool_meta_release(&got);
	/* An encoding this post-quasar cannot send, and one it can. */
	put_text(d, "batch-x.json",
	    "{\"format\":\"jsoneachrow\",\"url\":\"u\",\"query\":\"q\","
	    "\"encoding\":\"zstd\",\"records\":1,\"bytes\":1,\"size\":1}");
	CHECK(spool_load(d, "batch-x", &got, &body, &err) < 0);
	spool_meta_release(&got);
	m.encoding = "lz4";
	CHECK(spool_put(d, &m, "0123456789", 10, &name, &err) == 0);
	CHECK(spool_load(d, name.data, &got, &body, &err) == 0);
	CHECK(got.encoding && strcmp(got.encoding, "lz4") == 0);
	spool_meta_release(&got);
	put_text(d, "batch-x.json", "not json");
	CHECK(spool_load(d, "batch-x", &got, &body, &err) < 0);
	spool_meta_release(&got);
	buf_release(&err);
	buf_release(&name);
	buf_release(&body);
}

TEST(replay_lock_excludes_another_process)
{
	struct buf err = BUF_INIT;
	const char *d = sub("lock");
	char path[256];
	int fd, status = -1;
	pid_t pid;

	CHECK(spool_mkdir(d, &err) == 0);
	fd = spool_lock(d, &err);
	CHECK(fd >= 0);
	snprintf(path, sizeof(path), "%s/.lock", d);
	if ((pid = fork()) == 0) {
		struct flock fl;
		int f = open(path, O_RDWR);

		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		_exit(f >= 0 && fcntl(f, F_SETLK, &fl) < 0 ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	CHECK(spool_lock(sub("no-such-dir"), &err) < 0);
	buf_release(&err);
}

int
main(void)
{
	char cmd[128];
	int rc;

	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(directory_made_once);
	RUN(put_list_load_remove);
	RUN(names_sort_in_spooling_order);
	RUN(orphans_and_temporary_files_are_not_batches);
	RUN(older_body_names);
	RUN(damage_is_refused);
	RUN(replay_lock_excludes_another_process);
	rc = harness_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
