/*
 * The rejects of a run grouped by reason: see rejgroup.h.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "mask.h"
#include "ndjson.h"
#include "rejgroup.h"

void
rejgroups_init(struct rejgroups *r)
{
	memset(r, 0, sizeof(*r));
}

static int
valuec(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c >= 0x80 ||
	       (c != '\0' && strchr("@._%+-", c) != NULL);
}

void
rejgroups_pattern(const char *reason, struct buf *out)
{
	const char *p = reason, *q;
	size_t digits;

	buf_reset(out);
	while (*p) {
		if (*p == '"') {
			for (q = p + 1; *q && *q != '"'; q++)
				if (*q == '\\' && q[1])
					q++;
			buf_adds(out, "\"\xE2\x80\xA6\"");
			p = *q ? q + 1 : q;
			continue;
		}
		if (valuec((unsigned char)*p) &&
		    (p == reason || !valuec((unsigned char)p[-1]))) {
			digits = 0;
			for (q = p; *q && valuec((unsigned char)*q); q++)
				digits += (*q >= '0' && *q <= '9');
			if (digits >= 5 || digits == (size_t)(q - p) ||
			    memchr(p, '@', (size_t)(q - p))) {
				buf_adds(out, "\xE2\x80\xA6");
				p = q;
				continue;
			}
			buf_add(out, p, (size_t)(q - p));
			p = q;
			continue;
		}
		buf_addc(out, *p++);
	}
}

/* mask_text() (or mask_row()) of s, cut at REJGROUP_MAX_TEXT bytes. */
static char *
masked(const char *s, size_t n, int row)
{
	struct buf b = BUF_INIT_MAX(REJGROUP_MAX_TEXT * 2 + 8);
	int cut = 0;
	char *m;

	while (row && n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n > REJGROUP_MAX_TEXT) {
		n = REJGROUP_MAX_TEXT;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--; /* not in the middle of a character */
		cut = 1;
	}
	(void)(row ? mask_row(s, n, &b) : mask_text(s, n, &b));
	if (cut)
		buf_adds(&b, "\xE2\x80\xA6");
	m = xstrdup(b.data ? b.data : "");
	buf_release(&b);
	return m;
}

static struct rejgroup *
find(struct rejgroups *r, const char *stage, const char *pattern)
{
	struct rejgroup *g;
	size_t i, order = r->nstages;
	int stage_seen = 0;

	for (i = 0; i < r->n; i++) {
		if (strcmp(r->g[i].stage, stage) != 0)
			continue;
		if (!stage_seen)
			order = r->g[i].order;
		stage_seen = 1;
		if (!strcmp(r->g[i].pattern, pattern))
			return &r->g[i];
	}
	if (r->n >= REJGROUP_MAX_GROUPS && strcmp(pattern, REJGROUP_OTHER))
		return find(r, stage, REJGROUP_OTHER);
	if (!stage_seen)
		r->nstages++;
	r->g = xrealloc(r->g, (r->n + 1) * sizeof(*r->g));
	g = &r->g[r->n++];
	memset(g, 0, sizeof(*g));
	g->stage = xstrdup(stage);
	g->pattern = xstrdup(pattern);
	g->order = order;
	return g;
}

static void
add_line(struct rejgroups *r, unsigned long long line)
{
	if (line == 0)
		return;
	if (r->nlines == r->caplines) {
		r->caplines = r->caplines ? r->caplines * 2 : 256;
		r->lines = xrealloc(r->lines, r->caplines * sizeof(*r->lines));
	}
	r->lines[r->nlines++] = line;
}

static void
add_value(struct rejgroup *g, const char *reason)
{
	char *m = masked(reason, strlen(reason), 0);
	size_t i;

	for (i = 0; i < g->nvalues; i++) {
		if (!strcmp(g->values[i].reason, m)) {
			g->values[i].n++;
			free(m);
			return;
		}
	}
	if (g->nvalues == REJGROUP_MAX_VALUES) {
		g->other_values++;
		free(m);
		return;
	}
	g->values[g->nvalues].reason = m;
	g->values[g->nvalues++].n = 1;
}

