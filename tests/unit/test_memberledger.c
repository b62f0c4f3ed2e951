/*
 * Unit tests for common/memberledger.c: a member put and got back by each
 * of its identities, the latest line winning, everything again after the
 * file is opened anew, recalled by the first identity in the lookups' order
 * and learnt under the right ones, a torn last line ignored and cut, a file
 * that is not a ledger refused, a writer killed (SIGKILL) while appending
 * leaving a ledger whose every line is whole, and the memory a member costs
 * (MEMBERLEDGER_MEASURE=N members, 20,000 by default; printed as a "#"
 * line). Temporary files go under /tmp and are removed.
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "jsoncheck.h"
#include "memberledger.h"

static json_t *fields;

static void
open_ledger(struct memberledger *m, const char *path, int rc_want)
{
	struct buf err = BUF_INIT;
	int rc;

	memberledger_init(m, fields);
	rc = memberledger_open(m, path, 1, &err);
	if (rc != rc_want)
		fprintf(stderr, "open: %d: %s\n", rc, err.data ? err.data : "");
	CHECK(rc == rc_want);
	buf_release(&err);
}

static void
put(struct memberledger *m, const char *kind, const char *value, const char *id,
    const char *member, const char *done)
{
	struct buf err = BUF_INIT;
	json_t *mem = parse(member), *d = done ? parse(done) : NULL;
	const char *k[1] = {kind}, *v[1] = {value};

	CHECK(memberledger_put(m, k, v, 1, id, mem, d, &err) == 0);
	json_decref(mem);
	json_decref(d);
	buf_release(&err);
}

/* What the ledger says of an identity, as compact JSON ("null": none). */
static void
check_get(struct memberledger *m, const char *kind, const char *value,
    const char *want, int line)
{
	json_t *got = memberledger_get(m, kind, value);

	if (got == NULL)
		got = json_null();
	check_json(got, want, line);
	json_decref(got);
}

#define CHECK_GET(m, kind, value, want)                                        \
	check_get((m), (kind), (value), (want), __LINE__)

TEST(put_get_reopen)
{
	char path[sizeof(HARNESS_TMP)];
	struct memberledger m;
	struct buf err = BUF_INIT;
	json_t *mem = parse("{\"id\": \"m1\", \"status\": \"a\", \"x\": 1}");
	const char *k[2] = {"email", "mobile"}, *v[2] = {"a@x.org", "312"};

	CHECK(harness_tmpfile(path, "", 0) == 0);
	open_ledger(&m, path, 0);
	CHECK_GET(&m, "email", "a@x.org", "null");
	CHECK(memberledger_put(&m, k, v, 2, "m1", mem, NULL, &err) == 0);
	CHECK_GET(&m, "email", "a@x.org",
	    "{\"id\":\"m1\",\"member\":{\"id\":\"m1\",\"status\":\"a\"},"
	    "\"done\":[]}");
	CHECK_GET(&m, "mobile", "312",
	    "{\"id\":\"m1\",\"member\":{\"id\":\"m1\",\"status\":\"a\"},"
	    "\"done\":[]}");
	/* Kinds hash apart: an e-mail is not an id. */
	CHECK_GET(&m, "id", "a@x.org", "null");
	put(&m, "email", "a@x.org", "m1",
	    "{\"status\": \"b\", \"topics\": [1]}", "[\"activate t\"]");
	CHECK_GET(&m, "email", "a@x.org",
	    "{\"id\":\"m1\",\"member\":{\"id\":\"m1\",\"status\":\"b\","
	    "\"topics\":[1]},\"done\":[\"activate t\"]}");
	CHECK(memberledger_count(&m) == 2);
	CHECK(memberledger_sync(&m, &err) == 0);
	memberledger_close(&m);
	/* Opened anew: the latest line wins, the other identity kept. */
	open_ledger(&m, path, 0);
	CHECK_GET(&m, "email", "a@x.org",
	    "{\"id\":\"m1\",\"member\":{\"id\":\"m1\",\"status\":\"b\","
	    "\"topics\":[1]},\"done\":[\"activate t\"]}");
	CHECK_GET(&m, "mobile", "312",
	    "{\"id\":\"m1\",\"member\":{\"id\":\"m1\",\"status\":\"a\"},"
	    "\"done\":[]}");
	memberledger_close(&m);
	json_decref(mem);
	buf_release(&err);
	unlink(path);
}

TEST(recall_and_learn)
{
	char path[sizeof(HARNESS_TMP)];
	struct memberledger m;
	struct buf err = BUF_INIT;
	const char *rec[3] = {"i9", "b@x.org", "3125550199"};
	const char *email_only[3] = {NULL, "b@x.org", NULL};
	const enum mr_find order[3] = {MR_ID, MR_EMAIL, MR_MOBILE};
	const enum mr_find mobile_first[2] = {MR_MOBILE, MR_EMAIL};
	json_t *mem = parse("{\"status\": \"a\"}"), *now = parse("[\"x\"]");
	json_t *got;
	int by = -1;

	CHECK(harness_tmpfile(path, "", 0) == 0);
	open_ledger(&m, path, 0);
	/* Made by the record: under its e-mail and mobile, not its id. */
	CHECK(memberledger_learn(&m, rec, -1, 1, "m9", mem, NULL, now, &err) ==
	      0);
	got = memberledger_recall(&m, order, 3, rec, &by);
	CHECK(got && by == MR_EMAIL);
	CHECK_JSON(got, "{\"id\":\"m9\",\"member\":{\"id\":\"m9\",\"status\":"
	                "\"a\"},\"done\":[\"x\"]}");
	json_decref(got);
	got = memberledger_recall(&m, mobile_first, 2, rec, &by);
	CHECK(got && by == MR_MOBILE);
	json_decref(got);
	CHECK_GET(&m, "id", "i9", "null");
	/* Found by its e-mail: under the e-mail only; done before and now. */
	CHECK(memberledger_learn(
	          &m, email_only, MR_EMAIL, 0, "m9", mem, now, now, &err) == 0);
	CHECK_GET(&m, "email", "b@x.org",
	    "{\"id\":\"m9\",\"member\":{\"id\":\"m9\",\"status\":\"a\"},"
	    "\"done\":[\"x\",\"x\"]}");
	/* No lookups: by the id. */
	CHECK(
	    memberledger_recall(&m, order, 0, rec, &by) == NULL && by == MR_ID);
	memberledger_close(&m);
	json_decref(mem);
	json_decref(now);
	buf_release(&err);
	unlink(path);
}

