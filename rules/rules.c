/* The table of named functions; see rules.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "referral.h"
#include "rules.h"
#include "values.h"

/* Appends the warnings of a parser to why, after "; " when it has some. */
static void
warn(struct buf *why, const struct buf *w)
{
	if (w->len == 0)
		return;
	if (why->len)
		buf_add(why, "; ", 2);
	buf_add(why, w->data, w->len);
}

/* A piece that is there only when it is not empty. */
static void
text_or_absent(struct rulefn_value *v, const char *s)
{
	if (s && *s)
		rulefn_string(v, s, strlen(s));
	else
		rulefn_absent(v);
}

static const char *const referral_pieces[] = {
    "user", "campaign", "run", "source", "source_details", NULL};

static void
call_referral_code(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	char *code = xstrdup(s);
	struct referral r;

	(void)arg;
	referral_parse(code, &r);
	text_or_absent(&out[0], r.user);
	if (r.campaign)
		rulefn_int(&out[1], r.campaign);
	else
		rulefn_absent(&out[1]);
	if (r.run)
		rulefn_int(&out[2], r.run);
	else
		rulefn_absent(&out[2]);
	text_or_absent(&out[3], r.source);
	text_or_absent(&out[4], r.source_details);
	warn(why, &r.why);
	referral_release(&r);
	free(code);
}

static const char *const tracking_pieces[] = {
    "user", "referrer", "group_id", NULL};

static void
call_tracking_source(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	struct tracking t;

	(void)arg;
	tracking_parse(s, &t);
	text_or_absent(&out[0], t.user);
	text_or_absent(&out[1], t.referrer);
	if (t.group_id >= 0)
		rulefn_int(&out[2], t.group_id);
	else
		rulefn_absent(&out[2]);
	warn(why, &t.why);
	tracking_release(&t);
}

static void
call_slug(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	(void)arg;
	(void)why;
	out->type = RULEFN_STRING;
	slug(s, &out->s);
}

static void
call_yes_no(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	(void)arg;
	(void)why;
	rulefn_bool(out, yes_no(s));
}

static void
call_mobile(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	(void)arg;
	(void)why;
	if (mobile_valid(s))
		rulefn_string(out, s, strlen(s));
	else
		rulefn_absent(out);
}

static void
call_real_date(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	(void)arg;
	(void)why;
	rulefn_bool(out, real_date(s));
}

static void
call_contains(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	(void)why;
	rulefn_bool(out, contains(s, arg));
}

static void
call_contains_ci(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	(void)why;
	rulefn_bool(out, contains_ci(s, arg));
}

static void
call_email_valid(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	(void)arg;
	(void)why;
	rulefn_bool(out, email_valid(s));
}

static void
call_integer(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	long long n;

	(void)arg;
	if (integer_value(s, &n) == 0) {
		rulefn_int(out, n);
		return;
	}
	rulefn_absent(out);
	if (s && *s)
		buf_printf(why, "'%s' is not a whole number", s);
}

static void
call_email(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	(void)arg;
	(void)why;
	out->type = RULEFN_STRING;
	email_clean(s, &out->s);
}

static void
call_mobile_valid(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	(void)arg;
	(void)why;
	rulefn_bool(out, mobile_valid(s));
}

static void
call_northstar_id(
    const char *s, const char *arg, struct rulefn_value *out, struct buf *why)
{
	(void)arg;
	(void)why;
	rulefn_bool(out, northstar_id_valid(s));
}

/* clang-format off */
const struct rulefn rules_table[] = {
	{"referral_code", "TurboVote's referral code: user, campaign, run, "
	    "source, source_details", referral_pieces, 0, 0,
	    call_referral_code},
	{"tracking_source", "Rock the Vote's tracking source: user, referrer, "
	    "group_id", tracking_pieces, 0, 0, call_tracking_source},
	{"slug", "lower case, spaces to dashes", NULL, 0, 0, call_slug},
	{"yes_no", "the old importer's yes/no", NULL, 0, 1, call_yes_no},
	{"mobile", "the value when it is a mobile worth sending", NULL, 0, 0,
	    call_mobile},
	{"real_date", "whether the value is a real date", NULL, 0, 1,
	    call_real_date},
	{"contains", "whether the value holds arg, as written", NULL, 1, 1,
	    call_contains},
	{"contains_ci", "whether the value holds arg, ASCII case-insensitively",
	    NULL, 1, 1, call_contains_ci},
	{"integer", "the value as a whole number (set aside when it is not "
	    "one)", NULL, 0, 0, call_integer},
	{"email", "the address trimmed and lower-cased, as Northstar matches "
	    "it", NULL, 0, 0, call_email},
	{"lower", "white space around cut, ASCII letters lower-cased (an id)",
	    NULL, 0, 0, call_email},
	{"email_valid", "whether the value is an e-mail address Northstar "
	    "takes", NULL, 0, 1, call_email_valid},
	{"mobile_valid", "whether the value is a mobile worth sending", NULL,
	    0, 1, call_mobile_valid},
	{"northstar_id", "whether the value is a Northstar id (24 hex digits)",
	    NULL, 0, 1, call_northstar_id},
	{NULL, NULL, NULL, 0, 0, NULL},
};
/* clang-format on */

const struct rulefn *
rules_find(const char *name)
{
	const struct rulefn *f;

	for (f = rules_table; f->name; f++) {
		if (strcmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}
