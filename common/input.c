/* Transparent gzip input; see input.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
	if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode))
		in->size = st.st_size;
	else if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(in->fd);
		in->fd = -1;
		in->status = INPUT_IOERR;
		snprintf(in->errmsg, sizeof(in->errmsg), "is a directory");
		return in->status;
	}
	/* zlib reads data without the gzip magic through unchanged. */
	in->gz = gzdopen(in->fd, "rb");
	if (in->gz == NULL) {
		close(in->fd);
		in->fd = -1;
		in->status = INPUT_IOERR;
		snprintf(in->errmsg, sizeof(in->errmsg), "out of memory");
		return in->status;
	}
	gzbuffer(in->gz, 256 * 1024);
	return INPUT_OK;
}

ssize_t
input_read(struct input *in, void *dst, size_t n)
{
	int got, zerr;
	const char *msg;

	if (in->status != INPUT_OK)
		return -1;
	if (n > 1u << 30)
		n = 1u << 30;
	got = gzread(in->gz, dst, (unsigned)n);
	if (got > 0)
		return got;
	msg = gzerror(in->gz, &zerr);
	if (got == 0 && (zerr == Z_OK || zerr == Z_STREAM_END))
		return 0;
	if (zerr == Z_ERRNO) {
		in->status = INPUT_IOERR;
		snprintf(in->errmsg, sizeof(in->errmsg), "read error: %s",
		    strerror(errno));
	} else {
		/* zlib prefixes its message with "<fd:N>: "; drop that. */
		if (msg && msg[0] == '<' && strstr(msg, ">: "))
			msg = strstr(msg, ">: ") + 3;
		in->status = INPUT_CORRUPT;
		snprintf(in->errmsg, sizeof(in->errmsg),
		    "damaged gzip data (truncated file?): %s",
		    msg ? msg : "unknown error");
	}
	return -1;
}

double
input_fraction(struct input *in)
{
	z_off_t pos;

	if (in->size <= 0 || in->gz == NULL)
		return -1;
	pos = gzoffset(in->gz);
	if (pos < 0)
		return -1;
	return pos >= in->size ? 1.0 : (double)pos / (double)in->size;
}

void
input_close(struct input *in)
{
	if (in->gz)
		gzclose_r(in->gz); /* closes in->fd, our own duplicate */
	else if (in->fd >= 0)
		close(in->fd);
	in->gz = NULL;
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
