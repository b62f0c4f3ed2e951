/*
 * An inbox directory's files and its bookkeeping (docs/inbox.md): the
 * folders (incoming/, work/HOST.PID/, done/DATE/, failed/, state/), a
 * file's claim and where it ends, and its line in state/imports.ndjson.
 * The protocol (claims by rename, stale claims, moves that never
 * replace) is maildir.h's; the line is appended by appendlog.h. The
 * inbox stage (stages/inbox.c) decides; this does the moving and the
 * writing. Nothing here prints: errors come back in err, or, for the
 * steps of a claim, as the claim's failure.
 *
 *	inboxfile_open(&f, "inbox", &err);
 *	inboxfile_recover(&f, first);        dead workers' claims back
 *	if (inboxclaim_take(&f, "shop/x.csv", &c) == 1) {
 *		... c.vendor, inboxclaim_options(), inboxfile_imported()
 *		inboxclaim_imported(&c, status, log)  (or _fail, _duplicate)
 *		inboxfile_finish(&f, &c);        moved, reason, line
 *	}
 */
#ifndef INBOXFILE_H
#define INBOXFILE_H

#include <jansson.h>
#include <time.h>

#include "buf.h"
#include "headmatch.h"

struct runsum;

struct inboxfile {
	char *root; /* DIR, an absolute path */
	char *incoming, *work, *done, *failed, *state, *book; /* its paths */
	char *mine;        /* work/HOST.PID, this process's */
	struct buf worker; /* "HOST.PID" */
};

/* One file, from its claim to its line. */
struct inboxclaim {
	char *rel;       /* its path under incoming/ ("shop/x.csv") */
	char *sub;       /* the sub-directory ("shop"), or NULL */
	char *path;      /* the claim: work/HOST.PID/REL */
	char *opath;     /* its options file, claimed beside it, or NULL */
	char *vendor;    /* the vendor, forced (sub) or recognised */
	int forced;      /* vendor came from sub */
	json_t *options; /* NAME: VALUE, the import's --set */
	char sha256[65];
	long long bytes;
	time_t start;
	const char *result;  /* "imported", "duplicate", "failed" */
	char *reason;        /* one line, or NULL */
	struct buf why;      /* the reason file's text after its first line */
	int exit;            /* import.sh's status, -1 when none ran */
	json_t *numbers;     /* inboxfile_numbers(), or NULL */
	struct buf run;      /* the run folder, or empty */
	json_t *dup;         /* duplicate_of, or NULL */
	struct buf moved_to; /* where the file went, relative to root */
};

/* Makes DIR's folders and this worker's; 0, or -1 with err. */
int inboxfile_open(struct inboxfile *f, const char *dir, struct buf *err);

/*
 * Gives the files of stale claims back to incoming/: every worker folder
 * maildir_stale() judges so and, when first is set, this process's own
 * (a folder of the same name left by a process before it). 0 or -1.
 */
int inboxfile_recover(struct inboxfile *f, int first);

/*
 * Claims incoming/REL (and REL.options beside it) into this worker's
 * folder and reads its size and sha256. Returns 1 when claimed, 0 when
 * another worker took it first, -1 on an error (errno).
 */
int inboxclaim_take(struct inboxfile *f, const char *rel, struct inboxclaim *c);

/*
 * The claim's options: incoming/SUB/.options, then its own options file,
 * the later winning. 0, or -1 with err.
 */
int inboxclaim_options(
    const struct inboxfile *f, struct inboxclaim *c, struct buf *err);

/*
 * The vendor and the options of the claim: an empty file fails; the
 * sub-directory's vendor, else the one its header names (hm); its options
 * (inboxclaim_options), checked (inboxclaim_check). 0, or -1 with the
 * claim failed, saying why.
 */
int inboxclaim_recognise(const struct inboxfile *f, const struct headmatch *hm,
    struct inboxclaim *c);

