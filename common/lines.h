/*
 * A line reader with a hard maximum line size. A line longer than the
 * maximum is reported once, with its first bytes, and skipped to its end:
 * memory stays bounded by the maximum whatever the input.
 */
#ifndef LINES_H
#define LINES_H

#include <stddef.h>

#include "input.h"

enum lines_status {
	LINES_OK,      /* a line; the terminating \n is not included */
	LINES_EOF,     /* no more lines */
	LINES_TOOLONG, /* a line over the maximum: line/len hold its start */
	LINES_ERROR    /* read error: see the input's status and errmsg */
};

struct lines {
	struct input *in;
	char *buf;
	size_t cap, start, end;
	size_t max;                /* the largest line accepted, in bytes */
	unsigned long long lineno; /* of the line last returned, from 1 */
	int eof;
	int skipping; /* inside an over-long line, looking for its end */
};

/* Reads lines from in (borrowed) of at most max bytes each. */
void lines_init(struct lines *lr, struct input *in, size_t max);

/*
 * Returns the next line in *line and *len, valid until the next call. With
 * LINES_TOOLONG, *line holds the first bytes of the line (at most 4 KiB)
 * and *len their count; reading goes on after its end. A final line without
 * a \n is returned like any other.
 */
enum lines_status lines_next(struct lines *lr, const char **line, size_t *len);

/* Frees the buffer. */
void lines_release(struct lines *lr);

#endif
