/* NDJSON reading and writing; see ndjson.h. */
#include <string.h>

#include "ndjson.h"

void
ndjson_init(struct ndjson_reader *r, struct input *in, size_t max_line)
{
	memset(r, 0, sizeof(*r));
	lines_init(&r->lines, in, max_line);
	buf_init(&r->why, 4096);
}

void
ndjson_release(struct ndjson_reader *r)
{
	lines_release(&r->lines);
	buf_release(&r->why);
}

const char *
ndjson_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		break;
	}
	return "null";
}

enum ndjson_status
ndjson_check(enum lines_status ls, const char *line, size_t *len, size_t max,
    struct buf *why)
{
	buf_reset(why);
	if (ls == LINES_TOOLONG) {
		buf_printf(why, "line longer than %zu bytes", max);
		return NDJSON_REJECT;
	}
	/* Tolerate CRLF files: the \r is line ending, not data. */
	if (*len && line[*len - 1] == '\r')
		(*len)--;
	if (*len == 0) {
		buf_adds(why, "empty line, expected a JSON object");
		return NDJSON_REJECT;
	}
	return NDJSON_RECORD;
}

/*
 * The position just past the closing quote of the string whose contents
 * start at p, or NULL when it does not close. A quote is escaped when an
 * odd number of backslashes comes before it.
 */
static const char *
skip_string(const char *p, const char *e)
{
	const char *q, *b;

	while ((q = memchr(p, '"', (size_t)(e - p))) != NULL) {
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		p = q + 1;
		if ((q - b) % 2 == 0)
			return p;
	}
	return NULL;
}

size_t
ndjson_values(const char *text, size_t len, size_t max)
{
	const char *p = text, *e = text + len;
	size_t count = 1; /* the top-level value */

	while (p < e && count <= max) {
		switch (*p++) {
		case '"':
			if ((p = skip_string(p, e)) == NULL)
				return count;
			break;
		case ',':
			count++;
			break;
		case '[':
		case '{':
			/* A first item; the later ones follow commas. */
			while (p < e && (*p == ' ' || *p == '\t' ||
			                    *p == '\n' || *p == '\r'))
				p++;
			if (p < e && *p != ']' && *p != '}')
				count++;
			break;
		}
	}
	return count;
}

void
ndjson_too_complex(struct buf *why)
{
	buf_reset(why);
	buf_printf(
	    why, "record too complex: more than %d values", NDJSON_MAX_VALUES);
}

enum ndjson_status
ndjson_parse_text(const char *text, size_t len, json_t **rec, struct buf *why)
{
	json_error_t err;
	json_t *v;

	*rec = NULL;
	buf_reset(why);
	if (ndjson_values(text, len, NDJSON_MAX_VALUES) > NDJSON_MAX_VALUES) {
		ndjson_too_complex(why);
		return NDJSON_REJECT;
	}
	v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (v == NULL) {
		buf_printf(
		    why, "invalid JSON at column %d: %s", err.column, err.text);
		return NDJSON_REJECT;
	}
	if (!json_is_object(v)) {
		buf_printf(
		    why, "expected a JSON object, got %s", ndjson_type_name(v));
		json_decref(v);
		return NDJSON_REJECT;
	}
	*rec = v;
	return NDJSON_RECORD;
}

enum ndjson_status
ndjson_line(struct ndjson_reader *r)
{
	const char *line;
	size_t len;
	enum lines_status ls = lines_next(&r->lines, &line, &len);

	if (ls == LINES_EOF)
		return NDJSON_EOF;
	if (ls == LINES_ERROR)
		return NDJSON_ERROR;
	r->line = r->lines.lineno;
	r->raw = line;
	r->rawlen = len;
	return ndjson_check(ls, line, &r->rawlen, r->lines.max, &r->why);
}

enum ndjson_status
ndjson_parse(struct ndjson_reader *r, json_t **rec)
{
	return ndjson_parse_text(r->raw, r->rawlen, rec, &r->why);
}

enum ndjson_status
ndjson_next(struct ndjson_reader *r, json_t **rec)
{
	enum ndjson_status s = ndjson_line(r);

	*rec = NULL;
	return s == NDJSON_RECORD ? ndjson_parse(r, rec) : s;
}

/* json_dump_callback's sink: appends to a struct buf. */
static int
dump_to_buf(const char *s, size_t n, void *data)
{
	return buf_add(data, s, n);
}

int
ndjson_dump(struct buf *out, const json_t *rec)
{
	/* One pass, straight into out (json_dumpb would need two). */
	if (json_dump_callback(rec, dump_to_buf, out, JSON_COMPACT) < 0)
		return -1;
	return buf_addc(out, '\n');
}
