/*
 * Unit tests for common/utf8.c: validation as RFC 3629 has it (overlong
 * forms, surrogates, code points above U+10FFFF, truncated sequences and
 * lone continuation bytes are invalid), repair with U+FFFD, conversion from
 * Latin-1 and CP1252, and the names encoding_parse() accepts, and hex_digit()
 * on every byte.
 */
#include <ctype.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "utf8.h"

/* The valid prefix of a string literal, which may hold NUL bytes. */
#define VP(lit) utf8_valid_prefix((lit), sizeof(lit) - 1)

#define FFFD "\xef\xbf\xbd"

/*
 * Compares n bytes at got with wn bytes at want, either of which may hold
 * NUL bytes, and shows both in hex when they differ.
 */
static void
check_bytes(const char *got, size_t n, const char *want, size_t wn, int line)
{
	size_t i;

	if (n == wn && (n == 0 || memcmp(got, want, n) == 0))
		return;
	harness_failed_checks++;
	fprintf(stderr, "%s:%d: got", __FILE__, line);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02x", (unsigned char)got[i]);
	fprintf(stderr, ", want");
	for (i = 0; i < wn; i++)
		fprintf(stderr, " %02x", (unsigned char)want[i]);
	fprintf(stderr, "\n");
}

/* Converts a string literal and compares the result with want. */
#define CHECK_FROM(lit, enc, want)                                             \
	do {                                                                   \
		struct buf b_ = BUF_INIT;                                      \
		CHECK(utf8_from(&b_, (lit), sizeof(lit) - 1, (enc)) == 0);     \
		check_bytes(                                                   \
		    b_.data, b_.len, (want), sizeof(want) - 1, __LINE__);      \
		buf_release(&b_);                                              \
	} while (0)

/* Repairs a string literal and compares the result with want. */
#define CHECK_REPAIR(lit, want)                                                \
	do {                                                                   \
		struct buf b_ = BUF_INIT;                                      \
		CHECK(utf8_repair(&b_, (lit), sizeof(lit) - 1) == 0);          \
		check_bytes(                                                   \
		    b_.data, b_.len, (want), sizeof(want) - 1, __LINE__);      \
		buf_release(&b_);                                              \
	} while (0)

TEST(valid_sequences)
{
	CHECK(VP("") == 0);
	CHECK(VP("hello") == 5);
	CHECK(VP("a\0b") == 3); /* U+0000 is a valid character */
	CHECK(VP("\x7f") == 1);
	CHECK(VP("\xc2\x80") == 2);         /* U+0080 */
	CHECK(VP("\xc3\xa9") == 2);         /* é */
	CHECK(VP("\xdf\xbf") == 2);         /* U+07FF */
	CHECK(VP("\xe0\xa0\x80") == 3);     /* U+0800 */
	CHECK(VP("\xe2\x82\xac") == 3);     /* € */
	CHECK(VP("\xed\x9f\xbf") == 3);     /* U+D7FF, below the surrogates */
	CHECK(VP("\xee\x80\x80") == 3);     /* U+E000, above them */
	CHECK(VP("\xef\xbf\xbf") == 3);     /* U+FFFF */
	CHECK(VP("\xf0\x90\x80\x80") == 4); /* U+10000 */
	CHECK(VP("\xf0\x9f\x98\x80") == 4); /* 😀 */
	CHECK(VP("\xf4\x8f\xbf\xbf") == 4); /* U+10FFFF */
	CHECK(VP("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 ok") == 17);
}

TEST(overlong_forms)
{
	CHECK(VP("\xc0\x80") == 0);
	CHECK(VP("\xc1\xbf") == 0);
	CHECK(VP("\xe0\x80\x80") == 0);
	CHECK(VP("\xe0\x9f\xbf") == 0);
	CHECK(VP("\xf0\x80\x80\x80") == 0);
	CHECK(VP("\xf0\x8f\xbf\xbf") == 0);
	CHECK(VP("ab\xc0\x80") == 2);
	CHECK(VP("\xc3\xa9\xe0\x80\x80") == 2);
	CHECK(VP("abc\xf0\x80\x80\x80z") == 3);
}

TEST(surrogates)
{
	CHECK(VP("\xed\xa0\x80") == 0); /* U+D800 */
	CHECK(VP("\xed\xbf\xbf") == 0); /* U+DFFF */
	CHECK(VP("\xed\xb0\x80") == 0); /* U+DC00 */
	CHECK(VP("x\xed\xa0\x80") == 1);
	/* A CESU-8 pair is two surrogates, not one character. */
	CHECK(VP("\xed\xa0\xbd\xed\xb8\x80") == 0);
}

