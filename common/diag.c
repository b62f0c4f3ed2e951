/* Diagnostics; see diag.h. */
#include <stdarg.h>
#include <stdio.h>

#include "diag.h"

static const char *stage_name = "sluice";
static void (*before)(void); /* diag_before() */

void
diag_init(const char *stage)
{
	stage_name = stage;
}

const char *
diag_stage(void)
{
	return stage_name;
}

void
diag_before(void (*clear)(void))
{
	before = clear;
}

/*
 * The line is formatted first and written with one fwrite(): stderr is
 * unbuffered, so each printf would be a write(2) of its own, and the
 * stages of an import share one pipe to its log (stages.log): the pieces
 * of two stages' lines would interleave, and a summary line read from the
 * log would be lost. A line up to PIPE_BUF bytes (4096 on Linux) reaches a
 * pipe whole; a longer one is written as it comes.
 */
void
diag(const char *file, unsigned long long line, const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	int n, m;

	if (before)
		before();
	if (file && line)
		n = snprintf(text, sizeof(text), "%s: %s:%llu: ", stage_name,
		    file, line);
	else if (file)
		n = snprintf(text, sizeof(text), "%s: %s: ", stage_name, file);
	else
		n = snprintf(text, sizeof(text), "%s: ", stage_name);
	m = -1;
	if (n >= 0 && (size_t)n < sizeof(text)) {
		va_start(ap, fmt);
		m = vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (m >= 0 && (size_t)n + (size_t)m + 1 < sizeof(text)) {
		text[n + m] = '\n';
		fwrite(text, 1, (size_t)n + (size_t)m + 1, stderr);
		return;
	}
	/* Too long for the buffer: in pieces. */
	fprintf(stderr, "%s: ", stage_name);
	if (file && line)
		fprintf(stderr, "%s:%llu: ", file, line);
	else if (file)
		fprintf(stderr, "%s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
