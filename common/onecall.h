/*
 * One request at a time, waited for to its end: for a stage that asks a
 * service one question after another (fetch-rtv: create a report, ask for
 * its status, download it), where the delivery stages keep many calls in
 * flight (deliver.h). The wait can have a time limit, ends early when the
 * stage's signal handler sets the stop flag, and a download's body can go
 * to a whole file (wholefile.h) instead of memory.
 *
 *	struct onecall o;
 *	onecall_init(&o, &interrupted);
 *	onecall_connect(&o, &http_opts, &err);
 *	url_join(&o.call.url, ...); http_set_json(&o.call, ...);
 *	rc = onecall_run(&o, "POST", 0, limit);   (then o.call.result ...)
 *	onecall_release(&o);
 *
 * Nothing here prints.
 */
#ifndef ONECALL_H
#define ONECALL_H

#include <signal.h>

#include "buf.h"
#include "http.h"
#include "progress.h"
#include "wholefile.h"

/* What onecall_run() and onecall_download() return. */
enum onecall_wait {
	ONECALL_ENDED,  /* the call ended: see call.result */
	ONECALL_LATE,   /* the limit came first; the call is still out */
	ONECALL_STOPPED /* the stop flag was set; the call is still out */
};

struct onecall {
	struct http *http;     /* the client (onecall_connect), owned */
	struct http_call call; /* the request, set by the caller (http.h) */
	const volatile sig_atomic_t *stop; /* borrowed: not 0 stops */
	int ended;                         /* the call has ended */
	/* onecall_download()'s */
	struct wholefile *file;
	struct progress *prog;
	unsigned try; /* the try the file holds the body of */
};

/*
 * Sets o up: the call empty (http_call_init) with its done callback;
 * stop (borrowed, may be NULL) is the flag a signal handler sets. No
 * client yet.
 */
void onecall_init(struct onecall *o, const volatile sig_atomic_t *stop);

/* Makes the client (http_new, no OAuth). 0, or -1 with the reason in err. */
int onecall_connect(
    struct onecall *o, const struct http_opts *opts, struct buf *err);

/*
 * Sends the call with method after delay seconds, afresh (a retry budget
 * of its own: tries counted from 0), and waits until it ends, at most
 * until limit on http_now()'s clock (0: no limit). Whatever it returns,
 * what the call sent (url and body, which may hold a key) is wiped then.
 */
enum onecall_wait onecall_run(
    struct onecall *o, const char *method, double delay, double limit);

/*
 * onecall_run() of a GET with no limit, the body of a 2xx answer written
 * to w (opened) as it comes, from its start again at each try, instead of
 * held in call.resp; the bytes written shown on prog (may be NULL). A
 * write that fails stops the call, which ends HTTP_UNAVAILABLE, with the
 * failure in w->err and w->where.
 */
enum onecall_wait onecall_download(
    struct onecall *o, struct wholefile *w, struct progress *prog);

/* Frees the client (a call still out is dropped) and the call. */
void onecall_release(struct onecall *o);

#endif
