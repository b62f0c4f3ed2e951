/*
 * post-northstar: finds or creates the member of each canonical record in
 * Northstar, and fills the record's northstar_id.
 *
 * What it does is the vendor file's delivery.member (memberrules.h): the
 * lookups in order (northstar_id, e-mail, valid mobile), the first found
 * winning; else a create from the record's user fields (or "no such
 * member"); the update sets, each one PUT when a field changes; the
 * actions after (activation e-mail, muted promotions). The record goes on
 * with _meta.northstar = {"result": "found" or "created", "id": ID,
 * "sets": {NAME: what was set}, "actions": [...]}.
 *
 * Two records that could be one member (the same id, e-mail or mobile)
 * are never in flight together, so a lookup and a create never make the
 * member twice (memberfind.h). With --members (memberledger.h) a member
 * remembered is decided on unasked, but for a once-set not applied yet.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "deliver.h"
#include "diag.h"
#include "exitcode.h"
#include "jpath.h"
#include "keylock.h"
#include "memberapply.h"
#include "memberfind.h"
#include "memberkey.h"
#include "memberledger.h"
#include "stage.h"
#include "values.h"
#include "vendor.h"

#define SYNOPSIS "post-northstar --vendor NAME|FILE [OPTIONS] [FILE...]"

enum step { S_WAIT, S_FIND, S_APPLY };
enum result { R_FOUND, R_CREATED, R_LEDGER, NRESULTS };

struct njob {
	struct memberkeys keys; /* held while the job is in flight */
	char *ident[3]; /* id, e-mail, valid mobile, or NULL: copies (the
	                   record's northstar_id is replaced) */
	struct memberfind find;
	int by; /* the identity it was known by, or -1 */
	char *found_id;
	json_t *member, *done; /* as known; actions done before (ledger) */
	struct memberwho who;  /* for the update sets and the actions */
	struct memberwork work;
	int created, from_ledger, learnt;
	unsigned counted; /* of the call's tries, counted in requests */
};

struct opts {
	struct deliver_opts d;
	const char *vendor, *once, *members;
	int refresh;
};

struct run {
	struct opts *o;
	const char *url, *client_id;
	struct vendor vendor;
	struct memberrules *mr;
	struct memberapply apply;
	struct memberledger ml;
	struct keylock locks;
	struct deliver d;
	struct buf warn; /* what the once-ledger said went wrong */
	unsigned long long results[NRESULTS], requests;
};

static void step_done(struct http_call *c);

/* Sends the job's call, set up, after delay seconds. */
static void
go(struct job *j, double delay)
{
	j->call.auth = 1;
	j->call.done = step_done;
	j->call.arg = j;
	job_call(j, delay);
}

static void
warned(struct run *r)
{
	if (r->warn.len)
		diag(NULL, 0, "%s", r->warn.data);
	buf_reset(&r->warn);
}

/* What the member ledger learns, when Northstar told something. */
static void
remember(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;

	if (r->o->members && (nj->learnt || nj->work.learnt) && nj->member)
		memberledger_learn(&r->ml, (const char *const *)nj->ident,
		    nj->by, nj->created, nj->found_id, nj->member, nj->done,
		    nj->work.actions, &r->warn);
	warned(r);
}

static void
finish(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	json_t *v;

	remember(r, j);
	json_object_set_new(j->rec, "northstar_id", json_string(nj->found_id));
	v = json_pack("{s:s,s:s}", "result", nj->created ? "created" : "found",
	    "id", nj->found_id);
	if (nj->from_ledger)
		json_object_set_new(v, "ledger", json_true());
	memberwork_meta(&nj->work, v);
	job_meta(j, "northstar", v);
	r->results[nj->created ? R_CREATED : R_FOUND]++;
	r->results[R_LEDGER] += nj->from_ledger;
	memberkeys_drop(&nj->keys, &r->locks);
	job_finish(j);
}

