/*
 * post-northstar: finds or creates the member of each canonical record in
 * Northstar, and fills the record's northstar_id.
 *
 * What it does is the vendor file's delivery.member (memberrules.h): the
 * lookups in order (by northstar_id, e-mail, valid mobile, rules/values.h),
 * the first found winning; a create from the record's user fields when
 * none is found (or a reject, "no such member"); the update sets, each one
 * PUT when a field changes; the actions after (activation e-mail, muted
 * promotions). The record goes on with _meta.northstar = {"result":
 * "found" or "created", "id": ID, "sets": {NAME: what was set}, "actions":
 * [...]}.
 *
 * Two records that could be the same member (the same id, e-mail or
 * mobile) are never in flight together, so a lookup followed by a create
 * never makes the member twice. A create whose answer was lost is not sent
 * again blindly: the member is looked up again first, and counts as
 * created when found, since nobody was found before the create. Northstar's
 * validation errors (422) reject the record with Northstar's words.
 * --members keeps a member ledger (memberledger.h): a member it remembers
 * is decided against what it remembers, without asking Northstar.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "cli.h"
#include "deliver.h"
#include "diag.h"
#include "exitcode.h"
#include "jpath.h"
#include "keylock.h"
#include "memberapply.h"
#include "memberkey.h"
#include "memberledger.h"
#include "stage.h"
#include "values.h"
#include "vendor.h"

#define SYNOPSIS "post-northstar --vendor NAME|FILE [OPTIONS] [FILE...]"

enum step { S_WAIT, S_LOOKUP, S_CREATE, S_APPLY };
enum result { R_FOUND, R_CREATED, R_LEDGER, NRESULTS };
static const char *const kinds[] = {"id", "email", "mobile"};

struct njob {
	struct memberkeys keys; /* held while the job is in flight */
	char *ident[3]; /* id, e-mail, valid mobile, or NULL: copies (the
	                   record's northstar_id is replaced) */
	size_t look;    /* the lookup in flight (index into find) */
	int by;         /* the identity it was known by, or -1 */
	char *found_id;
	json_t *member, *done; /* as known; actions done before (ledger) */
	struct memberwho who;  /* for the update sets and the actions */
	struct memberwork work;
	int created, relooked, create_lost, from_ledger, learnt;
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

/* Sets up and sends a lookup or a create: method, path + escaped arg. */
static void
ask(struct run *r, struct job *j, const char *method, const char *path,
    const char *arg, json_t *body, double delay)
{
	struct http_call *c = &j->call;

	url_join(&c->url, r->url, path);
	if (arg)
		url_escape(&c->url, arg);
	c->method = method;
	c->idempotent = strcmp(method, "POST") != 0;
	buf_reset(&c->body);
	if (body) {
		http_set_json(c, body);
		json_decref(body);
	}
	go(j, delay);
}

static void
lookup(struct run *r, struct job *j, double delay)
{
	static const char *const paths[] = {
	    "/v2/users/", "/v2/email/", "/v2/mobile/"};
	struct njob *nj = j->priv;
	enum mr_find k = r->mr->find[nj->look];

	j->state = S_LOOKUP;
	ask(r, j, "GET", paths[k], nj->ident[k], NULL, delay);
}

/* The first lookup from index from on the record has a value for, or -1. */
static int
next_lookup(struct run *r, const struct njob *nj, size_t from, int skip_id)
{
	size_t i;

	for (i = from; i < r->mr->nfind; i++)
		if (nj->ident[r->mr->find[i]] &&
		    !(skip_id && r->mr->find[i] == MR_ID))
			return (int)i;
	return -1;
}

/*
 * What the member ledger learns of the job's member, when Northstar told
 * something: under the identity it was found by, or the e-mail and mobile
 * a create gave it.
 */
