/*
 * Unit tests for common/gzbuf.c: what goes in comes out of zlib's inflate
 * (as one gzip member, RFC 1952) byte for byte, and out of gzip -d: NDJSON
 * of several sizes, no bytes at all, bytes that do not compress; appended
 * after what a buffer holds, the compressor reused; a maximum too small
 * leaving the buffer as it was; a size near zlib's level 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "gunzip.h"
#include "gzbuf.h"
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
		buf_printf(b,
		    "{\"id\":%llu,\"name\":\"n\\u00e9 %llu\",\"ok\":%s}\n", i,
		    i * 7919 % 1000, i % 3 ? "true" : "false");
	b->len = n;
	b->data[n] = '\0';
}

/* n bytes that do not compress (a fixed xorshift stream) into b. */
static void
noise(struct buf *b, size_t n)
{
	unsigned long long x = 88172645463325252ull;
	size_t i;

	buf_reset(b);
	CHECK(buf_reserve(b, n) == 0);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b->data[i] = (char)(x >> 24);
	}
	b->len = n;
	b->data[n] = '\0';
}

/* in gzipped, then gunzipped: the same bytes. Returns the gzipped size. */
static size_t
round_trip(struct gzbuf *g, const struct buf *in)
{
	struct buf out = BUF_INIT, back = BUF_INIT;
	size_t n;

	CHECK(gzbuf_compress(g, in->data, in->len, &out) == 0);
	CHECK(out.len >= 18 && (unsigned char)out.data[0] == 0x1f &&
	      (unsigned char)out.data[1] == 0x8b);
	CHECK(out.data[out.len] == '\0');
	CHECK(gunzip(out.data, out.len, &back) == 0);
	CHECK(back.len == in->len &&
	      (in->len == 0 || memcmp(back.data, in->data, in->len) == 0));
	n = out.len;
	buf_release(&out);
	buf_release(&back);
	return n;
}

TEST(ndjson_round_trip)
{
	static const size_t sizes[] = {1, 100, 65536, 300000, 9u << 20};
	struct gzbuf g;
	struct buf in = BUF_INIT;
	size_t i, n;

	gzbuf_init(&g, GZBUF_LEVEL);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		sample(&in, sizes[i]);
		n = round_trip(&g, &in);
		if (sizes[i] >= 65536)
			CHECK(n < in.len / 4);
	}
	gzbuf_release(&g);
	buf_release(&in);
}

TEST(empty_input)
{
	struct gzbuf g;
	struct buf in = BUF_INIT, out = BUF_INIT, back = BUF_INIT;

	gzbuf_init(&g, GZBUF_LEVEL);
	round_trip(&g, &in);
	/* A NULL pointer with no bytes, as an empty buf has. */
	CHECK(gzbuf_compress(&g, NULL, 0, &out) == 0);
	CHECK(gunzip(out.data, out.len, &back) == 0 && back.len == 0);
	gzbuf_release(&g);
	buf_release(&out);
	buf_release(&back);
}

TEST(incompressible_input)
{
	struct gzbuf g;
	struct buf in = BUF_INIT;
	size_t n;

	gzbuf_init(&g, GZBUF_LEVEL);
	noise(&in, 3u << 20);
	n = round_trip(&g, &in);
	/* Stored blocks: a little more than the input, never much more. */
	CHECK(n > in.len && n < in.len + in.len / 100 + 64);
	gzbuf_release(&g);
	buf_release(&in);
}

TEST(appended_and_reused)
{
	struct gzbuf g;
	struct buf a = BUF_INIT, b = BUF_INIT, back = BUF_INIT;

	gzbuf_init(&g, GZBUF_LEVEL);
	CHECK(gzbuf_compress(&g, "first\n", 6, &a) == 0);
	/* Appended after what the buffer holds: the caller's bytes stay. */
	buf_adds(&b, "HEAD");
	CHECK(gzbuf_compress(&g, "second\n", 7, &b) == 0);
	CHECK(gunzip(a.data, a.len, &back) == 0);
	CHECK_MEM(back.data, back.len, "first\n");
	CHECK(memcmp(b.data, "HEAD", 4) == 0);
	CHECK(gunzip(b.data + 4, b.len - 4, &back) == 0);
	CHECK_MEM(back.data, back.len, "second\n");
	/* Released, then used again: a new compressor. */
	gzbuf_release(&g);
	CHECK(gzbuf_compress(&g, "third\n", 6, &a) == 0);
	gzbuf_release(&g);
	buf_release(&a);
	buf_release(&b);
	buf_release(&back);
}

