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
#include "keyledger.h"
#include "keylock.h"
#include "memberkey.h"
#include "memberledger.h"
#include "stage.h"
#include "values.h"
#include "vendor.h"

#define SYNOPSIS "post-northstar --vendor NAME|FILE [OPTIONS] [FILE...]"

enum step { S_WAIT, S_LOOKUP, S_CREATE, S_OWNER, S_PUT, S_ACTION };
enum result { R_FOUND, R_CREATED, R_UPDATED, R_ACTIONS, R_LEDGER, NRESULTS };
static const char *const kinds[] = {"id", "email", "mobile"};

struct njob {
	struct memberkeys keys;  /* held while the job is in flight */
	const char *ident[3];    /* id, e-mail, valid mobile: borrowed */
	size_t look;             /* the lookup in flight (index into find) */
	int by;                  /* the identity it was known by, or -1 */
	char *found_id, *target; /* the member; whom the change goes to */
	json_t *member, *change; /* the member as known; the change */
	json_t *sets, *actions, *done; /* for _meta; done before (ledger) */
	json_t *muted;                 /* {"muted": TIME}, or NULL */
	size_t set, act;               /* the next set, the next action */
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
	struct keyledger *once; /* one per set, opened for sets with "once" */
	struct memberledger ml;
	struct keylock locks;
	struct deliver d;
	unsigned long long results[NRESULTS], requests;
};

static void step_done(struct http_call *c);

