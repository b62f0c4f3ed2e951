/*
 * shaper: a vendor file's "shape" section (vendor.h), compiled once and
 * applied to each row of the vendor's export, as csv2ndjson wrote it, to
 * make the canonical record (README.md, "The canonical record"). The
 * stage shape is this module on the stage plumbing.
 *
 *	"shape": {
 *	  "columns":  ["id", "email", ...],     every row has them, as strings
 *	  "optional": ["Phone"],                a row may lack them
 *	  "drop": [                             the first that holds drops the
 *	                                        row, counted under its rule
 *	    {"rule": "staff-email", "column": "email",
 *	     "if": "contains_ci", "arg": "dosomething.org"},
 *	    {"rule": "invalid-date", "column": "Started registration",
 *	     "unless": "real_date"},
 *	    {"rule": "test-row", "when": {"Status": "Test"}}
 *	  ],
 *	  "reject": [                           then the first that holds
 *	                                        rejects the row, with its why
 *	    {"why": "not an e-mail address", "column": "email",
 *	     "unless": "email_valid"}           (why: "email: not an e-mail
 *	  ],                                    address \"bob@\"")
 *	  "parse": {                            named pieces of the row
 *	    "code":   {"column": "referral-code", "fn": "referral_code"},
 *	    "status": {"column": "Status", "fn": "slug"}
 *	  },
 *	  "record": {FIELD: VALUE, ...},        the canonical record, in order
 *	  "meta":   {FIELD: VALUE, ...}         set in the row's _meta
 *	  "typed":  true                        rows are typed JSON (a
 *	                                        receiver's), not strings
 *	}
 *
 * A row's columns are strings (csv2ndjson writes nothing else), and any
 * other value is refused. With "typed" (records a receiver parsed from
 * JSON: hook-recv's journal), a column may also hold an integer or a
 * boolean, taken as its JSON value (copied as written, so an integer stays
 * one in "details") and, for a function or a test, as its text ("42",
 * "true"); null is a missing column; a real (whose JSON text jansson
 * would rewrite), an object or an array is refused.
 *
 * A parser's pieces are named PIECE.NAME ("code.user", "code.campaign");
 * a function of one value gives one piece, named PIECE ("status"). A
 * piece is computed once a row, for every row that is not dropped, and the
 * warnings of its function (values set aside) go into _meta.warning.
 *
 * A VALUE is a source, or a list of sources of which the first whose
 * "when" holds and which has a value is taken (a piece the row does not
 * have, a missing optional column, an empty column with "empty": "skip"
 * have none); when no source has one, the field is null. A source is one
 * of
 *
 *	{"column": NAME}     the column's text, as written
 *	{"piece": NAME}      a piece
 *	{"const": JSON}      a value
 *	{"default": KEY}     the vendor file's defaults[KEY]
 *	{"columns": [...]}   an object of those columns, as written, in order
 *	                     (a missing optional one left out)
 *	{"fields": {FIELD: VALUE, ...}, "only": [{"when": {...},
 *	    "keep": [FIELD...]}]}
 *	                     an object; the first "only" whose "when" holds
 *	                     keeps just the fields it names
 *	{"omit": true}       the field is left out
 *
 * with, optionally, "when": {...} (the source is tried only when every
 * pair holds: a column or a piece, matched as status-map matches, map.h),
 * "fn": NAME and "arg" (a function of one value, applied to the column or
 * piece), and "empty": "null" (the default: an empty string becomes null,
 * as the services store it), "keep" (it stays "") or "skip" (it is no
 * value). No loops, no variables, no expressions: what is more than this
 * is a named function (rules/rules.h).
 *
 * Speed: a row read as a canonical line (jdoc.h) is shaped from the line's
 * index, its columns copied as written; a row read as a jansson tree gives
 * the same bytes out, written by the same code.
 */
#ifndef SHAPER_H
#define SHAPER_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "jdoc.h"
#include "rulefn.h"

