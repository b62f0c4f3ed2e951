/*
 * The index page of a data folder: see runindex.h.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "html.h"
#include "input.h"
#include "lines.h"
#include "runindex.h"
#include "runreport.h"
#include "runsum.h"

static void
add(struct runindex *ix, const struct runindex_entry *e)
{
	ix->e = xrealloc(ix->e, (ix->n + 1) * sizeof(*ix->e));
	ix->e[ix->n++] = *e;
}

static void
entry_release(struct runindex_entry *e)
{
	free(e->when);
	free(e->vendor);
	free(e->file);
	free(e->run);
	free(e->result);
}

/* The run folders' relative paths, runs/VENDOR/STAMP, in *ix (when
 * holding the stamp for now). */
static int
list_runs(struct runindex *ix, const char *data, struct buf *why)
{
	struct buf path = BUF_INIT;
	struct dirent *v, *r;
	DIR *dv, *dr;

	buf_printf(&path, "%s/runs", data);
	if ((dv = opendir(path.data)) == NULL) {
		buf_release(&path);
		if (errno == ENOENT)
			return 0;
		buf_printf(why, "%s/runs: %s", data, strerror(errno));
		return -1;
	}
	while ((v = readdir(dv)) != NULL) {
		if (v->d_name[0] == '.')
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/runs/%s", data, v->d_name);
		if ((dr = opendir(path.data)) == NULL)
			continue; /* a file, not a vendor's folder */
		while ((r = readdir(dr)) != NULL) {
			struct runindex_entry e = {0};

			if (r->d_name[0] < '0' || r->d_name[0] > '9')
				continue;
			e.when = xstrdup(r->d_name);
			e.vendor = xstrdup(v->d_name);
			e.exit_status = -1;
			add(ix, &e);
		}
		closedir(dr);
	}
	closedir(dv);
	buf_release(&path);
	return 0;
}

static int
newest_first(const void *a, const void *b)
{
	const struct runindex_entry *x = a, *y = b;
	int c = strcmp(y->when, x->when);

	return c ? c
	         : strcmp(
	               y->vendor ? y->vendor : "", x->vendor ? x->vendor : "");
}

/* 20261202T022904Z[-02] as 2026-12-02T02:29:04Z. */
static char *
iso(const char *stamp)
{
	char *s = xmalloc(21);

	if (strlen(stamp) < 16 || stamp[8] != 'T') {
		free(s);
		return xstrdup(stamp);
	}
	snprintf(s, 21, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", stamp, stamp + 4,
	    stamp + 6, stamp + 9, stamp + 11, stamp + 13);
	return s;
}

/* A kept run: its summary's numbers, whether it has a report. */
static void
describe(struct runindex_entry *e, const char *data)
{
	struct buf path = BUF_INIT;
	struct runsum s;
	struct stat sb;
	size_t i;
	char *stamp = e->when;

	buf_printf(&path, "runs/%s/%s", e->vendor, stamp);
	e->run = xstrdup(path.data);
	e->when = iso(stamp);
	free(stamp);
	buf_reset(&path);
	buf_printf(&path, "%s/%s/report.html", data, e->run);
	e->report = stat(path.data, &sb) == 0;
	buf_reset(&path);
	buf_printf(&path, "%s/%s/summary.txt", data, e->run);
	runsum_init(&s);
	if (runsum_load(&s, path.data) == 0) {
		e->summary = 1;
		e->exit_status = s.exit_status;
		e->file = s.file ? xstrdup(s.file) : NULL;
		for (i = 0; i < s.nstages; i++) {
			e->dropped += s.stages[i].dropped;
			e->rejected += s.stages[i].rejected;
		}
		if (s.nstages) {
			e->in = s.stages[0].in;
			e->out = s.stages[s.nstages - 1].out;
		}
	}
	runsum_release(&s);
	buf_release(&path);
}

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* One line of state/imports.ndjson: onto its run, or an import of its
 * own in *alone. */
static void
inbox_line(
    struct runindex *ix, struct runindex *alone, const json_t *o, size_t limit)
{
	const char *run = str(o, "run"), *res = str(o, "result");
	const char *why = str(o, "reason");
	struct runindex_entry e = {0};
	size_t i, k, n;

	for (i = 0; run && i < ix->n; i++) {
		n = strlen(ix->e[i].run);
		k = strlen(run);
		if (k < n || strcmp(run + k - n, ix->e[i].run) != 0 ||
		    (k > n && run[k - n - 1] != '/'))
			continue;
		if (str(o, "file")) {
			free(ix->e[i].file);
			ix->e[i].file = xstrdup(str(o, "file"));
		}
		free(ix->e[i].result);
		ix->e[i].result = res ? xstrdup(res) : NULL;
		return;
	}
	if (run || str(o, "end") == NULL)
		return; /* a run older than those kept */
	e.when = xstrdup(str(o, "end"));
	e.vendor = str(o, "vendor") ? xstrdup(str(o, "vendor")) : NULL;
	e.file = str(o, "file") ? xstrdup(str(o, "file")) : NULL;
	e.exit_status = -1;
	if (res) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s%s%s", res, why ? ": " : "", why ? why : "");
		e.result = xstrdup(b.data);
		buf_release(&b);
	}
	add(alone, &e);
	/* The lines come in time order: keep the newest. */
	if (alone->n > 2 * limit + 1) {
		for (i = 0; i <= limit; i++)
			entry_release(&alone->e[i]);
		memmove(alone->e, alone->e + limit + 1,
		    (alone->n - limit - 1) * sizeof(*alone->e));
		alone->n -= limit + 1;
	}
}

