/*
 * CSV records on libcsv; see csvin.h.
 *
 * libcsv parses bytes and calls back per field and per record, but knows
 * nothing of line numbers. So the input is cut into physical lines here
 * (at CRLF, LF or a lone CR, quoted or not) and fed to libcsv a line, or a
 * piece of a long line, at a time: a record starts on the first non-blank
 * line fed while no record is open, and at most one record can end per
 * line, at its end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bytemask.h"
#include "csvin.h"

#define CSVIN_READ (1024 * 1024)
#define CSVIN_FEED (64 * 1024) /* most bytes given to libcsv at once */

/*
 * libcsv's parser states (libcsv.c). The struct is public in csv.h; its
 * states are not named there.
 */
#define LIBCSV_FIELD_BEGUN 2
#define LIBCSV_FIELD_MIGHT_HAVE_ENDED 3

static int
no_space(unsigned char c)
{
	(void)c;
	return 0; /* spaces are data: " a " stays " a " */
}

static int
parser_setup(struct csvin *c)
{
	if (csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return -1;
	csv_set_delim(&c->p, c->delim);
	csv_set_space_func(&c->p, no_space);
	/* libcsv grows its field buffer linearly: use big steps. */
	csv_set_blk_size(&c->p, 64 * 1024);
	return 0;
}

int
csvin_init(
    struct csvin *c, struct input *in, unsigned char delim, size_t max_field)
{
	memset(c, 0, sizeof(*c));
	c->in = in;
	c->delim_auto = delim == CSVIN_DELIM_AUTO;
	c->delim = c->delim_auto ? ',' : delim;
	c->max_field = max_field;
	c->cur = 1;
	buf_init(&c->data, CSVIN_MAX_DATA);
	/* Room for the marker of a cut text after its first bytes. */
	buf_init(&c->raw, CSVIN_RAW_MAX + 64);
	c->rbuf = malloc(CSVIN_READ);
	if (c->rbuf == NULL)
		return -1;
	return parser_setup(c);
}

void
csvin_release(struct csvin *c)
{
	csv_free(&c->p);
	free(c->rbuf);
	free(c->fv);
	buf_release(&c->data);
	buf_release(&c->raw);
	c->rbuf = NULL;
	c->fv = NULL;
}

static void
set_bad(struct csvin *c, const char *why)
{
	if (c->why[0] == '\0')
		snprintf(c->why, sizeof(c->why), "%s", why);
}

static void
field_too_long(struct csvin *c)
{
	char why[sizeof(c->why)];

	snprintf(why, sizeof(why),
	    "field %zu is longer than %zu bytes (--max-field-size)",
	    c->nfields + 1, c->max_field);
	set_bad(c, why);
}

/* Room for one more field in fv. */
static void
fields_room(struct csvin *c)
{
	if (c->nfields < c->fcap)
		return;
	c->fcap = c->fcap ? 2 * c->fcap : 64;
	c->fv = realloc(c->fv, c->fcap * sizeof(*c->fv));
	if (c->fv == NULL)
		abort();
}

/* libcsv: a field is complete. */
static void
on_field(void *s, size_t len, void *data)
{
	struct csvin *c = data;

	if (c->field_cut || len > c->max_field) {
		field_too_long(c);
		c->field_cut = 0;
		len = 0; /* the record is bad; keep the count of fields */
	}
	if (c->nfields == CSVIN_MAX_FIELDS) {
		set_bad(c, "record has more than 1048576 fields");
		return;
	}
	fields_room(c);
	c->fv[c->nfields].p = NULL;
	c->fv[c->nfields].off = c->data.len;
	c->fv[c->nfields].len = len;
	c->nfields++;
	if (buf_add(&c->data, s ? s : "", len) < 0) {
		set_bad(c, "record is larger than 64 MiB");
		c->fv[c->nfields - 1].len = 0;
	}
}

/* libcsv: a record is complete. */
static void
on_record(int term, void *data)
{
	struct csvin *c = data;

	(void)term;
	c->ended = 1;
}

static void
record_start(struct csvin *c)
{
	c->in_record = 1;
	c->line = c->cur;
	c->nfields = 0;
	c->field_cut = 0;
	c->why[0] = '\0';
	c->raw_cut = 0;
	c->raw_total = 0;
	c->fast = 0;
	c->plain = 0;
	c->rawp = NULL;
	buf_reset(&c->data);
	buf_reset(&c->raw);
}

/* Keeps the start of the record's text for the rejects file. */
static void
raw_keep(struct csvin *c, const char *s, size_t n)
{
	size_t room = CSVIN_RAW_MAX - c->raw.len;

	c->raw_total += n;
	if (n > room) {
		n = room;
		c->raw_cut = 1;
	}
	buf_add(&c->raw, s, n);
}

/*
 * The fields kept in data get their pointers, now that data no longer
 * moves.
 */
static void
fields_resolve(struct csvin *c)
{
	const char *base = c->data.data ? c->data.data : "";
	size_t i;

	for (i = 0; i < c->nfields; i++) {
		if (c->fv[i].p == NULL)
			c->fv[i].p = base + c->fv[i].off;
	}
}

/*
 * The record is complete: a text kept only in part says so at its end, so
 * that nobody takes the start of a record for all of it. Returns the
 * record's status.
 */
static enum csvin_status
record_end(struct csvin *c)
{
	if (c->raw_cut)
		buf_printf(
		    &c->raw, "...[cut: %llu bytes in all]", c->raw_total);
	if (c->rawp == NULL) {
		c->rawp = c->raw.data ? c->raw.data : "";
		c->rawn = c->raw.len;
	}
	fields_resolve(c);
	return c->why[0] ? CSVIN_BAD : CSVIN_RECORD;
}

/*
 * After a malformed record: throw libcsv's state away, so that parsing
 * starts afresh at the next physical line.
 */
static void
resync(struct csvin *c)
{
	csv_free(&c->p);
	parser_setup(c);
	c->ended = 1;
	c->skip_line = 1;
}

/*
 * Feeds n bytes (part or all of one physical line) to libcsv. Strict mode
 * stops at the first byte it refuses: a quote inside an unquoted field is
 * then fed again leniently and parsing goes on; anything else makes the
 * record bad and the rest of the line is skipped (resync()).
 */
static void
feed(struct csvin *c, const char *s, size_t n)
{
	size_t off = 0, step, k;

	while (off < n) {
		step = n - off < CSVIN_FEED ? n - off : CSVIN_FEED;
		/* Never stop in "might have ended" with an oversized field. */
		if (c->p.entry_pos > c->max_field &&
		    c->p.pstate == LIBCSV_FIELD_MIGHT_HAVE_ENDED)
			step = 1;
		k = csv_parse(&c->p, s + off, step, on_field, on_record, c);
		off += k;
		if (k < step || csv_error(&c->p) != CSV_SUCCESS) {
			if (c->p.pstate == LIBCSV_FIELD_BEGUN && !c->p.quoted &&
			    s[off] == (char)CSV_QUOTE) {
				csv_set_opts(&c->p, CSV_STRICT_FINI);
				csv_parse(
				    &c->p, s + off, 1, on_field, on_record, c);
				csv_set_opts(
				    &c->p, CSV_STRICT | CSV_STRICT_FINI);
				c->p.status = CSV_SUCCESS;
				off++;
				continue;
			}
			set_bad(c,
			    csv_error(&c->p) == CSV_EPARSE
			        ? "malformed quoting: a closing quote is followed by "
			          "more text"
			        : csv_strerror(csv_error(&c->p)));
			resync(c);
			return;
		}
		/*
		 * A field over the maximum: forget its bytes but let libcsv
		 * go on to its real end, so that no later line is misread.
		 */
		if (c->p.entry_pos > c->max_field &&
		    c->p.pstate == LIBCSV_FIELD_BEGUN) {
			field_too_long(c);
			c->p.entry_pos = 0;
			c->field_cut = 1;
		}
	}
}

/*
 * Reads more input after the unparsed bytes. Returns 1 when bytes were
 * added, 0 at the end of input, -1 on a read error.
 */
static int
fill(struct csvin *c)
{
	size_t keep = c->rlen - c->rpos;
	ssize_t got;

	memmove(c->rbuf, c->rbuf + c->rpos, keep);
	c->rpos = 0;
	c->rlen = keep;
	got = input_read(c->in, c->rbuf + keep, CSVIN_READ - keep);
	if (got < 0)
		return -1;
	if (got == 0) {
		c->eof = 1;
		return 0;
	}
	c->rlen += (size_t)got;
	return 1;
}

/*
 * Reads on until n bytes are buffered after rpos, or the input ends.
 * Returns 1 when they are there, 0 when the input ended first, -1 on a
 * read error.
 */
static int
want(struct csvin *c, size_t n)
{
	while (c->rlen - c->rpos < n) {
		if (c->eof)
			return 0;
		if (fill(c) < 0)
			return -1;
	}
	return 1;
}

/* Drops the UTF-8 byte-order marks at rpos, however many. 0 or -1. */
static int
skip_boms(struct csvin *c)
{
	int rc;

	while ((rc = want(c, 3)) == 1 &&
	       memcmp(c->rbuf + c->rpos, "\xef\xbb\xbf", 3) == 0)
		c->rpos += 3;
	return rc < 0 ? -1 : 0;
}

/*
 * Drops Excel's "sep=X" line at rpos (X one byte, not a quote or a line
 * break; "sep" in any case), noting X in c->sep and making it the
 * delimiter when none was chosen. 0 or -1.
 */
static int
skip_sep_line(struct csvin *c)
{
	const char *s;
	size_t n, len;
	int rc;

	if ((rc = want(c, 7)) < 0)
		return -1;
	s = c->rbuf + c->rpos;
	n = c->rlen - c->rpos;
	if (n < 5 || strncasecmp(s, "sep=", 4) != 0 || strchr("\"\r\n", s[4]))
		return 0;
	if (n == 5)
		len = 5; /* the whole input */
	else if (s[5] == '\n' || (s[5] == '\r' && (n == 6 || s[6] != '\n')))
		len = 6;
	else if (s[5] == '\r')
		len = 7;
	else
		return 0;
	c->sep = (unsigned char)s[4];
	c->rpos += len;
	c->cur++;
	if (c->delim_auto) {
		c->delim = c->sep;
		csv_set_delim(&c->p, c->delim);
	}
	return 0;
}

int
csvin_start(struct csvin *c)
{
	if (c->started)
		return 0;
	c->started = 1;
	if (skip_boms(c) < 0 || skip_sep_line(c) < 0)
		return -1;
	/* Byte-order marks after the sep= line go as those before it. */
	return c->sep ? skip_boms(c) : 0;
}

/*
 * Finds the end of the physical line starting at rpos: the index just after
 * its terminator, or rlen when the terminator is not buffered yet. *term is
 * set when a terminator was found.
 */
static size_t
line_end(struct csvin *c, int *term)
{
	const char *s = c->rbuf + c->rpos, *lf, *cr;
	size_t n = c->rlen - c->rpos;

	lf = memchr(s, '\n', n);
	cr = memchr(s, '\r', lf ? (size_t)(lf - s) : n);
	*term = 1;
	if (cr) {
		/* CRLF is one terminator; a CR last in the buffer waits. */
		if (cr + 1 < s + n)
			return (size_t)(cr - c->rbuf) + (cr[1] == '\n' ? 2 : 1);
		if (c->eof)
			return c->rlen;
		*term = 0;
		return (size_t)(cr - c->rbuf);
	}
	if (lf)
		return (size_t)(lf - c->rbuf) + 1;
	*term = 0;
	return c->rlen;
}

/*
 * The first byte b in p..end, or NULL. Eight bytes at a time where words
 * are little-endian (the usual "has a zero byte" trick on the word xor b:
 * its lowest flagged byte is exact), which beats a memchr() call on the
 * short fields of most rows.
 */
static inline const char *
find_byte(const char *p, const char *end, unsigned char b)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t w, m;

	for (; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		w ^= ones * b;
		m = (w - ones) & ~w & (ones << 7);
		if (m)
			return p + (__builtin_ctzll(m) >> 3);
	}
	for (; p < end; p++) {
		if ((unsigned char)*p == b)
			return p;
	}
	return NULL;
#else
	return memchr(p, b, (size_t)(end - p));
#endif
}

