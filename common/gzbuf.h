/*
 * gzbuf: a whole buffer gzipped in one call, with libdeflate, for
 * post-quasar's batches (the shipper seals a batch of rows and gzips it
 * whole) and the spooled batches that replay rewrites.
 *
 *	struct gzbuf g;
 *	gzbuf_init(&g, GZBUF_LEVEL);
 *	gzbuf_compress(&g, rows, n, &body);    one gzip member appended
 *	gzbuf_compress(&g, more, m, &other);   the compressor is reused
 *	gzbuf_release(&g);
 *
 * Why whole buffers: libdeflate compresses a buffer it sees whole about
 * twice as fast as zlib's streaming deflate at its fastest level, and
 * smaller (bench/README.md has the numbers), but it has no streaming
 * interface. So what it compresses must be in memory at once; where the
 * input is a stream of unknown length (reading gzipped files), zlib stays.
 *
 * The output is one standard gzip member (RFC 1952: no name, no time),
 * which gzip -d, zlib's inflate and ClickHouse's "Content-Encoding: gzip"
 * all read. Nothing here prints.
 */
#ifndef GZBUF_H
#define GZBUF_H

#include <stddef.h>

#include "buf.h"

/*
 * The level the batches use: libdeflate's 1, its fastest, which on NDJSON
 * rows compresses somewhat smaller than zlib's (and gzip's) level 1.
 */
#define GZBUF_LEVEL 1

struct libdeflate_compressor;

struct gzbuf {
	int level;                       /* libdeflate's 1 to 12 */
	struct libdeflate_compressor *c; /* made on first use, else NULL */
};

/* Sets g up with a level (1 to 12; outside, the nearest). Allocates nothing. */
void gzbuf_init(struct gzbuf *g, int level);

/*
 * Appends the n bytes at p (n may be 0), gzipped as one member, to out.
 * Returns 0, or -1 when the compressor cannot be made (out of memory) or
 * the member would take out past its maximum; out is then as it was.
 * The room reserved is libdeflate's bound for n bytes (a little more than
 * n); the pages of it the member does not fill are never touched, so they
 * cost address space, not memory.
 */
int gzbuf_compress(struct gzbuf *g, const void *p, size_t n, struct buf *out);

/* Frees the compressor; g can be used again (gzbuf_init's level kept). */
void gzbuf_release(struct gzbuf *g);

#endif
