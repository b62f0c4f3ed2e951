/*
 * Unit tests for common/replay.c, against a small HTTP server in the test
 * (fakehttp.h) standing in for ClickHouse: the batches of a spool sent in
 * the order they were spooled and each removed once taken; the URL given
 * over the sidecar's; a batch refused stopping the replay with the rest
 * left in the spool; a damaged batch left there while the others go; an
 * older post-quasar's rows given their record_hash; --create-table making
 * each table once where the batches change tables, and an older table's
 * key stopping everything before a batch is sent; the stop flag; a spool
 * that is not there, an empty one, sidecars without a body cleaned, and
 * the lock held from open to release (tried from a child process, since
 * fcntl locks do not exclude the process that holds them). Files go under
 * /tmp and are removed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "exitcode.h"
#include "fakehttp.h"
#include "gunzip.h"
#include "gzbuf.h"
#include "harness.h"
#include "http.h"
#include "replay.h"
#include "shipper.h"
#include "spool.h"

#define NOWHERE "http://127.0.0.1:1"
#define OLD_ROW                                                                \
	"{\"source\":\"s\",\"file\":\"f\",\"line\":1,\"imported_at\":"         \
	"\"2026-01-01 00:00:00\",\"record\":\"{\\\"a\\\":1}\"}\n"

/* What the stand-in for ClickHouse does and saw. */
struct server {
	int refuse;             /* inserts answered 404, "no such table" */
	const char *key;        /* the answer to the key's query */
	struct buf seen;        /* "CREATE t", "KEY t", "COLUMNS t", "INSERT t
	                           rows" lines */
	struct buf last_insert; /* the body of the last insert, gunzipped */
};

/* What the replay told. */
struct heard {
	struct buf said; /* "SENT", "STOPPED why", ... a line each */
	int ticks;
	const struct replay *rp; /* set: SENT tells the batch's keys */
};

/* The table a query names after "what " (up to a space or a quote). */
static void
add_table(struct buf *out, const char *q, const char *what)
{
	const char *t = strstr(q, what);

	t = t ? t + strlen(what) : "?";
	buf_add(out, t, strcspn(t, " '"));
}

static int
answer(void *arg, const struct fakehttp_req *rq, struct buf *resp)
{
	struct server *sv = arg;
	const char *q = rq->target;
	size_t i;

	if (strstr(q, "CREATE TABLE IF NOT EXISTS ")) {
		buf_adds(&sv->seen, "CREATE ");
		add_table(&sv->seen, q, "NOT EXISTS ");
		buf_addc(&sv->seen, '\n');
		return 200;
	}
	if (strstr(q, "system.tables")) {
		buf_adds(&sv->seen, "KEY ");
		add_table(&sv->seen, q, "name = '");
		buf_addc(&sv->seen, '\n');
		buf_adds(resp, sv->key ? sv->key : "");
		return 200;
	}
	if (strstr(q, "system.columns")) { /* none shown: nothing to check */
		buf_adds(&sv->seen, "COLUMNS ");
		add_table(&sv->seen, q, "table = '");
		buf_addc(&sv->seen, '\n');
		return 200;
	}
	buf_adds(&sv->seen, "INSERT ");
	add_table(&sv->seen, q, "INSERT INTO ");
	buf_reset(&sv->last_insert);
	CHECK(gunzip_append(rq->body, rq->len, &sv->last_insert) == 0);
	buf_addc(&sv->seen, ' ');
	for (i = 0; i < sv->last_insert.len; i++) {
		char c = sv->last_insert.data[i];

		buf_addc(&sv->seen, c == '\n' ? '|' : c);
	}
	buf_addc(&sv->seen, '\n');
	if (sv->refuse) {
		buf_adds(resp, "Code: 60. DB::Exception: Table default.t does "
		               "not exist.");
		return 404;
	}
	return 200;
}