static void
remember(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	const char *k[3], *v[3];
	size_t n = 0, i;
	struct buf err = BUF_INIT;
	json_t *done;

	if (r->o->members == NULL || !(nj->learnt || nj->work.learnt) ||
	    nj->member == NULL)
		return;
	for (i = 0; i < 3; i++)
		if (nj->ident[i] &&
		    ((int)i == nj->by || (nj->created && i != MR_ID))) {
			k[n] = kinds[i];
			v[n++] = nj->ident[i];
		}
	done = memberwork_done(&nj->work, nj->done);
	if (n && memberledger_put(
	             &r->ml, k, v, n, nj->found_id, nj->member, done, &err) < 0)
		diag(NULL, 0, "%s", err.data);
	json_decref(done);
	buf_release(&err);
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

static void
warned(struct buf *warn)
{
	if (warn->len)
		diag(NULL, 0, "%s", warn->data);
	buf_reset(warn);
}

/* The update sets and the actions (memberapply.h), then the record is
 * through. */
static void
carry_on(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	struct buf warn = BUF_INIT;
	int more;

	nj->who.id = nj->found_id;
	nj->who.member = nj->member;
	nj->who.mobile = nj->ident[MR_MOBILE];
	nj->who.created = nj->created;
	nj->who.done = nj->done;
	more = memberwork_next(
	    &r->apply, &nj->work, &nj->who, j->rec, &j->call, r->url, &warn);
	warned(&warn);
	buf_release(&warn);
	if (!more) {
		finish(r, j);
		return;
	}
	j->state = S_APPLY;
	go(j, 0);
}

static void
applied(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	struct buf why = BUF_INIT, warn = BUF_INIT;
	int rc = memberwork_answer(&r->apply, &nj->work, &nj->who, j->rec,
	    &j->call, r->url, &why, &warn);

	warned(&warn);
	if (rc < 0)
		reject(r, j, why.data);
	else if (rc > 0)
		go(j, 0);
	else
		carry_on(r, j);
	buf_release(&why);
	buf_release(&warn);
}

/* A member was found or made (user: Northstar's data). */
static void
have_member(struct run *r, struct job *j, const json_t *user)
{
	struct njob *nj = j->priv;
	const char *id = json_string_value(json_object_get(user, "id"));

	if (id == NULL) {
		reject(r, j, "Northstar answered without the member's id");
		return;
	}
	free(nj->found_id);
	nj->found_id = xstrdup(id);
	json_decref(nj->member);
	nj->member = json_deep_copy(user);
	nj->learnt = 1;
	carry_on(r, j);
}

/* Whether a 422 says the member exists already (a create raced). */
static int
exists_already(const struct http_call *c)
{
	return c->status == 422 && c->resp.data &&
	       strstr(c->resp.data, "already") != NULL;
}

/* A lookup again, after an answer lost or a create raced: 1 when sent. */
static int
relook(struct run *r, struct job *j, double delay)
{
	struct njob *nj = j->priv;
	int i = next_lookup(r, nj, 0, 1);

	if (i < 0)
		return 0;
	nj->relooked = 1;
	nj->look = (size_t)i;
	lookup(r, j, delay);
	return 1;
}

static void
create(struct run *r, struct job *j, double delay)
{
	struct njob *nj = j->priv;

	j->state = S_CREATE;
	ask(r, j, "POST", "/v2/users", NULL,
	    memberrules_create_body(j->rec, nj->ident[MR_MOBILE], r->client_id),
	    delay);
}

/* No lookup (left) found the member. */
static void
not_found(struct run *r, struct job *j)
{
	if (r->mr->create)
		create(r, j, 0);
	else
		reject(r, j, "no such member");
}

static void
step_done(struct http_call *c)
{
	struct job *j = c->arg;
	struct run *r = j->d->ctx;
	struct njob *nj = j->priv;
	struct buf why = BUF_INIT;
	json_t *ans;
	double delay;
	int i;

	r->requests += c->tries - nj->counted;
	nj->counted = c->tries;
	if (c->result == HTTP_TRANSIENT && j->state != S_APPLY) {
		/* A create whose answer was lost: look again, then decide. */
		if ((delay = http_backoff(r->d.http, c)) < 0) {
			c->result = HTTP_UNAVAILABLE;
		} else {
			nj->create_lost |= j->state == S_CREATE;
			if (relook(r, j, delay))
				return;
			if (r->mr->create) {
				create(r, j, delay);
				return;
			}
			c->result = HTTP_UNAVAILABLE;
		}
	}
	if (c->result != HTTP_ANSWER) {
		memberkeys_drop(&nj->keys, &r->locks);
		job_failed(j, "Northstar");
		return;
	}
	/* An answer: the next step has a retry budget of its own. */
	c->tries = nj->counted = 0;
	if (j->state == S_APPLY) {
		applied(r, j);
		return;
	}
	if (j->state == S_LOOKUP && c->status == 404) {
		if ((i = next_lookup(r, nj, nj->look + 1, 0)) < 0) {
			not_found(r, j);
		} else {
			nj->look = (size_t)i;
			lookup(r, j, 0);
		}
		return;
	}
	if (j->state == S_CREATE && exists_already(c) && !nj->relooked &&
	    relook(r, j, 0))
		return;
	if (c->status != 200 && c->status != 201) {
		answer_refusal(
		    &why, c, "Northstar", "error.message", "error.fields");
		reject(r, j, why.data);
		buf_release(&why);
		return;
	}
	/* Found after a create whose answer was lost: that create made the
	 * member, since the lookups before it, done holding the member's
	 * keys, found nobody. */
	if (j->state == S_CREATE || nj->create_lost)
		nj->created = 1;
	if (j->state == S_LOOKUP && !nj->created)
		nj->by = (int)r->mr->find[nj->look];
	ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
	have_member(r, j, json_object_get(ans, "data"));
	json_decref(ans);
}

static void
start(struct deliver *d, struct job *j)
{
	struct run *r = d->ctx;
	struct njob *nj = xcalloc(1, sizeof(*nj));
	const char *id[3];
	size_t i;

	j->priv = nj;
	nj->by = -1;
	nj->done = json_array();
	memberwork_init(&nj->work);
	id[MR_ID] = jpath_string(j->rec, "northstar_id");
	id[MR_EMAIL] = jpath_string(j->rec, "user.email");
	id[MR_MOBILE] = jpath_string(j->rec, "user.mobile");
	if (!mobile_valid(id[MR_MOBILE]))
		id[MR_MOBILE] = NULL;
	for (i = 0; i < 3; i++)
		nj->ident[i] = id[i] && *id[i] ? xstrdup(id[i]) : NULL;
	if (r->mr->nfind == 0 && !nj->ident[MR_ID]) {
		job_reject(j, "no northstar_id: this import takes the member "
		              "as the record names it");
		return;
	}
	if (!nj->ident[0] && !nj->ident[1] && !nj->ident[2]) {
		job_reject(j, "no northstar_id, e-mail or valid mobile to "
		              "find or create the member by");
		return;
	}
	memberkeys_init(&nj->keys, nj->ident[0], nj->ident[1], nj->ident[2]);
	j->state = S_WAIT;
}

/* The member as the ledger remembers it, by the first identity it holds
 * in the order of the lookups (the id when there are none). */
static int
from_ledger(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	enum mr_find k = MR_ID;
	json_t *got = NULL;
	size_t i;

	if (r->o->members == NULL || r->o->refresh)
		return 0;
	for (i = 0; i < r->mr->nfind && got == NULL; i++)
		if (nj->ident[k = r->mr->find[i]])
			got = memberledger_get(&r->ml, kinds[k], nj->ident[k]);
	if (r->mr->nfind == 0)
		got = memberledger_get(&r->ml, kinds[k], nj->ident[k]);
	if (got == NULL)
		return 0;
	nj->by = (int)k;
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
	struct njob *nj;
	struct job *j;
	size_t i;
	int k;

	for (i = 0; i < d->n; i++) {
		j = deliver_job(d, i);
		nj = j->priv;
		if (j->done || j->state != S_WAIT ||
		    !memberkeys_take(&nj->keys, &r->locks))
			continue;
		if (from_ledger(r, j)) {
			carry_on(r, j);
		} else if (r->mr->nfind == 0) {
			/* No lookup: the member is the record's id as is. */
			nj->found_id = xstrdup(nj->ident[MR_ID]);
			nj->member = json_pack("{s:s}", "id", nj->found_id);
			nj->by = MR_ID;
			carry_on(r, j);
		} else if ((k = next_lookup(r, nj, 0, 0)) < 0) {
			not_found(r, j);
		} else {
			nj->look = (size_t)k;
			lookup(r, j, 0);
		}
	}
}

static void
release(struct deliver *d, struct job *j)
{
	struct run *r = d->ctx;
	struct njob *nj = j->priv;

	if (nj == NULL)
		return;
	memberkeys_drop(&nj->keys, &r->locks);
	free(nj->found_id);
	json_decref(nj->member);
	json_decref(nj->done);
	memberwork_release(&nj->work);
	free(nj->ident[0]);
	free(nj->ident[1]);
	free(nj->ident[2]);
	free(nj);
	j->priv = NULL;
}

static const struct deliver_ops ops = {start, advance, release};

static void
usage(void)
{
	printf("usage: " SYNOPSIS "\n"
	       "Find or create each record's member in Northstar and fill its "
	       "northstar_id.\n\n" STAGE_VENDOR_HELP
	       "                            (required: its delivery.member "
	       "says what to do\n"
	       "                            with a member, its \"user_rank\" "
	       "orders statuses)\n"
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
	       "Each record goes on with _meta.northstar = {\"result\": found "
	       "or created, \"id\": ID}.\n"
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

static void
ledgers_close(struct run *r)
{
	struct buf err = BUF_INIT;

	if (r->o->members && memberledger_sync(&r->ml, &err) < 0)
		diag(NULL, 0, "%s", err.data);
	memberledger_close(&r->ml);
	buf_reset(&err);
	if (memberapply_close(&r->apply, &err) < 0)
		diag(NULL, 0, "%s", err.data);
	buf_release(&err);
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
	deliver_init(&r.d, &st, &ops, &r,
	    o.d.http.concurrency * 16 < 256 ? 256 : o.d.http.concurrency * 16);
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
	ledgers_close(&r);
	vendor_release(&r.vendor);
	oauth_release(&oauth);
	return rc;
}
