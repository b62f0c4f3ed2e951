/*
 * Unit tests for common/buf.c: appending bytes, the hard maximum (a refused
 * append leaves the buffer as it was), buf_printf, buf_reset keeping the
 * memory, the NUL byte after the data, and the allocation wrappers.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"

TEST(append_bytes)
{
	struct buf b = BUF_INIT;

	CHECK(buf_add(&b, "abc", 3) == 0);
	CHECK(buf_addc(&b, '-') == 0);
	CHECK(buf_adds(&b, "xyz") == 0);
	CHECK(b.len == 7);
	CHECK_MEM(b.data, b.len, "abc-xyz");
	CHECK(b.data[b.len] == '\0');
	CHECK(b.cap >= b.len + 1);
	CHECK(b.max == BUF_UNLIMITED);
	buf_release(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
}

TEST(append_binary)
{
	struct buf b = BUF_INIT;

	/* A NUL byte inside the data is data, not an end. */
	CHECK(buf_add(&b, "a\0b", 3) == 0);
	CHECK(buf_add(&b, "\0", 1) == 0);
	CHECK(b.len == 4);
	CHECK(memcmp(b.data, "a\0b\0", 4) == 0);
	CHECK(b.data[4] == '\0');
	buf_release(&b);
}

TEST(append_empty_allocates_nul)
{
	struct buf b;

	buf_init(&b, 100);
	CHECK(b.data == NULL && b.len == 0 && b.max == 100);
	/* Even an empty append leaves printable text behind. */
	CHECK(buf_add(&b, "", 0) == 0);
	CHECK(b.data != NULL);
	CHECK(b.len == 0);
	CHECK_STR(b.data, "");
	buf_release(&b);
}

