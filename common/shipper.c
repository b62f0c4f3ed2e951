/* Rows shipped to the warehouse in compressed batches; see shipper.h. */
#include <string.h>

#include "cli.h"
#include "exitcode.h"
#include "quasar.h"
#include "shipper.h"

static void batch_done(struct http_call *c);

void
shipper_opts_init(struct shipper_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->flight = SHIP_FLIGHT_MAX;
	o->max_records = 10000;
	o->max_bytes = (size_t)8 << 20;
	o->interval = 5;
}

int
shipper_option(
    struct shipper_opts *o, int ch, const char *arg, const char *synopsis)
{
	unsigned long long n;
	double t;
	int codec;

	switch (ch) {
	case 'b':
		if (cli_uint(arg, 100000000, &n) < 0 || n == 0)
			return cli_usage_error(synopsis,
			    "--batch-records takes a number from 1 to "
			    "100000000");
		o->max_records = n;
		return 0;
	case 'B':
		if (cli_size(arg, &o->max_bytes) < 0 || o->max_bytes == 0 ||
		    o->max_bytes > ((size_t)1 << 30))
			return cli_usage_error(synopsis,
			    "--batch-bytes takes a size from 1 to 1GiB");
		return 0;
	case 'i':
		if (cli_seconds(arg, &t) < 0 || t == 0)
			return cli_usage_error(synopsis,
			    "--flush-interval takes seconds, more than 0");
		o->interval = t;
		return 0;
	case 'z':
		if ((codec = shipcodec_parse(arg)) < 0)
			return cli_usage_error(
			    synopsis, "--compress takes gzip or lz4");
		o->codec = (enum ship_codec)codec;
		o->codec_given = 1;
		return 0;
	}
	return 1;
}

void
shipper_init(struct shipper *s, struct http *http, const struct shipper_opts *o,
    void (*ended)(struct ship_batch *, int, const char *, void *), void *arg)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->o = *o;
	if (s->o.flight < 1 || s->o.flight > SHIP_FLIGHT_MAX)
		s->o.flight = SHIP_FLIGHT_MAX;
	s->http = http;
	s->ended = ended;
	s->arg = arg;
	shipcodec_init(&s->codec, o->codec);
	buf_init(&s->plain, BUF_UNLIMITED);
	buf_init(&s->stop_why, 4096);
	for (i = 0; i < SHIP_SLOTS; i++) {
		struct ship_batch *b = &s->slot[i];

		http_call_init(&b->call);
		b->call.method = "POST";
		b->call.idempotent = 0; /* shipper_judge() decides */
		b->call.content_type = o->content_type;
		b->call.encoding = shipcodec_encoding(o->codec);
		b->call.done = batch_done;
		b->call.arg = b;
		b->index = i;
		b->s = s;
		buf_init(&b->keys, BUF_UNLIMITED);
	}
}

void
shipper_release(struct shipper *s)
{
	size_t i;

	for (i = 0; i < SHIP_SLOTS; i++) {
		http_call_release(&s->slot[i].call);
		buf_release(&s->slot[i].keys);
	}
	shipcodec_release(&s->codec);
	buf_release(&s->plain);
	buf_release(&s->stop_why);
	memset(s, 0, sizeof(*s));
}

struct ship_batch *
shipper_free_batch(struct shipper *s)
{
	size_t i;

	for (i = 0; i < SHIP_SLOTS; i++) {
		if (s->slot[i].state == SHIP_FREE)
			return &s->slot[i];
	}
	return NULL;
}

int
shipper_room(struct shipper *s)
{
	return s->ready == NULL && (s->filling || shipper_free_batch(s));
}

int
shipper_busy(const struct shipper *s)
{
	return s->filling || s->ready || s->sending;
}

void
shipper_stop(struct shipper *s, int status, const char *why)
{
	s->stopped = exit_worst(s->stopped, status);
	if (s->stop_why.len == 0)
		buf_adds(&s->stop_why, why);
}

/* The batch is through: the stage hears of it, and it is free again. */
static void
end(struct shipper *s, struct ship_batch *b, int status, const char *why)
{
	if (b->state == SHIP_SENDING)
		s->sending--;
	s->ended(b, status, why, s->arg);
	b->state = SHIP_FREE;
	b->records = b->bytes = 0;
	buf_reset(&b->keys);
	buf_reset(&b->call.body);
	buf_reset(&b->call.resp);
}

