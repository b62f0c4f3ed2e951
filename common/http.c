/* The delivery stages' HTTP client on libcurl multi; see http.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "exitcode.h"
#include "http.h"
#include "redact.h"

#define RESP_MAX ((size_t)64 << 20) /* the largest answer body taken */

enum token_state { TOKEN_IDLE, TOKEN_FETCHING, TOKEN_FAILED };

struct http {
	struct http_opts o;
	CURLM *multi;
	struct oauth *oauth;
	struct http_call token; /* the token request */
	enum token_state tstate;
	enum http_result tresult;          /* TOKEN_FAILED: how */
	struct buf twhy;                   /* why the token could not be had */
	struct http_call *waiting;         /* for a token */
	struct http_call *queue, *qtail;   /* due, for a free slot, in order */
	struct http_call *timers;          /* to start at their start_at */
	struct http_call *ended, *endtail; /* done callbacks to call */
	struct http_call *flying;          /* on the wire */
	unsigned long long retries;  /* tries made again after a failure */
	unsigned long long requests; /* requests put on the wire */
	unsigned running;            /* easy handles in the multi */
	unsigned pending; /* calls started whose done callback has not run */
	CURL **spare;     /* easy handles to reuse */
	size_t nspare;
	unsigned seed;
	struct aimd aimd; /* o.adaptive: the limit */
};

double
http_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
http_opts_default(struct http_opts *o)
{
	o->concurrency = 8;
	o->adaptive = 0;
	o->concurrency_max = 256;
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 60000;
	o->retries = 8;
	o->retry_max_time = 300;
	o->backoff_base = 0.25;
	o->backoff_max = 30;
	o->cacert = NULL;
	o->aws_sigv4 = o->aws_keys = o->aws_token = NULL;
}

void
http_call_init(struct http_call *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->url, 64 << 10);
	buf_init(&c->body, BUF_UNLIMITED);
	buf_init(&c->resp, RESP_MAX);
	buf_init(&c->err, 4096);
	c->method = "GET";
	c->idempotent = 1;
}

void
http_call_release(struct http_call *c)
{
	buf_release(&c->url);
	buf_release(&c->body);
	buf_release(&c->resp);
	buf_release(&c->err);
	curl_slist_free_all(c->headers);
	c->headers = NULL;
}

/* json_dump_callback's sink: appends to a struct buf. */
static int
to_buf(const char *s, size_t n, void *b)
{
	return buf_add(b, s, n);
}

int
http_set_json(struct http_call *c, const json_t *v)
{
	buf_reset(&c->body);
	c->content_type = NULL;
	return json_dump_callback(v, to_buf, &c->body, JSON_COMPACT);
}

static void token_done(struct http_call *c);

struct http *
http_new(const struct http_opts *o, struct oauth *oauth, struct buf *err)
{
	struct http *h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		buf_adds(err, "cannot initialise libcurl");
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->o = *o;
	if (h->o.concurrency == 0)
		h->o.concurrency = 1;
	if (h->o.adaptive) {
		aimd_init(&h->aimd, h->o.concurrency, h->o.concurrency_max);
		h->o.concurrency = h->aimd.max; /* for the connections */
	}
	h->oauth = oauth;
	h->multi = curl_multi_init();
	if (h->multi == NULL) {
		buf_adds(err, "cannot initialise libcurl");
		free(h);
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)h->o.concurrency + 1);
	curl_multi_setopt(
	    h->multi, CURLMOPT_MAXCONNECTS, (long)h->o.concurrency + 1);
	http_call_init(&h->token);
	h->token.method = "POST";
	h->token.done = token_done;
	h->token.arg = h;
	buf_init(&h->twhy, 4096);
	h->seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)h;
	return h;
}

