/* Which vendor a CSV file is, from its header row; see headmatch.h. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvhead.h"
#include "csvin.h"
#include "headmatch.h"
#include "input.h"
#include "strset.h"
#include "vendor.h"

/* The longest header field read: a header row is names. */
#define HEAD_MAX_FIELD ((size_t)1 << 20)
/* How many of the header's names a reason lists. */
#define SEEN_LISTED 40
/* How many vendors a reason names as the closest. */
#define CLOSEST 3

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* export.delimiter as csv2ndjson takes it; 0 when it is not one. */
static unsigned char
delim_of(const char *s)
{
	if (!s)
		return ',';
	if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0)
		return '\t';
	if (strlen(s) != 1 || strchr("\"\r\n", s[0]))
		return 0;
	return (unsigned char)s[0];
}

/* Adds the vendor of path to m when it is a candidate. */
static void
load_one(struct headmatch *m, const char *path)
{
	struct vendor v;
	struct buf err = BUF_INIT;
	struct headmatch_vendor *hv;
	json_t *cols, *opt;
	enum encoding enc = ENC_UTF8;
	unsigned char delim;

	if (vendor_load(&v, path, &err) < 0) {
		buf_printf(&m->problems, "%s\n", err.data);
		goto out;
	}
	cols = v.shape ? json_object_get(v.shape, "columns") : NULL;
	opt = v.shape ? json_object_get(v.shape, "optional") : NULL;
	if (v.received || !json_is_array(cols))
		goto out;
	delim = delim_of(v.delimiter);
	if (!delim || (v.encoding && encoding_parse(v.encoding, &enc) < 0)) {
		buf_printf(&m->problems,
		    "%s: export: a delimiter or encoding csv2ndjson does not "
		    "take\n",
		    path);
		goto out;
	}
	m->v = realloc(m->v, (m->n + 1) * sizeof(*m->v));
	if (!m->v)
		abort();
	hv = &m->v[m->n++];
	hv->name = strdup(v.name);
	hv->required = json_incref(cols);
	hv->optional = json_is_array(opt) ? json_incref(opt) : json_array();
	hv->delim = delim;
	hv->enc = enc;
out:
	vendor_release(&v);
	buf_release(&err);
}

size_t
headmatch_load(struct headmatch *m, const char *dir)
{
	struct buf path = BUF_INIT;
	struct dirent *e;
	struct stat st;
	char **names = NULL;
	size_t n = 0, i;
	DIR *d;

	memset(m, 0, sizeof(*m));
	buf_init(&m->problems, BUF_UNLIMITED);
	d = opendir(dir);
	if (!d) {
		buf_printf(
		    &m->problems, "%s: cannot read the vendors' folder\n", dir);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names)
			abort();
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s/vendor.json", dir, names[i]);
		if (stat(path.data, &st) == 0 && S_ISREG(st.st_mode))
			load_one(m, path.data);
		free(names[i]);
	}
	free(names);
	buf_release(&path);
	return m->n;
}

/* A header row as one dialect reads it. */
struct head {
	unsigned char delim;
	enum encoding enc;
	enum headmatch_status st; /* FOUND: names read */
	struct csvhead h;
	struct strset set;
	struct buf why;
};

static void
head_read(struct head *hd, const char *path)
{
	struct input in;
	struct csvin c;

	strset_init(&hd->set);
	buf_init(&hd->why, BUF_UNLIMITED);
	if (input_open(&in, path) != INPUT_OK) {
		hd->st = HEADMATCH_UNREADABLE;
		buf_adds(&hd->why, in.errmsg);
		return;
	}
	if (csvin_init(&c, &in, hd->delim, HEAD_MAX_FIELD) < 0) {
		hd->st = HEADMATCH_UNREADABLE;
		buf_adds(&hd->why, "cannot set up the CSV reader");
		input_close(&in);
		return;
	}
	switch (csvhead_read(&hd->h, &c, hd->enc, 1, &hd->why)) {
	case CSVIN_RECORD:
		hd->st = HEADMATCH_FOUND;
		for (size_t i = 0; i < hd->h.ncols; i++)
			strset_add(&hd->set, hd->h.names[i]);
		break;
	case CSVIN_EOF:
		hd->st = HEADMATCH_EMPTY;
		break;
	case CSVIN_BAD:
		hd->st = HEADMATCH_UNREADABLE;
		break;
	case CSVIN_ERROR:
		hd->st = HEADMATCH_UNREADABLE;
		buf_adds(&hd->why, in.errmsg);
		break;
	}
	csvin_release(&c);
	input_close(&in);
}

/* How one vendor fares against the header. */
struct fit {
	const struct headmatch_vendor *v;
	const struct head *hd;
	size_t missing, known, required;
};

static size_t
count_in(const json_t *list, const struct strset *set)
{
	size_t i, n = 0;
	json_t *x;

	json_array_foreach(list, i, x)
	{
		if (json_is_string(x) && strset_has(set, json_string_value(x)))
			n++;
	}
	return n;
}

static int
by_missing(const void *a, const void *b)
{
	const struct fit *x = a, *y = b;

	if (x->missing != y->missing)
		return x->missing < y->missing ? -1 : 1;
	return x->known > y->known ? -1 : x->known < y->known;
}

