/*
 * Reading an input file or stdin, gzipped or not: gzip is recognised by its
 * magic bytes, never by the file name, and concatenated members are read as
 * one stream.
 *
 * Every input is read as data comes: input_read() returns what one read(2)
 * brought, raw, or inflated (zlib's inflate) when the input starts with the
 * gzip magic. So a slow trickle down a pipe reaches the stage at once (zlib's
 * gzread() waits to fill its buffer first), and the end of a gzip file is
 * checked: bytes after its last member that do not start another one are
 * damage, where gzread() ignores them silently.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stddef.h>
#include <sys/types.h>
#include <zlib.h>

enum input_status {
	INPUT_OK = 0,
	INPUT_MISSING, /* no file there: it does not exist, or it is a
	                  directory (exit 66) */
	INPUT_IOERR,   /* read or open error (exit 74) */
	INPUT_CORRUPT  /* the gzip stream is truncated or damaged, or has
	                  bytes after it that are not gzip (exit 65) */
};

struct input {
	int fd;
	const char *name; /* as shown in messages and _meta: "<stdin>" for - */
	off_t size;       /* of the file on disk, or -1 when unknown */
	off_t consumed;   /* bytes read from the file so far */
	enum input_status status;
	char errmsg[160];
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
