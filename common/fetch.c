/* The options of a fetch stage; see fetch.h. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "fetch.h"
#include "utctime.h"
#include "utf8.h"
#include "wholefile.h"

void
fetch_opts_init(struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	deliver_opts_init(&o->d);
	o->d.http.concurrency = 1;
	o->d.http.timeout_ms = 300000;
	o->window = 90 * 60;
	o->deadline = 1800;
	o->interval = 5;
}

/* Seconds, more than 0 and at most max. 0 or -1. */
static int
seconds(const char *arg, double max, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end != '\0' || !(v > 0 && v <= max))
		return -1;
	*out = v;
	return 0;
}

int
fetch_option(struct fetch_opts *o, int ch, const char *arg, char **argv,
    const char *synopsis)
{
	switch (ch) {
	case 's':
		o->since_arg = arg;
		return 0;
	case 'b':
		o->before_arg = arg;
		return 0;
	case 'o':
		o->output = strcmp(arg, "-") == 0 ? NULL : arg;
		return 0;
	case 'd':
		if (seconds(arg, 7 * 86400, &o->deadline) < 0)
			return cli_usage_error(synopsis,
			    "--deadline takes seconds, more than 0 and at most "
			    "a week");
		return 0;
	case 'p':
		if (seconds(arg, 3600, &o->interval) < 0)
			return cli_usage_error(synopsis,
			    "--poll-interval takes seconds, more than 0 and at "
			    "most 3600");
		return 0;
	case 'U':
	case 'T':
	case 'O':
	case 'N':
	case 'M':
	case 'A':
		return deliver_option(&o->d, ch, arg, synopsis);
	case ':':
		return cli_usage_error(
		    synopsis, "option '%s' needs a value", argv[optind - 1]);
	case '?':
		return cli_usage_error(
		    synopsis, "unknown option '%s'", argv[optind - 1]);
	}
	return 1;
}

int
fetch_check(struct fetch_opts *o, time_t now, const char *synopsis)
{
	struct buf why = BUF_INIT;
	int rc = 0;

	if ((o->output && wholefile_check(o->output, &why) < 0) ||
	    utctime_window(o->since_arg, o->before_arg, o->window, now,
	        &o->since, &o->before, &why) < 0)
		rc = cli_usage_error(synopsis, "%s", why.data);
	buf_release(&why);
	return rc;
}

/* Whether s can go into JSON. */
static int
utf8(const char *s)
{
	return utf8_valid_prefix(s, strlen(s)) == strlen(s);
}

int
fetch_credentials(const char *what, const char *id_var, const char *key_var,
    const char **id, const char **key)
{
	*id = cli_env(id_var);
	*key = cli_env(key_var);
	if (*id == NULL && *key == NULL) {
		diag(NULL, 0, "no %s: set %s and %s", what, id_var, key_var);
		return EXIT_USAGE;
	}
	if (*id == NULL || *key == NULL) {
		diag(NULL, 0, "no %s: set %s", what,
		    *id == NULL ? id_var : key_var);
		return EXIT_USAGE;
	}
	if (!utf8(*id) || !utf8(*key)) {
		diag(NULL, 0, "%s is not valid UTF-8",
		    utf8(*id) ? key_var : id_var);
		return EXIT_USAGE;
	}
	return 0;
}
