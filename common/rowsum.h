/*
 * rowsum: rollup's rows (analytics/README.md, "rollup"), summed per key.
 *
 * A row is keyed by (model, bucket, source, campaign) and, for partials,
 * batch_id; it holds the counts of rollup_partials in the table's order.
 * Sums are exact: ttc_min_ms and ttc_max_ms are those of the rows with a
 * ttc_count, 0 while there is none. Rows come out sorted by model
 * ("first" before "last"), bucket, source, campaign and batch id, strings
 * compared bytewise.
 */
#ifndef ROWSUM_H
#define ROWSUM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "strmap.h"

enum rowsum_count {
	RS_VIEWS,
	RS_SIGNUPS,
	RS_CONVERSIONS,
	RS_TTC_COUNT,
	RS_TTC_SUM,
	RS_TTC_MIN,
	RS_TTC_MAX,
	RS_PAGES_BEFORE,
	RS_PAGES_AFTER,
	RS_NCOUNTS
};

/* The columns' names, in the table's order. */
extern const char *const rowsum_columns[RS_NCOUNTS];

/* The models' names: "first" (0) and "last" (1). */
extern const char *const rowsum_models[2];

struct rowsum_row {
	int model;
	int64_t bucket;                  /* UTC milliseconds */
	char *source, *campaign, *batch; /* NUL-terminated too */
	size_t nsource, ncampaign, nbatch;
	unsigned long long c[RS_NCOUNTS];
	double cost;
	int has_cost;
};

struct rowsum {
	struct strmap rows;
	struct buf key;
};

void rowsum_init(struct rowsum *t);
void rowsum_release(struct rowsum *t);

/*
 * The row of that key, made with zero counts when new (batch NULL: no
 * batch id, as in totals). The strings are copied. Never NULL.
 */
struct rowsum_row *rowsum_at(struct rowsum *t, int model, int64_t bucket,
    const char *source, size_t nsource, const char *campaign, size_t ncampaign,
    const char *batch, size_t nbatch);

/* Adds the counts c to the row's (the minimum and maximum as above). */
void rowsum_add(struct rowsum_row *r, const unsigned long long c[RS_NCOUNTS]);

/* Whether every count of the row is 0. */
int rowsum_empty(const struct rowsum_row *r);

/*
 * The rows, sorted: a new array of *n pointers into the table (free the
 * array, not the rows; valid until the table changes).
 */
struct rowsum_row **rowsum_sorted(const struct rowsum *t, size_t *n);

/*
 * Appends the row as one JSON line to out: model, bucket ("YYYY-MM-DD
 * hh:mm:ss"), source, campaign, batch_id when the row has one, the
 * counts, and with costs set, cost and cost_per_signup (cost divided by
 * signups, null without sign-ups). 0 or -1.
 */
int rowsum_write(struct buf *out, const struct rowsum_row *r, int costs);

#endif
