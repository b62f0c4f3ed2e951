/*
 * An HTTP client for the delivery stages, on libcurl's multi interface:
 * many calls in flight over kept-alive connections, at most a set number at
 * once; connect and total timeouts; TLS verification on (a CA file may be
 * added); retries with exponential backoff and jitter for what a retry can
 * cure (network errors, 5xx, 429, honouring Retry-After); and the OAuth
 * token (oauth.h) fetched when first needed, renewed before it expires and
 * once more on a 401. The number in flight is fixed, or found from the
 * service's answers (adaptive: aimd.h), which then moves it between 1 and
 * concurrency_max: the round-trip time of each answer but the token's,
 * and whether it was a 429 or a 503, are its samples.
 *
 * A call is a struct the caller owns and keeps alive until its done
 * callback has run; one call is one request, retried as the policy says,
 * and ends once with a result:
 *
 *	HTTP_ANSWER       the server answered (see status and resp): 2xx, or
 *	                  a 4xx a retry cannot cure
 *	HTTP_TRANSIENT    a failure a retry may cure, for a call that is not
 *	                  idempotent (a POST that may or may not have taken
 *	                  effect): the caller finds out and decides, and may
 *	                  start the same call again after http_backoff()
 *	HTTP_UNAVAILABLE  failures until the retry budget ran out, or one no
 *	                  retry cures (a URL from an answer libcurl cannot
 *	                  use): see err
 *	HTTP_REFUSED      the credentials were refused (see err)
 *	HTTP_MISCONFIGURED  a failure the configuration causes and no retry
 *	                  cures: the server's certificate is not trusted, or
 *	                  the CA certificates cannot be used (see err, which
 *	                  says what to do)
 *	HTTP_CANCELLED    not sent: http_cancel() ended it before it went on
 *	                  the wire
 *
 * http_failure() turns a call that failed into the message and the exit
 * status (69, 77 or 64) every delivery stage gives for it, and
 * http_check_url() and http_check_cacert() find at start-up the
 * configuration errors that need no connection to be seen.
 *
 * The bodies of answers that are not 2xx are passed through redact_buf()
 * (redact.h) before the done callback runs, and so is err: what a message
 * quotes of them, whole or cut short, holds no secret the process holds.
 *
 * A call's done callback runs before any call queued behind it takes the
 * slot it freed, so that a caller that stops on a failure (http_cancel)
 * has no request sent after the one that failed.
 *
 * Everything runs in the thread that calls http_poll(), except
 * http_wakeup(), which any thread may call. Nothing here prints.
 */
#ifndef HTTP_H
#define HTTP_H

#include <curl/curl.h>
#include <jansson.h>

#include "aimd.h"
#include "buf.h"
#include "oauth.h"
#include "url.h"

enum http_result {
	HTTP_ANSWER,
	HTTP_TRANSIENT,
	HTTP_UNAVAILABLE,
	HTTP_REFUSED,
	HTTP_MISCONFIGURED,
	HTTP_CANCELLED
};

struct http_opts {
	unsigned concurrency;     /* calls in flight at most (adaptive: at
	                           * first) */
	int adaptive;             /* find the number from the answers */
	unsigned concurrency_max; /* adaptive: the most it goes to */
	long connect_timeout_ms;  /* per try */
	long timeout_ms;          /* per try, all of it */
	unsigned retries;         /* tries after the first, at most */
	double retry_max_time;    /* seconds from the first try, at most */
	double backoff_base;      /* seconds before the first retry */
	double backoff_max;       /* seconds between tries, at most */
	const char *cacert;       /* a CA file to trust too, or NULL */
	/*
	 * AWS Signature Version 4 (libcurl's CURLOPT_AWS_SIGV4) on every
	 * call: aws_sigv4 is the provider string ("aws:amz:REGION:ses"), or
	 * NULL for none; aws_keys "KEY_ID:SECRET"; aws_token a session token
	 * sent as X-Amz-Security-Token (and signed), or NULL. Borrowed.
	 */
	const char *aws_sigv4, *aws_keys, *aws_token;
};

/* The defaults the stages document: 8 in flight, 10 s to connect, ... */
void http_opts_default(struct http_opts *o);

struct http;

struct http_call {
	/* The request, set by the caller. */
	const char *method;       /* "GET", "POST", "PUT", "PATCH" */
	struct buf url;           /* the whole URL */
	struct buf body;          /* sent when not empty */
	const char *content_type; /* of the body; NULL: application/json */
	const char *encoding;     /* Content-Encoding of the body, or NULL */
	int auth;                 /* send the OAuth token */
	int idempotent;           /* may be sent again as it is */
	void (*done)(struct http_call *c);
	void *arg; /* the caller's */
	/*
	 * Optional: takes the body of a 2xx answer as it arrives, instead
	 * of resp (a download too large to hold in memory); other answers'
	 * bodies still go to resp. Returns 0, or -1 to stop the call, which
	 * then ends HTTP_UNAVAILABLE. A try that is retried sends the body
	 * again from its start: the sink sees c->tries change.
	 */
	int (*sink)(struct http_call *c, const char *p, size_t n);

