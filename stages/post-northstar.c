/*
 * post-northstar: finds or creates the member of each canonical record in
 * Northstar, and fills the record's northstar_id.
 *
 * The member is looked up by the record's northstar_id, then by e-mail,
 * then by mobile (only a valid mobile: not 000-000-0000, and more than
 * nine characters once spaces and dashes are gone, rules/values.h); the
 * first found wins. None found: the member is created from the
 * record's user fields. A found member's voter_registration_status is
 * changed only to one that ranks higher in the vendor file's user_rank
 * (and the vendor file's "delivery" gives --activate, --sms-topics and
 * --sms-key when the command line does not). The record
 * goes on with _meta.northstar = {"result": "found" or "created", "id": ID}
 * (and "updated": ["voter_registration_status"] when it was changed).
 *
 * Two records that could be the same member (the same id, e-mail or
 * mobile) are never in flight together, so a lookup followed by a create
 * never makes the member twice. A create whose answer was lost is not sent
 * again blindly: the member is looked up again first, and counts as
 * created when found, since nobody was found before the create. Northstar's
 * validation errors (422) reject the record with Northstar's words.
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
#include "stage.h"
#include "subscribe.h"
#include "values.h"
#include "vendor.h"

#define SYNOPSIS "post-northstar --vendor NAME|FILE [OPTIONS] [FILE...]"

enum step {
	S_WAIT,
	S_BY_ID,
	S_BY_EMAIL,
	S_BY_MOBILE,
	S_CREATE,
	S_UPDATE,
	S_ACTIVATE,
	S_SMS_MOBILE,
	S_SMS_PUT
};
enum result { R_FOUND, R_CREATED, R_UPDATED, R_ACTIVATED, R_SMS, NRESULTS };

/* The user fields sent on a create, as named in the canonical record. */
static const char *const create_fields[] = {"email", "mobile", "first_name",
    "last_name", "addr_street1", "addr_street2", "addr_city", "addr_state",
    "addr_zip", "voter_registration_status", "source_detail",
    "email_subscription_status", "email_subscription_topics", "sms_status",
    "sms_subscription_topics"};

struct njob {
	struct memberkeys keys; /* held while the job is in flight */
	const char *id, *email, *mobile, *status; /* borrowed from the record */
	char *found_id;
	json_t *member; /* the member as Northstar answered */
	int created, relooked, activated, updated;
	int create_lost; /* a create was sent and its answer lost */
	int status_done, sms_done, activation_done; /* steps after lookups */
	char *sms_target; /* whose subscription changes */
	json_t *sms_change;
	json_t *sms_note; /* what happened to it, for _meta */
};

struct opts {
	struct deliver_opts d;
	const char *vendor;
	const char *activate; /* --activate TYPE, or NULL */
	const char *sms_topics, *sms_ledger, *sms_key;
};

struct run {
	struct opts *o;
	const char *url;
	const char *client_id;
	json_t *sms_topics;          /* --sms-topics, as a list */
	struct keyledger sms_ledger; /* --sms-ledger, by --sms-key */
	struct vendor vendor;
	struct keylock locks;
	struct deliver d;
	unsigned long long results[NRESULTS];
};

static const char *
user_string(const json_t *rec, const char *field)
{
	const char *v = json_string_value(
	    json_object_get(json_object_get(rec, "user"), field));

	return v && *v ? v : NULL;
}

static void step_done(struct http_call *c);