void
http_free(struct http *h)
{
	struct http_call *c;
	size_t i;

	if (h == NULL)
		return;
	/* Calls still on the wire (a stage that stopped early). */
	for (c = h->flying; c; c = c->next) {
		curl_multi_remove_handle(h->multi, c->easy);
		curl_easy_cleanup(c->easy);
		c->easy = NULL;
	}
	for (i = 0; i < h->nspare; i++)
		curl_easy_cleanup(h->spare[i]);
	free(h->spare);
	curl_multi_cleanup(h->multi);
	http_call_release(&h->token);
	buf_release(&h->twhy);
	free(h);
	curl_global_cleanup();
}

/* A random number in [0, 1), for jitter. */
static double
jitter(struct http *h)
{
	h->seed = h->seed * 1103515245u + 12345u;
	return (double)((h->seed >> 8) & 0xffffff) / (double)0x1000000;
}

double
http_backoff(struct http *h, const struct http_call *c)
{
	double d, left;

	if (c->tries > h->o.retries)
		return -1;
	d = h->o.backoff_base * pow(2, c->tries > 0 ? c->tries - 1 : 0);
	if (d > h->o.backoff_max)
		d = h->o.backoff_max;
	d = d / 2 + d / 2 * jitter(h); /* "equal jitter" */
	if (c->retry_after > d)
		d = c->retry_after;
	left = h->o.retry_max_time - (http_now() - c->first_try);
	return d <= left ? d : -1;
}

static void
push(struct http_call **head, struct http_call **tail, struct http_call *c)
{
	c->next = NULL;
	if (*head == NULL)
		*head = c;
	else
		(*tail)->next = c;
	*tail = c;
}

/*
 * Ends a call: its done callback runs at the end of http_poll(). What a
 * message may quote is scrubbed of secrets here, before any caller can cut
 * it short: the error, and the body of an answer that is not a 2xx (a 2xx
 * body is data, and the token endpoint's holds the token itself).
 */
static void
end(struct http *h, struct http_call *c, enum http_result r)
{
	c->result = r;
	redact_buf(&c->err);
	if (c->status < 200 || c->status > 299)
		redact_buf(&c->resp);
	push(&h->ended, &h->endtail, c);
}

void
http_start(struct http *h, struct http_call *c, double delay)
{
	double now = http_now();

	c->h = h;
	c->result = HTTP_ANSWER;
	c->status = 0;
	c->retry_after = 0;
	c->auth_renewed = 0;
	buf_reset(&c->resp);
	buf_reset(&c->err);
	if (c->tries == 0)
		c->first_try = now;
	if (c != &h->token)
		h->pending++;
	if (delay > 0) {
		c->start_at = now + delay;
		c->next = h->timers;
		h->timers = c;
	} else {
		push(&h->queue, &h->qtail, c);
	}
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct http_call *c = arg;
	long status = 0;

	if (c->sink) {
		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300)
			return c->sink(c, p, size * n) == 0 ? size * n : 0;
	}
	return buf_add(&c->resp, p, size * n) == 0 ? size * n : 0;
}

static CURL *
easy_for(struct http *h)
{
	CURL *e;

	if (h->nspare) {
		e = h->spare[--h->nspare];
		curl_easy_reset(e);
		return e;
	}
	return curl_easy_init();
}

static void
easy_done(struct http *h, CURL *e)
{
	h->spare = xrealloc(h->spare, (h->nspare + 1) * sizeof(*h->spare));
	h->spare[h->nspare++] = e;
}

