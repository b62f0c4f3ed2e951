/*
 * Gunzipping in the unit tests: what the code under test gzipped (a
 * batch's body, gzbuf's output), read back with zlib's inflate.
 */
#ifndef GUNZIP_H
#define GUNZIP_H

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"

/*
 * Appends the n bytes at p, gunzipped, to out. Returns 0, or -1 when they
 * are not one whole gzip member with nothing after it.
 */
static inline int
gunzip_append(const void *p, size_t n, struct buf *out)
{
	z_stream z;
	char tmp[65536];
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 31) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = (Bytef *)tmp;
		z.avail_out = sizeof(tmp);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			inflateEnd(&z);
			return -1;
		}
		buf_add(out, tmp, sizeof(tmp) - z.avail_out);
	} while (rc != Z_STREAM_END);
	rc = z.avail_in == 0 ? 0 : -1;
	inflateEnd(&z);
	return rc;
}

#endif