/* Sends the request of the job's step: method, path (escaped) and body. */
static void
ask(struct run *r, struct job *j, const char *method, const char *path,
    const char *arg, json_t *body, double delay)
{
	struct http_call *c = &j->call;

	url_join(&c->url, r->url, path);
	if (arg)
		url_escape(&c->url, arg);
	c->auth = 1;
	c->done = step_done;
	c->arg = j;
	c->method = method;
	c->idempotent = strcmp(method, "POST") != 0;
	buf_reset(&c->body);
	if (body) {
		http_set_json(c, body);
		json_decref(body);
	}
	job_call(j, delay);
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

/* What the member ledger learns of the job's member, when it learnt. */
static void
remember(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	const char *k[3], *v[3];
	size_t n = 0, i;
	struct buf err = BUF_INIT;
	json_t *done = json_array();

	if (r->o->members == NULL || !nj->learnt || nj->member == NULL)
		goto out;
	for (i = 0; i < 3; i++)
		if (nj->ident[i] &&
		    ((int)i == nj->by || (nj->created && i != MR_ID))) {
			k[n] = kinds[i];
			v[n++] = nj->ident[i];
		}
	json_array_extend(done, nj->done);
	json_array_extend(done, nj->actions);
	if (n && memberledger_put(
	             &r->ml, k, v, n, nj->found_id, nj->member, done, &err) < 0)
		diag(NULL, 0, "%s", err.data);
out:
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
	if (json_object_size(nj->sets))
		json_object_set(v, "sets", nj->sets);
	if (json_array_size(nj->actions))
		json_object_set(v, "actions", nj->actions);
	if (nj->muted)
		json_object_update(v, nj->muted);
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

/* Set i's once-ledger: 1 applied before, 0 not, -1 no key (skip it). */
static int
once_applied(struct run *r, struct job *j, size_t i, int mark)
{
	struct njob *nj = j->priv;
	const char *st;
	struct buf err = BUF_INIT;

	if (r->mr->sets[i].once == NULL || r->o->once == NULL)
		return 0;
	/* The key may name the member: the id just found or made. */
	json_object_set_new(j->rec, "northstar_id", json_string(nj->found_id));
	if (mark &&
	    keyledger_append(&r->once[i], j->rec, "applied", NULL, &err) < 0)
		diag(NULL, 0, "%s", err.data);
	buf_release(&err);
	if (mark)
		return 0;
	if (keyledger_lookup(&r->once[i], j->rec, &st) < 0)
		return -1;
	return st != NULL;
}

/* The set in hand is through: said in _meta, remembered once. */
static void
set_done(struct run *r, struct job *j, json_t *note)
{
	struct njob *nj = j->priv;

	json_object_set_new(nj->sets, r->mr->sets[nj->set - 1].name, note);
	once_applied(r, j, nj->set - 1, 1);
}

/* The change of the set in hand for member m (the row's mobile added). */
static void
change_for(struct run *r, struct job *j, const json_t *m, int give_mobile)
{
	struct njob *nj = j->priv;
	const char *id = json_string_value(json_object_get(m, "id"));

	free(nj->target);
	nj->target = xstrdup(id ? id : nj->found_id);
	json_decref(nj->change);
	nj->change = memberrules_change(
	    &r->mr->sets[nj->set - 1], &r->vendor.map, j->rec, m);
	if (give_mobile)
		json_object_set_new(
		    nj->change, "mobile", json_string(nj->ident[MR_MOBILE]));
}

static int
put_change(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;

	if (json_object_size(nj->change) == 0) {
		set_done(r, j, json_string("no change"));
		return 0;
	}
	j->state = S_PUT;
	ask(r, j, "PUT", "/v2/users/", nj->target, json_incref(nj->change), 0);
	return 1;
}

/* The next set that applies, if any; 1 when a request went out. */
static int
next_set(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	const struct mr_set *s;
	const char *mob;
	int rc;

	while (nj->set < r->mr->nsets) {
		s = &r->mr->sets[nj->set++];
		if (!memberrules_holds(s->when, j->rec) ||
		    (s->mobile_owner && nj->ident[MR_MOBILE] == NULL))
			continue;
		/* A member just made got the row's fields with the create. */
		if (nj->created) {
			once_applied(r, j, nj->set - 1, 1);
			continue;
		}
		if ((rc = once_applied(r, j, nj->set - 1, 0)) != 0) {
			if (rc > 0)
				json_object_set_new(nj->sets, s->name,
				    json_string("applied before"));
			continue;
		}
		mob = json_string_value(json_object_get(nj->member, "mobile"));
		if (s->mobile_owner && (mob == NULL || *mob == '\0')) {
			/* Whose is the row's mobile? */
			j->state = S_OWNER;
			ask(r, j, "GET", "/v2/mobile/", nj->ident[MR_MOBILE],
			    NULL, 0);
			return 1;
		}
		change_for(r, j, nj->member, 0);
		if (put_change(r, j))
			return 1;
	}
	return 0;
}

/* The sets, then the actions, then the record is through. */
static void
carry_on(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	const struct mr_action *a;
	const char *type = NULL;
	struct buf name = BUF_INIT;
	json_t *body;
	size_t i;
	int seen;

	if (next_set(r, j))
		return;
	while (nj->act < r->mr->nacts) {
		a = &r->mr->acts[nj->act++];
		if ((a->created && !nj->created) ||
		    !memberrules_holds(a->when, j->rec) ||
		    (a->kind == MR_ACTIVATE &&
		        (type = memberrules_activation(a, j->rec)) == NULL))
			continue;
		memberrules_action_name(a, type, &name);
		seen = 0;
		for (i = seen = 0; i < json_array_size(nj->done); i++)
			seen |= strcmp(json_string_value(
			                   json_array_get(nj->done, i)),
			            name.data) == 0;
		if (seen)
			continue;
		j->state = S_ACTION;
		body = a->kind == MR_MUTE ? NULL
		                          : json_pack("{s:s,s:s}", "id",
		                                nj->found_id, "type", type);
		ask(r, j, "POST",
		    a->kind == MR_MUTE ? "/v2/users/" : "/v2/resets",
		    a->kind == MR_MUTE ? nj->found_id : NULL, body, 0);
		if (a->kind == MR_MUTE)
			buf_adds(&j->call.url, "/promotions");
		buf_release(&name);
		return;
	}
	buf_release(&name);
	finish(r, j);
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
	nj->member = json_incref((json_t *)user);
	nj->learnt = 1;
	carry_on(r, j);
}

/* The answer to a step after the member is known. */
static void
later_answer(struct run *r, struct job *j, struct http_call *c, json_t *ans)
{
	struct njob *nj = j->priv;
	const struct mr_set *s = &r->mr->sets[nj->set ? nj->set - 1 : 0];
	json_t *data = json_object_get(ans, "data"), *v;
	const char *oid = json_string_value(json_object_get(data, "id"));
	struct buf why = BUF_INIT;
	int ok = c->status >= 200 && c->status < 300;

	if (j->state == S_OWNER && (c->status == 200 || c->status == 404)) {
		/* Another member's mobile: that one's subscription changes;
		 * nobody's: this member gets the mobile with the change. */
		if (c->status == 200 && oid && strcmp(oid, nj->found_id) != 0)
			change_for(r, j, data, 0);
		else
			change_for(r, j, nj->member, 1);
		if (!put_change(r, j))
			carry_on(r, j);
		return;
	}
	if (!ok && c->status == 404 && j->state != S_OWNER) {
		reject(r, j, "no such member");
		return;
	}
	if (!ok) {
		answer_refusal(
		    &why, c, "Northstar", "error.message", "error.fields");
		if (j->state == S_ACTION || !s->mobile_owner) {
			reject(r, j, why.data);
			buf_release(&why);
			return;
		}
		/* A mobile-owner set refused: the member goes on. */
		json_object_set_new(
		    nj->sets, s->name, json_pack("{s:s}", "failed", why.data));
	} else if (j->state == S_ACTION) {
		memberrules_action_name(&r->mr->acts[nj->act - 1],
		    memberrules_activation(&r->mr->acts[nj->act - 1], j->rec),
		    &why);
		json_array_append_new(nj->actions, json_string(why.data));
		if ((v = json_object_get(data, "promotions_muted_at")) != NULL)
			json_object_set(nj->muted = json_object(), "muted", v);
		r->results[R_ACTIONS]++;
		nj->learnt = 1;
	} else {
		if (strcmp(nj->target, nj->found_id) == 0)
			json_object_update(nj->member, nj->change);
		set_done(r, j,
		    json_pack(
		        "{s:s,s:O}", "member", nj->target, "set", nj->change));
		r->results[R_UPDATED]++;
		nj->learnt = 1;
	}
	buf_release(&why);
	carry_on(r, j);
}

/* Whether a 422 says the member exists already (a create raced). */
static int
exists_already(const struct http_call *c)
{
	return c->status == 422 && c->resp.data &&
	       strstr(c->resp.data, "already") != NULL;
}

/* A lookup or a create again, after an answer lost or a create raced. */
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
	j->state = S_CREATE;
	ask(r, j, "POST", "/v2/users", NULL,
	    memberrules_create_body(j->rec,
	        ((struct njob *)j->priv)->ident[MR_MOBILE], r->client_id),
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
	if (c->result == HTTP_TRANSIENT && j->state <= S_CREATE) {
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
	ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
	if (j->state > S_CREATE) {
		later_answer(r, j, c, ans);
	} else if (c->status != 200 && c->status != 201) {
		answer_refusal(
		    &why, c, "Northstar", "error.message", "error.fields");
		reject(r, j, why.data);
	} else {
		/* Found after a create whose answer was lost: that create
		 * made the member, since the lookups before it, done holding
		 * the member's keys, found nobody. */
		if (j->state == S_CREATE || nj->create_lost)
			nj->created = 1;
		if (j->state == S_LOOKUP && !nj->created)
			nj->by = (int)r->mr->find[nj->look];
		have_member(r, j, json_object_get(ans, "data"));
	}
	json_decref(ans);
	buf_release(&why);
}

static void
start(struct deliver *d, struct job *j)
{
	struct run *r = d->ctx;
	struct njob *nj = xcalloc(1, sizeof(*nj));
	const char *id = jpath_string(j->rec, "northstar_id");

	j->priv = nj;
	nj->by = -1;
	nj->sets = json_object();
	nj->actions = json_array();
	nj->done = json_array();
	nj->ident[MR_ID] = id && *id ? id : NULL;
	nj->ident[MR_EMAIL] = jpath_string(j->rec, "user.email");
	nj->ident[MR_MOBILE] = jpath_string(j->rec, "user.mobile");
	if (nj->ident[MR_EMAIL] && *nj->ident[MR_EMAIL] == '\0')
		nj->ident[MR_EMAIL] = NULL;
	if (!mobile_valid(nj->ident[MR_MOBILE]))
		nj->ident[MR_MOBILE] = NULL;
	if (r->mr->nfind == 0 && !nj->ident[MR_ID]) {
		job_reject(j, "no northstar_id: this import takes members as "
		              "they are");
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

/* The member as the ledger remembers it, by the first identity it holds. */
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
	if (got == NULL && r->mr->nfind == 0)
		got = memberledger_get(
		    &r->ml, kinds[k = MR_ID], nj->ident[MR_ID]);
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
	free(nj->target);
	json_decref(nj->member);
	json_decref(nj->change);
	json_decref(nj->sets);
	json_decref(nj->actions);
	json_decref(nj->done);
	json_decref(nj->muted);
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

/* The ledgers opened: the member ledger, a once-ledger per set. */
static int
ledgers_open(struct run *r)
{
	struct buf err = BUF_INIT;
	size_t i;
	int rc = 0;

	r->once = xcalloc(r->mr->nsets + 1, sizeof(*r->once));
	for (i = 0; i < r->mr->nsets; i++)
		keyledger_init(&r->once[i]);
	memberledger_init(&r->ml, r->mr->touched);
	if (r->o->members &&
	    (rc = memberledger_open(&r->ml, r->o->members, 1, &err)) < 0)
		goto out;
	for (i = 0; i < r->mr->nsets && r->o->once; i++) {
		if (r->mr->sets[i].once == NULL)
			continue;
		keyledger_key(&r->once[i], r->mr->sets[i].once);
		if ((rc = keyledger_open(&r->once[i], r->o->once, 1, &err)) < 0)
			goto out;
	}
out:
	if (rc < 0) {
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
	size_t i;

	if (r->o->members && memberledger_sync(&r->ml, &err) < 0)
		diag(NULL, 0, "%s", err.data);
	memberledger_close(&r->ml);
	for (i = 0; r->once && i < r->mr->nsets; i++) {
		buf_reset(&err);
		if (keyledger_sync(&r->once[i], &err) < 0)
			diag(NULL, 0, "%s", err.data);
		keyledger_close(&r->once[i]);
	}
	free(r->once);
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
		    r.results[R_FOUND], r.results[R_CREATED],
		    r.results[R_UPDATED], r.results[R_ACTIONS],
		    r.results[R_LEDGER], r.requests);
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
