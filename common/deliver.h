/*
 * The loop the delivery stages (post-northstar, post-rogue) share, so that
 * a stage holds only what it does with one record.
 *
 * Records are read by a reader thread (feed.h) and become jobs in a window
 * kept in input order. The stage moves each job along, one HTTP call at a
 * time (http.h), and says when it is finished or rejected; finished jobs
 * leave the window at its head, so records are written in the order they
 * were read, each with what the stage added to it.
 *
 * When a service stays unavailable after the retries (exit 69), refuses
 * the credentials (exit 77), or cannot be used as configured (exit 64: its
 * certificate is not trusted), delivery stops: no new call starts, the
 * calls on the wire end (and what they confirm still counts), and every
 * record not delivered is rejected with the reason, the rest of the input
 * too. So in = out + dropped + rejected still holds and the rejects file
 * holds exactly the records to send again.
 *
 * stdout going away (a reader that exits: "post-rogue ... | head -1") or
 * failing (a full disk) stops delivery the same way, with exit 74, instead
 * of killing the stage with SIGPIPE, which is ignored while delivering:
 * the calls on the wire end and what they confirm goes to the stage's
 * ledger as always; the records finished from then on, delivered but not
 * written, are rejected as such ("delivered, but not written: stdout was
 * closed"), and the run ends with "stdout closed: N records delivered but
 * not written". stdout is flushed after each turn of the loop that wrote
 * records, and a pipe whose reader has gone is seen before anything more
 * is written to it (poll), so that a failed write costs the records of one
 * turn at most: N counts them too, though the summary counts them as out,
 * having handed them to stdout.
 *
 * Every reason a job is rejected with, and every stop's reason, is passed
 * through redact_buf() (redact.h).
 *
 *	struct deliver d;
 *	deliver_init(&d, &st, &ops, ctx, window);
 *	deliver_connect(&d, &http_opts, &oauth)   (or none: a dry run)
 *	rc = deliver_run(&d, nfiles, files);
 *	deliver_release(&d);
 */
#ifndef DELIVER_H
#define DELIVER_H

#include <jansson.h>

#include "buf.h"
#include "feed.h"
#include "http.h"
#include "stage.h"

struct deliver;

/* The options every delivery stage takes, and what they come to. */
struct deliver_opts {
	struct http_opts http;
	const char *url;         /* --url: the service, else its variable */
	const char *secret_file; /* --client-secret-file */
	int dry_run;             /* --dry-run */
};

/*
 * The options of a stage that talks to a service over HTTP, which
 * deliver_option() handles: the URL, the calls in flight, retries,
 * timeouts and --cacert. post-quasar takes these; the delivery stages
 * take DELIVER_SHORTOPTS and DELIVER_LONGOPTS, which add the client
 * secret and the dry run.
 */
#define DELIVER_HTTP_SHORTOPTS "c:N:M:T:O:A:U:"
/* clang-format off */
#define DELIVER_HTTP_LONGOPTS                                          \
	{"concurrency", required_argument, NULL, 'c'},                 \
	{"retries", required_argument, NULL, 'N'},                     \
	{"retry-max-time", required_argument, NULL, 'M'},              \
	{"timeout", required_argument, NULL, 'T'},                     \
	{"connect-timeout", required_argument, NULL, 'O'},             \
	{"cacert", required_argument, NULL, 'A'},                      \
	{"url", required_argument, NULL, 'U'}
/* clang-format on */

#define DELIVER_SHORTOPTS DELIVER_HTTP_SHORTOPTS "P:f:n"
/* clang-format off */
#define DELIVER_LONGOPTS                                               \
	DELIVER_HTTP_LONGOPTS,                                         \
	{"concurrency-max", required_argument, NULL, 'P'},             \
	{"client-secret-file", required_argument, NULL, 'f'},          \
	{"dry-run", no_argument, NULL, 'n'}
/* clang-format on */

