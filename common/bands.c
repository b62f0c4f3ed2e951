/* bands: labelled ranges of numbers, dates and ages (bands.h). */
#include <stdlib.h>
#include <string.h>

#include "bands.h"
#include "buf.h"
#include "utctime.h"

void
bands_init(struct bands *b)
{
	memset(b, 0, sizeof(*b));
}

/* A string starting with a real date followed by nothing, "T" or " ". */
static int
read_date(const char *s, size_t n, long long *days)
{
	if (n < 10 || (n > 10 && s[10] != 'T' && s[10] != ' '))
		return -1;
	return utctime_date(s, days);
}

static void
default_labels(struct bands *b, const char *const *texts)
{
	const char *sep = b->kind == BANDS_DATE ? "/" : "-";
	struct buf l = BUF_INIT;
	size_t i;

	b->labels = xcalloc(b->n + 1, sizeof(*b->labels));
	for (i = 0; i <= b->n; i++) {
		buf_reset(&l);
		if (i == 0)
			buf_printf(&l, "<%s", texts[0]);
		else if (i == b->n)
			buf_printf(&l, "%s+", texts[i - 1]);
		else
			buf_printf(&l, "%s%s%s", texts[i - 1], sep, texts[i]);
		b->labels[i] = xstrdup(l.data);
	}
	buf_release(&l);
}

int
bands_set(struct bands *b, enum bands_kind kind, const double *nums,
    const char *const *texts, size_t n, const char **why)
{
	size_t i;

	if (n == 0) {
		*why = "bands: at least one edge";
		return -1;
	}
	b->kind = kind;
	b->n = n;
	b->edges = xcalloc(n, sizeof(*b->edges));
	for (i = 0; i < n; i++) {
		long long days;

		if (kind == BANDS_DATE) {
			if (strlen(texts[i]) != 10 ||
			    read_date(texts[i], 10, &days) < 0) {
				*why = "bands: an edge is not a date "
				       "(YYYY-MM-DD)";
				return -1;
			}
			b->edges[i] = (double)days;
		} else {
			b->edges[i] = nums[i];
		}
		if (i > 0 && !(b->edges[i] > b->edges[i - 1])) {
			*why = "bands: the edges must increase";
			return -1;
		}
	}
	default_labels(b, texts);
	return 0;
}

int
bands_age_on(struct bands *b, const char *date)
{
	long long days;

	if (strlen(date) != 10 || read_date(date, 10, &days) < 0)
		return -1;
	b->age_on = days;
	b->on_y = utctime_digits(date, 4);
	b->on_m = utctime_digits(date + 5, 2);
	b->on_d = utctime_digits(date + 8, 2);
	return 0;
}

void
bands_label(struct bands *b, const char *const *labels)
{
	size_t i;

	for (i = 0; i <= b->n; i++) {
		free(b->labels[i]);
		b->labels[i] = xstrdup(labels[i]);
	}
}

static int
band_of(const struct bands *b, double x)
{
	size_t i = 0;

	while (i < b->n && x >= b->edges[i])
		i++;
	return (int)i;
}

int
bands_find(const struct bands *b, const struct bandval *v, const char **why)
{
	long long days;
	int y, m, d, age;

	if (b->kind == BANDS_NUMBER) {
		if (v->type != BANDVAL_INT && v->type != BANDVAL_REAL) {
			*why = "not a number";
			return -1;
		}
		return band_of(b, v->d);
	}
	if (v->type != BANDVAL_STRING || read_date(v->s, v->n, &days) < 0) {
		*why = "not a date";
		return -1;
	}
	if (b->kind == BANDS_DATE)
		return band_of(b, (double)days);
	y = utctime_digits(v->s, 4);
	m = utctime_digits(v->s + 5, 2);
	d = utctime_digits(v->s + 8, 2);
	age = b->on_y - y;
	if (b->on_m < m || (b->on_m == m && b->on_d < d))
		age--;
	return band_of(b, (double)age);
}

int
bands_label_index(const struct bands *b, const char *label)
{
	size_t i;

	for (i = 0; i <= b->n; i++)
		if (strcmp(b->labels[i], label) == 0)
			return (int)i;
	return -1;
}

void
bands_release(struct bands *b)
{
	size_t i;

	if (b->labels)
		for (i = 0; i <= b->n; i++)
			free(b->labels[i]);
	free(b->labels);
	free(b->edges);
	bands_init(b);
}
