/*
 * Unit tests for common/ledger.c: a missing file is an empty ledger (and
 * is not created when read-only), appended entries read back with the
 * latest line of a key winning, lookups by the same bytes reckey builds,
 * another "fields" value never matching, torn last lines (no \n, the
 * start of an entry, maybe NUL bytes after it) ignored and cut off before
 * the next append, any other line that is not an entry refusing the file
 * and leaving it as it was (a CSV, a CSV without its last \n, a bad line
 * in the middle, a bad last line with its \n), the exact shape of an
 * entry line, extras, refused
 * arguments, and the writers' lock (checked from a child process, since
 * fcntl locks do not exclude the process that holds them). Temporary files
 * go under /tmp and are removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "ledger.h"
#include "reckey.h"

#define F3 "northstar_id,action_id,type"

static char dir[] = "/tmp/sluice-unit-ledger.XXXXXX";
static char path[64];

/* A fresh ledger path in the test directory. */
static const char *
fresh(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	return path;
}

/* Writes n bytes (NUL bytes included) as the whole file p. 0 or -1. */
static int
put_mem(const char *p, const char *s, size_t n)
{
	FILE *fp = fopen(p, "w");

	if (fp == NULL)
		return -1;
	fwrite(s, 1, n, fp);
	return fclose(fp);
}

#define put_file(p, lit) put_mem((p), (lit), sizeof(lit) - 1)

/* Reads a whole file into out (replacing it). 0 or -1. */
static int
get_file(const char *p, struct buf *out)
{
	char chunk[4096];
	FILE *fp = fopen(p, "r");
	size_t n;

	buf_reset(out);
	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(out, chunk, n);
	fclose(fp);
	return 0;
}

/* The status the ledger holds for a key given as JSON array text. */
static const char *
lookup(struct ledger *l, const char *fields, const char *key_json)
{
	struct buf kb = BUF_INIT;
	json_t *key = json_loads(key_json, 0, NULL);
	const char *s = NULL;

	if (reckey_join(key, &kb) == 0)
		s = ledger_lookup(l, fields, kb.data ? kb.data : "", kb.len);
	json_decref(key);
	buf_release(&kb);
	return s;
}

/* Appends an entry whose key is given as JSON array text. */
static int
append(struct ledger *l, const char *fields, const char *key_json,
    const char *status, const char *extra_json, struct buf *err)
{
	json_t *key = json_loads(key_json, 0, NULL);
	json_t *extra = extra_json ? json_loads(extra_json, 0, NULL) : NULL;
	int rc = ledger_append(l, fields, key, status, extra, err);

	json_decref(key);
	json_decref(extra);
	return rc;
}

TEST(missing_file_is_empty)
{
	struct ledger l;
	struct buf err = BUF_INIT;
	struct stat sb;

	CHECK(ledger_open(&l, fresh("none"), 0, &err) == 0);
	CHECK(l.lines == 0 && l.torn == 0);
	CHECK(lookup(&l, F3, "[1,2,\"x\"]") == NULL);
	CHECK(ledger_close(&l) == 0);
	CHECK(stat(path, &sb) < 0 && errno == ENOENT);
	/* Read-only ledgers refuse appends. */
	CHECK(ledger_open(&l, path, 0, &err) == 0);
	CHECK(append(&l, F3, "[1]", "x", NULL, &err) == -1);
	CHECK(strstr(err.data, "not open for writing") != NULL);
	ledger_close(&l);
	buf_release(&err);
}