static void
reject(struct run *r, struct job *j, const char *why)
{
	struct njob *nj = j->priv;

	remember(r, j);
	memberkeys_drop(&nj->keys, &r->locks);
	job_reject(j, "%s", why);
}

/* The update sets and the actions (memberapply.h), then the record is
 * through. */
static void
carry_on(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	int more;

	nj->who = (struct memberwho){nj->found_id, nj->member,
	    nj->ident[MR_MOBILE], nj->created, nj->done};
	more = memberwork_next(
	    &r->apply, &nj->work, &nj->who, j->rec, &j->call, r->url, &r->warn);
	warned(r);
	if (!more) {
		finish(r, j);
		return;
	}
	j->state = S_APPLY;
	go(j, 0);
}

/* The answer to a request of the update sets or actions. */
static void
applied(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	struct buf why = BUF_INIT;
	int rc = memberwork_answer(&r->apply, &nj->work, &nj->who, j->rec,
	    &j->call, r->url, &why, &r->warn);

	warned(r);
	if (rc < 0)
		reject(r, j, why.data);
	else if (rc > 0)
		go(j, 0);
	else
		carry_on(r, j);
	buf_release(&why);
}

/* The answer to a lookup or a create (memberfind.h). */
static void
found(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	struct buf why = BUF_INIT;
	json_t *member;
	int rc = memberfind_answer(&nj->find, &j->call, &member, &why);

	if (rc > 0) {
		go(j, 0);
	} else if (rc < 0) {
		reject(r, j, why.data);
	} else {
		nj->created = nj->find.created;
		nj->by = nj->find.by;
		nj->found_id =
		    xstrdup(json_string_value(json_object_get(member, "id")));
		nj->member = member;
		nj->learnt = 1;
		carry_on(r, j);
	}
	buf_release(&why);
}

static void
step_done(struct http_call *c)
{
	struct job *j = c->arg;
	struct run *r = j->d->ctx;
	struct njob *nj = j->priv;
	double delay;

	r->requests += c->tries - nj->counted;
	nj->counted = c->tries;
	if (c->result == HTTP_TRANSIENT && j->state == S_FIND) {
		/* A create whose answer was lost: look again, then decide. */
		if ((delay = http_backoff(r->d.http, c)) >= 0 &&
		    memberfind_lost(&nj->find, c)) {
			go(j, delay);
			return;
		}
		c->result = HTTP_UNAVAILABLE;
	}
	if (c->result != HTTP_ANSWER) {
		memberkeys_drop(&nj->keys, &r->locks);
		job_failed(j, "Northstar");
		return;
	}
	/* An answer: the next step has a retry budget of its own. */
	c->tries = nj->counted = 0;
	if (j->state == S_APPLY)
		applied(r, j);
	else
		found(r, j);
}

static void
start(struct deliver *d, struct job *j)
{
	struct run *r = d->ctx;
	struct njob *nj = xcalloc(1, sizeof(*nj));
	const char *id[3];
	size_t i;

	j->priv = nj;
	nj->done = json_array();
	memberwork_init(&nj->work);
	id[MR_ID] = jpath_string(j->rec, "northstar_id");
	id[MR_EMAIL] = jpath_string(j->rec, "user.email");
	id[MR_MOBILE] = jpath_string(j->rec, "user.mobile");
	if (!mobile_valid(id[MR_MOBILE]))
		id[MR_MOBILE] = NULL;
	for (i = 0; i < 3; i++)
		nj->ident[i] = id[i] && *id[i] ? xstrdup(id[i]) : NULL;
	if (!nj->ident[MR_ID] &&
	    (r->mr->nfind == 0 || (!nj->ident[1] && !nj->ident[2]))) {
		job_reject(j, r->mr->nfind
		                  ? "no northstar_id, e-mail or valid "
		                    "mobile to find the member by"
		                  : "no northstar_id: this import takes "
		                    "the member as the record names it");
		return;
	}
	memberkeys_init(&nj->keys, nj->ident[0], nj->ident[1], nj->ident[2]);
	j->state = S_WAIT;
}

