/*
 * chblock: bytes as ClickHouse's own compressed blocks, the body ClickHouse's
 * HTTP interface takes with decompress=1 in the URL (and its native
 * protocol on the wire). A block is
 *
 *	16 bytes   CityHash128 (cityhash.h) of the 9 + k bytes that follow
 *	1 byte     the method: 0x82 LZ4, 0x02 none
 *	4 bytes    9 + k, little-endian
 *	4 bytes    the size of the data once decompressed, little-endian
 *	k bytes    the data, LZ4-compressed (one LZ4 block) or as it is
 *
 * and a body is any number of blocks, each of at most CHBLOCK_MAX bytes of
 * data (ClickHouse's own block size). The server checks every block's
 * checksum before it decompresses it, so a body damaged in transit or on
 * disk is refused, not stored.
 *
 * Why: LZ4 compresses in about a third of the time libdeflate takes at its
 * fastest level, for a body about a third larger, and it is what
 * ClickHouse's own client sends. post-quasar --compress lz4 uses it
 * (shipper.h). The compression is liblz4's; the block format is
 * ClickHouse's and has no library of its own.
 */
#ifndef CHBLOCK_H
#define CHBLOCK_H

#include <stddef.h>

#include "buf.h"

#define CHBLOCK_MAX (1u << 20)
#define CHBLOCK_HEADER 25 /* checksum, method, sizes */

/*
 * Appends the n bytes at p to out as blocks (LZ4). 0, or -1 when out
 * cannot hold them (its maximum; nothing is then appended).
 */
int chblock_compress(const void *p, size_t n, struct buf *out);

/*
 * Appends the data of the blocks that make up the n bytes at p to out,
 * each block's checksum checked. 0, or -1 with the reason in err (a block
 * cut short, a checksum that does not match, a method other than LZ4 or
 * none, data that does not decompress to its stated size).
 */
int chblock_decompress(
    const void *p, size_t n, struct buf *out, struct buf *err);

#endif
