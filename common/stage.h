/*
 * The plumbing every stage shares, so that a stage's own file holds only
 * what it does to a record: the common options (--rejects, --dropped,
 * --line-buffered, --max-line-size), reading NDJSON from files or stdin,
 * rejecting lines that are not JSON objects, the rejects and dropped
 * files, the counters, the progress line, and the summary and exit status
 * at the end.
 *
 *	struct stage st;
 *	stage_init(&st, "status-map", SYNOPSIS);
 *	... getopt_long with STAGE_SHORTOPTS / STAGE_LONGOPTS, passing the
 *	    options it does not know to stage_option() ...
 *	if ((rc = stage_start(&st)) != 0) return rc;
 *	rc = stage_run(&st, argc - optind, argv + optind, each, ctx);
 *	return stage_finish(&st, rc);
 *
 * The callback must account for every record it gets exactly once: with
 * stage_emit(), stage_drop() or stage_reject() (or keep it for later, as
 * dedupe --keep best does, and account for it then).
 *
 * A stage may also set a fast path with stage_fast() before stage_run():
 * a callback that gets lines in jansson's own compact form checked and
 * indexed (jdoc.h) instead of a jansson tree, reads what it needs from the
 * index and writes the record by copying or splicing the line. Whatever it
 * does not want to handle it gives back (STAGE_SLOW), and that record goes
 * to the tree callback as every record did before. SLUICE_FASTPATH=0 in
 * the environment turns fast paths off, which tests use to hold the two
 * paths to the same output; with SLUICE_FASTPATH_STATS set, the stage says
 * at the end how many records the fast path took, which tests use to see
 * that it is reached at all.
 */
#ifndef STAGE_H
#define STAGE_H

#include <getopt.h>
#include <jansson.h>

#include "buf.h"
#include "jdoc.h"
#include "progress.h"
#include "rejects.h"
#include "tally.h"

#define STAGE_SHORTOPTS "r:D:uL:h"
/* clang-format off */
#define STAGE_LONGOPTS                                                 \
	{"rejects", required_argument, NULL, 'r'},                     \
	{"dropped", required_argument, NULL, 'D'},                     \
	{"line-buffered", no_argument, NULL, 'u'},                     \
	{"unbuffered", no_argument, NULL, 'u'},                        \
	{"max-line-size", required_argument, NULL, 'L'},               \
	{"help", no_argument, NULL, 'h'},                              \
	{"version", no_argument, NULL, 'V'}
/* clang-format on */

/* The lines of --help for the common options. */
#define STAGE_OPTIONS_HELP                                                     \
	"  -r, --rejects FILE        write rejected records to FILE\n"         \
	"  -D, --dropped FILE        write dropped records to FILE\n"          \
	"  -u, --line-buffered       flush after every record\n"               \
	"  -L, --max-line-size N     reject longer input lines (default "      \
	"64MiB)\n"                                                             \
	"  -h, --help                show this help\n"                         \
	"      --version             show the version\n"

#define STAGE_EXIT_HELP                                                        \
	"Exit status: 0 ok, 1 some records rejected, 64 usage, 65 input "      \
	"unusable,\n66 file missing, 74 I/O error.\n"

struct stage {
	const char *name;
	const char *synopsis;
	/* The common options. */
	const char *rejects_path, *dropped_path;
	int line_buffered;
	size_t max_line;
	/* Where the record being handled came from. */
	const char *file;
	unsigned long long line;
	const char *raw; /* its line as read, valid during the callback */
	size_t rawlen;
	json_t *rec; /* its tree, when parsed (stage_record) */

	int (*fast)(struct stage *st, struct jdoc *doc, void *ctx);
	struct jdoc doc;
	unsigned long long nfast; /* records the fast path took */

	struct tally tally;
	struct rejects rej, drop;
	struct progress prog;
	struct buf out;
	struct buf why;           /* the reason of a line's reject */
	struct buf where;         /* stage_where_doc()'s file name */
	unsigned long long shown; /* rejects told on stderr */
	int out_failed;           /* records lost on stdout (told once) */
	int status;               /* the worst exit status so far */
};

/* Sets defaults; name and synopsis are borrowed. */
void stage_init(struct stage *st, const char *name, const char *synopsis);

/*
 * Handles one of the common options (the value getopt_long returned) or a
 * getopt error. Returns 0 when handled, 1 when the option is the stage's
 * own, -1 for --version (printed; exit 0), or EXIT_USAGE after printing
 * the error.
 */
int stage_option(struct stage *st, int ch, const char *arg, char **argv);

/* Opens the side files and sets stdout up. Returns 0 or an exit status. */
int stage_start(struct stage *st);

/*
 * Reads every NDJSON record of the files (stdin when nfiles is 0; "-" is
 * stdin too) and calls each(st, rec, ctx) with st->file and st->line set.
 * rec is borrowed for the call (json_incref it to keep it). Lines that are
 * not JSON objects are rejected here. each returns 0 to go on, or an exit
 * status to stop reading (after it has accounted for rec). Returns 0 or
 * the exit status that stopped it (or that a missing or unreadable file
 * calls for, after reading the others).
 */
int stage_run(struct stage *st, int nfiles, char **files,
    int (*each)(struct stage *st, json_t *rec, void *ctx), void *ctx);

/* What a fast callback returns for a record it leaves to the tree one. */
#define STAGE_SLOW (-1)

