/*
 * post-mail: a templated e-mail per member record, through an e-mail API
 * of the shape of Amazon SES v2 SendBulkEmail, once per mailing and member.
 *
 * The mailing file (mailing.h) names the template, the sender, the
 * mailing's id and the member fields; the service (sesmail.h) tells the
 * template's {{variables}}, the send rate and the quota left. Before
 * anything is sent, a record is dropped when its member's subscription is
 * off ("unsubscribed"), rejected when it lacks an id, an address or a
 * variable's value, skipped when the mail ledger (mailledger.h) says it
 * was sent, and rejected as in doubt when its send went out unanswered
 * (unless --resend-in-doubt). The rest go out up to 50 a call, paced to
 * the send rate (bulkline.h), an intent in the ledger (synced) before each
 * call and a confirmation after. A call throttled (429), failed (5xx) or
 * never connected goes again after a backoff every call waits for; of a
 * call answered in part, only the destinations that failed transiently go
 * again; one whose answer was lost is in doubt, never sent blindly.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulkline.h"
#include "cli.h"
#include "deliver.h"
#include "diag.h"
#include "exitcode.h"
#include "jpath.h"
#include "mailing.h"
#include "mailledger.h"
#include "sesmail.h"
#include "stage.h"
#include "strset.h"

#define SYNOPSIS                                                               \
	"post-mail --mailing NAME|FILE --ledger FILE [OPTIONS] [FILE...]"

struct opts {
	struct deliver_opts d;
	const char *mailing, *ledger, *creds, *profile, *region;
	int resend;
};

/* A call of up to SESMAIL_BULK_MAX destinations. */
struct batch {
	struct http_call call;
	struct run *r;
	struct job *jobs[SESMAIL_BULK_MAX];
	const char *to[SESMAIL_BULK_MAX]; /* the jobs' addresses, data */
	json_t *data[SESMAIL_BULK_MAX];
	size_t n;
};

struct run {
	struct opts *o;
	struct deliver d;
	struct mailing m;
	struct mailledger ml;
	struct sesmail ses; /* the service: pace, quota, variables */
	struct buf err;
	const char *url;
	struct bulkline line; /* the records ready to go, and the pace */
	size_t flying, out;   /* calls in flight, destinations in them */
	struct strset seen;   /* the members sent to (or in line) this run */
	unsigned long long sent, skipped, doubt, retried, calls;
};

/* The ledger entry for a job's member, or a failure to write one. */
static int
note(struct run *r, struct job *j, const char *status, json_t *extra)
{
	const char *member = jpath_string(j->rec, r->m.member);
	int rc =
	    mailledger_append(&r->ml, r->m.id, member, status, extra, &r->err);

	json_decref(extra);
	if (rc < 0)
		deliver_stop(&r->d, EXIT_IOERR, "%s", r->err.data);
	return rc;
}

/* What the ledger says of a ready record: 0 to send it, 1 done with. */
static int
settled(struct run *r, struct job *j, const char *member)
{
	switch (mailledger_state(&r->ml, r->m.id, member)) {
	case MAIL_SENT:
		r->skipped++;
		job_meta(j, "mail", json_pack("{ss}", "result", "skipped"));
		job_finish(j);
		return 1;
	case MAIL_IN_DOUBT:
		if (r->o->resend)
			return 0;
		r->doubt++;
		job_reject(j,
		    "in doubt: a send of mailing '%s' went out and its answer "
		    "was lost; not sent again (--resend-in-doubt sends it)",
		    r->m.id);
		return 1;
	default:
		return 0;
	}
}

static void
start(struct deliver *d, struct job *j)
{
	struct run *r = d->ctx;
	const char *member = jpath_string(j->rec, r->m.member);
	const char *email = jpath_string(j->rec, r->m.email);
	json_t *data = NULL;

	if (member == NULL || *member == '\0')
		job_reject(j, "no member id (at %s)", r->m.member);
	else if (email == NULL || strchr(email, '@') == NULL)
		job_reject(j, "no e-mail address (at %s)", r->m.email);
	else if (mailing_unsubscribed(&r->m, j->rec))
		job_drop(j, "unsubscribed");
	else if ((data = sesmail_data(&r->ses, &r->m, j->rec, &r->err)) == NULL)
		job_reject(j, "%s", r->err.data);
	/* A member listed twice is sent once: the first record. */
	if (!j->done && !settled(r, j, member) && !strset_add(&r->seen, member))
		job_drop(j, "duplicate");
	if (j->done) {
		json_decref(data);
		return;
	}
	j->priv = data;
	bulkline_push(&r->line, j, 0, http_now());
}

