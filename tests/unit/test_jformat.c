/* Unit tests for common/jformat: each format's yes and no. */
#include "harness.h"
#include "jformat.h"

#define YES(fn, s) CHECK(fn(s, strlen(s)) == 1)
#define NO(fn, s) CHECK(fn(s, strlen(s)) == 0)

TEST(date_time)
{
	YES(jformat_date_time, "2026-11-30T12:00:00.250Z");
	YES(jformat_date_time, "2026-11-30T12:00:00Z");
	YES(jformat_date_time, "2026-11-30t12:00:00z");
	YES(jformat_date_time, "2026-11-30T12:00:00-05:00");
	YES(jformat_date_time, "2026-11-30T12:00:00.123456789+23:59");
	YES(jformat_date_time, "2024-02-29T00:00:00Z");
	YES(jformat_date_time, "2000-02-29T00:00:00Z");
	NO(jformat_date_time, "2100-02-29T00:00:00Z");
	NO(jformat_date_time, "2026-02-29T00:00:00Z");
	NO(jformat_date_time, "2026-04-31T00:00:00Z");
	NO(jformat_date_time, "2026-13-01T00:00:00Z");
	NO(jformat_date_time, "2026-00-01T00:00:00Z");
	NO(jformat_date_time, "2026-01-00T00:00:00Z");
	NO(jformat_date_time, "2026-01-01T24:00:00Z");
	NO(jformat_date_time, "2026-01-01T23:60:00Z");
	NO(jformat_date_time, "2026-01-01T23:59:61Z");
	NO(jformat_date_time, "2026-01-01T23:59:59");
	NO(jformat_date_time, "2026-01-01T23:59:59.Z");
	NO(jformat_date_time, "2026-01-01 23:59:59Z");
	NO(jformat_date_time, "2026-01-01T23:59:59+24:00");
	NO(jformat_date_time, "2026-01-01T23:59:59+05:60");
	NO(jformat_date_time, "2026-01-01T23:59:59+0500");
	NO(jformat_date_time, "2026-1-01T23:59:59Z");
	NO(jformat_date_time, "2013-350T01:01:01");
	NO(jformat_date_time, "");
	/* Leap seconds: at 23:59:60 UTC only. */
	YES(jformat_date_time, "1998-12-31T23:59:60Z");
	YES(jformat_date_time, "1998-12-31T15:59:60.123-08:00");
	YES(jformat_date_time, "1999-01-01T00:59:60+01:00");
	NO(jformat_date_time, "1998-12-31T23:58:60Z");
	NO(jformat_date_time, "1998-12-31T22:59:60Z");
	NO(jformat_date_time, "1998-12-31T23:59:60+01:00");
}

TEST(date)
{
	YES(jformat_date, "1963-06-19");
	YES(jformat_date, "2024-02-29");
	NO(jformat_date, "2023-02-29");
	NO(jformat_date, "06/19/1963");
	NO(jformat_date, "2013-350");
	NO(jformat_date, "1963-06-19T00:00:00Z");
	NO(jformat_date, "1963-6-19");
	NO(jformat_date, "1963-06-1x");
}

TEST(email)
{
	YES(jformat_email, "joe.bloggs@example.com");
	YES(jformat_email, "joe@example.com");
	YES(jformat_email, "root@localhost");
	YES(jformat_email, "te~st@example.com");
	YES(jformat_email, "~test@example.com");
	YES(jformat_email, "te.s.t@example.com");
	YES(jformat_email, "a+tag@sub.example.org");
	YES(jformat_email, "\xc3\xa9l\xc3\xa8ve@example.fr");
	NO(jformat_email, "2962");
	NO(jformat_email, "@example.com");
	NO(jformat_email, "joe@");
	NO(jformat_email, "joe@@example.com");
	NO(jformat_email, "jo@e@example.com");
	NO(jformat_email, ".joe@example.com");
	NO(jformat_email, "joe.@example.com");
	NO(jformat_email, "jo..e@example.com");
	NO(jformat_email, "joe@.example.com");
	NO(jformat_email, "joe@example..com");
	NO(jformat_email, "joe@example.com.");
	NO(jformat_email, "jo e@example.com");
	NO(jformat_email, "joe@exam\tple.com");
	NO(jformat_email, "<joe@example.com>");
	NO(jformat_email, "joe@[127.0.0.1]");
	CHECK(jformat_email("a\0b@example.com", 15) == 0);
}

TEST(uuid)
{
	YES(jformat_uuid, "0b6e6f2c-6c1f-4a51-9b4e-9a3c2f1d7e10");
	YES(jformat_uuid, "0B6E6F2C-6C1F-4A51-9B4E-9A3C2F1D7E10");
	YES(jformat_uuid, "00000000-0000-0000-0000-000000000000");
	NO(jformat_uuid, "0b6e6f2c6c1f4a519b4e9a3c2f1d7e10");
	NO(jformat_uuid, "{0b6e6f2c-6c1f-4a51-9b4e-9a3c2f1d7e10}");
	NO(jformat_uuid, "urn:uuid:0b6e6f2c-6c1f-4a51-9b4e-9a3c2f1d7e10");
	NO(jformat_uuid, "0b6e6f2c-6c1f-4a51-9b4e-9a3c2f1d7e1g");
	NO(jformat_uuid, "0b6e6f2c-6c1f-4a51-9b4e9-a3c2f1d7e10");
	NO(jformat_uuid, "0b6e6f2c-6c1f-4a51-9b4e-9a3c2f1d7e1");
	NO(jformat_uuid, "");
}

TEST(uri)
{
	YES(jformat_uri, "http://foo.bar/?baz=qux#quux");
	YES(jformat_uri, "http://foo.com/blah_(wikipedia)_blah#cite-1");
	YES(jformat_uri, "http://foo.bar/?q=Test%20URL-encoded%20stuff");
	YES(jformat_uri, "http://-.~_!$&'()*+,;=:%40:80%2f::::::@example.com");
	YES(jformat_uri, "ldap://[2001:db8::7]/c=GB?objectClass?one");
	YES(jformat_uri, "mailto:John.Doe@example.com");
	YES(jformat_uri, "urn:oasis:names:specification:docbook:dtd:xml:4.1.2");
	YES(jformat_uri, "tel:+1-816-555-1212");
	YES(jformat_uri, "a:");
	NO(jformat_uri, "//foo.bar/?baz=qux#quux");
	NO(jformat_uri, "/abc");
	NO(jformat_uri, "\\\\WINDOWS\\fileshare");
	NO(jformat_uri, "abc");
	NO(jformat_uri, "http:// shouldfail.com");
	NO(jformat_uri, ":// should fail");
	NO(jformat_uri, "1http://x");
	NO(jformat_uri, "http://x/%zz");
	NO(jformat_uri, "http://x/%2");
	NO(jformat_uri, "http://x/#a#b");
	NO(jformat_uri, "http://x/[a]");
	NO(jformat_uri, "http://x/\xc3\xa9");
	NO(jformat_uri, "http://x/<a>");
	CHECK(jformat_uri("http://x/\0", 10) == 0);
}

TEST(find)
{
	CHECK(jformat_find("date-time") == jformat_date_time);
	CHECK(jformat_find("uri") == jformat_uri);
	CHECK(jformat_find("hostname") == NULL);
	CHECK(jformat_find("") == NULL);
}

int
main(void)
{
	RUN(date_time);
	RUN(date);
	RUN(email);
	RUN(uuid);
	RUN(uri);
	RUN(find);
	return harness_done();
}
