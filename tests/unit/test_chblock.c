/*
 * Unit tests for common/cityhash.c and common/chblock.c (and
 * common/shipcodec.c, which picks between gzip and them):
 *
 *   - CityHash128 against checksums a ClickHouse server (18.16) computed:
 *     each vector is a block of method "none", 9 + k bytes, sent to the
 *     server with a zero checksum, whose refusal names the checksum it
 *     expected ("Actual: ..."), 32 hex digits, lo then hi. The lengths
 *     cover every branch of the function (under 16, under 128, the 128-byte
 *     loop and its tail). tests/scripts/chblock.sh has the server take
 *     blocks of every length from this side.
 *   - blocks: what goes in comes out; NDJSON is LZ4'd, bytes LZ4 cannot
 *     shrink go as they are; more than a block's worth makes several; a
 *     byte changed anywhere, a block cut short or of an unknown method is
 *     refused with where; appended after what out holds.
 *   - shipcodec: names, the URL parameter, the Content-Encoding, and both
 *     codecs' pack and unpack.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "chblock.h"
#include "cityhash.h"
#include "harness.h"
#include "shipcodec.h"

/* The server's vectors: a block of method none holding k = n - 9 bytes
 * (i * 7 + 3) & 0xff. */
static const struct {
	size_t n;
	const char *hex;
} vectors[] = {
    {9, "974f2cf0ae3066c75542df7f2ac1d4b6"},
    {15, "aa2f205b878aa896b9ef8cabdf3e0eec"},
    {16, "d5d405973bacad9323758941f6fb0500"},
    {17, "fed4bd80a30c2a7d9a59e8f0edd4f48c"},
    {31, "a725caf6d9158d043c2c1ccfa021ed20"},
    {64, "26a0b2ba23bd6e01debf1a82ccf34319"},
    {127, "00c3a72cc4ecb03f9fa0bab1a433ecd2"},
    {128, "423bcdc3656f800c112d6e8977592d44"},
    {129, "0df7456bedf064fb29bb48b8a826dd02"},
    {200, "5a6b6d2775042d76d5eb045bbe1120bd"},
    {255, "963b7c1aa9a6e06a10f944bcb4da7bd1"},
    {256, "64ac729fb41e8abf6f41e4c4b5863762"},
    {300, "2b926abcd0791bfd7c8da9a158b5e301"},
    {1000, "5d8f39934f156fc3be5e65b122c505a6"},
    {4096, "d7fdd45044de2a9120ad448c34be4a8c"},
};

static void
vector_block(unsigned char *b, size_t n)
{
	size_t i;
	uint32_t k = (uint32_t)(n - 9);

	b[0] = 0x02;
	for (i = 0; i < 4; i++) {
		b[1 + i] = (unsigned char)((uint32_t)n >> (8 * i));
		b[5 + i] = (unsigned char)(k >> (8 * i));
	}
	for (i = 0; i < k; i++)
		b[9 + i] = (unsigned char)((i * 7 + 3) & 0xff);
}

TEST(cityhash_matches_clickhouse)
{
	static unsigned char b[4096];
	char hex[33];
	struct city128 c;
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		vector_block(b, vectors[i].n);
		c = cityhash128(b, vectors[i].n);
		snprintf(hex, sizeof(hex), "%016llx%016llx",
		    (unsigned long long)c.lo, (unsigned long long)c.hi);
		if (strcmp(hex, vectors[i].hex) != 0)
			fprintf(stderr, "length %zu: %s, not %s\n",
			    vectors[i].n, hex, vectors[i].hex);
		CHECK(strcmp(hex, vectors[i].hex) == 0);
	}
}

/* n bytes of NDJSON-like text into b (replaced). */
static void
ndjson(struct buf *b, size_t n)
{
	unsigned long i = 0;

	buf_reset(b);
	buf_reserve(b, n + 1);
	while (b->len < n)
		buf_printf(b, "{\"id\":%lu,\"email\":\"m%lu@example.org\"}\n",
		    i, i * 2654435761ul % 100000),
		    i++;
	b->len = n;
	b->data[n] = '\0';
}

