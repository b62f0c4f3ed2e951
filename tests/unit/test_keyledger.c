/*
 * Unit tests for common/keyledger.c: a record's key looked up and
 * appended by the record itself, a record without a key field naming no
 * entry (and appending nothing), entries seen at once and again after the
 * file is opened anew, and a ledger never opened being harmless.
 * Temporary files go under /tmp and are removed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "jsoncheck.h"
#include "keyledger.h"

#define SPEC "northstar_id,registration_id"

TEST(lookup_and_append)
{
	char path[sizeof(HARNESS_TMP)];
	struct keyledger k;
	struct buf err = BUF_INIT;
	json_t *rec = parse("{\"northstar_id\":\"5552aa34\","
	                    "\"registration_id\":7,\"user\":{}}");
	json_t *other = parse("{\"northstar_id\":\"5552aa34\","
	                      "\"registration_id\":\"7\"}");
	json_t *keyless = parse("{\"northstar_id\":\"5552aa34\"}");
	const char *st = "unset";

	CHECK(harness_tmpfile(path, "", 0) == 0);
	keyledger_init(&k);
	CHECK(keyledger_key(&k, SPEC) == 0);
	CHECK(keyledger_open(&k, path, 1, &err) == 0);
	CHECK(keyledger_lookup(&k, rec, &st) == 0 && st == NULL);
	CHECK(keyledger_append(&k, rec, "applied", NULL, &err) == 0);
	CHECK(keyledger_lookup(&k, rec, &st) == 0);
	CHECK_STR(st, "applied");
	/* "7" is not 7: another registration. */
	CHECK(keyledger_lookup(&k, other, &st) == 0 && st == NULL);
	/* No registration_id: no entry, and nothing appended. */
	CHECK(keyledger_lookup(&k, keyless, &st) == -1 && st == NULL);
	CHECK(keyledger_append(&k, keyless, "applied", NULL, &err) == 1);
	CHECK(keyledger_sync(&k, &err) == 0);
	keyledger_close(&k);
	/* Read again from the file, read-only. */
	keyledger_init(&k);
	CHECK(keyledger_key(&k, SPEC) == 0);
	CHECK(keyledger_open(&k, path, 0, &err) == 0);
	CHECK(k.ledger.lines == 1);
	CHECK(keyledger_lookup(&k, rec, &st) == 0);
	CHECK_STR(st, "applied");
	/* A read-only ledger refuses an append, with a message. */
	CHECK(keyledger_append(&k, other, "applied", NULL, &err) == -1);
	CHECK(err.len > 0);
	keyledger_close(&k);
	unlink(path);
	json_decref(rec);
	json_decref(other);
	json_decref(keyless);
	buf_release(&err);
}

TEST(bad_spec_and_never_opened)
{
	struct keyledger k;
	struct buf err = BUF_INIT;
	json_t *rec = parse("{\"a\":1}");
	const char *st;

	keyledger_init(&k);
	CHECK(keyledger_key(&k, "a..b") == -1);
	keyledger_close(&k);
	/* Never opened: nothing found, nothing to sync, closed cleanly. */
	keyledger_init(&k);
	CHECK(keyledger_key(&k, "a") == 0);
	CHECK(keyledger_lookup(&k, rec, &st) == 0 && st == NULL);
	CHECK(keyledger_sync(&k, &err) == 0);
	keyledger_close(&k);
	json_decref(rec);
	buf_release(&err);
}

int
main(void)
{
	RUN(lookup_and_append);
	RUN(bad_spec_and_never_opened);
	return harness_done();
}
