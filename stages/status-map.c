/*
 * status-map: vendor status to organization status, by a table.
 *
 * The vendor file's status rules (map.h) are tried in order; the first
 * whose "when" matches the record sets what it says (the post status, the
 * member's voter_registration_status). A record no rule matches meets the
 * map's default: by default it is rejected, naming the values it had, so the
 * business owner can extend the map instead of the services receiving a
 * status they refuse. Everything the stage does not set is kept, in order.
 *
 * Most lines take the fast path (stage.h): the rule is matched on the
 * line's index and its values spliced into the line, with no jansson tree.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "exitcode.h"
#include "jpath.h"
#include "map.h"
#include "stage.h"
#include "vendor.h"

#define SYNOPSIS "status-map --vendor NAME|FILE [OPTIONS] [FILE...]"

/* "status=\"moved-away\", details.voter-registration-method=(missing)" */
static void
describe(const struct map *m, const json_t *rec, struct buf *out)
{
	const char *v;
	size_t i;

	for (i = 0; i < m->nwhen_paths; i++) {
		v = jpath_string(rec, m->when_paths[i]);
		buf_printf(out, "%s%s=", i ? ", " : "", m->when_paths[i]);
		if (v)
			buf_printf(out, "\"%s\"", v);
		else
			buf_adds(out, "(missing)");
	}
}

struct run {
	struct vendor vendor;
	const struct map *map;
	struct buf scratch; /* for unescaping values in the fast path */
};

static int
fast(struct stage *st, struct jdoc *d, void *ctx)
{
	struct run *r = ctx;
	const struct map_rule *rule = map_match_doc(r->map, d, &r->scratch);

	if (rule == NULL && r->map->dflt == MAP_SET)
		rule = &r->map->dflt_set;
	/* Rejects, and changes the line cannot take, go the slow way. */
	if (rule == NULL && r->map->dflt == MAP_REJECT)
		return STAGE_SLOW;
	if (rule && map_apply_doc(rule, d) < 0)
		return STAGE_SLOW;
	buf_reset(&st->out);
	if (jdoc_write(d, &st->out) < 0)
		return STAGE_SLOW;
	stage_emit_line(st, &st->out);
	return 0;
}

static int
each(struct stage *st, json_t *rec, void *ctx)
{
	const struct map *m = ((struct run *)ctx)->map;
	const struct map_rule *rule = map_match(m, rec);
	struct buf why = BUF_INIT_MAX(2048);

	if (rule == NULL && m->dflt == MAP_SET)
		rule = &m->dflt_set;
	if (rule == NULL && m->dflt == MAP_REJECT) {
		describe(m, rec, &why);
		stage_reject(st, rec, "no rule of the map matches %s",
		    why.data ? why.data : "the record");
	} else if (rule && map_apply(rule, rec) < 0) {
		stage_reject(st, rec,
		    "cannot set the mapped fields: a field "
		    "on their path is not an object");
	} else {
		stage_emit(st, rec);
	}
	buf_release(&why);
	return 0;
}

static void
usage(void)
{
	printf(
	    "usage: " SYNOPSIS "\n"
	    "Map vendor statuses to the organization's, by the ordered "
	    "rules of a vendor file.\n\n" STAGE_VENDOR_HELP STAGE_OPTIONS_HELP
	    "\n"
	    "A record no rule matches meets the map's \"default\": "
	    "\"reject\" (the default),\n\"keep\", or a status to set.\n" STAGE_EXIT_HELP
	    "\n"
	    "Example:\n"
	    "  shape --vendor turbovote export.ndjson | status-map --vendor "
	    "turbovote \\\n"
	    "      --rejects unknown-statuses.ndjson > mapped.ndjson\n");
}

int
main(int argc, char **argv)
{
	struct stage st;
	struct run r = {.scratch = BUF_INIT};
	int rc;

	stage_init(&st, "status-map", SYNOPSIS);
	if ((rc = stage_vendor_args(&st, argc, argv, usage, &r.vendor)) != 0) {
		vendor_release(&r.vendor);
		return rc < 0 ? EXIT_OK : rc;
	}
	r.map = &r.vendor.map;
	if (r.map->plain)
		stage_fast(&st, fast);
	if ((rc = stage_start(&st)) == 0)
		rc = stage_run(&st, argc - optind, argv + optind, each, &r);
	rc = stage_finish(&st, rc);
	vendor_release(&r.vendor);
	buf_release(&r.scratch);
	return rc;
}