#define DELIVER_OPTIONS_HELP                                                   \
	"  -U, --url URL             the service (default: the environment "   \
	"variable)\n"                                                          \
	"  -c, --concurrency N|auto  requests in flight at most (default 8); " \
	"auto: found\n"                                                        \
	"                            from the service's pace and its 429s "    \
	"and 503s\n"                                                           \
	"  -P, --concurrency-max N   with auto, the most in flight (default "  \
	"256)\n"                                                               \
	"  -N, --retries N           retries of a failed request (default "    \
	"8)\n"                                                                 \
	"  -M, --retry-max-time S    stop retrying a request after S seconds " \
	"(default 300)\n"                                                      \
	"  -T, --timeout S           a request's time limit (default 60)\n"    \
	"  -O, --connect-timeout S   a connection's time limit (default 10)\n" \
	"  -A, --cacert FILE         trust the CA certificates in FILE too\n"  \
	"  -f, --client-secret-file FILE\n"                                    \
	"                            read the client secret from FILE (else "  \
	"from\n"                                                               \
	"                            NORTHSTAR_CLIENT_SECRET)\n"

#define DELIVER_DRY_RUN_HELP                                                   \
	"  -n, --dry-run             send nothing: write the requests it "     \
	"would send; needs\n"                                                  \
	"                            no credentials, and without a URL the "   \
	"requests have\n"                                                      \
	"                            paths\n"

#define DELIVER_EXIT_HELP                                                      \
	"Exit status: 0 ok, 1 some records rejected, 64 usage or "             \
	"configuration (a bad\nURL or --cacert, a certificate not trusted), "  \
	"65 input unusable, 66 file missing,\n69 a service stayed "            \
	"unavailable, 74 I/O error (stdout closed or not writable:\n"          \
	"delivery stops; the records delivered but not written are rejected "  \
	"as such),\n77 credentials refused.\n"

/* The defaults. */
void deliver_opts_init(struct deliver_opts *o);

/*
 * The jobs a delivery stage keeps in its window for these options: 16
 * per request in flight at most (with --concurrency auto, at its most),
 * and at least 256.
 */
size_t deliver_window(const struct deliver_opts *o);

/*
 * Handles one of the delivery options (what getopt_long returned). Returns
 * 0 when handled, 1 when the option is not one of them, or EXIT_USAGE
 * after saying what is wrong.
 */
int deliver_option(
    struct deliver_opts *o, int ch, const char *arg, const char *synopsis);

/*
 * Checks at start-up what can be checked without connecting: url (may be
 * NULL), which came from `from` ("--url", "ROGUE_URL"; for the message),
 * is an http:// or https:// URL with a host (http_check_url), and --cacert
 * names a readable PEM file (http_check_cacert). Returns 0, or EXIT_USAGE
 * after saying what is wrong. Every stage that talks to a service calls
 * it, so that a configuration error is found before any input is read.
 */
int deliver_check(
    const struct deliver_opts *o, const char *url, const char *from);

/*
 * The service's URL: --url, else the environment variable url_var when it
 * is set and not empty (on a dry run, neither is needed: *url is then
 * NULL); checked with --cacert by deliver_check(). Returns 0 with *url set
 * (borrowed from the options or the environment), or EXIT_USAGE after
 * saying what is missing or wrong.
 */
int deliver_url(
    const struct deliver_opts *o, const char *url_var, const char **url);

/*
 * The service's URL (--url, else the environment variable url_var) and,
 * unless it is a dry run, the OAuth client from NORTHSTAR_URL,
 * NORTHSTAR_CLIENT_ID and the secret (--client-secret-file or
 * NORTHSTAR_CLIENT_SECRET), set up in oauth; the URLs and --cacert checked
 * (deliver_check). A dry run needs none of it: without a URL, *url is ""
 * and the requests it writes have paths. Returns 0, or EXIT_USAGE after
 * naming what is missing or wrong. Release oauth with oauth_release() when
 * it returned 0 and it was not a dry run.
 */
int deliver_configure(struct deliver_opts *o, const char *url_var,
    const char **url, struct oauth *oauth);