/*
 * Sets the stage's fast path (see the top): fast(st, doc, ctx) gets each
 * record whose line is canonical (jdoc.h), with doc indexing it, and
 * either accounts for it as the tree callback would and returns what the
 * tree callback would return, or returns STAGE_SLOW having accounted for
 * nothing. Ignored when SLUICE_FASTPATH is 0.
 */
void stage_fast(struct stage *st,
    int (*fast)(struct stage *st, struct jdoc *doc, void *ctx));

/*
 * The record being handled as a jansson tree (borrowed, valid during the
 * callback): in a fast callback, parsed on first use, for dropping or
 * rejecting it.
 */
json_t *stage_record(struct stage *st);

/*
 * Takes one input line read elsewhere (by a reader thread, feed.h), as
 * stage_run() takes each of its lines: counts it, rejects it when it is
 * not a record (toolong: it was cut at the line maximum), else hands it to
 * the fast or the tree callback. file is borrowed until the record is
 * accounted for. Returns 0, or the exit status the callback returned.
 */
int stage_line(struct stage *st, const char *file, unsigned long long line,
    int toolong, const char *text, size_t len,
    int (*each)(struct stage *st, json_t *rec, void *ctx), void *ctx);

/*
 * Writes rec to stdout. After a write error on stdout (told once, exit
 * 74) records are no longer written: stage_finish() counts them as
 * unwritten instead of out (tally.h).
 */
void stage_emit(struct stage *st, const json_t *rec);

/*
 * Writes the record being handled exactly as it was read: for a stage that
 * passes a record on without changing it, which saves serialising it.
 */
void stage_emit_unchanged(struct stage *st);

/* Writes one ready line of JSON (ending in \n) to stdout as a record. */
void stage_emit_line(struct stage *st, const struct buf *line);

/* Drops rec by the named rule (borrowed; must outlive the stage). */
void stage_drop(struct stage *st, const char *rule, const json_t *rec);

/*
 * Drops the record being handled, as it was read, by the named rule: in a
 * fast callback without parsing it (its line is what the dropped file
 * gets), in the tree callback as stage_drop(st, rule, tree).
 */
void stage_drop_read(struct stage *st, const char *rule);

/* Drops a record that came from elsewhere than the current line. */
void stage_drop_at(struct stage *st, const char *rule, const char *file,
    unsigned long long line, const json_t *rec);

/*
 * Where rec came from, for a message: the provenance csv2ndjson gave it
 * (_meta.file and _meta.line) when it has one, else the line of the
 * stage's own input being handled. *file is borrowed from rec or st.
 */
void stage_where(const struct stage *st, const json_t *rec, const char **file,
    unsigned long long *line);

/*
 * stage_where() on a canonical line's index, in a fast callback. *file is
 * borrowed from st (valid until the next call) or from the index.
 */
void stage_where_doc(struct stage *st, const struct jdoc *d, const char **file,
    unsigned long long *line);

/* Rejects rec with a formatted reason (told on stderr at stage_where). */
void stage_reject(struct stage *st, const json_t *rec, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Rejects raw text (a line that is not a record) with a reason. */
void stage_reject_raw(
    struct stage *st, const char *raw, size_t n, const char *why);

struct vendor;

/* The options that name a vendor file: -m/--map is the older name. */
#define STAGE_VENDOR_SHORTOPTS "v:m:"
/* clang-format off */
#define STAGE_VENDOR_LONGOPTS                                          \
	{"vendor", required_argument, NULL, 'v'},                      \
	{"map", required_argument, NULL, 'm'}
/* clang-format on */
#define STAGE_VENDOR_HELP                                                        \
	"  -v, --vendor NAME|FILE    the vendor file: vendors/NAME/vendor.json " \
	"(or\n"                                                                  \
	"                            $SLUICE_VENDORS/NAME), or a path; -m, "     \
	"--map is\n"                                                             \
	"                            the same\n"

#define STAGE_SET_HELP                                                         \
	"  -s, --set NAME=VALUE      a per-file option the vendor file "       \
	"declares\n"                                                           \
	"                            (export.options), read as "               \
	"defaults[NAME]\n"

/*
 * Loads the vendor file which names (vendor.h), saying what is wrong on
 * stderr. Returns 0, EXIT_NOINPUT when the file cannot be opened, or
 * EXIT_DATAERR when it is not a valid vendor file. Release the vendor
 * with vendor_release() either way.
 */
int stage_load_vendor(struct vendor *v, const char *which);

/*
 * The whole command line of a stage whose one option of its own is
 * -v/--vendor NAME|FILE (required; -m/--map is the same): the common
 * options, --help (calls usage), the vendor file loaded into v, and the
 * file's per-file options given, -s/--set NAME=VALUE (vendor_set(); a
 * bad one is a usage error, 64).
 * Returns 0 with optind at the first file; -1 when --help or --version
 * was answered (exit 0); or an exit status after saying what is wrong.
 * The vendor is zeroed first, so vendor_release() is right in every case.
 */
int stage_vendor_args(struct stage *st, int argc, char **argv,
    void (*usage)(void), struct vendor *v);

/*
 * Ends the stage: erases the progress line, closes the side files and
 * stdout, prints the summary line, frees what it holds. rc is the status
 * from stage_run (or another fatal one). Returns the exit status.
 */
int stage_finish(struct stage *st, int rc);

/*
 * Frees the stage's buffers without ending it as stage_finish() does (no
 * summary, stdout left open): for tests that drive a stage by hand.
 */
void stage_release(struct stage *st);

#endif