static void
read_inbox(
    struct runindex *ix, struct runindex *alone, const char *data, size_t limit)
{
	struct buf path = BUF_INIT;
	struct input in;
	struct lines lr;
	const char *l;
	size_t len;
	json_t *o;

	buf_printf(&path, "%s/state/imports.ndjson", data);
	if (input_open(&in, path.data) != INPUT_OK) {
		buf_release(&path);
		return;
	}
	lines_init(&lr, &in, (size_t)1 << 20);
	while (lines_next(&lr, &l, &len) == LINES_OK) {
		if ((o = json_loadb(l, len, 0, NULL)) == NULL)
			continue; /* a torn last line, or not a line of it */
		if (json_is_object(o))
			inbox_line(ix, alone, o, limit);
		json_decref(o);
	}
	lines_release(&lr);
	input_close(&in);
	buf_release(&path);
}

int
runindex_scan(
    struct runindex *ix, const char *data, size_t limit, struct buf *why)
{
	struct runindex alone = {NULL, 0};
	size_t i;

	ix->e = NULL;
	ix->n = 0;
	if (list_runs(ix, data, why) < 0)
		return -1;
	if (ix->n)
		qsort(ix->e, ix->n, sizeof(*ix->e), newest_first);
	for (i = limit; i < ix->n; i++)
		entry_release(&ix->e[i]);
	if (ix->n > limit)
		ix->n = limit;
	for (i = 0; i < ix->n; i++)
		describe(&ix->e[i], data);
	read_inbox(ix, &alone, data, limit);
	for (i = 0; i < alone.n; i++)
		add(ix, &alone.e[i]);
	free(alone.e);
	if (ix->n)
		qsort(ix->e, ix->n, sizeof(*ix->e), newest_first);
	for (i = limit; i < ix->n; i++)
		entry_release(&ix->e[i]);
	if (ix->n > limit)
		ix->n = limit;
	return 0;
}

static int p(struct buf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
p(struct buf *out, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(out, fmt, ap);
	va_end(ap);
	return rc;
}

static int
row(const struct runindex_entry *e, struct buf *out)
{
	const char *base = e->file ? strrchr(e->file, '/') : NULL;
	int rc = 0;

	rc |= p(out, "<tr data-run=\"");
	rc |= html_textz(out, e->run ? e->run : "");
	rc |= p(out, "\"><td>");
	rc |= html_textz(out, e->when);
	rc |= p(out, "<td>");
	rc |= html_textz(out, e->vendor ? e->vendor : "?");
	rc |= p(out, "<td title=\"");
	rc |= html_textz(out, e->file ? e->file : "");
	rc |= p(out, "\">");
	rc |= html_textz(out, base ? base + 1 : e->file ? e->file : "");
	if (e->summary)
		rc |= p(out,
		    "<td class=n>%llu<td class=n>%llu<td class=n>%llu"
		    "<td class=n>%llu",
		    e->in, e->out, e->dropped, e->rejected);
	else
		rc |= p(out, "<td><td><td><td>");
	rc |= p(out, "<td class=\"%s\">",
	    e->exit_status > 1 || (e->exit_status < 0 && e->result == NULL)
	        ? "bad"
	        : "ok");
	if (e->exit_status >= 0)
		rc |= p(out, "exit %d%s", e->exit_status,
		    e->exit_status == 0   ? ": done"
		    : e->exit_status == 1 ? ": done, some rejected"
		                          : ": failed");
	else if (e->summary || e->run)
		rc |= p(out, "no summary (running, or stopped)");
	if (e->result) {
		rc |= p(out, "%s", e->run ? " (inbox: " : "");
		rc |= html_textz(out, e->result);
		rc |= p(out, "%s", e->run ? ")" : "");
	}
	rc |= p(out, "<td>");
	if (e->report) {
		rc |= p(out, "<a href=\"");
		rc |= html_textz(out, e->run);
		rc |= p(out, "/report.html\">report</a>");
	}
	rc |= p(out, "</tr>\n");
	return rc ? -1 : 0;
}

int
runindex_write(const struct runindex *ix, const char *data, struct buf *out)
{
	size_t i;
	int rc = 0;

	rc |= p(out,
	    "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">"
	    "<meta name=viewport content=\"width=device-width\">"
	    "<title>Imports</title><style>%s</style></head><body>"
	    "<h1>Imports</h1><p class=sub>in <code>",
	    RUNREPORT_STYLE);
	rc |= html_textz(out, data);
	rc |= p(out, "</code>, the newest first (%zu)</p>\n", ix->n);
	if (ix->n == 0)
		rc |= p(out, "<p>No import yet.</p>");
	else
		rc |= p(out, "<table id=imports><tr><th>when (UTC)<th>vendor"
		             "<th>file<th class=n>in<th class=n>out"
		             "<th class=n>dropped<th class=n>rejected"
		             "<th>status<th></tr>\n");
	for (i = 0; i < ix->n && rc == 0; i++)
		rc |= row(&ix->e[i], out);
	if (ix->n)
		rc |= p(out, "</table>");
	rc |= p(out, "</body></html>\n");
	return rc ? -1 : 0;
}

void
runindex_release(struct runindex *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		entry_release(&ix->e[i]);
	free(ix->e);
	ix->e = NULL;
	ix->n = 0;
}
