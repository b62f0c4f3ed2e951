/*
 * Unit tests for common/gzw.c: what goes in comes out of zlib's inflate
 * (as gzip, RFC 1952) byte for byte, whether added in small pieces, in
 * pieces larger than the staging chunk, or not at all; members written one
 * after another with the same state; appending to a buffer that holds
 * data already; a buffer maximum that is too small; adding outside a
 * member.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gunzip.h"
#include "gzw.h"
#include "harness.h"

/* Gunzips n bytes at p into out (replaced). 0, or -1 when not gzip. */
static int
gunzip(const char *p, size_t n, struct buf *out)
{
	buf_reset(out);
	return gunzip_append(p, n, out);
}

/* Some text that compresses, as NDJSON does: n bytes of it into b. */
static void
sample(struct buf *b, size_t n)
{
	unsigned long long i = 0;

	buf_reset(b);
	for (; b->len < n; i++)
		buf_printf(b, "{\"id\":%llu,\"name\":\"n\\u00e9 %llu\"}\n", i,
		    i * 7919 % 1000);
	b->len = n;
	b->data[n] = '\0';
}

TEST(small_pieces_round_trip)
{
	struct gzw g;
	struct buf out = BUF_INIT, in = BUF_INIT, back = BUF_INIT;
	size_t i;

	sample(&in, 300000);
	gzw_init(&g, 1);
	CHECK(gzw_begin(&g, &out) == 0);
	for (i = 0; i < in.len; i += 100)
		CHECK(gzw_add(&g, in.data + i,
		          in.len - i < 100 ? in.len - i : 100) == 0);
	CHECK(g.in == in.len);
	CHECK(gzw_end(&g) == 0);
	CHECK((unsigned char)out.data[0] == 0x1f &&
	      (unsigned char)out.data[1] == 0x8b);
	CHECK(out.len < in.len / 3);
	CHECK(gunzip(out.data, out.len, &back) == 0);
	CHECK(back.len == in.len && memcmp(back.data, in.data, in.len) == 0);
	gzw_release(&g);
	buf_release(&out);
	buf_release(&in);
	buf_release(&back);
}

TEST(large_pieces_go_straight_through)
{
	struct gzw g;
	struct buf out = BUF_INIT, in = BUF_INIT, back = BUF_INIT;

	sample(&in, 3 * GZW_CHUNK + 17);
	gzw_init(&g, 6);
	CHECK(gzw_begin(&g, &out) == 0);
	CHECK(gzw_add(&g, "x", 1) == 0); /* staged, then a large piece */
	CHECK(gzw_add(&g, in.data, in.len) == 0);
	CHECK(gzw_add(&g, "y", 1) == 0);
	CHECK(gzw_end(&g) == 0);
	CHECK(gunzip(out.data, out.len, &back) == 0);
	CHECK(back.len == in.len + 2 && back.data[0] == 'x' &&
	      memcmp(back.data + 1, in.data, in.len) == 0 &&
	      back.data[in.len + 1] == 'y');
	gzw_release(&g);
	buf_release(&out);
	buf_release(&in);
	buf_release(&back);
}

TEST(empty_member)
{
	struct gzw g;
	struct buf out = BUF_INIT, back = BUF_INIT;

	gzw_init(&g, 1);
	CHECK(gzw_begin(&g, &out) == 0);
	CHECK(gzw_end(&g) == 0);
	CHECK(out.len > 0);
	CHECK(gunzip(out.data, out.len, &back) == 0);
	CHECK(back.len == 0);
	gzw_release(&g);
	buf_release(&out);
	buf_release(&back);
}

TEST(members_reuse_the_state)
{
	struct gzw g;
	struct buf a = BUF_INIT, b = BUF_INIT, back = BUF_INIT;

	gzw_init(&g, 1);
	CHECK(gzw_begin(&g, &a) == 0);
	CHECK(gzw_add(&g, "first\n", 6) == 0);
	CHECK(gzw_end(&g) == 0);
	/* Appended after what the buffer holds: the caller's bytes stay. */
	buf_adds(&b, "HEAD");
	CHECK(gzw_begin(&g, &b) == 0);
	CHECK(gzw_add(&g, "second\n", 7) == 0);
	CHECK(gzw_end(&g) == 0);
	CHECK(gunzip(a.data, a.len, &back) == 0);
	CHECK_MEM(back.data, back.len, "first\n");
	CHECK(memcmp(b.data, "HEAD", 4) == 0);
	CHECK(gunzip(b.data + 4, b.len - 4, &back) == 0);
	CHECK_MEM(back.data, back.len, "second\n");
	gzw_release(&g);
	buf_release(&a);
	buf_release(&b);
	buf_release(&back);
}

TEST(output_maximum_is_an_error)
{
	struct gzw g;
	struct buf out = BUF_INIT_MAX(64), in = BUF_INIT;

	/* Half a megabyte does not compress into 64 bytes. */
	sample(&in, 4 * GZW_CHUNK);
	gzw_init(&g, 1);
	CHECK(gzw_begin(&g, &out) == 0);
	CHECK(gzw_add(&g, in.data, in.len) < 0 || gzw_end(&g) < 0);
	gzw_release(&g);
	buf_release(&out);
	buf_release(&in);
}

TEST(adding_outside_a_member_is_refused)
{
	struct gzw g;
	struct buf out = BUF_INIT;

	gzw_init(&g, 1);
	CHECK(gzw_add(&g, "x", 1) < 0);
	CHECK(gzw_end(&g) < 0);
	CHECK(gzw_begin(&g, &out) == 0);
	CHECK(gzw_end(&g) == 0);
	CHECK(gzw_end(&g) < 0);
	gzw_release(&g);
	buf_release(&out);
}

int
main(void)
{
	RUN(small_pieces_round_trip);
	RUN(large_pieces_go_straight_through);
	RUN(empty_member);
	RUN(members_reuse_the_state);
	RUN(output_maximum_is_an_error);
	RUN(adding_outside_a_member_is_refused);
	return harness_done();
}
