/* OAuth 2 client credentials; see oauth.h. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oauth.h"
#include "redact.h"
#include "url.h"

#define DEFAULT_SCOPE "admin user activity write"

void
oauth_init(struct oauth *o, const char *base_url, const char *client_id,
    const char *client_secret, const char *scope)
{
	struct buf url = BUF_INIT;

	memset(o, 0, sizeof(*o));
	url_join(&url, base_url, "/v2/auth/token");
	o->url = url.data;
	o->client_id = xstrdup(client_id);
	o->client_secret = xstrdup(client_secret);
	o->scope = xstrdup(scope ? scope : DEFAULT_SCOPE);
	redact_add(o->client_secret);
}

/* Drops a secret from the registry, overwrites it and frees it. */
static void
wipe(char *s)
{
	if (s == NULL)
		return;
	redact_drop(s);
	redact_wipe(s, strlen(s));
	free(s);
}

/* The token is no longer the one to send; it stays the previous one. */
static void
retire_token(struct oauth *o)
{
	if (o->token == NULL)
		return;
	wipe(o->prev_token);
	o->prev_token = o->token;
	o->token = NULL;
}

void
oauth_release(struct oauth *o)
{
	free(o->url);
	free(o->client_id);
	wipe(o->client_secret);
	free(o->scope);
	wipe(o->token);
	wipe(o->prev_token);
	memset(o, 0, sizeof(*o));
}

int
oauth_body(const struct oauth *o, struct buf *out)
{
	json_t *req = json_pack("{s:s, s:s, s:s, s:s}", "grant_type",
	    "client_credentials", "client_id", o->client_id, "client_secret",
	    o->client_secret, "scope", o->scope);
	char *s;
	int rc;

	if (req == NULL)
		return -1;
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (s == NULL)
		return -1;
	buf_reset(out);
	rc = buf_adds(out, s);
	redact_wipe(s, strlen(s));
	free(s);
	return rc;
}

/* The server's own words for a refusal: "message", else "error". */
static void
refusal(const json_t *ans, long status, struct buf *why)
{
	const char *msg = json_string_value(json_object_get(ans, "message"));
	const char *err = json_string_value(json_object_get(ans, "error"));

	buf_printf(why, "credentials refused (HTTP %ld%s%s%s%s)", status,
	    err ? ", " : "", err ? err : "", msg ? ": " : "", msg ? msg : "");
	/* A server that echoes the request quotes the secret. */
	redact_buf(why);
}

int
oauth_take(struct oauth *o, long status, const char *body, size_t n, double now,
    struct buf *why)
{
	json_t *ans = json_loadb(body, n, 0, NULL);
	const char *tok =
	    json_string_value(json_object_get(ans, "access_token"));
	json_t *exp = json_object_get(ans, "expires_in");
	double life = json_is_number(exp) ? json_number_value(exp) : 3600;
	int rc = -1;

	buf_reset(why);
	/* 400 and 401 are RFC 6749's answers for bad client credentials;
	 * 403 is how gateways and some servers refuse them. */
	if (status == 400 || status == 401 || status == 403) {
		refusal(ans, status, why);
		rc = 1;
	} else if (status != 200 || tok == NULL || *tok == '\0') {
		buf_printf(why, "the token endpoint answered HTTP %ld %s",
		    status, tok ? "with an empty token" : "without a token");
	} else {
		retire_token(o);
		o->token = xstrdup(tok);
		redact_add(o->token);
		o->gen++;
		/* Renew a minute early, or a tenth early for short lives. */
		o->expires_at = now + life - (life > 600 ? 60 : life / 10);
		rc = 0;
	}
	json_decref(ans);
	return rc;
}

int
oauth_valid(const struct oauth *o, double now)
{
	return o->token != NULL && now < o->expires_at;
}

void
oauth_forget(struct oauth *o)
{
	retire_token(o);
}

char *
oauth_read_secret(const char *path, struct buf *err)
{
	const char *env;
	char line[4096], *secret;
	FILE *fp;
	size_t n;

	if (path == NULL) {
		env = getenv("NORTHSTAR_CLIENT_SECRET");
		if (env == NULL || *env == '\0') {
			buf_adds(err, "no client secret: set "
			              "NORTHSTAR_CLIENT_SECRET or use "
			              "--client-secret-file FILE");
			return NULL;
		}
		return xstrdup(env);
	}
	if ((fp = fopen(path, "r")) == NULL) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (n == 0) {
		buf_printf(err, "%s: no client secret in the file", path);
		return NULL;
	}
	secret = xstrdup(line);
	redact_wipe(line, sizeof(line));
	return secret;
}