/* The request's headers, the token's among them. */
static struct curl_slist *
headers_for(struct http *h, struct http_call *c)
{
	struct curl_slist *l = NULL;
	struct buf b = BUF_INIT;

	l = curl_slist_append(l, "Accept: application/json");
	if (c->body.len) {
		buf_printf(&b, "Content-Type: %s",
		    c->content_type ? c->content_type : "application/json");
		l = curl_slist_append(l, b.data);
	}
	if (c->encoding) {
		buf_reset(&b);
		buf_printf(&b, "Content-Encoding: %s", c->encoding);
		l = curl_slist_append(l, b.data);
	}
	if (c->auth && h->oauth && h->oauth->token) {
		buf_reset(&b);
		buf_printf(&b, "Authorization: Bearer %s", h->oauth->token);
		l = curl_slist_append(l, b.data);
		memset(b.data, 0, b.len);
		c->token_gen = h->oauth->gen;
	}
	if (h->o.aws_sigv4 && h->o.aws_token && c != &h->token) {
		buf_reset(&b);
		buf_printf(&b, "X-Amz-Security-Token: %s", h->o.aws_token);
		l = curl_slist_append(l, b.data);
		memset(b.data, 0, b.len);
	}
	/* No "Expect: 100-continue" round trip for larger bodies. */
	l = curl_slist_append(l, "Expect:");
	buf_release(&b);
	return l;
}

/* Puts a call on the wire. */
static void
launch(struct http *h, struct http_call *c)
{
	CURL *e = easy_for(h);

	if (e == NULL) {
		buf_adds(&c->err, "libcurl cannot make a request");
		end(h, c, HTTP_UNAVAILABLE);
		return;
	}
	c->easy = e;
	c->next = h->flying;
	h->flying = c;
	c->tries++;
	h->requests++;
	c->sent_at = http_now();
	curl_slist_free_all(c->headers);
	c->headers = headers_for(h, c);
	curl_easy_setopt(e, CURLOPT_URL, c->url.data);
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
	c->curl_err[0] = '\0';
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->o.timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "sluice/" SLUICE_VERSION);
	if (h->o.cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->o.cacert);
	if (h->o.aws_sigv4 && c != &h->token) {
		curl_easy_setopt(e, CURLOPT_AWS_SIGV4, h->o.aws_sigv4);
		curl_easy_setopt(e, CURLOPT_USERPWD, h->o.aws_keys);
	}
	/* On a kept-alive connection that dies before any answer, libcurl
	 * sends the request again by itself, on a new connection. For a
	 * request that may have taken effect (a POST the server committed
	 * before the connection dropped) that would do it twice, behind the
	 * caller's back; on a new connection libcurl never does. */
	if (!c->idempotent)
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	if (strcmp(c->method, "GET") != 0 || c->body.len) {
		curl_easy_setopt(
		    e, CURLOPT_POSTFIELDS, c->body.data ? c->body.data : "");
		curl_easy_setopt(
		    e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body.len);
		if (strcmp(c->method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, c->method);
	}
	curl_multi_add_handle(h->multi, e);
	h->running++;
}

static void
start_token(struct http *h)
{
	h->tstate = TOKEN_FETCHING;
	buf_reset(&h->token.url);
	buf_adds(&h->token.url, h->oauth->url);
	oauth_body(h->oauth, &h->token.body);
	h->token.tries = 0;
	http_start(h, &h->token, 0);
}

/* Ends every call waiting for the token with r, saying why. */
static void
fail_waiting(struct http *h, enum http_result r)
{
	struct http_call *c;

	while ((c = h->waiting) != NULL) {
		h->waiting = c->next;
		buf_reset(&c->err);
		buf_adds(&c->err, h->twhy.data);
		end(h, c, r);
	}
}

static void
token_done(struct http_call *tc)
{
	struct http *h = tc->arg;
	struct http_call *c, *last;
	int rc;

	/* The request body held the secret: wipe it. */
	memset(tc->body.data, 0, tc->body.len);
	buf_reset(&tc->body);
	buf_reset(&h->twhy);
	if (tc->result != HTTP_ANSWER) {
		buf_printf(&h->twhy, "the token endpoint: %s", tc->err.data);
		h->tstate = TOKEN_FAILED;
		h->tresult = tc->result;
		fail_waiting(h, h->tresult);
		return;
	}
	rc = oauth_take(h->oauth, tc->status, tc->resp.data, tc->resp.len,
	    http_now(), &h->twhy);
	if (rc != 0) {
		h->tstate = TOKEN_FAILED;
		h->tresult = rc > 0 ? HTTP_REFUSED : HTTP_UNAVAILABLE;
		fail_waiting(h, h->tresult);
		return;
	}
	h->tstate = TOKEN_IDLE;
	/* The calls that waited go first, in their order. */
	if ((c = h->waiting) != NULL) {
		for (last = c; last->next; last = last->next)
			;
		last->next = h->queue;
		if (h->queue == NULL)
			h->qtail = last;
		h->queue = c;
		h->waiting = NULL;
	}
}

