/* Canonical JSON lines, checked and indexed without jansson; see jdoc.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jdoc.h"
#include "utf8.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct jdoc_slot {
	uint32_t gen, obj, hash, node;
};

void
jdoc_init(struct jdoc *d)
{
	memset(d, 0, sizeof(*d));
}

void
jdoc_release(struct jdoc *d)
{
	size_t max = d->max_values;

	free(d->nodes);
	free(d->slots);
	free(d->edits);
	jdoc_init(d);
	d->max_values = max;
}

/* Appends a node of the given type whose value starts at off. */
static uint32_t
add_node(struct jdoc *d, enum jdoc_type type, size_t off)
{
	struct jdoc_node *n;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->nodes = xrealloc(d->nodes, d->cap * sizeof(*d->nodes));
	}
	n = &d->nodes[d->n];
	memset(n, 0, sizeof(*n));
	n->type = (uint8_t)type;
	n->off = (uint32_t)off;
	return (uint32_t)d->n++;
}

/*
 * A key's hash for the table of keys seen: eight bytes at a time, each
 * word mixed in by a multiply (a byte at a time cost a fifth of the whole
 * parse on records of thirty members). Only this table sees it.
 */
static uint32_t
hash_key(const char *s, size_t n)
{
	const uint64_t mul = 0xff51afd7ed558ccdull;
	uint64_t h = n * 0x9e3779b97f4a7c15ull, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * mul;
		h ^= h >> 32;
	}
	if (n) {
		w = 0;
		while (n--)
			w = w << 8 | (unsigned char)s[n];
		h = (h ^ w) * mul;
		h ^= h >> 32;
	}
	return (uint32_t)(h ^ h >> 29);
}

/* Moves the current generation's entries into a table twice as large. */
static void
grow_slots(struct jdoc *d)
{
	struct jdoc_slot *old = d->slots;
	size_t nold = d->nslots, i, j;

	d->nslots = nold ? 2 * nold : 256;
	d->slots = xcalloc(d->nslots, sizeof(*d->slots));
	for (i = 0; i < nold; i++) {
		if (old[i].gen != d->gen)
			continue;
		j = old[i].hash & (d->nslots - 1);
		while (d->slots[j].gen == d->gen)
			j = (j + 1) & (d->nslots - 1);
		d->slots[j] = old[i];
	}
	free(old);
}

/*
 * Notes the key of member node of object obj. Returns 0, or -1 when the
 * object already has a member with that key. nkeys counts the keys of the
 * line so far, to keep the table at most half full.
 */
static int
unique_key(struct jdoc *d, uint32_t obj, uint32_t node, size_t *nkeys)
{
	const struct jdoc_node *n = &d->nodes[node], *m;
	uint32_t h = hash_key(d->text + n->key, n->keylen) ^ obj * 2654435761u;
	struct jdoc_slot *s;
	size_t j;

	if (++*nkeys * 2 > d->nslots)
		grow_slots(d);
	for (j = h & (d->nslots - 1);; j = (j + 1) & (d->nslots - 1)) {
		s = &d->slots[j];
		if (s->gen != d->gen)
			break;
		if (s->hash != h || s->obj != obj)
			continue;
		m = &d->nodes[s->node];
		if (m->keylen == n->keylen &&
		    memcmp(d->text + m->key, d->text + n->key, n->keylen) == 0)
			return -1;
	}
	s->gen = d->gen;
	s->obj = obj;
	s->hash = h;
	s->node = node;
	return 0;
}

/*
 * The length of the prefix of s made of bytes a string holds as they are
 * and that are ASCII: 0x20 to 0x7f but the quote and the backslash.
 * Sixteen bytes at a time with SSE2 (the first odd byte's place is the
 * mask's lowest bit), else eight (the usual "has a zero byte" bit
 * tricks), then byte by byte for the tail.
 */
static size_t
plain_run(const unsigned char *s, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	const __m128i space = _mm_set1_epi8(0x20);
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	__m128i v;
	unsigned m;

	for (; n - i >= 16; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(s + i));
		/* Signed: 0x80 and above are below 0x20 too. */
		m = (unsigned)_mm_movemask_epi8(
		    _mm_or_si128(_mm_cmplt_epi8(v, space),
		        _mm_or_si128(_mm_cmpeq_epi8(v, quote),
		            _mm_cmpeq_epi8(v, bslash))));
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#else
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t highs = 0x8080808080808080ull;
	uint64_t w, q, b, ctl, quote, bslash;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		ctl = (w - ones * 0x20) & ~w;
		quote = (q - ones) & ~q;
		bslash = (b - ones) & ~b;
		if ((ctl | quote | bslash | w) & highs)
			break;
	}
