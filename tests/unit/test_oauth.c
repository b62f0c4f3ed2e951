/*
 * Unit tests for common/oauth.c: the token request's body, the token
 * endpoint's answers (a token and its life, a refusal in the server's
 * words with the secret it echoed redacted, an answer that is not one),
 * renewal before expiry, a token forgotten after a 401, and the secret read
 * from a file or the environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "oauth.h"
#include "redact.h"

TEST(body)
{
	struct oauth o;
	struct buf b = BUF_INIT;

	oauth_init(&o, "http://ns.test/", "importer", "s3cr\"t", NULL);
	CHECK_STR(o.url, "http://ns.test/v2/auth/token");
	CHECK(oauth_body(&o, &b) == 0);
	CHECK_STR(b.data, "{\"grant_type\":\"client_credentials\","
	                  "\"client_id\":\"importer\",\"client_secret\":"
	                  "\"s3cr\\\"t\",\"scope\":\"admin user activity "
	                  "write\"}");
	oauth_release(&o);
	buf_release(&b);
}

static int
take(
    struct oauth *o, long status, const char *body, double now, struct buf *why)
{
	return oauth_take(o, status, body, strlen(body), now, why);
}

TEST(answers)
{
	static const char echo[] =
	    "{\"error\":\"invalid_client\",\"message\":"
	    "\"bad request: client_secret=TOPSECRET123\"}";
	struct oauth o;
	struct buf why = BUF_INIT;

	oauth_init(&o, "http://ns.test", "importer", "TOPSECRET123", NULL);
	CHECK(oauth_take(&o, 401, echo, strlen(echo), 0, &why) == 1);
	CHECK_STR(why.data, "credentials refused (HTTP 401, invalid_client: "
	                    "bad request: client_secret=" REDACT_MARK ")");
	CHECK(oauth_take(&o, 403, "", 0, 0, &why) == 1);
	CHECK(oauth_take(&o, 200, "{}", 2, 0, &why) == -1);
	CHECK(strstr(why.data, "without a token") != NULL);
	CHECK(oauth_take(&o, 503, "oops", 4, 0, &why) == -1);
	CHECK(!oauth_valid(&o, 0));
	/* A token of an hour is renewed a minute early. */
	CHECK(take(&o, 200, "{\"access_token\":\"T1\",\"expires_in\":3600}",
	          100, &why) == 0);
	CHECK_STR(o.token, "T1");
	CHECK(o.gen == 1 && oauth_valid(&o, 3639) && !oauth_valid(&o, 3640));
	/* A short one, a tenth early. */
	CHECK(take(&o, 200, "{\"access_token\":\"T2\",\"expires_in\":10}", 0,
	          &why) == 0);
	CHECK(o.gen == 2 && oauth_valid(&o, 8.9) && !oauth_valid(&o, 9.1));
	CHECK_STR(o.prev_token, "T1");
	oauth_forget(&o);
	CHECK(o.token == NULL && !oauth_valid(&o, 0));
	CHECK_STR(o.prev_token, "T2");
	oauth_release(&o);
	buf_release(&why);
}

TEST(secrets)
{
	char path[sizeof(HARNESS_TMP)], *s;
	struct buf err = BUF_INIT;

	CHECK(harness_tmpfile(path, "from-a-file\r\nsecond line\n", 26) == 0);
	s = oauth_read_secret(path, &err);
	CHECK_STR(s, "from-a-file");
	free(s);
	CHECK(harness_tmpfile(path, "\n", 1) == 0);
	CHECK(oauth_read_secret(path, &err) == NULL);
	CHECK(strstr(err.data, "no client secret in the file") != NULL);
	unlink(path);
	buf_reset(&err);
	CHECK(oauth_read_secret("/nonexistent-sluice/secret", &err) == NULL);
	CHECK(strstr(err.data, "No such file or directory") != NULL);
	setenv("NORTHSTAR_CLIENT_SECRET", "from-env", 1);
	s = oauth_read_secret(NULL, &err);
	CHECK_STR(s, "from-env");
	free(s);
	unsetenv("NORTHSTAR_CLIENT_SECRET");
	buf_reset(&err);
	CHECK(oauth_read_secret(NULL, &err) == NULL && err.len > 0);
	buf_release(&err);
}

int
main(void)
{
	RUN(body);
	RUN(answers);
	RUN(secrets);
	return harness_done();
}