TEST(above_max)
{
	CHECK(VP("\xf4\x90\x80\x80") == 0); /* U+110000 */
	CHECK(VP("\xf4\xbf\xbf\xbf") == 0);
	CHECK(VP("\xf5\x80\x80\x80") == 0);
	CHECK(VP("\xf7\xbf\xbf\xbf") == 0);
	CHECK(VP("\xf8\x88\x80\x80\x80") == 0); /* old 5-byte form */
	CHECK(VP("\xfc\x84\x80\x80\x80\x80") == 0);
	CHECK(VP("\xfe") == 0);
	CHECK(VP("\xff") == 0);
	CHECK(VP("ok\xf4\x90\x80\x80") == 2);
}

TEST(truncated_sequences)
{
	CHECK(VP("\xc3") == 0);
	CHECK(VP("\xe2\x82") == 0);
	CHECK(VP("\xe2") == 0);
	CHECK(VP("\xf0\x9f\x98") == 0);
	CHECK(VP("\xf0\x9f") == 0);
	CHECK(VP("abc\xe2\x82") == 3);
	/* Cut short by the next character, not by the end. */
	CHECK(VP("\xe2\x82z") == 0);
	CHECK(VP("\xc3 ") == 0);
	CHECK(VP("a\xf0\x9f\x98\xc3\xa9") == 1);
	/* n, not the NUL byte, is the end: a sequence cut by n is invalid. */
	CHECK(utf8_valid_prefix("\xc3\xa9", 1) == 0);
	CHECK(utf8_valid_prefix("ab\xe2\x82\xac", 4) == 2);
	CHECK(utf8_valid_prefix("ab\xe2\x82\xac", 5) == 5);
}

TEST(lone_continuation)
{
	CHECK(VP("\x80") == 0);
	CHECK(VP("\xbf") == 0);
	CHECK(VP("a\xbf") == 1);
	CHECK(VP("\xc3\xa9\x80") == 2);
	CHECK(VP("\xe2\x82\xac\x82\xac") == 3);
}

TEST(offset_after_ascii_runs)
{
	/* Runs of ASCII of every length before the bad byte. */
	CHECK(VP("abcdefg\x80") == 7);
	CHECK(VP("abcdefgh\x80") == 8);
	CHECK(VP("abcdefghi\x80") == 9);
	CHECK(VP("0123456789abcdef\xc3") == 16);
	CHECK(VP("0123456789abcdefg\xff") == 17);
	CHECK(VP("abc\xff"
	         "defghijklmnop") == 3);
	CHECK(VP("0123456789abcdef\xc3\xa9"
	         "0123456789abcdef\xed\xa0\x80") == 34);
	CHECK(VP("0123456789abcdef0123456789abcdef") == 32);
}

TEST(every_two_byte_lead)
{
	char s[2];
	unsigned c;
	int bad = 0;

	/* C0 and C1 only make overlong forms; C2..DF are leads. */
	for (c = 0x80; c <= 0xff; c++) {
		s[0] = (char)c;
		s[1] = (char)0x80;
		if (utf8_valid_prefix(s, 2) != (c >= 0xc2 && c <= 0xdf ? 2 : 0))
			bad++;
	}
	CHECK(bad == 0);
}

TEST(repair_replaces_bad_bytes)
{
	CHECK_REPAIR("plain text", "plain text");
	CHECK_REPAIR("", "");
	CHECK_REPAIR("caf\xc3\xa9", "caf\xc3\xa9");
	CHECK_REPAIR("a\xff"
	             "b",
	    "a" FFFD "b");
	CHECK_REPAIR("\xe9t\xe9", FFFD "t" FFFD);
	CHECK_REPAIR("\x80", FFFD);
	/* Every byte of an invalid sequence is replaced. */
	CHECK_REPAIR("\xc0\x80", FFFD FFFD);
	CHECK_REPAIR("\xed\xa0\x80", FFFD FFFD FFFD);
	CHECK_REPAIR("\xf4\x90\x80\x80!", FFFD FFFD FFFD FFFD "!");
	CHECK_REPAIR("x\xe2\x82", "x" FFFD FFFD);
	/* A truncated sequence before a valid one: the valid one stays. */
	CHECK_REPAIR("\xe2\xc3\xa9", FFFD "\xc3\xa9");
	CHECK_REPAIR("a\0b\xfe", "a\0b" FFFD);
}