TEST(append_and_reload)
{
	struct ledger l;
	struct buf err = BUF_INIT;

	CHECK(ledger_open(&l, fresh("a.ledger"), 1, &err) == 0);
	CHECK(append(&l, F3, "[\"u1\",8017,\"voter-reg\"]", "register-form",
	          NULL, &err) == 0);
	CHECK(append(&l, F3, "[\"u2\",8017,\"voter-reg\"]", "confirmed",
	          "{\"post_id\":9}", &err) == 0);
	/* Seen at once, before any reload. */
	CHECK_STR(
	    lookup(&l, F3, "[\"u1\",8017,\"voter-reg\"]"), "register-form");
	CHECK(append(&l, F3, "[\"u1\",8017,\"voter-reg\"]", "register-OVR",
	          NULL, &err) == 0);
	CHECK_STR(
	    lookup(&l, F3, "[\"u1\",8017,\"voter-reg\"]"), "register-OVR");
	CHECK(ledger_sync(&l, &err) == 0);
	CHECK(ledger_close(&l) == 0);

	CHECK(ledger_open(&l, path, 0, &err) == 0);
	CHECK(l.lines == 3 && l.torn == 0);
	/* The latest line of a key wins. */
	CHECK_STR(
	    lookup(&l, F3, "[\"u1\",8017,\"voter-reg\"]"), "register-OVR");
	CHECK_STR(lookup(&l, F3, "[\"u2\",8017,\"voter-reg\"]"), "confirmed");
	/* "8017" is not 8017, and other fields never match. */
	CHECK(lookup(&l, F3, "[\"u2\",\"8017\",\"voter-reg\"]") == NULL);
	CHECK(lookup(&l, "northstar_id,action_id", "[\"u2\",8017]") == NULL);
	CHECK(lookup(&l, "a,b,c", "[\"u2\",8017,\"voter-reg\"]") == NULL);
	ledger_close(&l);
	buf_release(&err);
}

/* Checks one line's shape: the members in order, a UTC time. */
TEST(entry_line_shape)
{
	struct ledger l;
	struct buf err = BUF_INIT, text = BUF_INIT;
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	const char *at;
	size_t i;
	int ok = 1;

	CHECK(ledger_open(&l, fresh("shape.ledger"), 1, &err) == 0);
	CHECK(append(&l, "id", "[\"é\\u001f\"]", "done", "{\"post_id\":9}",
	          &err) == 0);
	ledger_close(&l);
	CHECK(get_file(path, &text) == 0);
	at = strstr(text.data, ",\"at\":\"");
	CHECK(at != NULL);
	if (at == NULL)
		goto out;
	CHECK(
	    strncmp(text.data,
	        "{\"fields\":\"id\",\"key\":[\"é\\u001F\"],\"status\":\"done\"",
	        (size_t)(at - text.data)) == 0);
	at += 7;
	/* YYYY-MM-DDTHH:MM:SSZ */
	for (i = 0; i < 20; i++)
		ok &= shape[i] == 'd' ? at[i] >= '0' && at[i] <= '9'
		                      : at[i] == shape[i];
	CHECK(ok);
	CHECK_STR(at + 20, "\",\"post_id\":9}\n");
out:
	buf_release(&err);
	buf_release(&text);
}

TEST(refused_arguments)
{
	struct ledger l;
	struct buf err = BUF_INIT, text = BUF_INIT;

	CHECK(ledger_open(&l, fresh("refuse.ledger"), 1, &err) == 0);
	CHECK(append(&l, "id", "[1]", "x", "{\"at\":\"now\"}", &err) == -1);
	CHECK(strstr(err.data, "'at' is reserved") != NULL);
	buf_reset(&err);
	CHECK(append(&l, "id", "{\"a\":1}", "x", NULL, &err) == -1);
	buf_reset(&err);
	CHECK(append(&l, "id", "[1]", "x", "[1]", &err) == -1);
	buf_reset(&err);
	CHECK(ledger_append(&l, "id", NULL, "x", NULL, &err) == -1);
	buf_reset(&err);
	/* Invalid UTF-8 in the status would leave a member out. */
	CHECK(append(&l, "id", "[1]", "\xff", NULL, &err) == -1);
	ledger_close(&l);
	/* Nothing was written by any of them. */
	CHECK(get_file(path, &text) == 0 && text.len == 0);
	buf_release(&err);
	buf_release(&text);
}

#define GOOD1 "{\"fields\":\"id\",\"key\":[1],\"status\":\"a\",\"at\":\"\"}\n"
#define GOOD2 "{\"fields\":\"id\",\"key\":[2],\"status\":\"b\",\"at\":\"\"}\n"
#define NEXT "{\"fields\":\"id\",\"key\":[3],\"status\":\"c\",\"at\":\""

