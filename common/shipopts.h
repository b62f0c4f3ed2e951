/*
 * The options of a stage that ships records to the warehouse in batches
 * (post-quasar), parsed in one place as deliver.h and fetch.h do theirs:
 * the target (--table, --create-table, --format, --source, --vendor,
 * --layout and --ddl: the row a record becomes, qlayout.h), the
 * spool and the replay (--spool, --replay), the ledger of what was shipped
 * already (--seen), --sink, the batches' options (shipper_option()) and
 * the HTTP ones (deliver_option(): --url, --concurrency, --retries,
 * --retry-max-time, --timeout, --connect-timeout, --cacert). The stage
 * adds the common options (stage.h) and its --help around these.
 *
 *	shipopts_init(&o);
 *	while ((ch = getopt_long(argc, argv, ":" SHIPOPTS_SHORTOPTS
 *	        STAGE_SHORTOPTS, longopts, NULL)) != -1)
 *		rc = shipopts_option(&o, ch, optarg, SYNOPSIS) ... 1: not one
 *	rc = shipopts_finish(&o, argc - optind, SYNOPSIS);
 *	...
 *	shipopts_release(&o);
 */
#ifndef SHIPOPTS_H
#define SHIPOPTS_H

#include "deliver.h"
#include "shipper.h"
#include "vendor.h"

struct shipopts {
	struct deliver_opts d;  /* --url, --concurrency, --timeout... */
	struct shipper_opts so; /* --batch-records, --batch-bytes... */
	const char *table, *spool, *replay, *source;
	const char *seen;   /* --seen FILE: the hashes shipped already */
	const char *vendor; /* --vendor: its table and source */
	struct vendor v;
	int create, sink, ndjson;
	int layout;           /* enum qlayout; -1 until given or implied */
	const char *ddl_file; /* --ddl FILE */
	char *ddl;            /* the statement --create-table sends for a layout
	                         other than raw, the table's name in it (owned) */
};

#define SHIPOPTS_SHORTOPTS                                                     \
	"v:t:CF:s:S:R:ke:l:d:" SHIPPER_SHORTOPTS DELIVER_HTTP_SHORTOPTS
/* clang-format off */
#define SHIPOPTS_LONGOPTS                                              \
	{"vendor", required_argument, NULL, 'v'},                      \
	{"table", required_argument, NULL, 't'},                       \
	{"create-table", no_argument, NULL, 'C'},                      \
	{"format", required_argument, NULL, 'F'},                      \
	{"source", required_argument, NULL, 's'},                      \
	{"spool", required_argument, NULL, 'S'},                       \
	{"replay", required_argument, NULL, 'R'},                      \
	{"sink", no_argument, NULL, 'k'},                              \
	{"seen", required_argument, NULL, 'e'},                        \
	{"layout", required_argument, NULL, 'l'},                      \
	{"ddl", required_argument, NULL, 'd'},                         \
	SHIPPER_LONGOPTS,                                              \
	DELIVER_HTTP_LONGOPTS
/* clang-format on */

/* The lines of --help for these options. */
#define SHIPOPTS_HELP                                                            \
	"  -v, --vendor NAME|FILE    the vendor file's delivery.table and "      \
	"export.source\n"                                                        \
	"                            are the defaults of --table and "           \
	"--source\n"                                                             \
	"  -t, --table T             the table (ClickHouse), [db.]name\n"        \
	"  -C, --create-table        create the table if missing (raw: "         \
	"keyed by the\n"                                                         \
	"                            records' content, source and "              \
	"record_hash, checked)\n"                                                \
	"  -l, --layout L            raw (the default: the line as a "           \
	"string), events (an\n"                                                  \
	"                            event's columns; the default of "           \
	"--table events) or\n"                                                   \
	"                            rows (the record's members are the "        \
	"columns)\n"                                                             \
	"  -d, --ddl FILE            the CREATE TABLE statement "                \
	"--create-table sends\n"                                                 \
	"                            (rows: required; events: "                  \
	"pipelines/sql/events.sql)\n"                                            \
	"  -F, --format F            clickhouse (the default: rows of a table) " \
	"or ndjson\n"                                                            \
	"                            (the lines themselves, gzipped, to any "    \
	"URL)\n"                                                                 \
	"  -s, --source NAME         the source of records without "             \
	"_meta.source (\"\")\n" SHIPPER_OPTIONS_HELP                             \
	"  -S, --spool DIR           keep batches not delivered in DIR "         \
	"(quasar-spool)\n"                                                       \
	"  -R, --replay DIR          send the batches spooled in DIR, "          \
	"removing each one\n"                                                    \
	"                            the server took\n"                          \
	"  -e, --seen FILE           skip the records FILE says the table "      \
	"holds, and add\n"                                                       \
	"                            those it takes (a ledger of their "         \
	"record_hash;\n"                                                         \
	"                            events: of their event_id)\n"               \
	"  -k, --sink                write nothing on stdout\n"                  \
	"  -U, --url URL             the warehouse (default: QUASAR_URL)\n"      \
	"  -c, --concurrency N       batches in flight at most, 1 or 2 "         \
	"(default 2)\n"                                                          \
	"  -N, --retries N           retries of a failed batch (default 8)\n"    \
	"  -M, --retry-max-time S    stop retrying a batch after S seconds "     \
	"(default 300)\n"                                                        \
	"  -T, --timeout S           a request's time limit (default 60)\n"      \
	"  -O, --connect-timeout S   a connection's time limit (default 10)\n"   \
	"  -A, --cacert FILE         trust the CA certificates in FILE "         \
	"too\n"

/*
 * The defaults: the HTTP ones (deliver_opts_init()) with SHIP_FLIGHT_MAX
 * batches in flight, the shipper's, and the spool "quasar-spool".
 */
void shipopts_init(struct shipopts *o);

/*
 * Handles one option (what getopt_long returned). Returns 0 when
 * handled, 1 when it is not one of these, or EXIT_USAGE after saying
 * what is wrong (cli_usage_error() with synopsis).
 */
int shipopts_option(
    struct shipopts *o, int ch, const char *arg, const char *synopsis);

/*
 * After the last option: loads the vendor file (--vendor), whose table
 * and source are the defaults, takes QUASAR_COMPRESS for --compress when
 * it was not given (not with --format ndjson), and checks the options against
 * each other and the nfiles input files (--replay reads none; a table is needed
 * but with --format ndjson, which takes no table; --seen needs a table; at most
 * SHIP_FLIGHT_MAX in flight), implies the layout (events for a table named
 * events, else raw) and makes the statement of --create-table for the events
 * and rows layouts: --ddl FILE's, else for events the one compiled in; rows
 * without --ddl is refused. Returns 0, or an exit status after saying what is
 * wrong.
 */
int shipopts_finish(struct shipopts *o, int nfiles, const char *synopsis);

/* Frees what the options hold (the vendor file). */
void shipopts_release(struct shipopts *o);

#endif
