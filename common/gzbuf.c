/* A whole buffer gzipped in one call, with libdeflate; see gzbuf.h. */
#include <libdeflate.h>

#include "gzbuf.h"

void
gzbuf_init(struct gzbuf *g, int level)
{
	g->level = level < 1 ? 1 : level > 12 ? 12 : level;
	g->c = NULL;
}

int
gzbuf_compress(struct gzbuf *g, const void *p, size_t n, struct buf *out)
{
	size_t room, k;

	if (g->c == NULL &&
	    (g->c = libdeflate_alloc_compressor(g->level)) == NULL)
		return -1;
	room = libdeflate_gzip_compress_bound(g->c, n);
	/* Near its maximum, out gets what room it has left: the member may
	 * still fit, and libdeflate says when it does not. */
	if (out->len >= out->max)
		return -1;
	if (room > out->max - out->len)
		room = out->max - out->len;
	if (buf_reserve(out, room) < 0)
		return -1;
	k = libdeflate_gzip_compress(
	    g->c, n ? p : "", n, out->data + out->len, room);
	if (k == 0) {
		out->data[out->len] = '\0';
		return -1;
	}
	out->len += k;
	out->data[out->len] = '\0';
	return 0;
}

void
gzbuf_release(struct gzbuf *g)
{
	if (g->c)
		libdeflate_free_compressor(g->c);
	g->c = NULL;
}
