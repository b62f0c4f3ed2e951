/*
 * shape: a vendor's rows become canonical records, by its vendor file.
 *
 * Reads csv2ndjson records of a vendor's export and writes canonical
 * activity records (README.md, "The canonical record"), as the "shape"
 * section of the vendor file says (common/shaper.h): the columns a row
 * must have, the drop rules (named, counted, --dropped), the pieces its
 * named functions take out of columns, and each field of the record. All
 * a vendor's knowledge is in its folder, vendors/NAME/; this stage knows
 * none of it.
 *
 * The first row decides whether the input is the vendor's export at all:
 * when it lacks a column the shape needs, the stage says "not a TurboVote
 * export: no column 'x'" and exits 65, before anything else is written.
 *
 * Lines in jansson's compact form take the fast path (stage.h): the record
 * is written from the line's index, the columns copied as written. Other
 * lines are read as trees and written by the same code, to the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "exitcode.h"
#include "rules.h"
#include "shaper.h"
#include "stage.h"
#include "vendor.h"

#define SYNOPSIS "shape --vendor NAME|FILE [OPTIONS] [FILE...]"
#define WARN_SHOWN 10 /* warnings told on stderr, the first ones */

struct run {
	struct vendor vendor;
	struct shaper shaper;
	unsigned long long warned; /* records with values set aside */
};

/*
 * What a shaped record says, told on stderr for the first ones, at the
 * row's place in the vendor's file: rec's, or the line's (d) in the fast
 * path.
 */
static void
note_warning(
    struct stage *st, struct run *r, const json_t *rec, const struct jdoc *d)
{
	const char *file;
	unsigned long long line;

	if (r->shaper.warning.len == 0)
		return;
	if (r->warned++ < WARN_SHOWN) {
		if (d)
			stage_where_doc(st, d, &file, &line);
		else
			stage_where(st, rec, &file, &line);
		diag(file, line, "%s", r->shaper.warning.data);
	}
}

/*
 * Accounts for the row after shaper_doc() or shaper_tree() said res: the
 * record out, the row dropped, or rejected (the first row, lacking a
 * column, means the input is not this vendor's: exit 65).
 */
static int
account(struct stage *st, struct run *r, enum shaper_result res, json_t *rec,
    const struct jdoc *d)
{
	switch (res) {
	case SHAPER_OUT:
		note_warning(st, r, rec, d);
		stage_emit_line(st, &st->out);
		return 0;
	case SHAPER_DROP:
		stage_drop_read(st, r->shaper.rule);
		return 0;
	case SHAPER_REJECT:
		if (r->shaper.column_problem && st->tally.in == 1) {
			stage_reject(st, rec, "not a %s: %s", r->vendor.title,
			    r->shaper.why.data);
			return EXIT_DATAERR;
		}
		stage_reject(st, rec, "%s", r->shaper.why.data);
		return 0;
	}
	return 0;
}

static int
fast(struct stage *st, struct jdoc *d, void *arg)
{
	struct run *r = arg;
	enum shaper_result res;

	buf_reset(&st->out);
	res = shaper_doc(&r->shaper, d, &st->out);
	/* A reject shows the record as a tree: the tree path makes it, once
	 * the line's index is let go (a huge line never has both). */
	if (res == SHAPER_REJECT)
		return STAGE_SLOW;
	return account(st, r, res, NULL, d);
}

static int
each(struct stage *st, json_t *rec, void *arg)
{
	struct run *r = arg;

	buf_reset(&st->out);
	return account(
	    st, r, shaper_tree(&r->shaper, rec, &st->out), rec, NULL);
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Turn a vendor's export (csv2ndjson records) into canonical "
	    "activity records,\nby the \"shape\" of its vendor file.\n\n" STAGE_VENDOR_HELP
	        STAGE_SET_HELP STAGE_OPTIONS_HELP "\n"
	    "Rows a drop rule takes (test and staff rows, dates that are "
	    "not dates) are\ndropped, counted per rule.\n" STAGE_EXIT_HELP "\n"
	    "Example:\n"
	    "  csv2ndjson --vendor turbovote export.csv | shape --vendor "
	    "turbovote \\\n"
	    "      --dropped scrubbed.ndjson > activity.ndjson\n"
	    "  shape --vendor email-subscription --set topic=news \\\n"
	    "      --set source_detail=breakdown_opt_in < list.ndjson\n");
}

/* The shape of the vendor file, compiled; 0 or an exit status. */
static int
load(struct run *r)
{
	struct buf err = BUF_INIT;
	int rc = 0;

	if (r->vendor.shape == NULL) {
		diag(NULL, 0, "%s: the vendor file has no \"shape\"",
		    r->vendor.path);
		return EXIT_DATAERR;
	}
	if (vendor_options_given(&r->vendor, &err) < 0) {
		diag(NULL, 0, "%s", err.data);
		buf_release(&err);
		return EXIT_USAGE;
	}
	if (shaper_load(&r->shaper, r->vendor.shape, r->vendor.defaults,
	        rules_table, &err) < 0) {
		diag(NULL, 0, "%s: %s", r->vendor.path, err.data);
		rc = EXIT_DATAERR;
	}
	buf_release(&err);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stage st;
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	stage_init(&st, "shape", SYNOPSIS);
	if ((rc = stage_vendor_args(&st, argc, argv, usage, &r.vendor)) != 0 ||
	    (rc = load(&r)) != 0) {
		shaper_release(&r.shaper);
		vendor_release(&r.vendor);
		return rc < 0 ? EXIT_OK : rc;
	}
	stage_fast(&st, fast);
	if ((rc = stage_start(&st)) == 0)
		rc = stage_run(&st, argc - optind, argv + optind, each, &r);
	if (r.warned)
		diag(NULL, 0,
		    "records with values set aside: %llu (see _meta.warning)",
		    r.warned);
	rc = stage_finish(&st, rc);
	shaper_release(&r.shaper);
	vendor_release(&r.vendor);
	return rc;
}
