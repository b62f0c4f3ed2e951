/*
 * gzw: gzip a stream of bytes into a buffer as they come, for post-quasar's
 * batches: rows are added one by one and compressed on the way, so a batch
 * never exists uncompressed in memory.
 *
 *	struct gzw g;
 *	gzw_init(&g, 1);
 *	gzw_begin(&g, &body);          one gzip member, appended to body
 *	gzw_add(&g, row, n); ...
 *	gzw_end(&g);                   body now holds the whole member
 *	gzw_begin(&g, &other); ...     the stream's state is reused
 *	gzw_release(&g);
 *
 * Input is gathered in a staging buffer and deflated in chunks of
 * GZW_CHUNK bytes, since calling deflate() once per small row costs more
 * than the copy. The output is a standard gzip member (RFC 1952, zlib's
 * header with no name or time), which gunzip, zlib's inflate and
 * ClickHouse's "Content-Encoding: gzip" all read.
 */
#ifndef GZW_H
#define GZW_H

#include <stddef.h>
#include <zlib.h>

#include "buf.h"

#define GZW_CHUNK (128 * 1024)

struct gzw {
	z_stream z;
	int level;             /* zlib's 1 (fastest) to 9 */
	int ready;             /* z is set up (deflateInit2 succeeded) */
	int open;              /* between gzw_begin() and gzw_end() */
	struct buf *out;       /* borrowed: the member is appended here */
	struct buf stage;      /* input not yet deflated */
	unsigned long long in; /* bytes added to the member so far */
};

/* Sets g up with a compression level (1 to 9). Allocates nothing yet. */
void gzw_init(struct gzw *g, int level);

/*
 * Starts a gzip member appended to out (borrowed until gzw_end()). Returns
 * 0, or -1 when zlib cannot be set up (out of memory).
 */
int gzw_begin(struct gzw *g, struct buf *out);

/*
 * Adds n bytes to the member. Returns 0, or -1 when out would exceed its
 * maximum or zlib fails; the member is then unusable (gzw_end() it and
 * throw the output away).
 */
int gzw_add(struct gzw *g, const void *p, size_t n);

/* Ends the member: everything added is in out. 0, or -1 as gzw_add(). */
int gzw_end(struct gzw *g);

/* Frees zlib's state and the staging buffer. */
void gzw_release(struct gzw *g);

#endif
