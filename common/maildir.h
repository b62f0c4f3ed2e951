/*
 * The protocol of an upload directory, after Maildir's: what a worker
 * needs to take files that others drop, never twice, never half written,
 * and to give back what a dead worker held.
 *
 *   - An upload counts once it is complete: names an upload tool writes to
 *     before its rename (dot-files, "*.part", "*.tmp") are ignored, and
 *     so are the files that travel beside an upload ("*.options",
 *     "*.reason"); a file that arrived by copy counts once it has not
 *     changed for a settling time (its ctime and mtime that old: a write
 *     changes both, and nothing sets ctime back).
 *   - A worker is named HOST.PID and claims a file by rename(2) into its
 *     own folder (work/HOST.PID/): of two workers renaming the same file,
 *     one succeeds and the other finds it gone.
 *   - A worker's folder holds a mark (".owner": the boot and the start
 *     time of the process), so that a claim is stale when its process is
 *     gone, or when its PID now belongs to another process; a claim of
 *     another host is never judged.
 *   - Files are moved on without replacing one already there: the name,
 *     else NAME-2.EXT, NAME-3.EXT ...
 *
 * Nothing here prints; the functions return 0 or -1 with errno set (the
 * caller says what failed), or what their comment says.
 */
#ifndef MAILDIR_H
#define MAILDIR_H

#include <jansson.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"

/* This host's name, as worker names use it ("web1"), into out (reset). */
void maildir_host(struct buf *out);

/* This process's worker name, "HOST.PID", into out (reset). */
void maildir_worker(struct buf *out);

/*
 * Writes the mark of this process into the worker folder dir (which
 * exists). 0 or -1.
 */
int maildir_mark(const char *dir);

/*
 * Whether the worker folder dir (its last component "HOST.PID") is
 * stale: 1 when HOST is this host and the process is gone or is another
 * one than the mark says; 0 when it lives, is of another host, or the
 * name is no worker's.
 */
int maildir_stale(const char *dir);

/*
 * Whether name (a file's last component) is never an upload: a dot-file,
 * "*.part", "*.tmp", "*.options", "*.reason". 1 or 0.
 */
int maildir_ignored(const char *name);

/*
 * When the file of st counts as settled: its ctime or mtime, whichever is
 * later, plus settle seconds. It is settled when that is not after now.
 */
time_t maildir_settled_at(const struct stat *st, double settle);

/*
 * Moves from to the name to, or, when a file is there, to the first free
 * of "NAME-2.EXT", "NAME-3.EXT" ... (the extension after the last dot of
 * the last component, if any); never replaces a file. With keep set, from
 * stays too (a hard link: the caller unlinks it once done), else it is
 * renamed. The name used goes into out (reset). 0 or -1.
 */
int maildir_move(const char *from, const char *to, int keep, struct buf *out);

/*
 * Reads an options file: "NAME=VALUE" lines (spaces around NAME and
 * VALUE trimmed; blank lines and lines starting with # skipped) set
 * NAME in obj (a later line wins). Returns 0 (a missing file sets
 * nothing), -1 with "PATH:LINE: ..." or "PATH: ..." in err.
 */
int maildir_options(const char *path, json_t *obj, struct buf *err);

#endif
