/*
 * Unit tests for common/inboxfile.c in a folder of the test's: the
 * folders made; a claim (the file and its options file into the worker's
 * folder, its sha256 and size; a second worker finding it gone); options
 * from the sub-directory and the file's own, the latter winning; a failed
 * file to failed/ with its reason and line; an imported one to
 * done/DATE/ with the numbers of its run's summary; duplicates found by
 * bytes, vendor and options; a dead worker's claim given back; status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "inboxfile.h"
#include "maildir.h"

static char dir[] = "/tmp/test_inboxfile.XXXXXX";
static struct inboxfile f;

static void
put(const char *rel, const char *text)
{
	struct buf p = BUF_INIT;
	FILE *o;

	buf_printf(&p, "%s/%s", dir, rel);
	o = fopen(p.data, "w");
	fputs(text, o);
	fclose(o);
	buf_release(&p);
}

static int
exists(const char *rel)
{
	struct buf p = BUF_INIT;
	int rc;

	buf_printf(&p, "%s/%s", dir, rel);
	rc = access(p.data, F_OK) == 0;
	buf_release(&p);
	return rc;
}

static json_t *
last_line(void)
{
	struct buf p = BUF_INIT;
	char line[8192], last[8192] = "";
	FILE *o;

	buf_printf(&p, "%s/state/imports.ndjson", dir);
	o = fopen(p.data, "r");
	while (o && fgets(line, sizeof(line), o))
		memcpy(last, line, sizeof(line));
	if (o)
		fclose(o);
	buf_release(&p);
	return json_loads(last, 0, NULL);
}

TEST(claim_and_fail)
{
	struct inboxclaim c, again;
	struct buf err = BUF_INIT, p = BUF_INIT;
	json_t *x;

	mkdir(f.incoming, 0777);
	buf_printf(&p, "%s/list", f.incoming);
	mkdir(p.data, 0777);
	put("incoming/list/.options", "topic=news\nsource=folder\n");
	put("incoming/list/a.csv", "abc\n");
	put("incoming/list/a.csv.options", "topic=community\n");
	CHECK(inboxclaim_take(&f, "list/a.csv", &c) == 1);
	CHECK(!exists("incoming/list/a.csv"));
	CHECK(!exists("incoming/list/a.csv.options"));
	CHECK(access(c.path, F_OK) == 0 && c.opath != NULL);
	CHECK_STR(c.sha256, "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb"
	                    "34982ddf0efd18cb");
	CHECK(c.bytes == 4 && c.forced && !strcmp(c.vendor, "list"));
	CHECK(inboxclaim_take(&f, "list/a.csv", &again) == 0);
	inboxclaim_release(&again);
	CHECK(inboxclaim_options(&f, &c, &err) == 0);
	CHECK_STR(json_string_value(json_object_get(c.options, "topic")),
	    "community");
	CHECK_STR(
	    json_string_value(json_object_get(c.options, "source")), "folder");
	inboxclaim_fail(&c, "no good", "because\n");
	CHECK(inboxfile_finish(&f, &c, &err) == 0);
	CHECK(exists("failed/a.csv") && exists("failed/a.csv.reason") &&
	      exists("failed/a.csv.options"));
	CHECK(access(c.path, F_OK) != 0);
	x = last_line();
	CHECK_STR(json_string_value(json_object_get(x, "result")), "failed");
	CHECK_STR(
	    json_string_value(json_object_get(x, "moved_to")), "failed/a.csv");
	CHECK(json_is_null(json_object_get(x, "exit")));
	json_decref(x);
	inboxclaim_release(&c);
	buf_release(&err);
	buf_release(&p);
}

TEST(imported_and_duplicate)
{
	struct inboxclaim c, d;
	struct buf p = BUF_INIT, log = BUF_INIT, err = BUF_INIT;
	json_t *x, *earlier;

	buf_printf(&p, "%s/runs", dir);
	mkdir(p.data, 0777);
	put("runs/summary.txt",
	    "per stage (records in = out + dropped + rejected):\n"
	    "  csv2ndjson: in=3 out=3 dropped=0 rejected=0\n"
	    "  shape: in=3 out=2 dropped=1 (test=1) rejected=0\n"
	    "exit status per stage (-: not run): csv2ndjson=0 shape=0\n");
	buf_reset(&log);
	buf_printf(&log, "%s/out.log", dir);
	put("out.log", "");
	buf_reset(&p);
	buf_printf(
	    &p, "== import\n  log       %s/runs/stages.log\nexit 0\n", dir);
	put("out.log", p.data);
	put("incoming/b.csv", "id\n1\n2\n3\n");
	CHECK(inboxclaim_take(&f, "b.csv", &c) == 1);
	c.vendor = strdup("reg");
	CHECK(inboxfile_imported(&f, &c) == NULL);
	inboxclaim_imported(&c, 0, log.data);
	CHECK_STR(c.result, "imported");
	CHECK(inboxfile_finish(&f, &c, &err) == 0);
	x = last_line();
	CHECK(json_integer_value(json_object_get(x, "rows")) == 3);
	CHECK(json_integer_value(json_object_get(x, "imported")) == 2);
	CHECK(strncmp(json_string_value(json_object_get(x, "moved_to")),
	          "done/", 5) == 0);
	CHECK(strstr(json_string_value(json_object_get(x, "report")),
	          "/runs/report.html") != NULL);
	json_decref(x);
	inboxclaim_release(&c);

	put("incoming/b2.csv", "id\n1\n2\n3\n");
	CHECK(inboxclaim_take(&f, "b2.csv", &d) == 1);
	d.vendor = strdup("reg");
	earlier = inboxfile_imported(&f, &d);
	CHECK(earlier != NULL);
	json_object_set_new(d.options, "topic", json_string("x"));
	CHECK(inboxfile_imported(&f, &d) == NULL); /* other options */
	json_object_clear(d.options);
	inboxclaim_duplicate(&d, earlier);
	CHECK(inboxfile_finish(&f, &d, &err) == 0);
	x = last_line();
	CHECK_STR(json_string_value(json_object_get(x, "result")), "duplicate");
	CHECK_STR(json_string_value(json_object_get(
	              json_object_get(x, "duplicate_of"), "file")),
	    "b.csv");
	json_decref(x);
	json_decref(earlier);
	inboxclaim_release(&d);
	buf_release(&p);
	buf_release(&log);
	buf_release(&err);
}

