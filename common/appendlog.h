/*
 * A log of lines only ever appended to, as the ledgers are written
 * (ledger.h, "Crash safety"), for a writer whose lines are its own (the
 * inbox's state/imports.ndjson): one line is one write(2) on an O_APPEND
 * descriptor, under an exclusive fcntl() lock that waits for the other
 * writers, then fsync(2) (and the directory's, when the file was new).
 * A writer killed during its write leaves at most a torn last line (no
 * \n): the next append cuts it off first (ftruncate, under the lock), so
 * its line never glues to the fragment, and a reader skips it. Earlier
 * lines are never rewritten.
 *
 *	appendlog_add("state/imports.ndjson", text, len, &err);
 *	appendlog_read("state/imports.ndjson", each_line, arg, &err);
 *
 * Nothing here prints: the functions return 0 or -1 with "PATH: ..." in
 * err.
 */
#ifndef APPENDLOG_H
#define APPENDLOG_H

#include <stddef.h>

#include "buf.h"

/*
 * Appends the n bytes at line, and a \n, to path (created, mode 0666 less
 * the umask, when missing; its directory must exist). line must hold no
 * \n. Waits for the lock another writer holds. Returns 0 once the line is
 * on disk; -1 with err set, nothing or a torn line (cut by the next
 * append) written.
 */
int appendlog_add(
    const char *path, const char *line, size_t n, struct buf *err);

/*
 * Calls fn(arg, line, n) for each whole line of path, in order (line
 * without its \n, NUL-terminated, borrowed for the call); a torn last line
 * is skipped. A missing file holds no line. fn returns 0 to go on, else
 * reading stops and that value is returned. Returns 0, fn's value, or -1
 * with err set when the file cannot be read.
 */
int appendlog_read(const char *path,
    int (*fn)(void *arg, const char *line, size_t n), void *arg,
    struct buf *err);

#endif
