/* Command-line and output plumbing; see cli.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "exitcode.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "dev"
#endif

#define OUT_BUFFER (256 * 1024) /* bytes of records written at once */

/* stdout's records: see cli.h. */
static struct {
	char *buf;
	size_t len;
	unsigned long long pending; /* records in buf */
	unsigned long long lost;    /* records that did not reach stdout */
	int line_buffered;
	int err; /* errno of the first write error, 0 before one */
} recout;

int
cli_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

const char *
cli_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int
cli_seconds(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= 0 && v <= 86400))
		return -1;
	*out = v;
	return 0;
}

int
cli_size(const char *s, size_t *out)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {
	    {"", 0},
	    {"b", 0},
	    {"k", 10},
	    {"kb", 10},
	    {"kib", 10},
	    {"m", 20},
	    {"mb", 20},
	    {"mib", 20},
	    {"g", 30},
	    {"gb", 30},
	    {"gib", 30},
	};
	char *end;
	unsigned long long v;
	size_t i;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) != 0)
			continue;
		if (v > (BUF_UNLIMITED >> units[i].shift))
			return -1;
		*out = (size_t)(v << units[i].shift);
		return 0;
	}
	return -1;
}

void
cli_version(void)
{
	printf("%s (sluice) %s\n", diag_stage(), SLUICE_VERSION);
}

int
cli_usage_error(const char *synopsis, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", diag_stage());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(
	    stderr, "\nusage: %s\ntry '%s --help'\n", synopsis, diag_stage());
	return EXIT_USAGE;
}

/*
 * Writes all n bytes to stdout, again after a signal. Returns the count
 * written: n, or fewer after a write error (errno set).
 */
static size_t
write_all(const char *p, size_t n)
{
	size_t done = 0;
	ssize_t w;

	while (done < n) {
		w = write(STDOUT_FILENO, p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			break;
		}
		done += (size_t)w;
	}
	return done;
}

/* Counts the \n bytes among n: the records a partial write finished. */
static unsigned long long
newlines(const char *p, size_t n)
{
	unsigned long long k = 0;
	const char *e = p + n;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

/*
 * Writes n bytes holding recs whole records. On a write error the records
 * not written whole are lost, and so is every later one. 0 or -1.
 */
static int
out_write(const char *p, size_t n, unsigned long long recs)
{
	size_t done = write_all(p, n);

	if (done == n)
		return 0;
	recout.err = errno;
	recout.lost += recs - newlines(p, done);
	return -1;
}

/* Writes the buffered records. 0 or -1. */
static int
out_flush(void)
{
	int rc =
	    recout.len ? out_write(recout.buf, recout.len, recout.pending) : 0;

	recout.len = 0;
	recout.pending = 0;
	return rc;
}

void
out_init(int line_buffered)
{
	recout.line_buffered = line_buffered;
}

int
out_record(const struct buf *b)
{
	if (recout.err == 0 && recout.len + b->len > OUT_BUFFER)
		out_flush();
	if (recout.err) {
		recout.lost++;
		return -1;
	}
	/* A record larger than the buffer goes out by itself. */
	if (b->len > OUT_BUFFER)
		return out_write(b->data, b->len, 1);
	if (recout.buf == NULL)
		recout.buf = xmalloc(OUT_BUFFER);
	memcpy(recout.buf + recout.len, b->data, b->len);
	recout.len += b->len;
	recout.pending++;
	return recout.line_buffered ? out_flush() : 0;
}

int
out_sync(void)
{
	return recout.err ? -1 : out_flush();
}

int
out_errno(void)
{
	return recout.err;
}

unsigned long long
out_lost(void)
{
	return recout.lost;
}

int
out_finish(void)
{
	/* An error before this call was told when out_record() said -1. */
	int saved = out_flush() < 0 ? recout.err : 0;

	free(recout.buf);
	recout.buf = NULL;
	/* stdio's stdout: --help, --version, or a stage that used fwrite. */
	if ((fflush(stdout) != 0 || ferror(stdout)) && saved == 0 &&
	    recout.err == 0)
		saved = errno ? errno : EIO;
	if (fclose(stdout) != 0 && saved == 0 && recout.err == 0)
		saved = errno;
	if (saved) {
		diag(NULL, 0, "write error on stdout: %s", strerror(saved));
		return EXIT_IOERR;
	}
	return recout.err ? EXIT_IOERR : EXIT_OK;
}