TEST(repair_appends_and_is_valid)
{
	struct buf b = BUF_INIT;
	char all[256];
	size_t i;

	CHECK(buf_adds(&b, "pre:") == 0);
	CHECK(utf8_repair(&b, "\xff", 1) == 0);
	CHECK_MEM(b.data, b.len, "pre:" FFFD);
	buf_reset(&b);
	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	CHECK(utf8_repair(&b, all, sizeof(all)) == 0);
	/* 128 ASCII bytes and 128 replacements: no byte is valid alone. */
	CHECK(b.len == 128 + 128 * 3);
	CHECK(utf8_valid_prefix(b.data, b.len) == b.len);
	buf_release(&b);
}

TEST(repair_max)
{
	struct buf b;

	buf_init(&b, 4);
	CHECK(utf8_repair(&b, "ab\xff", 3) == -1);
	buf_release(&b);
	buf_init(&b, 5);
	CHECK(utf8_repair(&b, "ab\xff", 3) == 0);
	CHECK_MEM(b.data, b.len, "ab" FFFD);
	buf_release(&b);
}

TEST(from_latin1)
{
	CHECK_FROM("caf\xe9", ENC_LATIN1, "caf\xc3\xa9");
	CHECK_FROM("plain", ENC_LATIN1, "plain");
	CHECK_FROM("", ENC_LATIN1, "");
	CHECK_FROM("\x80", ENC_LATIN1, "\xc2\x80");
	CHECK_FROM("\x93", ENC_LATIN1, "\xc2\x93");
	CHECK_FROM("\xa0", ENC_LATIN1, "\xc2\xa0");
	CHECK_FROM("\xbf", ENC_LATIN1, "\xc2\xbf");
	CHECK_FROM("\xc0", ENC_LATIN1, "\xc3\x80");
	CHECK_FROM("\xff", ENC_LATIN1, "\xc3\xbf");
	CHECK_FROM("a\0\xe9", ENC_LATIN1, "a\0\xc3\xa9");
	CHECK_FROM("\xc3\xa9", ENC_LATIN1, "\xc3\x83\xc2\xa9");
}

TEST(from_latin1_every_byte)
{
	struct buf b = BUF_INIT;
	char c;
	unsigned i, cp;
	int bad = 0;

	/* Every Latin-1 byte is the code point of the same value. */
	for (i = 0; i < 256; i++) {
		buf_reset(&b);
		c = (char)i;
		CHECK(utf8_from(&b, &c, 1, ENC_LATIN1) == 0);
		if (i < 0x80) {
			if (b.len != 1 || (unsigned char)b.data[0] != i)
				bad++;
			continue;
		}
		cp = ((unsigned char)b.data[0] & 0x1fu) << 6 |
		     ((unsigned char)b.data[1] & 0x3fu);
		if (b.len != 2 || cp != i || utf8_valid_prefix(b.data, 2) != 2)
			bad++;
	}
	CHECK(bad == 0);
	buf_release(&b);
}

TEST(from_cp1252)
{
	CHECK_FROM("\x80", ENC_CP1252, "\xe2\x82\xac"); /* € */
	CHECK_FROM("\x93quoted\x94", ENC_CP1252,
	    "\xe2\x80\x9cquoted\xe2\x80\x9d");                /* “ ” */
	CHECK_FROM("it\x92s", ENC_CP1252, "it\xe2\x80\x99s"); /* ’ */
	CHECK_FROM("\x85", ENC_CP1252, "\xe2\x80\xa6");       /* … */
	CHECK_FROM("\x96\x97", ENC_CP1252, "\xe2\x80\x93\xe2\x80\x94");
	CHECK_FROM("\x99", ENC_CP1252, "\xe2\x84\xa2");         /* ™ */
	CHECK_FROM("\x8a\x9a", ENC_CP1252, "\xc5\xa0\xc5\xa1"); /* Š š */
	CHECK_FROM("\x9f", ENC_CP1252, "\xc5\xb8");             /* Ÿ */
	CHECK_FROM("\x83", ENC_CP1252, "\xc6\x92");             /* ƒ */
	/* The five undefined bytes: C1 controls, as WHATWG decodes them. */
	CHECK_FROM("\x81", ENC_CP1252, "\xc2\x81");
	CHECK_FROM("\x8d", ENC_CP1252, "\xc2\x8d");
	CHECK_FROM("\x8f", ENC_CP1252, "\xc2\x8f");
	CHECK_FROM("\x90", ENC_CP1252, "\xc2\x90");
	CHECK_FROM("\x9d", ENC_CP1252, "\xc2\x9d");
	/* Above 0x9F CP1252 is Latin-1. */
	CHECK_FROM("\xa0\xe9\xff", ENC_CP1252, "\xc2\xa0\xc3\xa9\xc3\xbf");
	CHECK_FROM("caf\xe9 \x80 5", ENC_CP1252, "caf\xc3\xa9 \xe2\x82\xac 5");
}

