/*
 * Unit tests for common/hashledger.c: a new ledger gets its header, hashes
 * appended are there after reopening, a torn last line (and a header cut
 * short) is cut off, a file that is not a ledger of hashes and a ledger of
 * another label are refused and left as they were, a second writer is
 * locked out, and a million hashes in little memory.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "hashledger.h"

#define LABEL "post-quasar table=t url=http://h:8123"

static char dir[] = "/tmp/test_hashledger.XXXXXX";

static const char *
path(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
put(const char *name, const char *text, size_t n)
{
	FILE *f = fopen(path(name), "wb");

	fwrite(text, 1, n, f);
	fclose(f);
}

/* The file's bytes (static, NUL-terminated). */
static const char *
get(const char *name)
{
	static char text[4096];
	FILE *f = fopen(path(name), "rb");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

	if (f)
		fclose(f);
	text[n] = '\0';
	return text;
}

static struct hash128
hh(uint64_t lo, uint64_t hi)
{
	struct hash128 h;

	h.lo = lo;
	h.hi = hi;
	return h;
}

TEST(hex_both_ways)
{
	struct hash128 h;
	char out[HASHLEDGER_HEX];

	CHECK(hashledger_hex("0123456789abcdefFEDCBA9876543210xx", &h) == 0);
	CHECK(h.lo == 0x0123456789abcdefULL && h.hi == 0xfedcba9876543210ULL);
	hashledger_format(h, out);
	CHECK_MEM(out, sizeof(out), "0123456789abcdeffedcba9876543210");
	CHECK(hashledger_hex("0123456789abcdeg0123456789abcdef", &h) == -1);
}

TEST(new_then_appended_then_read)
{
	struct hashledger l;
	struct hash128 two[2] = {hh(1, 2), hh(0xab, 0xcd)};
	struct buf err = BUF_INIT;

	CHECK(hashledger_open(&l, path("a"), LABEL, &err) == 0);
	CHECK(l.lines == 0 && !hashledger_has(&l, two[0]));
	CHECK(hashledger_append(&l, two, 2, &err) == 0);
	CHECK(hashledger_has(&l, two[1]) && l.added == 2);
	CHECK(hashledger_note(&l, hh(7, 7)) == 1);
	CHECK(hashledger_note(&l, hh(7, 7)) == 0);
	CHECK(hashledger_sync(&l, &err) == 0);
	hashledger_close(&l);
	CHECK_STR(get("a"), "#sluice-hashes " LABEL "\n"
	                    "00000000000000010000000000000002\n"
	                    "00000000000000ab00000000000000cd\n");
	CHECK(hashledger_open(&l, path("a"), LABEL, &err) == 0);
	CHECK(l.lines == 2 && hashledger_has(&l, two[0]) &&
	      hashledger_has(&l, two[1]) && !hashledger_has(&l, hh(7, 7)));
	hashledger_close(&l);
	buf_release(&err);
}

TEST(torn_tail_cut_off)
{
	static const char text[] = "#sluice-hashes " LABEL "\n"
	                           "00000000000000010000000000000002\n"
	                           "000000000000\0\0";
	struct hashledger l;
	struct buf err = BUF_INIT;

	put("torn", text, sizeof(text) - 1);
	CHECK(hashledger_open(&l, path("torn"), LABEL, &err) == 0);
	CHECK(l.lines == 1 && l.torn == 1);
	CHECK(hashledger_append(&l, &(struct hash128){3, 4}, 1, &err) == 0);
	hashledger_close(&l);
	CHECK_STR(get("torn"), "#sluice-hashes " LABEL "\n"
	                       "00000000000000010000000000000002\n"
	                       "00000000000000030000000000000004\n");
	/* A header cut short: a new ledger. */
	put("head", "#sluice-ha", 10);
	CHECK(hashledger_open(&l, path("head"), LABEL, &err) == 0);
	hashledger_close(&l);
	CHECK_STR(get("head"), "#sluice-hashes " LABEL "\n");
	/* Or followed by NUL bytes (a power failure), or only those. */
	put("nul", "#sluice\0\0\0", 10);
	CHECK(hashledger_open(&l, path("nul"), LABEL, &err) == 0);
	hashledger_close(&l);
	CHECK_STR(get("nul"), "#sluice-hashes " LABEL "\n");
	put("zeros", "\0\0\0\0", 4);
	CHECK(hashledger_open(&l, path("zeros"), LABEL, &err) == 0);
	hashledger_close(&l);
	CHECK_STR(get("zeros"), "#sluice-hashes " LABEL "\n");
	buf_release(&err);
}

