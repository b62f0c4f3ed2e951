/*
 * post-rogue: each canonical activity record becomes a post in Rogue, once.
 *
 * For a record it finds the member's post for (action_id, northstar_id,
 * type), or with --match-detail KEY[,KEY...] the one whose details hold
 * the same values at those keys (one post per registration, per call);
 * then creates the post, or moves its status up when the record's ranks
 * higher in the vendor file's hierarchy, or leaves it. The record goes on
 * with _meta.rogue = {"result": "created", "upgraded", "unchanged" or
 * "skipped", "post_id": N}.
 *
 * A vendor that names a campaign of its own instead of an action id has
 * its action found by the vendor file's delivery.action filter, once per
 * value a run (actioncache.h): the record's action_id is the first action
 * Rogue lists, and a record no action matches is rejected.
 *
 * Lookups are batched: the members of up to 50 records waiting in the
 * window are looked up with one GET, every page of it, and what is found
 * is kept while records using it are in the window, and updated by this
 * stage's own writes (postcache.h). Two records with the same key are
 * never in flight together (keylock.h), so the second sees what the first
 * did.
 *
 * With --ledger FILE, each key is appended after Rogue confirmed the write
 * (or that the post already stood at that status), and a record whose key
 * the ledger holds at an equal or higher rank is skipped with no request:
 * a re-run of the same export sends nothing. A create whose answer was
 * lost (a dropped connection, a timeout, a 5xx) is not sent again blindly:
 * the member's posts are looked up again first, so a post is never
 * created twice.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "postflow.h"
#include "referral.h"
#include "stage.h"
#include "vendor.h"

#define SYNOPSIS "post-rogue --vendor NAME|FILE [OPTIONS] [FILE...]"

static const char default_key[] = "northstar_id,action_id,type";

/* Rogue's posts and actions, as the caches read them. */
static const char *const scope_fields[] = {"action_id", "type", NULL};
static const struct postcache_names rogue_posts = {"Rogue", "/api/v3/posts",
    "northstar_id", "id", "status", "details", scope_fields};
static const struct actioncache_names rogue_actions = {
    "Rogue", "/api/v3/actions", "id"};
/* What a create sends of the record, with delivery.post_fields. */
static const char *const post_fields[] = {"northstar_id", "action_id", "type",
    "status", "source", "source_details", "referrer_user_id", "group_id", NULL};

struct opts {
	struct deliver_opts d;
	const char *vendor, *ledger, *key, *match_detail;
};

struct run {
	struct postflow flow; /* the delivery loop's context */
	struct opts *o;
	const char *url;
	struct vendor vendor;
	struct deliver d;
	struct buf query, what; /* scratch: a record's action query */
};

/*
 * Checks a record and fills pj: NULL, or why it cannot be posted.
 */
static const char *
check_record(struct run *r, struct job *j, struct postflow_job *pj)
{
	const json_t *rec = j->rec;
	const char *nsid =
	    json_string_value(json_object_get(rec, "northstar_id"));
	json_t *action = json_object_get(rec, "action_id");
	const char *type = json_string_value(json_object_get(rec, "type"));

	if (nsid == NULL)
		return "no northstar_id (run post-northstar first)";
	if (!northstar_id_valid(nsid))
		return "northstar_id is not a Northstar id";
	pj->needs_action =
	    r->vendor.action_filter && (action == NULL || json_is_null(action));
	if (!pj->needs_action &&
	    (!json_is_integer(action) || json_integer_value(action) <= 0))
		return "no action_id (a positive integer)";
	if (type == NULL || *type == '\0')
		return "no type";
	pj->status = json_string_value(json_object_get(rec, "status"));
	if (pj->status == NULL || *pj->status == '\0')
		return "no status";
	if (r->o->match_detail &&
	    (pj->detail = postcache_detail(
	         &r->flow.cache, json_object_get(rec, "details"))) == NULL)
		return "no details value for --match-detail";
	buf_reset(&r->query);
	buf_reset(&r->what);
	if (pj->needs_action &&
	    actioncache_query(&r->flow.actions, rec, &r->query, &r->what) < 0) {
		buf_reset(&r->query);
		buf_printf(&r->query, "no %s (delivery.action's filter)",
		    r->what.data);
		return r->query.data;
	}
	/* A key that needs the action id is built once it is known. */
	if (postflow_key(&r->flow, j, pj) < 0 && !pj->needs_action)
		return "a key field is missing or null";
	return NULL;
}

