/*
 * Rows of a CSV file copied byte for byte, chosen by the line each starts
 * on: the rows of an export that were rejected (their lines are in the
 * rejects), with the header, as a CSV to fix and import again.
 *
 * A row is one physical line, or more when a quoted field holds a line
 * break: it ends at the first line break outside quotes, which is where
 * the count of '"' bytes since its start is even (a quote inside a quoted
 * field is written twice, so the count stays right). That holds in every
 * encoding a vendor uses (UTF-8, latin1, cp1252: '"' is one byte, and no
 * other character holds that byte). Gzipped files are read as they are
 * (input.h). The header is the file's first row that is not empty.
 */
#ifndef CSVROWS_H
#define CSVROWS_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"

/*
 * Writes to out the header of the CSV file path, then every row whose
 * first line is in lines (n line numbers, from 1, sorted, each once), with
 * its own line endings; a last line without one gets "\n". *copied gets
 * the count of rows written after the header. Returns 0; -1 when path
 * cannot be read, or out written (why says which; errno is kept for a
 * write error).
 */
int csvrows_copy(const char *path, const unsigned long long *lines, size_t n,
    FILE *out, unsigned long long *copied, struct buf *why);

#endif
