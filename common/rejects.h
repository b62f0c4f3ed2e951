/*
 * The side files a stage writes beside its output: rejects (--rejects FILE)
 * and dropped records (--dropped FILE). Each line is one JSON object:
 *
 *	{"stage":"csv2ndjson","reason":"...","file":"x.csv","line":12,"record":...}
 *
 * For dropped records the key "rule" replaces "reason". "record" is the
 * record as a JSON object when it could be parsed, else its raw text as a
 * string (invalid UTF-8 shown as U+FFFD). "file" and "line" say where the
 * stage read it.
 */
#ifndef REJECTS_H
#define REJECTS_H

#include <jansson.h>
#include <stdio.h>

#include "buf.h"

struct rejects {
	FILE *fp;          /* NULL when no file was asked for */
	const char *path;  /* borrowed */
	const char *stage; /* borrowed */
	const char *key;   /* "reason" or "rule" */
	struct buf line;
};

/*
 * Opens path for writing (truncating it); path NULL means records are only
 * counted. key is "reason" for rejects, "rule" for dropped records. Returns
 * 0, or -1 with errno set.
 */
int rejects_open(
    struct rejects *r, const char *stage, const char *path, const char *key);

/*
 * Writes one entry whose record is raw text (n bytes, any bytes). Returns 0,
 * or -1 with errno set on a write error. A no-op without a file.
 */
int rejects_raw(struct rejects *r, const char *why, const char *file,
    unsigned long long line, const char *raw, size_t n);

/* Writes one entry whose record is a JSON value (borrowed). 0 or -1. */
int rejects_json(struct rejects *r, const char *why, const char *file,
    unsigned long long line, const json_t *record);

/*
 * Writes one entry whose record is n bytes of JSON text, compact as
 * jansson writes it (a canonical line, jdoc.h), put in as it is. 0 or -1.
 */
int rejects_text(struct rejects *r, const char *why, const char *file,
    unsigned long long line, const char *json, size_t n);

/*
 * Flushes and closes the file. Returns 0, or -1 with errno set when any
 * write failed (a full disk is an error too).
 */
int rejects_close(struct rejects *r);

#endif