/* The member known unasked: remembered, or (no lookups) the record's id. */
static int
known(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	json_t *got = NULL;

	if (r->o->members && !r->o->refresh)
		got = memberledger_recall(&r->ml, r->mr->find, r->mr->nfind,
		    (const char *const *)nj->ident, &nj->by);
	if (got != NULL && r->mr->nfind &&
	    memberapply_fresh(&r->apply, j->rec,
	        json_string_value(json_object_get(got, "id")),
	        nj->ident[MR_MOBILE])) {
		json_decref(got);
		got = NULL;
	}
	if (got == NULL && r->mr->nfind)
		return 0;
	if (got == NULL) {
		nj->by = MR_ID;
		nj->found_id = xstrdup(nj->ident[MR_ID]);
		nj->member = json_pack("{s:s}", "id", nj->found_id);
		return 1;
	}
	nj->from_ledger = 1;
	nj->found_id = xstrdup(json_string_value(json_object_get(got, "id")));
	nj->member = json_incref(json_object_get(got, "member"));
	json_array_extend(nj->done, json_object_get(got, "done"));
	json_decref(got);
	return 1;
}

static void
advance(struct deliver *d)
{
	struct run *r = d->ctx;
	struct buf why = BUF_INIT;
	struct njob *nj;
	struct job *j;
	size_t i;

	for (i = 0; i < d->n; i++) {
		j = deliver_job(d, i);
		nj = j->priv;
		if (j->done || j->state != S_WAIT ||
		    !memberkeys_take(&nj->keys, &r->locks))
			continue;
		if (known(r, j)) {
			carry_on(r, j);
			continue;
		}
		j->state = S_FIND;
		buf_reset(&why);
		if (memberfind_start(&nj->find, r->mr,
		        (const char *const *)nj->ident, j->rec, r->url,
		        r->client_id, &j->call, &why) > 0)
			go(j, 0);
		else
			reject(r, j, why.data);
	}
	buf_release(&why);
}

static void
release(struct deliver *d, struct job *j)
{
	struct run *r = d->ctx;
	struct njob *nj = j->priv;
	size_t i;

	if (nj == NULL)
		return;
	memberkeys_drop(&nj->keys, &r->locks);
	free(nj->found_id);
	json_decref(nj->member);
	json_decref(nj->done);
	memberwork_release(&nj->work);
	for (i = 0; i < 3; i++)
		free(nj->ident[i]);
	free(nj);
	j->priv = NULL;
}

static const struct deliver_ops ops = {start, advance, release};

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Find or create each record's member in Northstar and fill its "
	    "northstar_id,\nby the vendor file's delivery.member.\n\n" STAGE_VENDOR_HELP
	    "  -e, --members FILE        the member ledger: a member it "
	    "remembers is\n"
	    "                            decided without asking Northstar\n"
	    "  -R, --refresh             with --members: look every member "
	    "up again\n"
	    "  -l, --once-ledger FILE    the ledger of the update sets "
	    "applied once per\n"
	    "                            key (\"once\"); --sms-ledger is "
	    "the same\n" DELIVER_OPTIONS_HELP STAGE_OPTIONS_HELP "\n"
	    "Environment: NORTHSTAR_URL, NORTHSTAR_CLIENT_ID, "
	    "NORTHSTAR_CLIENT_SECRET.\n"
	    "The summary line ends with requests=N, every request sent to "
	    "Northstar.\n" DELIVER_EXIT_HELP "\n"
	    "Example:\n"
	    "  status-map --vendor turbovote < activity.ndjson |\n"
	    "      post-northstar --vendor turbovote --members "
	    "state/turbovote.members \\\n"
	    "      --rejects northstar-rejects.ndjson > members.ndjson\n");
}

