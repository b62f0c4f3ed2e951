/*
 * Unit tests for common/jsonw.c: JSON string escaping (quote, backslash,
 * the short escapes, other control bytes as \u00XX in upper-case hex, as
 * jansson writes them), UTF-8 passed through unchanged, output that jansson
 * reads back to the same bytes, the buffer maximum, and jsonw_uint; the
 * reserved-room writer (jsonw_string_at: every length and place of a byte
 * to escape, random bytes, its bound) gives the same bytes.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "jsonw.h"

/* Quotes a string literal (which may hold NUL bytes) and compares. */
#define CHECK_JSON(lit, want)                                                  \
	do {                                                                   \
		struct buf b_ = BUF_INIT;                                      \
		CHECK(jsonw_string(&b_, (lit), sizeof(lit) - 1) == 0);         \
		CHECK_MEM(b_.data, b_.len, (want));                            \
		CHECK(b_.data[b_.len] == '\0');                                \
		buf_release(&b_);                                              \
	} while (0)

TEST(plain_strings)
{
	CHECK_JSON("abc", "\"abc\"");
	CHECK_JSON("", "\"\"");
	CHECK_JSON("a b/c'd", "\"a b/c'd\"");
	CHECK_JSON("\x7f", "\"\x7f\"");
}

TEST(quote_and_backslash)
{
	CHECK_JSON("\"", "\"\\\"\"");
	CHECK_JSON("\\", "\"\\\\\"");
	CHECK_JSON("a\"b\\c", "\"a\\\"b\\\\c\"");
	CHECK_JSON("\\\"\\\"", "\"\\\\\\\"\\\\\\\"\"");
}

TEST(short_escapes)
{
	CHECK_JSON("\n", "\"\\n\"");
	CHECK_JSON("\r", "\"\\r\"");
	CHECK_JSON("\t", "\"\\t\"");
	CHECK_JSON("\b", "\"\\b\"");
	CHECK_JSON("\f", "\"\\f\"");
	CHECK_JSON("a\r\nb\tc\bd\fe", "\"a\\r\\nb\\tc\\bd\\fe\"");
}

TEST(control_bytes_as_u00xx)
{
	CHECK_JSON("\x01", "\"\\u0001\"");
	CHECK_JSON("\x1f", "\"\\u001F\"");
	CHECK_JSON("\x0b", "\"\\u000B\"");
	CHECK_JSON("\x1b[0m", "\"\\u001B[0m\"");
	CHECK_JSON("a\0b", "\"a\\u0000b\"");
	CHECK_JSON("\x10\x1a", "\"\\u0010\\u001A\"");
}

TEST(every_control_byte)
{
	static const char shorts[] = "\bb\tt\nn\ff\rr";
	struct buf b = BUF_INIT;
	char c, want[16];
	const char *p;
	int i, bad = 0;

	for (i = 0; i < 0x20; i++) {
		c = (char)i;
		p = memchr(shorts, c, sizeof(shorts) - 1);
		/* The letters are not control bytes: p is a pair's first. */
		if (p)
			snprintf(want, sizeof(want), "\"\\%c\"", p[1]);
		else
			snprintf(want, sizeof(want), "\"\\u%04X\"", i);
		buf_reset(&b);
		CHECK(jsonw_string(&b, &c, 1) == 0);
		if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0) {
			fprintf(stderr, "byte 0x%02x: got %s, want %s\n", i,
			    b.data, want);
			bad++;
		}
	}
	CHECK(bad == 0);
	buf_release(&b);
}

