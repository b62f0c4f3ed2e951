/*
 * Referral codes and tracking sources: the key:value strings vendors carry
 * from the organization's links ("user:5552aa34469c64ec7d8b715b,
 * campaignID:7059,campaignRunID:8022,source:email,source_details:news").
 * A vendor file calls them by name (rules.h: referral_code,
 * tracking_source).
 *
 * TurboVote's referral code (vendors/turbovote/README.md; the old
 * importer replaced the whole code by the defaults when any one of user,
 * campaign or run was missing, losing the user id): pieces split on ",",
 * each "key:value" or "key=value" (the first ":", else the first "="),
 * keys case-insensitive, spaces around keys and values ignored; user, campaign
 * or campaignid, campaignrunid, source, source_details; other keys ignored; a
 * later piece with the same key wins. Each value stands on its own: a missing
 * one is simply absent (the caller applies its default), and a user that
 * is not a Northstar id or a campaign or run that is not a number is set
 * aside with a warning, never used.
 */
#ifndef REFERRAL_H
#define REFERRAL_H

#include "buf.h"

struct referral {
	char user[25];                 /* the Northstar id, lower case, or "" */
	long long campaign, run;       /* 0 when absent or not a number */
	char *source, *source_details; /* into the code, or NULL */
	int bad_user, bad_number;      /* values set aside */
	struct buf why; /* the warnings ("referral code user 'x' is not ...") */
};

/*
 * Parses code (a NUL-terminated string, modified: r's strings point into
 * it) into r. Release r with referral_release().
 */
void referral_parse(char *code, struct referral *r);

/* Frees what r holds. */
void referral_release(struct referral *r);

/*
 * Rock the Vote's tracking source (vendors/rock-the-vote/README.md): pieces
 * split on ",", each split at its first ":", else its first "="; keys
 * case-insensitive, keys and values trimmed.
 *
 *   user, user_id, userid   the member's Northstar id
 *   referral, refferal      when true (as yes_no() says), the user piece,
 *                           before or after it, names the member who
 *                           referred this one: it becomes the referrer and
 *                           the member's own id stays unknown (the old
 *                           importer crashed when referral came first, and
 *                           ignored every piece after it)
 *   group_id                a group id: a whole number (a value that is not
 *                           one is set aside with a warning, not taken as 0)
 *
 * Other keys (source, source_details, campaignID...) are left to reporting.
 * A user value that is not a Northstar id is set aside with a warning.
 */
struct tracking {
	char user[25];      /* the member's id, lower case, or "" */
	char referrer[25];  /* the referrer's id, or "" */
	long long group_id; /* -1 when absent or not a number */
	int referral;       /* a true referral piece was there */
	struct buf why;     /* warnings, as in struct referral */
};

/* Parses src (not modified) into t. Release t with tracking_release(). */
void tracking_parse(const char *src, struct tracking *t);

void tracking_release(struct tracking *t);

/* Whether s is a Northstar id: exactly 24 hex digits. */
int northstar_id_valid(const char *s);

#endif
