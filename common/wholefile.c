/* A file written whole or not at all; see wholefile.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "exitcode.h"
#include "wholefile.h"

void
wholefile_init(struct wholefile *w)
{
	w->path = NULL;
	w->fd = -1;
	w->tmp = NULL;
	w->bytes = 0;
	w->where = NULL;
	w->err = 0;
}

/* Records a failure (errno) on the file named where. -1. */
static int
failed(struct wholefile *w, const char *where)
{
	w->where = where;
	w->err = errno;
	return -1;
}

int
wholefile_check(const char *path, struct buf *why)
{
	struct stat sb;
	size_t n = strlen(path);
	int exists = n > 0 && stat(path, &sb) == 0;

	if (n == 0) {
		buf_adds(why, "--output needs a file name (or - for stdout)");
		return -1;
	}
	if (path[n - 1] == '/' || (exists && S_ISDIR(sb.st_mode))) {
		buf_printf(why,
		    "--output '%s' is a directory: name the file to write",
		    path);
		return -1;
	}
	if (exists && !S_ISREG(sb.st_mode)) {
		buf_printf(why,
		    "--output '%s' is not a regular file: leave --output out to "
		    "write to stdout",
		    path);
		return -1;
	}
	return 0;
}

int
wholefile_open(struct wholefile *w, const char *path, const char *prefix)
{
	const char *dir = getenv("TMPDIR");
	struct buf name = BUF_INIT;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	w->path = path;
	if (path)
		buf_printf(&name, "%s.tmp-XXXXXX", path);
	else
		buf_printf(&name, "%s/%s-XXXXXX", dir, prefix);
	/* mkstemp() makes it mode 0600. */
	if ((w->fd = mkstemp(name.data)) < 0) {
		failed(w, path ? path : dir);
		buf_release(&name);
		return -1;
	}
	if (path) {
		w->tmp = name.data; /* renamed once the file is whole */
		return 0;
	}
	unlink(name.data); /* gone when closed, whatever happens */
	buf_release(&name);
	return 0;
}

int
wholefile_restart(struct wholefile *w)
{
	w->bytes = 0;
	if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)
		return failed(w, w->tmp);
	return 0;
}

int
wholefile_write(struct wholefile *w, const void *p, size_t n)
{
	const char *s = p;
	ssize_t done;

	while (n > 0) {
		if ((done = write(w->fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			return failed(w, w->tmp);
		}
		s += done;
		n -= (size_t)done;
		w->bytes += (unsigned long long)done;
	}
	return 0;
}

/* Syncs, closes and renames the temporary file onto the path. 0 or -1. */
static int
rename_into_place(struct wholefile *w)
{
	if (fsync(w->fd) < 0 || close(w->fd) < 0) {
		w->fd = -1;
		return failed(w, w->tmp);
	}
	w->fd = -1;
	if (rename(w->tmp, w->path) < 0)
		return failed(w, w->path);
	free(w->tmp);
	w->tmp = NULL;
	return 0;
}

int
wholefile_commit(struct wholefile *w)
{
	char chunk[64 << 10];
	ssize_t n;

	if (w->path)
		return rename_into_place(w);
	if (lseek(w->fd, 0, SEEK_SET) < 0)
		goto unreadable;
	while ((n = read(w->fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto unreadable;
		if (fwrite(chunk, 1, (size_t)n, stdout) != (size_t)n)
			break; /* out_finish() says why */
	}
	return 0;
unreadable:
	failed(w, NULL);
	return -2;
}

void
wholefile_release(struct wholefile *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp) {
		unlink(w->tmp);
		free(w->tmp);
	}
	wholefile_init(w);
}

int
wholefile_deliver(struct wholefile *w, const char *what)
{
	switch (wholefile_commit(w)) {
	case -1:
		diag(w->where, 0, "cannot write: %s", strerror(w->err));
		return EXIT_IOERR;
	case -2:
		diag(NULL, 0, "cannot read the downloaded %s back: %s", what,
		    strerror(w->err));
		return EXIT_IOERR;
	}
	return w->path ? 0 : out_finish();
}