TEST(maximum_too_small_leaves_the_buffer)
{
	struct gzbuf g;
	struct buf out = BUF_INIT_MAX(64), in = BUF_INIT,
	           full = BUF_INIT_MAX(4);

	/* Noise does not compress into 64 bytes; out keeps what it held. */
	noise(&in, 4096);
	buf_adds(&out, "keep");
	gzbuf_init(&g, GZBUF_LEVEL);
	CHECK(gzbuf_compress(&g, in.data, in.len, &out) < 0);
	CHECK_MEM(out.data, out.len, "keep");
	/* Small enough, it fits under the same maximum. */
	CHECK(gzbuf_compress(&g, "x", 1, &out) == 0);
	CHECK(out.len <= 64);
	/* A buffer at its maximum already. */
	buf_adds(&full, "full");
	CHECK(gzbuf_compress(&g, "x", 1, &full) < 0);
	CHECK_MEM(full.data, full.len, "full");
	gzbuf_release(&g);
	buf_release(&out);
	buf_release(&in);
	buf_release(&full);
}

/* zlib's deflate at level 1 with a gzip wrapper: the size of in so. */
static size_t
zlib_size(const struct buf *in)
{
	z_stream z;
	size_t cap = compressBound((uLong)in->len) + 64, n;
	unsigned char *out = malloc(cap);

	memset(&z, 0, sizeof(z));
	CHECK(out && deflateInit2(
	                 &z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	z.next_in = (Bytef *)in->data;
	z.avail_in = (uInt)in->len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
	n = z.total_out;
	deflateEnd(&z);
	free(out);
	return n;
}

TEST(size_near_zlib_level_1)
{
	struct gzbuf g;
	struct buf in = BUF_INIT;
	size_t ours, theirs;

	sample(&in, 2u << 20);
	gzbuf_init(&g, GZBUF_LEVEL);
	ours = round_trip(&g, &in);
	theirs = zlib_size(&in);
	CHECK(ours <= theirs + theirs / 20);
	gzbuf_release(&g);
	/* Levels outside 1 to 12 are the nearest. */
	gzbuf_init(&g, 0);
	CHECK(g.level == 1);
	gzbuf_init(&g, 99);
	CHECK(g.level == 12);
	round_trip(&g, &in);
	gzbuf_release(&g);
	buf_release(&in);
}

/* gzip(1) reads it too: the member written to a file, gzip -dc. */
TEST(gzip_reads_it)
{
	struct gzbuf g;
	struct buf in = BUF_INIT, out = BUF_INIT, back = BUF_INIT;
	char path[] = "/tmp/test_gzbuf.XXXXXX", cmd[128], tmp[65536];
	FILE *f, *p;
	size_t n;
	int fd;

	sample(&in, 500000);
	gzbuf_init(&g, GZBUF_LEVEL);
	CHECK(gzbuf_compress(&g, in.data, in.len, &out) == 0);
	CHECK((fd = mkstemp(path)) >= 0);
	CHECK((f = fdopen(fd, "wb")) != NULL);
	CHECK(fwrite(out.data, 1, out.len, f) == out.len);
	CHECK(fclose(f) == 0);
	snprintf(cmd, sizeof(cmd), "gzip -dc < %s", path);
	CHECK((p = popen(cmd, "r")) != NULL);
	while ((n = fread(tmp, 1, sizeof(tmp), p)) > 0)
		buf_add(&back, tmp, n);
	CHECK(pclose(p) == 0);
	CHECK(back.len == in.len && memcmp(back.data, in.data, in.len) == 0);
	unlink(path);
	gzbuf_release(&g);
	buf_release(&in);
	buf_release(&out);
	buf_release(&back);
}

int
main(void)
{
	RUN(ndjson_round_trip);
	RUN(empty_input);
	RUN(incompressible_input);
	RUN(appended_and_reused);
	RUN(maximum_too_small_leaves_the_buffer);
	RUN(size_near_zlib_level_1);
	RUN(gzip_reads_it);
	return harness_done();
}
