/*
 * The HTML of an import run's report (report.html): one self-contained
 * page, its style and its pictures inline (CSS and SVG, no script, no
 * font, image or request of any kind: a Content-Security-Policy of
 * "default-src 'none'" says so to the browser), that opens from a file,
 * offline.
 *
 * What it shows comes from the run's summary (runsum.h) and its rejects
 * grouped (rejgroup.h), never counted again another way:
 *
 *   - the file, the vendor, the run, the exit line;
 *   - the flow: records in, out, dropped per rule and rejected per stage,
 *     as an SVG bar chart and as a table;
 *   - what the delivery stages did; the final statuses; the results;
 *   - the rejects by stage and reason: counts, the reasons in full, a few
 *     examples (file, line, the value at fault), masked (mask.h);
 *   - the commands that send the rejected records again once fixed;
 *   - the timing, each stage's exit status, the files, the summary's
 *     other lines.
 *
 * Every number taken from the summary is the whole text of an element
 * with a data-k attribute naming it, so a test can read them back:
 *
 *   stage.STAGE.in|out|dropped|rejected|unwritten    rule.STAGE.RULE
 *   delivery.STAGE.KEY (a key seen twice on a line: KEY#2)
 *   final.POST.MEMBER    result.KEY    exit.STAGE    exit
 *   timing.KEY           file.WHAT (the count of a file line)
 *   rejects.STAGE (the rejects read from the stage's file, summed)
 */
#ifndef RUNREPORT_H
#define RUNREPORT_H

#include "buf.h"
#include "rejgroup.h"
#include "runsum.h"

struct runreport {
	const struct runsum *sum;    /* NULL: the run left no summary */
	const struct rejgroups *rej; /* the run's rejects */
	const char *run;             /* the run folder */
	const char *index;           /* the index page, relative, or NULL */
	const char *rows_cmd;        /* writes the rejected rows, or NULL */
	const char *rows_file;       /* where rows_cmd writes them */
	const char *resend;          /* the import command, less its FILE */
	const char *export_file;     /* the export, quoted, or NULL */
	const char *failed_csv;      /* the run's failed.csv, quoted, or NULL */
};

/* Appends the page to out. Returns 0, or -1 when out would pass its
 * maximum. */
int runreport_write(const struct runreport *r, struct buf *out);

/* The page's style, shared with the index page (runindex.h). */
extern const char RUNREPORT_STYLE[];

#endif
