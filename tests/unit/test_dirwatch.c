/*
 * Unit tests for common/dirwatch.c: a file renamed in is named, also in a
 * sub-directory made after the watch began; a file written in place is
 * an event without a name; nothing happening is a timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "dirwatch.h"
#include "harness.h"
#include "strset.h"

static char dir[] = "/tmp/test_dirwatch.XXXXXX";

static void
put(const char *rel)
{
	struct buf p = BUF_INIT;
	FILE *f;

	buf_printf(&p, "%s/%s", dir, rel);
	f = fopen(p.data, "w");
	fputs("x\n", f);
	fclose(f);
	buf_release(&p);
}

static void
move(const char *from, const char *to)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	buf_printf(&a, "%s/%s", dir, from);
	buf_printf(&b, "%s/%s", dir, to);
	CHECK(rename(a.data, b.data) == 0);
	buf_release(&a);
	buf_release(&b);
}

TEST(events)
{
	struct dirwatch w;
	struct strset seen;
	struct buf p = BUF_INIT;

	strset_init(&seen);
	buf_printf(&p, "%s/incoming", dir);
	mkdir(p.data, 0777);
	buf_printf(&p, "/old");
	mkdir(p.data, 0777);
	buf_reset(&p);
	buf_printf(&p, "%s/incoming", dir);
	CHECK(dirwatch_open(&w, p.data) == 0);
	CHECK(dirwatch_wait(&w, 50, &seen) == 0);

	put("a.csv.part");
	CHECK(dirwatch_wait(&w, 1000, &seen) == 0); /* outside: nothing */
	move("a.csv.part", "incoming/a.csv");
	CHECK(dirwatch_wait(&w, 1000, &seen) == 1);
	CHECK(strset_has(&seen, "a.csv"));

	put("b.csv");
	move("b.csv", "incoming/old/b.csv");
	CHECK(dirwatch_wait(&w, 1000, &seen) == 1);
	CHECK(strset_has(&seen, "old/b.csv"));

	buf_reset(&p);
	buf_printf(&p, "%s/incoming/new", dir);
	mkdir(p.data, 0777);
	CHECK(dirwatch_wait(&w, 1000, &seen) == 1);
	put("c.csv");
	move("c.csv", "incoming/new/c.csv");
	CHECK(dirwatch_wait(&w, 1000, &seen) == 1);
	CHECK(strset_has(&seen, "new/c.csv"));

	put("incoming/copied.csv");
	CHECK(dirwatch_wait(&w, 1000, &seen) == 1);
	CHECK(!strset_has(&seen, "copied.csv"));
	while (dirwatch_wait(&w, 50, &seen) == 1)
		;
	CHECK(dirwatch_wait(&w, 50, &seen) == 0);
	dirwatch_close(&w);
	strset_release(&seen);
	buf_release(&p);
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN(events);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	wait(NULL);
	return harness_done();
}
