/* The options of a stage that ships to the warehouse (shipopts.h). */
#include <string.h>

#include "cli.h"
#include "quasar.h"
#include "shipopts.h"
#include "stage.h"

void
shipopts_init(struct shipopts *o)
{
	memset(o, 0, sizeof(*o));
	deliver_opts_init(&o->d);
	o->d.http.concurrency = SHIP_FLIGHT_MAX;
	shipper_opts_init(&o->so);
	o->spool = "quasar-spool";
}

/* The options of this module's own. 0, 1 (not one), or EXIT_USAGE. */
static int
own(struct shipopts *o, int ch, const char *arg, const char *synopsis)
{
	switch (ch) {
	case 'v':
		o->vendor = arg;
		break;
	case 't':
		o->table = arg;
		break;
	case 'C':
		o->create = 1;
		break;
	case 'F':
		if (strcmp(arg, "ndjson") != 0 &&
		    strcmp(arg, "jsoneachrow") != 0)
			return cli_usage_error(
			    synopsis, "--format takes jsoneachrow or ndjson");
		o->ndjson = strcmp(arg, "ndjson") == 0;
		break;
	case 's':
		o->source = arg;
		break;
	case 'S':
		o->spool = arg;
		break;
	case 'R':
		o->replay = arg;
		break;
	case 'k':
		o->sink = 1;
		break;
	case 'e':
		o->seen = arg;
		break;
	default:
		return 1;
	}
	return 0;
}

int
shipopts_option(
    struct shipopts *o, int ch, const char *arg, const char *synopsis)
{
	int rc;

	if ((rc = own(o, ch, arg, synopsis)) == 1 &&
	    (rc = shipper_option(&o->so, ch, arg, synopsis)) == 1)
		rc = deliver_option(&o->d, ch, arg, synopsis);
	return rc;
}

/* Checks the options against each other. 0, or EXIT_USAGE. */
static int
check(const struct shipopts *o, int nfiles, const char *synopsis)
{
	/* Two batches in flight at most: nothing for auto to find. */
	if (o->d.http.adaptive || o->d.http.concurrency > SHIP_FLIGHT_MAX)
		return cli_usage_error(
		    synopsis, "--concurrency takes 1 or 2 (batches in flight)");
	if (o->seen && o->ndjson)
		return cli_usage_error(synopsis,
		    "--seen FILE keeps the records of a table: not with "
		    "--format ndjson");
	if (o->replay)
		return nfiles ? cli_usage_error(synopsis,
		                    "--replay DIR reads no input files")
		              : 0;
	if (o->ndjson && (o->table || o->create))
		return cli_usage_error(
		    synopsis, "--format ndjson goes to a URL, not a table");
	if (!o->ndjson && o->table == NULL)
		return cli_usage_error(synopsis, "--table T is required");
	if (!o->ndjson && !quasar_table_ok(o->table))
		return cli_usage_error(synopsis,
		    "bad table name '%s': letters, digits and _, maybe "
		    "after \"db.\"",
		    o->table);
	return 0;
}

int
shipopts_finish(struct shipopts *o, int nfiles, const char *synopsis)
{
	int rc;

	if (o->vendor && (rc = stage_load_vendor(&o->v, o->vendor)) != 0)
		return rc;
	if (o->vendor && o->table == NULL && !o->ndjson && !o->replay)
		o->table = o->v.table;
	if (o->vendor && o->source == NULL)
		o->source = o->v.source;
	return check(o, nfiles, synopsis);
}

void
shipopts_release(struct shipopts *o)
{
	vendor_release(&o->v);
}
