/*
 * Unit tests for common/url.c: a base URL joined with a path (its trailing
 * slashes dropped), values percent-encoded for a path or a query, the id
 * at the end of a URL, and a URL or a path made absolute on a base.
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

/* url_last_segment()'s verdict: the segment, or "-1". */
static const char *
segment(const char *url)
{
	static char out[16];

	memcpy(out, "untouched", 10);
	if (url_last_segment(url, out, sizeof(out)) < 0)
		return strcmp(out, "untouched") == 0 ? "-1" : "changed";
	return out;
}

TEST(last_segment)
{
	CHECK_STR(segment("https://h/api/v4/registrant_reports/123"), "123");
	CHECK_STR(segment("https://h/api/v4/reports/123/"), "123");
	CHECK_STR(segment("https://h/reports/a-b_c.9//?x=1/2#f"), "a-b_c.9");
	CHECK_STR(segment("https://h/reports/7#frag/x"), "7");
	CHECK_STR(segment("42"), "42");
	CHECK_STR(segment("/42"), "42");
	CHECK_STR(segment(""), "-1");
	CHECK_STR(segment("https://h/"), "h"); /* the host, as it ends */
	CHECK_STR(segment("/"), "-1");
	CHECK_STR(segment("https://h/r/?id=5"), "r");
	CHECK_STR(segment("https://h/r/1%202"), "-1");
	CHECK_STR(segment("https://h/r/a b"), "-1");
	CHECK_STR(segment("https://h/r/a~b"), "-1");
	CHECK_STR(segment("https://h/r/123456789012345"), "123456789012345");
	CHECK_STR(segment("https://h/r/1234567890123456"), "-1"); /* fits not */
}

TEST(resolve)
{
	struct buf b = BUF_INIT;

	CHECK(url_resolve(&b, "https://rtv.example/api/v4",
	          "https://files.example/r/1.csv?sig=x") == 0);
	CHECK_STR(b.data, "https://files.example/r/1.csv?sig=x");
	CHECK(url_resolve(&b, "http://127.0.0.1:8080/api/v4?a=1",
	          "/downloads/1.csv") == 0);
	CHECK_STR(b.data, "http://127.0.0.1:8080/downloads/1.csv");
	CHECK(url_resolve(&b, "https://user@h:99?x", "/d") == 0);
	CHECK_STR(b.data, "https://user@h:99/d");
	CHECK(url_resolve(&b, "https://h#f", "/d") == 0);
	CHECK_STR(b.data, "https://h/d");
	CHECK(url_resolve(&b, "http://a", "http://b/c") == 0);
	CHECK_STR(b.data, "http://b/c");
	/* Neither a URL nor a path; a base without a scheme. */
	CHECK(url_resolve(&b, "https://h", "downloads/1.csv") == -1);
	CHECK(b.len == 0);
	CHECK(url_resolve(&b, "https://h", "ftp://h/1.csv") == -1);
	CHECK(url_resolve(&b, "https://h", "HTTPS://h/1.csv") == -1);
	CHECK(url_resolve(&b, "h/api", "/d") == -1);
	buf_release(&b);
	/* Past out's maximum: -2, with what fitted. */
	buf_init(&b, 12);
	CHECK(url_resolve(&b, "http://h", "/a-long-path") == -2);
	CHECK_STR(b.data, "http://h");
	CHECK(url_resolve(&b, "http://h", "http://a-long-host") == -2);
	buf_release(&b);
}

TEST(query_added)
{
	struct buf u = BUF_INIT;

	buf_adds(&u, "https://h/r/7");
	CHECK(url_add_query(&u, "key", "a b&c") == 0);
	CHECK(url_add_query(&u, "id", "9") == 0);
	CHECK_STR(u.data, "https://h/r/7?key=a%20b%26c&id=9");
	buf_release(&u);
}

int
main(void)
{
	RUN(joins);
	RUN(escapes);
	RUN(last_segment);
	RUN(resolve);
	RUN(query_added);
	return harness_done();
}
