/*
 * Unit tests for common/redact.c: a registered secret is replaced in a
 * buffer as it is, percent-encoded, JSON-escaped and JSON-escaped the PHP
 * way ("\/"); several secrets, overlapping forms and NUL bytes; a buffer
 * with nothing to replace is left alone; the mark pushing a buffer past its
 * maximum cuts the end, never a secret; registering twice, dropping and
 * clearing; a message for one line, its control characters made spaces.
 */
#include <string.h>

#include "buf.h"
#include "capture.h"
#include "diag.h"
#include "harness.h"
#include "redact.h"

/* b's text after redact_buf(). The caller releases b. */
static const char *
scrubbed(struct buf *b, const char *text)
{
	buf_reset(b);
	buf_adds(b, text);
	redact_buf(b);
	return b->data;
}

TEST(raw)
{
	struct buf b = BUF_INIT;

	redact_add("TOPSECRET123");
	CHECK_STR(
	    scrubbed(&b, "bad request: {\"client_secret\":\"TOPSECRET123\"}"),
	    "bad request: {\"client_secret\":\"[redacted]\"}");
	CHECK_STR(
	    scrubbed(&b, "TOPSECRET123TOPSECRET123"), "[redacted][redacted]");
	CHECK_STR(
	    scrubbed(&b, "TOPSECRET12 is not it"), "TOPSECRET12 is not it");
	redact_clear();
	buf_release(&b);
}

TEST(encoded_forms)
{
	struct buf b = BUF_INIT;

	/* A secret with characters each form writes its own way. */
	redact_add("a/b\"c d&e");
	CHECK_STR(scrubbed(&b, "raw a/b\"c d&e."), "raw [redacted].");
	CHECK_STR(scrubbed(&b, "GET /x?key=a%2Fb%22c%20d%26e&id=1"),
	    "GET /x?key=[redacted]&id=1");
	CHECK_STR(scrubbed(&b, "{\"key\":\"a/b\\\"c d&e\"}"),
	    "{\"key\":\"[redacted]\"}");
	CHECK_STR(scrubbed(&b, "{\"key\":\"a\\/b\\\"c d&e\"}"),
	    "{\"key\":\"[redacted]\"}");
	redact_clear();
	buf_release(&b);
}

TEST(several_secrets)
{
	struct buf b = BUF_INIT;

	redact_add("secret-one");
	redact_add("tok");
	redact_add("tokenXYZ");
	/* The longest secret that starts at a place wins there. */
	CHECK_STR(scrubbed(&b, "tokenXYZ tok secret-one"),
	    "[redacted] [redacted] [redacted]");
	redact_drop("tok");
	CHECK_STR(scrubbed(&b, "tok tokenXYZ"), "tok [redacted]");
	redact_clear();
	CHECK_STR(scrubbed(&b, "tokenXYZ secret-one"), "tokenXYZ secret-one");
	buf_release(&b);
}

TEST(nul_bytes)
{
	struct buf b = BUF_INIT;

	redact_add("k3y");
	buf_add(&b, "a\0k3y\0b", 7);
	redact_buf(&b);
	CHECK(b.len == 14);
	CHECK(memcmp(b.data, "a\0[redacted]\0b", 14) == 0);
	redact_clear();
	buf_release(&b);
}

TEST(nothing_to_replace)
{
	struct buf b = BUF_INIT;
	char *before;

	redact_add("absent");
	buf_adds(&b, "a message with no secret");
	before = b.data;
	redact_buf(&b);
	CHECK(b.data == before);
	CHECK_STR(b.data, "a message with no secret");
	redact_clear();
	buf_release(&b);
	/* An empty buffer, and no secret at all. */
	redact_buf(&b);
	CHECK(b.data == NULL && b.len == 0);
	buf_adds(&b, "x");
	redact_buf(&b);
	CHECK_STR(b.data, "x");
	buf_release(&b);
}

TEST(maximum)
{
	struct buf b = BUF_INIT_MAX(12);

	/* "[redacted]" is longer than "ab": the end goes, the secret too. */
	redact_add("ab");
	CHECK(buf_adds(&b, "ab ab ab ab") == 0);
	redact_buf(&b);
	CHECK(b.len == 12);
	CHECK_STR(b.data, "[redacted] [");
	redact_clear();
	buf_release(&b);
}

TEST(registered_twice)
{
	struct buf b = BUF_INIT;

	redact_add("twice");
	redact_add("twice");
	redact_add("");
	redact_add(NULL);
	redact_drop("twice");
	CHECK_STR(scrubbed(&b, "twice"), "[redacted]");
	redact_drop("twice");
	CHECK_STR(scrubbed(&b, "twice"), "twice");
	redact_drop("never registered");
	buf_release(&b);
}

TEST(wipe)
{
	char s[] = "secret";

	redact_wipe(s, sizeof(s) - 1);
	CHECK(memcmp(s, "\0\0\0\0\0\0", 7) == 0);
}

TEST(one_line)
{
	struct buf b = BUF_INIT;

	redact_add("k3y");
	buf_adds(&b, "HTTP 400: bad\r\nkey k3y\t\033[31mred\x7f.");
	redact_line(&b);
	CHECK_STR(b.data, "HTTP 400: bad  key [redacted]  [31mred .");
	redact_clear();
	/* Nothing registered: still one line; an empty buffer is fine. */
	buf_reset(&b);
	buf_adds(&b, "a\nb");
	redact_line(&b);
	CHECK_STR(b.data, "a b");
	buf_release(&b);
	redact_line(&b);
	CHECK(b.data == NULL);
}

TEST(diag_scrubbed)
{
	struct buf got = BUF_INIT;

	diag_init("stage");
	redact_add("s3cret-key");
	CHECK(capture_begin() == 0);
	redact_diag("server said %s\nand more", "key=s3cret-key");
	capture_end(&got);
	CHECK_STR(
	    got.data, "stage: server said key=" REDACT_MARK " and more\n");
	redact_drop("s3cret-key");
	buf_release(&got);
}

int
main(void)
{
	RUN(raw);
	RUN(encoded_forms);
	RUN(several_secrets);
	RUN(nul_bytes);
	RUN(nothing_to_replace);
	RUN(maximum);
	RUN(registered_twice);
	RUN(wipe);
	RUN(one_line);
	RUN(diag_scrubbed);
	return harness_done();
}