static int
parse_args(int argc, char **argv, struct opts *o, struct stage *st)
{
	static const struct option longopts[] = {
	    STAGE_VENDOR_LONGOPTS,
	    {"members", required_argument, NULL, 'e'},
	    {"refresh", no_argument, NULL, 'R'},
	    {"once-ledger", required_argument, NULL, 'l'},
	    {"sms-ledger", required_argument, NULL, 'l'},
	    DELIVER_LONGOPTS,
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv,
	            ":e:Rl:" STAGE_VENDOR_SHORTOPTS DELIVER_SHORTOPTS
	                STAGE_SHORTOPTS,
	            longopts, NULL)) != -1) {
		if (ch == 'v' || ch == 'm') {
			o->vendor = optarg;
		} else if (ch == 'e') {
			o->members = optarg;
		} else if (ch == 'R') {
			o->refresh = 1;
		} else if (ch == 'l') {
			o->once = optarg;
		} else if (ch == 'h') {
			usage();
			return -1;
		} else {
			if ((rc = deliver_option(
			         &o->d, ch, optarg, SYNOPSIS)) == 1)
				rc = stage_option(st, ch, optarg, argv);
			if (rc != 0)
				return rc;
		}
	}
	if (o->vendor == NULL)
		return cli_usage_error(
		    SYNOPSIS, "--vendor NAME (or FILE) is required");
	if (o->d.dry_run)
		return cli_usage_error(SYNOPSIS,
		    "--dry-run is post-rogue's: a member cannot be found "
		    "without asking Northstar");
	if (o->refresh && o->members == NULL)
		return cli_usage_error(
		    SYNOPSIS, "--refresh goes with --members");
	return 0;
}

/* The ledgers opened: the member ledger, the once-ledger. */
static int
ledgers_open(struct run *r)
{
	struct buf err = BUF_INIT;
	int rc = 0;

	memberledger_init(&r->ml, r->mr->touched);
	if ((r->o->members &&
	        (rc = memberledger_open(&r->ml, r->o->members, 1, &err)) < 0) ||
	    (rc = memberapply_open(
	         &r->apply, r->mr, &r->vendor.map, r->o->once, &err)) < 0) {
		diag(NULL, 0, "%s", err.data);
		rc = ledger_exitcode(rc);
	}
	buf_release(&err);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = {0};
	struct run r;
	struct stage st;
	struct oauth oauth;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&oauth, 0, sizeof(oauth));
	r.o = &o;
	r.mr = &r.vendor.member;
	deliver_opts_init(&o.d);
	stage_init(&st, "post-northstar", SYNOPSIS);
	if ((rc = parse_args(argc, argv, &o, &st)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = stage_load_vendor(&r.vendor, o.vendor)) != 0 ||
	    (rc = deliver_configure(&o.d, "NORTHSTAR_URL", &r.url, &oauth)) !=
	        0) {
		vendor_release(&r.vendor);
		return rc;
	}
	if ((rc = ledgers_open(&r)) != 0)
		goto out;
	r.client_id = oauth.client_id;
	keylock_init(&r.locks);
	deliver_init(&r.d, &st, &ops, &r, deliver_window(&o.d));
	if ((rc = deliver_connect(&r.d, &o.d.http, &oauth)) == 0 &&
	    (rc = stage_start(&st)) == 0) {
		rc = deliver_run(&r.d, argc - optind, argv + optind);
		diag(NULL, 0,
		    "found=%llu created=%llu updated=%llu actions=%llu "
		    "remembered=%llu requests=%llu",
		    r.results[R_FOUND], r.results[R_CREATED], r.apply.updated,
		    r.apply.actions, r.results[R_LEDGER], r.requests);
		rc = stage_finish(&st, rc);
	}
	deliver_release(&r.d);
	keylock_release(&r.locks);
out:
	if (o.members)
		memberledger_sync(&r.ml, &r.warn);
	memberapply_close(&r.apply, &r.warn);
	warned(&r);
	memberledger_close(&r.ml);
	buf_release(&r.warn);
	vendor_release(&r.vendor);
	oauth_release(&oauth);
	return rc;
}
