/*
 * Unit tests for common/awscreds.c: a profile of an AWS credentials file
 * (comments, spaces, keys in any case, another profile's keys ignored),
 * a missing profile or key named, the environment, and the secret kept
 * out of messages (redact).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awscreds.h"
#include "harness.h"
#include "redact.h"

static const char file[] = "# keys\n[default]\naws_access_key_id=A1\n"
                           "aws_secret_access_key = S1\n\n[ mail ]\n"
                           "; the panel's\nAWS_ACCESS_KEY_ID = A2 \n"
                           "aws_secret_access_key=S2\naws_session_token=T2\n";

TEST(from_file)
{
	char path[sizeof(HARNESS_TMP)];
	struct awscreds c;
	struct buf err = BUF_INIT, msg = BUF_INIT;

	CHECK(harness_tmpfile(path, file, strlen(file)) == 0);
	CHECK(awscreds_load(&c, path, "mail", &err) == 0);
	CHECK_STR(c.key_id, "A2");
	CHECK_STR(c.token, "T2");
	CHECK_STR(c.userpwd.data, "A2:S2");
	buf_adds(&msg, "echoed S2 and T2");
	redact_buf(&msg);
	CHECK(strstr(msg.data, "S2") == NULL && strstr(msg.data, "T2") == NULL);
	awscreds_release(&c);
	CHECK(awscreds_load(&c, path, NULL, &err) == 0);
	CHECK_STR(c.userpwd.data, "A1:S1");
	CHECK(c.token == NULL);
	awscreds_release(&c);
	CHECK(awscreds_load(&c, path, "other", &err) < 0);
	CHECK(strstr(err.data, "no profile [other]") != NULL);
	awscreds_release(&c);
	unlink(path);
	buf_release(&err);
	buf_release(&msg);
}

TEST(from_env)
{
	struct awscreds c;
	struct buf err = BUF_INIT;

	unsetenv("AWS_ACCESS_KEY_ID");
	CHECK(awscreds_load(&c, NULL, NULL, &err) < 0);
	CHECK(strstr(err.data, "AWS_ACCESS_KEY_ID is not set") != NULL);
	awscreds_release(&c);
	setenv("AWS_ACCESS_KEY_ID", "E1", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "ES", 1);
	CHECK(awscreds_load(&c, NULL, NULL, &err) == 0);
	CHECK_STR(c.userpwd.data, "E1:ES");
	awscreds_release(&c);
	buf_release(&err);
}

int
main(void)
{
	RUN(from_file);
	RUN(from_env);
	return harness_done();
}