/*
 * A quoted field with doubled quotes, from p (after its opening quote) to
 * q (its first doubled quote), unescaped into data as field nfields.
 * Returns its closing quote, or NULL when it does not close on the line.
 */
static const char *
unescape(struct csvin *c, const char *p, const char *q, const char *end)
{
	size_t off = c->data.len;

	for (;;) {
		buf_add(&c->data, p, (size_t)(q - p));
		if (q + 1 == end || q[1] != '"')
			break;
		buf_addc(&c->data, '"');
		p = q + 2;
		if ((q = find_byte(p, end, '"')) == NULL)
			return NULL;
	}
	c->fv[c->nfields].p = NULL; /* in data: see fields_resolve() */
	c->fv[c->nfields].off = off;
	c->fv[c->nfields].len = c->data.len - off;
	return q;
}

/*
 * The fast path's scan of a line: the masks of its delimiters, quotes and
 * odd bytes (bytemask.h) a block of 64 bytes at a time, the blocks one
 * after another from the line's start; odd gathers the odd bytes of every
 * block scanned.
 */
struct scan {
	const char *blk, *lim, *end; /* the block is blk..lim */
	struct bytemask m;
	uint64_t odd;
	unsigned char delim;
};

/*
 * The first quote at or after p, or with delims also the first delimiter;
 * NULL when there is none before the line's end.
 */