static void bulk_done(struct http_call *c);

/* Sends the first n waiting jobs in one call, once the pace allows. */
static void
send_batch(struct run *r, size_t n)
{
	struct batch *b = xcalloc(1, sizeof(*b));
	json_t *body;
	size_t i;

	b->r = r;
	b->n = n;
	bulkline_take(&r->line, (void **)b->jobs, n, http_now());
	for (i = 0; i < n; i++) {
		b->to[i] = jpath_string(b->jobs[i]->rec, r->m.email);
		b->data[i] = b->jobs[i]->priv;
		if (note(r, b->jobs[i], "sending", NULL) < 0)
			break;
	}
	if (i < n || mailledger_sync(&r->ml, &r->err) < 0) {
		if (i == n)
			deliver_stop(&r->d, EXIT_IOERR, "%s", r->err.data);
		for (i = 0; i < n; i++)
			job_reject(
			    b->jobs[i], "not sent: %s", r->d.stop_why.data);
		free(b);
		return;
	}
	http_call_init(&b->call);
	b->call.method = "POST";
	b->call.idempotent = 0;
	b->call.done = bulk_done;
	b->call.arg = b;
	url_join(&b->call.url, r->url, "/v2/email/outbound-bulk-emails");
	body = sesmail_body(&r->m, b->to, b->data, n);
	http_set_json(&b->call, body);
	json_decref(body);
	r->flying++;
	r->out += n;
	r->calls++;
	http_start(r->d.http, &b->call, 0);
}

/* A call came back throttled or failed, nothing sent: all again later. */
static void
again(struct run *r, struct batch *b, const char *what)
{
	size_t i;

	if (bulkline_throttled(&r->line, b->call.retry_after,
	        r->o->d.http.retries, http_now()) < 0)
		deliver_stop(&r->d, EXIT_UNAVAILABLE,
		    "the e-mail service unavailable: %s after %u tries", what,
		    r->line.throttled);
	for (i = b->n; i-- > 0;) {
		if (note(r, b->jobs[i], "unsent", NULL) < 0)
			continue;
		if (r->d.stopped) {
			job_reject(
			    b->jobs[i], "not sent: %s", r->d.stop_why.data);
		} else {
			r->retried++;
			bulkline_push(&r->line, b->jobs[i], 1, http_now());
		}
	}
}

/* A 200: each destination's result, in order. */
static void
answered(struct run *r, struct batch *b, const json_t *ans)
{
	const json_t *res = json_object_get(ans, "BulkEmailEntryResults");
	size_t i, k = 0;

	for (i = 0; i < b->n; i++) {
		struct job *j = b->jobs[i];
		const json_t *e = json_array_get(res, i);
		const char *st = jpath_string(e, "Status");
		const char *id = jpath_string(e, "MessageId");
		const char *err = jpath_string(e, "Error");

		if (st == NULL) {
			r->doubt++;
			job_reject(j, "in doubt: the answer has no result for "
			              "it; not sent again");
		} else if (strcmp(st, "SUCCESS") == 0) {
			if (note(r, j, "sent",
			        json_pack("{ss}", "message_id", id ? id : "")) <
			    0)
				continue;
			r->sent++;
			r->ses.left -= r->ses.left > 0;
			job_meta(j, "mail",
			    json_pack("{ss,ss}", "result", "sent", "message_id",
			        id ? id : ""));
			job_finish(j);
		} else if (sesmail_transient(st) &&
		           (unsigned)j->state++ < r->o->d.http.retries) {
			if (note(r, j, "unsent", json_pack("{ss}", "why", st)) <
			    0)
				continue;
			r->retried++;
			b->jobs[k++] = j;
		} else if (note(r, j, "unsent", json_pack("{ss}", "why", st)) ==
		           0) {
			job_reject(j,
			    "not sent: the e-mail service answered %s%s%s", st,
			    err ? ": " : "", err ? err : "");
		}
	}
	/* The destinations to try again, in their order, first in line. */
	while (k-- > 0)
		bulkline_push(&r->line, b->jobs[k], 1, http_now());
	bulkline_answered(&r->line);
}