/* --dry-run: the requests the record would need, in place of it. */
static void
dry_run(struct run *r, struct job *j)
{
	struct buf u = BUF_INIT, scope = BUF_INIT;
	json_t *plan, *reqs = json_array();
	const char *nsid =
	    json_string_value(json_object_get(j->rec, "northstar_id"));

	if (((struct postflow_job *)j->priv)->needs_action) {
		actioncache_url(&r->flow.actions, &u, r->query.data);
		json_array_append_new(
		    reqs, json_pack("{s:s,s:s,s:s}", "method", "GET", "url",
		              u.data, "then",
		              "ACTION_ID below is the first action's id (none: "
		              "the record is rejected)"));
		json_object_set_new(
		    j->rec, "action_id", json_string("ACTION_ID"));
	}
	postcache_scope(&r->flow.cache, j->rec, &scope);
	postcache_url(&r->flow.cache, &u, scope.data, &nsid, 1, 0);
	json_array_append_new(
	    reqs, json_pack("{s:s,s:s}", "method", "GET", "url", u.data));
	url_join(&u, r->url, rogue_posts.path);
	json_array_append_new(
	    reqs, json_pack("{s:s,s:s,s:o,s:s}", "method", "POST", "url",
	              u.data, "body", postflow_body(&r->flow, j->rec), "if",
	              "the lookup finds no post (else a PATCH of the status, "
	              "when it ranks higher)"));
	plan = json_pack("{s:s,s:I,s:o}", "file", j->file, "line",
	    (json_int_t)j->line, "requests", reqs);
	json_decref(j->rec);
	j->rec = plan;
	buf_release(&u);
	buf_release(&scope);
	job_finish(j);
}

static void
start(struct deliver *d, struct job *j)
{
	struct run *r = ((struct postflow *)d->ctx)->arg;
	struct postflow_job *pj = xcalloc(1, sizeof(*pj));
	const char *why;

	j->priv = pj;
	if ((why = check_record(r, j, pj)) != NULL)
		postflow_reject(&r->flow, j, "%s", why);
	else if (pj->keyed && pj->seen)
		postflow_finish(&r->flow, j, POSTFLOW_SKIPPED, 0);
	else if (r->o->d.dry_run)
		dry_run(r, j);
	else if (pj->needs_action)
		postflow_wait_action(&r->flow, j, r->query.data, r->what.data);
	else
		postflow_ready(&r->flow, j);
}

static const struct deliver_ops ops = {
    start, postflow_advance, postflow_release_job};

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Create each canonical record's post in Rogue, or move its status "
	    "up; once.\n\n" STAGE_VENDOR_HELP
	    "                            (required: its \"rank\" orders "
	    "statuses, its\n"
	    "                            \"delivery\" gives --key, "
	    "--match-detail, the action's\n"
	    "                            filter and the fields a create "
	    "sends)\n"
	    "  -l, --ledger FILE         skip keys delivered before; append "
	    "what is delivered\n"
	    "  -k, --key F[,F...]        the ledger's key (default "
	    "northstar_id,action_id,type,\n"
	    "                            and details.KEY with --match-detail)\n"
	    "  -d, --match-detail K[,K...]\n"
	    "                            one post per value of details.K, "
	    "all matching (else\n"
	    "                            the vendor file's "
	    "delivery.match_detail)\n" DELIVER_DRY_RUN_HELP DELIVER_OPTIONS_HELP
	        STAGE_OPTIONS_HELP "\n"
	    "Environment: ROGUE_URL, NORTHSTAR_URL, NORTHSTAR_CLIENT_ID, "
	    "NORTHSTAR_CLIENT_SECRET.\n"
	    "Each record goes on with _meta.rogue = {\"result\": created, "
	    "upgraded, unchanged\nor skipped, \"post_id\": N}. The summary "
	    "ends with requests=N, every request\nsent (lookups, retries and "
	    "the token included).\n" DELIVER_EXIT_HELP "\n"
	    "Example:\n"
	    "  post-northstar --vendor turbovote < mapped.ndjson |\n"
	    "      post-rogue --vendor turbovote --ledger "
	    "state/turbovote.ledger \\\n"
	    "      --concurrency auto --rejects rogue-rejects.ndjson > "
	    "results.ndjson\n");
}

