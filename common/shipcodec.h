/*
 * shipcodec: how a batch of rows is compressed on its way to the
 * warehouse, in one place for the shipper (packing), the spool (the
 * encoding it records), the replay (the URL and header a spooled batch is
 * sent with) and whatever reads a batch's rows back (unpacking):
 *
 *	gzip   one gzip member, libdeflate at level 1 (gzbuf.h), sent with
 *	       "Content-Encoding: gzip": any HTTP server that reads gzip,
 *	       ClickHouse among them. The default.
 *	lz4    ClickHouse's own compressed blocks (chblock.h), sent with
 *	       decompress=1 in the URL and no Content-Encoding: ClickHouse
 *	       only (every version's HTTP interface), at about a third of
 *	       gzip's CPU for a body about a third larger; for a warehouse
 *	       on the same network, where CPU, not bandwidth, is short.
 *
 *	struct shipcodec c;
 *	shipcodec_init(&c, SHIP_LZ4);
 *	shipcodec_pack(&c, rows, n, &body);         appended to body
 *	shipcodec_url(SHIP_LZ4, &url);              "&decompress=1" added
 *	shipcodec_unpack(SHIP_LZ4, &body, &rows, &err);
 *	shipcodec_release(&c);
 *
 * Nothing here prints.
 */
#ifndef SHIPCODEC_H
#define SHIPCODEC_H

#include "buf.h"
#include "gzbuf.h"

enum ship_codec { SHIP_GZIP, SHIP_LZ4 };

/* The codec's name ("gzip", "lz4"): --compress's and the spool's. */
const char *shipcodec_name(enum ship_codec c);

/* The codec named s, or -1 when s names none; NULL is gzip. */
int shipcodec_parse(const char *s);

/* The body's Content-Encoding: "gzip", or NULL (lz4). */
const char *shipcodec_encoding(enum ship_codec c);

/*
 * Adds what the codec needs in an insert URL that has a query string
 * already (quasar_url()'s): "&decompress=1" for lz4, nothing for gzip.
 * 0, or -1 when url cannot hold it.
 */
int shipcodec_url(enum ship_codec c, struct buf *url);

struct shipcodec {
	enum ship_codec codec;
	struct gzbuf gz;
};

void shipcodec_init(struct shipcodec *c, enum ship_codec codec);

/* Appends the n bytes at p, compressed, to out. 0, or -1 (out's max). */
int shipcodec_pack(
    struct shipcodec *c, const void *p, size_t n, struct buf *out);

/*
 * Appends the rows of a body packed by codec c to out. 0, or -1 with the
 * reason in err ("the batch is not gzip", a block's checksum...).
 */
int shipcodec_unpack(enum ship_codec c, const struct buf *body, struct buf *out,
    struct buf *err);

void shipcodec_release(struct shipcodec *c);

#endif