/* Sends the request of the job's step. */
static void
send_step(struct run *r, struct job *j, double delay)
{
	struct njob *nj = j->priv;
	struct http_call *c = &j->call;
	json_t *body, *v;

	url_join(&c->url, r->url, "");
	c->auth = 1;
	c->done = step_done;
	c->arg = j;
	c->method = "GET";
	c->idempotent = 1;
	buf_reset(&c->body);
	switch (j->state) {
	case S_BY_ID:
		buf_adds(&c->url, "/v2/users/");
		url_escape(&c->url, nj->id);
		break;
	case S_BY_EMAIL:
		buf_adds(&c->url, "/v2/email/");
		url_escape(&c->url, nj->email);
		break;
	case S_BY_MOBILE:
		buf_adds(&c->url, "/v2/mobile/");
		url_escape(&c->url, nj->mobile);
		break;
	case S_CREATE:
		buf_adds(&c->url, "/v2/users");
		c->method = "POST";
		c->idempotent = 0;
		body =
		    jpath_pick(json_object_get(j->rec, "user"), create_fields,
		        sizeof(create_fields) / sizeof(*create_fields));
		/* A mobile that is not valid is not sent. */
		if (!nj->mobile)
			json_object_del(body, "mobile");
		/* Northstar keeps source_detail only beside a source: ours,
		 * the client's id, as Northstar would set it. */
		if (json_object_get(body, "source_detail"))
			json_object_set_new(
			    body, "source", json_string(r->client_id));
		v = json_object_get(j->rec, "referrer_user_id");
		if (json_is_string(v))
			json_object_set(body, "referrer_user_id", v);
		http_set_json(c, body);
		json_decref(body);
		break;
	case S_SMS_MOBILE:
		buf_adds(&c->url, "/v2/mobile/");
		url_escape(&c->url, nj->mobile);
		break;
	case S_SMS_PUT:
		buf_adds(&c->url, "/v2/users/");
		url_escape(&c->url, nj->sms_target);
		c->method = "PUT";
		http_set_json(c, nj->sms_change);
		break;
	case S_ACTIVATE:
		buf_adds(&c->url, "/v2/resets");
		c->method = "POST";
		body = json_pack(
		    "{s:s,s:s}", "id", nj->found_id, "type", r->o->activate);
		http_set_json(c, body);
		json_decref(body);
		break;
	default: /* S_UPDATE */
		buf_adds(&c->url, "/v2/users/");
		url_escape(&c->url, nj->found_id);
		c->method = "PUT";
		body =
		    json_pack("{s:s}", "voter_registration_status", nj->status);
		http_set_json(c, body);
		json_decref(body);
		break;
	}
	job_call(j, delay);
}

/* The first lookup step from step on that the record has a value for. */
static enum step
next_lookup(const struct njob *nj, enum step from)
{
	if (from <= S_BY_ID && nj->id)
		return S_BY_ID;
	if (from <= S_BY_EMAIL && nj->email)
		return S_BY_EMAIL;
	if (from <= S_BY_MOBILE && nj->mobile)
		return S_BY_MOBILE;
	return S_CREATE;
}

/* The job is through: keys let go, the record completed. */
static void
finish(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	json_t *v;

	json_object_set_new(j->rec, "northstar_id", json_string(nj->found_id));
	v = json_pack("{s:s,s:s}", "result", nj->created ? "created" : "found",
	    "id", nj->found_id);
	if (nj->updated)
		json_object_set_new(v, "updated",
		    json_pack("[s]", "voter_registration_status"));
	if (nj->activated)
		json_object_set_new(
		    v, "activation", json_string(r->o->activate));
	if (nj->sms_note)
		json_object_set(v, "sms", nj->sms_note);
	job_meta(j, "northstar", v);
	r->results[nj->created ? R_CREATED : R_FOUND]++;
	r->results[R_UPDATED] += nj->updated != 0;
	r->results[R_ACTIVATED] += nj->activated != 0;
	memberkeys_drop(&nj->keys, &r->locks);
	job_finish(j);
}

/*
 * Whether the member just made gets the activation e-mail (--activate): a
 * new member who opted in to e-mail (a Step-1 row
 * carries no opt-in, so never).
 */
static int
wants_activation(const struct run *r, const struct job *j)
{
	const struct njob *nj = j->priv;

	return r->o->activate && nj->created &&
	       json_is_true(json_object_get(json_object_get(j->rec, "user"),
	           "email_subscription_status"));
}

