/* The delivery stages' loop; see deliver.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "deliver.h"
#include "diag.h"
#include "exitcode.h"
#include "redact.h"

#define FEED_QUEUE 256 /* lines read ahead by the reader thread */
#define STOP_WHY 1024  /* the longest reason a stop keeps */

void
deliver_opts_init(struct deliver_opts *o)
{
	memset(o, 0, sizeof(*o));
	http_opts_default(&o->http);
}

size_t
deliver_window(const struct deliver_opts *o)
{
	size_t n =
	    o->http.adaptive ? o->http.concurrency_max : o->http.concurrency;

	return n * 16 < 256 ? 256 : n * 16;
}

int
deliver_option(
    struct deliver_opts *o, int ch, const char *arg, const char *synopsis)
{
	unsigned long long n;
	double t;

	switch (ch) {
	case 'c':
		if (strcmp(arg, "auto") == 0) {
			o->http.adaptive = 1;
			return 0;
		}
		if (cli_uint(arg, 1024, &n) < 0 || n == 0)
			return cli_usage_error(synopsis,
			    "--concurrency takes auto or a number from 1 to "
			    "1024");
		o->http.adaptive = 0;
		o->http.concurrency = (unsigned)n;
		return 0;
	case 'P':
		if (cli_uint(arg, 1024, &n) < 0 || n == 0)
			return cli_usage_error(synopsis,
			    "--concurrency-max takes a number from 1 to 1024");
		o->http.concurrency_max = (unsigned)n;
		return 0;
	case 'N':
		if (cli_uint(arg, 100, &n) < 0)
			return cli_usage_error(
			    synopsis, "--retries takes a number from 0 to 100");
		o->http.retries = (unsigned)n;
		return 0;
	case 'M':
	case 'T':
	case 'O':
		if (cli_seconds(arg, &t) < 0)
			return cli_usage_error(
			    synopsis, "bad number of seconds '%s'", arg);
		if (ch == 'M')
			o->http.retry_max_time = t;
		else if (ch == 'T')
			o->http.timeout_ms = (long)(t * 1000);
		else
			o->http.connect_timeout_ms = (long)(t * 1000);
		return 0;
	case 'A':
		o->http.cacert = arg;
		return 0;
	case 'f':
		o->secret_file = arg;
		return 0;
	case 'U':
		o->url = arg;
		return 0;
	case 'n':
		o->dry_run = 1;
		return 0;
	}
	return 1;
}

/* Says what is wrong with a URL (from: where it came from). 0 or 64. */
static int
check_url(const char *url, const char *from)
{
	struct buf why = BUF_INIT;
	int rc = 0;

	if (http_check_url(url, &why) < 0) {
		diag(NULL, 0, "bad URL in %s: %s", from, why.data);
		rc = EXIT_USAGE;
	}
	buf_release(&why);
	return rc;
}

int
deliver_check(const struct deliver_opts *o, const char *url, const char *from)
{
	struct buf why = BUF_INIT;
	int rc;

	if (url && (rc = check_url(url, from)) != 0)
		return rc;
	if (o->http.cacert && http_check_cacert(o->http.cacert, &why) < 0) {
		diag(NULL, 0, "bad --cacert: %s", why.data);
		buf_release(&why);
		return EXIT_USAGE;
	}
	return 0;
}

int
deliver_url(const struct deliver_opts *o, const char *url_var, const char **url)
{
	*url = o->url ? o->url : cli_env(url_var);
	if (*url == NULL && !o->dry_run) {
		diag(NULL, 0, "no service: set %s or use --url URL", url_var);
		return EXIT_USAGE;
	}
	return deliver_check(o, *url, o->url ? "--url" : url_var);
}

int
deliver_configure(struct deliver_opts *o, const char *url_var, const char **url,
    struct oauth *oauth)
{
	const char *ns = cli_env("NORTHSTAR_URL");
	const char *id = cli_env("NORTHSTAR_CLIENT_ID");
	struct buf err = BUF_INIT;
	char *secret;
	int rc;

