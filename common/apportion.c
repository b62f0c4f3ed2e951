/* apportion: largest remainder with at least one a part (apportion.h). */
#include <math.h>
#include <stdlib.h>

#include "apportion.h"
#include "buf.h"

struct rem {
	double frac;
	size_t i;
};

static int
rem_cmp(const void *a, const void *b)
{
	const struct rem *x = a, *y = b;

	if (x->frac != y->frac)
		return x->frac > y->frac ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Sets apart (count 1) every part left whose exact count is under 1.
 * Returns how many it set apart. */
static size_t
set_apart(const double *shares, size_t n, unsigned long long left,
    unsigned long long *counts)
{
	double sum = 0;
	size_t i, nset = 0;

	for (i = 0; i < n; i++)
		if (counts[i] == 0)
			sum += shares[i];
	for (i = 0; i < n; i++)
		if (counts[i] == 0 && (double)left * shares[i] / sum < 1) {
			counts[i] = 1;
			nset++;
		}
	return nset;
}

int
apportion(const double *shares, size_t n, unsigned long long total,
    unsigned long long *counts)
{
	unsigned long long left = total, given = 0;
	struct rem *r;
	double sum = 0;
	size_t i, nr = 0, nset;

	if (n == 0 || total < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isfinite(shares[i]) || !(shares[i] > 0))
			return -1;
		counts[i] = 0;
	}
	/* A part given 1 keeps it (its count is never 0 again). */
	while ((nset = set_apart(shares, n, left, counts)) > 0)
		left -= nset;
	for (i = 0; i < n; i++)
		if (counts[i] == 0)
			sum += shares[i];
	r = xmalloc(n * sizeof(*r));
	for (i = 0; i < n; i++) {
		double exact, whole;

		if (counts[i] != 0) /* set apart */
			continue;
		exact = (double)left * shares[i] / sum;
		whole = floor(exact);
		counts[i] = (unsigned long long)whole;
		given += counts[i];
		r[nr].frac = exact - whole;
		r[nr++].i = i;
	}
	qsort(r, nr, sizeof(*r), rem_cmp);
	for (i = 0; given < left && i < nr; i++, given++)
		counts[r[i].i]++;
	free(r);
	return 0;
}
