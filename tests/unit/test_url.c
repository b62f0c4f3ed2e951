/*
 * Unit tests for common/url.c: a base URL joined with a path (its trailing
 * slashes dropped), and values percent-encoded for a path or a query.
 */
#include <string.h>

#include "harness.h"
#include "url.h"

TEST(joins)
{
	struct buf b = BUF_INIT;

	CHECK(url_join(&b, "http://127.0.0.1:8080", "/v2/users") == 0);
	CHECK_STR(b.data, "http://127.0.0.1:8080/v2/users");
	CHECK(url_join(&b, "https://northstar.example.org///", "/v2") == 0);
	CHECK_STR(b.data, "https://northstar.example.org/v2");
	CHECK(url_join(&b, "", "/x") == 0);
	CHECK_STR(b.data, "/x");
	buf_release(&b);
	/* Past the buffer's maximum: -1. */
	buf_init(&b, 8);
	CHECK(url_join(&b, "http://a.b", "/c") == -1);
	buf_release(&b);
}

TEST(escapes)
{
	struct buf b = BUF_INIT;

	CHECK(url_escape(&b, "jane+1@example.org") == 0);
	CHECK_STR(b.data, "jane%2B1%40example.org");
	buf_reset(&b);
	CHECK(url_escape(&b, "(212) 254-2390") == 0);
	CHECK_STR(b.data, "%28212%29%20254-2390");
	buf_reset(&b);
	CHECK(url_escape(&b, "a-z_0.9~Ü/") == 0);
	CHECK_STR(b.data, "a-z_0.9~%C3%9C%2F");
	buf_release(&b);
}

int
main(void)
{
	RUN(joins);
	RUN(escapes);
	return harness_done();
}
