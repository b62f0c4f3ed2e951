/*
 * bands: a field's value put into one of a few labelled ranges, the cells
 * of a quota sample: numbers, dates, or ages from a date of birth.
 *
 * Edges e1 < e2 < ... < en make n + 1 bands: below e1, from each edge up
 * to (not including) the next, and from en on. Their labels are "<e1",
 * "e1-e2", ..., "en+" (dates: "<e1", "e1/e2", ..., "en+", as ISO 8601
 * writes an interval), the edges written as in the quotas file, unless
 * the file names them (labels).
 *
 *   - numbers: the edges and the value are JSON numbers;
 *   - dates: the edges are "YYYY-MM-DD", the value a string that starts
 *     with a real date followed by nothing, "T" or " " (a date or a time;
 *     its date is taken as written, whatever its zone);
 *   - ages: numeric edges and a day (age_on); the value is a date of birth
 *     as dates take it, and its age is the whole years from it to age_on
 *     (born on 29 February: a year older on 1 March of a common year).
 *
 * Nothing here prints; the quotas loader (quotas.h) reads bands from a
 * file and says where one is wrong.
 */
#ifndef BANDS_H
#define BANDS_H

#include <stddef.h>

enum bands_kind { BANDS_NONE, BANDS_NUMBER, BANDS_DATE, BANDS_AGE };

struct bands {
	enum bands_kind kind;
	double *edges; /* n numbers, or the dates' day numbers */
	size_t n;
	char **labels;    /* n + 1, owned */
	long long age_on; /* BANDS_AGE: its day number */
	int on_y, on_m, on_d;
};

/* A value as a record holds it, read from a jansson tree or a jdoc. */
enum bandval_type { BANDVAL_STRING, BANDVAL_INT, BANDVAL_REAL, BANDVAL_BOOL };

struct bandval {
	enum bandval_type type;
	const char *s; /* n bytes, borrowed: a string's value, an integer's
	                  decimal text, "true" or "false" (not for reals) */
	size_t n;
	double d; /* BANDVAL_INT and BANDVAL_REAL: the number */
};

/* No bands: the value is its own label. Allocates nothing. */
void bands_init(struct bands *b);

/*
 * Sets the edges: n numbers (numeric and age bands, kind BANDS_NUMBER or
 * BANDS_AGE, and texts for their labels), or n dates in texts (BANDS_DATE,
 * nums unused). texts[i] is how edge i is written in labels. Returns 0,
 * or -1 with the reason (a literal) in *why: edges not increasing, a date
 * that is not one.
 */
int bands_set(struct bands *b, enum bands_kind kind, const double *nums,
    const char *const *texts, size_t n, const char **why);

/* age_on for BANDS_AGE, "YYYY-MM-DD": 0, or -1 when it is not a date. */
int bands_age_on(struct bands *b, const char *date);

/* Replaces the n + 1 labels with copies of these. */
void bands_label(struct bands *b, const char *const *labels);

/*
 * The band of v (0 to n), or -1 with the reason (a literal) in *why:
 * "not a number", "not a date".
 */
int bands_find(
    const struct bands *b, const struct bandval *v, const char **why);

/* The label index of the text, or -1 when no band is so labelled. */
int bands_label_index(const struct bands *b, const char *label);

void bands_release(struct bands *b);

#endif
