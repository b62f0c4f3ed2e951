/* Command-line and output plumbing; see cli.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "diag.h"
#include "exitcode.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "dev"
#endif

static int out_line_buffered;

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

void
out_init(int line_buffered)
{
	out_line_buffered = line_buffered;
	if (!line_buffered)
		setvbuf(stdout, NULL, _IOFBF, 256 * 1024);
}

int
out_record(const struct buf *b)
{
	if (fwrite(b->data, 1, b->len, stdout) != b->len)
		return -1;
	if (out_line_buffered && fflush(stdout) != 0)
		return -1;
	return 0;
}

int
out_finish(void)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);
	int saved = errno;

	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (bad) {
		diag(NULL, 0, "write error on stdout: %s", strerror(saved));
		return EXIT_IOERR;
	}
	return EXIT_OK;
}
