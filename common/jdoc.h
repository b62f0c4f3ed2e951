/*
 * jdoc: a record's line checked and indexed in one pass, without building a
 * jansson tree: the fast path of the NDJSON stages.
 *
 * jdoc_parse() accepts a line only when it is a JSON object written exactly
 * as jansson's compact output writes one (here called canonical):
 *
 *   - no whitespace between tokens, nesting at most JDOC_MAX_DEPTH deep;
 *   - no object with the same key twice;
 *   - numbers are integers in the range of int64_t, without a leading zero
 *     or "-0" (a real, such as 1.5 or 1e2, is not canonical: jansson would
 *     write it in its own way);
 *   - strings hold valid UTF-8, and escape exactly what jansson escapes:
 *     \" \\ \b \f \n \r \t, and \u00XX with upper-case hex digits for the
 *     other control characters; nothing else is escaped (no \/, no \u for
 *     a character that can be written as itself), and no key holds \u0000.
 *
 * For such a line, jansson's parse followed by its compact dump gives back
 * the same bytes. So a stage can read the values it needs from the index,
 * copy the line or splice changes into it, and what it writes is byte for
 * byte what the jansson path writes. For any other line jdoc_parse()
 * returns -1 and the stage takes the jansson path, which handles or
 * rejects the line as before: the fast path never decides anything the
 * slow path would decide otherwise. tests/scripts/fastpath.sh holds the
 * two paths to the same output.
 *
 * The index is a flat array of nodes, node 0 the root object; each
 * container links its members (or items) through child and next.
 */
#ifndef JDOC_H
#define JDOC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JDOC_MAX_DEPTH 64

enum jdoc_type {
	JDOC_OBJECT,
	JDOC_ARRAY,
	JDOC_STRING,
	JDOC_INT,
	JDOC_TRUE,
	JDOC_FALSE,
	JDOC_NULL
};

struct jdoc_node {
	uint32_t key, keylen; /* an object member's key, as written, without
	                         its quotes; 0, 0 for items and the root */
	uint32_t off, len;    /* the value's text (a string's with quotes) */
	uint32_t child;       /* containers: the first member or item */
	uint32_t next;        /* the next member or item; 0 for none */
	uint8_t type;         /* enum jdoc_type */
	uint8_t escaped;      /* a string holding a backslash escape */
};

/* A change to the line, made by jdoc_set(). */
struct jdoc_edit {
	uint32_t off, del; /* replace del bytes at off ... */
	const char *key;   /* ... or insert the member "key":val */
	size_t keylen;     /*     (key NULL: replace with val) */
	const char *val;
	size_t vallen;
	int comma; /* the inserted member needs a comma before it */
	size_t seq;
};

struct jdoc {
	const char *text;
	size_t len;
	struct jdoc_node *nodes;
	size_t n, cap;
	/* Duplicate keys: an open-addressing table of (object, key) with a
	 * generation per slot, so that it need not be cleared per line. */
	struct jdoc_slot *slots;
	size_t nslots;
	uint32_t gen;
	struct jdoc_edit *edits;
	size_t nedits, capedits;
	/* The most values a line may hold (0: no limit): see jdoc_parse(). */
	size_t max_values;
};

/* An empty document without a limit on values; allocates nothing. */
void jdoc_init(struct jdoc *d);

/* Frees what the document holds; max_values is kept. */
void jdoc_release(struct jdoc *d);

/* What jdoc_parse() returns for a line with too many values. */
#define JDOC_TOO_COMPLEX (-2)

/*
 * Checks and indexes len bytes of text (borrowed: it must outlive the
 * index). Returns 0 when the text is a canonical JSON object (see above),
 * -1 otherwise, or JDOC_TOO_COMPLEX when it holds more than d->max_values
 * values (the root object, every member's value and every array item, at
 * any depth), found before anything else is wrong with it: the index then
 * stops growing at max_values nodes, so one line's index costs at most
 * max_values * sizeof(struct jdoc_node) bytes whatever the line. Clears
 * the edits of the previous line.
 */
int jdoc_parse(struct jdoc *d, const char *text, size_t len);

/*
 * The member of the object node obj whose key, as written in the line,
 * is the n bytes of key; NULL when there is none or obj is not an object.
 */
const struct jdoc_node *jdoc_get(const struct jdoc *d,
    const struct jdoc_node *obj, const char *key, size_t n);

/*
 * The node at a dotted path from the root ("details.voter-registration-
 * method"); NULL when a step is missing or leads through something other
 * than an object. Steps are compared with the keys as written: use only
 * paths that jdoc_plain_path() accepts.
 */
const struct jdoc_node *jdoc_path(const struct jdoc *d, const char *path);

/*
 * Whether every step of a dotted path is written in JSON as it is (no
 * quote, backslash or control character), so that jdoc_path() and
 * jdoc_set() can compare it with keys as written.
 */
int jdoc_plain_path(const char *path);

/*
 * Replaces the contents of out with the value of the string node n,
 * unescaped, and returns out->data (NUL-terminated; a string holding
 * \u0000 ends there for C's string functions). NULL when n is not a
 * string or out would exceed its maximum.
 */
const char *jdoc_cstr(
    const struct jdoc *d, const struct jdoc_node *n, struct buf *out);

/*
 * Appends the value of the string node n, unescaped, to out. Returns 0, or
 * -1 when n is not a string or out would exceed its maximum.
 */
int jdoc_unescape(
    const struct jdoc *d, const struct jdoc_node *n, struct buf *out);

/*
 * Records a change, as jansson's set on the tree would make it: the value
 * at the dotted path (a plain path) becomes the vallen bytes of val, which
 * must be canonical JSON text and outlive jdoc_write(). An existing member
 * keeps its place; a new one is added at the end of its object. Returns 0,
 * or -1 when the path needs an object made on the way or leads through a
 * value that is not an object (the slow path decides those).
 */
int jdoc_set(struct jdoc *d, const char *path, const char *val, size_t vallen);

/*
 * Appends the line with the changes made and a \n to out. Returns 0, or -1
 * when two changes overlap (one replaces what another changes) or out
 * would exceed its maximum; out may then hold part of the line.
 */
int jdoc_write(struct jdoc *d, struct buf *out);

#endif