	if ((rc = deliver_url(o, url_var, url)) != 0)
		return rc;
	if (o->dry_run) {
		/* Without a service, the requests are written with paths. */
		if (*url == NULL)
			*url = "";
		return 0;
	}
	if (ns == NULL || id == NULL) {
		diag(NULL, 0, "no OAuth client: set %s",
		    ns == NULL && id == NULL ? "NORTHSTAR_URL and "
		                               "NORTHSTAR_CLIENT_ID"
		    : ns == NULL             ? "NORTHSTAR_URL"
		                             : "NORTHSTAR_CLIENT_ID");
		return EXIT_USAGE;
	}
	if ((rc = check_url(ns, "NORTHSTAR_URL")) != 0)
		return rc;
	if ((secret = oauth_read_secret(o->secret_file, &err)) == NULL) {
		diag(NULL, 0, "%s", err.data);
		buf_release(&err);
		return EXIT_USAGE;
	}
	oauth_init(oauth, ns, id, secret, NULL);
	redact_wipe(secret, strlen(secret));
	free(secret);
	buf_release(&err);
	return 0;
}

void
deliver_init(struct deliver *d, struct stage *st, const struct deliver_ops *ops,
    void *ctx, size_t window)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	d->st = st;
	d->ops = ops;
	d->ctx = ctx;
	d->cap = window ? window : 1;
	d->ring = xcalloc(d->cap, sizeof(*d->ring));
	for (i = 0; i < d->cap; i++) {
		buf_init(&d->ring[i].why, 4096);
		http_call_init(&d->ring[i].call);
		d->ring[i].d = d;
	}
	buf_init(&d->stop_why, 4096);
}

int
deliver_connect(
    struct deliver *d, const struct http_opts *o, struct oauth *oauth)
{
	struct buf err = BUF_INIT;

	d->http = http_new(o, oauth, &err);
	if (d->http == NULL) {
		diag(NULL, 0, "%s", err.data);
		buf_release(&err);
		return EXIT_UNAVAILABLE;
	}
	buf_release(&err);
	return 0;
}

void
deliver_release(struct deliver *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		json_decref(deliver_job(d, i)->rec);
	http_free(d->http);
	for (i = 0; i < d->cap; i++) {
		buf_release(&d->ring[i].why);
		http_call_release(&d->ring[i].call);
	}
	free(d->ring);
	buf_release(&d->stop_why);
	memset(d, 0, sizeof(*d));
}

struct job *
deliver_job(struct deliver *d, size_t i)
{
	return &d->ring[(d->head + i) % d->cap];
}

void
deliver_stop(struct deliver *d, int status, const char *fmt, ...)
{
	struct buf why = BUF_INIT;
	va_list ap;

	d->stopped = exit_worst(d->stopped, status);
	if (d->stop_why.len)
		return;
	va_start(ap, fmt);
	buf_vprintf(&why, fmt, ap);
	va_end(ap);
	/* Scrubbed whole, then cut: a cut first could halve a secret. */
	redact_buf(&why);
	buf_reset(&d->stop_why);
	buf_add(&d->stop_why, why.data ? why.data : "",
	    why.len < STOP_WHY ? why.len : STOP_WHY);
	buf_release(&why);
	diag(NULL, 0, "%s; stopping: records not delivered are rejected",
	    d->stop_why.data);
	/* No request starts from now on: those not on the wire end. */
	if (d->http)
		http_cancel(d->http);
}

int
deliver_failed(struct deliver *d, const struct http_call *c, const char *what)
{
	struct buf msg = BUF_INIT;
	int status;

	/* Cancelled by a stop: that stop's status and reason stand. */
	if (c->result == HTTP_CANCELLED)
		return d->stopped;
	status = http_failure(c, what, NULL, &msg);
	deliver_stop(d, status, "%s", msg.data);
	buf_release(&msg);
	return status;
}

void
job_finish(struct job *j)
{
	j->done = 1;
}

