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

void
diag(const char *file, unsigned long long line, const char *fmt, ...)
{
	va_list ap;

	if (before)
		before();
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
