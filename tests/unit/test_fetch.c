/*
 * Unit tests for common/fetch.c: the defaults the help documents, each
 * option taken or refused with its message, the stage's own options left
 * to it, and the checks of --output and the window once the options are
 * read. stderr is captured where a message is due.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "capture.h"
#include "diag.h"
#include "exitcode.h"
#include "fetch.h"
#include "harness.h"

#define SYN "unit [OPTIONS]"

TEST(defaults)
{
	struct fetch_opts o;

	fetch_opts_init(&o);
	CHECK(o.window == 5400 && o.deadline == 1800 && o.interval == 5);
	CHECK(o.d.http.concurrency == 1 && o.d.http.timeout_ms == 300000);
	CHECK(o.d.http.retries == 8 && o.d.http.connect_timeout_ms == 10000);
	CHECK(o.since_arg == NULL && o.before_arg == NULL && o.output == NULL);
}

TEST(options_taken)
{
	struct fetch_opts o;

	fetch_opts_init(&o);
	CHECK(fetch_option(&o, 's', "2024-01-01 00:00:00", NULL, SYN) == 0);
	CHECK(fetch_option(&o, 'b', "2024-01-02T00:00:00Z", NULL, SYN) == 0);
	CHECK(fetch_option(&o, 'o', "out.csv", NULL, SYN) == 0);
	CHECK(fetch_option(&o, 'd', "604800", NULL, SYN) == 0);
	CHECK(fetch_option(&o, 'p', "0.5", NULL, SYN) == 0);
	CHECK(fetch_option(&o, 'U', "http://127.0.0.1:1", NULL, SYN) == 0);
	CHECK(fetch_option(&o, 'T', "30", NULL, SYN) == 0);
	CHECK(fetch_option(&o, 'N', "0", NULL, SYN) == 0);
	CHECK_STR(o.since_arg, "2024-01-01 00:00:00");
	CHECK_STR(o.before_arg, "2024-01-02T00:00:00Z");
	CHECK_STR(o.output, "out.csv");
	CHECK_STR(o.d.url, "http://127.0.0.1:1");
	CHECK(o.deadline == 604800 && o.interval == 0.5);
	CHECK(o.d.http.timeout_ms == 30000 && o.d.http.retries == 0);
	/* "-" is stdout. */
	CHECK(fetch_option(&o, 'o', "-", NULL, SYN) == 0 && o.output == NULL);
	/* The stage's own, and the delivery options a fetch does not take. */
	CHECK(fetch_option(&o, 'R', NULL, NULL, SYN) == 1);
	CHECK(fetch_option(&o, 'h', NULL, NULL, SYN) == 1);
	CHECK(fetch_option(&o, 'c', "4", NULL, SYN) == 1);
	CHECK(fetch_option(&o, 'n', NULL, NULL, SYN) == 1);
}

/* fetch_option()'s message for an option refused, "" when it was taken. */
static const char *
refused(int ch, const char *arg, struct buf *got)
{
	struct fetch_opts o;
	char *argv[] = {"unit", "--opt", NULL};
	int rc;

	fetch_opts_init(&o);
	buf_reset(got);
	optind = 2;
	if (capture_begin() != 0)
		return "(no capture)";
	rc = fetch_option(&o, ch, arg, argv, SYN);
	capture_end(got);
	if (rc != EXIT_USAGE && rc != 0)
		return "(wrong status)";
	return got->data;
}

