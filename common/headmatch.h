/*
 * Which vendor a CSV file is, from its header row alone, against every
 * vendor file of a folder (the inbox's recognition). Nothing here knows a
 * vendor: each is its vendor file's data, its required columns
 * (shape.columns) and its optional ones (shape.optional), its delimiter
 * and encoding. Vendors whose records do not come from a file (export
 * "receive": true) or that have no shape are not candidates.
 *
 * The header is read as csv2ndjson reads it (csvhead.h: byte-order marks
 * and Excel's "sep=" line dropped, empty names made column_N, repeats
 * given _2), in each vendor's delimiter and encoding, so a name matches
 * exactly the key a row's column gets.
 *
 * The rule. A vendor is a candidate when the header has every one of its
 * required columns. No candidate: no match. One: it. Several (a list of
 * e-mail addresses needs only "email", which a registration export also
 * has): the candidate that knows the most of the header's columns
 * (required and optional) wins, as the one the file was made for; two
 * that know as many are ambiguous, and nothing is guessed.
 *
 *	struct headmatch m;
 *	headmatch_load(&m, vendor_dir());
 *	struct headmatch_answer a = HEADMATCH_ANSWER_INIT;
 *	if (headmatch_file(&m, "upload.csv", &a) == HEADMATCH_FOUND) ...
 *a.vendor headmatch_answer_release(&a); headmatch_release(&m);
 *
 * Nothing here prints: what went wrong is in m.problems or a.why.
 */
#ifndef HEADMATCH_H
#define HEADMATCH_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "utf8.h"

struct headmatch_vendor {
	char *name;          /* its folder's name, owned */
	json_t *required;    /* shape.columns, a new reference */
	json_t *optional;    /* shape.optional (or an empty list), new */
	unsigned char delim; /* export.delimiter, else ',' */
	enum encoding enc;   /* export.encoding, else UTF-8 */
};

struct headmatch {
	struct headmatch_vendor *v; /* the candidates' vendors, by name */
	size_t n;
	struct buf problems; /* "PATH: why" a line, for vendor files that
	                        could not be read (left out) */
};

enum headmatch_status {
	HEADMATCH_FOUND,     /* one vendor: vendor */
	HEADMATCH_NONE,      /* no vendor has all its required columns */
	HEADMATCH_AMBIGUOUS, /* two or more as good */
	HEADMATCH_EMPTY,     /* no header row (an empty file) */
	HEADMATCH_UNREADABLE /* the file cannot be read, or its header row
	                        is malformed */
};

struct headmatch_answer {
	enum headmatch_status status;
	const char *vendor; /* HEADMATCH_FOUND: the name, borrowed from m */
	struct buf why;     /* but FOUND: what was seen, lines of text
	                       ("columns seen: ...", the closest vendors and
	                       how many required columns each lacks) */
};

#define HEADMATCH_ANSWER_INIT                                                  \
	{                                                                      \
		HEADMATCH_NONE, NULL, BUF_INIT                                 \
	}

/*
 * Loads every DIR/NAME/vendor.json (vendor.h) that is a candidate, in the
 * order of their names. A vendor file that cannot be loaded is left out,
 * with a line in m->problems. Returns the number of candidates.
 */
size_t headmatch_load(struct headmatch *m, const char *dir);

/*
 * Reads the header row of path (gzipped or not) and says which vendor it
 * is, in a (released by the caller, reset here). See the rule at the top.
 */
enum headmatch_status headmatch_file(
    const struct headmatch *m, const char *path, struct headmatch_answer *a);

/* Frees what the answer holds. */
void headmatch_answer_release(struct headmatch_answer *a);

/* Frees everything m holds. */
void headmatch_release(struct headmatch *m);

#endif
