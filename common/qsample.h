/*
 * qsample: a quota sample held in memory while its input is read once
 * (sample's engine; docs/stages.md, "sample", is the contract).
 *
 * Each cell of the design (quotas.h) has a bounded heap (bottomk.h) of
 * the members with the smallest keys (sipkey.h: the keyed hash of the
 * member's id under the study's seed), as many as its quota, so memory is
 * bounded by the sum of the quotas and the sample is the same whatever
 * the input's order. A member is known by its id: a record whose id is in
 * the sample already is a duplicate.
 *
 * A dynamic sample starts from the members of its state (samplestate.h):
 * without sticky they are offered to their cells' heaps like newcomers
 * (a quota lowered pushes the largest keys out); with sticky they are
 * pinned, never pushed out, and newcomers compete for the vacancies
 * alone. A state member pushed out, or whose cell has no quota any more
 * (without sticky), has left: it stays listed with dead set.
 *
 *	qsample_init(&s, &q, &key, sticky, pushed, ctx);
 *	qsample_add_old(&s, &member) ...        (the state's, then)
 *	qsample_start(&s);
 *	qsample_tree_key() or qsample_doc_key(), then qsample_offer() ...
 *	qsample_cell(&s, c, &n) ...             (the sample, cell by cell)
 *	qsample_release(&s);
 */
#ifndef QSAMPLE_H
#define QSAMPLE_H

#include <jansson.h>
#include <stdint.h>

#include "bottomk.h"
#include "buf.h"
#include "jdoc.h"
#include "quotas.h"
#include "samplestate.h"
#include "sipkey.h"
#include "strmap.h"

struct qsample_member {
	uint64_t key;
	char *id; /* idlen bytes and a NUL */
	size_t idlen;
	char *text; /* the record, compact JSON, no newline */
	size_t textlen;
	long cell;        /* -1: a state member whose cell has no quota */
	json_t *oldcell;  /* a state member's cell as its state says */
	const char *file; /* where an input member was read (borrowed) */
	unsigned long long line;
	int old;  /* a member of the state read */
	int dead; /* out of the sample */
};

struct qsample_list {
	struct qsample_member **v;
	size_t n;
};

struct qsample {
	const struct quotas *q;
	struct sipkey *k;
	int sticky;
	struct bottomk *heaps;
	struct qsample_list *pins; /* sticky: the state's members, per cell */
	struct qsample_list old;   /* every member of the state read */
	struct strmap ids;         /* id -> member (dead ones until swept) */
	size_t ndead;
	/* Called with an input member pushed out of the sample (or refused
	 * after all), before its text is freed. */
	void (*pushed)(struct qsample_member *m, void *ctx);
	void *ctx;
	/* What qsample_tree_key() and qsample_doc_key() found. */
	struct buf id, cellkey, tmp, text;
};

/* Sets s up for the design q with the key k (both borrowed). */
void qsample_init(struct qsample *s, const struct quotas *q, struct sipkey *k,
    int sticky, void (*pushed)(struct qsample_member *m, void *ctx), void *ctx);

/* Adds a member of the state read (a member listed twice counts once). */
void qsample_add_old(struct qsample *s, const struct samplestate_member *sm);

/* Ends the state's members: with sticky, the heaps hold the vacancies. */
void qsample_start(struct qsample *s);

/*
 * Finds the member id at idpath and the cell key of the record rec into
 * s->id and s->cellkey, and its compact text into s->text. Returns 0, or
 * -1 with the reason to reject it in why: no id (a non-empty string or an
 * integer), no cell field, a value its bands do not take, a "_meta" that
 * is not an object.
 */
int qsample_tree_key(
    struct qsample *s, const json_t *rec, const char *idpath, struct buf *why);

/*
 * The same on the fast path's index of a canonical line (idpath and the
 * fields' paths plain, jdoc_plain_path()); -1 for anything unusual, which
 * the tree path is to decide.
 */
int qsample_doc_key(struct qsample *s, struct jdoc *d, const char *idpath);

enum qsample_verdict {
	QSAMPLE_KEPT,
	QSAMPLE_NO_QUOTA,
	QSAMPLE_DUPLICATE,
	QSAMPLE_NOT_SAMPLED
};

/*
 * Offers the record whose id and cell key were found, its text the len
 * bytes at text (copied when kept), read at file (borrowed for as long as
 * s) and line. A member it pushes out goes to pushed() when it came from
 * the input.
 */
enum qsample_verdict qsample_offer(struct qsample *s, const char *text,
    size_t len, const char *file, unsigned long long line);

/*
 * The members of cell c in the sample, smallest key first, their count in
 * *n: an array the caller frees. The cell's heap is no longer one after.
 */
struct qsample_member **qsample_cell(struct qsample *s, size_t c, size_t *n);

/* The state's members sorted by key (in s->old). */
void qsample_sort_old(struct qsample *s);

/* The cell of m as {NAME: LABEL, ...} (borrowed). */
const json_t *qsample_cell_of(
    const struct qsample *s, const struct qsample_member *m);

void qsample_release(struct qsample *s);

#endif
