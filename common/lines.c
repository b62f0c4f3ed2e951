/* The bounded line reader; see lines.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lines.h"

#define LINES_CHUNK (256 * 1024)
#define LINES_SHOW 4096 /* bytes of an over-long line kept for the message */

void
lines_init(struct lines *lr, struct input *in, size_t max)
{
	memset(lr, 0, sizeof(*lr));
	lr->in = in;
	/* Bounded so that max + 1 (room for the \n) cannot overflow. */
	lr->max = max > BUF_UNLIMITED ? BUF_UNLIMITED : max;
}

void
lines_release(struct lines *lr)
{
	free(lr->buf);
	lr->buf = NULL;
	lr->cap = lr->start = lr->end = 0;
}

/* Reads more data after what is buffered. Returns bytes read, 0, or -1. */
static long
lines_fill(struct lines *lr)
{
	size_t keep = lr->end - lr->start, want;
	ssize_t got;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, keep);
		lr->start = 0;
		lr->end = keep;
	}
	/* Room for a whole line of max bytes and its \n, no more. */
	want = keep + LINES_CHUNK;
	if (want > lr->max + 1)
		want = lr->max + 1;
	if (lr->cap < want) {
		/* Doubling: a long line costs O(n) copying, not O(n^2). */
		if (want < 2 * lr->cap)
			want = 2 * lr->cap < lr->max + 1 ? 2 * lr->cap
			                                 : lr->max + 1;
		lr->buf = xrealloc(lr->buf, want);
		lr->cap = want;
	}
	got = input_read(lr->in, lr->buf + lr->end, lr->cap - lr->end);
	if (got > 0)
		lr->end += (size_t)got;
	return (long)got;
}

enum lines_status
lines_next(struct lines *lr, const char **line, size_t *len)
{
	char *nl;
	size_t avail;
	long got;

	for (;;) {
		avail = lr->end - lr->start;
		nl = avail ? memchr(lr->buf + lr->start, '\n', avail) : NULL;
		if (nl && lr->skipping) {
			/* The end of an over-long line: resume after it. */
			lr->start = (size_t)(nl - lr->buf) + 1;
			lr->skipping = 0;
			continue;
		}
		if (nl) {
			*line = lr->buf + lr->start;
			*len = (size_t)(nl - *line);
			lr->start += *len + 1;
			lr->lineno++;
			return LINES_OK;
		}
		if (lr->skipping) {
			lr->start =
			    lr->end; /* discard, still in the long line */
		} else if (avail > lr->max) {
			*line = lr->buf + lr->start;
			*len = LINES_SHOW < avail ? LINES_SHOW : avail;
			lr->lineno++;
			lr->skipping = 1;
			/* Keep the shown bytes valid until the next call. */
			lr->start = lr->end;
			return LINES_TOOLONG;
		}
		if (lr->eof) {
			if (avail == 0 || lr->skipping)
				return LINES_EOF;
			*line = lr->buf + lr->start;
			*len = avail;
			lr->start = lr->end;
			lr->lineno++;
			return LINES_OK;
		}
		got = lines_fill(lr);
		if (got < 0)
			return LINES_ERROR;
		if (got == 0)
			lr->eof = 1;
	}
}
