/* CityHash128 v1.0.2; see cityhash.h. */
#include <string.h>

#include "cityhash.h"

static const uint64_t k0 = 0xc3a5c85c97cb3127ull;
static const uint64_t k1 = 0xb492b66fbe98f273ull;
static const uint64_t k2 = 0x9ae16a3b2f90404full;
static const uint64_t k3 = 0xc949d7c7509e6557ull;

/* Little-endian words: one load where the host is little-endian (the
 * byte loop is not always turned into one), else byte by byte. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static uint64_t
fetch64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint64_t
fetch32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}
#else
static uint64_t
fetch64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
fetch32(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24;
}
#endif

static uint64_t
rotate(uint64_t v, unsigned s)
{
	return s == 0 ? v : v >> s | v << (64 - s);
}

static uint64_t
shift_mix(uint64_t v)
{
	return v ^ v >> 47;
}

/* Two words into one: the reference's Hash128to64 of (u, v). */
static uint64_t
hash16(uint64_t u, uint64_t v)
{
	const uint64_t mul = 0x9ddfea08eb382d69ull;
	uint64_t a = (u ^ v) * mul, b;

	a ^= a >> 47;
	b = (v ^ a) * mul;
	b ^= b >> 47;
	return b * mul;
}

static uint64_t
hash0to16(const unsigned char *s, size_t len)
{
	uint64_t a, b;

	if (len > 8) {
		a = fetch64(s);
		b = fetch64(s + len - 8);
		return hash16(a, rotate(b + len, (unsigned)len)) ^ b;
	}
	if (len >= 4) {
		a = fetch32(s);
		return hash16(len + (a << 3), fetch32(s + len - 4));
	}
	if (len > 0) {
		uint32_t y = (uint32_t)s[0] + ((uint32_t)s[len >> 1] << 8);
		uint32_t z = (uint32_t)len + ((uint32_t)s[len - 1] << 2);

		return shift_mix(y * k2 ^ z * k3) * k2;
	}
	return k2;
}

/* The pair a, b after 32 bytes at s, seeded with a and b. */
static void
weak32(const unsigned char *s, uint64_t a, uint64_t b, uint64_t out[2])
{
	uint64_t w = fetch64(s), x = fetch64(s + 8), y = fetch64(s + 16);
	uint64_t z = fetch64(s + 24), c;

	a += w;
	b = rotate(b + a + z, 21);
	c = a;
	a += x + y;
	b += rotate(a, 44);
	out[0] = a + z;
	out[1] = b + c;
}

/* The hash of fewer than 128 bytes, seeded. */
static struct city128
murmur(const unsigned char *s, size_t len, struct city128 seed)
{
	uint64_t a = seed.lo, b = seed.hi, c, d;
	struct city128 r;
	long l = (long)len - 16;

	if (l <= 0) {
		a = shift_mix(a * k1) * k1;
		c = b * k1 + hash0to16(s, len);
		d = shift_mix(a + (len >= 8 ? fetch64(s) : c));
	} else {
		c = hash16(fetch64(s + len - 8) + k1, a);
		d = hash16(b + len, c + fetch64(s + len - 16));
		a += d;
		do {
			a ^= shift_mix(fetch64(s) * k1) * k1;
			a *= k1;
			b ^= a;
			c ^= shift_mix(fetch64(s + 8) * k1) * k1;
			c *= k1;
			d ^= c;
			s += 16;
			l -= 16;
		} while (l > 0);
	}
	a = hash16(a, c);
	b = hash16(d, b);
	r.lo = a ^ b;
	r.hi = hash16(b, a);
	return r;
}

/* One 64-byte step of the main loop. */
static void
step64(const unsigned char *s, uint64_t *x, uint64_t *y, uint64_t *z,
    uint64_t v[2], uint64_t w[2])
{
	uint64_t t;

	*x = rotate(*x + *y + v[0] + fetch64(s + 16), 37) * k1;
	*y = rotate(*y + v[1] + fetch64(s + 48), 42) * k1;
	*x ^= w[1];
	*y ^= v[0];
	*z = rotate(*z ^ w[0], 33);
	weak32(s, v[1] * k1, *x + w[0], v);
	weak32(s + 32, *z + w[1], *y, w);
	t = *z;
	*z = *x;
	*x = t;
}

static struct city128
with_seed(const unsigned char *s, size_t len, struct city128 seed)
{
	uint64_t v[2], w[2], x = seed.lo, y = seed.hi, z = len * k1;
	size_t done;
	struct city128 r;

	if (len < 128)
		return murmur(s, len, seed);
	v[0] = rotate(y ^ k1, 49) * k1 + fetch64(s);
	v[1] = rotate(v[0], 42) * k1 + fetch64(s + 8);
	w[0] = rotate(y + z, 35) * k1 + x;
	w[1] = rotate(x + fetch64(s + 88), 53) * k1;
	do {
		step64(s, &x, &y, &z, v, w);
		step64(s + 64, &x, &y, &z, v, w);
		s += 128;
		len -= 128;
	} while (len >= 128);
	y += rotate(w[0], 37) * k0 + z;
	x += rotate(v[0] + z, 49) * k0;
	/* Up to four 32-byte pieces from the end of what is left. */
	for (done = 0; done < len;) {
		done += 32;
		y = rotate(y - x, 42) * k0 + v[1];
		w[0] += fetch64(s + len - done + 16);
		x = rotate(x, 49) * k0 + w[0];
		w[0] += v[0];
		weak32(s + len - done, v[0], v[1], v);
	}
	x = hash16(x, v[0]);
	y = hash16(y, w[0]);
	r.lo = hash16(x + v[1], w[1]) + y;
	r.hi = hash16(x + w[1], y + v[1]);
	return r;
}

struct city128
cityhash128(const void *p, size_t n)
{
	const unsigned char *s = p;
	struct city128 seed;

	if (n >= 16) {
		seed.lo = fetch64(s) ^ k3;
		seed.hi = fetch64(s + 8);
		return with_seed(s + 16, n - 16, seed);
	}
	if (n >= 8) {
		seed.lo = fetch64(s) ^ (n * k0);
		seed.hi = fetch64(s + n - 8) ^ k1;
		return with_seed(NULL, 0, seed);
	}
	seed.lo = k0;
	seed.hi = k1;
	return with_seed(s, n, seed);
}
