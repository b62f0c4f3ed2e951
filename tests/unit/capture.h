/*
 * Capturing what a test's code writes on stderr (diag, progress), for the
 * unit tests. Include after harness.h.
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"

static char cap_path[sizeof(HARNESS_TMP)];
static int cap_saved = -1;

/* Sends stderr to a fresh temporary file. 0 or -1. */
static inline int
capture_begin(void)
{
	int fd;

	fflush(stderr);
	memcpy(cap_path, HARNESS_TMP, sizeof(HARNESS_TMP));
	if ((fd = mkstemp(cap_path)) < 0)
		return -1;
	if ((cap_saved = dup(STDERR_FILENO)) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		remove(cap_path);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Restores stderr and puts what was written to it in out (NUL-terminated,
 * never NULL), then removes the file.
 */
static inline void
capture_end(struct buf *out)
{
	char tmp[4096];
	FILE *fp;
	size_t n;

	fflush(stderr);
	dup2(cap_saved, STDERR_FILENO);
	close(cap_saved);
	cap_saved = -1;
	buf_adds(out, "");
	if ((fp = fopen(cap_path, "rb")) != NULL) {
		while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
			buf_add(out, tmp, n);
		fclose(fp);
	}
	remove(cap_path);
}

/* How many times needle occurs in s. */
static inline int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

#endif
