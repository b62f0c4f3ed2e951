/*
 * CityHash128, version 1.0.2 of Google's CityHash: the checksum ClickHouse
 * puts before each of its compressed blocks (chblock.h), and the only use
 * here. Later versions of CityHash changed the function's results; this is
 * the one ClickHouse kept, written from the algorithm's description and held
 * to a ClickHouse server: tests/unit/test_chblock.c checks it against
 * checksums the server computed for every branch of the function, and
 * tests/scripts/post-quasar.py has the server check the blocks of whole
 * imports. It is not a cryptographic hash.
 *
 * The result is defined on the bytes alone: words are read little-endian
 * whatever the host's byte order. lo and hi are the reference's first and
 * second halves; ClickHouse stores them in that order, each little-endian.
 */
#ifndef CITYHASH_H
#define CITYHASH_H

#include <stddef.h>
#include <stdint.h>

struct city128 {
	uint64_t lo, hi;
};

/* The hash of the n bytes at p (p may be NULL when n is 0). */
struct city128 cityhash128(const void *p, size_t n);

#endif
