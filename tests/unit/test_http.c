/*
 * Unit tests for the parts of common/http.c that need no server: the
 * start-up checks of a service's URL and of a --cacert file, and the
 * message and exit status http_failure() gives for each way a call fails.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "harness.h"
#include "http.h"

/* http_check_url()'s verdict on url: "ok", or its reason. */
static const char *
url_verdict(struct buf *why, const char *url)
{
	buf_reset(why);
	return http_check_url(url, why) == 0 ? "ok" : why->data;
}

TEST(urls)
{
	struct buf why = BUF_INIT;

	CHECK_STR(url_verdict(&why, "http://127.0.0.1:8080"), "ok");
	CHECK_STR(url_verdict(&why, "https://rogue.example.org/api/"), "ok");
	CHECK_STR(url_verdict(&why, "HTTPS://Example.org"), "ok");
	CHECK_STR(
	    url_verdict(&why, "http://user:pw@ch:8123/?password=x"), "ok");
	CHECK_STR(url_verdict(&why, ""), "the URL is empty");
	CHECK_STR(url_verdict(&why, "notaurl"),
	    "not a URL: give http://HOST or https://HOST");
	CHECK_STR(url_verdict(&why, "ftp://x"),
	    "ftp:// URLs are not supported: give http://HOST or https://HOST");
	CHECK(strncmp(url_verdict(&why, "http://"), "not a URL libcurl", 17) ==
	      0);
	CHECK(strncmp(url_verdict(&why, "http://a b/"), "not a URL libcurl",
	          17) == 0);
	/* The reason never quotes the URL, which may hold a password. */
	CHECK(strstr(url_verdict(&why, "ftp://u:s3cret@x"), "s3cret") == NULL);
	buf_release(&why);
}

/* http_check_cacert()'s verdict on a file holding text: "ok" or why. */
static const char *
cacert_verdict(struct buf *why, const char *text)
{
	char path[sizeof(HARNESS_TMP)];
	const char *v;

	buf_reset(why);
	if (harness_tmpfile(path, text, strlen(text)) < 0)
		return "cannot make a file";
	v = http_check_cacert(path, why) == 0 ? "ok" : why->data;
	unlink(path);
	return v;
}

TEST(cacert)
{
	struct buf why = BUF_INIT;

	CHECK_STR(cacert_verdict(&why,
	              "# a bundle\n-----BEGIN CERTIFICATE-----\nMIIB\n"
	              "-----END CERTIFICATE-----\n"),
	    "ok");
	CHECK_STR(cacert_verdict(&why, "-----BEGIN TRUSTED CERTIFICATE-----\n"),
	    "ok");
	CHECK(strstr(cacert_verdict(&why, "\x30\x82\x01\x0a binary"),
	          "no PEM certificate in it") != NULL);
	CHECK(strstr(cacert_verdict(&why, ""), "no PEM certificate") != NULL);
	buf_reset(&why);
	CHECK(http_check_cacert("/nonexistent/ca.pem", &why) < 0);
	CHECK_STR(why.data, "/nonexistent/ca.pem: No such file or directory");
	buf_reset(&why);
	CHECK(http_check_cacert("/", &why) < 0);
	CHECK_STR(why.data, "/: not a file");
	buf_release(&why);
}

/* http_failure() for a call that ended with r and err. */
static int
failure(struct buf *out, enum http_result r, const char *err, const char *doing)
{
	struct http_call c;
	int rc;

	http_call_init(&c);
	c.result = r;
	buf_adds(&c.err, err);
	buf_reset(out);
	rc = http_failure(&c, "Rogue", doing, out);
	http_call_release(&c);
	return rc;
}

TEST(failures)
{
	struct buf out = BUF_INIT;

	CHECK(failure(&out, HTTP_UNAVAILABLE, "HTTP 503 (gave up)", NULL) ==
	      EXIT_UNAVAILABLE);
	CHECK_STR(out.data, "Rogue unavailable: HTTP 503 (gave up)");
	CHECK(failure(&out, HTTP_TRANSIENT, "", "creating a post") ==
	      EXIT_UNAVAILABLE);
	CHECK_STR(
	    out.data, "Rogue unavailable while creating a post: no answer");
	CHECK(failure(&out, HTTP_REFUSED, "credentials refused (HTTP 401)",
	          NULL) == EXIT_NOPERM);
	CHECK_STR(out.data, "Rogue: credentials refused (HTTP 401)");
	CHECK(failure(&out, HTTP_MISCONFIGURED,
	          "the server's certificate is not trusted",
	          "looking") == EXIT_USAGE);
	CHECK_STR(out.data,
	    "Rogue while looking: the server's certificate is not trusted");
	buf_release(&out);
}

int
main(void)
{
	RUN(urls);
	RUN(cacert);
	RUN(failures);
	return harness_done();
}