static int
parse_args(int argc, char **argv, struct opts *o, struct stage *st)
{
	static const struct option longopts[] = {
	    STAGE_VENDOR_LONGOPTS,
	    {"ledger", required_argument, NULL, 'l'},
	    {"key", required_argument, NULL, 'k'},
	    {"match-detail", required_argument, NULL, 'd'},
	    DELIVER_LONGOPTS,
	    STAGE_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv,
	            ":l:k:d:" STAGE_VENDOR_SHORTOPTS DELIVER_SHORTOPTS
	                STAGE_SHORTOPTS,
	            longopts, NULL)) != -1) {
		switch (ch) {
		case 'v':
		case 'm':
			o->vendor = optarg;
			break;
		case 'l':
			o->ledger = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'd':
			o->match_detail = optarg;
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
	if (o->vendor == NULL)
		return cli_usage_error(
		    SYNOPSIS, "--vendor NAME (or FILE) is required");
	return 0;
}

/*
 * The vendor file (its "delivery" gives what the command line does not),
 * the key, the ledger. Returns 0, or an exit status.
 */
static int
load(struct run *r)
{
	struct postflow *pf = &r->flow;
	struct buf spec = BUF_INIT, err = BUF_INIT;
	const char *k, *comma;
	int rc = 0;

	if ((rc = stage_load_vendor(&r->vendor, r->o->vendor)) != 0)
		goto out;
	pf->map = &r->vendor.map;
	if (r->o->key == NULL)
		r->o->key = r->vendor.key;
	if (r->o->match_detail == NULL)
		r->o->match_detail = r->vendor.match_detail;
	buf_adds(&spec, r->o->key ? r->o->key : default_key);
	for (k = r->o->key ? NULL : r->o->match_detail; k; k = comma) {
		comma = strchr(k, ',');
		buf_printf(&spec, ",details.%.*s",
		    (int)(comma ? (size_t)(comma - k) : strlen(k)), k);
		comma = comma ? comma + 1 : NULL;
	}
	if (keyledger_key(&pf->kl, spec.data) < 0) {
		rc = cli_usage_error(SYNOPSIS, "bad key '%s'", spec.data);
		goto out;
	}
	pf->ledger = r->o->ledger != NULL;
	if (pf->ledger && (rc = keyledger_open(&pf->kl, r->o->ledger,
	                       !r->o->d.dry_run, &err)) < 0) {
		diag(NULL, 0, "%s", err.data);
		rc = ledger_exitcode(rc);
	}
	pf->cache.detail_key = r->o->match_detail;
	pf->actions.filters = r->vendor.action_filter;
	pf->action_field = "action_id";
	pf->fields = post_fields;
	pf->extra = r->vendor.post_fields;
	pf->details = "details";
out:
	buf_release(&spec);
	buf_release(&err);
	return rc;
}

/* Ends the run: the ledger made durable, the results told. */
static int
wrap_up(struct run *r, int rc)
{
	struct postflow *pf = &r->flow;
	struct buf err = BUF_INIT;

	if (pf->ledger && !r->o->d.dry_run &&
	    keyledger_sync(&pf->kl, &err) < 0) {
		diag(NULL, 0, "%s", err.data);
		rc = exit_worst(rc, EXIT_IOERR);
	}
	if (pf->ledger_error) {
		diag(NULL, 0, "%s", pf->ledger_why.data);
		rc = exit_worst(rc, EXIT_IOERR);
	}
	diag(NULL, 0,
	    "created=%llu upgraded=%llu unchanged=%llu skipped=%llu "
	    "requests=%llu",
	    pf->results[POSTFLOW_CREATED], pf->results[POSTFLOW_UPGRADED],
	    pf->results[POSTFLOW_UNCHANGED], pf->results[POSTFLOW_SKIPPED],
	    http_requests(r->d.http));
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
	int rc, have_oauth = 0;

	memset(&r, 0, sizeof(r));
	memset(&oauth, 0, sizeof(oauth));
	r.o = &o;
	buf_init(&r.query, BUF_UNLIMITED);
	buf_init(&r.what, BUF_UNLIMITED);
	deliver_opts_init(&o.d);
	stage_init(&st, "post-rogue", SYNOPSIS);
	if ((rc = parse_args(argc, argv, &o, &st)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	deliver_init(&r.d, &st, &ops, &r.flow, deliver_window(&o.d));
	postflow_init(
	    &r.flow, &rogue_posts, &rogue_actions, &r.d, NULL, "rogue");
	r.flow.arg = &r;
	if ((rc = load(&r)) != 0 ||
	    (rc = deliver_configure(&o.d, "ROGUE_URL", &r.url, &oauth)) != 0)
		goto out;
	r.flow.cache.url = r.flow.actions.url = r.url;
	have_oauth = !o.d.dry_run;
	if (!o.d.dry_run &&
	    (rc = deliver_connect(&r.d, &o.d.http, &oauth)) != 0)
		goto out;
	if ((rc = stage_start(&st)) != 0)
		goto out;
	progress_init(&st.prog, "records");
	rc = deliver_run(&r.d, argc - optind, argv + optind);
	rc = wrap_up(&r, rc);
	rc = stage_finish(&st, rc);
out:
	deliver_release(&r.d);
	postflow_release(&r.flow);
	vendor_release(&r.vendor);
	buf_release(&r.query);
	buf_release(&r.what);
	if (have_oauth)
		oauth_release(&oauth);
	return rc;
}
