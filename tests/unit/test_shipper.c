/*
 * Unit tests for common/shipper.c, against a port where nothing listens
 * (127.0.0.1:1, connection refused) with no retries: rows gathered into
 * batches by count and by bytes (a row larger than the maximum alone in
 * its batch), a batch sealed when its interval is up, the room that a
 * full batch waiting for the wire takes away, every batch ending once
 * through the callback with its rows gzipped in order, the first failure
 * stopping the shipper (later batches end unsent, with the same reason;
 * with one batch on the wire they end in order),
 * and abort ending what is in hand; the rows' keys kept with their batch
 * until it ended, and one request for batches that all failed. The stage's
 * own calls run against a
 * small HTTP server in the test (fakehttp.h): a call retried after a 503,
 * --create-table's table made and its key checked, an older table's key
 * and a server that is not there both stopping the shipper with why. The
 * shipper's options: their defaults, values taken, and values refused
 * with a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "capture.h"
#include "diag.h"
#include "exitcode.h"
#include "fakehttp.h"
#include "gunzip.h"
#include "harness.h"
#include "http.h"
#include "shipper.h"
#include "spool.h"

#define NOWHERE "http://127.0.0.1:1/?query=INSERT"

struct seen {
	int batches, failed;
	unsigned long long records;
	struct buf rows; /* every batch's rows, gunzipped, in order */
	struct buf why;  /* the first reason */
	struct buf keys; /* every batch's keys, in order */
	unsigned long long sizes[16];
};

static void
ended(struct ship_batch *b, int status, const char *why, void *arg)
{
	struct seen *s = arg;

	if (s->batches < 16)
		s->sizes[s->batches] = b->records;
	s->batches++;
	s->records += b->records;
	if (status != 0) {
		s->failed++;
		CHECK(status == EXIT_UNAVAILABLE);
		if (s->why.len == 0)
			buf_adds(&s->why, why);
	}
	CHECK(
	    gunzip_append(b->call.body.data, b->call.body.len, &s->rows) == 0);
	/* Gzipped whole by libdeflate (gzbuf), which leaves the header's OS
	 * byte unknown (255); zlib's streaming deflate writes 3 (Unix). */
	CHECK(b->call.body.len > 10 &&
	      (unsigned char)b->call.body.data[9] == 0xff);
	if (b->keys.len)
		buf_add(&s->keys, b->keys.data, b->keys.len);
}

/* A client that tries a failed call retries times more, quickly. */
static struct http *
client_retrying(unsigned retries)
{
	struct http_opts o;
	struct buf err = BUF_INIT;
	struct http *h;

	http_opts_default(&o);
	o.retries = retries;
	o.backoff_base = 0.01;
	o.backoff_max = 0.02;
	o.connect_timeout_ms = 2000;
	h = http_new(&o, NULL, &err);
	buf_release(&err);
	return h;
}

static struct http *
client(void)
{
	return client_retrying(0);
}

static void
setup(struct shipper *s, struct http *h, struct seen *seen, unsigned flight,
    unsigned long long records, size_t bytes, double interval)
{
	struct shipper_opts o = {flight, records, bytes, interval, NOWHERE,
	    "application/x-ndjson", "Nowhere", SHIP_GZIP, 0};

	memset(seen, 0, sizeof(*seen));
	buf_init(&seen->rows, BUF_UNLIMITED);
	buf_init(&seen->why, BUF_UNLIMITED);
	buf_init(&seen->keys, BUF_UNLIMITED);
	shipper_init(s, h, &o, ended, seen);
}

/* Adds a row, running the client until there is room for it. */
static void
add(struct shipper *s, struct http *h, const char *row)
{
	while (!shipper_room(s))
		http_poll(h, 100);
	CHECK(shipper_add(s, row, strlen(row), "f", 1) == 0);
}

/* Seals what is open and runs the client until every batch ended. */
static void
drain(struct shipper *s, struct http *h)
{
	int i;

	for (i = 0; i < 200 && shipper_busy(s); i++) {
		shipper_due(s, 1);
		http_poll(h, 100);
	}
	CHECK(!shipper_busy(s));
}