static inline const char *
scan_next(struct scan *sc, const char *p, int delims)
{
	uint64_t m;

	for (;;) {
		if (p >= sc->blk && p < sc->lim) {
			m = sc->m.b | (delims ? sc->m.a : 0);
			m &= ~(uint64_t)0 << (p - sc->blk);
			if (m)
				return sc->blk + __builtin_ctzll(m);
			p = sc->lim;
		}
		if (p >= sc->end)
			return NULL;
		sc->blk = p;
		sc->lim = p + (sc->end - p < 64 ? sc->end - p : 64);
		bytemask(p, (size_t)(sc->lim - p), sc->delim, '"', &sc->m);
		sc->odd |= sc->m.odd;
	}
}

/*
 * The fast path: a record on one physical line whose quoting is simple
 * (every quoted field closes on the line and is followed by a delimiter or
 * the line end) is split here, giving exactly the fields libcsv would, at
 * a fraction of the cost: each field a slice of the line, but one with
 * doubled quotes, unescaped into data. Most vendor rows take this path.
 * Returns 0, or -1 when the line needs libcsv (a quoted field that runs on
 * to the next line, malformed quoting, a field over the maximum, too many
 * fields); the caller then starts the record again.
 */
static int
split_line(struct csvin *c, const char *s, size_t n)
{
	const char *end = s + n, *p = s, *q;
	struct csvin_field *f;
	struct scan sc;
	int plain = 1; /* no field holds a quote */

	while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	sc.blk = sc.lim = s;
	sc.end = end;
	sc.odd = 0;
	sc.delim = c->delim;
	for (;;) {
		if (c->nfields == CSVIN_MAX_FIELDS)
			return -1;
		fields_room(c);
		f = &c->fv[c->nfields];
		if (p < end && *p == '"') {
			if ((q = scan_next(&sc, ++p, 0)) == NULL)
				return -1;
			if (q + 1 < end && q[1] == '"') {
				plain = 0;
				if ((q = unescape(c, p, q, end)) == NULL)
					return -1;
			} else {
				f->p = p;
				f->len = (size_t)(q - p);
			}
			p = q + 1;
			if (p < end && *p != (char)c->delim)
				return -1;
		} else {
			/* Unquoted: a quote inside is a character. */
			for (q = p; (q = scan_next(&sc, q, 1)) && *q == '"';
			     q++)
				plain = 0;
			if (q == NULL)
				q = end;
			f->p = p;
			f->len = (size_t)(q - p);
			p = q;
		}
		if (f->len > c->max_field)
			return -1; /* libcsv's path says so */
		c->nfields++;
		if (p == end)
			break;
		p++; /* the delimiter */
	}
	c->ended = 1;
	c->fast = 1;
	c->lineb = s;
	c->linen = (size_t)(end - s);
	/*
	 * Every byte of the line was scanned but where doubled quotes were
	 * undone (not plain anyway). Its delimiters are in the masks too: a
	 * tab makes every line look odd.
	 */
	c->plain = plain && sc.odd == 0 && c->delim >= 0x20 &&
	           c->delim < 0x80 && c->delim != '\\';
	return 0;
}

