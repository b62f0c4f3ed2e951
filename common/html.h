/*
 * Text made safe to place in HTML, between tags or in a quoted attribute:
 * what a report writes of data it did not make (file names, reasons,
 * values), so that no value can open a tag, end an attribute or bring in
 * a script.
 *
 * html_text() appends s with & < > " ' written as character references,
 * bytes that are not valid UTF-8 as U+FFFD, and control characters other
 * than tab and newline as U+FFFD too (a NUL, an escape sequence: nothing a
 * page should hold). html_text_cut() does the same with at most max bytes
 * of s (cut at a character's start) and "…" when it cut something.
 * Both return 0, or -1 when out would pass its maximum.
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

#include "buf.h"

int html_text(struct buf *out, const char *s, size_t n);
int html_textz(struct buf *out, const char *s);
int html_text_cut(struct buf *out, const char *s, size_t n, size_t max);

#endif
