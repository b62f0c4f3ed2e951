/*
 * costs: the costs file of rollup --merge (analytics/README.md, "rollup"),
 * read into the totals it prices.
 *
 * A CSV (csvin.h's dialect) whose first record is the header
 * bucket,source,campaign,cost and every other record four fields: the
 * bucket's start as "YYYY-MM-DD" or "YYYY-MM-DD hh:mm:ss" (UTC), the
 * source, the campaign, and a non-negative decimal cost. Each cost is
 * added to the total rows of its key under both models (made, counts 0,
 * when there is none), and marks them as priced.
 */
#ifndef COSTS_H
#define COSTS_H

#include "buf.h"
#include "rowsum.h"

/*
 * Reads the costs file at path into totals. Returns 0, or an exit status
 * (exitcode.h: EXIT_NOINPUT, EXIT_IOERR, EXIT_DATAERR) with the reason in
 * why and the line it is about in *line (0 when none).
 */
int costs_read(const char *path, struct rowsum *totals, struct buf *why,
    unsigned long long *line);

#endif