struct shaper_cond;
struct shaper_src;

struct shaper_field {
	char *key;  /* "\"name\":", as JSON writes it */
	char *name; /* the name */
	struct shaper_src *alts;
	size_t nalts;
};

/* A column of the export, and what the row being shaped holds in it. */
struct shaper_column {
	const char *name; /* borrowed from the vendor file */
	char *json;       /* the name as JSON writes it, without quotes */
	size_t jsonlen;
	int required;
	unsigned gen;                 /* the row the cell below is of */
	int state;                    /* enum in shaper.c */
	const char *raw;              /* the value as JSON text */
	size_t rawlen;                /* (quotes included) */
	const struct jdoc_node *node; /* a line's */
	const json_t *value;          /* a tree's */
	unsigned text_gen;
	struct buf text;   /* the value unescaped, when asked for */
	struct buf rawbuf; /* a tree's value written as JSON */
};

struct shaper_parse {
	const char *name;
	size_t col;
	const struct rulefn *fn;
	const char *arg;
	size_t first, n; /* its pieces */
	unsigned gen;    /* the row it was computed for */
};

struct shaper_piece {
	char *name;   /* "code.user", or "status" */
	size_t parse; /* its entry in parses */
};

/* A value shaping sets in _meta, written in scratch2. */
struct shaper_added {
	const char *name;
	size_t off, len;
	int done;
};

struct shaper_drop {
	const char *rule;
	struct shaper_cond *when;
	size_t nwhen;
	const struct rulefn *fn; /* "if" or "unless" */
	const char *arg;
	size_t col;
	int unless;
	struct rulefn_value out;
};

struct shaper {
	struct shaper_column *cols;
	size_t ncols;
	struct shaper_parse *parses;
	size_t nparses;
	struct shaper_piece *pieces;
	struct rulefn_value *values; /* the row's, one a piece */
	size_t npieces;
	struct shaper_drop *drops, *rejects;
	size_t ndrops, nrejects;
	struct shaper_field *fields, *meta;
	size_t nfields, nmeta;
	struct shaper_added *added; /* nmeta + 1 */
	const json_t *defaults;

	/* The row being shaped. */
	unsigned gen;
	const struct jdoc *doc;
	const json_t *tree;
	/* After shaper_doc() or shaper_tree(): */
	struct buf warning; /* what the functions set aside, or empty */
	struct buf why;     /* SHAPER_REJECT: the reason */
	const char *rule;   /* SHAPER_DROP: the rule */
	int typed;          /* "typed": scalars are values too */
	int column_problem; /* SHAPER_REJECT: a column missing or not a
	                       string */
	struct buf scratch; /* for values written out */
	struct buf scratch2;
};

enum shaper_result { SHAPER_OUT, SHAPER_DROP, SHAPER_REJECT };

/*
 * Compiles shape (the section, borrowed: it must outlive the shaper) with
 * the vendor file's defaults (an object, or NULL) and the named functions
 * (a table ending with a NULL name). Returns 0, or -1 with err saying
 * where: "shape.record.status[1].when.finished: no column or piece of
 * that name". Release the shaper either way.
 */
int shaper_load(struct shaper *s, const json_t *shape, const json_t *defaults,
    const struct rulefn *fns, struct buf *err);

/*
 * Shapes one row: d, a canonical line's index (shaper_doc), or rec, the
 * row as a tree (shaper_tree; borrowed). SHAPER_OUT appends the canonical
 * record and a "\n" to out; SHAPER_DROP names the rule in s->rule;
 * SHAPER_REJECT says why in s->why. s->warning holds what was set aside.
 */
enum shaper_result shaper_doc(
    struct shaper *s, const struct jdoc *d, struct buf *out);
enum shaper_result shaper_tree(
    struct shaper *s, const json_t *rec, struct buf *out);

/* Frees the shaper. */
void shaper_release(struct shaper *s);

#endif
