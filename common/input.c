/* Transparent gzip input; see input.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"
#include "input.h"

enum input_status
input_open(struct input *in, const char *path)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->size = -1;
	if (path == NULL || strcmp(path, "-") == 0) {
		in->name = "<stdin>";
		in->fd = dup(STDIN_FILENO);
	} else {
		in->name = path;
		in->fd = open(path, O_RDONLY);
	}
	if (in->fd < 0) {
		in->status = errno == ENOENT ? INPUT_MISSING : INPUT_IOERR;
		snprintf(in->errmsg, sizeof(in->errmsg), "%s", strerror(errno));
		return in->status;
	}
	if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* Named where a file was meant: no input there, as when the
		 * file is missing, rather than a failure of the disk. */
		close(in->fd);
		in->fd = -1;
		in->status = INPUT_MISSING;
		snprintf(in->errmsg, sizeof(in->errmsg),
		    "is a directory, not a file");
		return in->status;
	}
	if (S_ISREG(st.st_mode))
		in->size = st.st_size;
	return INPUT_OK;
}

#define ZCHUNK (64 * 1024) /* compressed bytes read at a time */

/* One read(2) of up to n bytes, again after a signal. -1 sets the error. */
static ssize_t
read_some(struct input *in, void *dst, size_t n)
{
	ssize_t r;

	while ((r = read(in->fd, dst, n)) < 0 && errno == EINTR)
		;
	if (r > 0)
		in->consumed += r;
	if (r < 0) {
		in->status = INPUT_IOERR;
		snprintf(in->errmsg, sizeof(in->errmsg), "read error: %s",
		    strerror(errno));
	}
	return r;
}

static ssize_t
corrupt(struct input *in, const char *msg)
{
	in->status = INPUT_CORRUPT;
	snprintf(in->errmsg, sizeof(in->errmsg),
	    "damaged gzip data (truncated file?): %s", msg);
	return -1;
}

/* Bytes after the last gzip member that do not start another. -1. */
static ssize_t
trailing(struct input *in)
{
	in->status = INPUT_CORRUPT;
	snprintf(in->errmsg, sizeof(in->errmsg),
	    "damaged gzip data: bytes after its end that are not gzip "
	    "(trailing garbage)");
	return -1;
}

/*
 * Looks at an input's first two bytes (waiting for two, or the end) and
 * sets inflate up when they are the gzip magic. 0 or -1.
 */
static int
sniff(struct input *in)
{
	ssize_t r;

	in->sniffed = 1;
	while (in->npeek < 2 &&
	       (r = read_some(in, in->peek + in->npeek, 2 - in->npeek)) > 0)
		in->npeek += (size_t)r;
	if (in->status != INPUT_OK)
		return -1;
	if (in->npeek < 2 || in->peek[0] != 0x1f || in->peek[1] != 0x8b)
		return 0;
	in->z = calloc(1, sizeof(*in->z));
	in->zin = malloc(ZCHUNK);
	if (in->z == NULL || in->zin == NULL ||
	    inflateInit2(in->z, 31) != Z_OK) {
		free(in->z);
		in->z = NULL;
		in->status = INPUT_IOERR;
		snprintf(in->errmsg, sizeof(in->errmsg), "out of memory");
		return -1;
	}
	memcpy(in->zin, in->peek, 2);
	in->z->next_in = in->zin;
	in->z->avail_in = 2;
	in->npeek = 0;
	return 0;
}

/*
 * Inflates what has come of a gzip stream into dst: as much as the bytes
 * read so far give, reading more only while there is no output yet.
 * Members follow one another; bytes after a member that do not start
 * another make the input corrupt, once the data before them is returned:
 * a file with something glued after its gzip data is not what it claims.
 */
static ssize_t
inflate_some(struct input *in, void *dst, size_t n)
{
	z_stream *z = in->z;
	ssize_t r;
	size_t out;
	int rc;

	z->next_out = dst;
	z->avail_out = (uInt)n;
	for (;;) {
		out = n - z->avail_out;
		if (z->avail_in == 0 && !in->zeof) {
			if (out > 0)
				return (ssize_t)out;
			if ((r = read_some(in, in->zin, ZCHUNK)) < 0)
				return -1;
			in->zeof = r == 0;
			z->next_in = in->zin;
			z->avail_in = (uInt)r;
			continue;
		}
		if (in->zend) {
			/* Here the input has ended, or bytes follow. */
			if (z->avail_in == 0)
				return (ssize_t)out;
			if (z->next_in[0] != 0x1f)
				return out > 0 ? (ssize_t)out : trailing(in);
			inflateReset(z);
			in->zend = 0;
		}
		if (z->avail_in == 0)
			return out > 0 ? (ssize_t)out
			               : corrupt(in, "unexpected end of file");
		rc = inflate(z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			in->zend = 1;
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			return corrupt(in, z->msg ? z->msg : "inflate failed");
		if (z->avail_out == 0)
			return (ssize_t)n;
	}
}

ssize_t
input_read(struct input *in, void *dst, size_t n)
{
	size_t k;

	if (in->status != INPUT_OK)
		return -1;
	if (n > 1u << 30)
		n = 1u << 30;
	if (!in->sniffed && sniff(in) < 0)
		return -1;
	if (in->z)
		return inflate_some(in, dst, n);
	if (in->npeek) {
		k = n < in->npeek ? n : in->npeek;
		memcpy(dst, in->peek, k);
		memmove(in->peek, in->peek + k, in->npeek - k);
		in->npeek -= k;
		return (ssize_t)k;
	}
	return read_some(in, dst, n);
}

double
input_fraction(struct input *in)
{
	if (in->size <= 0)
		return -1;
	return in->consumed >= in->size
	           ? 1.0
	           : (double)in->consumed / (double)in->size;
}

void
input_close(struct input *in)
{
	if (in->fd >= 0)
		close(in->fd); /* our own, stdin's duplicate included */
	if (in->z) {
		inflateEnd(in->z);
		free(in->z);
	}
	free(in->zin);
	in->z = NULL;
	in->zin = NULL;
	in->fd = -1;
}

int
input_exitcode(enum input_status st)
{
	switch (st) {
	case INPUT_OK:
		return EXIT_OK;
	case INPUT_MISSING:
		return EXIT_NOINPUT;
	case INPUT_CORRUPT:
		return EXIT_DATAERR;
	case INPUT_IOERR:
		break;
	}
	return EXIT_IOERR;
}
