/*
 * rtv-filter: Rock the Vote knowledge, in one place.
 *
 * Reads csv2ndjson records of a Rock the Vote registrant report and writes
 * canonical activity records (README: "The canonical activity record"),
 * by the rules of chompy-behaviour.md section 3.3:
 *
 *  - "Started registration" must be a real date and time; a row where it
 *    is not (empty, "555-555-5555") is dropped by the rule invalid-date;
 *  - the status: "Complete" becomes register-OVR when "Finish with State"
 *    says yes, else register-form; any other is lower-cased with spaces
 *    turned into dashes ("Step 1" is step-1). status-map then decides
 *    which are known: an unknown one is rejected there, never sent;
 *  - the tracking source gives the member's id, the referrer and the group
 *    (common/referral.h, with the old importer's defects fixed);
 *  - the member: e-mail and zip code always; for any status but step-1
 *    also the name, the address, the mobile (only a valid one), the e-mail
 *    opt-in and, with a mobile, the SMS opt-in, with the topics of the
 *    map's defaults (a Step-1 row carries only what the first step asks,
 *    PR #190);
 *  - details: Tracking Source, Started registration, Finish with State,
 *    Status, Pre-Registered and Home zip code, verbatim, in that order.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "diag.h"
#include "exitcode.h"
#include "map.h"
#include "referral.h"
#include "stage.h"

#define SYNOPSIS "rtv-filter --map FILE [OPTIONS] [FILE...]"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The columns every row must have (Phone may be missing: chompy 3.2). */
/* clang-format off */
static const char *const needed[] = {
	"Status", "Finish with State", "Started registration",
	"Tracking Source", "Pre-Registered", "Email address",
	"Home zip code", "Home address", "Home unit", "Home city",
	"First name", "Last name", "Opt-in to Partner email?",
	"Opt-in to Partner SMS/robocall",
};

/* The post's details, in the reference's order. */
static const char *const detail_cols[] = {
	"Tracking Source", "Started registration", "Finish with State",
	"Status", "Pre-Registered", "Home zip code",
};
/* clang-format on */

struct ctx {
	const struct map *map;
	unsigned long long warned, set_aside;
	struct buf code;
};

static const char *
col(const json_t *rec, const char *name)
{
	return json_string_value(json_object_get(rec, name));
}

/* The first needed column rec lacks or holds as a non-string, or NULL. */
static const char *
bad_column(const json_t *rec)
{
	size_t i;

	for (i = 0; i < NELEM(needed); i++) {
		if (!json_is_string(json_object_get(rec, needed[i])))
			return needed[i];
	}
	if (json_object_get(rec, "Phone") && !col(rec, "Phone"))
		return "Phone";
	return NULL;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Reads n digits at *p into *v. */
static int
digits(const char **p, int n, int *v)
{
	*v = 0;
	while (n--) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (*(*p)++ - '0');
	}
	return 0;
}

/*
 * The date rule: a real calendar date, with an optional time and zone, in
 * the shapes Rock the Vote and people write: "2020-03-08 00:56:02 -0400",
 * ISO 8601 ("2020-03-08T00:56:02Z"), "03/08/2020 00:56". Returns 1 when s
 * is one, else 0 ("555-555-5555", "", "2020-02-30").
 */
static int
real_date(const char *s)
{
	static const int mdays[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, hh = 0, mm = 0, ss = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (isdigit((unsigned char)s[0]) && s[4] == '-') {
		if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &m) ||
		    *s++ != '-' || digits(&s, 2, &d))
			return 0;
	} else if (digits(&s, 2, &m) == 0 && *s++ == '/' &&
	           digits(&s, 2, &d) == 0 && *s++ == '/' &&
	           digits(&s, 4, &y) == 0) {
		/* month/day/year */
	} else {
		return 0;
	}
	if (y < 1900 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap(y)))
		return 0;
	if (*s == 'T' || *s == ' ') {
		s++;
		if (digits(&s, 2, &hh) || *s++ != ':' || digits(&s, 2, &mm))
			return 0;
		if (*s == ':' && (s++, digits(&s, 2, &ss)))
			return 0;
		if (hh > 23 || mm > 59 || ss > 60)
			return 0;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	while (isspace((unsigned char)*s))
		s++;
	/* A zone: Z, UTC, +hh:mm, -hhmm. */
	if (*s == 'Z')
		s++;
	else if (strncmp(s, "UTC", 3) == 0)
		s += 3;
	else if (*s == '+' || *s == '-')
		for (s++; isdigit((unsigned char)*s) || *s == ':'; s++)
			;
	return *s == '\0';
}

/* chompy 3.3 step 2: the status as the organization's hierarchy names it. */
static void
rtv_status(const json_t *rec, struct buf *out)
{
	const char *s = col(rec, "Status");

	buf_reset(out);
	for (; *s; s++)
		buf_addc(
		    out, *s == ' ' ? '-' : (char)tolower((unsigned char)*s));
	if (strcmp(out->data ? out->data : "", "complete") == 0) {
		buf_reset(out);
		buf_adds(out, rtv_bool(col(rec, "Finish with State"))
		                  ? "register-OVR"
		                  : "register-form");
	}
}

static json_t *
topics(const struct map *m, const char *key, int in)
{
	json_t *v = m->defaults ? json_object_get(m->defaults, key) : NULL;

	return in && json_is_array(v) ? json_deep_copy(v) : json_array();
}