/* n bytes that do not compress. */
static void
noise(struct buf *b, size_t n)
{
	uint64_t x = 88172645463325252ull;
	size_t i;

	buf_reset(b);
	buf_reserve(b, n + 1);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b->data[i] = (char)(x >> 32);
	}
	b->len = n;
}

static int
round_trip(const struct buf *in, struct buf *z, struct buf *back)
{
	struct buf err = BUF_INIT;
	int rc;

	buf_reset(z);
	buf_reset(back);
	rc = chblock_compress(in->data, in->len, z) == 0 &&
	     chblock_decompress(z->data, z->len, back, &err) == 0 &&
	     back->len == in->len && memcmp(back->data, in->data, in->len) == 0;
	buf_release(&err);
	return rc;
}

TEST(blocks_round_trip)
{
	struct buf in = BUF_INIT, z = BUF_INIT, back = BUF_INIT;
	static const size_t sizes[] = {0, 1, 100, 65536, CHBLOCK_MAX,
	    CHBLOCK_MAX + 1, 3 * CHBLOCK_MAX + 12345};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ndjson(&in, sizes[i]);
		CHECK(round_trip(&in, &z, &back));
		/* NDJSON shrinks, LZ4'd: method 0x82 in the first block. */
		if (sizes[i] >= 65536)
			CHECK(z.len < in.len / 2 &&
			      (unsigned char)z.data[16] == 0x82);
	}
	/* Blocks of at most CHBLOCK_MAX bytes: four for three and a bit. */
	ndjson(&in, 3 * CHBLOCK_MAX + 12345);
	buf_reset(&z);
	CHECK(chblock_compress(in.data, in.len, &z) == 0);
	{
		size_t at = 0, blocks = 0;
		const unsigned char *s = (const unsigned char *)z.data;

		while (at + CHBLOCK_HEADER <= z.len) {
			uint32_t size = (uint32_t)s[at + 17] |
			                (uint32_t)s[at + 18] << 8 |
			                (uint32_t)s[at + 19] << 16 |
			                (uint32_t)s[at + 20] << 24;
			at += 16 + size;
			blocks++;
		}
		CHECK(at == z.len && blocks == 4);
	}
	noise(&in, 5000);
	CHECK(round_trip(&in, &z, &back));
	CHECK((unsigned char)z.data[16] == 0x02 &&
	      z.len == in.len + CHBLOCK_HEADER);
	buf_release(&in);
	buf_release(&z);
	buf_release(&back);
}

TEST(damage_is_refused)
{
	struct buf in = BUF_INIT, z = BUF_INIT, back = BUF_INIT, err = BUF_INIT;
	size_t i;

	ndjson(&in, 2 * CHBLOCK_MAX + 100);
	CHECK(chblock_compress(in.data, in.len, &z) == 0);
	/* A byte changed: in the checksum, the header, the data. */
	for (i = 0; i < z.len; i += z.len / 7 + 1) {
		z.data[i] ^= 0x10;
		buf_reset(&back);
		buf_reset(&err);
		CHECK(chblock_decompress(z.data, z.len, &back, &err) == -1);
		CHECK(back.len == 0 && strstr(err.data, "byte") != NULL);
		z.data[i] ^= 0x10;
	}
	buf_reset(&err);
	CHECK(chblock_decompress(z.data, z.len - 1, &back, &err) == -1);
	CHECK(strstr(err.data, "cut short") != NULL);
	buf_reset(&err);
	CHECK(chblock_decompress(z.data, 10, &back, &err) == -1);
	CHECK(strstr(err.data, "cut short at byte 0") != NULL);
	/* Another method (ZSTD's 0x90), its checksum right. */
	ndjson(&in, 100);
	buf_reset(&z);
	CHECK(chblock_compress(in.data, in.len, &z) == 0);
	z.data[16] = (char)0x90;
	{
		struct city128 c = cityhash128(z.data + 16, z.len - 16);

		for (i = 0; i < 8; i++) {
			z.data[i] = (char)(c.lo >> (8 * i));
			z.data[8 + i] = (char)(c.hi >> (8 * i));
		}
	}
	buf_reset(&err);
	CHECK(chblock_decompress(z.data, z.len, &back, &err) == -1);
	CHECK(strstr(err.data, "method 0x90") != NULL);
	buf_release(&in);
	buf_release(&z);
	buf_release(&back);
	buf_release(&err);
}