TEST(not_a_ledger_refused)
{
	static const char csv[] = "id,name\n1,Joe\n";
	static const char bad[] = "#sluice-hashes " LABEL "\n"
	                          "00000000000000010000000000000002\n"
	                          "not a hash\n";
	struct hashledger l;
	struct buf err = BUF_INIT;

	put("csv", csv, sizeof(csv) - 1);
	CHECK(hashledger_open(&l, path("csv"), LABEL, &err) ==
	      HASHLEDGER_NOT_A_LEDGER);
	CHECK(hashledger_exitcode(HASHLEDGER_NOT_A_LEDGER) == 65);
	CHECK(strstr(err.data, "csv:1: not a ledger of hashes") != NULL);
	hashledger_close(&l);
	CHECK_STR(get("csv"), csv);
	buf_reset(&err);
	put("bad", bad, sizeof(bad) - 1);
	CHECK(hashledger_open(&l, path("bad"), LABEL, &err) ==
	      HASHLEDGER_NOT_A_LEDGER);
	CHECK(strstr(err.data, "bad:3: not a hash") != NULL);
	hashledger_close(&l);
	CHECK_STR(get("bad"), bad);
	buf_reset(&err);
	/* A last line without its \n that is not hex is not torn. */
	put("tail", "#sluice-hashes " LABEL "\nzz", sizeof(LABEL) + 18);
	CHECK(hashledger_open(&l, path("tail"), LABEL, &err) ==
	      HASHLEDGER_NOT_A_LEDGER);
	hashledger_close(&l);
	buf_release(&err);
}

TEST(other_label_refused)
{
	struct hashledger l;
	struct buf err = BUF_INIT;

	CHECK(hashledger_open(&l, path("o"), "post-quasar table=x", &err) == 0);
	hashledger_close(&l);
	CHECK(hashledger_open(&l, path("o"), "post-quasar table=y", &err) ==
	      HASHLEDGER_OTHER);
	CHECK(strstr(err.data,
	          "a ledger of post-quasar table=x, not of post-quasar "
	          "table=y") != NULL);
	hashledger_close(&l);
	CHECK_STR(get("o"), "#sluice-hashes post-quasar table=x\n");
	buf_release(&err);
}

TEST(second_writer_locked_out)
{
	struct hashledger a, b;
	struct buf err = BUF_INIT;
	pid_t pid;
	int status = -1;

	CHECK(hashledger_open(&a, path("lock"), LABEL, &err) == 0);
	/* fcntl locks are per process: the second writer is a child. */
	if ((pid = fork()) == 0) {
		int rc = hashledger_open(&b, path("lock"), LABEL, &err);

		_exit(rc == -1 && strstr(err.data, "locked") ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(status == 0);
	hashledger_close(&a);
	buf_release(&err);
}

TEST(a_million_hashes)
{
	struct hashledger l;
	struct hash128 *h = malloc(1000000 * sizeof(*h));
	struct buf err = BUF_INIT;
	uint64_t i;
	int ok = 1;

	for (i = 0; i < 1000000; i++)
		h[i] = hash128(&i, sizeof(i));
	CHECK(hashledger_open(&l, path("m"), LABEL, &err) == 0);
	CHECK(hashledger_append(&l, h, 1000000, &err) == 0);
	hashledger_close(&l);
	CHECK(hashledger_open(&l, path("m"), LABEL, &err) == 0);
	CHECK(l.lines == 1000000);
	for (i = 0; i < 1000000; i++)
		ok &= hashledger_has(&l, h[i]);
	CHECK(ok);
	/* 16 bytes a slot, at a load of 0.53 to 0.8. */
	fprintf(stderr,
	    "# a million hashes: %zu bytes of table (%.1f a hash)\n",
	    keyset_bytes(&l.keys), keyset_bytes(&l.keys) / 1e6);
	CHECK(keyset_bytes(&l.keys) <= 30 * 1000000);
	hashledger_close(&l);
	free(h);
	buf_release(&err);
}

int
main(void)
{
	char rm[64];

	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(hex_both_ways);
	RUN(new_then_appended_then_read);
	RUN(torn_tail_cut_off);
	RUN(not_a_ledger_refused);
	RUN(other_label_refused);
	RUN(second_writer_locked_out);
	RUN(a_million_hashes);
	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	if (system(rm) != 0)
		return 1;
	return harness_done();
}
