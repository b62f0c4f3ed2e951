/* A log of lines only ever appended to; see appendlog.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appendlog.h"
#include "ledger.h"

/*
 * Where the whole lines of fd end: its size when the last byte is a \n,
 * else just after the last \n (0 when there is none). -1 on a read error.
 */
static off_t
whole_end(int fd)
{
	char chunk[4096];
	struct stat st;
	off_t end, at;
	ssize_t n, i;

	if (fstat(fd, &st) < 0)
		return -1;
	end = st.st_size;
	while (end > 0) {
		at =
		    end > (off_t)sizeof(chunk) ? end - (off_t)sizeof(chunk) : 0;
		n = pread(fd, chunk, (size_t)(end - at), at);
		if (n < 0)
			return -1;
		for (i = n; i > 0; i--) {
			if (chunk[i - 1] == '\n')
				return at + i;
		}
		end = at;
	}
	return 0;
}

/* Locks fd for writing, waiting for the holder; 0 or -1 (errno). */
static int
lock_wait(int fd)
{
	struct flock fl;
	int rc;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	do
		rc = fcntl(fd, F_SETLKW, &fl);
	while (rc < 0 && errno == EINTR);
	return rc;
}

/* Writes n bytes at p on fd, which appends; 0 or -1 (errno). */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
appendlog_add(const char *path, const char *line, size_t n, struct buf *err)
{
	struct buf text = BUF_INIT;
	int fd, created = 0, rc = -1;
	off_t end, size;
	struct stat st;

	fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
		created = fd >= 0;
	}
	if (fd < 0) {
		buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (memchr(line, '\n', n)) {
		buf_printf(err, "%s: a line holds a newline", path);
		goto out;
	}
	if (lock_wait(fd) < 0) {
		buf_printf(err, "%s: cannot lock: %s", path, strerror(errno));
		goto out;
	}
	end = whole_end(fd);
	if (end < 0 || fstat(fd, &st) < 0) {
		buf_printf(err, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	size = st.st_size;
	if (end < size && ftruncate(fd, end) < 0) {
		buf_printf(err, "%s: cannot cut its torn last line: %s", path,
		    strerror(errno));
		goto out;
	}
	if (buf_add(&text, line, n) < 0 || buf_addc(&text, '\n') < 0) {
		buf_printf(err, "%s: a line too long", path);
		goto out;
	}
	/* One write(2): a line is whole, or torn at the end. */
	if (write_all(fd, text.data, text.len) < 0) {
		buf_printf(err, "%s: cannot write: %s", path, strerror(errno));
		if (ftruncate(fd, end) < 0) {
			/* the next append cuts it */
		}
		goto out;
	}
	rc = ledger_sync_file(fd, path, &created, err);
out:
	buf_release(&text);
	if (close(fd) < 0 && rc == 0) {
		buf_printf(err, "%s: cannot close: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

int
appendlog_read(const char *path,
    int (*fn)(void *arg, const char *line, size_t n), void *arg,
    struct buf *err)
{
	struct buf line = BUF_INIT;
	char chunk[65536];
	int fd, rc = 0;
	ssize_t n, i, from;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(
			    err, "%s: cannot read: %s", path, strerror(errno));
			rc = -1;
			break;
		}
		for (from = 0, i = 0; rc == 0 && i < n; i++) {
			if (chunk[i] != '\n')
				continue;
			buf_add(&line, chunk + from, (size_t)(i - from));
			rc = fn(arg, line.data ? line.data : "", line.len);
			buf_reset(&line);
			from = i + 1;
		}
		if (rc == 0)
			buf_add(&line, chunk + from, (size_t)(n - from));
	}
	/* What is left in line has no \n: a torn last line. */
	buf_release(&line);
	close(fd);
	return rc;
}