static void
bulk_done(struct http_call *c)
{
	struct batch *b = c->arg;
	struct run *r = b->r;
	json_t *ans;
	size_t i;

	r->flying--;
	r->out -= b->n;
	if (c->result == HTTP_ANSWER && c->status / 100 == 2 &&
	    (ans = json_loadb(c->resp.data, c->resp.len, 0, NULL)) != NULL) {
		answered(r, b, ans);
		json_decref(ans);
	} else if (c->result == HTTP_TRANSIENT && (c->status || c->not_sent)) {
		again(r, b, c->err.data);
	} else if (c->result == HTTP_ANSWER || c->result == HTTP_CANCELLED) {
		/* Refused whole (or never sent): nothing of it went out. */
		if (c->status == 403 || c->status == 401)
			deliver_stop(&r->d, EXIT_NOPERM,
			    "the e-mail service refused the credentials: HTTP "
			    "%ld %.200s",
			    c->status, c->resp.data ? c->resp.data : "");
		buf_reset(&c->err);
		if (c->result == HTTP_ANSWER)
			buf_printf(&c->err,
			    "the e-mail service answered HTTP "
			    "%ld %.300s",
			    c->status, c->resp.data ? c->resp.data : "");
		for (i = 0; i < b->n; i++)
			if (note(r, b->jobs[i], "unsent", NULL) == 0)
				job_reject(b->jobs[i], "not sent: %s",
				    c->status ? c->err.data
				              : r->d.stop_why.data);
	} else {
		/* No answer to a call that went out: in doubt, for good. */
		if (c->result != HTTP_TRANSIENT)
			deliver_failed(&r->d, c, "the e-mail service");
		for (i = 0; i < b->n; i++) {
			r->doubt++;
			job_reject(b->jobs[i],
			    "in doubt: the call went out and its answer was "
			    "lost (%s); not sent again",
			    c->err.data);
		}
	}
	http_call_release(c);
	free(b);
}

/* Once a turn: the calls the pace and the window allow. */
static void
advance(struct deliver *d)
{
	struct run *r = d->ctx;
	struct job *j;
	double now = http_now();
	long long left = r->ses.left - (long long)r->out;
	size_t n;

	while (!d->stopped && r->flying < r->o->d.http.concurrency &&
	       (n = bulkline_ready(
	            &r->line, now, d->input_ended || d->n == d->cap)) > 0) {
		if (r->ses.left >= 0 && left <= 0 && r->flying == 0) {
			bulkline_take(&r->line, (void **)&j, 1, now);
			job_reject(j,
			    "not sent: the account's 24-hour quota is "
			    "spent");
			continue;
		}
		if (r->ses.left >= 0 && (long long)n > left)
			n = (size_t)(left > 0 ? left : 0);
		if (n == 0)
			break;
		send_batch(r, n);
		left -= (long long)n;
	}
	/* A turn when the pace lets the next call go, or a short one. */
	d->wake_at = bulkline_wake(&r->line);
}

static void
release_job(struct deliver *d, struct job *j)
{
	(void)d;
	json_decref(j->priv);
	j->priv = NULL;
}

static const struct deliver_ops ops = {start, advance, release_job};

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Send each member record its templated e-mail of the mailing, "
	    "once, through an\nSES-shaped API (SendBulkEmail, 50 "
	    "destinations a call at most).\n\n"
	    "  -m, --mailing NAME|FILE   the mailing file "
	    "(mailings/NAME/mailing.json)\n"
	    "  -l, --ledger FILE         the mail ledger: who had it, who "
	    "is in doubt (required)\n"
	    "  -I, --resend-in-doubt     send again to the members whose "
	    "send is in doubt\n" SESMAIL_OPTIONS_HELP STAGE_OPTIONS_HELP
	    "\nEnvironment: AWS_SESSION_TOKEN, a session's token.\n"
	    "Each record goes on with _meta.mail = {\"result\": sent or "
	    "skipped, \"message_id\"};\nunsubscribed members are dropped, "
	    "records lacking a template's variable and\nthose in doubt "
	    "rejected with the reason. The summary ends with sent=N "
	    "skipped=N\nin_doubt=N retried=N calls=N requests=N.\n" DELIVER_EXIT_HELP
	    "\n"
	    "Example:\n  sample --quotas q.json members.ndjson | post-mail "
	    "--mailing sample \\\n      --ledger state/sample.mail --rejects "
	    "mail-rejects.ndjson > mailed.ndjson\n");
}

