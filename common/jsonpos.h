/*
 * jsonpos: where a value sits in a JSON text, as line and column.
 *
 * jansson says where a parse error is (json_error_t's line and column)
 * but keeps no place for the values of a tree it built: json_t has no
 * field for it and no parse flag or callback records one. A loader that
 * refuses a value after parsing (an unknown key, a schema keyword outside
 * the subset) still wants to say where it is, so this module scans the
 * text again, following a JSON Pointer (RFC 6901: "/events/signup/
 * properties"), and says where the value it names starts, or the key of
 * the member that holds it.
 *
 * Lines and columns are 1-based; a line ends at "\n"; the column counts
 * characters (UTF-8 code points), as jansson's error column does. The text
 * must be JSON that jansson accepted: the scanner checks no more than it
 * needs to find its way. When an object holds a key twice, the last one is
 * found, as jansson keeps the last.
 */
#ifndef JSONPOS_H
#define JSONPOS_H

#include <stddef.h>

#include "buf.h"

struct jsonpos {
	unsigned long line, col;
	size_t off; /* the byte offset in the text */
};

/*
 * Finds the value at pointer in the len bytes of text. With key set, when
 * the pointer's last step is an object member, the place of its key (its
 * opening quote) instead of its value. Returns 0, or -1 when the pointer
 * leads nowhere or is not a pointer; pos then holds the place of the
 * deepest value found on the way (the whole text's at worst).
 */
int jsonpos_find(const char *text, size_t len, const char *pointer, int key,
    struct jsonpos *pos);

/* The line and column of byte offset off (at most len) of text. */
void jsonpos_at(const char *text, size_t len, size_t off, struct jsonpos *pos);

/*
 * Appends "/" and the n bytes of name, escaped as a pointer's step is
 * ("~" as "~0", "/" as "~1"), to ptr. Returns 0, or -1 when ptr would
 * exceed its maximum.
 */
int jsonpos_step(struct buf *ptr, const char *name, size_t n);

#endif