TEST(appended_after_what_out_holds)
{
	struct buf in = BUF_INIT, z = BUF_INIT, back = BUF_INIT, err = BUF_INIT;

	ndjson(&in, 1000);
	buf_adds(&z, "head");
	CHECK(chblock_compress(in.data, in.len, &z) == 0);
	CHECK(memcmp(z.data, "head", 4) == 0);
	buf_adds(&back, "rows:");
	CHECK(chblock_decompress(z.data + 4, z.len - 4, &back, &err) == 0);
	CHECK(back.len == 5 + in.len &&
	      memcmp(back.data + 5, in.data, in.len) == 0);
	buf_release(&in);
	buf_release(&z);
	buf_release(&back);
	buf_release(&err);
}

TEST(shipcodec_both_ways)
{
	struct buf in = BUF_INIT, z = BUF_INIT, back = BUF_INIT, err = BUF_INIT;
	struct buf url = BUF_INIT;
	struct shipcodec c;
	int k;

	CHECK(shipcodec_parse(NULL) == SHIP_GZIP);
	CHECK(shipcodec_parse("gzip") == SHIP_GZIP);
	CHECK(shipcodec_parse("lz4") == SHIP_LZ4);
	CHECK(shipcodec_parse("zstd") == -1);
	CHECK(strcmp(shipcodec_name(SHIP_LZ4), "lz4") == 0);
	CHECK(strcmp(shipcodec_encoding(SHIP_GZIP), "gzip") == 0);
	CHECK(shipcodec_encoding(SHIP_LZ4) == NULL);
	buf_adds(&url, "http://h/?query=x");
	CHECK(shipcodec_url(SHIP_GZIP, &url) == 0);
	CHECK(strcmp(url.data, "http://h/?query=x") == 0);
	CHECK(shipcodec_url(SHIP_LZ4, &url) == 0);
	CHECK(strcmp(url.data, "http://h/?query=x&decompress=1") == 0);
	ndjson(&in, 200000);
	for (k = SHIP_GZIP; k <= SHIP_LZ4; k++) {
		shipcodec_init(&c, (enum ship_codec)k);
		buf_reset(&z);
		buf_reset(&back);
		CHECK(shipcodec_pack(&c, in.data, in.len, &z) == 0);
		CHECK(k == SHIP_GZIP ? (unsigned char)z.data[0] == 0x1f
		                     : (unsigned char)z.data[16] == 0x82);
		CHECK(
		    shipcodec_unpack((enum ship_codec)k, &z, &back, &err) == 0);
		CHECK(back.len == in.len &&
		      memcmp(back.data, in.data, in.len) == 0);
		/* The other codec does not read it. */
		buf_reset(&back);
		buf_reset(&err);
		CHECK(shipcodec_unpack((enum ship_codec) !k, &z, &back, &err) ==
		      -1);
		CHECK(err.len > 0);
		shipcodec_release(&c);
	}
	buf_release(&in);
	buf_release(&z);
	buf_release(&back);
	buf_release(&err);
	buf_release(&url);
}

int
main(void)
{
	RUN(cityhash_matches_clickhouse);
	RUN(blocks_round_trip);
	RUN(damage_is_refused);
	RUN(appended_after_what_out_holds);
	RUN(shipcodec_both_ways);
	return harness_done();
}