TEST(options_refused)
{
	struct buf got = BUF_INIT;

	diag_init("unit");
	CHECK_STR(refused('d', "0", &got),
	    "unit: --deadline takes seconds, more than 0 and at most a week\n"
	    "usage: " SYN "\ntry 'unit --help'\n");
	CHECK(strstr(refused('d', "604801", &got), "--deadline takes") != NULL);
	CHECK(strstr(refused('d', "1s", &got), "--deadline takes") != NULL);
	CHECK(strstr(refused('p', "3601", &got),
	          "--poll-interval takes seconds, more than 0 and at most "
	          "3600") != NULL);
	CHECK(strstr(refused('p', "-1", &got), "--poll-interval") != NULL);
	CHECK(strstr(refused('p', "nan", &got), "--poll-interval") != NULL);
	CHECK(strstr(refused('T', "x", &got), "bad number of seconds 'x'") !=
	      NULL);
	CHECK(strstr(refused(':', NULL, &got),
	          "unit: option '--opt' needs a value") != NULL);
	CHECK(strstr(refused('?', NULL, &got),
	          "unit: unknown option '--opt'") != NULL);
	CHECK_STR(refused('d', "1", &got), "");
	buf_release(&got);
}

TEST(check)
{
	struct fetch_opts o;
	struct buf got = BUF_INIT;
	int rc;

	diag_init("unit");
	fetch_opts_init(&o);
	CHECK(fetch_check(&o, 1730770200, SYN) == 0);
	CHECK(o.before == 1730770200 && o.since == 1730770200 - 5400);
	o.since_arg = "2024-11-05 00:00:00";
	o.before_arg = "2024-11-05 01:00:00";
	CHECK(fetch_check(&o, 1730770200, SYN) == 0);
	CHECK(o.since == 1730764800 && o.before == 1730768400);
	/* --output first, then the window. */
	o.output = "/dev/null";
	o.before_arg = "2030-01-01 00:00:00";
	CHECK(capture_begin() == 0);
	rc = fetch_check(&o, 1730770200, SYN);
	capture_end(&got);
	CHECK(rc == EXIT_USAGE);
	CHECK(strncmp(got.data, "unit: --output '/dev/null' is not a regular",
	          43) == 0);
	o.output = NULL;
	buf_reset(&got);
	CHECK(capture_begin() == 0);
	rc = fetch_check(&o, 1730770200, SYN);
	capture_end(&got);
	CHECK(rc == EXIT_USAGE);
	CHECK_STR(got.data,
	    "unit: the time '2030-01-01 00:00:00' for --before is in the future "
	    "(it is 2024-11-05 01:30:00 UTC now)\nusage: " SYN
	    "\ntry 'unit --help'\n");
	buf_release(&got);
}

/* fetch_credentials() with the two variables as given (NULL: unset). */
static int
creds(const char *id, const char *key, struct buf *said)
{
	const char *gi = NULL, *gk = NULL;
	int rc;

	if (id)
		setenv("T_ID", id, 1);
	else
		unsetenv("T_ID");
	if (key)
		setenv("T_KEY", key, 1);
	else
		unsetenv("T_KEY");
	buf_reset(said);
	CHECK(capture_begin() == 0);
	rc = fetch_credentials("test credentials", "T_ID", "T_KEY", &gi, &gk);
	capture_end(said);
	if (rc == 0)
		CHECK(strcmp(gi, id) == 0 && strcmp(gk, key) == 0);
	return rc;
}

TEST(credentials)
{
	struct buf said = BUF_INIT;

	diag_init("fetch-x");
	CHECK(creds("7", "k", &said) == 0 && said.len == 0);
	CHECK(creds(NULL, NULL, &said) == EXIT_USAGE);
	CHECK_STR(
	    said.data, "fetch-x: no test credentials: set T_ID and T_KEY\n");
	CHECK(creds("7", NULL, &said) == EXIT_USAGE);
	CHECK_STR(said.data, "fetch-x: no test credentials: set T_KEY\n");
	CHECK(creds("", "k", &said) == EXIT_USAGE); /* empty is unset */
	CHECK_STR(said.data, "fetch-x: no test credentials: set T_ID\n");
	CHECK(creds("7", "k\xff", &said) == EXIT_USAGE);
	CHECK_STR(said.data, "fetch-x: T_KEY is not valid UTF-8\n");
	unsetenv("T_ID");
	unsetenv("T_KEY");
	buf_release(&said);
}

int
main(void)
{
	RUN(defaults);
	RUN(options_taken);
	RUN(options_refused);
	RUN(check);
	RUN(credentials);
	return harness_done();
}
