/*
 * quotas: a quota sample's design, read from its JSON file: the fields
 * that make a cell (dotted paths, plain values or bands.h's bands), the
 * cells and the count each is to hold, the study's seed and the path of
 * the member id. docs/stages.md, "sample", shows the file.
 *
 * Counts are given per cell ("count") or as the population's shares
 * ("share" in every cell, "total" at the top), which apportion.h turns
 * into counts adding up to total exactly, at least one a cell.
 *
 * A file that is not such a design is refused with the reason and where
 * in it (line and column, 1-based, jsonpos.h) the value at fault is:
 * unknown keys, missing ones, values of the wrong type, bands that do
 * not increase, a cell that names a field not declared or misses one, a
 * band label no band has, a cell listed twice.
 *
 * A cell is found by its key: the labels of its fields in their order,
 * each appended with quotas_key_add() (its length, ":" and its bytes, so
 * that no label can run into the next).
 */
#ifndef QUOTAS_H
#define QUOTAS_H

#include <jansson.h>

#include "bands.h"
#include "buf.h"
#include "strmap.h"

struct qfield {
	char *name, *path; /* owned */
	struct bands bands;
};

struct qcell {
	json_t *cell; /* {NAME: LABEL, ...} in the fields' order (owned) */
	char *key;    /* quotas_key_add()'s key (owned) */
	size_t keylen;
	unsigned long long count;
	double share; /* by shares: as given */
};

struct quotas {
	char *seed, *id; /* owned; NULL when the file names none */
	struct qfield *fields;
	size_t nfields;
	struct qcell *cells;
	size_t ncells;
	unsigned long long total; /* the sum of the counts */
	int by_share;
	struct strmap index; /* key -> cell index + 1 */
};

/*
 * Reads the design in the file at path. Returns 0; -1 when the file
 * cannot be read (the reason in why); -2 when it is not a design (the
 * reason in why, the place in *line and *col). q is released by
 * quotas_release() in every case.
 */
int quotas_load(struct quotas *q, const char *path, struct buf *why,
    unsigned long *line, unsigned long *col);

/* The same on n bytes of text in memory (for tests and fuzzing). */
int quotas_parse(struct quotas *q, const char *text, size_t n, struct buf *why,
    unsigned long *line, unsigned long *col);

/* Appends a label to a cell's key. 0, or -1 when key is full. */
int quotas_key_add(struct buf *key, const char *label, size_t n);

/* The index of the cell of key, or -1 when the design has no such cell. */
long quotas_cell(const struct quotas *q, const char *key, size_t n);

/*
 * The label of field f for the value v into *label and *n (borrowed from
 * v or from f): a plain field's value is its string, an integer's text or
 * a boolean's; a banded field's, its band's label. Returns 0, or -1 with
 * the reason (a literal) in *why.
 */
int quotas_label(const struct qfield *f, const struct bandval *v,
    const char **label, size_t *n, const char **why);

void quotas_release(struct quotas *q);

#endif
