/*
 * A run's summary read back: see runsum.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "runsum.h"

enum block {
	B_NONE,
	B_STAGES,
	B_DELIVERY,
	B_FINALS,
	B_RESULTS,
	B_FILES,
	B_PROSE
};

/* Makes room for one more item in an array of *n items of size sz. */
static void *
grow(void *p, size_t n, size_t sz)
{
	return xrealloc(p, (n + 1) * sz);
}

static char *
dupn(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

static unsigned long long
num(const char *s, size_t n)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (unsigned long long)(s[i] - '0');
	return v;
}

/* Appends KEY=VALUE pairs of s[0..n) to *kv; words without '=' before a
 * pair are part of its key ("rows sent=1"). Parentheses are skipped. */
static void
pairs(const char *s, size_t n, struct runsum_kv **kv, size_t *nkv)
{
	struct buf key = BUF_INIT;
	size_t i = 0, j, eq;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '(' || s[i] == ')'))
			i++;
		for (j = i; j < n && s[j] != ' ' && s[j] != ')'; j++)
			;
		if (j == i)
			break;
		for (eq = i; eq < j && s[eq] != '='; eq++)
			;
		if (key.len)
			buf_addc(&key, ' ');
		buf_add(&key, s + i, eq - i);
		if (eq < j) {
			*kv = grow(*kv, *nkv, sizeof(**kv));
			(*kv)[*nkv].key = dupn(key.data, key.len);
			(*kv)[*nkv].val = dupn(s + eq + 1, j - eq - 1);
			(*nkv)++;
			buf_reset(&key);
		}
		i = j;
	}
	buf_release(&key);
}

/* "shape: in=1 out=1 dropped=0 (r=0) rejected=0" */
static int
stage_line(struct runsum *s, const char *l, size_t n)
{
	const char *c = memchr(l, ':', n);
	struct runsum_kv *kv = NULL;
	struct runsum_stage *st;
	size_t nkv = 0, i, open;

	if (c == NULL || (size_t)(c - l) + 5 > n || strncmp(c, ": in=", 5))
		return -1;
	s->stages = grow(s->stages, s->nstages, sizeof(*s->stages));
	st = &s->stages[s->nstages++];
	memset(st, 0, sizeof(*st));
	st->name = dupn(l, (size_t)(c - l));
	/* The rules, inside the parentheses, are pairs of their own. */
	open = (size_t)(c - l);
	while (open < n && l[open] != '(')
		open++;
	pairs(c + 1, (size_t)(l + open - c - 1), &kv, &nkv);
	if (open < n) {
		for (i = open; i < n && l[i] != ')'; i++)
			;
		pairs(l + open + 1, i - open - 1, &st->rules, &st->nrules);
		pairs(l + i, n - i, &kv, &nkv);
	}
	for (i = 0; i < nkv; i++) {
		unsigned long long v = num(kv[i].val, strlen(kv[i].val));

		if (!strcmp(kv[i].key, "in"))
			st->in = v;
		else if (!strcmp(kv[i].key, "out"))
			st->out = v;
		else if (!strcmp(kv[i].key, "dropped"))
			st->dropped = v;
		else if (!strcmp(kv[i].key, "rejected"))
			st->rejected = v;
		else if (!strcmp(kv[i].key, "unwritten"))
			st->unwritten = v;
		free(kv[i].key);
		free(kv[i].val);
	}
	free(kv);
	return 0;
}

static void
delivery_line(struct runsum *s, const char *l, size_t n)
{
	const char *c = memchr(l, ':', n);
	struct runsum_line *d;

	if (c == NULL)
		return;
	s->delivery = grow(s->delivery, s->ndelivery, sizeof(*s->delivery));
	d = &s->delivery[s->ndelivery++];
	memset(d, 0, sizeof(*d));
	d->stage = dupn(l, (size_t)(c - l));
	pairs(c + 1, (size_t)(l + n - c - 1), &d->kv, &d->nkv);
}

/* Splits l into at most max words (by runs of spaces); returns the count. */
static size_t
words(const char *l, size_t n, const char **w, size_t *wl, size_t max)
{
	size_t i = 0, k = 0, j;

	while (i < n && k < max) {
		while (i < n && l[i] == ' ')
			i++;
		for (j = i; j < n && l[j] != ' '; j++)
			;
		if (j > i) {
			w[k] = l + i;
			wl[k++] = j - i;
		}
		i = j;
	}
	return k;
}

