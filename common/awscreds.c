/* AWS credentials from the environment or a file; awscreds.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "awscreds.h"
#include "redact.h"

/* s without the spaces at its ends, in place. */
static char *
trim(char *s)
{
	char *e = s + strlen(s);

	while (*s && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void
take(char **slot, const char *v)
{
	if (*slot) {
		redact_wipe(*slot, strlen(*slot));
		free(*slot);
	}
	*slot = xstrdup(v);
}

/* One line of the file: a section's name or a key of the profile's. */
static int
line_of(struct awscreds *c, char *s, const char *profile, int *in, int *seen,
    const char *file, unsigned long n, struct buf *err)
{
	char *eq, *k;

	s = trim(s);
	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *e = strchr(s, ']');

		if (e == NULL) {
			buf_printf(
			    err, "%s:%lu: a section without its ']'", file, n);
			return -1;
		}
		*e = '\0';
		*in = strcmp(trim(s + 1), profile) == 0;
		*seen |= *in;
		return 0;
	}
	if ((eq = strchr(s, '=')) == NULL) {
		buf_printf(err, "%s:%lu: not KEY = VALUE", file, n);
		return -1;
	}
	*eq = '\0';
	if (!*in)
		return 0;
	k = trim(s);
	if (strcasecmp(k, "aws_access_key_id") == 0)
		take(&c->key_id, trim(eq + 1));
	else if (strcasecmp(k, "aws_secret_access_key") == 0)
		take(&c->secret, trim(eq + 1));
	else if (strcasecmp(k, "aws_session_token") == 0)
		take(&c->token, trim(eq + 1));
	return 0;
}

static int
from_file(
    struct awscreds *c, const char *file, const char *profile, struct buf *err)
{
	FILE *f = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned long n = 0;
	int in = 0, seen = 0, rc = 0;

	if (f == NULL) {
		buf_printf(err, "%s: %s", file, strerror(errno));
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, f) >= 0)
		rc = line_of(c, line, profile, &in, &seen, file, ++n, err);
	if (line) {
		redact_wipe(line, cap);
		free(line);
	}
	fclose(f);
	if (rc == 0 && !seen) {
		buf_printf(err, "%s: no profile [%s]", file, profile);
		rc = -1;
	} else if (rc == 0 && (c->key_id == NULL || c->secret == NULL)) {
		buf_printf(err, "%s: profile [%s] lacks %s", file, profile,
		    c->key_id ? "aws_secret_access_key" : "aws_access_key_id");
		rc = -1;
	}
	return rc;
}

static int
from_env(struct awscreds *c, struct buf *err)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");

	if (id == NULL || *id == '\0' || secret == NULL || *secret == '\0') {
		buf_printf(err, "%s is not set (or give --credentials-file)",
		    id && *id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -1;
	}
	take(&c->key_id, id);
	take(&c->secret, secret);
	if (token && *token)
		take(&c->token, token);
	return 0;
}

int
awscreds_load(
    struct awscreds *c, const char *file, const char *profile, struct buf *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	buf_init(&c->userpwd, BUF_UNLIMITED);
	if (profile == NULL || *profile == '\0')
		profile = getenv("AWS_PROFILE");
	if (profile == NULL || *profile == '\0')
		profile = "default";
	rc = file ? from_file(c, file, profile, err) : from_env(c, err);
	if (rc < 0)
		return rc;
	redact_add(c->secret);
	redact_add(c->token);
	buf_printf(&c->userpwd, "%s:%s", c->key_id, c->secret);
	return 0;
}

static void
wipe(char **s, int registered)
{
	if (*s == NULL)
		return;
	if (registered)
		redact_drop(*s);
	redact_wipe(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

void
awscreds_release(struct awscreds *c)
{
	int registered = c->userpwd.len > 0;

	wipe(&c->key_id, 0);
	wipe(&c->secret, registered);
	wipe(&c->token, registered);
	if (c->userpwd.data)
		redact_wipe(c->userpwd.data, c->userpwd.len);
	buf_release(&c->userpwd);
}
