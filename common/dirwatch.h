/*
 * Waiting for files to arrive in a directory and its sub-directories (one
 * level: incoming/ and incoming/VENDOR/), with Linux's inotify(7). What it
 * tells: that something happened (a file created, written and closed,
 * renamed in, a sub-directory made, which is then watched too), and the
 * names of the files that arrived by rename, which need no settling time.
 * inotify loses events when its queue overflows, and sees nothing of
 * another host's writes on a network file system: a caller rescans the
 * directory now and then whatever this says.
 *
 *	struct dirwatch w;
 *	dirwatch_open(&w, "inbox/incoming");
 *	while (...) { if (dirwatch_wait(&w, 1000, &renamed) > 0) ... }
 *	dirwatch_close(&w);
 *
 * Nothing here prints; -1 returns leave errno set.
 */
#ifndef DIRWATCH_H
#define DIRWATCH_H

#include <stddef.h>

#include "strset.h"

struct dirwatch {
	int fd;       /* the inotify descriptor, or -1 */
	char *dir;    /* the directory watched, owned */
	int *wds;     /* watch descriptors: [0] the directory's, then its
	                 sub-directories' */
	char **names; /* per watch: "" for the directory, else the
	                 sub-directory's name (owned) */
	size_t n;
};

/* Watches dir and each of its sub-directories. 0 or -1. */
int dirwatch_open(struct dirwatch *w, const char *dir);

/*
 * Waits up to timeout_ms (-1: without end) for events and reads them: the
 * name of each file renamed in ("NAME", or "SUB/NAME" in a
 * sub-directory) is added to renamed. Returns 1 when something happened
 * (also a lost event: the queue overflowed), 0 when the time ran out or
 * a signal came, -1 on an error.
 */
int dirwatch_wait(struct dirwatch *w, int timeout_ms, struct strset *renamed);

/* Stops watching and frees everything. */
void dirwatch_close(struct dirwatch *w);

#endif