/* The one-line reason for a header no vendor fits (headmatch's status). */
const char *inboxfile_unmatched(enum headmatch_status st);

/*
 * Whether the claim's vendor exists and takes its options (vendor.h:
 * each one declared and in its one_of, the required ones given): 0, or
 * -1 with the claim failed, saying which.
 */
int inboxclaim_check(struct inboxclaim *c);

/* The claim fails: reason (one line) and why (more lines). */
void inboxclaim_fail(struct inboxclaim *c, const char *reason, const char *why);

/* The claim duplicates the import of line earlier (borrowed). */
void inboxclaim_duplicate(struct inboxclaim *c, const json_t *earlier);

/*
 * The claim's import ended with status, its output in log: the run folder
 * and the numbers read from its summary; "imported" for 0 and 1, else
 * "failed" with the summary's last lines (or the output's) as why.
 */
void inboxclaim_imported(struct inboxclaim *c, int status, const char *log);

/*
 * The numbers of an import's summary (runsum.h), as it printed them and
 * never counted again: the bookkeeping's. A new JSON object with every
 * key, null where the summary does not say (s NULL: no summary, every
 * one null):
 *
 *	rows               csv2ndjson's in=
 *	imported           the out= of the last stage the exit-status line
 *	                   lists (post-quasar, a side branch, aside), when it
 *	                   and every stage after it ran
 *	dropped            {RULE: N}, summed over the stages
 *	rejected           the rejected= summed over the stages
 *	rejected_by_stage  {STAGE: N} for the stages that rejected some
 *	members            {"found": N, "created": N} of post-northstar's
 *	                   delivery line
 *	posts              {"created": N, "upgraded": N} of post-rogue's
 *
 * dropped, rejected and rejected_by_stage are null when the summary has
 * no stage line; a count is at most 10^18.
 */
json_t *inboxfile_numbers(const struct runsum *s);

/*
 * The run folder an import's output names (its summary's "log" line: the
 * folder of stages.log), the last one in the n bytes at text, into out
 * (reset). 0, or -1 when there is none. The output holds more than the
 * summary (the stages' errors), so this reads lines, not a summary.
 */
int inboxfile_run_dir(const char *text, size_t n, struct buf *out);

/* Gives the claim back to incoming/, as it came. */
void inboxclaim_give_back(struct inboxfile *f, struct inboxclaim *c);

/*
 * The latest line of the bookkeeping that imported the same bytes with
 * the same vendor and options (a new reference), or NULL.
 */
json_t *inboxfile_imported(
    const struct inboxfile *f, const struct inboxclaim *c);

/*
 * The claim's end: the file to done/DATE/ or failed/ (with FILE.reason),
 * its line appended, then the claim let go. 0, or -1 with err when the
 * file could not be moved or its line written (the claim then stays, for
 * the next start).
 */
int inboxfile_finish(
    struct inboxfile *f, struct inboxclaim *c, struct buf *err);

/* Frees the claim. */
void inboxclaim_release(struct inboxclaim *c);

/*
 * inbox status: the last n lines of DIR's bookkeeping as a table, then
 * what waits in incoming/ (ready, or settling with settle) and in work/,
 * into out. 0, or -1 with err.
 */
int inboxfile_status(
    const char *dir, double settle, long n, struct buf *out, struct buf *err);

/*
 * The environment of the imports: SLUICE_DATA set to the inbox's folder
 * when it is not set, and the path variables an import reads (BIN,
 * SLUICE_VENDORS, SLUICE_CACERT, SLUICE_JOURNAL, SLUICE_DATA,
 * NORTHSTAR_CLIENT_SECRET_FILE) made absolute: an import runs in the
 * worker's folder, so that the file it is given is named as it was
 * uploaded ("shop/x.csv", its records' _meta.file).
 */
void inboxfile_env(const struct inboxfile *f);

/* Frees f. */
void inboxfile_close(struct inboxfile *f);

#endif