static void
told(void *arg, enum replay_event ev, const char *text)
{
	static const char *const names[] = {
	    "SENT", "STOPPED", "DAMAGED", "UNREMOVED"};
	struct heard *h = arg;

	buf_adds(&h->said, names[ev]);
	if (ev == REPLAY_SENT && h->rp) {
		const struct hash128 *k =
		    (const struct hash128 *)h->rp->last_batch->keys.data;
		size_t i, n = h->rp->last_batch->keys.len / sizeof(*k);

		buf_printf(&h->said, " %s", h->rp->last_meta->table);
		for (i = 0; i < n; i++)
			buf_printf(&h->said, " %016llx%016llx",
			    (unsigned long long)k[i].lo,
			    (unsigned long long)k[i].hi);
	}
	if (ev != REPLAY_SENT)
		buf_printf(&h->said, " %s", text);
	buf_addc(&h->said, '\n');
}

static void
tick(void *arg)
{
	struct heard *h = arg;

	h->ticks++;
}

static char top[] = "/tmp/sluice-unit-replay.XXXXXX";

/* A fresh spool directory under the test's, made. */
static const char *
spool_dir(const char *name)
{
	static char path[128];
	struct buf err = BUF_INIT;

	snprintf(path, sizeof(path), "%s/%s", top, name);
	CHECK(spool_mkdir(path, &err) == 0);
	buf_release(&err);
	return path;
}

/* Spools rows (gzipped) for table at url. The name goes to name. */
static void
put(const char *dir, const char *url, const char *table, const char *rows,
    struct buf *name)
{
	struct spool_meta m = {0};
	struct buf body = BUF_INIT, q = BUF_INIT, err = BUF_INIT;
	struct gzbuf gz;
	const char *p;

	gzbuf_init(&gz, GZBUF_LEVEL);
	CHECK(gzbuf_compress(&gz, rows, strlen(rows), &body) == 0);
	buf_printf(&q, "INSERT INTO %s FORMAT JSONEachRow", table);
	m.format = "jsoneachrow";
	m.url = (char *)url;
	m.table = (char *)table;
	m.query = q.data;
	m.from = "f:1";
	m.to = "f:2";
	m.reason = "a test";
	for (p = rows; *p; p++)
		m.records += *p == '\n';
	m.bytes = strlen(rows);
	buf_reset(name);
	CHECK(spool_put(dir, &m, body.data, body.len, name, &err) == 0);
	gzbuf_release(&gz);
	buf_release(&body);
	buf_release(&q);
	buf_release(&err);
}

/* Batches left in dir. */
static size_t
left_in(const char *dir)
{
	struct buf err = BUF_INIT;
	char **names = NULL;
	size_t n = 0, i;

	CHECK(spool_list(dir, &names, &n, NULL, &err) == 0);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_release(&err);
	return n;
}

/* A replay of dir and what it needs, with the server sv running. */
struct rig {
	struct fakehttp fake;
	struct server sv;
	struct heard heard;
	struct http *http;
	struct shipper ship;
	struct replay rp;
};

static void
rig_start(struct rig *g, const char *dir, unsigned flight, int create,
    const char *url, const volatile sig_atomic_t *stop)
{
	struct http_opts ho;
	struct buf err = BUF_INIT;
	struct shipper_opts so = {flight, 10000, 1 << 20, 5, "",
	    "application/x-ndjson", "ClickHouse", SHIP_GZIP, 0};
	struct replay_opts ro = {
	    dir, url, create, stop, told, tick, &g->heard, 0};

	memset(&g->sv, 0, sizeof(g->sv));
	memset(&g->heard, 0, sizeof(g->heard));
	buf_init(&g->sv.seen, BUF_UNLIMITED);
	buf_init(&g->sv.last_insert, BUF_UNLIMITED);
	buf_init(&g->heard.said, BUF_UNLIMITED);
	g->sv.key = "ReplacingMergeTree\tsource, record_hash\n";
	CHECK(fakehttp_start(&g->fake, answer, &g->sv) == 0);
	http_opts_default(&ho);
	ho.retries = 0;
	ho.concurrency = flight;
	ho.connect_timeout_ms = 2000;
	g->http = http_new(&ho, NULL, &err);
	CHECK(g->http != NULL);
	replay_init(&g->rp, &g->ship, g->http, &so, &ro);
	buf_release(&err);
}

/* Ends the replay and the server: their results may be read then. */
static void
rig_stop(struct rig *g)
{
	replay_release(&g->rp);
	shipper_release(&g->ship);
	http_free(g->http);
	fakehttp_stop(&g->fake);
}

