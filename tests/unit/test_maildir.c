/*
 * Unit tests for common/maildir.c: the names never taken; the settling
 * time; moves that never replace (NAME-2.EXT), kept or not; options
 * files; a worker folder stale when its process is gone or its PID is
 * another process's, alive when it lives, never judged for another host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "maildir.h"

static char dir[] = "/tmp/test_maildir.XXXXXX";

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

TEST(ignored)
{
	CHECK(maildir_ignored(".hidden.csv"));
	CHECK(maildir_ignored("x.csv.part"));
	CHECK(maildir_ignored("x.csv.tmp"));
	CHECK(maildir_ignored("x.csv.options"));
	CHECK(maildir_ignored("x.csv.reason"));
	CHECK(!maildir_ignored("x.csv"));
	CHECK(!maildir_ignored("part"));
}

TEST(settled)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mtime = 100;
	st.st_ctime = 90;
	CHECK(maildir_settled_at(&st, 5) == 105);
	st.st_ctime = 200;
	CHECK(maildir_settled_at(&st, 0.5) == 201);
}

TEST(move_never_replaces)
{
	struct buf a = BUF_INIT, b = BUF_INIT, out = BUF_INIT;

	buf_printf(&a, "%s/a.csv", dir);
	buf_printf(&b, "%s/b.csv", dir);
	put(a.data, "one");
	CHECK(maildir_move(a.data, b.data, 0, &out) == 0);
	CHECK_STR(out.data, b.data);
	CHECK(access(a.data, F_OK) != 0);
	put(a.data, "two");
	CHECK(maildir_move(a.data, b.data, 1, &out) == 0);
	CHECK(strstr(out.data, "/b-2.csv") != NULL);
	CHECK(access(a.data, F_OK) == 0); /* kept */
	CHECK(maildir_move(a.data, b.data, 0, &out) == 0);
	CHECK(strstr(out.data, "/b-3.csv") != NULL);
	buf_reset(&a);
	buf_printf(&a, "%s/noext", dir);
	put(a.data, "x");
	CHECK(maildir_move(a.data, b.data, 0, &out) == 0);
	CHECK(strstr(out.data, "/b-4.csv") != NULL);
	buf_release(&a);
	buf_release(&b);
	buf_release(&out);
}

TEST(options)
{
	struct buf p = BUF_INIT, err = BUF_INIT;
	json_t *o = json_object();
	char *s;

	buf_printf(&p, "%s/x.csv.options", dir);
	put(p.data,
	    "# the list's topic\n topic = news \n\nsource_detail=a=b\r\n");
	CHECK(maildir_options(p.data, o, &err) == 0);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(s, "{\"source_detail\":\"a=b\",\"topic\":\"news\"}");
	free(s);
	put(p.data, "topic\n");
	CHECK(maildir_options(p.data, o, &err) < 0);
	CHECK(strstr(err.data, "x.csv.options:1: not NAME=VALUE") != NULL);
	put(p.data, "topic=caf\xe9\n");
	CHECK(maildir_options(p.data, o, &err) < 0);
	CHECK(strstr(err.data, "x.csv.options:1: not UTF-8") != NULL);
	buf_reset(&p);
	buf_printf(&p, "%s/none.options", dir);
	CHECK(maildir_options(p.data, o, &err) == 0);
	json_decref(o);
	buf_release(&p);
	buf_release(&err);
}

TEST(stale)
{
	struct buf host = BUF_INIT, w = BUF_INIT;
	pid_t pid;

	maildir_host(&host);
	/* This process: alive. */
	maildir_worker(&w);
	buf_printf(&w, "%s", "");
	CHECK(maildir_stale(w.data) == 0);
	/* A process that has ended: stale. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	buf_reset(&w);
	buf_printf(&w, "%s/%s.%ld", dir, host.data, (long)pid);
	mkdir(w.data, 0777);
	CHECK(maildir_stale(w.data) == 1);
	/* Another host's: never judged. */
	buf_reset(&w);
	buf_printf(&w, "%s/elsewhere.invalid.%ld", dir, (long)pid);
	CHECK(maildir_stale(w.data) == 0);
	/* The PID of a live process (init, started long before us) that did
	 * not mark it. */
	buf_reset(&w);
	buf_printf(&w, "%s/%s.%ld", dir, host.data, 1L);
	mkdir(w.data, 0777);
	CHECK(maildir_stale(w.data) == 0);
	CHECK(maildir_mark(w.data) == 0); /* our mark, its PID */
	CHECK(maildir_stale(w.data) == 1);
	buf_reset(&w);
	buf_printf(&w, "%s/not-a-worker", dir);
	CHECK(maildir_stale(w.data) == 0);
	buf_release(&host);
	buf_release(&w);
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN(ignored);
	RUN(settled);
	RUN(move_never_replaces);
	RUN(options);
	RUN(stale);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	wait(NULL);
	return harness_done();
}
