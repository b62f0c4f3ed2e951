/* A ledger of 128-bit hashes (hashledger.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "hashledger.h"
#include "ledger.h"
#include "utf8.h"

#define MAGIC "#sluice-hashes "
#define MAX_LINE 8192 /* no line of a ledger is longer */
#define CHUNK (1 << 20)

static const char hexdigits[] = "0123456789abcdef";

int
hashledger_hex(const char *s, struct hash128 *h)
{
	uint64_t w[2] = {0, 0};
	int i, v;

	for (i = 0; i < HASHLEDGER_HEX; i++) {
		if ((v = hex_digit(s[i])) < 0)
			return -1;
		w[i / 16] = w[i / 16] << 4 | (uint64_t)v;
	}
	h->lo = w[0];
	h->hi = w[1];
	return 0;
}

void
hashledger_format(struct hash128 h, char out[HASHLEDGER_HEX])
{
	int i;

	for (i = 0; i < 16; i++) {
		out[i] = hexdigits[(h.lo >> (60 - 4 * i)) & 15];
		out[16 + i] = hexdigits[(h.hi >> (60 - 4 * i)) & 15];
	}
}

/* Whether the n bytes are a line of the file's: 32 lowercase digits. */
static int
hash_line(const char *s, size_t n)
{
	size_t i;

	if (n != HASHLEDGER_HEX)
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		        (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

/* A torn hash line: at most 32 digits, then NUL bytes only. */
static int
torn_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && i < HASHLEDGER_HEX && hex_digit(s[i]) >= 0 &&
	       !(s[i] >= 'A' && s[i] <= 'F'))
		i++;
	while (i < n && s[i] == '\0')
		i++;
	return i == n;
}

struct scan {
	struct hashledger *l;
	const char *header; /* the header line this ledger must have */
	unsigned long long lineno;
	char carry[MAX_LINE];
	size_t ncarry;
	off_t whole; /* bytes of whole lines so far */
	struct buf *err;
};

/* A header cut short: a start of it, maybe followed by NUL bytes. */
static int
torn_header(const struct scan *sc)
{
	size_t n = sc->ncarry;

	while (n > 0 && sc->carry[n - 1] == '\0')
		n--;
	return n < strlen(sc->header) && memcmp(sc->carry, sc->header, n) == 0;
}

/* One whole line (without its \n). 0, or the open's failure code. */
static int
take_line(struct scan *sc, const char *s, size_t n)
{
	struct hashledger *l = sc->l;
	struct hash128 h;
	size_t hn = strlen(sc->header) - 1;

	sc->lineno++;
	if (sc->lineno == 1) {
		if (n < strlen(MAGIC) || memcmp(s, MAGIC, strlen(MAGIC)) != 0) {
			buf_printf(sc->err,
			    "%s:1: not a ledger of hashes (its first line is "
			    "not \"" MAGIC "...\")",
			    l->path);
			return HASHLEDGER_NOT_A_LEDGER;
		}
		if (n != hn || memcmp(s, sc->header, n) != 0) {
			buf_printf(sc->err, "%s: a ledger of %.*s, not of %.*s",
			    l->path, (int)(n - strlen(MAGIC)),
			    s + strlen(MAGIC), (int)(hn - strlen(MAGIC)),
			    sc->header + strlen(MAGIC));
			return HASHLEDGER_OTHER;
		}
		return 0;
	}
	if (!hash_line(s, n)) {
		buf_printf(sc->err, "%s:%llu: not a hash (32 hex digits)",
		    l->path, sc->lineno);
		return HASHLEDGER_NOT_A_LEDGER;
	}
	hashledger_hex(s, &h);
	keyset_add(&l->keys, h);
	l->lines++;
	return 0;
}

/* Takes n bytes of the file. 0, or the open's failure code. */
static int
feed(struct scan *sc, const char *p, size_t n)
{
	const char *nl;
	size_t k;
	int rc;

	while (n) {
		nl = memchr(p, '\n', n);
		k = nl ? (size_t)(nl - p) : n;
		if (sc->ncarry + k >= MAX_LINE) {
			buf_printf(sc->err,
			    "%s:%llu: not a ledger of hashes "
			    "(a line too long)",
			    sc->l->path, sc->lineno + 1);
			return HASHLEDGER_NOT_A_LEDGER;
		}
		memcpy(sc->carry + sc->ncarry, p, k);
		sc->ncarry += k;
		if (nl == NULL)
			return 0;
		if ((rc = take_line(sc, sc->carry, sc->ncarry)) != 0)
			return rc;
		sc->whole += (off_t)sc->ncarry + 1;
		sc->ncarry = 0;
		p += k + 1;
		n -= k + 1;
	}
	return 0;
}

