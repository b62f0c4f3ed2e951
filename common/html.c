/*
 * Text escaped for HTML: see html.h.
 */
#include <string.h>

#include "html.h"
#include "utf8.h"

static const char REPLACEMENT[] = "\xEF\xBF\xBD";

static int
escape(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '&':
			rc = buf_adds(out, "&amp;");
			break;
		case '<':
			rc = buf_adds(out, "&lt;");
			break;
		case '>':
			rc = buf_adds(out, "&gt;");
			break;
		case '"':
			rc = buf_adds(out, "&quot;");
			break;
		case '\'':
			rc = buf_adds(out, "&#39;");
			break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
				rc = buf_adds(out, REPLACEMENT);
			else
				rc = buf_addc(out, (char)c);
		}
	}
	return rc;
}

int
html_text(struct buf *out, const char *s, size_t n)
{
	struct buf fixed = BUF_INIT;
	size_t ok = utf8_valid_prefix(s, n);
	int rc;

	if (ok == n)
		return escape(out, s, n);
	rc = utf8_repair(&fixed, s, n);
	if (rc == 0)
		rc = escape(out, fixed.data, fixed.len);
	buf_release(&fixed);
	return rc;
}

int
html_textz(struct buf *out, const char *s)
{
	return html_text(out, s, strlen(s));
}

int
html_text_cut(struct buf *out, const char *s, size_t n, size_t max)
{
	size_t k = max;

	if (n <= max)
		return html_text(out, s, n);
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	if (html_text(out, s, k) < 0)
		return -1;
	return buf_adds(out, "\xE2\x80\xA6");
}
