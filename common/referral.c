/* Referral codes; see referral.h. */
#include <ctype.h>
#include <string.h>

#include "cli.h"
#include "referral.h"

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

/* Notes a value set aside, for the record's _meta.warning. */
static void
set_aside(struct referral *r, const char *what, const char *val)
{
	int n = 40;

	/* At most 40 bytes, cut between characters: the warning is JSON. */
	if (strlen(val) > 40) {
		while (n > 0 && (val[n] & 0xc0) == 0x80)
			n--;
	}
	buf_printf(&r->why, "%sreferral code %s '%.*s' is not %s; not used",
	    r->why.len ? "; " : "", what, n, val,
	    strcmp(what, "user") == 0 ? "a Northstar id" : "a number");
}

/* A user id is taken in lower case, as Northstar writes it. */
void
referral_parse(char *code, struct referral *r)
{
	char *piece, *next, *sep, *key, *val;
	int i;

	memset(r, 0, sizeof(*r));
	buf_init(&r->why, 1024);
	for (piece = code; piece; piece = next) {
		next = strchr(piece, ',');
		if (next)
			*next++ = '\0';
		sep = strchr(piece, ':');
		if (sep == NULL)
			sep = strchr(piece, '=');
		if (sep == NULL)
			continue;
		*sep = '\0';
		key = trim(piece);
		val = trim(sep + 1);
		for (sep = key; *sep; sep++)
			*sep = (char)tolower((unsigned char)*sep);
		if (*val == '\0')
			continue;
		if (strcmp(key, "user") == 0) {
			r->user[0] = '\0';
			if (!northstar_id_valid(val)) {
				r->bad_user++;
				set_aside(r, "user", val);
				continue;
			}
			for (i = 0; i < 25; i++)
				r->user[i] =
				    (char)tolower((unsigned char)val[i]);
		} else if (strcmp(key, "campaign") == 0 ||
		           strcmp(key, "campaignid") == 0) {
			if ((r->campaign = number(val)) == 0) {
				r->bad_number++;
				set_aside(r, "campaign", val);
			}
		} else if (strcmp(key, "campaignrunid") == 0) {
			if ((r->run = number(val)) == 0) {
				r->bad_number++;
				set_aside(r, "campaign run", val);
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
