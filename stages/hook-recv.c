/*
 * hook-recv: partners' webhooks received, made durable, then answered.
 *
 * One process, an HTTP/1.1 server on GNU libmicrohttpd. Its routes come
 * from the vendor files that have a "receive" section (hookroute.h): the
 * path, methods and content types, the key headers and the signature, the
 * fields and their types. A request goes through, in order: the route
 * (404), the method (405), the connection cap (503), the content type
 * (415), a declared length over --max-body (413, before the body is read),
 * the key (401), the body as it arrives (413 past the limit; cut off past
 * --request-timeout), the signature (401), the fields (400, 422 naming
 * each), for an event route the data dictionary (422 with the
 * violations; hookevent.h), its id. Nothing refused is written anywhere.
 *
 * An accepted request is a journal record (journal.h): the body as parsed,
 * with "_meta" (source, route, received_at, request_id, remote, and an
 * event's flag and omit violations), appended
 * to the route's stream DIR/NAME/ and flushed to disk before the answer
 * goes out. The connection is suspended meanwhile, so one writer flush
 * serves every request that came in during the last one (group commit). A
 * request whose id (webhook-id, Idempotency-Key, else the vendor's key
 * fields) was accepted before gets the same answer and is not written
 * again. Past the journal's backlog, the answer is 503 with Retry-After.
 *
 * SIGTERM or SIGINT: stop accepting, finish the requests in hand, close the
 * open segments, exit 0. SIGHUP or SIGUSR1: close the open segments now
 * (the import takes closed ones). Keys and secrets come from the
 * environment or files and are never printed.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <microhttpd.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "hookroute.h"
#include "hookserve.h"
#include "hooksig.h"
#include "journal.h"
#include "vendor.h"

#define SYNOPSIS "hook-recv [OPTIONS] [--vendor NAME...]"

enum { ST_READ, ST_WAIT, ST_WRITTEN, ST_DONE };

struct req {
	struct route *rt;
	struct MHD_Connection *conn;
	int kind, status, state, ok, suspended;
	struct buf body;
	json_t *answer;
	struct timespec start;
	pthread_mutex_t mu;
};

static struct server srv;
static atomic_long inflight;

static double
since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static const char *
header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Queues a refusal: status with {"message": msg} or the answer made. */
static enum MHD_Result
refuse(struct req *q, int status, const char *msg)
{
	struct MHD_Response *r;
	enum MHD_Result rc;
	char *text;

	hookserve_count(&srv, status);
	if (q->answer == NULL)
		q->answer = json_pack("{s:s}", "message", msg);
	text = json_dumps(q->answer, JSON_COMPACT);
	r = MHD_create_response_from_buffer(
	    strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (status == 503)
		MHD_add_response_header(r, "Retry-After", "1");
	if (status == 401)
		MHD_add_response_header(r, "WWW-Authenticate", "API-Key");
	rc = MHD_queue_response(q->conn, (unsigned)status, r);
	MHD_destroy_response(r);
	q->state = ST_DONE;
	return rc;
}

static enum MHD_Result
accepted(struct req *q)
{
	hookserve_count(&srv, q->rt->route.status);
	q->state = ST_DONE;
	return MHD_queue_response(
	    q->conn, (unsigned)q->rt->route.status, q->rt->answer);
}

/*
 * The journal's word on a record, on the writer thread. Once resumed, the
 * connection's thread may answer and free q at once: q is not touched
 * after the resume.
 */
static void
written(void *arg, int ok)
{
	struct req *q = arg;
	struct MHD_Connection *conn = q->conn;
	int resume;

	pthread_mutex_lock(&q->mu);
	q->ok = ok;
	q->state = ST_WRITTEN;
	resume = q->suspended;
	q->suspended = 0;
	pthread_mutex_unlock(&q->mu);
	if (resume)
		MHD_resume_connection(conn);
}

/* The key headers: 1 when one of them holds an allowed key. */
static int
key_ok(struct req *q)
{
	const struct route *rt = q->rt;
	const char *v;
	size_t i;
	int ok = 0;

	if (rt->route.keys_var == NULL)
		return 1;
	for (i = 0; i < rt->route.nheaders; i++) {
		if ((v = header(q->conn, rt->route.headers[i])) != NULL)
			ok |= hooksig_key_ok(
			    v, strlen(v), rt->keys, (size_t)rt->nkeys);
	}
	return ok;
}

/* The first call: everything the headers can decide. */
static enum MHD_Result
begin(struct req *q, const char *url, const char *method)
{
	const char *len;
	size_t i, n;

	if ((q->rt = hookserve_route(&srv, url)) == NULL)
		return refuse(q, 404, "no such route");
	for (i = 0; i < q->rt->route.nmethods &&
	            strcmp(q->rt->route.methods[i], method) != 0;
	     i++)
		;
	if (i == q->rt->route.nmethods)
		return refuse(q, 405, "method not allowed");
	if (hookserve_crowded(&srv))
		return refuse(q, 503, "too many connections: try again");
	q->kind =
	    hookroute_ctype(&q->rt->route, header(q->conn, "Content-Type"));
	if (q->kind == 0)
		return refuse(q, 415, "unsupported content type");
	len = header(q->conn, "Content-Length");
	if (len && (cli_size(len, &n) < 0 || n > srv.o.max_body))
		return refuse(q, 413, "body too large");
	if (!key_ok(q))
		return refuse(q, 401, "unauthenticated");
	buf_init(&q->body, srv.o.max_body);
	return MHD_YES;
}

/* The whole body is in: check it, then hand the record to the journal. */
static enum MHD_Result
finish(struct req *q)
{
	struct buf id = BUF_INIT, line = BUF_INIT;
	enum journal_answer a;
	enum hooksig_result sig;
	json_t *rec = NULL, *viol = NULL;
	const char *body = q->body.data ? q->body.data : "";
	enum MHD_Result rc;
	int st;

	if (q->rt->route.secrets_var &&
	    (sig = hooksig_verify(header(q->conn, "webhook-id"),
	         header(q->conn, "webhook-timestamp"),
	         header(q->conn, "webhook-signature"), body, q->body.len,
	         q->rt->secrets, (size_t)q->rt->nsecrets, time(NULL),
	         q->rt->route.tolerance)) != HOOKSIG_OK) {
		rc = refuse(q, 401, hooksig_reason(sig));
		goto out;
	}
	if ((st = hookroute_read(&q->rt->route, q->kind, body, q->body.len,
	         &rec, &q->answer)) != 0) {
		rc = refuse(q, st, "");
		goto out;
	}
	if (q->rt->ev.dict &&
	    (st = hookevent_check(&q->rt->ev, rec, &viol, &q->answer)) != 0) {
		rc = refuse(q, st, "");
		goto out;
	}
	if (hookserve_record(&srv, q->rt, q->conn, rec, viol, &id, &line) < 0) {
		rc = refuse(q, 400, "webhook-id or Idempotency-Key: not an id");
		goto out;
	}
	/* Under q's lock, written() waits until the connection is
	 * suspended, whenever the writer gets to the record. */
	pthread_mutex_lock(&q->mu);
	q->state = ST_WAIT;
	a = journal_submit(srv.journal, q->rt->stream, id.data, line.data,
	    line.len, written, q);
	if (a == JOURNAL_QUEUED) {
		q->suspended = 1;
		MHD_suspend_connection(q->conn);
	}
	pthread_mutex_unlock(&q->mu);
	if (a == JOURNAL_QUEUED)
		rc = MHD_YES;
	else if (a == JOURNAL_DUPLICATE)
		rc = accepted(q);
	else if (a == JOURNAL_BUSY)
		rc = refuse(q, 503, "the journal is behind: try again");
	else
		rc = refuse(q, 503, "the journal cannot be written");
out:
	json_decref(rec);
	json_decref(viol);
	buf_release(&id);
	buf_release(&line);
	return rc;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *data, size_t *size,
    void **con_cls)
{
	struct req *q = *con_cls;

	(void)cls;
	(void)version;
	if (q == NULL) {
		q = xcalloc(1, sizeof(*q));
		q->conn = conn;
		pthread_mutex_init(&q->mu, NULL);
		clock_gettime(CLOCK_MONOTONIC, &q->start);
		*con_cls = q;
		atomic_fetch_add(&inflight, 1);
		return begin(q, url, method);
	}
	if (q->state == ST_WRITTEN) {
		/* Resumed: the journal has the record, or failed. */
		return q->ok ? accepted(q) : refuse(q, 503, "not written");
	}
	if (q->state != ST_READ)
		return MHD_YES;
	if (*size) {
		if (since(&q->start) > srv.o.request_timeout)
			return MHD_NO; /* a slow client: cut off */
		if (buf_add(&q->body, data, *size) < 0) {
			/* Over the limit: not read further. A 413 when
			 * libmicrohttpd takes one mid-body, else cut off. */
			*size = 0;
			return refuse(q, 413, "body too large");
		}
		*size = 0;
		return MHD_YES;
	}
	return finish(q);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *q = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (q == NULL)
		return;
	buf_release(&q->body);
	json_decref(q->answer);
	pthread_mutex_destroy(&q->mu);
	free(q);
	*con_cls = NULL;
	atomic_fetch_sub(&inflight, 1);
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Receive partners' webhooks (each vendor file's \"receive\" "
	    "section) and answer\n"
	    "2xx only once the request is in the journal, on disk.\n\n"
	    "  -v, --vendor NAME|FILE      a vendor to serve (repeat; "
	    "default: every vendor\n"
	    "                              with a receive section)\n"
	    "  -l, --listen ADDR:PORT      where to listen (127.0.0.1:8080; "
	    "port 0: any)\n"
	    "  -j, --journal DIR           the journal, one folder a vendor "
	    "($SLUICE_JOURNAL,\n"
	    "                              else $SLUICE_DATA/journal)\n"
	    "  -b, --max-body N            the largest body (1M): 413 past "
	    "it\n"
	    "  -c, --max-connections N     503 past N connections (1000)\n"
	    "  -B, --backlog N             503 past N bytes not yet written "
	    "(64M)\n"
	    "  -t, --timeout SECS          an idle connection is closed (10)\n"
	    "  -T, --request-timeout SECS  a request not read whole by then "
	    "is cut off (30)\n"
	    "  -s, --segment-size N        close a segment past N bytes "
	    "(64M)\n"
	    "  -a, --segment-age SECS      close a segment this old (60)\n"
	    "  -p, --threads N             server threads (2)\n"
	    "  -d, --dictionary FILE       the data dictionary of every event "
	    "route, in place\n"
	    "                              of its own ($SLUICE_DICTIONARY)\n"
	    "  -F, --fsync-each            one disk flush a request (to "
	    "measure group commit)\n"
	    "  -h, --help                  show this help\n"
	    "      --version               show the version\n\n"
	    "Keys: each route's \"auth.keys\" and \"signature.secrets\" name "
	    "a variable\n"
	    "holding them, or VARIABLE_FILE a file of them, one a line.\n\n"
	    "Example:\n"
	    "  CALLPOWER_API_KEYS_FILE=/etc/sluice/callpower.keys \\\n"
	    "      hook-recv --vendor callpower --listen 127.0.0.1:8080 "
	    "--journal /var/lib/sluice/journal\n"
	    "  EVENTS_API_KEYS_FILE=/etc/sluice/events.keys hook-recv "
	    "--vendor events\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"vendor", required_argument, NULL, 'v'},
	    {"map", required_argument, NULL, 'v'},
	    {"listen", required_argument, NULL, 'l'},
	    {"journal", required_argument, NULL, 'j'},
	    {"max-body", required_argument, NULL, 'b'},
	    {"max-connections", required_argument, NULL, 'c'},
	    {"backlog", required_argument, NULL, 'B'},
	    {"timeout", required_argument, NULL, 't'},
	    {"request-timeout", required_argument, NULL, 'T'},
	    {"segment-size", required_argument, NULL, 's'},
	    {"segment-age", required_argument, NULL, 'a'},
	    {"threads", required_argument, NULL, 'p'},
	    {"fsync-each", no_argument, NULL, 'F'},
	    {"dictionary", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	struct hookserve_opts *o = &srv.o;
	struct buf err = BUF_INIT;
	int c, rc;

	diag_init("hook-recv");
	hookserve_defaults(o);
	while ((c = getopt_long(argc, argv, "v:m:l:j:b:c:B:t:T:s:a:p:d:Fh",
	            longopts, NULL)) != -1) {
		if (c == 'h')
			return usage(), EXIT_OK;
		if (c == 'V')
			return cli_version(), EXIT_OK;
		if (c == '?')
			return cli_usage_error(SYNOPSIS, "bad option");
		if (hookserve_option(o, c == 'm' ? 'v' : c, optarg, &err) < 0)
			return cli_usage_error(SYNOPSIS, "%s", err.data);
	}
	if (optind < argc)
		return cli_usage_error(
		    SYNOPSIS, "'%s': not an option", argv[optind]);
	if ((rc = hookserve_open(&srv, &err)) == 0 &&
	    (rc = hookserve_start(&srv, handle, completed, &err)) == 0) {
		diag(NULL, 0, "listening on %s, port %u, journal %s", o->listen,
		    srv.port, o->journal);
		rc = hookserve_wait(&srv, &inflight);
		buf_reset(&err);
		hookserve_summary(&srv, &err);
		diag(NULL, 0, "%s", err.data);
	} else {
		diag(NULL, 0, "%s", err.data);
	}
	hookserve_close(&srv);
	buf_release(&err);
	return rc;
}