#endif
	while (
	    i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
		i++;
	return i;
}

/* An upper-case hex digit's value, or -1. */
static int
hexdigit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Checks the escape at s[p] (a backslash): one jansson writes. Returns its
 * length, or 0 when it is not canonical.
 */
static size_t
check_escape(const unsigned char *s, size_t len, size_t p, int key)
{
	int lo, v;

	if (p + 1 >= len)
		return 0;
	switch (s[p + 1]) {
	case '"':
	case '\\':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		return 2;
	case 'u':
		break;
	default:
		return 0;
	}
	/* \u00XX for a control character without a short form only. */
	if (p + 5 >= len || s[p + 2] != '0' || s[p + 3] != '0' ||
	    (s[p + 4] != '0' && s[p + 4] != '1') ||
	    (lo = hexdigit(s[p + 5])) < 0)
		return 0;
	v = (s[p + 4] - '0') * 16 + lo;
	if (v == '\b' || v == '\t' || v == '\n' || v == '\f' || v == '\r')
		return 0;
	if (key && v == 0)
		return 0; /* jansson refuses a NUL in a key */
	return 6;
}

/*
 * Scans the string whose opening quote is at *pp; on success *pp is just
 * past its closing quote. Returns 0, or -1 when it is not canonical.
 */
static int
scan_string(const char *text, size_t len, size_t *pp, uint8_t *escaped, int key)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t p = *pp + 1, run, n;

	for (;;) {
		p += plain_run(s + p, len - p);
		if (p >= len)
			return -1;
		if (s[p] == '"') {
			*pp = p + 1;
			return 0;
		}
		if (s[p] == '\\') {
			if ((n = check_escape(s, len, p, key)) == 0)
				return -1;
			*escaped = 1;
			p += n;
			continue;
		}
		if (s[p] < 0x20)
			return -1;
		/* A run of non-ASCII bytes must be whole UTF-8 sequences. */
		for (run = p; run < len && s[run] >= 0x80; run++)
			;
		if (utf8_valid_prefix(text + p, run - p) != run - p)
			return -1;
		p = run;
	}
}

/* Scans an integer at *pp in int64_t's range, as jansson writes one. */
static int
scan_int(const char *s, size_t len, size_t *pp)
{
	size_t p = *pp;
	int neg = s[p] == '-';
	uint64_t v = 0, max = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	unsigned dig;

	p += (size_t)neg;
	if (p >= len || s[p] < '0' || s[p] > '9')
		return -1;
	if (s[p] == '0') {
		p++;
		if (neg)
			return -1; /* "-0": jansson writes 0 */
	} else {
		for (; p < len && s[p] >= '0' && s[p] <= '9'; p++) {
			dig = (unsigned)(s[p] - '0');
			if (v > (max - dig) / 10)
				return -1;
			v = v * 10 + dig;
		}
	}
	if (p < len && (s[p] == '.' || s[p] == 'e' || s[p] == 'E' ||
	                   (s[p] >= '0' && s[p] <= '9')))
		return -1; /* a real, or a leading zero */
	*pp = p;
	return 0;
}

/* Scans true, false or null at *pp into node n's type. */
static int
scan_literal(struct jdoc *d, uint32_t n, size_t *pp)
{
	static const struct {
		const char *word;
		size_t len;
		enum jdoc_type type;
	} lits[] = {{"true", 4, JDOC_TRUE}, {"false", 5, JDOC_FALSE},
	    {"null", 4, JDOC_NULL}};
	size_t i;

	for (i = 0; i < 3; i++) {
		if (d->len - *pp >= lits[i].len &&
		    memcmp(d->text + *pp, lits[i].word, lits[i].len) == 0) {
			d->nodes[n].type = (uint8_t)lits[i].type;
			*pp += lits[i].len;
			return 0;
		}
	}
	return -1;
}

/* Scans a scalar value at *pp into node n. */
static int
scan_scalar(struct jdoc *d, uint32_t n, size_t *pp)
{
	char c = d->text[*pp];

	if (c == '"') {
		d->nodes[n].type = JDOC_STRING;
		return scan_string(
		    d->text, d->len, pp, &d->nodes[n].escaped, 0);
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		d->nodes[n].type = JDOC_INT;
		return scan_int(d->text, d->len, pp);
	}
	return scan_literal(d, n, pp);
}

