/* How batches are compressed; see shipcodec.h. */
#include <string.h>
#include <zlib.h>

#include "chblock.h"
#include "shipcodec.h"

const char *
shipcodec_name(enum ship_codec c)
{
	return c == SHIP_LZ4 ? "lz4" : "gzip";
}

int
shipcodec_parse(const char *s)
{
	if (s == NULL || strcmp(s, "gzip") == 0)
		return SHIP_GZIP;
	return strcmp(s, "lz4") == 0 ? SHIP_LZ4 : -1;
}

const char *
shipcodec_encoding(enum ship_codec c)
{
	return c == SHIP_LZ4 ? NULL : "gzip";
}

int
shipcodec_url(enum ship_codec c, struct buf *url)
{
	return c == SHIP_LZ4 ? buf_adds(url, "&decompress=1") : 0;
}

void
shipcodec_init(struct shipcodec *c, enum ship_codec codec)
{
	c->codec = codec;
	gzbuf_init(&c->gz, GZBUF_LEVEL);
}

int
shipcodec_pack(struct shipcodec *c, const void *p, size_t n, struct buf *out)
{
	if (c->codec == SHIP_LZ4)
		return chblock_compress(p, n, out);
	return gzbuf_compress(&c->gz, p, n, out);
}

/* Inflates the gzip members of in into out (appended). 0 or -1. */
static int
gunzip(const struct buf *in, struct buf *out)
{
	unsigned char chunk[65536];
	z_stream z;
	int rc = Z_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)in->data;
	z.avail_in = (uInt)in->len;
	while (z.avail_in > 0 && (rc == Z_OK || rc == Z_STREAM_END)) {
		if (rc == Z_STREAM_END)
			inflateReset(&z);
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		buf_add(out, chunk, sizeof(chunk) - z.avail_out);
	}
	inflateEnd(&z);
	return rc == Z_STREAM_END && z.avail_in == 0 ? 0 : -1;
}

int
shipcodec_unpack(
    enum ship_codec c, const struct buf *body, struct buf *out, struct buf *err)
{
	if (c == SHIP_LZ4)
		return chblock_decompress(body->data, body->len, out, err);
	if (gunzip(body, out) == 0)
		return 0;
	buf_adds(err, "the batch is not gzip");
	return -1;
}

void
shipcodec_release(struct shipcodec *c)
{
	gzbuf_release(&c->gz);
}
