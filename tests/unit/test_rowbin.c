/*
 * Unit tests for common/rowbin.c: a String's length as a LEB128 varint at
 * each width's edges (0, 127, 128, 16383, 16384), read back; UInt64 and
 * UInt32 little-endian; a row of several columns walked back; input that
 * ends inside a varint, a string or a fixed column refused with the
 * cursor unmoved; the buffer maximum.
 */
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "rowbin.h"

TEST(varint_widths)
{
	static const size_t lens[] = {0, 1, 127, 128, 16383, 16384, 70000};
	static const size_t width[] = {1, 1, 1, 2, 2, 3, 3};
	struct buf b = BUF_INIT;
	char *s = xmalloc(70000);
	size_t i, n;
	const char *got;

	memset(s, 'x', 70000);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct rowbin_in in;

		buf_reset(&b);
		CHECK(rowbin_string(&b, s, lens[i]) == 0);
		CHECK(b.len == width[i] + lens[i]);
		in =
		    (struct rowbin_in){(const unsigned char *)b.data, b.len, 0};
		CHECK(rowbin_take_string(&in, &got, &n) == 0);
		CHECK(
		    n == lens[i] && got == b.data + width[i] && in.at == b.len);
	}
	/* 128 is 0x80 0x01; 300 is 0xac 0x02. */
	buf_reset(&b);
	rowbin_string(&b, s, 128);
	CHECK((unsigned char)b.data[0] == 0x80 && b.data[1] == 0x01);
	buf_reset(&b);
	rowbin_string(&b, s, 300);
	CHECK((unsigned char)b.data[0] == 0xac && b.data[1] == 0x02);
	free(s);
	buf_release(&b);
}

TEST(numbers_little_endian)
{
	struct buf b = BUF_INIT;

	CHECK(rowbin_u64(&b, 0x0102030405060708ULL) == 0);
	CHECK(rowbin_u32(&b, 0x0a0b0c0dU) == 0);
	CHECK(b.len == 12);
	CHECK(memcmp(b.data, "\x08\x07\x06\x05\x04\x03\x02\x01\x0d\x0c\x0b\x0a",
	          12) == 0);
	buf_release(&b);
}

TEST(a_row_walked_back)
{
	struct buf b = BUF_INIT;
	struct rowbin_in in;
	const char *s;
	size_t n;

	rowbin_string(&b, "src", 3);
	buf_add(&b, "0123456789", 10); /* a FixedString(10) */
	rowbin_u64(&b, 42);
	rowbin_string(&b, "a\0b\n", 4); /* any bytes */
	in = (struct rowbin_in){(const unsigned char *)b.data, b.len, 0};
	CHECK(rowbin_take_string(&in, &s, &n) == 0);
	CHECK_MEM(s, n, "src");
	CHECK(rowbin_take(&in, 10, &s) == 0);
	CHECK_MEM(s, 10, "0123456789");
	CHECK(rowbin_take(&in, 8, &s) == 0 && s[0] == 42);
	CHECK(rowbin_take_string(&in, &s, &n) == 0);
	CHECK(n == 4 && memcmp(s, "a\0b\n", 4) == 0);
	CHECK(in.at == b.len);
	buf_release(&b);
}

TEST(short_input_refused)
{
	struct rowbin_in in;
	const char *s = NULL;
	size_t n = 99;

	/* A varint whose last byte is missing. */
	in = (struct rowbin_in){(const unsigned char *)"\x80", 1, 0};
	CHECK(rowbin_take_string(&in, &s, &n) == -1 && in.at == 0);
	/* A string longer than what is left. */
	in = (struct rowbin_in){(const unsigned char *)"\x05"
	                                               "abcd",
	    5, 0};
	CHECK(rowbin_take_string(&in, &s, &n) == -1 && in.at == 0);
	/* A varint that never ends. */
	in = (struct rowbin_in){
	    (const unsigned char
	            *)"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
	    11, 0};
	CHECK(rowbin_take_string(&in, &s, &n) == -1 && in.at == 0);
	/* A fixed column cut short. */
	in = (struct rowbin_in){(const unsigned char *)"abc", 3, 0};
	CHECK(rowbin_take(&in, 4, &s) == -1 && in.at == 0);
	CHECK(rowbin_take(&in, 3, &s) == 0 && in.at == 3);
	CHECK(n == 99);
}

TEST(buffer_maximum)
{
	struct buf b = BUF_INIT_MAX(8);

	CHECK(rowbin_string(&b, "1234567", 7) == 0);
	CHECK(rowbin_string(&b, "", 0) == -1);
	CHECK(b.len == 8);
	CHECK(rowbin_u32(&b, 1) == -1);
	buf_release(&b);
}

int
main(void)
{
	RUN(varint_widths);
	RUN(numbers_little_endian);
	RUN(a_row_walked_back);
	RUN(short_input_refused);
	RUN(buffer_maximum);
	return harness_done();
}