TEST(from_cp1252_every_byte_valid)
{
	struct buf b = BUF_INIT;
	char all[256];
	size_t i;

	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	CHECK(utf8_from(&b, all, sizeof(all), ENC_CP1252) == 0);
	CHECK(utf8_valid_prefix(b.data, b.len) == b.len);
	CHECK(memcmp(b.data, all, 128) == 0);
	buf_release(&b);
}

TEST(from_utf8_copies)
{
	/* ENC_UTF8 copies the bytes as they are, even invalid ones. */
	CHECK_FROM("caf\xc3\xa9", ENC_UTF8, "caf\xc3\xa9");
	CHECK_FROM("\xff\x80", ENC_UTF8, "\xff\x80");
}

TEST(from_appends_and_max)
{
	struct buf b;

	buf_init(&b, 6);
	CHECK(buf_adds(&b, "x:") == 0);
	CHECK(utf8_from(&b, "\xe9", 1, ENC_LATIN1) == 0);
	CHECK_MEM(b.data, b.len, "x:\xc3\xa9");
	/* Three more bytes do not fit in six. */
	CHECK(utf8_from(&b, "\x80", 1, ENC_CP1252) == -1);
	buf_release(&b);
}

TEST(encoding_names)
{
	enum encoding e;

	e = ENC_LATIN1;
	CHECK(encoding_parse("utf-8", &e) == 0 && e == ENC_UTF8);
	e = ENC_LATIN1;
	CHECK(encoding_parse("UTF-8", &e) == 0 && e == ENC_UTF8);
	e = ENC_LATIN1;
	CHECK(encoding_parse("utf8", &e) == 0 && e == ENC_UTF8);
	e = ENC_UTF8;
	CHECK(encoding_parse("latin1", &e) == 0 && e == ENC_LATIN1);
	e = ENC_UTF8;
	CHECK(encoding_parse("Latin-1", &e) == 0 && e == ENC_LATIN1);
	e = ENC_UTF8;
	CHECK(encoding_parse("ISO-8859-1", &e) == 0 && e == ENC_LATIN1);
	e = ENC_UTF8;
	CHECK(encoding_parse("iso8859-1", &e) == 0 && e == ENC_LATIN1);
	e = ENC_UTF8;
	CHECK(encoding_parse("cp1252", &e) == 0 && e == ENC_CP1252);
	e = ENC_UTF8;
	CHECK(encoding_parse("CP1252", &e) == 0 && e == ENC_CP1252);
	e = ENC_UTF8;
	CHECK(encoding_parse("windows-1252", &e) == 0 && e == ENC_CP1252);
	e = ENC_UTF8;
	CHECK(encoding_parse("Windows-1252", &e) == 0 && e == ENC_CP1252);
}

TEST(encoding_bad_names)
{
	enum encoding e = ENC_UTF8;

	CHECK(encoding_parse("", &e) == -1);
	CHECK(encoding_parse("ascii", &e) == -1);
	CHECK(encoding_parse("utf-16", &e) == -1);
	CHECK(encoding_parse("latin2", &e) == -1);
	CHECK(encoding_parse("cp125", &e) == -1);
	CHECK(encoding_parse("utf-8 ", &e) == -1);
	CHECK(encoding_parse("cp12520", &e) == -1);
}

/* Every byte: the sixteen digits of either case, nothing else. */
TEST(hex_digits)
{
	const char *digits = "0123456789abcdef";
	int c, n = 0;

	for (c = -1; c < 256; c++) {
		const char *at = c > 0 ? strchr(digits, tolower(c)) : NULL;

		if (at && *at)
			CHECK(hex_digit(c) == (int)(at - digits));
		else
			CHECK(hex_digit(c) == -1);
		n += hex_digit(c) >= 0;
	}
	CHECK(n == 22);
}

int
main(void)
{
	RUN(valid_sequences);
	RUN(hex_digits);
	RUN(overlong_forms);
	RUN(surrogates);
	RUN(above_max);
	RUN(truncated_sequences);
	RUN(lone_continuation);
	RUN(offset_after_ascii_runs);
	RUN(every_two_byte_lead);
	RUN(repair_replaces_bad_bytes);
	RUN(repair_appends_and_is_valid);
	RUN(repair_max);
	RUN(from_latin1);
	RUN(from_latin1_every_byte);
	RUN(from_cp1252);
	RUN(from_cp1252_every_byte_valid);
	RUN(from_utf8_copies);
	RUN(from_appends_and_max);
	RUN(encoding_names);
	RUN(encoding_bad_names);
	return harness_done();
}
