/* Referral codes; see referral.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "referral.h"
#include "values.h"

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
northstar_id_valid(const char *s)
{
	size_t i;

	for (i = 0; i < 24; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return s[24] == '\0';
}

/* A positive decimal number, or 0 when v is not one. */
static long long
number(const char *v)
{
	unsigned long long n;

	if (cli_uint(v, 999999999999ull, &n) < 0 || n == 0)
		return 0;
	return (long long)n;
}

/*
 * How many bytes of val a warning quotes: at most 40, cut between
 * characters, since the warning goes into JSON.
 */
static int
quoted(const char *val)
{
	int n = 40;

	if (strlen(val) > 40) {
		while (n > 0 && (val[n] & 0xc0) == 0x80)
			n--;
	}
	return n;
}

/* Notes a value set aside, for the record's _meta.warning. */
static void
set_aside(struct buf *why, const char *from, const char *what, const char *val,
    const char *not_a)
{
	buf_printf(why, "%s%s %s '%.*s' is not %s; not used",
	    why->len ? "; " : "", from, what, quoted(val), val, not_a);
}

/*
 * The next "key:value" (or "key=value") piece of a comma-separated list at
 * *cursor (modified in place), the key trimmed and lower-cased, the value
 * trimmed. Returns 1 with *key and *val set, 0 at the end. Pieces with
 * neither separator are skipped.
 */
static int
next_piece(char **cursor, char **key, char **val)
{
	char *piece, *sep;

	while ((piece = *cursor) != NULL) {
		*cursor = strchr(piece, ',');
		if (*cursor)
			*(*cursor)++ = '\0';
		sep = strchr(piece, ':');
		if (sep == NULL)
			sep = strchr(piece, '=');
		if (sep == NULL)
			continue;
		*sep = '\0';
		*key = trim(piece);
		*val = trim(sep + 1);
		for (sep = *key; *sep; sep++)
			*sep = (char)tolower((unsigned char)*sep);
		return 1;
	}
	return 0;
}

/* A user id is taken in lower case, as Northstar writes it. */
void
referral_parse(char *code, struct referral *r)
{
	char *cursor = code, *key, *val;
	int i;

	memset(r, 0, sizeof(*r));
	buf_init(&r->why, 1024);
	while (next_piece(&cursor, &key, &val)) {
		if (*val == '\0')
			continue;
		if (strcmp(key, "user") == 0) {
			r->user[0] = '\0';
			if (!northstar_id_valid(val)) {
				r->bad_user++;
				set_aside(&r->why, "referral code", "user", val,
				    "a Northstar id");
				continue;
			}
			for (i = 0; i < 25; i++)
				r->user[i] =
				    (char)tolower((unsigned char)val[i]);
		} else if (strcmp(key, "campaign") == 0 ||
		           strcmp(key, "campaignid") == 0) {
			if ((r->campaign = number(val)) == 0) {
				r->bad_number++;
				set_aside(&r->why, "referral code", "campaign",
				    val, "a number");
			}
		} else if (strcmp(key, "campaignrunid") == 0) {
			if ((r->run = number(val)) == 0) {
				r->bad_number++;
				set_aside(&r->why, "referral code",
				    "campaign run", val, "a number");
			}
		} else if (strcmp(key, "source") == 0) {
			r->source = val;
		} else if (strcmp(key, "source_details") == 0) {
			r->source_details = val;
		}
	}
}

void
referral_release(struct referral *r)
{
	buf_release(&r->why);
}

/* A whole number (optionally signed), or -1 when v is not one. */
static long long
whole(const char *v)
{
	unsigned long long n;

	if (cli_uint(v, 999999999999ull, &n) < 0)
		return -1;
	return (long long)n;
}

void
tracking_parse(const char *src, struct tracking *t)
{
	char *copy = xstrdup(src), *cursor = copy, *key, *val;
	char user[25] = "";
	int i;

	memset(t, 0, sizeof(*t));
	buf_init(&t->why, 1024);
	t->group_id = -1;
	while (next_piece(&cursor, &key, &val)) {
		if (strcmp(key, "user") == 0 || strcmp(key, "user_id") == 0 ||
		    strcmp(key, "userid") == 0) {
			user[0] = '\0';
			if (*val && !northstar_id_valid(val)) {
				set_aside(&t->why, "tracking source", "user",
				    val, "a Northstar id");
				continue;
			}
			for (i = 0; *val && i < 25; i++)
				user[i] = (char)tolower((unsigned char)val[i]);
		} else if (strcmp(key, "referral") == 0 ||
		           strcmp(key, "refferal") == 0) {
			t->referral |= yes_no(val);
		} else if (strcmp(key, "group_id") == 0 && *val) {
			if ((t->group_id = whole(val)) < 0)
				set_aside(&t->why, "tracking source",
				    "group_id", val, "a whole number");
		}
	}
	memcpy(t->referral ? t->referrer : t->user, user, sizeof(user));
	free(copy);
}

void
tracking_release(struct tracking *t)
{
	buf_release(&t->why);
}