/* Whether a call can go out now as far as the token goes; else parks it. */
static int
token_ready(struct http *h, struct http_call *c)
{
	struct http_call **p;

	if (!c->auth || h->oauth == NULL)
		return 1;
	if (h->tstate == TOKEN_FAILED) {
		buf_reset(&c->err);
		buf_adds(&c->err, h->twhy.data);
		end(h, c, h->tresult);
		return 0;
	}
	if (h->tstate == TOKEN_IDLE && oauth_valid(h->oauth, http_now()))
		return 1;
	for (p = &h->waiting; *p; p = &(*p)->next)
		;
	c->next = NULL;
	*p = c;
	if (h->tstate == TOKEN_IDLE)
		start_token(h);
	return 0;
}

/* Calls in flight at most, now. */
static unsigned
limit(struct http *h)
{
	return h->o.adaptive ? aimd_limit(&h->aimd) : h->o.concurrency;
}

/* Moves due timers to the queue and starts what the limit allows. */
static void
admit(struct http *h)
{
	struct http_call **p = &h->timers, *c;
	double now = http_now();

	while ((c = *p) != NULL) {
		if (c->start_at <= now) {
			*p = c->next;
			push(&h->queue, &h->qtail, c);
		} else {
			p = &c->next;
		}
	}
	while ((c = h->queue) != NULL) {
		/* The token request goes out whatever the limit. */
		if (c != &h->token && h->running >= limit(h)) {
			if (h->o.adaptive)
				aimd_full(&h->aimd, now);
			break;
		}
		h->queue = c->next;
		if (c == &h->token || token_ready(h, c))
			launch(h, c);
	}
}

/*
 * A transport error the configuration causes: the server's certificate not
 * trusted, the CA certificates unusable. Says so in c->err, with libcurl's
 * details, and returns 1; 0 for any other error.
 *
 * A URL libcurl cannot use is not among them: the URLs configured are
 * checked at start-up (http_check_url), so one that fails here came from
 * an answer (fetch-rtv's download_url), which no change of ours cures.
 */
static int
misconfigured(struct http_call *c, CURLcode cc)
{
	const char *detail =
	    c->curl_err[0] ? c->curl_err : curl_easy_strerror(cc);

	buf_reset(&c->err);
	if (cc == CURLE_PEER_FAILED_VERIFICATION)
		buf_printf(&c->err,
		    "the server's certificate is not trusted: give its CA with "
		    "--cacert (%s)",
		    detail);
	else if (cc == CURLE_SSL_CACERT_BADFILE)
		buf_printf(&c->err,
		    "the CA certificates cannot be used (the system's, or "
		    "--cacert's): %s",
		    detail);
	else
		return 0;
	return 1;
}

/* Whether a transport error is one a retry may cure. */
static int
retryable_error(CURLcode cc)
{
	switch (cc) {
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_WRITE_ERROR:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return 0;
	default:
		return 1;
	}
}

/* A failure a retry may cure: retry it, or end the call. */
static void
failed(struct http *h, struct http_call *c)
{
	double d = http_backoff(h, c);

	if (d < 0) {
		buf_printf(&c->err, " (gave up after %u tries in %.0f s)",
		    c->tries, http_now() - c->first_try);
		end(h, c, HTTP_UNAVAILABLE);
	} else if (!c->idempotent) {
		end(h, c, HTTP_TRANSIENT);
	} else {
		c->retries_seen++;
		h->retries++;
		if (c != &h->token)
			h->pending--; /* http_start counts it again */
		http_start(h, c, d);
	}
}

