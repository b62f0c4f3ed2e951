/* ClickHouse's compressed blocks; see chblock.h. */
#include <lz4.h>
#include <stdint.h>
#include <string.h>

#include "chblock.h"
#include "cityhash.h"

#define METHOD_NONE 0x02
#define METHOD_LZ4 0x82

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

int
chblock_compress(const void *p, size_t n, struct buf *out)
{
	const char *s = p;
	size_t start = out->len, k;
	unsigned char *h;
	struct city128 c;
	int bound, z;

	do {
		k = n < CHBLOCK_MAX ? n : CHBLOCK_MAX;
		bound = LZ4_compressBound((int)k);
		if (buf_reserve(out, CHBLOCK_HEADER + (size_t)bound + 1) < 0) {
			out->len = start;
			return -1;
		}
		h = (unsigned char *)out->data + out->len;
		z = k ? LZ4_compress_default(
		            s, (char *)h + CHBLOCK_HEADER, (int)k, bound)
		      : 0;
		/* Data LZ4 cannot shrink goes as it is (z is 0 only then: the
		 * bound is always enough). */
		if (z <= 0 || (size_t)z >= k) {
			h[16] = METHOD_NONE;
			if (k)
				memcpy(h + CHBLOCK_HEADER, s, k);
			z = (int)k;
		} else {
			h[16] = METHOD_LZ4;
		}
		put32(h + 17, (uint32_t)z + 9);
		put32(h + 21, (uint32_t)k);
		c = cityhash128(h + 16, (size_t)z + 9);
		put64(h, c.lo);
		put64(h + 8, c.hi);
		out->len += CHBLOCK_HEADER + (size_t)z;
		s += k;
		n -= k;
	} while (n > 0);
	out->data[out->len] = '\0';
	return 0;
}

int
chblock_decompress(const void *p, size_t n, struct buf *out, struct buf *err)
{
	const unsigned char *s = p;
	size_t at = 0, z, k, start = out->len;
	struct city128 c;
	int got;

	while (at < n) {
		if (n - at < CHBLOCK_HEADER) {
			buf_printf(err, "a block cut short at byte %zu", at);
			goto fail;
		}
		z = get32(s + at + 17);
		k = get32(s + at + 21);
		if (z < 9 || z - 9 > n - at - CHBLOCK_HEADER) {
			buf_printf(err, "a block cut short at byte %zu", at);
			goto fail;
		}
		c = cityhash128(s + at + 16, z);
		if (c.lo != get64(s + at) || c.hi != get64(s + at + 8)) {
			buf_printf(err,
			    "the block at byte %zu does not match its checksum",
			    at);
			goto fail;
		}
		if (k > CHBLOCK_MAX * 1024u || buf_reserve(out, k + 1) < 0) {
			buf_printf(
			    err, "the block at byte %zu is too large", at);
			goto fail;
		}
		if (s[at + 16] == METHOD_NONE && k == z - 9) {
			if (k)
				memcpy(out->data + out->len,
				    s + at + CHBLOCK_HEADER, k);
		} else if (s[at + 16] == METHOD_LZ4) {
			got = LZ4_decompress_safe(
			    (const char *)s + at + CHBLOCK_HEADER,
			    out->data + out->len, (int)(z - 9), (int)k);
			if (got < 0 || (size_t)got != k) {
				buf_printf(err,
				    "the block at byte %zu does not decompress",
				    at);
				goto fail;
			}
		} else {
			buf_printf(err,
			    "the block at byte %zu has method 0x%02x, not LZ4",
			    at, s[at + 16]);
			goto fail;
		}
		out->len += k;
		at += CHBLOCK_HEADER + z - 9;
	}
	if (out->data)
		out->data[out->len] = '\0';
	return 0;
fail:
	out->len = start;
	if (out->data)
		out->data[out->len] = '\0';
	return -1;
}
