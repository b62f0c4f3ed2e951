/* The spooled batches sent again; see replay.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "quasar.h"
#include "replay.h"

static void
told(struct replay *rp, enum replay_event ev, const char *text)
{
	if (rp->o.told)
		rp->o.told(rp->o.arg, ev, text);
}

static void
tick(struct replay *rp)
{
	if (rp->o.tick)
		rp->o.tick(rp->o.arg);
}

static int
stopping(const struct replay *rp)
{
	return rp->o.stop && *rp->o.stop;
}

/* The shipper's callback: stored batches leave the spool. */
static void
ended(struct ship_batch *b, int status, const char *why, void *arg)
{
	struct replay *rp = arg;
	struct replay_slot *sl = &rp->slot[b->index];
	struct buf err = BUF_INIT;

	if (status != 0) {
		told(rp, REPLAY_STOPPED, why);
	} else if (spool_remove(rp->o.dir, sl->name.data, &err) < 0) {
		rp->status = exit_worst(rp->status, EXIT_IOERR);
		told(rp, REPLAY_UNREMOVED, err.data);
	} else {
		rp->rows += sl->meta.records;
		rp->sent++;
		rp->last_batch = b;
		rp->last_meta = &sl->meta;
		told(rp, REPLAY_SENT, sl->name.data);
		rp->last_batch = NULL;
		rp->last_meta = NULL;
	}
	spool_meta_release(&sl->meta);
	buf_release(&err);
	tick(rp);
}

void
replay_init(struct replay *rp, struct shipper *s, struct http *http,
    const struct shipper_opts *so, const struct replay_opts *o)
{
	size_t i;

	memset(rp, 0, sizeof(*rp));
	rp->o = *o;
	rp->ship = s;
	rp->lock = -1;
	for (i = 0; i < SHIP_SLOTS; i++)
		buf_init(&rp->slot[i].name, 4096);
	shipper_init(s, http, so, ended, rp);
}

void
replay_release(struct replay *rp)
{
	size_t i;

	if (rp->ship && rp->lock >= 0)
		close(rp->lock);
	for (i = 0; i < rp->n; i++)
		free(rp->names[i]);
	free(rp->names);
	for (i = 0; i < SHIP_SLOTS; i++) {
		spool_meta_release(&rp->slot[i].meta);
		buf_release(&rp->slot[i].name);
	}
	memset(rp, 0, sizeof(*rp));
}

int
replay_open(struct replay *rp, struct buf *err)
{
	const char *dir = rp->o.dir;

	if (access(dir, F_OK) < 0)
		return EXIT_NOINPUT;
	if ((rp->lock = spool_lock(dir, err)) < 0 ||
	    spool_clean(dir, err) < 0 ||
	    spool_list(dir, &rp->names, &rp->n, NULL, err) < 0)
		return EXIT_IOERR;
	return 0;
}

/* A batch's layout: its sidecar's, raw when it names none it knows. */
static enum qlayout
layout_of(const struct spool_meta *m)
{
	int l = m->layout ? qlayout_parse(m->layout) : QLAYOUT_RAW;

	return l < 0 ? QLAYOUT_RAW : (enum qlayout)l;
}

/* The --seen keys of a batch's rows (body unpacked). 0 or -1. */
static int
batch_keys(const struct spool_meta *m, const struct buf *rows, struct buf *keys)
{
	if (strcmp(m->format, "rowbinary") == 0)
		return quasar_rowbin_keys(rows, keys);
	return quasar_row_keys_layout(rows, layout_of(m), keys);
}

/* Loads a spooled batch and sends it. 0, or -1 (told: damaged). */
static int
send_one(struct replay *rp, const char *name)
{
	struct ship_batch *b = shipper_free_batch(rp->ship);
	struct replay_slot *sl = &rp->slot[b->index];
	struct buf err = BUF_INIT, why = BUF_INIT, rows = BUF_INIT;
	enum ship_codec codec;
	const char *base;
	int rc = -1;

	if (spool_load(rp->o.dir, name, &sl->meta, &b->call.body, &err) < 0)
		goto out;
	buf_reset(&sl->name);
	buf_adds(&sl->name, name);
	b->records = sl->meta.records;
	b->bytes = sl->meta.bytes;
	/* An older post-quasar's rows, without their identity: given it. */
	if (sl->meta.version < 2 &&
	    strcmp(sl->meta.format, "jsoneachrow") == 0 &&
	    quasar_upgrade_rows(&b->call.body, &b->bytes, &why) < 0) {
		buf_printf(&err, "%s: %s", name, why.data);
		goto out;
	}
	codec = (enum ship_codec)shipcodec_parse(sl->meta.encoding);
	buf_reset(&b->keys);
	if (rp->o.keys && strcmp(sl->meta.format, "ndjson") != 0 &&
	    (shipcodec_unpack(codec, &b->call.body, &rows, &why) < 0 ||
	        batch_keys(&sl->meta, &rows, &b->keys) < 0))
		buf_reset(&b->keys);
	base = rp->o.url ? rp->o.url : sl->meta.url;
	buf_reset(&b->call.url);
	if (strcmp(sl->meta.format, "ndjson") == 0) {
		buf_adds(&b->call.url, base);
	} else {
		quasar_url(&b->call.url, base, sl->meta.query);
		shipcodec_url(codec, &b->call.url);
	}
	b->call.encoding = shipcodec_encoding(codec);
	shipper_post(rp->ship, b);
	rc = 0;
out:
	if (rc < 0) {
		rp->status = exit_worst(rp->status, EXIT_DATAERR);
		told(rp, REPLAY_DAMAGED, err.data);
		spool_meta_release(&sl->meta);
	}
	buf_release(&err);
	buf_release(&why);
	buf_release(&rows);
	return rc;
}

/*
 * --create-table: the tables of the batches, before any is sent. The
 * batches of one run name one table, so a table is made where the list
 * changes from one to another, not for every batch.
 */
static void
make_tables(struct replay *rp)
{
	struct spool_meta m, prev = {0};
	struct buf err = BUF_INIT, why = BUF_INIT;
	size_t i;

	for (i = 0; i < rp->n && !rp->ship->stopped; i++) {
		if (spool_load(rp->o.dir, rp->names[i], &m, NULL, &err) == 0 &&
		    m.table &&
		    (prev.table == NULL || strcmp(prev.table, m.table) != 0)) {
			if (shipper_create_table_ddl(rp->ship, m.table, m.ddl,
			        rp->o.url ? rp->o.url : m.url, &why) != 0)
				told(rp, REPLAY_STOPPED, why.data);
			spool_meta_release(&prev);
			prev = m;
		} else {
			spool_meta_release(&m);
		}
	}
	spool_meta_release(&prev);
	buf_release(&err);
	buf_release(&why);
}

void
replay_run(struct replay *rp)
{
	struct shipper *s = rp->ship;
	size_t i = 0;

	if (rp->o.create)
		make_tables(rp);
	for (;;) {
		while (!s->stopped && !stopping(rp) && i < rp->n &&
		       s->sending < s->o.flight)
			send_one(rp, rp->names[i++]);
		if (!s->sending && (i >= rp->n || s->stopped || stopping(rp)))
			break;
		http_poll(s->http, 1000);
		tick(rp);
	}
}
