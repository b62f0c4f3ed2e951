/*
 * fetch-rtv: a Rock the Vote registrant report, as CSV on stdout.
 *
 * Rock the Vote's partner API (v4) builds a report of the registrations
 * started in a time window when asked to: fetch-rtv creates one (POST
 * registrant_reports with the window and the partner's credentials), asks
 * for its status (queued, building, complete or failed), waiting longer
 * between questions (x1.5, at most a minute) and giving up at a deadline,
 * then downloads the CSV. A report that fails is asked for once more, as a
 * new report for the same window, as the old importer did
 * (vendors/rock-the-vote/README.md).
 *
 * The download goes to a temporary file, never to memory, and reaches
 * stdout (or -o FILE, by rename) only once it is whole: a download cut
 * short is sent again from its start, and what reads the output
 * (csv2ndjson) never sees half a report.
 *
 * The API wants the key in the request body and in query strings; it is
 * read from the environment only, and every message is scrubbed of it
 * (redact.h), as the delivery stages' messages are of their secrets.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "deliver.h"
#include "diag.h"
#include "exitcode.h"
#include "http.h"
#include "progress.h"
#include "redact.h"

#define SYNOPSIS "fetch-rtv [--since TIME] [--before TIME] [OPTIONS]"
#define WINDOW                                                                 \
	(90 * 60)     /* the default window: the old importer's hourly         \
	                 pull, with its 30-minute overlap */
#define POLL_MAX 60.0 /* the longest wait between status questions */
#define GRACE 10.0    /* seconds a status question asked at the deadline gets */
#define FAILED (-1)   /* fetch_report(): the report ended in "failed" */

struct opts {
	struct deliver_opts d; /* --url, --timeout, --cacert, --retries... */
	const char *since_arg, *before_arg, *output;
	time_t since, before;
	double deadline, interval;
	int retry_failed;
};

struct report {
	char id[128];
	char status[32];
	long long count, index; /* record_count, current_index; -1 unknown */
	struct buf download_url;
};

struct fetch {
	const struct opts *o;
	const char *base, *partner_id, *key;
	char since[20], before[20]; /* "YYYY-MM-DD HH:MM:SS", UTC */
	struct http *http;
	struct http_call call;
	int ended;         /* the call has ended */
	double give_up_at; /* the deadline, on http_now()'s clock */
	struct progress prog;
	char unit[192];
	/* Where the download goes. */
	int fd;
	char *tmp; /* its name with -o (renamed at the end), else NULL */
	unsigned try;
	unsigned long long bytes;
	int sink_errno;
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

/* --- times ---------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* n digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * "YYYY-MM-DD HH:MM:SS" (UTC) or "YYYY-MM-DDTHH:MM:SSZ", a real date and
 * time from 1970 on, as seconds since the epoch. 0 or -1.
 */
static int
parse_time(const char *s, time_t *out)
{
	size_t len = strlen(s);
	int y, mo, d, h, mi, se;

	if (len == 19 && s[10] == ' ')
		;
	else if (len == 20 && s[10] == 'T' && s[19] == 'Z')
		;
	else
		return -1;
	if (s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    se < 0 || se > 59)
		return -1;
	*out = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	                se);
	return 0;
}

/* t as "YYYY-MM-DD HH:MM:SS" in UTC, the API's form. */
static void
format_time(time_t t, char out[20])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

/* --- messages ------------------------------------------------------- */

/*
 * Prints a message after replacing the API key (registered with redact.h)
 * wherever it appears in any of its forms: a server may echo what it was
 * sent.
 */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	struct buf msg = BUF_INIT_MAX(64 << 10);
	va_list ap;
	char *p;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	redact_buf(&msg);
	/* Server text may hold line breaks and escapes: one line, plain. */
	for (p = msg.data; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	diag(NULL, 0, "%s", msg.data ? msg.data : "(out of memory)");
	buf_release(&msg);
}

/* What an answer's body says, briefly: its "message" or "error", else
 * its first bytes. */
