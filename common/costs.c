#include "costs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvin.h"
#include "evtime.h"
#include "exitcode.h"
#include "input.h"

/* Checks one record of the file; 0, or EXIT_DATAERR with why set. */
static int
record(struct csvin *c, int header, struct rowsum *totals, struct buf *why)
{
	const char *f[4];
	size_t n[4], i;
	int64_t ms;
	double cost;
	char *end, num[64];
	int m;

	if (c->nfields != 4)
		return buf_adds(why, "not a row of four fields: "
		                     "bucket,source,campaign,cost"),
		       EXIT_DATAERR;
	for (i = 0; i < 4; i++)
		f[i] = csvin_field(c, i, &n[i]);
	if (header) {
		if (n[0] == 6 && memcmp(f[0], "bucket", 6) == 0 && n[1] == 6 &&
		    memcmp(f[1], "source", 6) == 0 && n[2] == 8 &&
		    memcmp(f[2], "campaign", 8) == 0 && n[3] == 4 &&
		    memcmp(f[3], "cost", 4) == 0)
			return 0;
		buf_adds(why, "the header must be bucket,source,campaign,cost");
		return EXIT_DATAERR;
	}
	if (evtime_parse_bucket(f[0], n[0], &ms) < 0) {
		buf_printf(why,
		    "bucket \"%.*s\" is not YYYY-MM-DD or YYYY-MM-DD hh:mm:ss",
		    (int)(n[0] > 40 ? 40 : n[0]), f[0]);
		return EXIT_DATAERR;
	}
	snprintf(num, sizeof(num), "%.*s", (int)(n[3] < 63 ? n[3] : 63), f[3]);
	cost = strtod(num, &end);
	if (n[3] == 0 || n[3] >= sizeof(num) || *end || !isfinite(cost) ||
	    cost < 0) {
		buf_printf(
		    why, "cost \"%s\" is not a non-negative number", num);
		return EXIT_DATAERR;
	}
	for (m = 0; m < 2; m++) {
		struct rowsum_row *t =
		    rowsum_at(totals, m, ms, f[1], n[1], f[2], n[2], NULL, 0);
		t->cost += cost;
		t->has_cost = 1;
	}
	return 0;
}

int
costs_read(const char *path, struct rowsum *totals, struct buf *why,
    unsigned long long *line)
{
	struct input in;
	struct csvin c;
	enum csvin_status s;
	int rc = 0, header = 1;

	*line = 0;
	if (input_open(&in, path) != INPUT_OK) {
		buf_adds(why, in.errmsg);
		return input_exitcode(in.status);
	}
	if (csvin_init(&c, &in, ',', 1 << 20) < 0) {
		input_close(&in);
		buf_adds(why, "cannot set up the CSV reader");
		return EXIT_IOERR;
	}
	while (rc == 0 && (s = csvin_next(&c)) != CSVIN_EOF) {
		*line = c.line;
		if (s == CSVIN_ERROR) {
			buf_adds(why, in.errmsg);
			rc = input_exitcode(in.status);
		} else if (s == CSVIN_BAD) {
			buf_adds(why, c.why);
			rc = EXIT_DATAERR;
		} else {
			rc = record(&c, header, totals, why);
			header = 0;
		}
	}
	if (rc == 0 && header) {
		buf_adds(why, "no header: the file is empty");
		rc = EXIT_DATAERR;
	}
	if (rc == 0)
		*line = 0;
	csvin_release(&c);
	input_close(&in);
	return rc;
}
