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
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "answer.h"
#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "fetch.h"
#include "http.h"
#include "onecall.h"
#include "progress.h"
#include "redact.h"
#include "schedule.h"
#include "stopsig.h"
#include "utctime.h"
#include "wholefile.h"

#define SYNOPSIS "fetch-rtv [--since TIME] [--before TIME] [OPTIONS]"
#define GRACE 10.0  /* seconds a status question asked at the deadline gets */
#define FAILED (-1) /* fetch_report(): the report ended in "failed" */

struct opts {
	struct fetch_opts f; /* the window, --output, the waits, HTTP */
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
	char since[UTCTIME_SIZE], before[UTCTIME_SIZE]; /* the API's form */
	struct onecall one;
	double give_up_at; /* the deadline, on http_now()'s clock */
	struct progress prog;
	char unit[192];
	struct wholefile out; /* where the download goes */
};

/* --- calls ---------------------------------------------------------- */

/*
 * What the ended call came to: 0 for a 2xx answer, else an exit status
 * after saying what went wrong while doing what.
 */
static int
outcome(struct fetch *f, const char *what)
{
	struct buf msg = BUF_INIT;
	int rc = answer_outcome(&f->one.call, "Rock the Vote", what,
	    "partner credentials",
	    "check RTV_PARTNER_ID and RTV_PARTNER_API_KEY", &msg);

	if (rc != 0)
		redact_diag("%s", msg.data);
	buf_release(&msg);
	return rc;
}

/* The answer's body as a JSON object (a new reference), or NULL after
 * saying so. */
static json_t *
answer_json(struct fetch *f, const char *what)
{
	json_t *v = answer_object(&f->one.call);

	if (v == NULL)
		redact_diag(
		    "Rock the Vote's answer while %s is not a JSON object",
		    what);
	return v;
}

/* Appends the credentials as the query the API wants them in. */
static void
add_credentials(struct fetch *f, struct buf *url)
{
	url_add_query(url, "partner_API_key", f->key);
	url_add_query(url, "partner_id", f->partner_id);
}

/* --- the report ----------------------------------------------------- */

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
	url_join(&f->one.call.url, f->base, "/registrant_reports");
	rc = http_set_json(&f->one.call, req);
	json_decref(req);
	if (rc != 0) {
		redact_diag("cannot make the request %s", what);
		return EXIT_UNAVAILABLE;
	}
	/* Sent again after a lost answer, it may make a second report on
	 * Rock the Vote's side, which is harmless: only the one whose id
	 * came back is used. */
	f->one.call.idempotent = 1;
	rc = onecall_run(&f->one, "POST", 0, f->give_up_at + GRACE);
	if (rc == ONECALL_LATE) {
		redact_diag("no report created within the deadline (%g s)",
		    f->o->f.deadline);
		return EXIT_UNAVAILABLE;
	}
	if (rc == ONECALL_STOPPED)
		return 128 + stopsig;
	if ((rc = outcome(f, what)) != 0)
		return rc;
	if ((ans = answer_json(f, what)) == NULL)
		return EXIT_UNAVAILABLE;
	url = json_string_value(json_object_get(ans, "status_url"));
	if (url == NULL || url_last_segment(url, r->id, sizeof(r->id)) < 0) {
		redact_diag("Rock the Vote's answer while %s has no usable "
		            "status_url",
		    what);
		json_decref(ans);
		return EXIT_UNAVAILABLE;
	}
	status = json_string_value(json_object_get(ans, "status"));
	snprintf(
	    r->status, sizeof(r->status), "%s", status ? status : "queued");
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
		redact_diag(
		    "Rock the Vote's answer while %s has no status", what);
		json_decref(ans);
		return EXIT_UNAVAILABLE;
	}
	snprintf(r->status, sizeof(r->status), "%s", s);
	r->count = answer_count(json_object_get(ans, "record_count"));
	r->index = answer_count(json_object_get(ans, "current_index"));
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
	progress_of(&f->prog, r->index, r->count);
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
	redact_diag("report %s not complete after %g s (last status: %s%s): "
	            "giving up",
	    r->id, f->o->f.deadline, r->status, far.data ? far.data : "");
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
	struct schedule sched;
	double delay;
	char what[192];
	int rc;

	schedule_init(&sched, f->o->f.interval, FETCH_POLL_MAX, f->give_up_at);
	snprintf(what, sizeof(what), "asking for report %s's status", r->id);
	show(f, r);
	for (;;) {
		/* The last question goes out at the deadline. */
		if ((delay = schedule_delay(&sched, http_now())) < 0)
			return gave_up(f, r);
		url_join(&f->one.call.url, f->base, "/registrant_reports/");
		url_escape(&f->one.call.url, r->id);
		add_credentials(f, &f->one.call.url);
		rc = onecall_run(&f->one, "GET", delay, f->give_up_at + GRACE);
		if (rc == ONECALL_LATE)
			return gave_up(f, r);
		if (rc == ONECALL_STOPPED)
			return 128 + stopsig;
		if ((rc = outcome(f, what)) != 0 ||
		    (rc = read_status(f, r, what)) != 0)
			return rc;
		show(f, r);
		if (strcmp(r->status, "complete") == 0)
			return 0;
		if (strcmp(r->status, "failed") == 0)
			return FAILED;
		/* queued, building or anything new: ask again later. */
		schedule_stretch(&sched);
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

/* Downloads the complete report into f->out. 0, or an exit status. */
static int
download(struct fetch *f, const struct report *r)
{
	struct buf *url = &f->one.call.url;
	char what[192];

	snprintf(what, sizeof(what), "downloading report %s", r->id);
	/* A path is taken on the base's host. A URL too long for the call
	 * (-2) goes out cut short, as it always has. */
	if (r->download_url.len == 0 ||
	    url_resolve(url, f->base, r->download_url.data) == -1) {
		redact_diag(
		    "report %s is complete but has no usable download_url",
		    r->id);
		return EXIT_UNAVAILABLE;
	}
	add_credentials(f, url);
	snprintf(f->unit, sizeof(f->unit), "bytes of report %s", r->id);
	progress_init(&f->prog, f->unit);
	if (onecall_download(&f->one, &f->out, &f->prog) == ONECALL_STOPPED)
		return 128 + stopsig;
	if (f->out.err) {
		redact_diag("%s: cannot write report %s: %s",
		    f->out.where ? f->out.where : "temporary file", r->id,
		    strerror(f->out.err));
		return EXIT_IOERR;
	}
	return outcome(f, what);
}

/* --- the command line ----------------------------------------------- */

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Fetch a Rock the Vote registrant report for a time window and "
	    "write it, as CSV,\nto stdout: create the report, wait until it "
	    "is complete, download it.\n\n" FETCH_WINDOW_HELP
	    "  -R, --no-retry-failed     do not ask again when the report "
	    "fails\n"
	    "  -U, --url URL             the API (default: RTV_URL)\n" FETCH_HTTP_HELP
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

/* Parses the command line. 0, -1 when --help or --version was answered,
 * or an exit status. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    FETCH_LONGOPTS,
	    {"no-retry-failed", no_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv, ":" FETCH_SHORTOPTS "Rh", longopts,
	            NULL)) != -1) {
		if (ch == 'h') {
			usage();
			return -1;
		}
		if (ch == 'V') {
			cli_version();
			return -1;
		}
		if (ch == 'R')
			o->retry_failed = 0;
		else if ((rc = fetch_option(
		              &o->f, ch, optarg, argv, SYNOPSIS)) != 0)
			return rc == 1 ? cli_usage_error(SYNOPSIS,
			                     "unknown option '%s'",
			                     argv[optind - 1])
			               : rc;
	}
	if (optind < argc)
		return cli_usage_error(
		    SYNOPSIS, "unexpected argument '%s'", argv[optind]);
	/* -o FILE is checked before anything is asked of Rock the Vote, and
	 * whether its directory can be written is found at start too. */
	return fetch_check(&o->f, time(NULL), SYNOPSIS);
}

