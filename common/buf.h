/*
 * A growable byte buffer with a hard maximum size, after curl's dynbuf: "too
 * large" is a clean error the caller reports, never an out-of-memory crash.
 *
 * Invariants: data is NULL or points to cap bytes; len <= cap; len <= max.
 * When data is not NULL, data[len] is a NUL byte (so text can be printed),
 * which is why cap is always at least len + 1.
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* the largest len allowed */
};

#define BUF_UNLIMITED ((size_t)-1 / 2)
#define BUF_INIT_MAX(m)                                                        \
	{                                                                      \
		NULL, 0, 0, (m)                                                \
	}
#define BUF_INIT BUF_INIT_MAX(BUF_UNLIMITED)

/*
 * Sets up an empty buffer that may hold up to max bytes (at most
 * BUF_UNLIMITED; more is taken as that). Allocates nothing.
 */
void buf_init(struct buf *b, size_t max);

/* Frees the memory and leaves the buffer empty and reusable. */
void buf_release(struct buf *b);

/*
 * Makes room for extra more bytes. Returns 0, or -1 when len + extra would
 * exceed max (the buffer is unchanged). Aborts when memory runs out.
 */
int buf_grow(struct buf *b, size_t extra);

/* buf_grow() when the room is not there already: for hot paths. */
static inline int
buf_reserve(struct buf *b, size_t extra)
{
	return b->cap - b->len > extra ? 0 : buf_grow(b, extra);
}

/* Appends n bytes. Returns 0, or -1 when that would exceed max. */
static inline int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static inline int
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

static inline int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

/*
 * Appends printf-formatted text, from a va_list (not consumed: the caller
 * still calls va_end). Returns 0, or -1 when over max (nothing appended).
 */
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Appends printf-formatted text. Returns 0, or -1 when over max. */
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Empties the buffer, keeping its memory. */
static inline void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Allocation wrappers: they abort with a message when memory runs out. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

#endif
