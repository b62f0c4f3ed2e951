/*
 * Unit tests for common/hash128.c: the published SMHasher verification
 * value of MurmurHash3_x64_128 (which exercises every length 0..255 and
 * many seeds at once), the empty input, one well-known digest, and
 * properties: the same bytes always give the same hash wherever they sit
 * in memory, different inputs and seeds give different hashes, and every
 * length 0..64 is read exactly (each input sits in a block of its own
 * size, so AddressSanitizer catches a read past its end).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "hash128.h"

/* The reference's output bytes: h1 then h2, each little-endian. */
static void
to_bytes(struct hash128 h, unsigned char *out)
{
	int i;

	for (i = 0; i < 8; i++) {
		out[i] = (unsigned char)(h.lo >> (8 * i));
		out[8 + i] = (unsigned char)(h.hi >> (8 * i));
	}
}

/*
 * SMHasher's VerificationTest: hash the keys {}, {0}, {0,1}, ...,
 * {0..254} with seed 256 - length, hash the 256 digests laid end to end
 * with seed 0, and read the first four bytes as a little-endian integer.
 */
TEST(smhasher_verification_value)
{
	unsigned char key[256], digests[256 * 16], final[16];
	uint32_t v;
	int i;

	for (i = 0; i < 256; i++) {
		key[i] = (unsigned char)i;
		to_bytes(hash128_seeded(key, (size_t)i, (uint64_t)(256 - i)),
		    digests + 16 * i);
	}
	to_bytes(hash128_seeded(digests, sizeof(digests), 0), final);
	v = (uint32_t) final[0] | (uint32_t) final[1] << 8 |
	    (uint32_t) final[2] << 16 | (uint32_t) final[3] << 24;
	CHECK(v == 0x6384BA69u);
}

TEST(empty_input_is_zero)
{
	struct hash128 h = hash128(NULL, 0);

	/* With seed 0 every step of the empty input keeps the state zero. */
	CHECK(h.lo == 0 && h.hi == 0);
	h = hash128("", 0);
	CHECK(h.lo == 0 && h.hi == 0);
	h = hash128_seeded("", 0, 1);
	CHECK(h.lo != 0 || h.hi != 0);
}

TEST(known_digest)
{
	static const char fox[] = "The quick brown fox jumps over the lazy dog";
	struct hash128 h = hash128(fox, strlen(fox));

	CHECK(h.lo == 0xe34bbc7bbc071b6cull);
	CHECK(h.hi == 0x7a433ca9c49a9347ull);
}

/* Every length 0..64 in an exactly sized block; all hashes distinct. */
TEST(lengths_0_to_64)
{
	struct hash128 h[65], again;
	unsigned char *p;
	size_t n, i, k;
	int ok = 1;

	for (n = 0; n <= 64; n++) {
		p = xmalloc(n ? n : 1);
		for (i = 0; i < n; i++)
			p[i] = (unsigned char)(i * 7 + 1);
		h[n] = hash128(p, n);
		again = hash128(p, n);
		ok &= hash128_eq(h[n], again);
		free(p);
	}
	CHECK(ok);
	for (n = 0; n <= 64; n++) {
		for (k = n + 1; k <= 64; k++)
			ok &= !hash128_eq(h[n], h[k]);
	}
	CHECK(ok);
}

/* The same bytes at any alignment give the same hash. */
TEST(alignment_does_not_matter)
{
	unsigned char buf[80];
	struct hash128 ref;
	size_t off, i;
	int ok = 1;

	for (i = 0; i < 40; i++)
		buf[i] = (unsigned char)(i * 13);
	ref = hash128(buf, 40);
	for (off = 1; off < 16; off++) {
		memmove(buf + off, buf + off - 1, 40);
		ok &= hash128_eq(hash128(buf + off, 40), ref);
	}
	CHECK(ok);
}

/* Flipping any one bit of a 33-byte input changes both halves. */
TEST(every_bit_matters)
{
	unsigned char buf[33];
	struct hash128 ref, h;
	size_t bit;
	int ok = 1;

	memset(buf, 0xa5, sizeof(buf));
	ref = hash128(buf, sizeof(buf));
	for (bit = 0; bit < 8 * sizeof(buf); bit++) {
		buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		h = hash128(buf, sizeof(buf));
		ok &= h.lo != ref.lo && h.hi != ref.hi;
		buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	CHECK(ok);
}

TEST(trailing_zero_bytes_count)
{
	/* The length is part of the hash: "a" and "a\0" differ. */
	CHECK(!hash128_eq(hash128("a", 1), hash128("a\0", 2)));
	CHECK(!hash128_eq(hash128("", 0), hash128("\0", 1)));
}

TEST(seeds_differ)
{
	CHECK(!hash128_eq(
	    hash128_seeded("key", 3, 0), hash128_seeded("key", 3, 1)));
	CHECK(hash128_eq(hash128_seeded("key", 3, 0), hash128("key", 3)));
}

int
main(void)
{
	RUN(smhasher_verification_value);
	RUN(empty_input_is_zero);
	RUN(known_digest);
	RUN(lengths_0_to_64);
	RUN(alignment_does_not_matter);
	RUN(every_bit_matters);
	RUN(trailing_zero_bytes_count);
	RUN(seeds_differ);
	return harness_done();
}
