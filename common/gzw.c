/* Gzipping a stream of bytes into a buffer; see gzw.h. */
#include <stdint.h>
#include <string.h>

#include "gzw.h"

void
gzw_init(struct gzw *g, int level)
{
	memset(g, 0, sizeof(*g));
	g->level = level < 1 ? 1 : level > 9 ? 9 : level;
	buf_init(&g->stage, BUF_UNLIMITED);
}

int
gzw_begin(struct gzw *g, struct buf *out)
{
	/* 31: a gzip wrapper with a 32 KiB window; memLevel 8 as gzip. */
	if (!g->ready) {
		if (deflateInit2(&g->z, g->level, Z_DEFLATED, 31, 8,
		        Z_DEFAULT_STRATEGY) != Z_OK)
			return -1;
		g->ready = 1;
	} else if (deflateReset(&g->z) != Z_OK) {
		return -1;
	}
	g->out = out;
	g->open = 1;
	g->in = 0;
	buf_reset(&g->stage);
	return 0;
}

/*
 * Deflates n bytes at p into out, with flush (Z_NO_FLUSH, or Z_FINISH to
 * end the member). The canonical zlib loop: give deflate room until it
 * leaves some unused, or, finishing, until it says the stream ended.
 */
static int
squeeze(struct gzw *g, const void *p, size_t n, int flush)
{
	struct buf *out = g->out;
	size_t room, k;
	int rc, f;

	do {
		k = n < ((size_t)1 << 30) ? n : (size_t)1 << 30;
		f = k == n ? flush : Z_NO_FLUSH;
		g->z.next_in = (Bytef *)(uintptr_t)p;
		g->z.avail_in = (uInt)k;
		do {
			if (buf_reserve(out, 64 * 1024 + k / 4) < 0)
				return -1;
			room = out->cap - out->len - 1;
			g->z.next_out = (Bytef *)out->data + out->len;
			g->z.avail_out =
			    room < (1u << 30) ? (uInt)room : 1u << 30;
			room = g->z.avail_out;
			rc = deflate(&g->z, f);
			if (rc == Z_STREAM_ERROR)
				return -1;
			out->len += room - g->z.avail_out;
			out->data[out->len] = '\0';
		} while (g->z.avail_out == 0 ||
		         (f == Z_FINISH && rc != Z_STREAM_END));
		p = (const char *)p + k;
		n -= k;
	} while (n > 0);
	return 0;
}

int
gzw_add(struct gzw *g, const void *p, size_t n)
{
	if (!g->open)
		return -1;
	g->in += n;
	if (g->stage.len + n < GZW_CHUNK)
		return buf_add(&g->stage, p, n);
	/* What is staged goes first; a large piece then goes straight
	 * through, a small one into the stage. */
	if (g->stage.len &&
	    squeeze(g, g->stage.data, g->stage.len, Z_NO_FLUSH) < 0)
		return -1;
	buf_reset(&g->stage);
	if (n >= GZW_CHUNK)
		return squeeze(g, p, n, Z_NO_FLUSH);
	return buf_add(&g->stage, p, n);
}

int
gzw_end(struct gzw *g)
{
	int rc;

	if (!g->open)
		return -1;
	rc = squeeze(
	    g, g->stage.data ? g->stage.data : "", g->stage.len, Z_FINISH);
	buf_reset(&g->stage);
	g->open = 0;
	g->out = NULL;
	return rc;
}

void
gzw_release(struct gzw *g)
{
	if (g->ready)
		deflateEnd(&g->z);
	buf_release(&g->stage);
	memset(g, 0, sizeof(*g));
}
