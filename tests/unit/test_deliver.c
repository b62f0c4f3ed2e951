/*
 * Unit tests for the parts of common/deliver.c that need no server (the
 * delivery tests, tests/scripts/delivery.py, run the rest against the
 * emulator): the service's URL from --url or the environment, and a
 * stage's note in a record's _meta. stderr is captured where a message is
 * due.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "capture.h"
#include "deliver.h"
#include "diag.h"
#include "exitcode.h"
#include "harness.h"
#include "jsoncheck.h"

TEST(service_url)
{
	struct deliver_opts o;
	struct buf got = BUF_INIT;
	const char *url = "unset";
	int rc;

	diag_init("unit");
	deliver_opts_init(&o);
	unsetenv("UNIT_URL");
	CHECK(capture_begin() == 0);
	rc = deliver_url(&o, "UNIT_URL", &url);
	capture_end(&got);
	CHECK(rc == EXIT_USAGE && url == NULL);
	CHECK_STR(
	    got.data, "unit: no service: set UNIT_URL or use --url URL\n");
	setenv("UNIT_URL", "", 1); /* empty is not set */
	CHECK(capture_begin() == 0);
	CHECK(deliver_url(&o, "UNIT_URL", &url) == EXIT_USAGE);
	capture_end(&got);
	setenv("UNIT_URL", "http://127.0.0.1:9", 1);
	CHECK(deliver_url(&o, "UNIT_URL", &url) == 0);
	CHECK_STR(url, "http://127.0.0.1:9");
	/* --url first, and named when it is wrong. */
	o.url = "ftp://x";
	buf_reset(&got);
	CHECK(capture_begin() == 0);
	rc = deliver_url(&o, "UNIT_URL", &url);
	capture_end(&got);
	CHECK(rc == EXIT_USAGE &&
	      strncmp(got.data, "unit: bad URL in --url: ", 24) == 0);
	unsetenv("UNIT_URL");
	buf_release(&got);
}

TEST(concurrency_options)
{
	struct deliver_opts o;
	struct buf got = BUF_INIT;

	diag_init("unit");
	deliver_opts_init(&o);
	CHECK(!o.http.adaptive && o.http.concurrency == 8);
	CHECK(deliver_window(&o) == 256);
	CHECK(deliver_option(&o, 'c', "32", "unit") == 0);
	CHECK(o.http.concurrency == 32 && deliver_window(&o) == 512);
	/* auto: the window is sized for the most it may go to. */
	CHECK(deliver_option(&o, 'c', "auto", "unit") == 0);
	CHECK(o.http.adaptive && o.http.concurrency_max == 256);
	CHECK(deliver_window(&o) == 4096);
	CHECK(deliver_option(&o, 'P', "24", "unit") == 0);
	CHECK(o.http.concurrency_max == 24 && deliver_window(&o) == 384);
	/* A number after auto is a fixed one again. */
	CHECK(deliver_option(&o, 'c', "4", "unit") == 0);
	CHECK(!o.http.adaptive && o.http.concurrency == 4);
	CHECK(capture_begin() == 0);
	CHECK(deliver_option(&o, 'c', "automatic", "unit") == EXIT_USAGE);
	CHECK(deliver_option(&o, 'P', "0", "unit") == EXIT_USAGE);
	capture_end(&got);
	CHECK(strstr(got.data, "--concurrency takes auto or a number") != NULL);
	CHECK(strstr(got.data, "--concurrency-max takes a number") != NULL);
	buf_release(&got);
}

TEST(dry_run_needs_no_url)
{
	struct deliver_opts o;
	const char *url = "unset";

	deliver_opts_init(&o);
	o.dry_run = 1;
	unsetenv("UNIT_URL");
	CHECK(deliver_url(&o, "UNIT_URL", &url) == 0 && url == NULL);
}

/* The record's text after job_meta(name, v) on the record text. */
static void
check_meta(const char *text, const char *name, const char *v, const char *want)
{
	struct job j;
	char *got;

	memset(&j, 0, sizeof(j));
	j.rec = parse(text);
	job_meta(&j, name, parse(v));
	got = json_dumps(j.rec, JSON_COMPACT);
	CHECK_STR(got, want);
	free(got);
	json_decref(j.rec);
}

TEST(meta)
{
	check_meta("{\"a\":1}", "northstar", "{\"result\":\"found\"}",
	    "{\"a\":1,\"_meta\":{\"northstar\":{\"result\":\"found\"}}}");
	check_meta("{\"_meta\":{\"line\":3,\"rogue\":1},\"a\":1}", "rogue",
	    "{\"result\":\"created\"}",
	    "{\"_meta\":{\"line\":3,\"rogue\":{\"result\":\"created\"}},\"a\":1}");
	/* A _meta that is not an object is made one. */
	check_meta("{\"_meta\":\"x\",\"a\":1}", "northstar", "{}",
	    "{\"_meta\":{\"northstar\":{}},\"a\":1}");
}

int
main(void)
{
	RUN(service_url);
	RUN(concurrency_options);
	RUN(dry_run_needs_no_url);
	RUN(meta);
	return harness_done();
}
