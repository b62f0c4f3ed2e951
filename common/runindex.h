/*
 * The index page of a data folder (SLUICE_DATA): the recent imports,
 * newest first, each linking to its run's report.html.
 *
 * The imports are the run folders, runs/VENDOR/STAMP/ (STAMP the UTC
 * time the run started, 20261202T022904Z, with -02... after a second
 * run in the same second), each described by its summary.txt (runsum.h):
 * its file, records in, out of the last stage, dropped, rejected, exit
 * status. The inbox's bookkeeping, state/imports.ndjson (docs/inbox.md:
 * one JSON object a file, "run" its run folder), adds to a run the name
 * of the file as uploaded and the inbox's result; its lines without a run
 * (a file no vendor claims, a duplicate) are imports of their own, at
 * their "end". Without that file the run folders alone make the list.
 *
 * Only the newest `limit` imports are read (the names of every run folder
 * are listed, and sorted; the summaries of those kept are read), so the
 * page and its cost stay bounded however many runs the folder holds.
 */
#ifndef RUNINDEX_H
#define RUNINDEX_H

#include <stddef.h>

#include "buf.h"

struct runindex_entry {
	char *when;      /* UTC, 2026-12-02T02:29:04Z */
	char *vendor;    /* or NULL */
	char *file;      /* as uploaded (inbox), else the summary's FILE */
	char *run;       /* the run folder, relative to the data folder */
	char *result;    /* the inbox's result and reason, or NULL */
	int summary;     /* the run has a summary: the numbers below */
	int report;      /* the run has a report.html */
	int exit_status; /* of the summary's exit line, or -1 */
	unsigned long long in, out, dropped, rejected;
};

struct runindex {
	struct runindex_entry *e;
	size_t n;
};

/*
 * Lists the newest limit imports of the data folder data, newest first.
 * Returns 0 (an empty or missing runs/ lists nothing), or -1 when a
 * folder that exists cannot be read (why says which).
 */
int runindex_scan(
    struct runindex *ix, const char *data, size_t limit, struct buf *why);

/* Appends the index page (a self-contained HTML page) to out. 0 or -1. */
int runindex_write(
    const struct runindex *ix, const char *data, struct buf *out);

void runindex_release(struct runindex *ix);

#endif