/*
 * The parser proper: an explicit stack of open containers, each with its
 * last member so far, to link the next one.
 */
static int
parse(struct jdoc *d)
{
	const char *t = d->text;
	size_t p = 1, len = d->len, nkeys = 0, key = 0, keylen;
	uint32_t stack[JDOC_MAX_DEPTH], last[JDOC_MAX_DEPTH], cur, n;
	uint8_t esc;
	int depth = 1, obj;
	char c;

	stack[0] = add_node(d, JDOC_OBJECT, 0);
	last[0] = 0;
	if (p < len && t[p] == '}')
		goto close;
	for (;;) {
		cur = stack[depth - 1];
		obj = d->nodes[cur].type == JDOC_OBJECT;
		keylen = 0;
		if (obj) {
			if (p >= len || t[p] != '"')
				return -1;
			key = p + 1;
			esc = 0;
			if (scan_string(t, len, &p, &esc, 1) < 0)
				return -1;
			keylen = p - 1 - key;
			if (p >= len || t[p] != ':')
				return -1;
			p++;
		}
		if (p >= len)
			return -1;
		if (d->max_values && d->n >= d->max_values)
			return JDOC_TOO_COMPLEX;
		n = add_node(d, JDOC_NULL, p);
		if (last[depth - 1])
			d->nodes[last[depth - 1]].next = n;
		else
			d->nodes[cur].child = n;
		last[depth - 1] = n;
		if (obj) {
			d->nodes[n].key = (uint32_t)key;
			d->nodes[n].keylen = (uint32_t)keylen;
			if (unique_key(d, cur, n, &nkeys) < 0)
				return -1;
		}
		c = t[p];
		if (c == '{' || c == '[') {
			if (depth == JDOC_MAX_DEPTH)
				return -1;
			d->nodes[n].type = c == '{' ? JDOC_OBJECT : JDOC_ARRAY;
			stack[depth] = n;
			last[depth++] = 0;
			p++;
			if (p < len && t[p] == (c == '{' ? '}' : ']'))
				goto close;
			continue;
		}
		if (scan_scalar(d, n, &p) < 0)
			return -1;
		d->nodes[n].len = (uint32_t)(p - d->nodes[n].off);
		/* After a value: a comma, or the ends of containers. */
		for (;;) {
			if (p >= len)
				return -1;
			if (t[p] == ',') {
				p++;
				break;
			}
close:
			cur = stack[depth - 1];
			c = d->nodes[cur].type == JDOC_OBJECT ? '}' : ']';
			if (p >= len || t[p] != c)
				return -1;
			p++;
			d->nodes[cur].len = (uint32_t)(p - d->nodes[cur].off);
			if (--depth == 0)
				return p == len ? 0 : -1;
		}
	}
}

int
jdoc_parse(struct jdoc *d, const char *text, size_t len)
{
	d->text = text;
	d->len = len;
	d->n = 0;
	d->nedits = 0;
	if (len < 2 || len > UINT32_MAX || text[0] != '{')
		return -1;
	if (++d->gen == 0) {
		/* Generations wrapped: forget every slot for real. */
		if (d->slots)
			memset(d->slots, 0, d->nslots * sizeof(*d->slots));
		d->gen = 1;
	}
	return parse(d);
}

const struct jdoc_node *
jdoc_get(const struct jdoc *d, const struct jdoc_node *obj, const char *key,
    size_t n)
{
	const struct jdoc_node *m;
	uint32_t i;

	if (obj == NULL || obj->type != JDOC_OBJECT)
		return NULL;
	for (i = obj->child; i; i = m->next) {
		m = &d->nodes[i];
		if (m->keylen == n && memcmp(d->text + m->key, key, n) == 0)
			return m;
	}
	return NULL;
}

const struct jdoc_node *
jdoc_path(const struct jdoc *d, const char *path)
{
	const struct jdoc_node *v = d->n ? &d->nodes[0] : NULL;
	const char *dot;

	while (v && (dot = strchr(path, '.')) != NULL) {
		v = jdoc_get(d, v, path, (size_t)(dot - path));
		path = dot + 1;
	}
	return v ? jdoc_get(d, v, path, strlen(path)) : NULL;
}

int
jdoc_plain_path(const char *path)
{
	const unsigned char *s = (const unsigned char *)path;

	for (; *s; s++) {
		if (*s < 0x20 || *s == '"' || *s == '\\')
			return 0;
	}
	return 1;
}