/* A call's try has ended with curl's code cc: what now. */
static void
tried(struct http *h, struct http_call *c, CURLcode cc)
{
	struct http_call **p;
	curl_off_t ra = 0;

	for (p = &h->flying; *p != c; p = &(*p)->next)
		;
	*p = c->next;
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &c->status);
	curl_easy_getinfo(c->easy, CURLINFO_RETRY_AFTER, &ra);
	curl_multi_remove_handle(h->multi, c->easy);
	easy_done(h, c->easy);
	c->easy = NULL;
	h->running--;
	c->retry_after = (double)ra;
	/* An answer is the adaptive limit's sample; a transport error is
	 * not (it says nothing of the service's pace). */
	if (h->o.adaptive && c != &h->token && cc == CURLE_OK) {
		double now = http_now();

		aimd_answer(&h->aimd, now, now - c->sent_at,
		    c->status == 429 || c->status == 503);
	}
	c->not_sent = cc == CURLE_COULDNT_CONNECT ||
	              cc == CURLE_COULDNT_RESOLVE_HOST ||
	              cc == CURLE_COULDNT_RESOLVE_PROXY;
	if (cc != CURLE_OK) {
		c->status = 0;
		if (misconfigured(c, cc)) {
			end(h, c, HTTP_MISCONFIGURED);
			return;
		}
		buf_reset(&c->err);
		buf_printf(&c->err, "%s", curl_easy_strerror(cc));
		if (retryable_error(cc))
			failed(h, c);
		else
			end(h, c, HTTP_UNAVAILABLE);
	} else if (c->status == 429 || c->status >= 500) {
		buf_reset(&c->err);
		buf_printf(&c->err, "HTTP %ld", c->status);
		failed(h, c);
	} else if (c->status == 401 && c->auth && h->oauth) {
		if (c->auth_renewed) {
			buf_printf(&c->err,
			    "credentials refused: HTTP 401 with a new token");
			end(h, c, HTTP_REFUSED);
			return;
		}
		/* Once per call: a new token, then the same request. */
		c->auth_renewed = 1;
		if (c->token_gen == h->oauth->gen)
			oauth_forget(h->oauth);
		push(&h->queue, &h->qtail, c);
	} else {
		end(h, c, HTTP_ANSWER);
	}
}

static void
collect(struct http *h)
{
	struct http_call *c;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(
		    m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		tried(h, c, m->data.result);
	}
}

/* Milliseconds until the first timer, at most max. */
static int
until_timer(const struct http *h, int max)
{
	const struct http_call *c;
	double now = http_now(), ms;
	int best = max;

	for (c = h->timers; c; c = c->next) {
		ms = (c->start_at - now) * 1000 + 1;
		if (ms < best)
			best = ms < 0 ? 0 : (int)ms;
	}
	return best;
}

static void
step(struct http *h)
{
	int still;

	admit(h);
	curl_multi_perform(h->multi, &still);
	collect(h);
	/* A call that ended is told before a queued one takes its slot: a
	 * stage that stops on a failure then starts nothing after it. */
	if (h->ended == NULL)
		admit(h);
}

unsigned
http_poll(struct http *h, int timeout_ms)
{
	struct http_call *c;
	int wait;

	step(h);
	if (h->ended == NULL && timeout_ms > 0) {
		wait = until_timer(h, timeout_ms);
		/* Nothing on the wire and a queue held back by the token:
		 * the token request is on the wire, so this is not idle. */
		curl_multi_poll(h->multi, NULL, 0, wait, NULL);
		step(h);
	}
	/* A call stays pending until its callback has run, so that whoever
	 * waits for nothing to be pending (a stage that stopped) never sees
	 * a call whose end it has not been told. */
	while ((c = h->ended) != NULL) {
		h->ended = c->next;
		c->next = NULL;
		if (c != &h->token)
			h->pending--;
		c->done(c);
	}
	return h->pending;
}

