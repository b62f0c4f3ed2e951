/*
 * rowbin: ClickHouse's RowBinary format, the columns of a row one after
 * the other with nothing between them and nothing after the last:
 *
 *	String          its length as an unsigned LEB128 varint (7 bits a
 *	                byte, low first, the top bit set on all but the
 *	                last), then its bytes as they are: no escaping
 *	FixedString(N)  N bytes
 *	UInt64, UInt32  little-endian
 *	DateTime        UInt32 seconds since 1970 UTC
 *
 * A row's columns are those the INSERT names, in its order; a body is its
 * rows one after the other. Nothing in it says where a row ends, so a
 * reader must know the columns to walk a row (rowbin_take_string(),
 * rowbin_take()).
 *
 * The writers append to a struct buf and return 0, or -1 when it would
 * exceed its maximum (it is then as it was, or longer by whole columns).
 */
#ifndef ROWBIN_H
#define ROWBIN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The most bytes a varint of a size_t takes. */
#define ROWBIN_VARINT_MAX 10

int rowbin_string(struct buf *out, const void *s, size_t n);
int rowbin_u64(struct buf *out, uint64_t v);
int rowbin_u32(struct buf *out, uint32_t v);

/*
 * The reader: a cursor over n bytes at p. Each takes a column at at,
 * moving at past it; -1 (at unmoved) when the bytes end before the column
 * does.
 */
struct rowbin_in {
	const unsigned char *p;
	size_t n, at;
};

/* A String: *s points at its bytes in the input, *len their count. */
int rowbin_take_string(struct rowbin_in *in, const char **s, size_t *len);

/* n bytes (a FixedString(n), a UInt64's 8...): *s points at them. */
int rowbin_take(struct rowbin_in *in, size_t n, const char **s);

#endif