/* "columns seen (N): a, b, ..." from the first header read. */
static void
tell_seen(struct buf *why, const struct head *hd)
{
	size_t i;

	buf_printf(why, "columns seen (%zu):", hd->h.ncols);
	for (i = 0; i < hd->h.ncols && i < SEEN_LISTED; i++)
		buf_printf(why, "%s %s", i ? "," : "", hd->h.names[i]);
	if (hd->h.ncols > SEEN_LISTED)
		buf_printf(why, ", ... (%zu more)", hd->h.ncols - SEEN_LISTED);
	buf_addc(why, '\n');
}

/* "  NAME lacks K of its R required columns: x, y" */
static void
tell_fit(struct buf *why, const struct fit *f)
{
	size_t i, told = 0;
	json_t *x;

	if (f->missing == 0) {
		buf_printf(why,
		    "  %s: has its %zu required columns, knows %zu of the "
		    "header's\n",
		    f->v->name, f->required, f->known);
		return;
	}
	buf_printf(why,
	    "  %s: lacks %zu of its %zu required columns:", f->v->name,
	    f->missing, f->required);
	json_array_foreach(f->v->required, i, x)
	{
		if (!json_is_string(x) ||
		    strset_has(&f->hd->set, json_string_value(x)))
			continue;
		if (told++ == 8) {
			buf_adds(why, ", ...");
			break;
		}
		buf_printf(
		    why, "%s %s", told > 1 ? "," : "", json_string_value(x));
	}
	buf_addc(why, '\n');
}

/* Decides from the headers read; see the rule in headmatch.h. */
static void
decide(const struct headmatch *m, struct head *heads, size_t *which,
    struct headmatch_answer *a)
{
	struct fit *fits = calloc(m->n ? m->n : 1, sizeof(*fits));
	const struct head *first = NULL;
	size_t i, nf = 0, ties = 0;

	if (!fits)
		abort();
	for (i = 0; i < m->n; i++) {
		struct head *hd = &heads[which[i]];

		if (hd->st != HEADMATCH_FOUND)
			continue;
		if (!first)
			first = hd;
		fits[nf].v = &m->v[i];
		fits[nf].hd = hd;
		fits[nf].required = json_array_size(m->v[i].required);
		fits[nf].missing =
		    fits[nf].required - count_in(m->v[i].required, &hd->set);
		fits[nf].known = count_in(m->v[i].required, &hd->set) +
		                 count_in(m->v[i].optional, &hd->set);
		nf++;
	}
	if (!first) {
		a->status = m->n ? heads[which[0]].st : HEADMATCH_NONE;
		if (a->status == HEADMATCH_EMPTY)
			buf_adds(&a->why, "no header row: the file is empty\n");
		else if (m->n)
			buf_printf(&a->why, "unreadable header row: %s\n",
			    heads[which[0]].why.data);
		else
			buf_adds(&a->why, "no vendor file to compare with\n");
		free(fits);
		return;
	}
	qsort(fits, nf, sizeof(*fits), by_missing);
	for (i = 1; i < nf && fits[i].missing == 0; i++) {
		if (fits[i].known == fits[0].known)
			ties++;
	}
	if (fits[0].missing == 0 && ties == 0) {
		a->status = HEADMATCH_FOUND;
		a->vendor = fits[0].v->name;
	} else {
		a->status =
		    fits[0].missing ? HEADMATCH_NONE : HEADMATCH_AMBIGUOUS;
	}
	tell_seen(&a->why, first);
	buf_adds(&a->why, a->status == HEADMATCH_AMBIGUOUS
	                      ? "vendors that fit as well as each other:\n"
	                      : "closest vendors:\n");
	for (i = 0;
	     i < nf && i < (a->status == HEADMATCH_AMBIGUOUS ? ties + 1
	                                                     : (size_t)CLOSEST);
	     i++)
		tell_fit(&a->why, &fits[i]);
	free(fits);
}

enum headmatch_status
headmatch_file(
    const struct headmatch *m, const char *path, struct headmatch_answer *a)
{
	struct head *heads = calloc(m->n ? m->n : 1, sizeof(*heads));
	size_t *which = calloc(m->n ? m->n : 1, sizeof(*which));
	size_t i, j, nh = 0;

	if (!heads || !which)
		abort();
	a->status = HEADMATCH_NONE;
	a->vendor = NULL;
	buf_reset(&a->why);
	/* One read of the header per dialect the vendors use. */
	for (i = 0; i < m->n; i++) {
		for (j = 0; j < nh; j++) {
			if (heads[j].delim == m->v[i].delim &&
			    heads[j].enc == m->v[i].enc)
				break;
		}
		if (j == nh) {
			heads[nh].delim = m->v[i].delim;
			heads[nh].enc = m->v[i].enc;
			head_read(&heads[nh], path);
			nh++;
		}
		which[i] = j;
	}
	decide(m, heads, which, a);
	for (j = 0; j < nh; j++) {
		csvhead_release(&heads[j].h);
		strset_release(&heads[j].set);
		buf_release(&heads[j].why);
	}
	free(heads);
	free(which);
	return a->status;
}

void
headmatch_answer_release(struct headmatch_answer *a)
{
	buf_release(&a->why);
	a->vendor = NULL;
}

void
headmatch_release(struct headmatch *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].name);
		json_decref(m->v[i].required);
		json_decref(m->v[i].optional);
	}
	free(m->v);
	buf_release(&m->problems);
	memset(m, 0, sizeof(*m));
}