TEST(torn_line_without_newline)
{
	struct ledger l;
	struct buf err = BUF_INIT, text = BUF_INIT;

	CHECK(put_file(fresh("torn.ledger"),
	          GOOD1 GOOD2 "{\"fields\":\"id\",\"key\":[3],\"sta") == 0);
	/* Read-only: ignored, counted, the file left alone. */
	CHECK(ledger_open(&l, path, 0, &err) == 0);
	CHECK(l.lines == 2 && l.torn == 1);
	CHECK_STR(lookup(&l, "id", "[2]"), "b");
	CHECK(lookup(&l, "id", "[3]") == NULL);
	ledger_close(&l);
	CHECK(get_file(path, &text) == 0);
	CHECK(text.len == strlen(GOOD1 GOOD2) + 29);
	/* Writable: cut off, so the next entry starts on a fresh line. */
	CHECK(ledger_open(&l, path, 1, &err) == 0);
	CHECK(l.torn == 1);
	CHECK(append(&l, "id", "[3]", "c", NULL, &err) == 0);
	ledger_close(&l);
	CHECK(ledger_open(&l, path, 0, &err) == 0);
	CHECK(l.lines == 3 && l.torn == 0);
	CHECK_STR(lookup(&l, "id", "[3]"), "c");
	ledger_close(&l);
	CHECK(get_file(path, &text) == 0);
	CHECK(strncmp(text.data, GOOD1 GOOD2 NEXT, strlen(GOOD1 GOOD2 NEXT)) ==
	      0);
	buf_release(&err);
	buf_release(&text);
}

/* A complete entry missing only its \n is torn too: it was cut short. */
TEST(complete_entry_without_newline_is_torn)
{
	struct ledger l;
	struct buf err = BUF_INIT;

	CHECK(put_file(fresh("nonl.ledger"), GOOD1
	          "{\"fields\":\"id\",\"key\":[2],\"status\":\"b\"}") == 0);
	CHECK(ledger_open(&l, path, 0, &err) == 0);
	CHECK(l.lines == 1 && l.torn == 1);
	CHECK(lookup(&l, "id", "[2]") == NULL);
	ledger_close(&l);
	buf_release(&err);
}

/* A crash on some file systems leaves NUL bytes where data was lost. */
TEST(nul_bytes_after_a_torn_line)
{
	struct ledger l;
	struct buf err = BUF_INIT, text = BUF_INIT;

	CHECK(put_file(fresh("nul.ledger"), GOOD1 "{\"fiel\0\0\0") == 0);
	CHECK(ledger_open(&l, path, 1, &err) == 0);
	CHECK(l.lines == 1 && l.torn == 1);
	ledger_close(&l);
	CHECK(get_file(path, &text) == 0);
	CHECK_MEM(text.data, text.len, GOOD1);
	CHECK(put_file(fresh("nul.ledger"), GOOD1 "\0\0\0\0") == 0);
	CHECK(ledger_open(&l, path, 0, &err) == 0);
	CHECK(l.lines == 1 && l.torn == 1);
	ledger_close(&l);
	buf_release(&err);
	buf_release(&text);
}

/*
 * Opens p (read-only, then writable), which is not a ledger: refused
 * both times, naming the line, and the file left byte for byte.
 */
static void
check_refused(
    const char *p, const char *data, size_t n, const char *where, int lineno)
{
	struct ledger l;
	struct buf err = BUF_INIT, text = BUF_INIT;
	int writable;

	for (writable = 0; writable < 2; writable++) {
		buf_reset(&err);
		if (ledger_open(&l, p, writable, &err) != LEDGER_NOT_A_LEDGER ||
		    err.data == NULL || strstr(err.data, where) == NULL ||
		    strstr(err.data, "not a ledger entry") == NULL) {
			harness_failed_checks++;
			fprintf(stderr, "%s:%d: not refused as '%s': %s\n",
			    __FILE__, lineno, where,
			    err.data ? err.data : "(no message)");
		}
		ledger_close(&l);
		CHECK(get_file(p, &text) == 0 && text.len == n &&
		      memcmp(text.data, data, n) == 0);
	}
	CHECK(ledger_exitcode(LEDGER_NOT_A_LEDGER) == 65);
	CHECK(ledger_exitcode(-1) == 74);
	buf_release(&err);
	buf_release(&text);
}

#define CHECK_REFUSED(name, lit, where)                                        \
	do {                                                                   \
		CHECK(put_file(fresh(name), lit) == 0);                        \
		check_refused(path, lit, sizeof(lit) - 1, where, __LINE__);    \
	} while (0)

