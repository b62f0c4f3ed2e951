/* What becomes of post-quasar's batches (shiprun.h). */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "exitcode.h"
#include "quasar.h"
#include "shiprun.h"

void
shiprun_init(struct shiprun *r, const char *spool, const char *replay,
    const struct spool_meta *m)
{
	memset(r, 0, sizeof(*r));
	r->spool = spool;
	r->replay = replay;
	if (m) {
		r->meta = *m;
		r->meta.url = m->url ? quasar_redact(m->url) : NULL;
	}
}

void
shiprun_release(struct shiprun *r)
{
	if (r->seen)
		hashledger_close(r->seen);
	free(r->seen_table);
	free(r->meta.url);
	memset(r, 0, sizeof(*r));
}

void
shiprun_stop(struct shiprun *r, const char *why)
{
	if (r->told++)
		return;
	if (r->replay)
		diag(NULL, 0, "%s; stopping: the batches left stay in %s", why,
		    r->replay);
	else
		diag(NULL, 0, "%s; batches go to the spool %s from now on", why,
		    r->spool);
}

int
shiprun_seen(
    struct shiprun *r, const char *path, const char *table, const char *url)
{
	struct buf label = BUF_INIT, err = BUF_INIT;
	char *bare = quasar_redact(url ? url : "");
	size_t i;
	int rc;

	buf_printf(&label, "post-quasar table=%s url=%s", table, bare);
	for (i = 0; i < label.len; i++) {
		if (label.data[i] < ' ' || label.data[i] > '~')
			label.data[i] = '?';
	}
	if ((rc = hashledger_open(&r->ledger, path, label.data, &err)) != 0) {
		diag(NULL, 0, "%s", err.data);
		rc = hashledger_exitcode(rc);
		hashledger_close(&r->ledger);
	} else {
		r->seen = &r->ledger;
	}
	free(bare);
	buf_release(&label);
	buf_release(&err);
	return rc;
}

void
shiprun_replayed(struct shiprun *r, const char *path,
    const struct ship_batch *b, const struct spool_meta *m, const char *url)
{
	int rc;

	if (m->table == NULL)
		return;
	if (r->seen_table == NULL) {
		r->seen_table = xstrdup(m->table);
		if ((rc = shiprun_seen(r, path, m->table, url ? url : m->url)))
			r->status = exit_worst(r->status, rc);
	}
	if (strcmp(r->seen_table, m->table) == 0)
		shiprun_remember(r, b);
}

void
shiprun_remember(struct shiprun *r, const struct ship_batch *b)
{
	struct buf err = BUF_INIT;

	if (r->seen == NULL || r->seen_broken)
		return;
	if (hashledger_append(r->seen, (const struct hash128 *)b->keys.data,
	        b->keys.len / sizeof(struct hash128), &err) < 0) {
		/* Only the next run pays: it ships these rows again. */
		diag(NULL, 0, "%s: the rows sent from now on are not recorded",
		    err.data);
		r->seen_broken = 1;
		r->status = EXIT_IOERR;
	}
	buf_release(&err);
}

/* Writes a batch that was not delivered to the spool. */
static void
spool(struct shiprun *r, struct ship_batch *b, const char *why)
{
	struct spool_meta m = r->meta;
	struct buf err = BUF_INIT;

	m.reason = (char *)why;
	if (shipper_spool(b, r->spool, &m, &err) < 0) {
		diag(NULL, 0, "cannot spool a batch: %s", err.data);
		r->status = exit_worst(r->status, EXIT_IOERR);
	} else {
		r->rows_spooled += b->records;
		r->batches_spooled++;
	}
	buf_release(&err);
}

void
shiprun_ended(
    struct shiprun *r, struct ship_batch *b, int status, const char *why)
{
	if (status == 0) {
		r->rows_sent += b->records;
		r->batches_sent++;
		shiprun_remember(r, b);
	} else {
		shiprun_stop(r, why);
		spool(r, b, why);
	}
}

unsigned long long
shiprun_retries(const struct shipper *s, const struct http *h)
{
	return s->retries + (h ? http_retries(h) : 0);
}

void
shiprun_summary(struct shiprun *r, const struct shipper *s,
    const struct http *h, const char *what, int create)
{
	diag(NULL, 0,
	    "rows sent=%llu spooled=%llu batches sent=%llu spooled=%llu "
	    "retries=%llu skipped=%llu requests=%llu",
	    r->rows_sent, r->rows_spooled, r->batches_sent, r->batches_spooled,
	    shiprun_retries(s, h), r->skipped, h ? http_requests(h) : 0);
	/* The table may not be there yet on a new warehouse: the command
	 * makes it, as this run would have. */
	if (r->batches_spooled)
		diag(NULL, 0,
		    "%llu records in %llu batches are in the spool %s: send "
		    "them with 'post-quasar --replay %s%s' once %s takes them",
		    r->rows_spooled, r->batches_spooled, r->spool, r->spool,
		    create ? " --create-table" : "", what);
	shiprun_sync(r);
}

void
shiprun_sync(struct shiprun *r)
{
	struct buf err = BUF_INIT;

	if (r->seen && hashledger_sync(r->seen, &err) < 0) {
		diag(NULL, 0, "%s", err.data);
		r->status = EXIT_IOERR;
	}
	buf_release(&err);
}

void
shiprun_replay_told(struct shiprun *r, const struct replay *rp,
    enum replay_event ev, const char *text, const char *seen, const char *url)
{
	switch (ev) {
	case REPLAY_SENT:
		if (seen)
			shiprun_replayed(
			    r, seen, rp->last_batch, rp->last_meta, url);
		r->rows_sent = rp->rows;
		r->batches_sent = rp->sent;
		break;
	case REPLAY_STOPPED:
		shiprun_stop(r, text);
		break;
	case REPLAY_DAMAGED:
		diag(NULL, 0, "%s: left in the spool", text);
		break;
	case REPLAY_UNREMOVED:
		diag(NULL, 0, "%s", text);
		break;
	}
}

int
shiprun_replay(struct shiprun *r, struct replay *rp, const struct http *h,
    const volatile sig_atomic_t *stop)
{
	const char *dir = rp->o.dir;
	struct shipper *ship = rp->ship;
	struct buf err = BUF_INIT;
	size_t left;
	int rc, status;

	if ((rc = replay_open(rp, &err)) == EXIT_NOINPUT) {
		diag(dir, 0, "no such spool directory");
		return rc;
	}
	if (rc != 0) {
		diag(NULL, 0, "%s", err.data);
		status = rc;
	} else {
		replay_run(rp);
		shiprun_sync(r);
		status = exit_worst(rp->status, r->status);
		left = rp->n - (size_t)rp->sent;
		diag(NULL, 0,
		    "replay: batches sent=%llu rows=%llu left=%zu "
		    "requests=%llu",
		    rp->sent, rp->rows, left, http_requests(h));
		if (left)
			diag(NULL, 0,
			    "%zu batches are still in %s: run 'post-quasar "
			    "--replay %s' again",
			    left, dir, dir);
	}
	/* The lock goes now: the spool is another replay's to take. */
	replay_release(rp);
	buf_release(&err);
	if (*stop)
		return 128 + *stop;
	return exit_worst(status, ship->stopped);
}