void
shipper_post(struct shipper *s, struct ship_batch *b)
{
	if (s->stopped) {
		end(s, b, s->stopped, s->stop_why.data);
		return;
	}
	b->state = SHIP_SENDING;
	s->sending++;
	b->call.tries = 0;
	http_start(s->http, &b->call, 0);
}

static int
full(const struct shipper *s, const struct ship_batch *b)
{
	return b->records >= s->o.max_records || b->bytes >= s->o.max_bytes;
}

static int seal(struct shipper *s);

/*
 * Sends the full batch when there is room on the wire; then the open one
 * takes its place if it is full already (a row larger than the maximum
 * filled it at once while the other waited).
 */
static void
dispatch(struct shipper *s)
{
	struct ship_batch *b = s->ready;

	if (b == NULL || (!s->stopped && s->sending >= s->o.flight))
		return;
	s->ready = NULL;
	buf_reset(&b->call.url);
	buf_adds(&b->call.url, s->o.url);
	shipper_post(s, b);
	if (s->filling && full(s, s->filling))
		seal(s);
}

int
shipper_judge(struct shipper *s, struct http_call *c, struct buf *why)
{
	enum quasar_verdict v = c->status == 0 ? QUASAR_RETRY
	                                       : quasar_verdict(c->status,
	                                             c->resp.data, c->resp.len);
	const char *hint;
	double delay;

	if (v == QUASAR_STORED)
		return 0;
	if (v == QUASAR_RETRY && c->result == HTTP_TRANSIENT && !s->stopped &&
	    (delay = http_backoff(s->http, c)) >= 0) {
		s->retries++;
		http_start(s->http, c, delay);
		return 1;
	}
	buf_reset(why);
	/* No answer: what every delivery stage says of a call that failed. */
	if (c->status == 0)
		return http_failure(c, s->o.what, NULL, why);
	if (v == QUASAR_RETRY)
		buf_printf(why, "%s unavailable: %s", s->o.what,
		    c->err.len ? c->err.data : "no answer");
	else
		buf_printf(why, "%s refused the %s (HTTP %ld)", s->o.what,
		    v == QUASAR_DENIED ? "credentials" : "batch", c->status);
	if (c->status && c->resp.len) {
		buf_adds(why, ": ");
		quasar_message(why, c->resp.data, c->resp.len);
		if ((hint = quasar_hint(c->resp.data, c->resp.len)) != NULL)
			buf_printf(why, " (%s)", hint);
	}
	return v == QUASAR_DENIED ? EXIT_NOPERM : EXIT_UNAVAILABLE;
}

static void
batch_done(struct http_call *c)
{
	struct ship_batch *b = c->arg;
	struct shipper *s = b->s;
	struct buf why = BUF_INIT;
	int rc = shipper_judge(s, c, &why);

	if (rc == 1)
		goto out;
	if (rc != 0)
		shipper_stop(s, rc, why.data);
	end(s, b, rc, rc ? why.data : NULL);
	dispatch(s);
out:
	buf_release(&why);
}

/*
 * The batch being filled is complete (there is none waiting: the caller
 * made sure): its n bytes of rows at p (the plain buffer's, or a row of
 * the caller's) are compressed into its body. 0, or -1 when they could not
 * be.
 */
static int
seal_with(struct shipper *s, const char *p, size_t n)
{
	struct ship_batch *b = s->filling;
	int rc = shipcodec_pack(&s->codec, p, n, &b->call.body);

	/* A batch of one huge row leaves no huge buffer behind it. */
	if (s->plain.cap > 2 * s->o.max_bytes + 65536)
		buf_release(&s->plain);
	else
		buf_reset(&s->plain);

	s->filling = NULL;
	b->state = SHIP_READY;
	s->ready = b;
	dispatch(s);
	return rc;
}

static int
seal(struct shipper *s)
{
	return seal_with(s, s->plain.data, s->plain.len);
}

int
shipper_add(struct shipper *s, const char *row, size_t n, const char *file,
    unsigned long long line)
{
	return shipper_add_keyed(s, row, n, file, line, NULL);
}

