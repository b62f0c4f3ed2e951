/*
 * Unit tests for common/html.c: the five characters escaped, invalid
 * UTF-8 and control characters replaced, text cut at a character's start
 * with an ellipsis, and a full buffer.
 */
#include "harness.h"
#include "html.h"

TEST(escapes)
{
	struct buf b = BUF_INIT;

	CHECK(html_textz(&b, "<script>\"a\" & 'b'</script>") == 0);
	CHECK_STR(b.data, "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;"
	                  "&lt;/script&gt;");
	buf_reset(&b);
	CHECK(html_textz(&b, "Zoë\tok\n") == 0);
	CHECK_STR(b.data, "Zoë\tok\n");
	buf_release(&b);
}

TEST(replaced)
{
	struct buf b = BUF_INIT;

	CHECK(html_text(&b, "a\0b\x1b[K\r\xff", 8) == 0);
	CHECK_STR(b.data, "a\xEF\xBF\xBD"
	                  "b\xEF\xBF\xBD[K\xEF\xBF\xBD\xEF\xBF\xBD");
	buf_release(&b);
}

TEST(cut)
{
	struct buf b = BUF_INIT;

	CHECK(html_text_cut(&b, "abcdef", 6, 10) == 0);
	CHECK_STR(b.data, "abcdef");
	buf_reset(&b);
	CHECK(html_text_cut(&b, "ab<def", 6, 3) == 0);
	CHECK_STR(b.data, "ab&lt;\xE2\x80\xA6");
	buf_reset(&b);
	/* "ë" is two bytes: a cut in its middle goes back to its start. */
	CHECK(html_text_cut(&b, "Zoëx", 5, 3) == 0);
	CHECK_STR(b.data, "Zo\xE2\x80\xA6");
	buf_release(&b);
}

TEST(full)
{
	struct buf b = BUF_INIT_MAX(4);

	CHECK(html_textz(&b, "<<") < 0);
	buf_release(&b);
}

int
main(void)
{
	RUN(escapes);
	RUN(replaced);
	RUN(cut);
	RUN(full);
	return harness_done();
}