/*
 * A fast record's text: the line itself, but for a long one, whose start
 * is copied with the cut marker as libcsv's path does.
 */
static void
fast_raw(struct csvin *c, const char *s, size_t n)
{
	c->nfast++;
	if (n > CSVIN_RAW_MAX) {
		raw_keep(c, s, n);
		return;
	}
	c->raw_total = n;
	c->rawp = s;
	c->rawn = n;
}

/* The end of input: close an open record. */
static enum csvin_status
finish(struct csvin *c)
{
	if (!c->in_record)
		return CSVIN_EOF;
	c->ended = 0;
	if (csv_fini(&c->p, on_field, on_record, c) != 0) {
		set_bad(c, "unterminated quoted field at end of input "
		           "(truncated file?)");
		resync(c);
	}
	c->in_record = 0;
	return record_end(c);
}

enum csvin_status
csvin_next(struct csvin *c)
{
	size_t end, len;
	int term, rc, fast;

	if (!c->started && csvin_start(c) < 0)
		return CSVIN_ERROR;
	for (;;) {
		if (c->rpos == c->rlen) {
			rc = c->eof ? 0 : fill(c);
			if (rc < 0)
				return CSVIN_ERROR;
			if (rc == 0)
				return finish(c);
		}
		end = line_end(c, &term);
		len = end - c->rpos;
		if (!term && !c->eof && len < CSVIN_FEED) {
			/* A short partial line: read on before feeding it. */
			if (fill(c) < 0)
				return CSVIN_ERROR;
			continue;
		}
		if (c->skip_line) {
			/* The rest of a malformed record's line. */
			c->skip_line = !term;
		} else if (!c->in_record && term &&
		           (c->rbuf[c->rpos] == '\n' ||
		               c->rbuf[c->rpos] == '\r')) {
			/* Blank lines between records are skipped. */
		} else {
			fast = 0;
			if (!c->in_record) {
				record_start(c);
				fast =
				    (term || c->eof) && !c->slow &&
				    split_line(c, c->rbuf + c->rpos, len) == 0;
				/* Failed: start the record again. */
				if (!fast)
					record_start(c);
			}
			if (fast)
				fast_raw(c, c->rbuf + c->rpos, len);
			else
				raw_keep(c, c->rbuf + c->rpos, len);
			if (!fast) {
				c->ended = 0;
				feed(c, c->rbuf + c->rpos, len);
			}
		}
		c->rpos = end;
		if (term)
			c->cur++;
		if (c->ended) {
			c->ended = 0;
			c->in_record = 0;
			if (c->skip_line && term)
				c->skip_line = 0;
			return record_end(c);
		}
	}
}

