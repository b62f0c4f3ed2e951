/*
 * Reading an input file or stdin, gzipped or not: gzip is recognised by its
 * magic bytes, never by the file name, and concatenated members are read as
 * one stream.
 *
 * A regular file is read through zlib's gz* functions. A pipe or terminal
 * is read as data comes instead: gzread() waits until it has filled its
 * buffer (256 KiB) or the input ends, so a slow trickle would not reach a
 * stage for a long time; input_read() returns what one read(2) brought,
 * raw, or inflated when the input starts with the gzip magic.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stddef.h>
#include <sys/types.h>
#include <zlib.h>

enum input_status {
	INPUT_OK = 0,
	INPUT_MISSING, /* the file does not exist (exit 66) */
	INPUT_IOERR,   /* read or open error (exit 74) */
	INPUT_CORRUPT  /* the gzip stream is truncated or damaged (exit 65) */
};

struct input {
	gzFile gz;
	int fd;
	const char *name; /* as shown in messages and _meta: "<stdin>" for - */
	off_t size;       /* of the file on disk, or -1 when unknown */
	enum input_status status;
	char errmsg[160];
	/* A pipe or terminal (see the top); the rest is for its reading. */
	int stream;
	int sniffed;           /* its first bytes were looked at */
	unsigned char peek[2]; /* raw: those bytes, not yet returned */
	size_t npeek;
	z_stream *z;        /* gzip: the inflate state, else NULL */
	unsigned char *zin; /* gzip: compressed bytes read */
	int zeof, zend;     /* gzip: input ended; a member ended */
};

/*
 * Opens path, or stdin when path is NULL or "-". Returns INPUT_OK, or a
 * status with a message in in->errmsg. The name is borrowed: path must
 * outlive the input.
 */
enum input_status input_open(struct input *in, const char *path);

/*
 * Reads up to n bytes of (decompressed) data. Returns the count, 0 at the
 * end, or -1 on error with in->status and in->errmsg set. A truncated gzip
 * stream returns its data first, then -1.
 */
ssize_t input_read(struct input *in, void *dst, size_t n);

/* How far through the file on disk reading is, 0..1, or -1 when unknown. */
double input_fraction(struct input *in);

/* Closes the input (stdin's descriptor is left open). */
void input_close(struct input *in);

/* The exit status that a failed input status calls for. */
int input_exitcode(enum input_status st);

#endif