static void
gist(struct buf *out, const struct http_call *c)
{
	json_t *v =
	    json_loadb(c->resp.data ? c->resp.data : "", c->resp.len, 0, NULL);
	const char *s = NULL;

	if (json_is_object(v)) {
		s = json_string_value(json_object_get(v, "message"));
		if (s == NULL)
			s = json_string_value(json_object_get(v, "error"));
	}
	if (s)
		buf_printf(out, ": %.200s", s);
	else if (c->resp.len)
		buf_printf(out, ": %.200s", c->resp.data);
	json_decref(v);
}

/* --- calls ---------------------------------------------------------- */

static void
ended(struct http_call *c)
{
	((struct fetch *)c->arg)->ended = 1;
}

/* Starts f->call afresh (its own retry budget) after delay seconds. */
static void
start(struct fetch *f, const char *method, double delay)
{
	f->ended = 0;
	f->call.tries = 0;
	f->call.retries_seen = 0;
	f->call.method = method;
	http_start(f->http, &f->call, delay);
}

/*
 * Runs f->call to its end; with a limit (on http_now()'s clock; 0: none)
 * stops waiting then. 0 ended, 1 past the limit, 2 interrupted.
 */
static int
run_call(struct fetch *f, double limit)
{
	double left;
	int ms;

	while (!f->ended) {
		if (interrupted)
			return 2;
		ms = 1000;
		if (limit > 0) {
			left = limit - http_now();
			if (left <= 0)
				return 1;
			if (left * 1000 < ms)
				ms = (int)(left * 1000) + 1;
		}
		http_poll(f->http, ms);
	}
	return 0;
}

/*
 * What the ended call came to: 0 for a 2xx answer, else an exit status
 * after saying what went wrong while doing what.
 */
static int
outcome(struct fetch *f, const char *what)
{
	struct http_call *c = &f->call;
	struct buf g = BUF_INIT;
	int rc;

	if (c->result != HTTP_ANSWER) {
		rc = http_failure(c, "Rock the Vote", what, &g);
		say("%s", g.data);
		buf_release(&g);
		return rc;
	}
	if (c->status >= 200 && c->status < 300)
		return 0;
	gist(&g, c);
	if (c->status == 401 || c->status == 403) {
		say("Rock the Vote refused the partner credentials while %s "
		    "(HTTP %ld%s): check RTV_PARTNER_ID and "
		    "RTV_PARTNER_API_KEY",
		    what, c->status, g.data ? g.data : "");
		rc = EXIT_NOPERM;
	} else {
		say("Rock the Vote answered HTTP %ld while %s%s", c->status,
		    what, g.data ? g.data : "");
		rc = EXIT_UNAVAILABLE;
	}
	buf_release(&g);
	return rc;
}

/* The answer's body as a JSON object (a new reference), or NULL after
 * saying so. */
static json_t *
answer_json(struct fetch *f, const char *what)
{
	json_t *v = json_loadb(f->call.resp.data ? f->call.resp.data : "",
	    f->call.resp.len, 0, NULL);

	if (!json_is_object(v)) {
		say("Rock the Vote's answer while %s is not a JSON object",
		    what);
		json_decref(v);
		return NULL;
	}
	return v;
}

/* Appends the credentials as the query the API wants them in. */
static void
add_credentials(struct fetch *f, struct buf *url)
{
	buf_adds(url, strchr(url->data, '?') ? "&" : "?");
	buf_adds(url, "partner_API_key=");
	url_escape(url, f->key);
	buf_adds(url, "&partner_id=");
	url_escape(url, f->partner_id);
}

/* Wipes what the call sent (the key) once it has ended. */
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

/* --- the report ----------------------------------------------------- */

/* The report id: the last path segment of status_url. 0 or -1. */
static int
report_id(const char *url, char *id, size_t size)
{
	const char *end = url + strcspn(url, "?#"), *p;
	size_t n;

	while (end > url && end[-1] == '/')
		end--;
	for (p = end; p > url && p[-1] != '/'; p--)
		;
	n = (size_t)(end - p);
	if (n == 0 || n >= size ||
	    strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	              "nopqrstuvwxyz0123456789-_.") < n)
		return -1;
	memcpy(id, p, n);
	id[n] = '\0';
	return 0;
}