static void
rig_release(struct rig *g)
{
	buf_release(&g->sv.seen);
	buf_release(&g->sv.last_insert);
	buf_release(&g->heard.said);
}

/* Opens and runs the replay; 0, or what replay_open() returned. */
static int
rig_run(struct rig *g)
{
	struct buf err = BUF_INIT;
	int rc = replay_open(&g->rp, &err);

	if (rc == 0)
		replay_run(&g->rp);
	buf_release(&err);
	return rc;
}

TEST(batches_sent_in_order_and_removed)
{
	const char *dir = spool_dir("order");
	struct buf name = BUF_INIT;
	struct rig g;

	rig_start(&g, dir, 2, 0, NULL, NULL);
	put(dir, g.fake.url, "t", "a\nb\n", &name);
	put(dir, g.fake.url, "t", "c\n", &name);
	put(dir, g.fake.url, "t", "d\n", &name);
	CHECK(rig_run(&g) == 0);
	CHECK(g.rp.n == 3 && g.rp.sent == 3 && g.rp.rows == 4);
	CHECK(g.rp.status == 0 && g.ship.stopped == 0);
	CHECK(g.heard.ticks >= 3);
	rig_stop(&g);
	CHECK(left_in(dir) == 0);
	/* Two on the wire at once may be answered in either order. */
	CHECK(strstr(g.sv.seen.data, "INSERT t a|b|\n") != NULL);
	CHECK(strstr(g.sv.seen.data, "INSERT t c|\n") != NULL);
	CHECK(strstr(g.sv.seen.data, "INSERT t d|\n") != NULL);
	CHECK_STR(g.heard.said.data, "SENT\nSENT\nSENT\n");
	rig_release(&g);
	buf_release(&name);
}

TEST(one_at_a_time_in_order_to_the_url_given)
{
	const char *dir = spool_dir("url");
	struct buf name = BUF_INIT;
	struct rig g;

	/* The sidecars name a server that is not there. */
	put(dir, NOWHERE, "t", "a\n", &name);
	put(dir, NOWHERE, "t", "b\n", &name);
	rig_start(&g, dir, 1, 0, NULL, NULL);
	/* The server's port is known once it runs: the URL is set then. */
	g.rp.o.url = g.fake.url;
	CHECK(rig_run(&g) == 0);
	CHECK(g.rp.sent == 2);
	rig_stop(&g);
	CHECK_STR(g.sv.seen.data, "INSERT t a|\nINSERT t b|\n");
	rig_release(&g);
	buf_release(&name);
}

TEST(a_refused_batch_stops_the_replay)
{
	const char *dir = spool_dir("refused");
	struct buf name = BUF_INIT;
	struct rig g;

	rig_start(&g, dir, 1, 0, NULL, NULL);
	put(dir, g.fake.url, "t", "a\n", &name);
	put(dir, g.fake.url, "t", "b\n", &name);
	g.sv.refuse = 1;
	CHECK(rig_run(&g) == 0);
	CHECK(g.rp.sent == 0 && g.rp.rows == 0);
	CHECK(g.ship.stopped == EXIT_UNAVAILABLE);
	rig_stop(&g);
	CHECK(left_in(dir) == 2);
	/* The second is never sent. */
	CHECK_STR(g.sv.seen.data, "INSERT t a|\n");
	CHECK_STR(g.heard.said.data,
	    "STOPPED ClickHouse refused the batch (HTTP 404): Code: 60. "
	    "DB::Exception: Table default.t does not exist.\n");
	rig_release(&g);
	buf_release(&name);
}

/* Makes the body of batch name in dir one byte longer than its sidecar. */
static void
damage(const char *dir, const char *name)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, SPOOL_BODY_SUFFIX);
	fp = fopen(path, "ab");
	CHECK(fp != NULL);
	if (fp) {
		fputc('x', fp);
		fclose(fp);
	}
}

