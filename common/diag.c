/* Diagnostics; see diag.h. */
#include <stdarg.h>
#include <stdio.h>

#include "diag.h"
#include "progress.h"

static const char *stage_name = "sluice";

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
diag(const char *file, unsigned long long line, const char *fmt, ...)
{
	va_list ap;

	progress_clear();
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
