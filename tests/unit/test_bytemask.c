/*
 * Unit tests for common/bytemask.c: the masks of every length from 0 to
 * 64, the bytes at every place of a block (so each SSE2 lane and the
 * tail), the odd bytes (each control byte, the backslash, every byte from
 * 0x80, and not DEL or a quote), and random blocks against the byte loop,
 * also at unaligned starts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytemask.h"
#include "harness.h"

TEST(empty_and_plain)
{
	struct bytemask m;
	char s[64];

	memset(s, ',', sizeof(s));
	bytemask(s, 0, ',', '"', &m);
	CHECK(m.a == 0 && m.b == 0 && m.odd == 0);
	memset(s, 'x', sizeof(s));
	bytemask(s, 64, ',', '"', &m);
	CHECK(m.a == 0 && m.b == 0 && m.odd == 0);
}

/* One byte c at each place i of a block of n 'x': only bit i is set. */
TEST(each_place)
{
	struct bytemask m;
	size_t n, i;
	char s[64];
	int bad = 0;

	for (n = 1; n <= 64; n++) {
		for (i = 0; i < n; i++) {
			memset(s, 'x', sizeof(s));
			s[i] = ',';
			bytemask(s, n, ',', '"', &m);
			bad += m.a != (uint64_t)1 << i || m.b || m.odd;
			s[i] = '"';
			bytemask(s, n, ',', '"', &m);
			bad += m.b != (uint64_t)1 << i || m.a || m.odd;
			s[i] = '\n';
			bytemask(s, n, ',', '"', &m);
			bad += m.odd != (uint64_t)1 << i || m.a || m.b;
		}
		/* Past n nothing counts, whatever is there. */
		memset(s, ',', sizeof(s));
		bytemask(s, n - 1, ',', '"', &m);
		bad += m.a != (n == 1 ? 0 : ~(uint64_t)0 >> (65 - n));
	}
	CHECK(bad == 0);
}

TEST(odd_bytes)
{
	struct bytemask m;
	char s[16];
	int c, bad = 0, want;

	for (c = 0; c < 256; c++) {
		memset(s, 'x', sizeof(s));
		s[3] = (char)c;
		bytemask(s, sizeof(s), '\t', '"', &m);
		want = c < 0x20 || c >= 0x80 || c == '\\';
		if ((m.odd == 8) != want || (m.odd & ~(uint64_t)8)) {
			fprintf(stderr, "byte 0x%02x: odd mask %llx\n", c,
			    (unsigned long long)m.odd);
			bad++;
		}
		bad += (m.a == 8) != (c == '\t') || (m.b == 8) != (c == '"');
	}
	CHECK(bad == 0);
}

TEST(random_blocks_as_the_byte_loop)
{
	static const char pool[] = ",\";\t\\\n\r\x80\xc3\xa9"
	                           "ab \x7f";
	struct bytemask m, want;
	char s[80];
	size_t n, off, i;
	int round, bad = 0;

	srand(7);
	for (round = 0; round < 20000; round++) {
		for (i = 0; i < sizeof(s); i++)
			s[i] = rand() % 4 ? pool[rand() % (sizeof(pool) - 1)]
			                  : (char)(rand() % 256);
		off = (size_t)rand() % 16;
		n = (size_t)rand() % 65;
		bytemask(s + off, n, ',', ';', &m);
		bytemask_bytes(s + off, n, ',', ';', &want);
		bad += m.a != want.a || m.b != want.b || m.odd != want.odd;
	}
	CHECK(bad == 0);
}

int
main(void)
{
	RUN(empty_and_plain);
	RUN(each_place);
	RUN(odd_bytes);
	RUN(random_blocks_as_the_byte_loop);
	return harness_done();
}