const char *
csvin_field_text(const struct csvin *c, size_t i, enum encoding enc,
    struct buf *conv, const char *name, size_t *n, struct buf *why)
{
	const char *s = csvin_field(c, i, n);
	size_t ok;

	if (memchr(s, '\0', *n)) {
		buf_printf(why, "NUL byte in %s", name);
		return NULL;
	}
	if (enc == ENC_UTF8) {
		ok = utf8_valid_prefix(s, *n);
		if (ok < *n) {
			buf_printf(why,
			    "invalid UTF-8 in %s at byte %zu "
			    "(is the file Windows-1252? try --encoding cp1252)",
			    name, ok + 1);
			return NULL;
		}
		return s;
	}
	buf_reset(conv);
	utf8_from(conv, s, *n, enc);
	*n = conv->len;
	return conv->data ? conv->data : "";
}

/*
 * The fields lie back to back in c->data, so the concatenation being valid
 * says each field is, provided no sequence straddles two fields, that is,
 * provided no field starts with a continuation byte.
 */
int
csvin_record_clean(const struct csvin *c)
{
	size_t i;

	if (c->plain)
		return 1;
	/*
	 * A fast record's fields are pieces of its line cut at ASCII bytes
	 * (quotes and an ASCII delimiter), less some quotes: when the line is
	 * valid, so is each of them.
	 */
	if (c->fast && c->delim < 0x80)
		return memchr(c->lineb, '\0', c->linen) == NULL &&
		       utf8_valid_prefix(c->lineb, c->linen) == c->linen;
	if (c->fast) {
		for (i = 0; i < c->nfields; i++) {
			if (memchr(c->fv[i].p, '\0', c->fv[i].len) ||
			    utf8_valid_prefix(c->fv[i].p, c->fv[i].len) <
			        c->fv[i].len)
				return 0;
		}
		return 1;
	}
	if (c->data.len == 0)
		return 1;
	if (memchr(c->data.data, '\0', c->data.len) ||
	    utf8_valid_prefix(c->data.data, c->data.len) < c->data.len)
		return 0;
	for (i = 0; i < c->nfields; i++) {
		if (c->fv[i].len &&
		    ((unsigned char)c->data.data[c->fv[i].off] & 0xc0) == 0x80)
			return 0;
	}
	return 1;
}
