/* ClickHouse's RowBinary, written and read; see rowbin.h. */
#include <string.h>

#include "rowbin.h"

int
rowbin_string(struct buf *out, const void *s, size_t n)
{
	unsigned char v[ROWBIN_VARINT_MAX];
	size_t k = 0, m = n;

	do {
		v[k] = (unsigned char)(m & 0x7f);
		m >>= 7;
		if (m)
			v[k] |= 0x80;
		k++;
	} while (m);
	if (buf_reserve(out, k + n) < 0)
		return -1;
	memcpy(out->data + out->len, v, k);
	memcpy(out->data + out->len + k, s, n);
	out->len += k + n;
	out->data[out->len] = '\0';
	return 0;
}

/* Appends the low n bytes of v, least significant first. */
static int
little(struct buf *out, uint64_t v, size_t n)
{
	unsigned char b[8];
	size_t i;

	for (i = 0; i < n; i++, v >>= 8)
		b[i] = (unsigned char)(v & 0xff);
	return buf_add(out, b, n);
}

int
rowbin_u64(struct buf *out, uint64_t v)
{
	return little(out, v, 8);
}

int
rowbin_u32(struct buf *out, uint32_t v)
{
	return little(out, v, 4);
}

int
rowbin_take(struct rowbin_in *in, size_t n, const char **s)
{
	if (in->n - in->at < n)
		return -1;
	*s = (const char *)in->p + in->at;
	in->at += n;
	return 0;
}

int
rowbin_take_string(struct rowbin_in *in, const char **s, size_t *len)
{
	size_t at = in->at, n = 0;
	unsigned shift = 0;
	unsigned char c;

	do {
		if (at >= in->n || shift >= 64)
			return -1;
		c = in->p[at++];
		n |= (size_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	if (in->n - at < n)
		return -1;
	*s = (const char *)in->p + at;
	*len = n;
	in->at = at + n;
	return 0;
}
