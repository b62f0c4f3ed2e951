/* A CSV file's column names made into JSON keys; see csvhead.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvhead.h"
#include "jsonw.h"
#include "strset.h"

void
csvhead_release(struct csvhead *h)
{
	size_t i;

	for (i = 0; i < h->ncols; i++) {
		free(h->names[i]);
		free(h->renamed[i]);
		free(h->fnames[i]);
	}
	free(h->names);
	free(h->renamed);
	free(h->fnames);
	free(h->koff);
	buf_release(&h->keys);
	memset(h, 0, sizeof(*h));
}

/*
 * Gives names[i] a name no column before it took (seen holds theirs):
 * column_N when it is empty, then NAME_2, NAME_3, ... when it was seen,
 * keeping the name it had in h->renamed[i].
 */
static void
make_unique(struct csvhead *h, struct strset *seen, size_t i, struct buf *name)
{
	char **names = h->names;
	size_t k;

	if (names[i][0] == '\0') {
		free(names[i]);
		buf_reset(name);
		buf_printf(name, "column_%zu", i + 1);
		names[i] = xstrdup(name->data);
	}
	if (strset_add(seen, names[i]))
		return;
	k = 2;
	do {
		buf_reset(name);
		buf_printf(name, "%s_%zu", names[i], k++);
	} while (!strset_add(seen, name->data));
	h->renamed[i] = names[i];
	names[i] = xstrdup(name->data);
}

void
csvhead_build(struct csvhead *h, char **names, size_t n, int meta)
{
	struct strset seen;
	struct buf name = BUF_INIT;
	size_t i;

	csvhead_release(h);
	strset_init(&seen);
	if (meta)
		strset_add(&seen, "_meta");
	h->ncols = n;
	h->names = names;
	h->renamed = xcalloc(n ? n : 1, sizeof(*h->renamed));
	h->koff = xmalloc((n + 1) * sizeof(*h->koff));
	h->fnames = xmalloc((n ? n : 1) * sizeof(*h->fnames));
	buf_init(&h->keys, BUF_UNLIMITED);
	for (i = 0; i < n; i++) {
		make_unique(h, &seen, i, &name);
		buf_reset(&name);
		buf_printf(&name, "field '%s'", names[i]);
		h->fnames[i] = xstrdup(name.data);
		h->koff[i] = h->keys.len;
		buf_addc(&h->keys, i ? ',' : '{');
		jsonw_cstring(&h->keys, names[i]);
		buf_addc(&h->keys, ':');
	}
	h->koff[n] = h->keys.len;
	strset_release(&seen);
	buf_release(&name);
}

int
csvhead_columns_check(const char *spec)
{
	const char *p = spec;
	int i;

	for (i = 1;; i++) {
		if (*p == ',' || *p == '\0')
			return i;
		p += strcspn(p, ",");
		if (*p++ == '\0')
			return 0;
	}
}

void
csvhead_columns(struct csvhead *h, const char *spec, int meta)
{
	size_t n = 1, i = 0;
	const char *p, *q;
	char **v;

	for (p = spec; *p; p++)
		n += *p == ',';
	v = xmalloc(n * sizeof(*v));
	for (p = spec;; p = q + 1) {
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		v[i] = xmalloc((size_t)(q - p) + 1);
		memcpy(v[i], p, (size_t)(q - p));
		v[i++][q - p] = '\0';
		if (*q == '\0')
			break;
	}
	csvhead_build(h, v, n, meta);
}

/*
 * The header row's fields as names: an array of c->nfields strings from
 * malloc, or NULL with the reason in why when one is not valid text.
 */
static char **
row_names(struct csvin *c, enum encoding enc, struct buf *why)
{
	struct buf conv = BUF_INIT, col = BUF_INIT;
	char **names = xcalloc(c->nfields ? c->nfields : 1, sizeof(*names));
	const char *s;
	size_t i, len;

	for (i = 0; i < c->nfields; i++) {
		buf_reset(&col);
		buf_printf(&col, "column %zu", i + 1);
		s = csvin_field_text(c, i, enc, &conv, col.data, &len, why);
		if (s == NULL) {
			while (i > 0)
				free(names[--i]);
			free(names);
			names = NULL;
			break;
		}
		names[i] = xmalloc(len + 1);
		memcpy(names[i], s, len);
		names[i][len] = '\0';
	}
	buf_release(&conv);
	buf_release(&col);
	return names;
}

enum csvin_status
csvhead_read(struct csvhead *h, struct csvin *c, enum encoding enc, int meta,
    struct buf *why)
{
	enum csvin_status st = csvin_next(c);
	char **names;

	if (st != CSVIN_RECORD && st != CSVIN_BAD)
		return st;
	buf_reset(why);
	if (st == CSVIN_BAD) {
		buf_adds(why, c->why);
		return CSVIN_BAD;
	}
	if ((names = row_names(c, enc, why)) == NULL)
		return CSVIN_BAD;
	csvhead_build(h, names, c->nfields, meta);
	return CSVIN_RECORD;
}

/*
 * memcpy() for the short strings of a record (keys, most fields), inline:
 * overlapping fixed-size copies (which compilers make single loads and
 * stores) cover 4 to 256 bytes, where a call costs more than the copy.
 */
static inline char *
copy_short(char *o, const char *s, size_t n)
{
	uint64_t a, b;
	uint32_t x, y;
	size_t i;

	if (n > 256) {
		memcpy(o, s, n);
	} else if (n >= 16) {
		for (i = 0; i + 16 < n; i += 16)
			memcpy(o + i, s + i, 16);
		memcpy(o + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(o, &a, 8);
		memcpy(o + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(o, &x, 4);
		memcpy(o + n - 4, &y, 4);
	} else {
		for (i = 0; i < n; i++)
			o[i] = s[i];
	}
	return o + n;
}

int
csvhead_write(const struct csvhead *h, const struct csvin *c, struct buf *out,
    size_t extra)
{
	size_t i, len, n = 0;
	int plain = csvin_record_plain(c);
	const char *s;
	char *o;

	for (i = 0; i < h->ncols; i++)
		n += c->fv[i].len;
	buf_reset(out);
	if (n > CSVHEAD_WRITE_MAX ||
	    buf_reserve(out,
	        JSONW_STRING_MAX(n) + 2 * h->ncols + h->keys.len + extra) < 0)
		return -1;
	o = out->data;
	for (i = 0; i < h->ncols; i++) {
		s = csvhead_key(h, i, &len);
		o = copy_short(o, s, len);
		s = csvin_field(c, i, &len);
		if (plain) {
			/* Nothing to escape: the bytes between quotes. */
			*o++ = '"';
			o = copy_short(o, s, len);
			*o++ = '"';
		} else {
			o = jsonw_string_at(o, s, len);
		}
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	return 0;
}