/* Remembers in the SMS ledger that the registration's opt-in is applied. */
static void
sms_remember(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	struct buf err = BUF_INIT;

	if (r->o->sms_ledger == NULL)
		return;
	/* The key may name the member: the id just found or made. */
	json_object_set_new(j->rec, "northstar_id", json_string(nj->found_id));
	if (keyledger_append(&r->sms_ledger, j->rec, "applied", NULL, &err) < 0)
		diag(NULL, 0, "%s", err.data);
	buf_release(&err);
}

/*
 * Whether the SMS rules apply (--sms-topics): a member who was there
 * already, a row with a valid mobile that says whether they opted in
 * (user.sms_status), and a registration whose opt-in was not applied
 * before (--sms-ledger: once per registration, so a member who texted STOP
 * afterwards is not subscribed again by a later report). A member just
 * made got the opt-in with the create: that counts as applied, and is
 * remembered so.
 */
static int
wants_sms(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	const char *applied;

	if (r->sms_topics == NULL || nj->mobile == NULL ||
	    json_object_get(json_object_get(j->rec, "user"), "sms_status") ==
	        NULL)
		return 0;
	if (nj->created) {
		sms_remember(r, j);
		return 0;
	}
	if (r->o->sms_ledger == NULL)
		return 1;
	json_object_set_new(j->rec, "northstar_id", json_string(nj->found_id));
	if (keyledger_lookup(&r->sms_ledger, j->rec, &applied) < 0)
		return 0;
	if (applied == NULL)
		return 1;
	nj->sms_note = json_string("applied before");
	return 0;
}

/* The SMS change for member m (the row's mobile added when give_mobile). */
static void
sms_for(struct run *r, struct job *j, const json_t *m, int give_mobile)
{
	struct njob *nj = j->priv;
	const char *st = json_string_value(
	    json_object_get(json_object_get(j->rec, "user"), "sms_status"));

	free(nj->sms_target);
	nj->sms_target = xstrdup(json_string_value(json_object_get(m, "id")));
	json_decref(nj->sms_change);
	nj->sms_change =
	    sms_change(json_string_value(json_object_get(m, "sms_status")),
	        json_object_get(m, "sms_subscription_topics"),
	        st && strcmp(st, "active") == 0, r->sms_topics);
	if (give_mobile)
		json_object_set_new(
		    nj->sms_change, "mobile", json_string(nj->mobile));
}

/* The SMS change went through (or there was none): remembered. */
static void
sms_done(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;

	json_decref(nj->sms_note);
	nj->sms_note = json_object_size(nj->sms_change)
	                   ? json_pack("{s:s,s:O}", "member", nj->sms_target,
	                         "set", nj->sms_change)
	                   : json_string("no change");
	r->results[R_SMS] += json_object_size(nj->sms_change) != 0;
	sms_remember(r, j);
}

/*
 * What is left to do for a member found or made, in this order: move the
 * status up (when it ranks higher), the SMS rules, the activation e-mail;
 * then the record is through.
 */
static void
carry_on(struct run *r, struct job *j)
{
	struct njob *nj = j->priv;
	const char *cur = json_string_value(
	    json_object_get(nj->member, "voter_registration_status"));
	const char *mobile;

	if (!nj->status_done) {
		nj->status_done = 1;
		if (!nj->created && nj->status &&
		    map_user_upgrades(&r->vendor.map, cur, nj->status)) {
			j->state = S_UPDATE;
			send_step(r, j, 0);
			return;
		}
	}
	if (!nj->sms_done) {
		nj->sms_done = 1;
		if (wants_sms(r, j)) {
			mobile = json_string_value(
			    json_object_get(nj->member, "mobile"));
			if (mobile == NULL || *mobile == '\0') {
				/* Whose is the row's mobile? (PR #172) */
				j->state = S_SMS_MOBILE;
				send_step(r, j, 0);
				return;
			}
			sms_for(r, j, nj->member, 0);
			if (json_object_size(nj->sms_change)) {
				j->state = S_SMS_PUT;
				send_step(r, j, 0);
				return;
			}
			sms_done(r, j);
		}
	}
	if (!nj->activation_done) {
		nj->activation_done = 1;
		if (wants_activation(r, j)) {
			j->state = S_ACTIVATE;
			send_step(r, j, 0);
			return;
		}
	}
	finish(r, j);
}

