/*
 * A 128-bit non-cryptographic hash of a byte string: MurmurHash3_x64_128,
 * written from the algorithm's description. It is fast, spreads every input
 * bit over the whole result, and at 128 bits two different keys collide
 * with a probability around 2^-128 per pair, so a set of hashes can stand
 * in for a set of keys (dedupe keeps 16 bytes per key instead of the key).
 * It is not a defence against an adversary choosing colliding inputs.
 *
 * The result is defined on the bytes alone, the same on every machine:
 * blocks are read little-endian whatever the host's byte order. lo and hi
 * are the reference implementation's h1 and h2, so the 16 bytes lo, hi
 * stored little-endian are the reference's output.
 */
#ifndef HASH128_H
#define HASH128_H

#include <stddef.h>
#include <stdint.h>

struct hash128 {
	uint64_t lo, hi;
};

/* The hash of the n bytes at p (p may be NULL when n is 0), seed 0. */
struct hash128 hash128(const void *p, size_t n);

/*
 * The same with a seed: a different seed gives an unrelated hash. The
 * reference takes a 32-bit seed; for seeds that fit in 32 bits the result
 * is the reference's.
 */
struct hash128 hash128_seeded(const void *p, size_t n, uint64_t seed);

/* 1 when a and b are the same hash, else 0. */
/*
 * Tables of hashes (keyset.h, keylock.h) mark a free slot with the
 * all-zero hash, so a real all-zero hash (probability 2^-128) is stored as
 * {1, 0} instead: hash128_slot() maps it, hash128_free() tells a free slot.
 */
static inline struct hash128
hash128_slot(struct hash128 h)
{
	if (h.lo == 0 && h.hi == 0)
		h.lo = 1;
	return h;
}

static inline int
hash128_free(struct hash128 h)
{
	return h.lo == 0 && h.hi == 0;
}

static inline int
hash128_eq(struct hash128 a, struct hash128 b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

#endif
