/* One request at a time; see onecall.h. */
#include <string.h>

#include "onecall.h"

static void
ended(struct http_call *c)
{
	((struct onecall *)c->arg)->ended = 1;
}

void
onecall_init(struct onecall *o, const volatile sig_atomic_t *stop)
{
	memset(o, 0, sizeof(*o));
	http_call_init(&o->call);
	o->call.done = ended;
	o->call.arg = o;
	o->stop = stop;
}

int
onecall_connect(
    struct onecall *o, const struct http_opts *opts, struct buf *err)
{
	o->http = http_new(opts, NULL, err);
	return o->http ? 0 : -1;
}

/* Waits for the call's end, at most until limit (0: none). */
static enum onecall_wait
wait_end(struct onecall *o, double limit)
{
	double left;
	int ms;

	while (!o->ended) {
		if (o->stop && *o->stop)
			return ONECALL_STOPPED;
		ms = 1000;
		if (limit > 0) {
			left = limit - http_now();
			if (left <= 0)
				return ONECALL_LATE;
			if (left * 1000 < ms)
				ms = (int)(left * 1000) + 1;
		}
		http_poll(o->http, ms);
	}
	return ONECALL_ENDED;
}

/* Wipes what the call sent (a key, in the body or the query). */
static void
wipe(struct http_call *c)
{
	if (c->body.data)
		memset(c->body.data, 0, c->body.len);
	buf_reset(&c->body);
	if (c->url.data)
		memset(c->url.data, 0, c->url.len);
	buf_reset(&c->url);
}

enum onecall_wait
onecall_run(struct onecall *o, const char *method, double delay, double limit)
{
	enum onecall_wait rc;

	o->ended = 0;
	o->call.tries = 0;
	o->call.retries_seen = 0;
	o->call.method = method;
	http_start(o->http, &o->call, delay);
	rc = wait_end(o, limit);
	wipe(&o->call);
	return rc;
}

/* Takes the body's bytes as they come (http.h's sink). */
static int
sink(struct http_call *c, const char *p, size_t n)
{
	struct onecall *o = c->arg;

	/* A new try sends the body from its start again. */
	if (c->tries != o->try) {
		o->try = c->tries;
		if (wholefile_restart(o->file) < 0)
			return -1;
	}
	if (wholefile_write(o->file, p, n) < 0)
		return -1;
	if (o->prog) {
		o->prog->done = o->file->bytes;
		progress_update(o->prog, 0);
	}
	return 0;
}

enum onecall_wait
onecall_download(struct onecall *o, struct wholefile *w, struct progress *prog)
{
	enum onecall_wait rc;

	o->file = w;
	o->prog = prog;
	o->try = 0;
	o->call.sink = sink;
	rc = onecall_run(o, "GET", 0, 0);
	o->call.sink = NULL;
	o->file = NULL;
	o->prog = NULL;
	return rc;
}

void
onecall_release(struct onecall *o)
{
	http_free(o->http);
	o->http = NULL;
	http_call_release(&o->call);
}