static void
final_line(struct runsum *s, const char *l, size_t n)
{
	const char *w[4];
	size_t wl[4];
	struct runsum_final *f;

	if (words(l, n, w, wl, 4) != 3 || !all_digits(w[2], wl[2]))
		return;
	s->finals = grow(s->finals, s->nfinals, sizeof(*s->finals));
	f = &s->finals[s->nfinals++];
	f->post = dupn(w[0], wl[0]);
	f->member = dupn(w[1], wl[1]);
	f->n = num(w[2], wl[2]);
}

static void
result_line(struct runsum *s, const char *l, size_t n)
{
	const char *w[3];
	size_t wl[3];

	if (words(l, n, w, wl, 3) != 2)
		return;
	s->results = grow(s->results, s->nresults, sizeof(*s->results));
	s->results[s->nresults].key = dupn(w[0], wl[0]);
	s->results[s->nresults++].val = dupn(w[1], wl[1]);
}

/* "results   PATH", "csv2ndjson rejects 1 in PATH" */
static void
file_line(struct runsum *s, const char *l, size_t n)
{
	struct runsum_file *f;
	size_t i, j;

	s->files = grow(s->files, s->nfiles, sizeof(*s->files));
	f = &s->files[s->nfiles++];
	f->n = -1;
	for (i = 0; i + 4 < n; i++) {
		if (strncmp(l + i, " in ", 4) != 0)
			continue;
		for (j = i; j > 0 && l[j - 1] >= '0' && l[j - 1] <= '9'; j--)
			;
		if (j < i && j > 0 && l[j - 1] == ' ') {
			f->n = (long long)num(l + j, i - j);
			while (j > 0 && l[j - 1] == ' ')
				j--;
			f->what = dupn(l, j);
			f->path = dupn(l + i + 4, n - i - 4);
			return;
		}
	}
	for (i = 0; i < n && l[i] != ' '; i++)
		;
	f->what = dupn(l, i);
	while (i < n && l[i] == ' ')
		i++;
	f->path = dupn(l + i, n - i);
}

static void
note(struct runsum *s, const char *l, size_t n)
{
	s->notes = grow(s->notes, s->nnotes, sizeof(*s->notes));
	s->notes[s->nnotes++] = dupn(l, n);
}

static int
starts(const char *l, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(l, p, k) == 0;
}

/* The earliest " import of " or " run of " in l past its "== ", or NULL;
 * sets *kind to the word and *len to the match's length. */
static char *
heading_of(char *l, size_t n, const char **kind, size_t *len)
{
	static const char *const KINDS[] = {"import", "run"};
	char pat[16], *of = NULL, *at;
	size_t k;

	for (k = 0; n > 3 && k < sizeof(KINDS) / sizeof(KINDS[0]); k++) {
		snprintf(pat, sizeof(pat), " %s of ", KINDS[k]);
		at = strstr(l + 3, pat);
		if (at && (of == NULL || at < of)) {
			of = at;
			*kind = KINDS[k];
			*len = strlen(pat);
		}
	}
	return of;
}

static void
heading(struct runsum *s, const char *text, size_t n)
{
	static const char FETCHED[] = " (fetched by ", QUERY[] = "the query ";
	char *l = dupn(text, n), *of, *f, *end = l + n, *p;
	const char *kind = NULL;
	size_t len = 0;

	/* "== " is the line's start: the vendor is what follows it. */
	of = heading_of(l, n, &kind, &len);
	if (of == NULL) {
		s->vendor = dupn(l + 3, n > 3 ? n - 3 : 0);
		free(l);
		return;
	}
	s->vendor = dupn(l + 3, (size_t)(of - l - 3));
	s->kind = xstrdup(kind);
	f = of + len;
	if ((size_t)(end - f) >= sizeof(QUERY) - 1 &&
	    !strncmp(f, QUERY, sizeof(QUERY) - 1)) {
		f += sizeof(QUERY) - 1;
		s->query = dupn(f, (size_t)(end - f));
		free(l);
		return;
	}
	if (end > f && end[-1] == ')') {
		for (p = end - 1; p > f; p--)
			if (!strncmp(p, FETCHED, sizeof(FETCHED) - 1))
				break;
		if (p > f) {
			s->fetched = dupn(p + sizeof(FETCHED) - 1,
			    (size_t)(end - 1 - p - (sizeof(FETCHED) - 1)));
			end = p;
		}
	}
	s->file = dupn(f, (size_t)(end - f));
	free(l);
}