/* Reads the file; sets l->size to where whole lines end. */
static int
read_all(struct scan *sc)
{
	struct hashledger *l = sc->l;
	char *chunk = xmalloc(CHUNK);
	ssize_t n;
	int rc = 0;

	while ((n = read(l->fd, chunk, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(sc->err, "%s: cannot read: %s", l->path,
			    strerror(errno));
			rc = -1;
			goto out;
		}
		if ((rc = feed(sc, chunk, (size_t)n)) != 0)
			goto out;
	}
	l->size = sc->whole;
	if (sc->ncarry == 0)
		goto out;
	/* A last line without its \n: torn, or not a ledger. */
	if (sc->lineno == 0 ? torn_header(sc)
	                    : torn_line(sc->carry, sc->ncarry)) {
		l->torn = 1;
	} else {
		buf_printf(sc->err, "%s:%llu: not a ledger of hashes", l->path,
		    sc->lineno + 1);
		rc = HASHLEDGER_NOT_A_LEDGER;
	}
out:
	free(chunk);
	return rc;
}

/* Writes all n bytes at the end; a write cut short is cut away again. */
static int
write_all(struct hashledger *l, const char *p, size_t n, struct buf *err)
{
	size_t done = 0;
	ssize_t w;

	while (done < n) {
		w = write(l->fd, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			buf_printf(err, "%s: write error: %s", l->path,
			    w < 0 ? strerror(errno) : "nothing written");
			if (ftruncate(l->fd, l->size) < 0)
				buf_printf(err, " (and cannot truncate it: %s)",
				    strerror(errno));
			return -1;
		}
		done += (size_t)w;
	}
	l->size += (off_t)n;
	return 0;
}

int
hashledger_open(
    struct hashledger *l, const char *path, const char *label, struct buf *err)
{
	struct scan *sc = xcalloc(1, sizeof(*sc));
	struct buf header = BUF_INIT;
	int rc;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->path = xstrdup(path);
	keyset_init(&l->keys);
	buf_printf(&header, MAGIC "%s\n", label);
	sc->l = l;
	sc->header = header.data;
	sc->err = err;
	if ((rc = ledger_lock_open(path, &l->fd, &l->created, err)) < 0 ||
	    (rc = read_all(sc)) != 0)
		goto out;
	if (l->torn && ftruncate(l->fd, l->size) < 0) {
		buf_printf(err, "%s: cannot cut off the torn last line: %s",
		    path, strerror(errno));
		rc = -1;
		goto out;
	}
	/* A new ledger (or a header cut short): the header first. */
	if (l->size == 0)
		rc = write_all(l, header.data, header.len, err);
out:
	buf_release(&header);
	free(sc);
	return rc;
}

int
hashledger_exitcode(int rc)
{
	return rc == HASHLEDGER_NOT_A_LEDGER || rc == HASHLEDGER_OTHER
	           ? EXIT_DATAERR
	           : EXIT_IOERR;
}

int
hashledger_has(const struct hashledger *l, struct hash128 h)
{
	return keyset_has(&l->keys, h);
}

int
hashledger_note(struct hashledger *l, struct hash128 h)
{
	return keyset_add(&l->keys, h);
}

int
hashledger_append(
    struct hashledger *l, const struct hash128 *h, size_t n, struct buf *err)
{
	char *text;
	size_t i;
	int rc;

	if (l->fd < 0) {
		buf_printf(err, "%s: not open for writing", l->path);
		return -1;
	}
	if (n == 0)
		return 0;
	text = xmalloc(n * (HASHLEDGER_HEX + 1));
	for (i = 0; i < n; i++) {
		hashledger_format(h[i], text + i * (HASHLEDGER_HEX + 1));
		text[i * (HASHLEDGER_HEX + 1) + HASHLEDGER_HEX] = '\n';
		keyset_add(&l->keys, h[i]);
	}
	rc = write_all(l, text, n * (HASHLEDGER_HEX + 1), err);
	if (rc == 0)
		l->added += n;
	free(text);
	return rc;
}

int
hashledger_sync(struct hashledger *l, struct buf *err)
{
	return ledger_sync_file(l->fd, l->path, &l->created, err);
}

int
hashledger_close(struct hashledger *l)
{
	int rc = 0;

	if (l->fd >= 0 && close(l->fd) < 0)
		rc = -1;
	free(l->path);
	keyset_release(&l->keys);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	return rc;
}