/* A count in an answer: a number or a string of digits; -1 otherwise. */
static long long
count_of(const json_t *v)
{
	unsigned long long n;

	if (json_is_integer(v))
		return json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
	if (json_is_real(v) && json_real_value(v) >= 0 &&
	    json_real_value(v) < 9e15)
		return (long long)json_real_value(v);
	if (json_is_string(v) &&
	    cli_uint(json_string_value(v), 1ULL << 53, &n) == 0)
		return (long long)n;
	return -1;
}

static void
set_status(struct report *r, const char *s)
{
	snprintf(r->status, sizeof(r->status), "%s", s);
}

/* Creates a report for the window. 0, or an exit status. */
static int
create_report(struct fetch *f, struct report *r)
{
	static const char *what = "creating a report";
	json_t *req = json_object(), *ans;
	const char *url, *status;
	int rc;

	json_object_set_new(req, "since", json_string(f->since));
	json_object_set_new(req, "before", json_string(f->before));
	json_object_set_new(req, "partner_API_key", json_string(f->key));
	json_object_set_new(req, "partner_id", json_string(f->partner_id));
	url_join(&f->call.url, f->base, "/registrant_reports");
	rc = http_set_json(&f->call, req);
	json_decref(req);
	if (rc != 0) {
		say("cannot make the request %s", what);
		return EXIT_UNAVAILABLE;
	}
	/* Sent again after a lost answer, it may make a second report on
	 * Rock the Vote's side, which is harmless: only the one whose id
	 * came back is used. */
	f->call.idempotent = 1;
	start(f, "POST", 0);
	rc = run_call(f, f->give_up_at + GRACE);
	wipe(&f->call);
	if (rc == 1) {
		say("no report created within the deadline (%g s)",
		    f->o->deadline);
		return EXIT_UNAVAILABLE;
	}
	if (rc == 2)
		return 128 + interrupted;
	if ((rc = outcome(f, what)) != 0)
		return rc;
	if ((ans = answer_json(f, what)) == NULL)
		return EXIT_UNAVAILABLE;
	url = json_string_value(json_object_get(ans, "status_url"));
	if (url == NULL || report_id(url, r->id, sizeof(r->id)) < 0) {
		say("Rock the Vote's answer while %s has no usable "
		    "status_url",
		    what);
		json_decref(ans);
		return EXIT_UNAVAILABLE;
	}
	status = json_string_value(json_object_get(ans, "status"));
	set_status(r, status ? status : "queued");
	r->count = r->index = -1;
	json_decref(ans);
	return 0;
}

/* Takes a status answer into r. 0, or an exit status. */
static int
read_status(struct fetch *f, struct report *r, const char *what)
{
	json_t *ans = answer_json(f, what);
	const char *s, *url;

	if (ans == NULL)
		return EXIT_UNAVAILABLE;
	if ((s = json_string_value(json_object_get(ans, "status"))) == NULL) {
		say("Rock the Vote's answer while %s has no status", what);
		json_decref(ans);
		return EXIT_UNAVAILABLE;
	}
	set_status(r, s);
	r->count = count_of(json_object_get(ans, "record_count"));
	r->index = count_of(json_object_get(ans, "current_index"));
	url = json_string_value(json_object_get(ans, "download_url"));
	buf_reset(&r->download_url);
	if (url)
		buf_adds(&r->download_url, url);
	json_decref(ans);
	return 0;
}

/* Redraws the progress line (a terminal only) for the report. */
static void
show(struct fetch *f, const struct report *r)
{
	snprintf(f->unit, sizeof(f->unit), "records of report %s (%s)", r->id,
	    r->status);
	f->prog.done = r->index > 0 ? (unsigned long long)r->index : 0;
	f->prog.fraction =
	    r->count > 0 && r->index >= 0 ? (double)r->index / r->count : -1;
	if (f->prog.fraction > 1)
		f->prog.fraction = 1;
	progress_update(&f->prog, 1);
}