TEST(batches_by_count_all_end_once)
{
	struct http *h = client();
	struct shipper s;
	struct seen seen;

	setup(&s, h, &seen, 1, 2, 1 << 20, 100);
	add(&s, h, "r1\n");
	add(&s, h, "r2\n");
	add(&s, h, "r3\n");
	add(&s, h, "r4\n");
	add(&s, h, "r5\n");
	drain(&s, h);
	CHECK(seen.batches == 3 && seen.failed == 3 && seen.records == 5);
	CHECK(seen.sizes[0] == 2 && seen.sizes[1] == 2 && seen.sizes[2] == 1);
	CHECK_STR(seen.rows.data, "r1\nr2\nr3\nr4\nr5\n");
	CHECK(strncmp(seen.why.data, "Nowhere unavailable: ", 21) == 0);
	CHECK(s.stopped == EXIT_UNAVAILABLE);
	CHECK_STR(s.stop_why.data, seen.why.data);
	/* One request: the batches after the failure end unsent. */
	CHECK(http_requests(h) == 1);
	shipper_release(&s);
	http_free(h);
	buf_release(&seen.rows);
	buf_release(&seen.why);
	buf_release(&seen.keys);
}

TEST(keys_kept_with_their_batch)
{
	struct http *h = client();
	struct shipper s;
	struct seen seen;
	struct hash128 k[3] = {{1, 1}, {2, 2}, {3, 3}};
	int i;

	setup(&s, h, &seen, 1, 2, 1 << 20, 100);
	for (i = 0; i < 3; i++) {
		while (!shipper_room(&s))
			http_poll(h, 100);
		CHECK(shipper_add_keyed(&s, "r\n", 2, "f", 1, &k[i]) == 0);
	}
	add(&s, h, "unkeyed\n");
	drain(&s, h);
	CHECK(seen.batches == 2 && seen.records == 4);
	/* Each batch had its rows' keys when it ended, and no others. */
	CHECK(seen.keys.len == sizeof(k) &&
	      memcmp(seen.keys.data, k, sizeof(k)) == 0);
	shipper_release(&s);
	http_free(h);
	buf_release(&seen.rows);
	buf_release(&seen.why);
	buf_release(&seen.keys);
}

