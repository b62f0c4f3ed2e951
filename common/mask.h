/*
 * Personal data partly hidden, for what a report shows of a record: the
 * reader sees enough to find the row (the first letter, the domain's last
 * label, a phone number's last digits), never enough to read the person.
 *
 *   mask_text()  e-mail addresses and phone numbers inside any text: an
 *                address becomes "j***@e***.org", a run of 7 digits or
 *                more (with spaces, dashes, dots, brackets between them)
 *                keeps its separators and its last 2 digits, or 4 when it
 *                has 10 or more ("***-***-0106"); everything else is kept.
 *   mask_row()   a raw row, such as a CSV line that could not be read:
 *                every run of letters and digits keeps its first
 *                character and the rest become '*' ("B*****,,R**"), so the
 *                row's shape (its delimiters, its empty fields) stays
 *                readable and its values do not.
 *
 * Both append to out and count UTF-8 sequences as one character (a byte
 * of 0x80 and over is a letter here). They return 0, or -1 when out would
 * pass its maximum (out then holds what fitted).
 */
#ifndef MASK_H
#define MASK_H

#include <stddef.h>

#include "buf.h"

int mask_text(const char *s, size_t n, struct buf *out);
int mask_row(const char *s, size_t n, struct buf *out);

#endif
