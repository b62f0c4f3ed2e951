/*
 * Unit tests for common/mailledger.c: a member new, then in doubt after
 * an intent, sent after its confirmation, free again after "unsent"; the
 * states read back from the file; another mailing's entries apart.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "mailledger.h"

TEST(states)
{
	char path[sizeof(HARNESS_TMP)];
	struct mailledger m;
	struct buf err = BUF_INIT;

	CHECK(harness_tmpfile(path, "", 0) == 0);
	CHECK(mailledger_open(&m, path, 1, &err) == 0);
	CHECK(mailledger_state(&m, "m1", "a") == MAIL_NEW);
	CHECK(mailledger_append(&m, "m1", "a", "sending", NULL, &err) == 0);
	CHECK(mailledger_append(&m, "m1", "b", "sending", NULL, &err) == 0);
	CHECK(mailledger_append(&m, "m1", "c", "sending", NULL, &err) == 0);
	CHECK(mailledger_state(&m, "m1", "a") == MAIL_IN_DOUBT);
	CHECK(mailledger_append(&m, "m1", "a", "sent", NULL, &err) == 0);
	CHECK(mailledger_append(&m, "m1", "b", "unsent", NULL, &err) == 0);
	CHECK(mailledger_sync(&m, &err) == 0);
	mailledger_close(&m);
	CHECK(mailledger_open(&m, path, 0, &err) == 0);
	CHECK(mailledger_state(&m, "m1", "a") == MAIL_SENT);
	CHECK(mailledger_state(&m, "m1", "b") == MAIL_NEW);
	CHECK(mailledger_state(&m, "m1", "c") == MAIL_IN_DOUBT);
	CHECK(mailledger_state(&m, "m2", "a") == MAIL_NEW);
	mailledger_close(&m);
	unlink(path);
	buf_release(&err);
}

int
main(void)
{
	RUN(states);
	return harness_done();
}