TEST(batches_by_bytes)
{
	static char big[200000];
	struct http *h = client();
	struct shipper s;
	struct seen seen;

	setup(&s, h, &seen, 1, 1000, 10, 100);
	add(&s, h, "aaa\n");
	add(&s, h, "bbb\n");
	add(&s, h, "ccc\n"); /* 12 bytes would pass 10: a new batch */
	add(&s, h, "a row longer than ten\n");
	add(&s, h, "d\n");
	drain(&s, h);
	CHECK(seen.batches == 4 && seen.records == 5);
	CHECK(seen.sizes[0] == 2 && seen.sizes[1] == 1 && seen.sizes[2] == 1 &&
	      seen.sizes[3] == 1);
	CHECK_STR(seen.rows.data, "aaa\nbbb\nccc\na row longer than ten\nd\n");
	/* A row far past the maximum is a batch of its own, gzipped from
	 * the caller's buffer: never copied into the shipper's. */
	memset(big, 'x', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	add(&s, h, big);
	drain(&s, h);
	/* The small rows' buffer is still there, as small: a copy of the
	 * big row would have grown it (and its seal released it). */
	CHECK(seen.batches == 5 && s.plain.cap > 0 && s.plain.cap < 1000);
	CHECK(seen.rows.len == 36 + sizeof(big) - 1);
	shipper_release(&s);
	http_free(h);
	buf_release(&seen.rows);
	buf_release(&seen.why);
}

TEST(sealed_when_the_interval_is_up)
{
	struct http *h = client();
	struct shipper s;
	struct seen seen;
	struct timespec ts = {0, 80 * 1000000};
	int ms;

	setup(&s, h, &seen, 2, 1000, 1 << 20, 0.05);
	CHECK(shipper_wait_ms(&s, 1000) == 1000); /* nothing open */
	add(&s, h, "x\n");
	ms = shipper_wait_ms(&s, 1000);
	CHECK(ms > 0 && ms <= 51);
	CHECK(shipper_due(&s, 0) == 0);
	CHECK(s.filling != NULL);
	nanosleep(&ts, NULL);
	CHECK(shipper_wait_ms(&s, 1000) == 0);
	CHECK(shipper_due(&s, 0) == 0);
	CHECK(s.filling == NULL && s.sending == 1);
	drain(&s, h);
	CHECK(seen.batches == 1 && seen.records == 1);
	shipper_release(&s);
	http_free(h);
	buf_release(&seen.rows);
	buf_release(&seen.why);
}

TEST(a_full_batch_waiting_takes_the_room)
{
	struct http *h = client();
	struct shipper s;
	struct seen seen;

	setup(&s, h, &seen, 1, 1, 1 << 20, 100);
	CHECK(shipper_room(&s));
	CHECK(shipper_add(&s, "a\n", 2, "f", 1) == 0); /* on the wire */
	CHECK(s.sending == 1 && shipper_room(&s));
	CHECK(shipper_add(&s, "b\n", 2, "f", 2) == 0); /* full, waits */
	CHECK(s.ready != NULL && !shipper_room(&s));
	drain(&s, h);
	CHECK(seen.batches == 2 && seen.failed == 2);
	CHECK_STR(seen.rows.data, "a\nb\n");
	shipper_release(&s);
	http_free(h);
	buf_release(&seen.rows);
	buf_release(&seen.why);
}

TEST(after_a_failure_batches_end_unsent)
{
	struct http *h = client();
	struct shipper s;
	struct seen seen;

	setup(&s, h, &seen, 2, 1, 1 << 20, 100);
	shipper_stop(&s, EXIT_UNAVAILABLE, "stopped before");
	shipper_stop(&s, EXIT_UNAVAILABLE, "a second reason");
	CHECK(shipper_add(&s, "a\n", 2, "f", 1) == 0);
	/* Ended at once, without the network. */
	CHECK(seen.batches == 1 && s.sending == 0 && !shipper_busy(&s));
	CHECK_STR(seen.why.data, "stopped before");
	shipper_release(&s);
	http_free(h);
	buf_release(&seen.rows);
	buf_release(&seen.why);
}

TEST(abort_ends_what_is_in_hand)
{
	struct http *h = client();
	struct shipper s;
	struct seen seen;

	setup(&s, h, &seen, 1, 2, 1 << 20, 100);
	CHECK(shipper_add(&s, "a\n", 2, "f", 1) == 0);
	CHECK(shipper_add(&s, "b\n", 2, "f", 2) == 0); /* on the wire */
	CHECK(shipper_add(&s, "c\n", 2, "f", 3) == 0);
	CHECK(shipper_add(&s, "d\n", 2, "f", 4) == 0); /* full, waits */
	CHECK(shipper_add(&s, "e\n", 2, "f", 5) == 0); /* open */
	shipper_abort(&s, EXIT_UNAVAILABLE, "interrupted");
	CHECK(seen.batches == 3 && seen.failed == 3 && seen.records == 5);
	CHECK_STR(seen.why.data, "interrupted");
	CHECK(!shipper_busy(&s));
	shipper_release(&s);
	http_free(h);
	buf_release(&seen.rows);
	buf_release(&seen.why);
}

/* What the stand-in for ClickHouse answers, and what it saw. */
struct server {
	int unavailable;     /* answers 503 to this many calls first */
	const char *key;     /* the answer to the key's query */
	const char *columns; /* and to the columns' */
	struct buf seen;     /* the queries, a line each */
};

static int
answer(void *arg, const struct fakehttp_req *rq, struct buf *resp)
{
	struct server *sv = arg;
	const char *q = strstr(rq->target, "query=");

	buf_printf(&sv->seen, "%s %s\n", rq->method, q ? q + 6 : rq->target);
	if (sv->unavailable > 0) {
		sv->unavailable--;
		buf_adds(resp, "Code: 202. DB::Exception: Too many "
		               "simultaneous queries.");
		return 503;
	}
	if (strstr(rq->target, "system.tables"))
		buf_adds(resp, sv->key);
	if (strstr(rq->target, "system.columns"))
		buf_adds(resp, sv->columns);
	return 200;
}

/* A shipper, its client and the stand-in for ClickHouse, running. */
struct rig {
	struct http *h;
	struct fakehttp f;
	struct server sv;
	struct shipper s;
	struct seen seen;
	struct buf why;
};

static void
rig_start(struct rig *g, unsigned retries)
{
	memset(&g->sv, 0, sizeof(g->sv));
	buf_init(&g->sv.seen, BUF_UNLIMITED);
	buf_init(&g->why, BUF_UNLIMITED);
	g->sv.key = "ReplacingMergeTree\tsource, record_hash\n";
	g->sv.columns = "source\tString\nrecord_hash\tFixedString(64)\n"
	                "file\tString\nline\tUInt64\nimported_at\tDateTime\n"
	                "record\tString\n";
	CHECK(fakehttp_start(&g->f, answer, &g->sv) == 0);
	g->h = client_retrying(retries);
	setup(&g->s, g->h, &g->seen, 1, 1, 1 << 20, 100);
}

/* Stops the shipper, its client and the server: sv may be read then. */
static void
rig_stop(struct rig *g)
{
	shipper_release(&g->s);
	http_free(g->h);
	fakehttp_stop(&g->f);
}

static void
rig_release(struct rig *g)
{
	buf_release(&g->sv.seen);
	buf_release(&g->why);
	buf_release(&g->seen.rows);
	buf_release(&g->seen.why);
}

TEST(own_call_retried_then_taken)
{
	struct http_call c;
	struct rig g;

	rig_start(&g, 2);
	g.sv.unavailable = 1;
	http_call_init(&c);
	c.method = "POST";
	c.idempotent = 0; /* the shipper's verdict retries it, not the client */
	buf_printf(&c.url, "%s/?query=SELECT%%201", g.f.url);
	CHECK(shipper_call(&g.s, &c, &g.why) == 0);
	CHECK(c.status == 200 && g.s.retries == 1 && g.s.stopped == 0);
	http_call_release(&c);
	rig_stop(&g);
	CHECK_STR(g.sv.seen.data, "POST SELECT 1\nPOST SELECT 1\n");
	rig_release(&g);
}

TEST(create_table_made_and_key_checked)
{
	struct rig g;

	rig_start(&g, 0);
	CHECK(shipper_create_table(&g.s, "db.t", g.f.url, &g.why) == 0);
	CHECK(g.s.stopped == 0 && g.why.len == 0);
	rig_stop(&g);
	CHECK(strncmp(g.sv.seen.data, "POST CREATE TABLE IF NOT EXISTS db.t (",
	          38) == 0);
	CHECK(strstr(g.sv.seen.data,
	          "\nPOST SELECT engine, sorting_key FROM system.tables WHERE "
	          "database = 'db' AND name = 't' FORMAT TSV\n") != NULL);
	CHECK(strstr(g.sv.seen.data,
	          "\nPOST SELECT name, type FROM system.columns WHERE "
	          "database = 'db' AND table = 't' FORMAT TSV\n") != NULL);
	rig_release(&g);
}

TEST(create_table_other_types_stop)
{
	struct rig g;

	rig_start(&g, 0);
	g.sv.columns = "source\tString\nline\tUInt32\n";
	CHECK(shipper_create_table(&g.s, "t", g.f.url, &g.why) ==
	      EXIT_UNAVAILABLE);
	CHECK_STR(g.why.data, "the table t does not have the columns "
	                      "post-quasar writes: line is UInt32, not UInt64 "
	                      "(see pipelines/sql/quasar-raw.sql)");
	CHECK(g.s.stopped == EXIT_UNAVAILABLE);
	rig_stop(&g);
	rig_release(&g);
}

TEST(create_table_older_key_stops)
{
	struct rig g;

	rig_start(&g, 0);
	g.sv.key = "ReplacingMergeTree\tsource, file, line\n";
	CHECK(shipper_create_table(&g.s, "t", g.f.url, &g.why) ==
	      EXIT_UNAVAILABLE);
	CHECK(strncmp(g.why.data,
	          "the table t is ReplacingMergeTree keyed by (source, file, "
	          "line), not by (source, record_hash): an older post-quasar "
	          "made it",
	          120) == 0);
	CHECK(g.s.stopped == EXIT_UNAVAILABLE);
	CHECK_STR(g.s.stop_why.data, g.why.data);
	/* A batch from now on ends at once, with that reason. */
	CHECK(shipper_add(&g.s, "a\n", 2, "f", 1) == 0);
	CHECK(g.seen.batches == 1 && g.seen.failed == 1);
	CHECK_STR(g.seen.why.data, g.why.data);
	rig_stop(&g);
	rig_release(&g);
}

TEST(create_table_nowhere_stops)
{
	struct rig g;

	rig_start(&g, 0);
	CHECK(shipper_create_table(&g.s, "t", "http://127.0.0.1:1", &g.why) ==
	      EXIT_UNAVAILABLE);
	CHECK(strncmp(g.why.data,
	          "cannot create the table t: Nowhere unavailable: ", 47) == 0);
	CHECK(g.s.stopped == EXIT_UNAVAILABLE);
	CHECK_STR(g.s.stop_why.data, g.why.data);
	rig_stop(&g);
	CHECK(g.sv.seen.len == 0);
	rig_release(&g);
}

TEST(options_default_and_taken)
{
	struct shipper_opts o;

	shipper_opts_init(&o);
	CHECK(o.flight == SHIP_FLIGHT_MAX && o.max_records == 10000);
	CHECK(o.max_bytes == (size_t)8 << 20 && o.interval == 5);
	CHECK(o.url == NULL && o.content_type == NULL && o.what == NULL);
	CHECK(shipper_option(&o, 'b', "250", "S") == 0 && o.max_records == 250);
	CHECK(shipper_option(&o, 'B', "1MiB", "S") == 0 &&
	      o.max_bytes == (size_t)1 << 20);
	CHECK(shipper_option(&o, 'i', "0.5", "S") == 0 && o.interval == 0.5);
	/* Not one of them: left to the next handler. */
	CHECK(shipper_option(&o, 'c', "2", "S") == 1);
	CHECK(shipper_option(&o, 'x', NULL, "S") == 1);
}

TEST(options_refused)
{
	static const struct {
		int ch;
		const char *arg, *msg;
	} bad[] = {
	    {'b', "0", "--batch-records takes a number from 1 to 100000000"},
	    {'b', "100000001", "--batch-records takes a number"},
	    {'b', "-5", "--batch-records takes a number"},
	    {'B', "0", "--batch-bytes takes a size from 1 to 1GiB"},
	    {'B', "2GiB", "--batch-bytes takes a size"},
	    {'B', "lots", "--batch-bytes takes a size"},
	    {'i', "0", "--flush-interval takes seconds, more than 0"},
	    {'i', "-1", "--flush-interval takes seconds"},
	    {'i', "86401", "--flush-interval takes seconds"},
	};
	struct shipper_opts o;
	struct buf err = BUF_INIT;
	size_t i;

	diag_init("post-quasar");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		shipper_opts_init(&o);
		buf_reset(&err);
		CHECK(capture_begin() == 0);
		CHECK(shipper_option(&o, bad[i].ch, bad[i].arg, "SYNOPSIS") ==
		      EXIT_USAGE);
		capture_end(&err);
		if (strstr(err.data, bad[i].msg) == NULL ||
		    strstr(err.data, "SYNOPSIS") == NULL) {
			harness_failed_checks++;
			fprintf(stderr, "%s:%d: -%c %s said: %s\n", __FILE__,
			    __LINE__, bad[i].ch, bad[i].arg, err.data);
		}
		/* What was refused is not taken (--batch-bytes aside: the
		 * stage exits with the usage error). */
		CHECK(o.max_records == 10000 && o.interval == 5);
	}
	buf_release(&err);
}

