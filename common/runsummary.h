/*
 * The numbers of an import's summary (pipelines/import.sh's summary.txt),
 * read as it printed them, never recomputed: the inbox's bookkeeping.
 *
 * The summary's lines this reads (others are left alone):
 *
 *	  STAGE: in=N out=N dropped=N (RULE=N ...) rejected=N [unwritten=N]
 *	  post-northstar: found=N created=N ...      (under "delivery:")
 *	  post-rogue: created=N upgraded=N ...
 *	exit status per stage (-: not run): STAGE=N STAGE=- ...
 *	  log       RUN/stages.log
 *
 * and what it makes of them, a JSON object with every key present, null
 * where the summary does not say:
 *
 *	rows               csv2ndjson's in=
 *	imported           the out= of the last stage the exit-status line
 *	                   lists (post-quasar, a side branch, aside), when
 *	                   it ran
 *	dropped            {RULE: N}, summed over the stages
 *	rejected           the rejected= summed over the stages
 *	rejected_by_stage  {STAGE: N} for the stages that rejected some
 *	members            {"found": N, "created": N}
 *	posts              {"created": N, "upgraded": N}
 */
#ifndef RUNSUMMARY_H
#define RUNSUMMARY_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

/* The numbers of the summary text (n bytes at text): a new object. */
json_t *runsummary_parse(const char *text, size_t n);

/*
 * The run folder an import's output names (its summary's "log" line: the
 * folder of stages.log), the last one in the n bytes at text, into out
 * (reset). 0, or -1 when there is none.
 */
int runsummary_run_dir(const char *text, size_t n, struct buf *out);

#endif