/* chompy 3.3 steps 4 and 5: the member's fields. */
static json_t *
user_of(const struct map *m, const json_t *rec, const char *status)
{
	const char *phone = col(rec, "Phone");
	json_t *u = json_object();
	int email_in, sms_in;

	json_object_set_new(u, "email", canon_text(col(rec, "Email address")));
	json_object_set_new(
	    u, "addr_zip", canon_text(col(rec, "Home zip code")));
	json_object_set_new(
	    u, "source_detail", map_default(m, "source_detail"));
	if (strcmp(status, "step-1") == 0)
		return u;
	json_object_set_new(u, "mobile",
	    mobile_valid(phone) ? json_string(phone) : json_null());
	json_object_set_new(
	    u, "first_name", canon_text(col(rec, "First name")));
	json_object_set_new(u, "last_name", canon_text(col(rec, "Last name")));
	json_object_set_new(
	    u, "addr_street1", canon_text(col(rec, "Home address")));
	json_object_set_new(
	    u, "addr_street2", canon_text(col(rec, "Home unit")));
	json_object_set_new(u, "addr_city", canon_text(col(rec, "Home city")));
	email_in = rtv_bool(col(rec, "Opt-in to Partner email?"));
	json_object_set_new(
	    u, "email_subscription_status", json_boolean(email_in));
	json_object_set_new(u, "email_subscription_topics",
	    topics(m, "email_topics", email_in));
	if (mobile_valid(phone)) {
		sms_in = rtv_bool(col(rec, "Opt-in to Partner SMS/robocall"));
		json_object_set_new(
		    u, "sms_status", json_string(sms_in ? "active" : "stop"));
		json_object_set_new(u, "sms_subscription_topics",
		    topics(m, "sms_topics", sms_in));
	}
	return u;
}

/* Builds the canonical record of a Rock the Vote row. */
static json_t *
canonical(struct ctx *c, const json_t *rec, const struct tracking *t)
{
	const struct map *m = c->map;
	json_t *out = json_object(), *meta;

	rtv_status(rec, &c->code);
	json_object_set_new(out, "northstar_id", canon_text(t->user));
	json_object_set_new(out, "action_id", map_default(m, "action_id"));
	json_object_set_new(out, "campaign_id", map_default(m, "campaign_id"));
	json_object_set_new(out, "campaign_run_id", json_null());
	json_object_set_new(out, "type", map_default(m, "type"));
	json_object_set_new(out, "status", json_string(c->code.data));
	json_object_set_new(out, "source", map_default(m, "source"));
	json_object_set_new(out, "source_details", json_null());
	json_object_set_new(out, "referrer_user_id", canon_text(t->referrer));
	json_object_set_new(out, "group_id",
	    t->group_id >= 0 ? json_integer(t->group_id) : json_null());
	json_object_set(
	    out, "created_at", json_object_get(rec, "Started registration"));
	json_object_set_new(
	    out, "details", canon_pick(rec, detail_cols, NELEM(detail_cols)));
	json_object_set_new(out, "user", user_of(m, rec, c->code.data));
	meta = json_object_get(rec, "_meta");
	meta = json_is_object(meta) ? json_deep_copy(meta) : json_object();
	if (col(rec, "Tracking ID"))
		json_object_set(
		    meta, "vendor_id", json_object_get(rec, "Tracking ID"));
	if (t->why.len)
		json_object_set_new(meta, "warning", json_string(t->why.data));
	json_object_set_new(out, "_meta", meta);
	return out;
}

static int
each(struct stage *st, json_t *rec, void *arg)
{
	struct ctx *c = arg;
	const char *bad = bad_column(rec), *file;
	unsigned long long line;
	struct tracking t;
	json_t *out;

	if (bad && st->tally.in == 1) {
		stage_reject(
		    st, rec, "not a Rock the Vote report: no column '%s'", bad);
		return EXIT_DATAERR;
	}
	if (bad) {
		stage_reject(
		    st, rec, "column '%s' is missing or not a string", bad);
		return 0;
	}
	if (!real_date(col(rec, "Started registration"))) {
		stage_drop(st, "invalid-date", rec);
		return 0;
	}
	tracking_parse(col(rec, "Tracking Source"), &t);
	if (t.why.len) {
		c->set_aside++;
		stage_where(st, rec, &file, &line);
		if (c->warned++ < 10)
			diag(file, line, "%s", t.why.data);
	}
	out = canonical(c, rec, &t);
	stage_emit(st, out);
	json_decref(out);
	tracking_release(&t);
	return 0;
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Turn a Rock the Vote registrant report (csv2ndjson records) "
	    "into canonical\nactivity records.\n\n"
	    "  -m, --map FILE            the business map with the "
	    "defaults\n"
	    "                            (pipelines/maps/rock-the-vote.json); "
	    "required\n" STAGE_OPTIONS_HELP "\n"
	    "Rows whose \"Started registration\" is not a date are dropped "
	    "(rule invalid-date).\n" STAGE_EXIT_HELP "\n"
	    "Example:\n"
	    "  csv2ndjson --source rock-the-vote report.csv | rtv-filter "
	    "--map pipelines/maps/rock-the-vote.json \\\n"
	    "      --dropped invalid-dates.ndjson > activity.ndjson\n");
}

int
main(int argc, char **argv)
{
	struct stage st;
	struct map m;
	struct ctx c = {.map = &m, .code = BUF_INIT};
	int rc;

	stage_init(&st, "rtv-filter", SYNOPSIS);
	if ((rc = stage_map_args(&st, argc, argv, usage, &m)) != 0) {
		map_release(&m);
		return rc < 0 ? EXIT_OK : rc;
	}
	if ((rc = stage_start(&st)) == 0)
		rc = stage_run(&st, argc - optind, argv + optind, each, &c);
	if (c.set_aside)
		diag(NULL, 0,
		    "tracking sources with values set aside: %llu (see "
		    "_meta.warning)",
		    c.set_aside);
	rc = stage_finish(&st, rc);
	map_release(&m);
	buf_release(&c.code);
	return rc;
}