/* The service and the credentials. 0, or EXIT_USAGE. */
static int
configure(struct fetch *f, const struct opts *o)
{
	int rc;

	if ((rc = deliver_url(&o->f.d, "RTV_URL", &f->base)) != 0)
		return rc;
	if ((rc = fetch_credentials("partner credentials", "RTV_PARTNER_ID",
	         "RTV_PARTNER_API_KEY", &f->partner_id, &f->key)) != 0)
		return rc;
	redact_add(f->key);
	return 0;
}

/* --- main ----------------------------------------------------------- */

/* Sets the run up. 0, or an exit status. */
static int
setup(struct fetch *f, const struct opts *o)
{
	struct buf err = BUF_INIT;
	int rc;

	f->o = o;
	wholefile_init(&f->out);
	onecall_init(&f->one, &stopsig);
	utctime_format(o->f.since, f->since);
	utctime_format(o->f.before, f->before);
	if ((rc = configure(f, o)) != 0)
		return rc;
	if (wholefile_open(&f->out, o->f.output, "fetch-rtv") < 0) {
		diag(f->out.where, 0, "cannot write: %s", strerror(f->out.err));
		return EXIT_IOERR;
	}
	if (onecall_connect(&f->one, &o->f.d.http, &err) < 0) {
		diag(NULL, 0, "%s", err.data);
		buf_release(&err);
		return EXIT_UNAVAILABLE;
	}
	f->give_up_at = http_now() + o->f.deadline;
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
		redact_diag("report %s failed (for %s to %s)", r->id, f->since,
		    f->before);
		return EXIT_UNAVAILABLE;
	}
	redact_diag(
	    "report %s failed: asking for a new report for the same window",
	    r->id);
	memcpy(first, r->id, sizeof(first));
	if ((rc = fetch_report(f, r)) != FAILED)
		return rc;
	redact_diag(
	    "report %s (a new report for the window of report %s, %s to %s) "
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
	fetch_opts_init(&o.f);
	o.retry_failed = 1;
	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	buf_init(&r.download_url, 64 << 10);
	stopsig_catch(0);
	if ((rc = setup(&f, &o)) != 0)
		goto out;
	if ((rc = fetch_complete(&f, &r)) != 0)
		goto out;
	if ((rc = download(&f, &r)) != 0 ||
	    (rc = wholefile_deliver(&f.out, "report")) != 0)
		goto out;
	progress_done(&f.prog);
	if (r.count >= 0)
		buf_printf(&far, ", %lld records", r.count);
	diag(NULL, 0, "report %s complete%s, %llu bytes", r.id,
	    far.data ? far.data : "", f.out.bytes);
out:
	progress_done(&f.prog);
	if (stopsig && rc > 128)
		diag(NULL, 0, "interrupted: no report written");
	onecall_release(&f.one);
	wholefile_release(&f.out);
	buf_release(&r.download_url);
	buf_release(&far);
	redact_drop(f.key);
	return rc;
}