	/* The outcome, set before done is called. */
	enum http_result result;
	long status;           /* the HTTP status, 0 when there was none */
	struct buf resp;       /* the answer's body */
	struct buf err;        /* what went wrong, for a message */
	unsigned tries;        /* tries made, over the whole call */
	unsigned retries_seen; /* of them, retried for a failure */
	/*
	 * The last try failed before the request could reach the server
	 * (no connection could be made, on a fresh connection): a call
	 * that is not idempotent ended HTTP_TRANSIENT with no effect.
	 */
	int not_sent;

	/* The client's. */
	double first_try, start_at, retry_after, sent_at;
	unsigned token_gen;
	int auth_renewed;
	char curl_err[CURL_ERROR_SIZE]; /* libcurl's details of a failure */
	CURL *easy;
	struct curl_slist *headers;
	struct http_call *next;
	struct http *h;
};

/* Sets c up empty: buffers with sane maximums, idempotent, no auth. */
void http_call_init(struct http_call *c);

/* Sets c's body to v (borrowed) as compact JSON. 0, or -1. */
int http_set_json(struct http_call *c, const json_t *v);

/* Frees what c holds (not c itself). c must not be in flight. */
void http_call_release(struct http_call *c);

/*
 * Makes a client. oauth (borrowed, may be NULL) serves calls with auth
 * set. Returns NULL with the reason in err when libcurl cannot be set up.
 */
struct http *http_new(
    const struct http_opts *o, struct oauth *oauth, struct buf *err);

/* Frees the client; calls still queued or in flight are dropped. */
void http_free(struct http *h);

/*
 * Starts a call (a new one, or one that ended, to send it again): at once,
 * or after delay seconds. Its result, status, resp and err are cleared;
 * tries and first_try are kept, so retries started by the caller count
 * against the same budget (zero c->tries to start afresh).
 */
void http_start(struct http *h, struct http_call *c, double delay);

/*
 * The delay before trying c again (after a failure): exponential backoff
 * with jitter, at least the Retry-After the server asked for; -1 when the
 * retry budget (retries, retry_max_time) is spent.
 */
double http_backoff(struct http *h, const struct http_call *c);

/*
 * Runs the client: starts what is due, waits for network activity at most
 * timeout_ms (less when a retry or the token falls due, none when a call
 * has ended; 0 does not wait), and calls the done callbacks of the calls
 * that ended. Returns the number of calls pending (http_pending()).
 */
unsigned http_poll(struct http *h, int timeout_ms);

/*
 * Ends with HTTP_CANCELLED every call not on the wire yet: queued for a
 * free slot, waiting for a retry or for the token. Their done callbacks
 * run in the next http_poll(), and until then they count as pending. The
 * calls on the wire go on to their end, and calls started afterwards are
 * sent as usual. For a stage that stops delivering.
 */
void http_cancel(struct http *h);

/* Makes a waiting http_poll() return early. Any thread. */
void http_wakeup(struct http *h);

/* Calls whose done callback has not run yet. */
unsigned http_pending(const struct http *h);

/* Tries made again after a failure, over all calls so far. */
unsigned long long http_retries(const struct http *h);

/*
 * Requests put on the wire so far: every try of every call, the token's
 * included (libcurl's own resend of a request whose kept-alive
 * connection died before any answer is not seen, and not counted); 0 for
 * h NULL (no network: a dry run).
 */
unsigned long long http_requests(const struct http *h);

/*
 * The adaptive limit of calls in flight (borrowed; its counters say how it
 * moved), or NULL when the number is fixed.
 */
const struct aimd *http_aimd(const struct http *h);

/* Monotonic seconds, the client's clock. */
double http_now(void);

/*
 * For a call that ended HTTP_UNAVAILABLE, HTTP_REFUSED or
 * HTTP_MISCONFIGURED: appends to out what went wrong, "WHAT unavailable
 * while DOING: ERR" or, when no retry would help, "WHAT while DOING: ERR"
 * (what names the service, "Rogue"; doing may be NULL), and returns the
 * exit status it calls for: EXIT_UNAVAILABLE (69), EXIT_NOPERM (77) or
 * EXIT_USAGE (64, a configuration error).
 */
int http_failure(const struct http_call *c, const char *what, const char *doing,
    struct buf *out);

/*
 * Whether url is one a service can be reached at: an http:// or https://
 * URL with a host, that libcurl can parse. Returns 0, or -1 with why (to
 * append to the name of where the URL came from, "ROGUE_URL: ...") in
 * why; the reason never quotes the URL, which may hold a password.
 */
int http_check_url(const char *url, struct buf *why);

/*
 * Whether path (--cacert) is a readable file holding at least one PEM
 * certificate ("-----BEGIN CERTIFICATE-----"). Returns 0, or -1 with the
 * reason in why.
 */
int http_check_cacert(const char *path, struct buf *why);

#endif