TEST(a_damaged_batch_stays_and_the_others_go)
{
	const char *dir = spool_dir("damaged");
	struct buf name = BUF_INIT;
	struct rig g;

	rig_start(&g, dir, 1, 0, NULL, NULL);
	put(dir, g.fake.url, "t", "a\n", &name);
	put(dir, g.fake.url, "t", "b\n", &name);
	damage(dir, name.data);
	put(dir, g.fake.url, "t", "c\n", &name);
	CHECK(rig_run(&g) == 0);
	CHECK(g.rp.sent == 2 && g.rp.status == EXIT_DATAERR);
	CHECK(g.ship.stopped == 0);
	rig_stop(&g);
	CHECK(left_in(dir) == 1);
	CHECK_STR(g.sv.seen.data, "INSERT t a|\nINSERT t c|\n");
	CHECK(strncmp(g.heard.said.data, "SENT\nDAMAGED ", 13) == 0);
	CHECK(strstr(g.heard.said.data, "\nSENT\n") != NULL);
	rig_release(&g);
	buf_release(&name);
}

/* Rewrites the sidecar of batch name as an older post-quasar's. */
static void
make_old(const char *dir, const char *name)
{
	char path[256], text[4096], *v;
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, SPOOL_META_SUFFIX);
	fp = fopen(path, "r+b");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	v = strstr(text, "\"version\": 2");
	CHECK(v != NULL);
	if (v) {
		v[11] = '1';
		rewind(fp);
		CHECK(fwrite(text, 1, n, fp) == n);
	}
	fclose(fp);
}

TEST(an_older_batch_gets_its_record_hash)
{
	const char *dir = spool_dir("older");
	struct buf name = BUF_INIT;
	struct rig g;

	rig_start(&g, dir, 1, 0, NULL, NULL);
	put(dir, g.fake.url, "t", OLD_ROW, &name);
	make_old(dir, name.data);
	/* Not a post-quasar row: it cannot be given one. */
	put(dir, g.fake.url, "t", "{\"x\":1}\n", &name);
	make_old(dir, name.data);
	CHECK(rig_run(&g) == 0);
	CHECK(g.rp.sent == 1 && g.rp.status == EXIT_DATAERR);
	rig_stop(&g);
	CHECK(strstr(g.sv.last_insert.data, "\"record_hash\":\"") != NULL);
	CHECK(strncmp(g.heard.said.data, "SENT\nDAMAGED batch-", 19) == 0);
	CHECK(left_in(dir) == 1);
	rig_release(&g);
	buf_release(&name);
}

#define ROW(hash)                                                              \
	"{\"source\":\"s\",\"file\":\"f\",\"line\":1,\"imported_at\":"         \
	"\"2026-01-01 00:00:00\",\"record_hash\":\"" hash "\","                \
	"\"record\":\"{}\"}\n"

TEST(the_rows_keys_told_with_the_batch)
{
	const char *dir = spool_dir("keys");
	struct buf name = BUF_INIT;
	struct rig g;

	rig_start(&g, dir, 1, 0, NULL, NULL);
	g.rp.o.keys = 1;
	g.heard.rp = &g.rp;
	put(dir, g.fake.url, "t",
	    ROW("0123456789abcdef0123456789abcdefffffffffffffffffffffffffffffff"
	        "ff") ROW("00000000000000010000000000000002"
	                  "00000000000000000000000000000000"),
	    &name);
	/* A row without record_hash: the batch goes, its keys are none. */
	put(dir, g.fake.url, "u", OLD_ROW, &name);
	CHECK(rig_run(&g) == 0);
	CHECK(g.rp.sent == 2);
	rig_stop(&g);
	CHECK_STR(g.heard.said.data,
	    "SENT t 0123456789abcdef0123456789abcdef "
	    "00000000000000010000000000000002\nSENT u\n");
	rig_release(&g);
	buf_release(&name);
}

TEST(tables_made_once_where_they_change)
{
	const char *dir = spool_dir("tables");
	struct buf name = BUF_INIT;
	struct rig g;

	rig_start(&g, dir, 1, 1, NULL, NULL);
	put(dir, g.fake.url, "t1", "a\n", &name);
	put(dir, g.fake.url, "t1", "b\n", &name);
	put(dir, g.fake.url, "t2", "c\n", &name);
	CHECK(rig_run(&g) == 0);
	CHECK(g.rp.sent == 3);
	rig_stop(&g);
	CHECK_STR(g.sv.seen.data, "CREATE t1\nKEY t1\nCOLUMNS t1\nCREATE t2\n"
	                          "KEY t2\nCOLUMNS t2\nINSERT t1 a|\nINSERT t1 "
	                          "b|\nINSERT t2 c|\n");
	rig_release(&g);
	buf_release(&name);
}