int
shipper_add_keyed(struct shipper *s, const char *row, size_t n,
    const char *file, unsigned long long line, const struct hash128 *key)
{
	struct ship_batch *b = s->filling;
	int rc = 0, alone;

	if (b && b->bytes + n > s->o.max_bytes)
		rc = seal(s);
	if ((b = s->filling) == NULL) {
		/* There is one: shipper_room() said so. */
		b = shipper_free_batch(s);
		b->state = SHIP_FILLING;
		b->opened = http_now();
		b->from_file = file;
		b->from_line = line;
		buf_reset(&s->plain);
		s->filling = b;
	}
	/* A row that fills a batch by itself, with no full batch waiting, is
	 * compressed straight from the caller's buffer below: a huge row is not
	 * copied whole first. */
	alone = s->plain.len == 0 && s->ready == NULL &&
	        (n >= s->o.max_bytes || s->o.max_records <= 1);
	if (!alone && buf_add(&s->plain, row, n) < 0)
		rc = -1;
	if (key)
		buf_add(&b->keys, (const char *)key, sizeof(*key));
	b->records++;
	b->bytes += n;
	b->to_file = file;
	b->to_line = line;
	/* When a full batch waits already, this one is sealed as soon as
	 * that one goes out (dispatch), and meanwhile there is no room. */
	if (alone)
		rc = seal_with(s, row, n) < 0 ? -1 : rc;
	else if (full(s, b) && s->ready == NULL && seal(s) < 0)
		rc = -1;
	return rc;
}

int
shipper_due(struct shipper *s, int force)
{
	if (s->filling == NULL || s->ready ||
	    (!force && http_now() - s->filling->opened < s->o.interval))
		return 0;
	return seal(s);
}

int
shipper_wait_ms(const struct shipper *s, int max)
{
	double left;

	if (s->filling == NULL || s->ready)
		return max;
	left = s->filling->opened + s->o.interval - http_now();
	if (left <= 0)
		return 0;
	return left * 1000 < max ? (int)(left * 1000) + 1 : max;
}

void
shipper_abort(struct shipper *s, int status, const char *why)
{
	size_t i;

	shipper_stop(s, status, why);
	/* Stopped, the full batch and then the open one end at once. */
	dispatch(s);
	if (s->filling)
		seal(s);
	for (i = 0; i < SHIP_SLOTS; i++) {
		if (s->slot[i].state == SHIP_SENDING)
			end(s, &s->slot[i], s->stopped, s->stop_why.data);
	}
}

static void
call_done(struct http_call *c)
{
	struct shipper *s = c->arg;

	s->call_done = 1;
}

int
shipper_call(struct shipper *s, struct http_call *c, struct buf *why)
{
	int rc;

	c->done = call_done;
	c->arg = s;
	c->tries = 0;
	s->call_done = 0;
	http_start(s->http, c, 0);
	for (;;) {
		while (!s->call_done)
			http_poll(s->http, 1000);
		s->call_done = 0;
		if ((rc = shipper_judge(s, c, why)) != 1)
			return rc;
	}
}

/*
 * Runs sql on the server at base, the answer in c->resp. Returns 0, or
 * the exit status of a failure with "cannot DOING: why" in why.
 */
static int
query(struct shipper *s, struct http_call *c, const char *base, const char *sql,
    const char *doing, struct buf *why)
{
	struct buf fail = BUF_INIT;
	int rc;

	c->method = "POST";
	c->idempotent = 0;
	buf_reset(&c->url);
	quasar_url(&c->url, base, sql);
	if ((rc = shipper_call(s, c, &fail)) != 0) {
		buf_reset(why);
		buf_printf(why, "cannot %s: %s", doing, fail.data);
	}
	buf_release(&fail);
	return rc;
}

/*
 * A Distributed table's key is its shards' tables': their engines and
 * keys into c->resp (a line per distinct answer). 0, or an exit status
 * with why.
 */
