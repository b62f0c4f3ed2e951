/*
 * Fuzz target: the text the inbox reads back from an import, as
 * common/runsummary reads it (the summary's numbers, the run folder of its
 * "log" line). Whatever the bytes, the numbers are an object with every
 * key of the bookkeeping, and a run folder found lies inside the text.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "runsummary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const char *const keys[] = {"rows", "imported", "dropped",
	    "rejected", "rejected_by_stage", "members", "posts", NULL};
	struct buf run = BUF_INIT;
	json_t *o;
	int i;

	o = runsummary_parse((const char *)data, n);
	if (!json_is_object(o))
		abort();
	for (i = 0; keys[i]; i++) {
		if (!json_object_get(o, keys[i]))
			abort();
	}
	json_decref(o);
	if (runsummary_run_dir((const char *)data, n, &run) == 0 && run.len > n)
		abort();
	buf_release(&run);
	return 0;
}
