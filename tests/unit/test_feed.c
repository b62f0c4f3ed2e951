/*
 * Unit tests for common/feed.c, the input read by a thread: lines of
 * several files in order, each with its file and line number, through a
 * queue much smaller than the input (the reader waits for room); a missing
 * file arrives as an error item (66) and the next file is still read; a
 * line over the maximum arrives as FEED_TOOLONG with its start; wake runs
 * once an item is queued and at the end; released early, the reader stops;
 * texts given back (feed_recycle) are filled again with later lines.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "exitcode.h"
#include "feed.h"
#include "harness.h"

static atomic_int wakes;

static void
wake(void *arg)
{
	(void)arg;
	atomic_fetch_add(&wakes, 1);
}

TEST(files_in_order)
{
	char a[sizeof(HARNESS_TMP)], b[sizeof(HARNESS_TMP)];
	struct buf text = BUF_INIT;
	char *files[3];
	struct feed f;
	struct feed_item it;
	int i, n = 0, ok = 1, errors = 0, toolong = 0;
	char want[32];

	for (i = 1; i <= 1000; i++)
		buf_printf(&text, "line %d\n", i);
	CHECK(harness_tmpfile(a, text.data, text.len) == 0);
	CHECK(harness_tmpfile(b, "x\nthis line is far too long\ny\n", 30) == 0);
	files[0] = a;
	files[1] = "/nonexistent/sluice-feed-test";
	files[2] = b;
	atomic_store(&wakes, 0);
	CHECK(feed_start(&f, 3, files, 12, 4, wake, NULL) == 0);
	while (feed_wait(&f, &it) == 1) {
		if (it.kind == FEED_ERROR) {
			errors++;
			ok &= it.status == EXIT_NOINPUT && n == 1000;
			ok &= strstr(it.file, "sluice-feed-test") != NULL;
		} else if (n < 1000) {
			snprintf(want, sizeof(want), "line %d", n + 1);
			ok &=
			    it.kind == FEED_LINE && strcmp(it.text, want) == 0;
			ok &= strcmp(it.file, a) == 0 &&
			      it.line == (unsigned long long)n + 1;
			n++;
		} else {
			toolong += it.kind == FEED_TOOLONG;
			ok &= strcmp(it.file, b) == 0;
			if (it.line == 2)
				ok &= it.kind == FEED_TOOLONG &&
				      strncmp(it.text, "this line is", 12) == 0;
			else
				ok &= it.kind == FEED_LINE && it.len == 1;
			n++;
		}
		free(it.text);
	}
	CHECK(ok && n == 1003 && errors == 1 && toolong == 1);
	CHECK(feed_take(&f, &it) == -1);
	/* An item into an empty queue wakes, so does the end; not every
	 * item does (the reader runs ahead of this loop now and then). */
	CHECK(atomic_load(&wakes) >= 1 && atomic_load(&wakes) <= 1004);
	feed_release(&f);
	remove(a);
	remove(b);
	buf_release(&text);
}

TEST(released_early)
{
	char a[sizeof(HARNESS_TMP)];
	struct buf text = BUF_INIT;
	char *files[1];
	struct feed f;
	struct feed_item it;
	int i;

	for (i = 0; i < 100000; i++)
		buf_adds(&text, "some line of input\n");
	CHECK(harness_tmpfile(a, text.data, text.len) == 0);
	files[0] = a;
	CHECK(feed_start(&f, 1, files, 1024, 2, NULL, NULL) == 0);
	CHECK(feed_wait(&f, &it) == 1 && it.kind == FEED_LINE);
	free(it.text);
	/* The reader waits on a full queue: release stops it, no hang. */
	feed_release(&f);
	remove(a);
	buf_release(&text);
}

/*
 * Texts given back are filled again with later lines: a short line
 * arrives in a text longer than it, made for a longer line before (a
 * new text is made to the line's size). The lines still arrive whole and
 * in order, and a text too large to keep is freed (ASan's leak check
 * holds the pool to its release).
 */
TEST(texts_given_back_are_used_again)
{
	char a[sizeof(HARNESS_TMP)];
	struct buf text = BUF_INIT, want = BUF_INIT;
	struct feed_item run[4];
	char *files[1];
	size_t k, i;
	struct feed f;
	int n = 0, ok = 1, reused = 0, got;

	/* Every tenth line padded to 200 bytes. */
	for (i = 0; i < 2000; i++)
		buf_printf(&text, "line %zu%*s\n", i, i % 10 ? 0 : 190, "");
	/* One line longer than the pool keeps. */
	for (i = 0; i < FEED_POOL_TEXT + 10; i++)
		buf_addc(&text, 'x');
	buf_addc(&text, '\n');
	CHECK(harness_tmpfile(a, text.data, text.len) == 0);
	files[0] = a;
	CHECK(feed_start(&f, 1, files, 1 << 20, 4, NULL, NULL) == 0);
	while ((got = feed_take_many(&f, run, 4)) != -1) {
		for (k = 0; k < (size_t)got; k++, n++) {
			buf_reset(&want);
			if (n < 2000)
				buf_printf(&want, "line %d%*s", n,
				    n % 10 ? 0 : 190, "");
			ok &= n == 2000 ? run[k].len == FEED_POOL_TEXT + 10
			                : strcmp(run[k].text, want.data) == 0;
			ok &= run[k].size > run[k].len;
			reused += run[k].size > run[k].len + 1;
		}
		feed_recycle(&f, run, (size_t)got);
		ok &= got == 0 || run[0].text == NULL;
	}
	CHECK(ok && n == 2001);
	CHECK(reused > 100);
	feed_release(&f);
	remove(a);
	buf_release(&text);
	buf_release(&want);
}

int
main(void)
{
	RUN(files_in_order);
	RUN(released_early);
	RUN(texts_given_back_are_used_again);
	return harness_done();
}
