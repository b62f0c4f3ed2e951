/*
 * Unit tests for common/shipfeed.c, the shipper fed by a reader thread,
 * against a small HTTP server in the test (fakehttp.h): every line of a
 * file shipped once and the loop ending when the last batch has; a
 * missing file handed over as an error while the others are read; a
 * trickle on a pipe, whose first row goes out on the interval while the
 * input is still open (the loop sleeping in the poll is woken by the
 * reader); and the stop flag ending what is in hand as "interrupted".
 * Files go under /tmp and are removed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "exitcode.h"
#include "fakehttp.h"
#include "gunzip.h"
#include "harness.h"
#include "http.h"
#include "shipfeed.h"
#include "shipper.h"

/* What the server saw: the rows of every batch, in the order they came. */
struct server {
	pthread_mutex_t mu;
	int batches;
	struct buf rows;
};

/* What the loop gave the stage. */
struct stage_side {
	struct shipper *ship;
	unsigned long long lines, errors, ticks;
	int error_status;
	int stop_after; /* lines after which stop is set, or 0 */
	volatile sig_atomic_t stop;
	int ended, failed; /* batches ended, of them failed */
	struct buf why;    /* the first failure's reason */
};

static int
answer(void *arg, const struct fakehttp_req *rq, struct buf *resp)
{
	struct server *sv = arg;

	(void)resp;
	pthread_mutex_lock(&sv->mu);
	CHECK(gunzip_append(rq->body, rq->len, &sv->rows) == 0);
	sv->batches++;
	pthread_mutex_unlock(&sv->mu);
	return 200;
}

static int
batches_seen(struct server *sv)
{
	int n;

	pthread_mutex_lock(&sv->mu);
	n = sv->batches;
	pthread_mutex_unlock(&sv->mu);
	return n;
}

static void
take(void *arg, struct feed_item *it)
{
	struct stage_side *ss = arg;
	struct buf row = BUF_INIT;

	if (it->kind == FEED_ERROR) {
		ss->errors++;
		ss->error_status = it->status;
	} else {
		buf_add(&row, it->text, it->len);
		buf_addc(&row, '\n');
		CHECK(shipper_add(ss->ship, row.data, row.len, it->file,
		          it->line) == 0);
		if (++ss->lines == (unsigned long long)ss->stop_after)
			ss->stop = SIGTERM;
	}
	buf_release(&row);
}

static void
tick(void *arg)
{
	struct stage_side *ss = arg;

	ss->ticks++;
}

static void
ended(struct ship_batch *b, int status, const char *why, void *arg)
{
	struct stage_side *ss = arg;

	(void)b;
	ss->ended++;
	if (status != 0 && ss->failed++ == 0)
		buf_adds(&ss->why, why);
}

/* The server, a client, a shipper and the stage's side, set up. */
struct rig {
	struct fakehttp fake;
	struct server sv;
	struct http *http;
	struct shipper ship;
	struct stage_side ss;
	struct buf url;
};

static void
rig_start(struct rig *g, unsigned long long records, double interval)
{
	struct http_opts ho;
	struct shipper_opts so;
	struct buf err = BUF_INIT;

	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->sv.mu, NULL);
	buf_init(&g->sv.rows, BUF_UNLIMITED);
	buf_init(&g->ss.why, BUF_UNLIMITED);
	buf_init(&g->url, BUF_UNLIMITED);
	CHECK(fakehttp_start(&g->fake, answer, &g->sv) == 0);
	buf_printf(&g->url, "%s/?query=INSERT", g->fake.url);
	http_opts_default(&ho);
	ho.retries = 0;
	ho.concurrency = 2;
	ho.connect_timeout_ms = 2000;
	g->http = http_new(&ho, NULL, &err);
	CHECK(g->http != NULL);
	shipper_opts_init(&so);
	so.max_records = records;
	so.interval = interval;
	so.url = g->url.data;
	so.content_type = "application/x-ndjson";
	so.what = "Server";
	shipper_init(&g->ship, g->http, &so, ended, &g->ss);
	g->ss.ship = &g->ship;
	buf_release(&err);
}

/* Stops everything: what the server saw may be read then. */
static void
rig_stop(struct rig *g)
{
	shipper_release(&g->ship);
	http_free(g->http);
	fakehttp_stop(&g->fake);
}

static void
rig_release(struct rig *g)
{
	buf_release(&g->sv.rows);
	buf_release(&g->ss.why);
	buf_release(&g->url);
	pthread_mutex_destroy(&g->sv.mu);
}

static const struct shipfeed_ops ops = {take, tick, NULL};

/* Writes n lines "line N" to a temporary file named in path. */
static void
lines_file(char *path, int n, struct buf *want)
{
	struct buf text = BUF_INIT;
	int i;

	for (i = 1; i <= n; i++)
		buf_printf(&text, "line %d\n", i);
	CHECK(harness_tmpfile(path, text.data, text.len) == 0);
	buf_add(want, text.data, text.len);
	buf_release(&text);
}

/* Whether every line of want is in rows exactly once, and nothing else. */
static int
same_lines(const struct buf *rows, const char *want)
{
	struct buf all = BUF_INIT, one = BUF_INIT;
	const char *p, *nl, *at;
	int ok = 1;

	buf_addc(&all, '\n');
	buf_add(&all, rows->data, rows->len);
	for (p = want; ok && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		buf_reset(&one);
		buf_addc(&one, '\n');
		buf_add(&one, p, (size_t)(nl - p) + 1);
		at = strstr(all.data, one.data);
		ok = at != NULL && strstr(at + 1, one.data) == NULL;
	}
	ok = ok && rows->len == strlen(want);
	buf_release(&all);
	buf_release(&one);
	return ok;
}