/* ", 40/340 records" when the report said how far it is. */
static void
how_far(struct buf *out, const struct report *r)
{
	if (r->index >= 0 && r->count >= 0)
		buf_printf(out, ", %lld/%lld records", r->index, r->count);
	else if (r->count >= 0)
		buf_printf(out, ", %lld records", r->count);
}

static int
gave_up(struct fetch *f, const struct report *r)
{
	struct buf far = BUF_INIT;

	how_far(&far, r);
	say("report %s not complete after %g s (last status: %s%s): "
	    "giving up",
	    r->id, f->o->deadline, r->status, far.data ? far.data : "");
	buf_release(&far);
	return EXIT_UNAVAILABLE;
}

/*
 * Asks for the report's status until it is complete (0) or failed
 * (FAILED), waiting longer each time; or an exit status.
 */
static int
wait_report(struct fetch *f, struct report *r)
{
	double wait = f->o->interval, most, left;
	char what[192];
	int rc;

	most = f->o->interval > POLL_MAX ? f->o->interval : POLL_MAX;
	snprintf(what, sizeof(what), "asking for report %s's status", r->id);
	show(f, r);
	for (;;) {
		if ((left = f->give_up_at - http_now()) <= 0)
			return gave_up(f, r);
		/* The last question goes out at the deadline. */
		url_join(&f->call.url, f->base, "/registrant_reports/");
		url_escape(&f->call.url, r->id);
		add_credentials(f, &f->call.url);
		start(f, "GET", wait < left ? wait : left);
		rc = run_call(f, f->give_up_at + GRACE);
		wipe(&f->call);
		if (rc == 1)
			return gave_up(f, r);
		if (rc == 2)
			return 128 + interrupted;
		if ((rc = outcome(f, what)) != 0 ||
		    (rc = read_status(f, r, what)) != 0)
			return rc;
		show(f, r);
		if (strcmp(r->status, "complete") == 0)
			return 0;
		if (strcmp(r->status, "failed") == 0)
			return FAILED;
		/* queued, building or anything new: ask again later. */
		wait = wait * 1.5 < most ? wait * 1.5 : most;
	}
}

/* Creates a report and waits for it: 0 complete, FAILED, or a status. */
static int
fetch_report(struct fetch *f, struct report *r)
{
	int rc;

	if ((rc = create_report(f, r)) != 0)
		return rc;
	return wait_report(f, r);
}

/* --- the download --------------------------------------------------- */