void
rejgroups_add(struct rejgroups *r, const char *stage, const char *reason,
    const char *file, unsigned long long line, const char *raw, size_t n)
{
	struct buf pat = BUF_INIT;
	struct rejgroup *g;
	struct rejgroup_example *e;

	rejgroups_pattern(reason, &pat);
	g = find(r, stage, pat.data ? pat.data : "");
	buf_release(&pat);
	g->n++;
	r->total++;
	add_line(r, line);
	add_value(g, reason);
	if (g->nex == REJGROUP_MAX_EXAMPLES)
		return;
	e = &g->ex[g->nex++];
	e->file = file ? xstrdup(file) : NULL;
	e->line = line;
	e->reason = masked(reason, strlen(reason), 0);
	e->raw = raw ? masked(raw, n, 1) : NULL;
}

static const char *
string(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* One reject record counted, its source from the record's _meta first. */
static void
count(struct rejgroups *r, const json_t *rej, const char *stage)
{
	const json_t *rec = json_object_get(rej, "record");
	const json_t *meta = json_object_get(rec, "_meta");
	const char *file = string(rej, "file"), *reason = string(rej, "reason");
	json_int_t line = json_integer_value(json_object_get(rej, "line"));

	if (string(rej, "stage"))
		stage = string(rej, "stage");
	if (json_is_object(meta) && string(meta, "file")) {
		file = string(meta, "file");
		line = json_integer_value(json_object_get(meta, "line"));
	}
	rejgroups_add(r, stage, reason ? reason : "(no reason given)", file,
	    line > 0 ? (unsigned long long)line : 0,
	    json_is_string(rec) ? json_string_value(rec) : NULL,
	    json_is_string(rec) ? json_string_length(rec) : 0);
}

int
rejgroups_read(
    struct rejgroups *r, const char *path, const char *stage, struct buf *why)
{
	struct input in;
	struct ndjson_reader nr;
	enum ndjson_status st;
	json_t *rec;
	int rc = 0;

	if (input_open(&in, path) != INPUT_OK) {
		buf_printf(why, "%s", in.errmsg);
		return -1;
	}
	ndjson_init(&nr, &in, NDJSON_MAX_LINE_DEFAULT);
	while ((st = ndjson_next(&nr, &rec)) != NDJSON_EOF) {
		if (st == NDJSON_ERROR) {
			buf_printf(why, "%s", in.errmsg);
			rc = -1;
			break;
		}
		if (st == NDJSON_REJECT) {
			rejgroups_add(r, stage, "not a reject record", path,
			    nr.line, NULL, 0);
			continue;
		}
		count(r, rec, stage);
		json_decref(rec);
	}
	ndjson_release(&nr);
	input_close(&in);
	return rc;
}

static int
by_stage_then_count(const void *a, const void *b)
{
	const struct rejgroup *x = a, *y = b;
	int ox = !strcmp(x->pattern, REJGROUP_OTHER);
	int oy = !strcmp(y->pattern, REJGROUP_OTHER);

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (ox != oy)
		return ox - oy;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->pattern, y->pattern);
}

static int
by_count(const void *a, const void *b)
{
	const struct rejgroup_value *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->reason, y->reason);
}

static int
by_line(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

void
rejgroups_finish(struct rejgroups *r)
{
	size_t i, k = 0;

	if (r->n)
		qsort(r->g, r->n, sizeof(*r->g), by_stage_then_count);
	for (i = 0; i < r->n; i++)
		if (r->g[i].nvalues)
			qsort(r->g[i].values, r->g[i].nvalues,
			    sizeof(r->g[i].values[0]), by_count);
	if (r->nlines == 0)
		return;
	qsort(r->lines, r->nlines, sizeof(*r->lines), by_line);
	for (i = 0; i < r->nlines; i++)
		if (k == 0 || r->lines[k - 1] != r->lines[i])
			r->lines[k++] = r->lines[i];
	r->nlines = k;
}

void
rejgroups_release(struct rejgroups *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		struct rejgroup *g = &r->g[i];

		for (j = 0; j < g->nvalues; j++)
			free(g->values[j].reason);
		for (j = 0; j < g->nex; j++) {
			free(g->ex[j].file);
			free(g->ex[j].reason);
			free(g->ex[j].raw);
		}
		free(g->stage);
		free(g->pattern);
	}
	free(r->g);
	free(r->lines);
	rejgroups_init(r);
}