void
job_drop(struct job *j, const char *rule)
{
	j->drop = rule;
	j->done = 1;
}

void
job_meta(struct job *j, const char *name, json_t *v)
{
	json_t *meta = json_object_get(j->rec, "_meta");

	if (!json_is_object(meta)) {
		meta = json_object();
		json_object_set_new(j->rec, "_meta", meta);
	}
	json_object_set_new(meta, name, v);
}

void
job_vreject(struct job *j, const char *fmt, va_list ap)
{
	buf_reset(&j->why);
	if (buf_vprintf(&j->why, fmt, ap) < 0 || j->why.len == 0) {
		buf_reset(&j->why);
		buf_adds(&j->why, "rejected");
	}
	/* Every delivery reject's reason passes here: the last guard. */
	redact_buf(&j->why);
	j->done = 1;
}

void
job_reject(struct job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	job_vreject(j, fmt, ap);
	va_end(ap);
}

static void
reject_stopped(struct job *j)
{
	job_reject(j, "not delivered: %s", j->d->stop_why.data);
}

void
job_failed(struct job *j, const char *what)
{
	deliver_failed(j->d, &j->call, what);
	reject_stopped(j);
}

void
job_call(struct job *j, double delay)
{
	if (j->d->stopped || j->d->http == NULL) {
		if (!j->d->stopped)
			deliver_stop(j->d, EXIT_UNAVAILABLE, "no network");
		reject_stopped(j);
		return;
	}
	http_start(j->d->http, &j->call, delay);
}

/* stage_line's callback: a record becomes a job at the window's tail. */
static int
accept_record(struct stage *st, json_t *rec, void *arg)
{
	struct deliver *d = arg;
	struct job *j = deliver_job(d, d->n++);

	j->rec = json_incref(rec);
	j->file = st->file;
	j->line = st->line;
	j->done = 0;
	j->drop = NULL;
	j->state = 0;
	j->priv = NULL;
	buf_reset(&j->why);
	j->call.tries = 0;
	if (d->stopped)
		reject_stopped(j);
	else
		d->ops->start(d, j);
	return 0;
}

/* Takes one item of the reader's. */
static void
take(struct deliver *d, struct feed_item *it)
{
	if (it->kind == FEED_ERROR) {
		diag(it->file, it->line, "%s", it->text);
		d->input_status = exit_worst(d->input_status, it->status);
	} else {
		stage_line(d->st, it->file, it->line, it->kind == FEED_TOOLONG,
		    it->text, it->len, accept_record, d);
	}
	free(it->text);
}

/*
 * Whether stdout cannot be written any more: a write failed, or it is a
 * pipe whose reader has gone (POLLERR) or a socket or terminal hung up,
 * which poll() tells before anything is written.
 */