/* A failed batch, spooled from the callback into the spool of spooling. */
struct spooling {
	const char *dir;
	int rc;
	struct buf err;
};

static void
spool_it(struct ship_batch *b, int status, const char *why, void *arg)
{
	struct spooling *sp = arg;
	struct spool_meta m = {0};

	m.format = "jsoneachrow";
	m.url = "http://127.0.0.1:1";
	m.table = "t";
	m.query = "INSERT INTO t FORMAT JSONEachRow";
	m.reason = (char *)why;
	CHECK(status == EXIT_UNAVAILABLE);
	sp->rc = shipper_spool(b, sp->dir, &m, &sp->err);
	CHECK(m.from == NULL && m.records == 0); /* the caller's, untouched */
}

/* Two rows read at a.ndjson:1 and b.ndjson:7, shipped to nowhere. */
static void
ship_two_rows(struct spooling *sp)
{
	struct http *h = client();
	struct shipper_opts o = {1, 100, 1 << 20, 100, NOWHERE,
	    "application/x-ndjson", "Nowhere", SHIP_GZIP, 0};
	struct shipper s;
	int i;

	shipper_init(&s, h, &o, spool_it, sp);
	CHECK(shipper_add(&s, "r1\n", 3, "a.ndjson", 1) == 0);
	CHECK(shipper_add(&s, "r2\n", 3, "b.ndjson", 7) == 0);
	for (i = 0; i < 200 && shipper_busy(&s); i++) {
		shipper_due(&s, 1);
		http_poll(h, 100);
	}
	shipper_release(&s);
	http_free(h);
}

