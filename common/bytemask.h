/*
 * Where two given bytes are in a block of up to 64 bytes, as bit masks,
 * with the bytes that are not plain ASCII text: the scan under
 * csvin's fast path, which finds delimiters and quotes a block at a
 * time instead of a search per field.
 *
 *	struct bytemask m;
 *
 *	bytemask(s, n, ',', '"', &m);
 *	first = m.a | m.b;      bit i set: s[i] is ',' or '"'
 *
 * Bit i of a is set when s[i] is the byte a, of b when it is the byte b,
 * and of odd when s[i] is a control byte (below 0x20), a backslash or not
 * ASCII (0x80 and above): text without an odd byte and without a quote
 * is its own JSON string content. Bits from n on are clear. SSE2 sixteen
 * bytes at a time where the compiler has it (every x86-64), a byte at a
 * time elsewhere and for the tail; the same masks either way.
 */
#ifndef BYTEMASK_H
#define BYTEMASK_H

#include <stddef.h>
#include <stdint.h>

struct bytemask {
	uint64_t a, b, odd;
};

/* Fills m for the n bytes at s (n at most 64). */
void bytemask(const char *s, size_t n, unsigned char a, unsigned char b,
    struct bytemask *m);

/* The byte loop alone, the reference bytemask() is tested against. */
void bytemask_bytes(const char *s, size_t n, unsigned char a, unsigned char b,
    struct bytemask *m);

#endif