struct job {
	json_t *rec; /* the record: a reference the job owns */
	const char *file;
	unsigned long long line;
	int done;         /* finished: written (why empty) or rejected */
	struct buf why;   /* the reject's reason */
	const char *drop; /* job_drop()'s rule, or NULL */
	struct http_call call;
	struct deliver *d;
	int state;  /* the stage's */
	void *priv; /* the stage's */
};

struct deliver_ops {
	/* A new record in the window: set the job up (may finish it). */
	void (*start)(struct deliver *d, struct job *j);
	/* Once a turn of the loop: start what can start. May be NULL. */
	void (*advance)(struct deliver *d);
	/* The job leaves the window: free what the stage holds for it. */
	void (*release)(struct deliver *d, struct job *j);
};

struct deliver {
	struct stage *st;
	const struct deliver_ops *ops;
	void *ctx;         /* the stage's */
	struct http *http; /* NULL: no network (a dry run) */
	struct feed feed;
	struct job *ring;
	size_t cap, head, n;
	int stopped;     /* 0, or the status delivery stopped with */
	int input_ended; /* every record has been read */
	struct buf stop_why;
	int input_status;             /* the worst of the inputs' */
	int out_closed;               /* stdout cannot be written any more */
	int out_errno;                /* why, when not a closed pipe */
	unsigned long long unwritten; /* delivered, not written */
	double wake_at; /* the stage's: poll no later than this (http_now's
	                 * clock; 0: no time of its own) */
};

/* Sets d up for a stage; window jobs at most in flight or waiting. */
void deliver_init(struct deliver *d, struct stage *st,
    const struct deliver_ops *ops, void *ctx, size_t window);

/*
 * Makes the HTTP client the jobs' calls go through (oauth borrowed, may be
 * NULL). Returns 0, or an exit status after saying what is wrong.
 */
int deliver_connect(
    struct deliver *d, const struct http_opts *o, struct oauth *oauth);

/*
 * Reads the files (stdin when none) to their end and delivers every record.
 * Returns 0 or the worst exit status (input, or why delivery stopped).
 */
int deliver_run(struct deliver *d, int nfiles, char **files);

/* Frees what d holds. */
void deliver_release(struct deliver *d);

/* The jobs in the window, in input order: i from 0 to d->n - 1. */
struct job *deliver_job(struct deliver *d, size_t i);

/*
 * Starts the job's call (the stage has set j->call up, with done and arg),
 * after delay seconds; when delivery has stopped, rejects the job instead.
 */
void job_call(struct job *j, double delay);

/* The job is finished: its record is written as it is now. */
void job_finish(struct job *j);

/*
 * The job is finished by a named rule (borrowed; must outlive the stage):
 * its record is dropped (stage_drop), in its turn, not written.
 */
void job_drop(struct job *j, const char *rule);

/*
 * Sets the member name of the record's _meta to v (a reference stolen),
 * where a delivery stage says what it did with the record ("northstar",
 * "rogue"); _meta is made an object first when it is missing or not one.
 */
void job_meta(struct job *j, const char *name, json_t *v);

/* The job is rejected, with a formatted reason. */
void job_reject(struct job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void job_vreject(struct job *j, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/*
 * The job's call ended in HTTP_UNAVAILABLE, HTTP_REFUSED or
 * HTTP_MISCONFIGURED: stops delivery (deliver_failed) and rejects the job.
 */
void job_failed(struct job *j, const char *what);

/*
 * A call ended in HTTP_UNAVAILABLE, HTTP_REFUSED or HTTP_MISCONFIGURED:
 * stops delivery with the status and the message http_failure() gives
 * (what names the service, e.g. "Rogue"). Returns the status. A call that
 * a stop cancelled (HTTP_CANCELLED) changes nothing: the stop's status is
 * returned.
 */
int deliver_failed(
    struct deliver *d, const struct http_call *c, const char *what);

/*
 * Stops delivery with status (64, 69, 74 or 77; the worst stays) and a
 * formatted reason, passed through redact_buf() and cut at 1024 bytes;
 * the first reason stays. The calls not on the wire yet are cancelled
 * (http_cancel), so no request starts after a stop.
 */
void deliver_stop(struct deliver *d, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
