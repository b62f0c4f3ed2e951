/*
 * Unit tests for common/shiprun.c: a batch the server took is counted and
 * its keys go to the ledger (--seen), and only then; a failed one is said
 * once and spooled with its sidecar; the summary line with skipped= and
 * requests=; the ledger's label (table and URL without credentials), a
 * ledger of another table refused with 65; and a replay's batches
 * recorded in the ledger of the first batch's table only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "capture.h"
#include "diag.h"
#include "harness.h"
#include "hashledger.h"
#include "shiprun.h"
#include "spool.h"

/* A batch of n rows whose keys are {i, i} for i from first. */
static void
batch(struct ship_batch *b, unsigned long long first, unsigned long long n)
{
	struct hash128 h;
	unsigned long long i;

	memset(b, 0, sizeof(*b));
	http_call_init(&b->call);
	buf_init(&b->keys, BUF_UNLIMITED);
	buf_adds(&b->call.body, "not really gzip");
	b->records = n;
	b->bytes = 15;
	b->from_file = b->to_file = "e.csv";
	b->from_line = 2;
	b->to_line = 1 + n;
	for (i = first; i < first + n; i++) {
		h.lo = h.hi = i;
		buf_add(&b->keys, &h, sizeof(h));
	}
}

static void
batch_release(struct ship_batch *b)
{
	http_call_release(&b->call);
	buf_release(&b->keys);
}

static struct hash128
hh(unsigned long long i)
{
	struct hash128 h = {i, i};

	return h;
}

TEST(taken_recorded_failed_spooled)
{
	char dir[sizeof(HARNESS_TMP)], ledger[64], spool[64], cmd[96];
	struct spool_meta m = {0};
	struct shiprun r;
	struct ship_batch b;
	struct shipper s;
	struct buf said = BUF_INIT, err = BUF_INIT;
	char **names = NULL;
	size_t n = 0, i;

	memcpy(dir, HARNESS_TMP, sizeof(HARNESS_TMP));
	CHECK(mkdtemp(dir) != NULL);
	snprintf(ledger, sizeof(ledger), "%s/t.quasar", dir);
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	m.format = "jsoneachrow";
	m.url = "http://u:secret@h:8123";
	m.table = "t";
	m.query = "INSERT INTO t FORMAT JSONEachRow";
	diag_init("unit");
	shiprun_init(&r, spool, NULL, &m);
	CHECK_STR(r.meta.url, "http://h:8123");
	CHECK(shiprun_seen(&r, ledger, "t", m.url) == 0 && r.seen);
	batch(&b, 1, 3);
	CHECK(capture_begin() == 0);
	shiprun_ended(&r, &b, 0, NULL);
	batch_release(&b);
	batch(&b, 10, 2);
	shiprun_ended(&r, &b, 69, "ClickHouse unavailable");
	shiprun_ended(&r, &b, 69, "ClickHouse unavailable");
	batch_release(&b);
	r.skipped = 7;
	memset(&s, 0, sizeof(s));
	s.retries = 2;
	shiprun_summary(&r, &s, NULL, "ClickHouse", 1);
	capture_end(&said);
	CHECK(r.rows_sent == 3 && r.batches_sent == 1);
	CHECK(r.rows_spooled == 4 && r.batches_spooled == 2);
	CHECK(count(said.data, "batches go to the spool") == 1);
	CHECK(strstr(said.data,
	          "unit: rows sent=3 spooled=4 batches sent=1 spooled=2 "
	          "retries=2 skipped=7 requests=0\n") != NULL);
	CHECK(strstr(said.data, "4 records in 2 batches are in the spool ") !=
	      NULL);
	CHECK(strstr(said.data, "--replay") &&
	      strstr(said.data, " --create-table' once "
	                        "ClickHouse takes them"));
	/* Only the batch taken is in the ledger. */
	for (i = 1; i <= 3; i++)
		CHECK(hashledger_has(r.seen, hh(i)));
	CHECK(!hashledger_has(r.seen, hh(10)));
	CHECK(spool_list(spool, &names, &n, NULL, &err) == 0 && n == 2);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	shiprun_release(&r);
	/* Read back: the label, and the three keys. */
	shiprun_init(&r, spool, NULL, NULL);
	CHECK(shiprun_seen(&r, ledger, "t", "http://h:8123") == 0);
	CHECK(r.seen && r.seen->lines == 3);
	shiprun_release(&r);
	/* The ledger of t is not one of another table's, nor URL's. */
	shiprun_init(&r, spool, NULL, NULL);
	buf_reset(&said);
	CHECK(capture_begin() == 0);
	CHECK(shiprun_seen(&r, ledger, "other", "http://h:8123") == 65);
	CHECK(shiprun_seen(&r, ledger, "t", "http://elsewhere:8123") == 65);
	capture_end(&said);
	CHECK(r.seen == NULL);
	CHECK(strstr(said.data, "a ledger of post-quasar table=t "
	                        "url=http://h:8123, not of post-quasar "
	                        "table=other") != NULL);
	shiprun_release(&r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	buf_release(&said);
	buf_release(&err);
}

TEST(replayed_batches_recorded_for_their_table)
{
	char dir[sizeof(HARNESS_TMP)], ledger[64], cmd[96];
	struct spool_meta m = {0};
	struct shiprun r;
	struct ship_batch b;

	memcpy(dir, HARNESS_TMP, sizeof(HARNESS_TMP));
	CHECK(mkdtemp(dir) != NULL);
	snprintf(ledger, sizeof(ledger), "%s/t.quasar", dir);
	shiprun_init(&r, NULL, dir, NULL);
	m.url = "http://h:8123";
	/* An ndjson batch has no table: nothing to record, nothing opened. */
	batch(&b, 1, 2);
	shiprun_replayed(&r, ledger, &b, &m, NULL);
	CHECK(r.seen == NULL);
	m.table = "t";
	shiprun_replayed(&r, ledger, &b, &m, NULL);
	batch_release(&b);
	m.table = "u";
	batch(&b, 5, 1);
	shiprun_replayed(&r, ledger, &b, &m, NULL);
	batch_release(&b);
	CHECK(r.seen && hashledger_has(r.seen, hh(1)) &&
	      hashledger_has(r.seen, hh(2)) && !hashledger_has(r.seen, hh(5)));
	CHECK(r.status == 0);
	shiprun_release(&r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

int
main(void)
{
	RUN(taken_recorded_failed_spooled);
	RUN(replayed_batches_recorded_for_their_table);
	return harness_done();
}