/* A member was found or made: what follows (carry_on). */
static void
have_member(struct run *r, struct job *j, const json_t *user)
{
	struct njob *nj = j->priv;
	const char *id = json_string_value(json_object_get(user, "id"));

	if (id == NULL) {
		memberkeys_drop(&nj->keys, &r->locks);
		job_reject(j, "Northstar answered without the member's id");
		return;
	}
	free(nj->found_id);
	nj->found_id = xstrdup(id);
	json_decref(nj->member);
	nj->member = json_incref((json_t *)user);
	carry_on(r, j);
}

/*
 * The answer to the SMS steps. Whose the mobile is: another member's
 * (that one's subscription changes, and the row's member is left alone),
 * or nobody's (the row's member gets the mobile with the change). A
 * refused change does not reject the record: the member and the post
 * still go through, and _meta.northstar.sms says what Northstar said.
 */
static void
sms_answer(struct run *r, struct job *j, struct http_call *c)
{
	struct njob *nj = j->priv;
	json_t *ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
	json_t *owner = json_object_get(ans, "data");
	const char *oid = json_string_value(json_object_get(owner, "id"));
	struct buf why = BUF_INIT;

	if (j->state == S_SMS_MOBILE &&
	    (c->status == 200 || c->status == 404)) {
		if (c->status == 200 && oid && strcmp(oid, nj->found_id) != 0)
			sms_for(r, j, owner, 0);
		else
			sms_for(r, j, nj->member, 1);
		if (json_object_size(nj->sms_change)) {
			j->state = S_SMS_PUT;
			send_step(r, j, 0);
			json_decref(ans);
			return;
		}
		sms_done(r, j);
	} else if (c->status == 200) {
		sms_done(r, j);
	} else {
		answer_refusal(
		    &why, c, "Northstar", "error.message", "error.fields");
		json_decref(nj->sms_note);
		nj->sms_note = json_pack("{s:s}", "failed", why.data);
	}
	json_decref(ans);
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

static void
step_done(struct http_call *c)
{
	struct job *j = c->arg;
	struct run *r = j->d->ctx;
	struct njob *nj = j->priv;
	json_t *ans;
	struct buf why = BUF_INIT;
	double delay;

	if (c->result == HTTP_TRANSIENT) {
		/* A create whose answer was lost: look again, then decide. */
		if ((delay = http_backoff(r->d.http, c)) < 0) {
			c->result = HTTP_UNAVAILABLE;
		} else {
			nj->create_lost |= j->state == S_CREATE;
			j->state = next_lookup(nj, S_BY_EMAIL);
			if (j->state != S_CREATE)
				nj->relooked = 1;
			send_step(r, j, delay);
			return;
		}
	}
	if (c->result != HTTP_ANSWER) {
		memberkeys_drop(&nj->keys, &r->locks);
		job_failed(j, "Northstar");
		return;
	}
	/* An answer: the next step has a retry budget of its own. */
	c->tries = 0;
	if (j->state <= S_BY_MOBILE && c->status == 404) {
		j->state = next_lookup(nj, (enum step)(j->state + 1));
		send_step(r, j, 0);
		return;
	}
	if (j->state == S_CREATE && exists_already(c) && !nj->relooked &&
	    next_lookup(nj, S_BY_EMAIL) != S_CREATE) {
		nj->relooked = 1;
		j->state = next_lookup(nj, S_BY_EMAIL);
		send_step(r, j, 0);
		return;
	}
	if (j->state == S_SMS_MOBILE || j->state == S_SMS_PUT) {
		sms_answer(r, j, c);
		return;
	}
	if (c->status != 200 && c->status != 201) {
		answer_refusal(
		    &why, c, "Northstar", "error.message", "error.fields");
		memberkeys_drop(&nj->keys, &r->locks);
		job_reject(j, "%s", why.data);
		buf_release(&why);
		return;
	}
	ans = json_loadb(c->resp.data, c->resp.len, 0, NULL);
	if (j->state == S_UPDATE) {
		nj->updated = 1;
		carry_on(r, j);
	} else if (j->state == S_ACTIVATE) {
		nj->activated = 1;
		finish(r, j);
	} else {
		/* Found after a create whose answer was lost: that create
		 * made the member, since the lookups before it, done holding
		 * the member's keys, found nobody. A member this record made
		 * stays made through a lookup after a lost activation. */
		if (j->state == S_CREATE || nj->create_lost)
			nj->created = 1;
		have_member(r, j, json_object_get(ans, "data"));
	}
	json_decref(ans);
}

static void
start(struct deliver *d, struct job *j)
{
	struct njob *nj = xcalloc(1, sizeof(*nj));
	const char *id =
	    json_string_value(json_object_get(j->rec, "northstar_id"));

	(void)d;
	j->priv = nj;
	nj->id = id && *id ? id : NULL;
	nj->email = user_string(j->rec, "email");
	nj->mobile = user_string(j->rec, "mobile");
	if (!mobile_valid(nj->mobile))
		nj->mobile = NULL;
	nj->status = user_string(j->rec, "voter_registration_status");
	if (!nj->id && !nj->email && !nj->mobile) {
		job_reject(j, "no northstar_id, e-mail or valid mobile to "
		              "find or create the member by");
		return;
	}
	memberkeys_init(&nj->keys, nj->id, nj->email, nj->mobile);
	j->state = S_WAIT;
}

static void
advance(struct deliver *d)
{
	struct run *r = d->ctx;
	struct njob *nj;
	struct job *j;
	size_t i;

	for (i = 0; i < d->n; i++) {
		j = deliver_job(d, i);
		nj = j->priv;
		if (j->done || j->state != S_WAIT ||
		    !memberkeys_take(&nj->keys, &r->locks))
			continue;
		j->state = next_lookup(j->priv, S_BY_ID);
		send_step(r, j, 0);
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
	free(nj->sms_target);
	json_decref(nj->member);
	json_decref(nj->sms_change);
	json_decref(nj->sms_note);
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
	    "northstar_id.\n\n" STAGE_VENDOR_HELP
	    "                            (required: its \"user_rank\" orders "
	    "member statuses,\n"
	    "                            its \"delivery\" gives --activate, "
	    "--sms-topics and\n"
	    "                            --sms-key)\n"
	    "  -a, --activate TYPE       send a new member who opted in to "
	    "e-mail the\n"
	    "                            activation e-mail TYPE (POST "
	    "/v2/resets)\n"
	    "  -t, --sms-topics LIST     apply the SMS opt-in of a row with a "
	    "mobile to a\n"
	    "                            member who exists, by the old "
	    "importer's table,\n"
	    "                            these topics (comma-separated)\n"
	    "  -l, --sms-ledger FILE     once per registration: remember what "
	    "was applied\n"
	    "  -k, --sms-key F[,F...]    a registration's key in that "
	    "ledger\n" DELIVER_OPTIONS_HELP STAGE_OPTIONS_HELP "\n"
	    "Environment: NORTHSTAR_URL, NORTHSTAR_CLIENT_ID, "
	    "NORTHSTAR_CLIENT_SECRET.\n"
	    "Each record goes on with _meta.northstar = {\"result\": found or "
	    "created, \"id\": ID}.\n" DELIVER_EXIT_HELP "\n"
	    "Example:\n"
	    "  status-map --vendor turbovote < activity.ndjson |\n"
	    "      post-northstar --vendor turbovote --concurrency 16 \\\n"
	    "      --rejects northstar-rejects.ndjson > members.ndjson\n");
}

static int
parse_args(int argc, char **argv, struct opts *o, struct stage *st)
{
	static const struct option longopts[] = {
	    STAGE_VENDOR_LONGOPTS,
	    {"activate", required_argument, NULL, 'a'},
	    {"sms-topics", required_argument, NULL, 't'},
	    {"sms-ledger", required_argument, NULL, 'l'},
	    {"sms-key", required_argument, NULL, 'k'},
	    DELIVER_LONGOPTS,
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv,
	            ":a:t:l:k:" STAGE_VENDOR_SHORTOPTS DELIVER_SHORTOPTS
	                STAGE_SHORTOPTS,
	            longopts, NULL)) != -1) {
		if (ch == 'v' || ch == 'm') {
			o->vendor = optarg;
		} else if (ch == 'a') {
			o->activate = optarg;
		} else if (ch == 't') {
			o->sms_topics = optarg;
		} else if (ch == 'l') {
			o->sms_ledger = optarg;
		} else if (ch == 'k') {
			o->sms_key = optarg;
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
	return 0;
}

/*
 * The options the vendor file gives when the command line does not, and
 * the SMS ones made ready: the topics as a list, the key, the ledger.
 * Returns 0 or an exit status.
 */
static int
sms_setup(struct run *r)
{
	struct opts *o = r->o;
	struct buf err = BUF_INIT;
	int rc = 0;

	if (o->activate == NULL)
		o->activate = r->vendor.activate;
	if (o->sms_topics == NULL)
		o->sms_topics = r->vendor.sms_topics;
	if (o->sms_key == NULL)
		o->sms_key = r->vendor.sms_key;
	if (o->sms_topics == NULL)
		return o->sms_ledger
		           ? cli_usage_error(SYNOPSIS,
		                 "--sms-ledger goes with --sms-topics "
		                 "(or the vendor file's "
		                 "delivery.sms_topics)")
		           : 0;
	if (o->sms_ledger && o->sms_key == NULL)
		return cli_usage_error(SYNOPSIS,
		    "--sms-ledger needs --sms-key (or the vendor file's "
		    "delivery.sms_key): the fields that name one registration");
	r->sms_topics = vendor_names(o->sms_topics);
	if (o->sms_key && keyledger_key(&r->sms_ledger, o->sms_key) < 0)
		return cli_usage_error(
		    SYNOPSIS, "bad --sms-key '%s'", o->sms_key);
	if (o->sms_ledger &&
	    (rc = keyledger_open(&r->sms_ledger, o->sms_ledger, 1, &err)) < 0) {
		diag(NULL, 0, "%s", err.data);
		rc = ledger_exitcode(rc);
	}
	buf_release(&err);
	return rc;
}

static void
sms_release(struct run *r)
{
	struct buf err = BUF_INIT;

	if (r->o->sms_ledger && keyledger_sync(&r->sms_ledger, &err) < 0)
		diag(NULL, 0, "%s", err.data);
	keyledger_close(&r->sms_ledger);
	json_decref(r->sms_topics);
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
	keyledger_init(&r.sms_ledger);
	deliver_opts_init(&o.d);
	stage_init(&st, "post-northstar", SYNOPSIS);
	if ((rc = parse_args(argc, argv, &o, &st)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = stage_load_vendor(&r.vendor, o.vendor)) != 0 ||
	    (rc = sms_setup(&r)) != 0) {
		vendor_release(&r.vendor);
		sms_release(&r);
		return rc;
	}
	if ((rc = deliver_configure(&o.d, "NORTHSTAR_URL", &r.url, &oauth)) !=
	    0) {
		vendor_release(&r.vendor);
		sms_release(&r);
		return rc;
	}
	r.client_id = oauth.client_id;
	keylock_init(&r.locks);
	deliver_init(&r.d, &st, &ops, &r, deliver_window(&o.d));
	if ((rc = deliver_connect(&r.d, &o.d.http, &oauth)) == 0 &&
	    (rc = stage_start(&st)) == 0) {
		rc = deliver_run(&r.d, argc - optind, argv + optind);
		diag(NULL, 0,
		    "found=%llu created=%llu updated=%llu activated=%llu "
		    "sms=%llu",
		    r.results[R_FOUND], r.results[R_CREATED],
		    r.results[R_UPDATED], r.results[R_ACTIVATED],
		    r.results[R_SMS]);
		rc = stage_finish(&st, rc);
	}
	deliver_release(&r.d);
	keylock_release(&r.locks);
	vendor_release(&r.vendor);
	sms_release(&r);
	oauth_release(&oauth);
	return rc;
}