/* Ends with HTTP_CANCELLED the calls of a list but the token request. */
static void
cancel_list(struct http *h, struct http_call **p)
{
	struct http_call *c;

	while ((c = *p) != NULL) {
		if (c == &h->token) {
			p = &c->next;
			continue;
		}
		*p = c->next;
		buf_reset(&c->err);
		buf_adds(&c->err, "not sent: delivery stopped");
		end(h, c, HTTP_CANCELLED);
	}
}

void
http_cancel(struct http *h)
{
	struct http_call *c;

	cancel_list(h, &h->queue);
	for (h->qtail = NULL, c = h->queue; c; c = c->next)
		h->qtail = c;
	cancel_list(h, &h->timers);
	cancel_list(h, &h->waiting);
}

void
http_wakeup(struct http *h)
{
	curl_multi_wakeup(h->multi);
}

unsigned long long
http_retries(const struct http *h)
{
	return h->retries;
}

unsigned long long
http_requests(const struct http *h)
{
	return h ? h->requests : 0;
}

const struct aimd *
http_aimd(const struct http *h)
{
	return h->o.adaptive ? &h->aimd : NULL;
}

unsigned
http_pending(const struct http *h)
{
	return h->pending;
}

int
http_failure(const struct http_call *c, const char *what, const char *doing,
    struct buf *out)
{
	const char *err = c->err.len ? c->err.data : "no answer";
	int unavailable =
	    c->result != HTTP_REFUSED && c->result != HTTP_MISCONFIGURED;

	buf_printf(out, "%s%s%s%s: %s", what, unavailable ? " unavailable" : "",
	    doing ? " while " : "", doing ? doing : "", err);
	if (c->result == HTTP_REFUSED)
		return EXIT_NOPERM;
	return unavailable ? EXIT_UNAVAILABLE : EXIT_USAGE;
}

int
http_check_url(const char *url, struct buf *why)
{
	CURLU *u = curl_url();
	CURLUcode uc;
	char *scheme = NULL, *host = NULL;
	int rc = -1;

	if (u == NULL) {
		buf_adds(why, "cannot check the URL (libcurl)");
		return -1;
	}
	if (*url == '\0') {
		buf_adds(why, "the URL is empty");
		goto out;
	}
	if (strstr(url, "://") == NULL) {
		buf_adds(why, "not a URL: give http://HOST or https://HOST");
		goto out;
	}
	/* Any scheme is parsed, so that an unsupported one is named. */
	uc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	if (uc != CURLUE_OK) {
		buf_printf(why, "not a URL libcurl can use: %s",
		    curl_url_strerror(uc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		buf_printf(why,
		    "%s%s URLs are not supported: give http://HOST or "
		    "https://HOST",
		    scheme ? scheme : "", scheme ? "://" : "");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0') {
		buf_adds(why, "the URL has no host");
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* Whether a line opens a PEM certificate ("TRUSTED CERTIFICATE" too). */
static int
pem_begin(const char *line)
{
	return strncmp(line, "-----BEGIN ", 11) == 0 &&
	       strstr(line, "CERTIFICATE-----") != NULL;
}

int
http_check_cacert(const char *path, struct buf *why)
{
	struct stat sb;
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	int found = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		buf_printf(why, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &sb) < 0 || !S_ISREG(sb.st_mode)) {
		buf_printf(why, "%s: not a file", path);
		fclose(fp);
		return -1;
	}
	while (!found && getline(&line, &cap, fp) >= 0)
		found = pem_begin(line);
	if (!found)
		buf_printf(why, "%s: %s", path,
		    ferror(fp) ? strerror(errno)
		               : "no PEM certificate in it (no \"-----BEGIN "
		                 "CERTIFICATE-----\" line)");
	free(line);
	fclose(fp);
	return found ? 0 : -1;
}