TEST(a_failed_batch_spooled)
{
	char top[] = "/tmp/sluice-unit-shipper.XXXXXX", dir[64], cmd[128];
	struct spooling sp = {dir, 1, BUF_INIT};
	struct spool_meta got;
	struct buf body = BUF_INIT, rows = BUF_INIT, err = BUF_INIT;
	char **names = NULL;
	size_t n = 0;

	CHECK(mkdtemp(top) != NULL);
	/* The spool is made when it is not there. */
	snprintf(dir, sizeof(dir), "%s/spool", top);
	ship_two_rows(&sp);
	CHECK(sp.rc == 0);
	CHECK(spool_list(dir, &names, &n, NULL, &err) == 0 && n == 1);
	CHECK(n == 1 && spool_load(dir, names[0], &got, &body, &err) == 0);
	if (n == 1) {
		CHECK_STR(got.from, "a.ndjson:1");
		CHECK_STR(got.to, "b.ndjson:7");
		CHECK(got.records == 2 && got.bytes == 6);
		CHECK_STR(got.table, "t");
		CHECK(strncmp(got.reason, "Nowhere unavailable: ", 21) == 0);
		CHECK(gunzip_append(body.data, body.len, &rows) == 0);
		CHECK_STR(rows.data, "r1\nr2\n");
		spool_meta_release(&got);
		free(names[0]);
	}
	free(names);
	/* A spool whose parent is missing is not made (not its parents):
	 * what is lost is said. */
	snprintf(dir, sizeof(dir), "%s/no/such/spool", top);
	ship_two_rows(&sp);
	CHECK(sp.rc < 0);
	CHECK(strstr(sp.err.data,
	          ": its 2 records (a.ndjson:1 to "
	          "b.ndjson:7) are not in the warehouse") != NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	CHECK(system(cmd) == 0);
	buf_release(&sp.err);
	buf_release(&body);
	buf_release(&rows);
	buf_release(&err);
}

int
main(void)
{
	RUN(batches_by_count_all_end_once);
	RUN(keys_kept_with_their_batch);
	RUN(batches_by_bytes);
	RUN(sealed_when_the_interval_is_up);
	RUN(a_full_batch_waiting_takes_the_room);
	RUN(after_a_failure_batches_end_unsent);
	RUN(abort_ends_what_is_in_hand);
	RUN(own_call_retried_then_taken);
	RUN(create_table_made_and_key_checked);
	RUN(create_table_other_types_stop);
	RUN(create_table_older_key_stops);
	RUN(create_table_nowhere_stops);
	RUN(options_default_and_taken);
	RUN(options_refused);
	RUN(a_failed_batch_spooled);
	return harness_done();
}