TEST(append_grows)
{
	struct buf b = BUF_INIT;
	size_t i;
	int ok = 1;

	for (i = 0; i < 10000; i++)
		CHECK(buf_adds(&b, "0123456789") == 0);
	CHECK(b.len == 100000);
	CHECK(b.cap > b.len);
	for (i = 0; i < 10000; i++) {
		if (memcmp(b.data + 10 * i, "0123456789", 10) != 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK(b.data[b.len] == '\0');
	CHECK(strlen(b.data) == b.len);
	buf_release(&b);
}

TEST(max_exact_fit)
{
	struct buf b;

	buf_init(&b, 8);
	CHECK(buf_adds(&b, "12345678") == 0);
	CHECK(b.len == 8);
	CHECK_STR(b.data, "12345678");
	/* One more byte is over the maximum. */
	CHECK(buf_addc(&b, 'x') == -1);
	CHECK(b.len == 8);
	CHECK_STR(b.data, "12345678");
	/* Nothing more is still fine. */
	CHECK(buf_add(&b, "", 0) == 0);
	CHECK(b.len == 8);
	buf_release(&b);
}

TEST(max_refused_leaves_unchanged)
{
	struct buf b;
	char *data;
	size_t cap;

	buf_init(&b, 8);
	CHECK(buf_adds(&b, "abcde") == 0);
	data = b.data;
	cap = b.cap;
	CHECK(buf_add(&b, "wxyz", 4) == -1);
	CHECK(b.len == 5);
	CHECK(b.data == data && b.cap == cap);
	CHECK_STR(b.data, "abcde");
	CHECK(buf_add(&b, "wxyz", BUF_UNLIMITED) == -1);
	CHECK(buf_add(&b, "wxyz", (size_t)-1) == -1);
	CHECK_STR(b.data, "abcde");
	CHECK(buf_grow(&b, 4) == -1);
	CHECK(buf_grow(&b, 3) == 0);
	CHECK(b.len == 5);
	CHECK(b.cap >= 9);
	CHECK(buf_adds(&b, "xyz") == 0);
	CHECK_STR(b.data, "abcdexyz");
	buf_release(&b);
}

TEST(max_refused_on_empty)
{
	struct buf b;

	buf_init(&b, 4);
	CHECK(buf_adds(&b, "hello") == -1);
	CHECK(b.len == 0);
	CHECK(b.data == NULL); /* unchanged: still nothing allocated */
	CHECK(buf_adds(&b, "hell") == 0);
	CHECK_STR(b.data, "hell");
	buf_release(&b);
}

TEST(max_zero)
{
	struct buf b;

	buf_init(&b, 0);
	CHECK(buf_addc(&b, 'a') == -1);
	CHECK(b.len == 0);
	CHECK(buf_add(&b, "", 0) == 0);
	CHECK_STR(b.data, "");
	buf_release(&b);
}

TEST(max_size_max)
{
	struct buf b;

	/*
	 * Nothing in buf.h keeps max below BUF_UNLIMITED, so the largest
	 * size_t must work too: room for 5 bytes means cap >= 6.
	 */
	buf_init(&b, (size_t)-1);
	CHECK(buf_grow(&b, 5) == 0);
	CHECK(b.data != NULL && b.cap >= 6);
	/* Only append when there is room, so that a failure stays clean. */
	if (b.cap >= 6) {
		CHECK(buf_adds(&b, "hello") == 0);
		CHECK_STR(b.data, "hello");
	}
	buf_release(&b);
}

TEST(printf_appends)
{
	struct buf b = BUF_INIT;
	char want[201];

	CHECK(buf_adds(&b, "x=") == 0);
	CHECK(buf_printf(&b, "%d-%s", 42, "y") == 0);
	CHECK_STR(b.data, "x=42-y");
	CHECK(b.len == 6);
	CHECK(buf_printf(&b, "%s", "") == 0);
	CHECK(b.len == 6);
	CHECK(buf_printf(&b, " %05.1f %llu", 3.14159, ULLONG_MAX) == 0);
	CHECK_STR(b.data, "x=42-y 003.1 18446744073709551615");
	CHECK(b.len == strlen(b.data));
	buf_reset(&b);
	/* Longer than the first allocation. */
	CHECK(buf_printf(&b, "%0200d", 7) == 0);
	memset(want, '0', 199);
	want[199] = '7';
	want[200] = '\0';
	CHECK_STR(b.data, want);
	CHECK(b.len == 200);
	buf_release(&b);
}

TEST(printf_max)
{
	struct buf b;

	buf_init(&b, 10);
	CHECK(buf_adds(&b, "abc") == 0);
	CHECK(buf_printf(&b, "%s", "12345678") == -1);
	CHECK(b.len == 3);
	CHECK_STR(b.data, "abc");
	CHECK(buf_printf(&b, "%d", 1234567) == 0);
	CHECK(b.len == 10);
	CHECK_STR(b.data, "abc1234567");
	CHECK(buf_printf(&b, "%c", 'z') == -1);
	CHECK_STR(b.data, "abc1234567");
	buf_release(&b);
}

TEST(reset_keeps_memory)
{
	struct buf b = BUF_INIT;
	char *data;
	size_t cap, i;

	for (i = 0; i < 100; i++)
		CHECK(buf_adds(&b, "0123456789") == 0);
	data = b.data;
	cap = b.cap;
	buf_reset(&b);
	CHECK(b.len == 0);
	CHECK(b.data == data);
	CHECK(b.cap == cap);
	CHECK_STR(b.data, "");
	for (i = 0; i < 100; i++)
		CHECK(buf_adds(&b, "abcdefghij") == 0);
	CHECK(b.data == data); /* it fits: no new allocation */
	CHECK(b.len == 1000);
	CHECK(memcmp(b.data, "abcdefghij", 10) == 0);
	buf_release(&b);
}

TEST(reset_unallocated)
{
	struct buf b = BUF_INIT;

	buf_reset(&b);
	CHECK(b.data == NULL && b.len == 0);
	CHECK(buf_adds(&b, "ok") == 0);
	CHECK_STR(b.data, "ok");
	buf_release(&b);
}

TEST(release_keeps_max)
{
	struct buf b;

	buf_init(&b, 3);
	CHECK(buf_adds(&b, "abc") == 0);
	buf_release(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	CHECK(b.max == 3);
	CHECK(buf_adds(&b, "abcd") == -1);
	CHECK(buf_adds(&b, "xy") == 0);
	CHECK_STR(b.data, "xy");
	buf_release(&b);
}

TEST(alloc_wrappers)
{
	char *s = xstrdup("hello");
	char *p;
	int *z;
	size_t i;
	int zero = 1;

	CHECK_STR(s, "hello");
	p = xrealloc(s, 100);
	CHECK_STR(p, "hello");
	free(p);
	z = xcalloc(50, sizeof(*z));
	for (i = 0; i < 50; i++) {
		if (z[i] != 0)
			zero = 0;
	}
	CHECK(zero);
	free(z);
	p = xmalloc(0);
	CHECK(p != NULL);
	free(p);
}

int
main(void)
{
	RUN(append_bytes);
	RUN(append_binary);
	RUN(append_empty_allocates_nul);
	RUN(append_grows);
	RUN(max_exact_fit);
	RUN(max_refused_leaves_unchanged);
	RUN(max_refused_on_empty);
	RUN(max_zero);
	RUN(max_size_max);
	RUN(printf_appends);
	RUN(printf_max);
	RUN(reset_keeps_memory);
	RUN(reset_unallocated);
	RUN(release_keeps_max);
	RUN(alloc_wrappers);
	return harness_done();
}