int
jdoc_unescape(const struct jdoc *d, const struct jdoc_node *n, struct buf *out)
{
	const char *s, *e, *bs;
	char c;

	if (n == NULL || n->type != JDOC_STRING)
		return -1;
	s = d->text + n->off + 1;
	e = d->text + n->off + n->len - 1;
	if (!n->escaped)
		return buf_add(out, s, (size_t)(e - s));
	while (s < e) {
		bs = memchr(s, '\\', (size_t)(e - s));
		if (bs == NULL)
			return buf_add(out, s, (size_t)(e - s));
		if (buf_add(out, s, (size_t)(bs - s)) < 0)
			return -1;
		switch (bs[1]) {
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u':
			c = (char)((bs[4] - '0') * 16 +
			           hexdigit((unsigned char)bs[5]));
			break;
		default:
			c = bs[1];
			break;
		}
		if (buf_addc(out, c) < 0)
			return -1;
		s = bs + (bs[1] == 'u' ? 6 : 2);
	}
	return 0;
}

const char *
jdoc_cstr(const struct jdoc *d, const struct jdoc_node *n, struct buf *out)
{
	buf_reset(out);
	if (jdoc_unescape(d, n, out) < 0 || buf_reserve(out, 1) < 0)
		return NULL;
	return out->data;
}

static struct jdoc_edit *
add_edit(struct jdoc *d)
{
	struct jdoc_edit *e;

	if (d->nedits == d->capedits) {
		d->capedits = d->capedits ? 2 * d->capedits : 8;
		d->edits = xrealloc(d->edits, d->capedits * sizeof(*d->edits));
	}
	e = &d->edits[d->nedits];
	memset(e, 0, sizeof(*e));
	e->seq = d->nedits++;
	return e;
}

int
jdoc_set(struct jdoc *d, const char *path, const char *val, size_t vallen)
{
	const struct jdoc_node *obj = d->n ? &d->nodes[0] : NULL, *m;
	const char *dot;
	struct jdoc_edit *e;
	uint32_t at;
	size_t i;

	while (obj && (dot = strchr(path, '.')) != NULL) {
		obj = jdoc_get(d, obj, path, (size_t)(dot - path));
		path = dot + 1;
	}
	if (obj == NULL || obj->type != JDOC_OBJECT)
		return -1;
	if ((m = jdoc_get(d, obj, path, strlen(path))) != NULL) {
		e = add_edit(d);
		e->off = m->off;
		e->del = m->len;
		e->val = val;
		e->vallen = vallen;
		return 0;
	}
	/* A new member goes before the object's closing brace. */
	at = obj->off + obj->len - 1;
	e = add_edit(d);
	e->off = at;
	e->key = path;
	e->keylen = strlen(path);
	e->val = val;
	e->vallen = vallen;
	e->comma = obj->child != 0;
	for (i = 0; i + 1 < d->nedits; i++) {
		if (d->edits[i].key && d->edits[i].off == at)
			e->comma = 1;
	}
	return 0;
}

static int
edit_before(const struct jdoc_edit *a, const struct jdoc_edit *b)
{
	return a->off < b->off || (a->off == b->off && a->seq < b->seq);
}

int
jdoc_write(struct jdoc *d, struct buf *out)
{
	struct jdoc_edit *e = d->edits, tmp;
	size_t i, j, at = 0;

	/* Few edits: an insertion sort, by place and then by order made. */
	for (i = 1; i < d->nedits; i++) {
		tmp = e[i];
		for (j = i; j > 0 && edit_before(&tmp, &e[j - 1]); j--)
			e[j] = e[j - 1];
		e[j] = tmp;
	}
	for (i = 0; i < d->nedits; i++) {
		if (e[i].off < at)
			return -1; /* inside what an earlier edit replaced */
		if (buf_add(out, d->text + at, e[i].off - at) < 0)
			return -1;
		if (e[i].key && ((e[i].comma && buf_addc(out, ',') < 0) ||
		                    buf_addc(out, '"') < 0 ||
		                    buf_add(out, e[i].key, e[i].keylen) < 0 ||
		                    buf_add(out, "\":", 2) < 0))
			return -1;
		if (buf_add(out, e[i].val, e[i].vallen) < 0)
			return -1;
		at = e[i].off + e[i].del;
	}
	if (buf_add(out, d->text + at, d->len - at) < 0)
		return -1;
	return buf_addc(out, '\n');
}