static int
stdout_gone(void)
{
	struct pollfd p = {STDOUT_FILENO, 0, 0};

	if (out_errno())
		return 1;
	return poll(&p, 1, 0) == 1 &&
	       (p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
}

/*
 * stdout is gone (err: the write's errno, or 0 when poll() told): no new
 * request starts, and the records finished from now on, whose deliveries
 * are confirmed (and in the ledger), are rejected as not written. Those
 * already handed to stdout that did not get there are out_lost()'s, and
 * the summary line counts them as unwritten.
 */
static void
out_gone(struct deliver *d, int err)
{
	d->out_closed = 1;
	d->out_errno = err == EPIPE ? 0 : err;
	deliver_stop(d, EXIT_IOERR, "%s%s",
	    d->out_errno ? "write error on stdout: " : "stdout closed",
	    d->out_errno ? strerror(d->out_errno) : "");
}

/* Writes or rejects the finished jobs at the window's head. */
static void
flush(struct deliver *d)
{
	struct stage *st = d->st;
	struct job *j;
	unsigned long long wrote = 0;

	if (!d->out_closed && d->http && stdout_gone())
		out_gone(d, out_errno());
	while (d->n && (j = deliver_job(d, 0))->done) {
		st->file = j->file;
		st->line = j->line;
		if (j->why.len) {
			stage_reject(st, j->rec, "%s", j->why.data);
		} else if (j->drop) {
			stage_drop(st, j->drop, j->rec);
		} else if (d->out_closed) {
			stage_reject(st, j->rec,
			    "delivered, but not written: stdout was closed");
			d->unwritten++;
		} else {
			stage_emit(st, j->rec);
			wrote++;
		}
		d->ops->release(d, j);
		json_decref(j->rec);
		j->rec = NULL;
		d->head = (d->head + 1) % d->cap;
		d->n--;
		progress_tick(&st->prog);
	}
	/* Out at once, so that a write error is seen before more requests
	 * start. */
	if (wrote && d->http && !d->out_closed && out_sync() < 0)
		out_gone(d, out_errno());
}

/* After a stop, once nothing is on the wire: reject what is left. */
static void
reject_rest(struct deliver *d)
{
	size_t i;
	struct job *j;

	for (i = 0; i < d->n; i++) {
		j = deliver_job(d, i);
		if (!j->done)
			reject_stopped(j);
	}
}

static void
wake(void *arg)
{
	struct deliver *d = arg;

	if (d->http)
		http_wakeup(d->http);
}

/* With --concurrency auto: the limit it came to, on stderr. */
static void
pace_summary(const struct aimd *a)
{
	diag(NULL, 0,
	    "concurrency auto: settled at %u in flight (%.1f on average; "
	    "%llu up, %llu down, %llu on 429 or 503; at most %u)",
	    aimd_limit(a), aimd_mean_limit(a, http_now()), a->ups, a->downs,
	    a->pushbacks, a->max);
}

/* How long a turn may wait: less when the stage wants a turn sooner. */
static int
poll_ms(const struct deliver *d, int ended)
{
	int ms = d->n < d->cap && !ended ? 250 : 1000;
	double until = (d->wake_at - http_now()) * 1000 + 1;

	if (d->wake_at > 0 && until < ms)
		ms = until < 1 ? 1 : (int)until;
	return ms;
}

int
deliver_run(struct deliver *d, int nfiles, char **files)
{
	struct feed_item it;
	int got = 0, ended = 0;

	/* A reader that goes away must not kill the stage with deliveries on
	 * the wire: their confirmations still go to the ledger (see flush).
	 * A dry run sends nothing and ends quietly, as a filter does. */
	if (d->http)
		signal(SIGPIPE, SIG_IGN);
	if (feed_start(&d->feed, nfiles, files, d->st->max_line, FEED_QUEUE,
	        wake, d) < 0) {
		diag(NULL, 0, "cannot start the reader thread");
		return EXIT_IOERR;
	}
	for (;;) {
		while (d->n < d->cap &&
		       (got = d->http ? feed_take(&d->feed, &it)
		                      : feed_wait(&d->feed, &it)) == 1)
			take(d, &it);
		ended = d->input_ended = got < 0;
		if (!d->stopped && d->ops->advance)
			d->ops->advance(d);
		if (d->stopped && (d->http == NULL || !http_pending(d->http)))
			reject_rest(d);
		flush(d);
		if (ended && d->n == 0 &&
		    (d->http == NULL || !http_pending(d->http)))
			break;
		if (d->http) {
			http_poll(d->http, poll_ms(d, ended));
			d->st->prog.retries = http_retries(d->http);
			if (http_aimd(d->http))
				d->st->prog.concurrency =
				    aimd_limit(http_aimd(d->http));
			flush(d);
			progress_update(&d->st->prog, 0);
		}
	}
	feed_release(&d->feed);
	if (d->http && http_aimd(d->http))
		pace_summary(http_aimd(d->http));
	if (d->out_closed)
		diag(NULL, 0, "%s%s: %llu records delivered but not written",
		    d->out_errno ? "write error on stdout: " : "stdout closed",
		    d->out_errno ? strerror(d->out_errno) : "",
		    d->unwritten + out_lost());
	return exit_worst(d->input_status, d->stopped);
}
