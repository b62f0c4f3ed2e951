/*
 * The options of a fetch stage, one that asks a service for a report of
 * the records of a time window, waits until the service has built it and
 * writes it whole (fetch-rtv), as deliver.h gives the delivery stages
 * theirs: the window (--since, --before; utctime.h), where the report goes
 * (--output; wholefile.h), how long to wait for it (--deadline,
 * --poll-interval; schedule.h) and the HTTP options deliver_option()
 * takes (--url, --timeout, --connect-timeout, --retries, --retry-max-time,
 * --cacert). The stage adds its own options and its --help around these.
 */
#ifndef FETCH_H
#define FETCH_H

#include <time.h>

#include "deliver.h"

/* The longest wait between status questions, whatever --poll-interval. */
#define FETCH_POLL_MAX 60.0

struct fetch_opts {
	struct deliver_opts d;              /* --url, --timeout, ... */
	const char *since_arg, *before_arg; /* as given, or NULL */
	const char *output;                 /* --output FILE; NULL: stdout */
	time_t window;                      /* the default window's length */
	time_t since, before;               /* the window (fetch_check) */
	double deadline, interval;          /* --deadline, --poll-interval */
};

#define FETCH_SHORTOPTS "s:b:o:d:p:U:T:O:N:M:A:"
/* clang-format off */
#define FETCH_LONGOPTS                                                 \
	{"since", required_argument, NULL, 's'},                       \
	{"before", required_argument, NULL, 'b'},                      \
	{"output", required_argument, NULL, 'o'},                      \
	{"deadline", required_argument, NULL, 'd'},                    \
	{"poll-interval", required_argument, NULL, 'p'},               \
	{"url", required_argument, NULL, 'U'},                         \
	{"timeout", required_argument, NULL, 'T'},                     \
	{"connect-timeout", required_argument, NULL, 'O'},             \
	{"retries", required_argument, NULL, 'N'},                     \
	{"retry-max-time", required_argument, NULL, 'M'},              \
	{"cacert", required_argument, NULL, 'A'}
/* clang-format on */

/* The lines of --help for the window, the output and the waits. */
#define FETCH_WINDOW_HELP                                                       \
	"  -s, --since TIME          the window's start (default: --before "    \
	"minus 90 min)\n"                                                       \
	"  -b, --before TIME         the window's end (default: now)\n"         \
	"                            TIME is UTC, \"YYYY-MM-DD HH:MM:SS\" or\n" \
	"                            YYYY-MM-DDTHH:MM:SSZ\n"                    \
	"  -o, --output FILE         write the report to FILE (whole, by "      \
	"rename)\n"                                                             \
	"  -d, --deadline S          give up when the report is not complete "  \
	"S seconds\n"                                                           \
	"                            after the start (default 1800)\n"          \
	"  -p, --poll-interval S     the first wait between status questions "  \
	"(default 5;\n"                                                         \
	"                            then x1.5 each time, up to 60)\n"

/* The lines of --help for the HTTP options but --url, which names the
 * stage's variable. */
#define FETCH_HTTP_HELP                                                        \
	"  -T, --timeout S           a request's time limit, the download's "  \
	"included\n"                                                           \
	"                            (default 300)\n"                          \
	"  -O, --connect-timeout S   a connection's time limit (default 10)\n" \
	"  -N, --retries N           retries of a failed request (default "    \
	"8)\n"                                                                 \
	"  -M, --retry-max-time S    stop retrying a request after S seconds " \
	"(300)\n"                                                              \
	"  -A, --cacert FILE         trust the CA certificates in FILE too\n"

/*
 * The defaults FETCH_WINDOW_HELP and FETCH_HTTP_HELP document: a window of
 * 90 minutes (the old importer's hourly pull, with its 30-minute overlap),
 * a deadline of 30 minutes, a first wait of 5 seconds, one request at a
 * time, 300 seconds for one (a download of a large report included).
 */
void fetch_opts_init(struct fetch_opts *o);

/*
 * Handles one of the options above or a getopt error (':' or '?', for
 * which argv names the option). Returns 0 when handled, 1 when the option
 * is the stage's own, or EXIT_USAGE after printing the error (cli.h).
 */
int fetch_option(struct fetch_opts *o, int ch, const char *arg, char **argv,
    const char *synopsis);

/*
 * Once the options are read: checks --output (wholefile_check) and sets
 * the window at the time now (utctime_window), before anything is asked
 * of the service. Returns 0, or EXIT_USAGE after printing the error.
 */
int fetch_check(struct fetch_opts *o, time_t now, const char *synopsis);

/*
 * A pair of credentials from the environment alone (cli_env()): the
 * variables id_var and key_var, both set and valid UTF-8 (they go into
 * JSON). Returns 0 with *id and *key set (borrowed from the environment),
 * or EXIT_USAGE after saying "no WHAT: set ID_VAR and KEY_VAR" (or the one
 * missing) or "VAR is not valid UTF-8".
 */
int fetch_credentials(const char *what, const char *id_var, const char *key_var,
    const char **id, const char **key);

#endif