static int
shards_key(struct shipper *s, struct http_call *c, const char *table,
    const char *base, struct buf *why)
{
	struct buf sql = BUF_INIT;
	int rc;

	quasar_engine_query(&sql, table);
	if ((rc = query(
	         s, c, base, sql.data, "read the table's engine", why)) != 0)
		goto out;
	buf_reset(&sql);
	if (quasar_shards_query(&sql, c->resp.data, c->resp.len) < 0) {
		buf_reset(why);
		buf_printf(why,
		    "the table %s is Distributed over a table post-quasar "
		    "cannot name (%.*s): make the shards' tables with "
		    "pipelines/sql/quasar-raw.sql and leave --create-table "
		    "out",
		    table, (int)(c->resp.len > 200 ? 200 : c->resp.len),
		    c->resp.data);
		rc = EXIT_UNAVAILABLE;
		goto out;
	}
	if ((rc = query(s, c, base, sql.data, "read the shards' table keys",
	         why)) != 0)
		goto out;
	if (c->resp.len == 0) {
		buf_reset(why);
		buf_printf(why,
		    "the table %s is Distributed, and no shard has the table "
		    "it names: make it on each (post-quasar --table NAME "
		    "--create-table --url SHARD < /dev/null)",
		    table);
		rc = EXIT_UNAVAILABLE;
	}
out:
	buf_release(&sql);
	return rc;
}

int
shipper_create_table(
    struct shipper *s, const char *table, const char *base, struct buf *why)
{
	return shipper_create_table_ddl(s, table, NULL, base, why);
}

int
shipper_create_table_ddl(struct shipper *s, const char *table, const char *ddl,
    const char *base, struct buf *why)
{
	struct http_call c;
	struct buf sql = BUF_INIT, doing = BUF_INIT, what = BUF_INIT;
	int rc;

	http_call_init(&c);
	if (ddl)
		buf_adds(&sql, ddl);
	else
		quasar_ddl(&sql, table);
	buf_printf(&doing, "create the table %s", table);
	if ((rc = query(s, &c, base, sql.data, doing.data, why)) != 0 || ddl)
		goto out;
	/* CREATE TABLE IF NOT EXISTS leaves an older table as it is. */
	buf_reset(&sql);
	quasar_key_query(&sql, table);
	if ((rc = query(s, &c, base, sql.data, "read the table's key", why)) !=
	    0)
		goto out;
	if (quasar_distributed(c.resp.data, c.resp.len)) {
		if ((rc = shards_key(s, &c, table, base, why)) != 0)
			goto out;
		buf_adds(&what, "Distributed over tables ");
	}
	if (quasar_key_check(c.resp.data, c.resp.len, &what) < 0) {
		buf_reset(why);
		buf_printf(why,
		    "the table %s is %s, not by (source, record_hash): an "
		    "older post-quasar made it, and it would store a record "
		    "again under every new file name; rename it and let "
		    "--create-table make the table anew (see "
		    "pipelines/sql/quasar-raw.sql)",
		    table, what.data);
		rc = EXIT_UNAVAILABLE;
		goto out;
	}
	/* RowBinary rows are read by the table's types: none may differ. */
	buf_reset(&sql);
	quasar_columns_query(&sql, table);
	if ((rc = query(
	         s, &c, base, sql.data, "read the table's columns", why)) != 0)
		goto out;
	buf_reset(&what);
	if (quasar_columns_check(c.resp.data, c.resp.len, &what) < 0) {
		buf_reset(why);
		buf_printf(why,
		    "the table %s does not have the columns post-quasar "
		    "writes: %s (see pipelines/sql/quasar-raw.sql)",
		    table, what.data);
		rc = EXIT_UNAVAILABLE;
	}
out:
	if (rc != 0)
		shipper_stop(s, rc, why->data);
	http_call_release(&c);
	buf_release(&sql);
	buf_release(&doing);
	buf_release(&what);
	return rc;
}

/* "FILE:LINE" into out (replaced). */
static char *
place(struct buf *out, const char *file, unsigned long long line)
{
	buf_reset(out);
	buf_printf(out, "%s:%llu", file ? file : "-", line);
	return out->data;
}

int
shipper_spool(const struct ship_batch *b, const char *dir,
    const struct spool_meta *m, struct buf *err)
{
	struct spool_meta sm = *m;
	struct buf from = BUF_INIT, to = BUF_INIT;
	int rc = 0;

	sm.from = place(&from, b->from_file, b->from_line);
	sm.to = place(&to, b->to_file, b->to_line);
	sm.records = b->records;
	sm.bytes = b->bytes;
	if (spool_mkdir(dir, err) < 0 || spool_put(dir, &sm, b->call.body.data,
	                                     b->call.body.len, NULL, err) < 0) {
		buf_printf(err,
		    ": its %llu records (%s to %s) are not in the warehouse",
		    b->records, sm.from, sm.to);
		rc = -1;
	}
	buf_release(&from);
	buf_release(&to);
	return rc;
}
