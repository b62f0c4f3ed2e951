/*
 * CSV records from an input, on libcsv, with what libcsv does not give:
 * the physical line each record starts on, bounded memory whatever the
 * input, and resynchronisation after a malformed record.
 *
 * Dialect: RFC 4180 quoting (doubled quotes, delimiters and line breaks
 * inside quotes), records ended by CRLF, LF or a lone CR, blank lines
 * skipped, spaces kept. At the start of the input, UTF-8 byte-order marks
 * are dropped (any number of them: a file saved twice by a tool that adds
 * one has two), and so is a first line "sep=X", Excel's way of naming the
 * delimiter X: it is not data, and X is the delimiter unless the caller
 * chose one; byte-order marks after that line are dropped too. A quote
 * inside an unquoted field is kept as a character (as Python and Excel
 * read it). A closing quote followed by anything but a delimiter or a line
 * end, and a quoted field still open at the end of the input, make the
 * record malformed: it is returned as CSVIN_BAD and reading resumes at the
 * next physical line.
 *
 * Two paths, one answer: a record on one physical line whose quoting is
 * simple (every quoted field closes on its line and is followed by a
 * delimiter or the line end; doubled quotes allowed) is split here
 * without libcsv, its fields slices of the read buffer (a field with
 * doubled quotes alone is copied, to undo them); anything else goes
 * through libcsv. Both give the same fields, the same raw text and the
 * same verdicts; with slow set (after csvin_init) every record takes
 * libcsv, for tests to compare the two.
 */
#ifndef CSVIN_H
#define CSVIN_H

#include <csv.h>
#include <stddef.h>

#include "buf.h"
#include "input.h"
#include "utf8.h"

enum csvin_status {
	CSVIN_RECORD, /* a record: see nfields, csvin_field() and line */
	CSVIN_EOF,
	CSVIN_BAD,  /* a record that cannot be used: see why, raw, line */
	CSVIN_ERROR /* reading failed: see the input's status and errmsg */
};

struct csvin_field {
	const char *p; /* its bytes, set when the record is complete */
	size_t off;    /* while it is assembled: where it is in data */
	size_t len;
};

struct csvin {
	struct input *in;
	struct csv_parser p;
	unsigned char delim;
	int delim_auto; /* no delimiter was chosen: a sep= line may name it */
	unsigned char sep; /* the delimiter a sep= line named, or 0 */
	size_t max_field;

	char *rbuf; /* read buffer: bytes rpos..rlen are not yet parsed */
	size_t rpos, rlen;
	int eof, started;

	unsigned long long cur;  /* the physical line being read, from 1 */
	unsigned long long line; /* where the last record returned starts */
	int in_record;           /* a record has begun and not ended */
	int ended;               /* libcsv ended a record in the last feed */

	/* The record being assembled. */
	struct buf data;        /* its fields' bytes back to back (a fast
	                           record's fields with doubled quotes only) */
	struct csvin_field *fv; /* nfields entries */
	size_t nfields, fcap;
	struct buf raw; /* its text as read, up to CSVIN_RAW_MAX bytes,
	                   then "...[cut: N bytes in all]" if longer (a
	                   fast record's is not copied: see rawp) */
	int raw_cut;    /* raw holds only the start of the text */
	unsigned long long raw_total; /* bytes of the record's text */
	int field_cut; /* the current field went over max_field */
	int skip_line; /* skipping the rest of a malformed line */
	char why[160]; /* why the record is bad, "" when it is not */

	int slow;          /* every record through libcsv (see the top) */
	int fast;          /* the last record was split without libcsv */
	int plain;         /* and is plain: see csvin_record_plain() */
	const char *rawp;  /* the record's raw text: raw's, or the line's */
	size_t rawn;       /* in the read buffer when the record was fast */
	const char *lineb; /* a fast record's line, for csvin_record_clean */
	size_t linen;
	unsigned long long nfast; /* records that were fast */
};

#define CSVIN_RAW_MAX (64 * 1024)
#define CSVIN_MAX_FIELDS (1u << 20)
#define CSVIN_MAX_DATA ((size_t)64 << 20)

/* csvin_init()'s delim when none was chosen: ',' or a sep= line's. */
#define CSVIN_DELIM_AUTO 0

/*
 * Reads CSV from in (borrowed) with the given delimiter, or with
 * CSVIN_DELIM_AUTO the one a first line "sep=X" names (',' without one);
 * a field longer than max_field bytes makes its record bad. Returns 0, or
 * -1 when libcsv cannot be set up.
 */
int csvin_init(
    struct csvin *c, struct input *in, unsigned char delim, size_t max_field);

/*
 * Reads the start of the input: drops byte-order marks and a sep= line
 * (see the top), setting c->sep and the delimiter. csvin_next() does it
 * when it was not done; call it first to look at c->sep before any
 * record. Returns 0, or -1 on a read error (see the input's status).
 */
int csvin_start(struct csvin *c);

/* Returns the next record; see enum csvin_status. */
enum csvin_status csvin_next(struct csvin *c);

/*
 * Field i of the record last returned (i < c->nfields): bytes and length,
 * borrowed from c until the next csvin_next().
 */
static inline const char *
csvin_field(const struct csvin *c, size_t i, size_t *len)
{
	*len = c->fv[i].len;
	return c->fv[i].p;
}

/*
 * The text of the record last returned, as read (terminator included; cut
 * as raw says above when longer than CSVIN_RAW_MAX), for a rejects file:
 * *n bytes borrowed from c until the next csvin_next().
 */
static inline const char *
csvin_raw(const struct csvin *c, size_t *n)
{
	*n = c->rawn;
	return c->rawp;
}

/*
 * Field i of the record last returned as UTF-8 text, checked: its bytes
 * themselves when enc is ENC_UTF8 (no copy: this is a converter's hot
 * path), else their conversion from enc, put in conv (replaced). *n gets
 * the text's length. Returns the text (borrowed from c or conv), or NULL
 * with the reason in why (appended; name is the field's, "field 'id'",
 * for it) when the field holds a NUL byte or, in UTF-8, an invalid
 * sequence.
 */
const char *csvin_field_text(const struct csvin *c, size_t i, enum encoding enc,
    struct buf *conv, const char *name, size_t *n, struct buf *why);

/*
 * Whether every field of the record last returned is valid UTF-8 without
 * a NUL byte, checked on all its bytes at once: one pass instead of a
 * csvin_field_text() per field, for a converter to skip those calls.
 */
int csvin_record_clean(const struct csvin *c);

/*
 * Whether every field of the record last returned is ASCII without a
 * control byte, a quote or a backslash, so that its bytes need no escape
 * in a JSON string (nor a UTF-8 check): known, without a look at the
 * fields, for most records of the fast path (see the top); 0 says only
 * that it is not known.
 */
static inline int
csvin_record_plain(const struct csvin *c)
{
	return c->plain;
}

/* Frees everything the reader holds. */
void csvin_release(struct csvin *c);

#endif