TEST(dead_worker_and_status)
{
	struct buf p = BUF_INIT, host = BUF_INIT, out = BUF_INIT,
	           err = BUF_INIT;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	maildir_host(&host);
	buf_printf(&p, "%s/%s.%ld", f.work, host.data, (long)pid);
	mkdir(p.data, 0777);
	buf_printf(&p, "/v");
	mkdir(p.data, 0777);
	buf_reset(&p);
	buf_printf(&p, "work/%s.%ld/v/c.csv", host.data, (long)pid);
	put(p.data, "x\n");
	CHECK(inboxfile_recover(&f, 0) == 0);
	CHECK(exists("incoming/v/c.csv"));
	CHECK(!exists(p.data));
	CHECK(inboxfile_status(dir, 0, 10, &out, &err) == 0);
	CHECK(strstr(out.data, "failed/a.csv") != NULL);
	CHECK(strstr(out.data, "  v/c.csv  2 bytes, ready") != NULL);
	buf_release(&p);
	buf_release(&host);
	buf_release(&out);
	buf_release(&err);
}

int
main(void)
{
	struct buf err = BUF_INIT;

	if (!mkdtemp(dir))
		return 1;
	CHECK(inboxfile_open(&f, dir, &err) == 0);
	RUN(claim_and_fail);
	RUN(imported_and_duplicate);
	RUN(dead_worker_and_status);
	inboxfile_close(&f);
	buf_release(&err);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	wait(NULL);
	return harness_done();
}