TEST(torn_last_line_and_not_a_ledger)
{
	char path[sizeof(HARNESS_TMP)];
	struct memberledger m;
	const char good[] =
	    "{\"fields\":\"member\",\"key\":[[\"id\",\"i1\"]],\"status\":\"m1\","
	    "\"at\":\"\",\"values\":{\"status\":\"a\"},\"done\":[]}\n"
	    "{\"fields\":\"member\",\"key\":[[\"id\",\"i1\"]],\"sta";
	FILE *fp;
	char line[512];
	int n = 0;

	CHECK(harness_tmpfile(path, good, sizeof(good) - 1) == 0);
	open_ledger(&m, path, 0);
	CHECK(m.ledger.torn == 1);
	CHECK_GET(&m, "id", "i1",
	    "{\"id\":\"m1\",\"member\":{\"id\":\"m1\",\"status\":\"a\"},"
	    "\"done\":[]}");
	put(&m, "id", "i2", "m2", "{}", NULL);
	memberledger_close(&m);
	/* The fragment was cut: every line whole. */
	fp = fopen(path, "r");
	while (fp && fgets(line, sizeof(line), fp)) {
		CHECK(line[strlen(line) - 1] == '\n');
		n++;
	}
	if (fp)
		fclose(fp);
	CHECK(n == 2);
	unlink(path);
	CHECK(harness_tmpfile(path, "a,b\n1,2\n", 8) == 0);
	open_ledger(&m, path, LEDGER_NOT_A_LEDGER);
	memberledger_close(&m);
	unlink(path);
}

TEST(killed_mid_append)
{
	char path[sizeof(HARNESS_TMP)], id[32];
	struct memberledger m;
	struct timespec ts = {0, 30 * 1000 * 1000};
	pid_t pid;
	int i, round;
	json_t *got;

	CHECK(harness_tmpfile(path, "", 0) == 0);
	for (round = 0; round < 3; round++) {
		if ((pid = fork()) == 0) {
			open_ledger(&m, path, 0);
			for (i = 0;; i++) {
				snprintf(id, sizeof(id), "m%d", i);
				put(&m, "id", id, id, "{\"status\": \"a\"}",
				    NULL);
			}
		}
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		/* Reopened (writable, so a torn tail is cut): consistent. */
		open_ledger(&m, path, 0);
		CHECK(m.ledger.torn <= 1);
		CHECK(memberledger_count(&m) > 0);
		got = memberledger_get(&m, "id", "m0");
		CHECK(got != NULL);
		json_decref(got);
		memberledger_close(&m);
	}
	/* A last reader sees no torn line: the writers cut theirs. */
	memberledger_init(&m, fields);
	{
		struct buf err = BUF_INIT;

		CHECK(memberledger_open(&m, path, 0, &err) == 0);
		CHECK(m.ledger.torn == 0);
		buf_release(&err);
	}
	memberledger_close(&m);
	unlink(path);
}

TEST(bytes_per_member)
{
	char path[sizeof(HARNESS_TMP)], id[40], email[40];
	struct memberledger m;
	const char *e = getenv("MEMBERLEDGER_MEASURE");
	long n = e ? strtol(e, NULL, 10) : 20000, i;
	json_t *mem = parse(
	    "{\"status\": \"registration_complete\", \"topics\": [\"voting\"]}");
	const char *k[1] = {"email"}, *v[1] = {email};
	struct buf err = BUF_INIT;
	size_t bytes;

	CHECK(harness_tmpfile(path, "", 0) == 0);
	open_ledger(&m, path, 0);
	for (i = 0; i < n; i++) {
		/* A Northstar id is 24 hexadecimal digits. */
		snprintf(id, sizeof(id), "5f%022lx", (unsigned long)i);
		snprintf(email, sizeof(email), "member%ld@example.org", i);
		if (memberledger_put(&m, k, v, 1, id, mem, NULL, &err) < 0)
			break;
	}
	CHECK(i == n);
	memberledger_close(&m);
	/* Measured as a run sees it: the file read back. */
	open_ledger(&m, path, 0);
	CHECK(memberledger_count(&m) == (size_t)n);
	bytes = memberledger_bytes(&m);
	printf("# member ledger: %ld members, %zu bytes in memory, %.1f "
	       "bytes a member\n",
	    n, bytes, (double)bytes / (double)n);
	CHECK((double)bytes / (double)n < 200);
	memberledger_close(&m);
	json_decref(mem);
	buf_release(&err);
	unlink(path);
}

int
main(void)
{
	fields = parse("[\"status\", \"topics\"]");
	RUN(put_get_reopen);
	RUN(recall_and_learn);
	RUN(torn_last_line_and_not_a_ledger);
	RUN(killed_mid_append);
	RUN(bytes_per_member);
	json_decref(fields);
	return harness_done();
}