TEST(every_line_shipped_once)
{
	static struct shipfeed sf;
	char path[sizeof(HARNESS_TMP)];
	char *files[1] = {path};
	struct buf want = BUF_INIT;
	struct rig g;

	/* Ten rows a batch, so that batches queue for the two places on
	 * the wire and the loop waits on the network. */
	rig_start(&g, 10, 5);
	lines_file(path, 300, &want);
	shipfeed_init(&sf, &g.ship, &ops, &g.ss);
	CHECK(shipfeed_run(&sf, 1, files, 1 << 20) == 0);
	CHECK(g.ss.lines == 300 && g.ss.errors == 0);
	CHECK(g.ss.ended == 30 && g.ss.failed == 0);
	CHECK(!shipper_busy(&g.ship));
	rig_stop(&g);
	CHECK(g.sv.batches == 30);
	/* Two on the wire at once may arrive in either order. */
	CHECK(same_lines(&g.sv.rows, want.data));
	remove(path);
	rig_release(&g);
	buf_release(&want);
}

TEST(a_missing_file_is_handed_over)
{
	static struct shipfeed sf;
	char path[sizeof(HARNESS_TMP)];
	char *files[2] = {"/nonexistent/sluice-unit", path};
	struct buf want = BUF_INIT;
	struct rig g;

	rig_start(&g, 1000, 5);
	lines_file(path, 3, &want);
	shipfeed_init(&sf, &g.ship, &ops, &g.ss);
	CHECK(shipfeed_run(&sf, 2, files, 1 << 20) == 0);
	CHECK(g.ss.errors == 1 && g.ss.error_status == EXIT_NOINPUT);
	CHECK(g.ss.lines == 3);
	rig_stop(&g);
	/* The end of the input seals the batch whatever its interval. */
	CHECK(g.sv.batches == 1);
	CHECK_STR(g.sv.rows.data, want.data);
	remove(path);
	rig_release(&g);
	buf_release(&want);
}

/* Writes a line, waits for the server to have its batch, writes another. */
struct trickle {
	int fd;
	struct server *sv;
	int waited; /* the first batch came while the input was open */
};

static void *
trickle_writer(void *arg)
{
	struct trickle *t = arg;
	struct timespec ms10 = {0, 10 * 1000000};
	int i;

	CHECK(write(t->fd, "one\n", 4) == 4);
	for (i = 0; i < 500 && batches_seen(t->sv) == 0; i++)
		nanosleep(&ms10, NULL);
	t->waited = batches_seen(t->sv) == 1;
	CHECK(write(t->fd, "two\n", 4) == 4);
	close(t->fd);
	return NULL;
}

TEST(a_trickle_goes_out_on_the_interval)
{
	static struct shipfeed sf;
	char path[32];
	char *files[1] = {path};
	struct trickle t;
	pthread_t writer;
	struct rig g;
	int fds[2];

	rig_start(&g, 1000, 0.05);
	CHECK(pipe(fds) == 0);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	t.fd = fds[1];
	t.sv = &g.sv;
	t.waited = 0;
	CHECK(pthread_create(&writer, NULL, trickle_writer, &t) == 0);
	shipfeed_init(&sf, &g.ship, &ops, &g.ss);
	CHECK(shipfeed_run(&sf, 1, files, 1 << 20) == 0);
	pthread_join(writer, NULL);
	close(fds[0]);
	CHECK(t.waited);
	CHECK(g.ss.lines == 2 && g.ss.ticks > 0);
	rig_stop(&g);
	CHECK(g.sv.batches == 2);
	CHECK_STR(g.sv.rows.data, "one\ntwo\n");
	rig_release(&g);
}

TEST(the_stop_flag_ends_what_is_in_hand)
{
	static struct shipfeed sf;
	struct shipfeed_ops o = ops;
	char path[32];
	char *files[1] = {path};
	struct rig g;
	int fds[2], i;

	rig_start(&g, 1000, 100);
	/* An input that stays open, as a terminal would. */
	CHECK(pipe(fds) == 0);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	for (i = 0; i < 20; i++)
		CHECK(write(fds[1], "row\n", 4) == 4);
	g.ss.stop_after = 10;
	o.stop = &g.ss.stop;
	shipfeed_init(&sf, &g.ship, &o, &g.ss);
	CHECK(shipfeed_run(&sf, 1, files, 1 << 20) == 1);
	/* The lines in hand are taken before the flag is seen. */
	CHECK(g.ss.lines >= 10 && g.ss.lines <= 20);
	/* The open batch ended as failed, never sent. */
	CHECK(g.ss.ended == 1 && g.ss.failed == 1);
	CHECK_STR(g.ss.why.data, "interrupted");
	CHECK(g.ship.stopped == EXIT_UNAVAILABLE && !shipper_busy(&g.ship));
	/* The reader waits on the pipe: once it ends, it may be freed. */
	close(fds[1]);
	feed_release(&sf.feed);
	close(fds[0]);
	rig_stop(&g);
	CHECK(g.sv.batches == 0);
	rig_release(&g);
}

int
main(void)
{
	RUN(every_line_shipped_once);
	RUN(a_missing_file_is_handed_over);
	RUN(a_trickle_goes_out_on_the_interval);
	RUN(the_stop_flag_ends_what_is_in_hand);
	return harness_done();
}
