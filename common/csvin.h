/*
 * CSV records from an input, on libcsv, with what libcsv does not give:
 * the physical line each record starts on, bounded memory whatever the
 * input, and resynchronisation after a malformed record.
 *
 * Dialect: RFC 4180 quoting (doubled quotes, delimiters and line breaks
 * inside quotes), records ended by CRLF, LF or a lone CR, blank lines
 * skipped, a leading UTF-8 byte-order mark dropped, spaces kept. A quote
 * inside an unquoted field is kept as a character (as Python and Excel
 * read it). A closing quote followed by anything but a delimiter or a line
 * end, and a quoted field still open at the end of the input, make the
 * record malformed: it is returned as CSVIN_BAD and reading resumes at the
 * next physical line.
 */
#ifndef CSVIN_H
#define CSVIN_H

#include <csv.h>
#include <stddef.h>

#include "buf.h"
#include "input.h"

enum csvin_status {
	CSVIN_RECORD, /* a record: see nfields, csvin_field() and line */
	CSVIN_EOF,
	CSVIN_BAD,  /* a record that cannot be used: see why, raw, line */
	CSVIN_ERROR /* reading failed: see the input's status and errmsg */
};

struct csvin_field {
	size_t off, len;
};

struct csvin {
	struct input *in;
	struct csv_parser p;
	unsigned char delim;
	size_t max_field;

	char *rbuf; /* read buffer: bytes rpos..rlen are not yet parsed */
	size_t rpos, rlen;
	int eof, started;

	unsigned long long cur;  /* the physical line being read, from 1 */
	unsigned long long line; /* where the last record returned starts */
	int in_record;           /* a record has begun and not ended */
	int ended;               /* libcsv ended a record in the last feed */

	/* The record being assembled. */
	struct buf data;        /* its fields' bytes back to back */
	struct csvin_field *fv; /* nfields entries */
	size_t nfields, fcap;
	struct buf raw;   /* its text as read, up to CSVIN_RAW_MAX */
	struct buf field; /* a quoted field being unescaped */
	int raw_cut;      /* raw holds only the start of the text */
	int field_cut;    /* the current field went over max_field */
	int skip_line;    /* skipping the rest of a malformed line */
	char why[160];    /* why the record is bad, "" when it is not */
};

#define CSVIN_RAW_MAX (64 * 1024)
#define CSVIN_MAX_FIELDS (1u << 20)
#define CSVIN_MAX_DATA ((size_t)64 << 20)

/*
 * Reads CSV from in (borrowed) with the given delimiter; a field longer
 * than max_field bytes makes its record bad. Returns 0, or -1 when libcsv
 * cannot be set up.
 */
int csvin_init(
    struct csvin *c, struct input *in, unsigned char delim, size_t max_field);

/* Returns the next record; see enum csvin_status. */
enum csvin_status csvin_next(struct csvin *c);

/* Field i of the record last returned (i < c->nfields): bytes and length. */
static inline const char *
csvin_field(const struct csvin *c, size_t i, size_t *len)
{
	*len = c->fv[i].len;
	return c->data.data + c->fv[i].off;
}

/* Frees everything the reader holds. */
void csvin_release(struct csvin *c);

#endif