TEST(utf8_unchanged)
{
	CHECK_JSON("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	CHECK_JSON("\xe2\x82\xac \xf0\x9f\x98\x80",
	    "\"\xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* U+2028 is valid in JSON text; it needs no escape. */
	CHECK_JSON("\xe2\x80\xa8", "\"\xe2\x80\xa8\"");
	CHECK_JSON("\xc2\x85", "\"\xc2\x85\"");
}

TEST(appends)
{
	struct buf b = BUF_INIT;

	CHECK(buf_adds(&b, "{\"k\":") == 0);
	CHECK(jsonw_cstring(&b, "v\n") == 0);
	CHECK(buf_adds(&b, ",\"n\":") == 0);
	CHECK(jsonw_uint(&b, 12) == 0);
	CHECK(buf_addc(&b, '}') == 0);
	CHECK_STR(b.data, "{\"k\":\"v\\n\",\"n\":12}");
	buf_release(&b);
}

TEST(cstring_stops_at_nul)
{
	struct buf b = BUF_INIT;

	CHECK(jsonw_cstring(&b, "ab\0cd") == 0);
	CHECK_STR(b.data, "\"ab\"");
	buf_reset(&b);
	CHECK(jsonw_cstring(&b, "") == 0);
	CHECK_STR(b.data, "\"\"");
	buf_release(&b);
}

TEST(jansson_reads_back)
{
	struct buf b = BUF_INIT;
	char s[200];
	size_t n = 0, i;
	json_t *v;
	json_error_t err;

	/* Every ASCII byte, NUL included, then some UTF-8. */
	for (i = 0; i < 128; i++)
		s[n++] = (char)i;
	memcpy(s + n, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
	n += 9;
	CHECK(jsonw_string(&b, s, n) == 0);
	v = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	CHECK(v != NULL);
	if (v == NULL) {
		fprintf(stderr, "jansson: %s\n", err.text);
	} else {
		CHECK(json_is_string(v));
		CHECK(json_string_length(v) == n &&
		      memcmp(json_string_value(v), s, n) == 0);
		json_decref(v);
	}
	buf_release(&b);
}

TEST(string_max)
{
	struct buf b;

	buf_init(&b, 5);
	CHECK(jsonw_cstring(&b, "abc") == 0);
	CHECK_STR(b.data, "\"abc\"");
	buf_release(&b);
	buf_init(&b, 4);
	CHECK(jsonw_cstring(&b, "abc") == -1);
	buf_release(&b);
	/* The escape makes it 8 bytes. */
	buf_init(&b, 7);
	CHECK(jsonw_string(&b, "\x01", 1) == -1);
	buf_release(&b);
	buf_init(&b, 8);
	CHECK(jsonw_string(&b, "\x01", 1) == 0);
	CHECK_STR(b.data, "\"\\u0001\"");
	buf_release(&b);
	buf_init(&b, 3);
	CHECK(jsonw_string(&b, "\n", 1) == -1);
	buf_release(&b);
}

TEST(uint_values)
{
	struct buf b = BUF_INIT;

	CHECK(jsonw_uint(&b, 0) == 0);
	CHECK_STR(b.data, "0");
	buf_reset(&b);
	CHECK(jsonw_uint(&b, 42) == 0);
	CHECK_STR(b.data, "42");
	buf_reset(&b);
	CHECK(jsonw_uint(&b, 1000000) == 0);
	CHECK_STR(b.data, "1000000");
	buf_reset(&b);
	CHECK(jsonw_uint(&b, ULLONG_MAX) == 0);
	CHECK_STR(b.data, "18446744073709551615");
	CHECK(jsonw_uint(&b, 7) == 0);
	CHECK_STR(b.data, "184467440737095516157");
	buf_release(&b);
}

TEST(uint_max)
{
	struct buf b;

	buf_init(&b, 2);
	CHECK(jsonw_uint(&b, 123) == -1);
	CHECK(b.len == 0);
	CHECK(jsonw_uint(&b, 12) == 0);
	CHECK_STR(b.data, "12");
	buf_release(&b);
}

/* jsonw_string_at() on s, checked against jsonw_string(). 1 when same. */
static int
at_same(const char *s, size_t n)
{
	struct buf a = BUF_INIT;
	char *b = malloc(JSONW_STRING_MAX(n) + 1), *end;
	int same;

	jsonw_string(&a, s, n);
	end = jsonw_string_at(b, s, n);
	same = (size_t)(end - b) == a.len && memcmp(a.data, b, a.len) == 0 &&
	       (size_t)(end - b) <= JSONW_STRING_MAX(n);
	buf_release(&a);
	free(b);
	return same;
}

TEST(at_same_bytes)
{
	static const char odd[] = "\"\\\n\x01\x1f\xc3\xa9";
	char s[64];
	size_t n, i, k;
	int bad = 0, round;

	/* Each odd byte at each place of each length, words and tails. */
	for (n = 0; n < 40; n++) {
		for (i = 0; i < n; i++) {
			for (k = 0; k < sizeof(odd) - 1; k++) {
				memset(s, 'x', n);
				s[i] = odd[k];
				bad += !at_same(s, n);
			}
		}
	}
	srand(11);
	for (round = 0; round < 5000; round++) {
		n = (size_t)rand() % sizeof(s);
		for (i = 0; i < n; i++)
			s[i] = (char)(rand() % 3 ? 'a' + rand() % 26
			                         : rand() % 256);
		bad += !at_same(s, n);
	}
	/* The bound is tight: every byte a \u00XX. */
	memset(s, 1, 10);
	bad += !at_same(s, 10);
	CHECK(bad == 0);
}

int
main(void)
{
	RUN(plain_strings);
	RUN(quote_and_backslash);
	RUN(short_escapes);
	RUN(control_bytes_as_u00xx);
	RUN(every_control_byte);
	RUN(utf8_unchanged);
	RUN(appends);
	RUN(cstring_stops_at_nul);
	RUN(jansson_reads_back);
	RUN(string_max);
	RUN(uint_values);
	RUN(uint_max);
	RUN(at_same_bytes);
	return harness_done();
}