/* Takes the report's bytes as they come (http.h's sink). */
static int
sink(struct http_call *c, const char *p, size_t n)
{
	struct fetch *f = c->arg;
	ssize_t w;

	if (c->tries != f->try) {
		/* A new try sends the report from its start again. */
		f->try = c->tries;
		f->bytes = 0;
		if (ftruncate(f->fd, 0) < 0 || lseek(f->fd, 0, SEEK_SET) < 0) {
			f->sink_errno = errno;
			return -1;
		}
	}
	while (n > 0) {
		if ((w = write(f->fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			f->sink_errno = errno;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		f->bytes += (unsigned long long)w;
	}
	f->prog.done = f->bytes;
	progress_update(&f->prog, 0);
	return 0;
}

/* The download URL, absolute (a path is taken on the base's host). */
static int
download_url(struct fetch *f, const struct report *r, struct buf *url)
{
	const char *u = r->download_url.data, *host;

	buf_reset(url);
	if (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0) {
		buf_adds(url, u);
	} else if (u[0] == '/' && (host = strstr(f->base, "://")) != NULL) {
		host += 3;
		buf_add(url, f->base,
		    (size_t)(host - f->base) + strcspn(host, "/?#"));
		buf_adds(url, u);
	} else {
		return -1;
	}
	add_credentials(f, url);
	return 0;
}

/* Downloads the complete report into f->fd. 0, or an exit status. */
static int
download(struct fetch *f, const struct report *r)
{
	char what[192];
	int rc;

	snprintf(what, sizeof(what), "downloading report %s", r->id);
	if (r->download_url.len == 0 || download_url(f, r, &f->call.url) < 0) {
		say("report %s is complete but has no usable download_url",
		    r->id);
		return EXIT_UNAVAILABLE;
	}
	snprintf(f->unit, sizeof(f->unit), "bytes of report %s", r->id);
	progress_init(&f->prog, f->unit);
	f->call.sink = sink;
	start(f, "GET", 0);
	rc = run_call(f, 0);
	f->call.sink = NULL;
	wipe(&f->call);
	if (rc == 2)
		return 128 + interrupted;
	if (f->sink_errno) {
		say("%s: cannot write report %s: %s",
		    f->tmp ? f->tmp : "temporary file", r->id,
		    strerror(f->sink_errno));
		return EXIT_IOERR;
	}
	return outcome(f, what);
}

/* Opens the file the download goes to. 0, or an exit status. */
static int
open_spool(struct fetch *f)
{
	const char *dir = getenv("TMPDIR");
	struct buf path = BUF_INIT;

	if (f->o->output)
		buf_printf(&path, "%s.tmp-XXXXXX", f->o->output);
	else
		buf_printf(
		    &path, "%s/fetch-rtv-XXXXXX", dir && *dir ? dir : "/tmp");
	/* Mode 0600: the report holds people's names and addresses. */
	if ((f->fd = mkstemp(path.data)) < 0) {
		diag(f->o->output  ? f->o->output
		     : dir && *dir ? dir
		                   : "/tmp",
		    0, "cannot write: %s", strerror(errno));
		buf_release(&path);
		return EXIT_IOERR;
	}
	if (f->o->output) {
		f->tmp = path.data; /* renamed once the report is whole */
		return 0;
	}
	unlink(path.data); /* gone when closed, whatever happens */
	buf_release(&path);
	return 0;
}

/* The whole report to its destination. 0, or an exit status. */
static int
deliver_report(struct fetch *f)
{
	char chunk[64 << 10];
	ssize_t n;

	if (f->tmp) {
		if (fsync(f->fd) < 0 || close(f->fd) < 0) {
			f->fd = -1;
			diag(f->tmp, 0, "cannot write: %s", strerror(errno));
			return EXIT_IOERR;
		}
		f->fd = -1;
		if (rename(f->tmp, f->o->output) < 0) {
			diag(f->o->output, 0, "cannot write: %s",
			    strerror(errno));
			return EXIT_IOERR;
		}
		free(f->tmp);
		f->tmp = NULL;
		return 0;
	}
	if (lseek(f->fd, 0, SEEK_SET) < 0)
		goto bad;
	while ((n = read(f->fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto bad;
		if (fwrite(chunk, 1, (size_t)n, stdout) != (size_t)n)
			break; /* out_finish() says why */
	}
	return out_finish();
bad:
	diag(NULL, 0, "cannot read the downloaded report back: %s",
	    strerror(errno));
	return EXIT_IOERR;
}

/* --- the command line ----------------------------------------------- */

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Fetch a Rock the Vote registrant report for a time window and "
	    "write it, as CSV,\nto stdout: create the report, wait until it "
	    "is complete, download it.\n\n"
	    "  -s, --since TIME          the window's start (default: "
	    "--before minus 90 min)\n"
	    "  -b, --before TIME         the window's end (default: now)\n"
	    "                            TIME is UTC, \"YYYY-MM-DD HH:MM:SS\" "
	    "or\n"
	    "                            YYYY-MM-DDTHH:MM:SSZ\n"
	    "  -o, --output FILE         write the report to FILE (whole, by "
	    "rename)\n"
	    "  -d, --deadline S          give up when the report is not "
	    "complete S seconds\n"
	    "                            after the start (default 1800)\n"
	    "  -p, --poll-interval S     the first wait between status "
	    "questions (default 5;\n"
	    "                            then x1.5 each time, up to 60)\n"
	    "  -R, --no-retry-failed     do not ask again when the report "
	    "fails\n"
	    "  -U, --url URL             the API (default: RTV_URL)\n"
	    "  -T, --timeout S           a request's time limit, the "
	    "download's included\n"
	    "                            (default 300)\n"
	    "  -O, --connect-timeout S   a connection's time limit (default "
	    "10)\n"
	    "  -N, --retries N           retries of a failed request (default "
	    "8)\n"
	    "  -M, --retry-max-time S    stop retrying a request after S "
	    "seconds (300)\n"
	    "  -A, --cacert FILE         trust the CA certificates in FILE "
	    "too\n"
	    "  -h, --help                show this help\n"
	    "      --version             show the version\n\n"
	    "Environment: RTV_URL (such as "
	    "https://register.rockthevote.com/api/v4),\n"
	    "RTV_PARTNER_ID and RTV_PARTNER_API_KEY (the key is taken from "
	    "nowhere else).\n"
	    "Exit status: 0 ok, 64 usage or configuration (a time in the "
	    "future, a bad URL,\n--cacert or --output, the server's "
	    "certificate not trusted), 69 the report\nfailed (twice), was not "
	    "complete by the deadline, or Rock the Vote stayed\nunavailable, "
	    "74 I/O error (an -o directory that cannot be written: found\n"
	    "before asking), 77 credentials refused, 128 + the signal when "
	    "interrupted.\n\n"
	    "Example:\n"
	    "  fetch-rtv --since '2024-11-05 00:00:00' --before "
	    "2024-11-05T01:30:00Z |\n"
	    "      csv2ndjson --source rock-the-vote > "
	    "registrations.ndjson\n");
}

/* Seconds, more than 0 and at most max. 0 or -1. */
static int
seconds(const char *arg, double max, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end != '\0' || !(v > 0 && v <= max))
		return -1;
	*out = v;
	return 0;
}

/* Handles an option (what getopt_long returned). 0, or an exit status. */
static int
own_option(struct opts *o, int ch, const char *arg, char **argv)
{
	switch (ch) {
	case 's':
		o->since_arg = arg;
		return 0;
	case 'b':
		o->before_arg = arg;
		return 0;
	case 'o':
		o->output = strcmp(arg, "-") == 0 ? NULL : arg;
		return 0;
	case 'd':
		if (seconds(arg, 7 * 86400, &o->deadline) < 0)
			return cli_usage_error(SYNOPSIS,
			    "--deadline takes seconds, more than 0 and at most "
			    "a week");
		return 0;
	case 'p':
		if (seconds(arg, 3600, &o->interval) < 0)
			return cli_usage_error(SYNOPSIS,
			    "--poll-interval takes seconds, more than 0 and at "
			    "most 3600");
		return 0;
	case 'R':
		o->retry_failed = 0;
		return 0;
	case 'U':
	case 'T':
	case 'O':
	case 'N':
	case 'M':
	case 'A':
		return deliver_option(&o->d, ch, arg, SYNOPSIS);
	case ':':
		return cli_usage_error(
		    SYNOPSIS, "option '%s' needs a value", argv[optind - 1]);
	default:
		return cli_usage_error(
		    SYNOPSIS, "unknown option '%s'", argv[optind - 1]);
	}
}

/*
 * A time given that is after now: Rock the Vote has no registrations from
 * the future, and a report of a window still open would miss those to
 * come, with nothing to say so. 0, or EXIT_USAGE.
 */
static int
not_future(const char *opt, const char *arg, time_t t, time_t now)
{
	char at[20];

	if (arg == NULL || t <= now)
		return 0;
	format_time(now, at);
	return cli_usage_error(SYNOPSIS,
	    "the time '%s' for %s is in the future (it is %s UTC now)", arg,
	    opt, at);
}

/* The window from the options. 0, or EXIT_USAGE. */
static int
window(struct opts *o)
{
	time_t now = time(NULL);
	int rc;

	if (o->before_arg && parse_time(o->before_arg, &o->before) < 0)
		return cli_usage_error(SYNOPSIS,
		    "bad time '%s' for --before: use \"YYYY-MM-DD HH:MM:SS\" "
		    "(UTC) or YYYY-MM-DDTHH:MM:SSZ",
		    o->before_arg);
	if (o->since_arg && parse_time(o->since_arg, &o->since) < 0)
		return cli_usage_error(SYNOPSIS,
		    "bad time '%s' for --since: use \"YYYY-MM-DD HH:MM:SS\" "
		    "(UTC) or YYYY-MM-DDTHH:MM:SSZ",
		    o->since_arg);
	if ((rc = not_future("--before", o->before_arg, o->before, now)) != 0 ||
	    (rc = not_future("--since", o->since_arg, o->since, now)) != 0)
		return rc;
	if (o->before_arg == NULL)
		o->before = now;
	if (o->since_arg == NULL)
		o->since = o->before - WINDOW;
	if (o->since >= o->before)
		return cli_usage_error(SYNOPSIS,
		    "the window is empty: --since must be before "
		    "--before (or now)");
	return 0;
}

/*
 * -o FILE names where the report is renamed to once whole, so it must be a
 * file name, checked before anything is asked of Rock the Vote: not empty,
 * not a directory, not a device or a pipe (a rename would replace it, and
 * /dev/stdout is not a way to stdout here: leave -o out). Whether its
 * directory can be written is found by open_spool(), at start too. 0, or
 * EXIT_USAGE.
 */
static int
check_output(const char *path)
{
	struct stat sb;
	size_t n = strlen(path);
	int exists = n > 0 && stat(path, &sb) == 0;

	if (n == 0)
		return cli_usage_error(
		    SYNOPSIS, "--output needs a file name (or - for stdout)");
	if (path[n - 1] == '/' || (exists && S_ISDIR(sb.st_mode)))
		return cli_usage_error(SYNOPSIS,
		    "--output '%s' is a directory: name the file to write",
		    path);
	if (exists && !S_ISREG(sb.st_mode))
		return cli_usage_error(SYNOPSIS,
		    "--output '%s' is not a regular file: leave --output out to "
		    "write to stdout",
		    path);
	return 0;
}

/* Parses the command line. 0, -1 when --help or --version was answered,
 * or an exit status. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"before", required_argument, NULL, 'b'},
	    {"output", required_argument, NULL, 'o'},
	    {"deadline", required_argument, NULL, 'd'},
	    {"poll-interval", required_argument, NULL, 'p'},
	    {"no-retry-failed", no_argument, NULL, 'R'},
	    {"url", required_argument, NULL, 'U'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"connect-timeout", required_argument, NULL, 'O'},
	    {"retries", required_argument, NULL, 'N'},
	    {"retry-max-time", required_argument, NULL, 'M'},
	    {"cacert", required_argument, NULL, 'A'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv, ":s:b:o:d:p:RU:T:O:N:M:A:h",
	            longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage();
			return -1;
		}
		if (ch == 'V') {
			cli_version();
			return -1;
		}
		if ((rc = own_option(o, ch, optarg, argv)) != 0)
			return rc;
	}
	if (optind < argc)
		return cli_usage_error(
		    SYNOPSIS, "unexpected argument '%s'", argv[optind]);
	if (o->output && (rc = check_output(o->output)) != 0)
		return rc;
	return window(o);
}

/* An environment variable that is set and not empty, or NULL. */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* Whether s can go into JSON (the create request's body). */
static int
utf8(const char *s)
{
	json_t *v = json_string(s);
	int ok = v != NULL;

	json_decref(v);
	return ok;
}

/* The service and the credentials. 0, or EXIT_USAGE. */
static int
configure(struct fetch *f, const struct opts *o)
{
	int rc;

	f->base = o->d.url ? o->d.url : env("RTV_URL");
	if (f->base == NULL) {
		diag(NULL, 0, "no service: set RTV_URL or use --url URL");
		return EXIT_USAGE;
	}
	if ((rc = deliver_check(
	         &o->d, f->base, o->d.url ? "--url" : "RTV_URL")) != 0)
		return rc;
	f->partner_id = env("RTV_PARTNER_ID");
	f->key = env("RTV_PARTNER_API_KEY");
	if (f->partner_id == NULL || f->key == NULL) {
		diag(NULL, 0, "no partner credentials: set %s",
		    f->partner_id == NULL && f->key == NULL
		        ? "RTV_PARTNER_ID and RTV_PARTNER_API_KEY"
		    : f->partner_id == NULL ? "RTV_PARTNER_ID"
		                            : "RTV_PARTNER_API_KEY");
		return EXIT_USAGE;
	}
	if (!utf8(f->partner_id) || !utf8(f->key)) {
		diag(NULL, 0, "%s is not valid UTF-8",
		    utf8(f->partner_id) ? "RTV_PARTNER_API_KEY"
		                        : "RTV_PARTNER_ID");
		return EXIT_USAGE;
	}
	redact_add(f->key);
	return 0;
}

/* --- main ----------------------------------------------------------- */

static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Sets the run up. 0, or an exit status. */
static int
setup(struct fetch *f, const struct opts *o)
{
	struct buf err = BUF_INIT;
	int rc;

	f->o = o;
	f->fd = -1;
	http_call_init(&f->call);
	f->call.done = ended;
	f->call.arg = f;
	format_time(o->since, f->since);
	format_time(o->before, f->before);
	if ((rc = configure(f, o)) != 0)
		return rc;
	if ((rc = open_spool(f)) != 0)
		return rc;
	if ((f->http = http_new(&o->d.http, NULL, &err)) == NULL) {
		diag(NULL, 0, "%s", err.data);
		buf_release(&err);
		return EXIT_UNAVAILABLE;
	}
	f->give_up_at = http_now() + o->deadline;
	progress_init(&f->prog, f->unit);
	return 0;
}

/* Creates the report, once more if it fails, and waits for it. */
static int
fetch_complete(struct fetch *f, struct report *r)
{
	char first[sizeof(r->id)];
	int rc = fetch_report(f, r);

	if (rc != FAILED)
		return rc;
	progress_clear();
	if (!f->o->retry_failed) {
		say("report %s failed (for %s to %s)", r->id, f->since,
		    f->before);
		return EXIT_UNAVAILABLE;
	}
	say("report %s failed: asking for a new report for the same window",
	    r->id);
	memcpy(first, r->id, sizeof(first));
	if ((rc = fetch_report(f, r)) != FAILED)
		return rc;
	say("report %s (a new report for the window of report %s, %s to %s) "
	    "failed too: giving up",
	    r->id, first, f->since, f->before);
	return EXIT_UNAVAILABLE;
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	struct fetch f = {0};
	struct report r = {0};
	struct buf far = BUF_INIT;
	int rc;

	diag_init("fetch-rtv");
	deliver_opts_init(&o.d);
	o.d.http.concurrency = 1;
	o.d.http.timeout_ms = 300000;
	o.deadline = 1800;
	o.interval = 5;
	o.retry_failed = 1;
	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	buf_init(&r.download_url, 64 << 10);
	signals();
	if ((rc = setup(&f, &o)) != 0)
		goto out;
	if ((rc = fetch_complete(&f, &r)) != 0)
		goto out;
	if ((rc = download(&f, &r)) != 0 || (rc = deliver_report(&f)) != 0)
		goto out;
	progress_done(&f.prog);
	if (r.count >= 0)
		buf_printf(&far, ", %lld records", r.count);
	diag(NULL, 0, "report %s complete%s, %llu bytes", r.id,
	    far.data ? far.data : "", f.bytes);
out:
	progress_done(&f.prog);
	if (interrupted && rc > 128)
		diag(NULL, 0, "interrupted: no report written");
	http_free(f.http);
	http_call_release(&f.call);
	if (f.fd >= 0)
		close(f.fd);
	if (f.tmp) {
		unlink(f.tmp);
		free(f.tmp);
	}
	buf_release(&r.download_url);
	buf_release(&far);
	redact_drop(f.key);
	return rc;
}
