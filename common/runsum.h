/*
 * A run's summary (the summary.txt that pipelines/import.sh and
 * pipelines/panel.sh write in each run folder) read back into its numbers,
 * so that a report shows the numbers the run printed and never counts
 * them again in its own way.
 *
 * The summary is made of blocks, each under a heading line:
 *
 *   == NAME import of FILE[ (fetched by STAGE)]   (pipelines/import.sh)
 *   == NAME run of FILE | == NAME run of the query SQL   (other pipelines)
 *   per stage (...):           "  STAGE: in=N out=N dropped=N (RULE=N ...)
 *                              rejected=N[ unwritten=N]"
 *   delivery:                  "  STAGE: KEY=N ..." (a key may be two
 *                              words: "rows sent=N")
 *   per final status (...):    "  POST MEMBER N"
 *   per post result: / per member result:   "  RESULT N"
 *   exit status per stage (-: not run): STAGE=N|- ...
 *   timing: KEY=VALUE ...
 *   files:                     "  WHAT PATH" or "  WHAT N in PATH"
 *   and lines of prose (what was not run, and why; the warehouse; the
 *   exit line "exit N: what it means").
 *
 * runsum_parse() is lenient: a line it does not know is kept as a note,
 * in order, so a report can still show it. Strings are the struct's own
 * (NUL-terminated copies); runsum_release() frees them.
 */
#ifndef RUNSUM_H
#define RUNSUM_H

#include <stddef.h>

struct runsum_kv {
	char *key, *val;
};

struct runsum_stage {
	char *name;
	unsigned long long in, out, dropped, rejected, unwritten;
	struct runsum_kv *rules; /* dropped per rule, as written */
	size_t nrules;
};

/* A delivery line: a stage's counters. */
struct runsum_line {
	char *stage;
	struct runsum_kv *kv;
	size_t nkv;
};

struct runsum_final {
	char *post, *member;
	unsigned long long n;
};

struct runsum_file {
	char *what;  /* "results", "csv2ndjson rejects", "failed" */
	long long n; /* the count before "in", or -1 */
	char *path;
};

struct runsum {
	char *vendor, *file, *fetched; /* fetched: the fetch stage, or NULL */
	char *kind;  /* the heading's "import" or "run", or NULL */
	char *query; /* "run of the query SQL": the SQL (file is NULL) */
	struct runsum_stage *stages;
	size_t nstages;
	struct runsum_line *delivery;
	size_t ndelivery;
	struct runsum_final *finals;
	size_t nfinals;
	char *result_kind; /* "post" or "member", or NULL */
	struct runsum_kv *results;
	size_t nresults;
	struct runsum_kv *exits; /* per stage, "-" when it did not run */
	size_t nexits;
	struct runsum_kv *timing;
	size_t ntiming;
	struct runsum_file *files;
	size_t nfiles;
	char **notes; /* the prose lines, trimmed */
	size_t nnotes;
	int exit_status; /* of the exit line, or -1 */
	char *exit_text; /* the exit line, or NULL */
};

/* An empty summary; allocates nothing. */
void runsum_init(struct runsum *s);

/*
 * Reads the n bytes of text into s (initialised). Returns 0, or -1 when
 * the text does not start with "== " (s then holds nothing); a heading
 * without " import of " or " run of " is all vendor, with no file.
 */
int runsum_parse(struct runsum *s, const char *text, size_t n);

/*
 * runsum_parse() of the file at path, read whole (at most
 * RUNSUM_MAX_FILE bytes: a summary is a few KB). Returns 0; -1 when the
 * file cannot be read (errno set: ENOENT when there is none, EFBIG when
 * it is larger than that); -2 when it is not a summary.
 */
#define RUNSUM_MAX_FILE ((size_t)4 << 20)
int runsum_load(struct runsum *s, const char *path);

/* The stage named, or NULL. */
const struct runsum_stage *runsum_stage(
    const struct runsum *s, const char *name);

/* A value of a list of pairs by its key (the first), or NULL. */
const char *runsum_get(const struct runsum_kv *kv, size_t n, const char *key);

/* Frees what s holds and leaves it empty. */
void runsum_release(struct runsum *s);

#endif
