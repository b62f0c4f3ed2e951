/* Byte positions as bit masks; see bytemask.h. */
#include "bytemask.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Whether c is odd: a control byte, a backslash, not ASCII. */
static int
odd(unsigned char c)
{
	return c < 0x20 || c >= 0x80 || c == '\\';
}

/* The byte loop, from byte i on, into m (whose bits below i are set). */
static void
bytes_from(const unsigned char *s, size_t i, size_t n, unsigned char a,
    unsigned char b, struct bytemask *m)
{
	for (; i < n; i++) {
		m->a |= (uint64_t)(s[i] == a) << i;
		m->b |= (uint64_t)(s[i] == b) << i;
		m->odd |= (uint64_t)odd(s[i]) << i;
	}
}

void
bytemask_bytes(const char *s, size_t n, unsigned char a, unsigned char b,
    struct bytemask *m)
{
	m->a = m->b = m->odd = 0;
	bytes_from((const unsigned char *)s, 0, n, a, b, m);
}

void
bytemask(const char *s, size_t n, unsigned char a, unsigned char b,
    struct bytemask *m)
{
	size_t i = 0;

	m->a = m->b = m->odd = 0;
#ifdef __SSE2__
	{
		const __m128i va = _mm_set1_epi8((char)a);
		const __m128i vb = _mm_set1_epi8((char)b);
		const __m128i space = _mm_set1_epi8(0x20);
		const __m128i bslash = _mm_set1_epi8('\\');
		__m128i v, low;

		for (; n - i >= 16; i += 16) {
			v = _mm_loadu_si128((const __m128i *)(s + i));
			m->a |= (uint64_t)(uint16_t)_mm_movemask_epi8(
			            _mm_cmpeq_epi8(v, va))
			        << i;
			m->b |= (uint64_t)(uint16_t)_mm_movemask_epi8(
			            _mm_cmpeq_epi8(v, vb))
			        << i;
			/* Signed: 0x80 and above are below 0x20 too. */
			low = _mm_cmplt_epi8(v, space);
			m->odd |=
			    (uint64_t)(uint16_t)_mm_movemask_epi8(
			        _mm_or_si128(low, _mm_cmpeq_epi8(v, bslash)))
			    << i;
		}
	}
#endif
	bytes_from((const unsigned char *)s, i, n, a, b, m);
}