/* One line of the summary, in block b; returns the block after it. */
static enum block
line(struct runsum *s, enum block b, const char *l, size_t n)
{
	int indented = n > 0 && l[0] == ' ';
	const char *c;

	if (n == 0)
		return B_NONE;
	if (!indented) {
		if (starts(l, n, "per stage"))
			return B_STAGES;
		if (starts(l, n, "delivery:"))
			return B_DELIVERY;
		if (starts(l, n, "per final status"))
			return B_FINALS;
		if (starts(l, n, "per post result:") ||
		    starts(l, n, "per member result:")) {
			free(s->result_kind);
			s->result_kind =
			    dupn(l + 4, starts(l, n, "per post") ? 4 : 6);
			return B_RESULTS;
		}
		if (starts(l, n, "files:"))
			return B_FILES;
		if (starts(l, n, "exit status per stage") &&
		    (c = memchr(l, ')', n)) != NULL && c + 1 < l + n) {
			pairs(c + 2, (size_t)(l + n - c - 2), &s->exits,
			    &s->nexits);
			return B_NONE;
		}
		if (starts(l, n, "timing: ")) {
			pairs(l + 8, n - 8, &s->timing, &s->ntiming);
			return B_NONE;
		}
		if (starts(l, n, "exit ") && n > 5 && l[5] >= '0' &&
		    l[5] <= '9') {
			s->exit_status = (int)num(l + 5, n - 5);
			free(s->exit_text);
			s->exit_text = dupn(l, n);
			return B_NONE;
		}
		note(s, l, n);
		return B_PROSE;
	}
	while (n > 0 && *l == ' ')
		l++, n--;
	switch (b) {
	case B_STAGES:
		stage_line(s, l, n);
		break;
	case B_DELIVERY:
		delivery_line(s, l, n);
		break;
	case B_FINALS:
		final_line(s, l, n);
		break;
	case B_RESULTS:
		result_line(s, l, n);
		break;
	case B_FILES:
		file_line(s, l, n);
		break;
	default:
		note(s, l, n);
		break;
	}
	return b;
}

void
runsum_init(struct runsum *s)
{
	memset(s, 0, sizeof(*s));
	s->exit_status = -1;
}

int
runsum_parse(struct runsum *s, const char *text, size_t n)
{
	const char *p = text, *end = text + n, *nl;
	enum block b = B_NONE;
	size_t len;

	if (n < 3 || memcmp(text, "== ", 3) != 0)
		return -1;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		while (len > 0 && p[len - 1] == '\r')
			len--;
		if (p == text)
			heading(s, p, len);
		else
			b = line(s, b, p, len);
		p += (nl ? (size_t)(nl - p) + 1 : len);
		if (nl == NULL)
			break;
	}
	return 0;
}

int
runsum_load(struct runsum *s, const char *path)
{
	struct buf b = BUF_INIT_MAX(RUNSUM_MAX_FILE);
	char chunk[8192];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = 0, e;

	if (f == NULL)
		return -1;
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) < 0) {
			errno = EFBIG;
			rc = -1;
		}
	if (rc == 0 && ferror(f))
		rc = -1;
	e = errno;
	fclose(f);
	errno = e;
	if (rc == 0 && runsum_parse(s, b.data ? b.data : "", b.len) < 0)
		rc = -2;
	buf_release(&b);
	return rc;
}

const struct runsum_stage *
runsum_stage(const struct runsum *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nstages; i++)
		if (!strcmp(s->stages[i].name, name))
			return &s->stages[i];
	return NULL;
}

const char *
runsum_get(const struct runsum_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].val;
	return NULL;
}

static void
free_kv(struct runsum_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].val);
	}
	free(kv);
}

void
runsum_release(struct runsum *s)
{
	size_t i;

	for (i = 0; i < s->nstages; i++) {
		free(s->stages[i].name);
		free_kv(s->stages[i].rules, s->stages[i].nrules);
	}
	for (i = 0; i < s->ndelivery; i++) {
		free(s->delivery[i].stage);
		free_kv(s->delivery[i].kv, s->delivery[i].nkv);
	}
	for (i = 0; i < s->nfinals; i++) {
		free(s->finals[i].post);
		free(s->finals[i].member);
	}
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].what);
		free(s->files[i].path);
	}
	for (i = 0; i < s->nnotes; i++)
		free(s->notes[i]);
	free(s->stages);
	free(s->delivery);
	free(s->finals);
	free(s->files);
	free(s->notes);
	free_kv(s->results, s->nresults);
	free_kv(s->exits, s->nexits);
	free_kv(s->timing, s->ntiming);
	free(s->vendor);
	free(s->kind);
	free(s->query);
	free(s->file);
	free(s->fetched);
	free(s->result_kind);
	free(s->exit_text);
	runsum_init(s);
}