TEST(an_older_table_stops_before_any_batch)
{
	const char *dir = spool_dir("oldtable");
	struct buf name = BUF_INIT;
	struct rig g;

	rig_start(&g, dir, 1, 1, NULL, NULL);
	put(dir, g.fake.url, "t1", "a\n", &name);
	put(dir, g.fake.url, "t2", "b\n", &name);
	g.sv.key = "ReplacingMergeTree\tsource, file, line\n";
	CHECK(rig_run(&g) == 0);
	CHECK(g.rp.sent == 0 && g.ship.stopped == EXIT_UNAVAILABLE);
	rig_stop(&g);
	CHECK(left_in(dir) == 2);
	/* Stopped at the first table: the second is not made either. */
	CHECK_STR(g.sv.seen.data, "CREATE t1\nKEY t1\n");
	CHECK(strncmp(g.heard.said.data,
	          "STOPPED the table t1 is ReplacingMergeTree keyed by "
	          "(source, file, line), not by (source, record_hash)",
	          100) == 0);
	rig_release(&g);
	buf_release(&name);
}

TEST(the_stop_flag_sends_nothing_more)
{
	const char *dir = spool_dir("stop");
	static volatile sig_atomic_t stop = 1;
	struct buf name = BUF_INIT;
	struct rig g;

	rig_start(&g, dir, 2, 0, NULL, &stop);
	put(dir, g.fake.url, "t", "a\n", &name);
	CHECK(rig_run(&g) == 0);
	CHECK(g.rp.n == 1 && g.rp.sent == 0);
	rig_stop(&g);
	CHECK(g.sv.seen.len == 0);
	CHECK(left_in(dir) == 1);
	rig_release(&g);
	buf_release(&name);
}

TEST(missing_empty_and_orphans)
{
	const char *dir;
	char path[256];
	struct rig g;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/none", top);
	rig_start(&g, path, 2, 0, NULL, NULL);
	CHECK(rig_run(&g) == EXIT_NOINPUT);
	rig_stop(&g);
	rig_release(&g);
	dir = spool_dir("empty");
	/* A sidecar whose body was never written is not a batch. */
	snprintf(path, sizeof(path), "%s/batch-x%s", dir, SPOOL_META_SUFFIX);
	fp = fopen(path, "w");
	CHECK(fp != NULL);
	if (fp)
		fclose(fp);
	rig_start(&g, dir, 2, 0, NULL, NULL);
	CHECK(rig_run(&g) == 0);
	CHECK(g.rp.n == 0 && g.rp.sent == 0 && g.heard.said.len == 0);
	rig_stop(&g);
	CHECK(access(path, F_OK) < 0);
	rig_release(&g);
}

/* Whether another process could take dir's lock now. */
static int
lock_free(const char *dir)
{
	char path[256];
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "%s/.lock", dir);
	if ((pid = fork()) == 0) {
		struct flock fl;
		int fd = open(path, O_RDWR);

		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		_exit(fd >= 0 && fcntl(fd, F_SETLK, &fl) == 0 ? 0 : 1);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

TEST(the_lock_is_held_until_release)
{
	const char *dir = spool_dir("lock");
	struct rig g;

	rig_start(&g, dir, 2, 0, NULL, NULL);
	CHECK(rig_run(&g) == 0);
	CHECK(!lock_free(dir));
	rig_stop(&g);
	CHECK(lock_free(dir));
	rig_release(&g);
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
	RUN(batches_sent_in_order_and_removed);
	RUN(one_at_a_time_in_order_to_the_url_given);
	RUN(a_refused_batch_stops_the_replay);
	RUN(a_damaged_batch_stays_and_the_others_go);
	RUN(an_older_batch_gets_its_record_hash);
	RUN(the_rows_keys_told_with_the_batch);
	RUN(tables_made_once_where_they_change);
	RUN(an_older_table_stops_before_any_batch);
	RUN(the_stop_flag_sends_nothing_more);
	RUN(missing_empty_and_orphans);
	RUN(the_lock_is_held_until_release);
	rc = harness_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