TEST(not_a_ledger_is_refused)
{
	/* A CSV, with and without its last \n, and a one-line one. */
	CHECK_REFUSED("csv.ledger", "id,name\n1,Ann\n2,Bob\n", "csv.ledger:1:");
	CHECK_REFUSED("csv.ledger", "id,name\n1,Ann\n2,Bob", "csv.ledger:1:");
	CHECK_REFUSED("csv.ledger", "id,name", "csv.ledger:1:");
	/* Entries, then a line that is not one, whatever its place. */
	CHECK_REFUSED("bad.ledger", GOOD1 "not json\n" GOOD2, "bad.ledger:2:");
	CHECK_REFUSED("bad.ledger", GOOD1 GOOD2 "\n", "bad.ledger:3:");
	CHECK_REFUSED("bad.ledger",
	    GOOD1 "{\"fields\":\"id\",\"key\":1,\"status\":\"x\"}\n",
	    "bad.ledger:2:");
	CHECK_REFUSED(
	    "bad.ledger", GOOD1 GOOD2 "{\"fiel\0\0\n", "bad.ledger:3:");
	CHECK_REFUSED("bad.ledger", GOOD1 GOOD2 "[1]", "bad.ledger:3:");
}

TEST(unreadable_ledger)
{
	struct ledger l;
	struct buf err = BUF_INIT;

	/* A directory opens but cannot be read. */
	CHECK(ledger_open(&l, dir, 0, &err) == -1);
	CHECK(err.len > 0);
	ledger_close(&l);
	buf_reset(&err);
	CHECK(ledger_open(&l, dir, 1, &err) == -1);
	ledger_close(&l);
	buf_release(&err);
}

/* A second writer is refused while the first holds the ledger. */
TEST(writers_lock)
{
	struct ledger l, l2;
	struct buf err = BUF_INIT;
	pid_t pid;
	int status = -1;

	CHECK(ledger_open(&l, fresh("lock.ledger"), 1, &err) == 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int rc = ledger_open(&l2, path, 1, &err);

		_exit(rc == -1 && strstr(err.data, "in use") ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Readers need no lock. */
	CHECK(ledger_open(&l2, path, 0, &err) == 0);
	ledger_close(&l2);
	ledger_close(&l);
	buf_release(&err);
}

/* The bytes reckey builds from a record find the ledger's entry. */
TEST(record_keys_find_entries)
{
	struct ledger l;
	struct reckey k;
	struct buf err = BUF_INIT, kb = BUF_INIT;
	const char *missing;
	json_t *rec = json_loads("{\"northstar_id\":\"5f\",\"action_id\":8017,"
	                         "\"type\":\"voter-reg\",\"status\":\"x\"}",
	    0, NULL);
	json_t *key;

	CHECK(reckey_parse(&k, F3) == 0);
	key = reckey_array(&k, rec, &missing);
	CHECK(ledger_open(&l, fresh("rec.ledger"), 1, &err) == 0);
	CHECK(ledger_append(&l, k.fields, key, "confirmed", NULL, &err) == 0);
	ledger_close(&l);
	CHECK(ledger_open(&l, path, 0, &err) == 0);
	CHECK(reckey_build(&k, rec, &kb, &missing) == 0);
	CHECK_STR(ledger_lookup(&l, k.fields, kb.data, kb.len), "confirmed");
	ledger_close(&l);
	json_decref(key);
	json_decref(rec);
	reckey_release(&k);
	buf_release(&err);
	buf_release(&kb);
}

static void
cleanup(void)
{
	static const char *names[] = {"a.ledger", "shape.ledger",
	    "refuse.ledger", "torn.ledger", "nonl.ledger", "nul.ledger",
	    "csv.ledger", "bad.ledger", "lock.ledger", "rec.ledger"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		fresh(names[i]);
	rmdir(dir);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(missing_file_is_empty);
	RUN(append_and_reload);
	RUN(entry_line_shape);
	RUN(refused_arguments);
	RUN(torn_line_without_newline);
	RUN(complete_entry_without_newline_is_torn);
	RUN(nul_bytes_after_a_torn_line);
	RUN(not_a_ledger_is_refused);
	RUN(unreadable_ledger);
	RUN(writers_lock);
	RUN(record_keys_find_entries);
	cleanup();
	return harness_done();
}
