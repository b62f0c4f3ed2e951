/*
 * MurmurHash3_x64_128; see hash128.h. The input is consumed in 16-byte
 * blocks, each split into two 64-bit lanes that are multiplied, rotated
 * and mixed into the two halves of the state; the last 0..15 bytes are
 * mixed the same way; a final avalanche (fmix64) makes every output bit
 * depend on every input bit.
 */
#include "hash128.h"

#define C1 0x87c37b91114253d5ull
#define C2 0x4cf5ad432745937full

static uint64_t
rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/*
 * Reads 8 bytes little-endian, byte by byte: no unaligned access, and the
 * same result on a big-endian host.
 */
static uint64_t
load64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Reads the first n (< 8) bytes little-endian, the rest as zeros. */
static uint64_t
load_partial(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

static uint64_t
mix_k1(uint64_t k1)
{
	k1 *= C1;
	k1 = rotl64(k1, 31);
	return k1 * C2;
}

static uint64_t
mix_k2(uint64_t k2)
{
	k2 *= C2;
	k2 = rotl64(k2, 33);
	return k2 * C1;
}

static uint64_t
fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

struct hash128
hash128_seeded(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h1 = seed, h2 = seed, k1, k2;
	size_t i, nblocks = n / 16, rest = n % 16;
	struct hash128 h;

	for (i = 0; i < nblocks; i++, b += 16) {
		h1 ^= mix_k1(load64(b));
		h1 = rotl64(h1, 27);
		h1 += h2;
		h1 = h1 * 5 + 0x52dce729;
		h2 ^= mix_k2(load64(b + 8));
		h2 = rotl64(h2, 31);
		h2 += h1;
		h2 = h2 * 5 + 0x38495ab5;
	}
	/*
	 * The tail: bytes 8..14 go to the second lane and bytes 0..7 to the
	 * first, with no state rotation after them (unlike full blocks).
	 */
	if (rest > 8) {
		k2 = load_partial(b + 8, rest - 8);
		h2 ^= mix_k2(k2);
	}
	if (rest > 0) {
		k1 = rest >= 8 ? load64(b) : load_partial(b, rest);
		h1 ^= mix_k1(k1);
	}
	h1 ^= (uint64_t)n;
	h2 ^= (uint64_t)n;
	h1 += h2;
	h2 += h1;
	h1 = fmix64(h1);
	h2 = fmix64(h2);
	h1 += h2;
	h2 += h1;
	h.lo = h1;
	h.hi = h2;
	return h;
}

struct hash128
hash128(const void *p, size_t n)
{
	return hash128_seeded(p, n, 0);
}
