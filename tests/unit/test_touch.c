#include "harness.h"
#include "touch.h"

static const char *
host(const char *u)
{
	static char out[256];
	size_t off, len;

	if (touch_host(u, strlen(u), &off, &len) < 0)
		return "(none)";
	snprintf(out, sizeof(out), "%.*s", (int)len, u + off);
	return out;
}

TEST(hosts_as_the_regex_captures)
{
	CHECK_STR(host("https://www.Example.org/a?b"), "www.Example.org");
	CHECK_STR(host("http://h.com"), "h.com");
	CHECK_STR(host("http://h.com:8080/"), "h.com");
	CHECK_STR(host("https://user@h.com/"), "user");
	CHECK_STR(host("android-app://com.x/"), "com.x");
	CHECK_STR(host("a+b.c-d://x#y"), "x");
	CHECK_STR(host("http://"), "");
	CHECK_STR(host("//h.com/"), "(none)");
	CHECK_STR(host("1http://h.com/"), "(none)");
	CHECK_STR(host("not a url"), "(none)");
	CHECK_STR(host("http:/h.com"), "(none)");
	CHECK_STR(host(""), "(none)");
}

static const char *
source(const char *utm, const char *ref, const char *url)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	touch_source(&b, utm, utm ? strlen(utm) : 0, ref, ref ? strlen(ref) : 0,
	    url, url ? strlen(url) : 0);
	return b.data;
}

TEST(sources)
{
	CHECK_STR(
	    source("facebook", "https://t.co/", "https://a.org/"), "facebook");
	CHECK_STR(source("", "https://T.co/x", "https://a.org/"), "t.co");
	CHECK_STR(source(NULL, "https://A.org/x", "https://a.ORG/"), "direct");
	CHECK_STR(source(NULL, "https://a.org/x", NULL), "a.org");
	CHECK_STR(source(NULL, "https://a.org/x", "not a url"), "a.org");
	CHECK_STR(source(NULL, "http://", "https://a.org/"), "direct");
	CHECK_STR(source(NULL, "", "https://a.org/"), "direct");
	CHECK_STR(source(NULL, NULL, NULL), "direct");
}

TEST(touches)
{
	CHECK(!touch_is("direct", 6, 0));
	CHECK(touch_is("direct", 6, 4));
	CHECK(touch_is("t.co", 4, 0));
}

int
main(void)
{
	RUN(hosts_as_the_regex_captures);
	RUN(sources);
	RUN(touches);
	return harness_done();
}