static int
parse_args(int argc, char **argv, struct opts *o, struct stage *st)
{
	static const struct option longopts[] = {
	    {"mailing", required_argument, NULL, 'm'},
	    {"ledger", required_argument, NULL, 'l'},
	    {"credentials-file", required_argument, NULL, 'C'},
	    {"profile", required_argument, NULL, 'p'},
	    {"region", required_argument, NULL, 'R'},
	    {"resend-in-doubt", no_argument, NULL, 'I'},
	    DELIVER_HTTP_LONGOPTS,
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv,
	            ":m:l:C:p:R:I" DELIVER_HTTP_SHORTOPTS STAGE_SHORTOPTS,
	            longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			o->mailing = optarg;
			break;
		case 'l':
			o->ledger = optarg;
			break;
		case 'C':
			o->creds = optarg;
			break;
		case 'p':
			o->profile = optarg;
			break;
		case 'R':
			o->region = optarg;
			break;
		case 'I':
			o->resend = 1;
			break;
		case 'h':
			usage();
			return -1;
		default:
			if ((rc = deliver_option(
			         &o->d, ch, optarg, SYNOPSIS)) == 1)
				rc = stage_option(st, ch, optarg, argv);
			if (rc != 0)
				return rc;
		}
	}
	if (o->mailing == NULL || o->ledger == NULL)
		return cli_usage_error(SYNOPSIS, "--%s is required",
		    o->mailing ? "ledger FILE" : "mailing NAME (or FILE)");
	return 0;
}

/* The mailing, the ledger, the keys, the URL. 0, or an exit status. */
static int
load(struct run *r)
{
	struct opts *o = r->o;
	const char *from;
	int rc;

	if ((rc = mailing_load(&r->m, o->mailing, &r->err)) != 0 ||
	    (rc = mailledger_open(&r->ml, o->ledger, 1, &r->err)) != 0 ||
	    (rc = sesmail_configure(&r->ses, &o->d.http, o->region, o->creds,
	         o->profile, o->d.url, &from, &r->err)) != 0) {
		diag(NULL, 0, "%s", r->err.data);
		return rc > 0 ? rc : ledger_exitcode(rc);
	}
	r->url = r->ses.url.data;
	if ((rc = deliver_check(&o->d, r->url, from)) == 0 &&
	    (rc = sesmail_ask(&r->ses, &o->d.http, &r->m, &r->err)) != 0)
		diag(NULL, 0, "%s", r->err.data);
	return rc;
}

static int
wrap_up(struct run *r, int rc)
{
	if (mailledger_sync(&r->ml, &r->err) < 0) {
		diag(NULL, 0, "%s", r->err.data);
		rc = exit_worst(rc, EXIT_IOERR);
	}
	diag(NULL, 0,
	    "sent=%llu skipped=%llu in_doubt=%llu retried=%llu calls=%llu "
	    "requests=%llu",
	    r->sent, r->skipped, r->doubt, r->retried, r->calls,
	    r->ses.requests + http_requests(r->d.http));
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	struct run r;
	struct stage st;
	int rc;

	memset(&r, 0, sizeof(r));
	strset_init(&r.seen);
	r.o = &o;
	buf_init(&r.err, 4096);
	sesmail_init(&r.ses);
	deliver_opts_init(&o.d);
	stage_init(&st, "post-mail", SYNOPSIS);
	if ((rc = parse_args(argc, argv, &o, &st)) != 0) {
		rc = rc < 0 ? EXIT_OK : rc;
		goto out;
	}
	deliver_init(&r.d, &st, &ops, &r, deliver_window(&o.d));
	if ((rc = load(&r)) != 0 ||
	    (rc = deliver_connect(&r.d, &o.d.http, NULL)) != 0 ||
	    (rc = stage_start(&st)) != 0)
		goto done;
	bulkline_init(&r.line, r.ses.rate, r.ses.size, 0.5);
	progress_init(&st.prog, "records");
	rc = deliver_run(&r.d, argc - optind, argv + optind);
	rc = wrap_up(&r, rc);
	rc = stage_finish(&st, rc);
done:
	deliver_release(&r.d);
out:
	mailledger_close(&r.ml);
	mailing_release(&r.m);
	sesmail_release(&r.ses);
	bulkline_release(&r.line);
	strset_release(&r.seen);
	buf_release(&r.err);
	return rc;
}
