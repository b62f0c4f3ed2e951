/*
 * The exit statuses every stage uses (sysexits.h numbers, documented in the
 * README). When several things go wrong the stage exits with the highest.
 */
#ifndef EXITCODE_H
#define EXITCODE_H

enum exitcode {
	EXIT_OK = 0,           /* all records accounted for, none rejected */
	EXIT_REJECTS = 1,      /* finished; some records rejected */
	EXIT_USAGE = 64,       /* bad command line */
	EXIT_DATAERR = 65,     /* input unusable (no header, bad map file) */
	EXIT_NOINPUT = 66,     /* an input file is missing */
	EXIT_UNAVAILABLE = 69, /* a service stayed unavailable after retries */
	EXIT_IOERR = 74,       /* read or write error */
	EXIT_NOPERM = 77       /* credentials refused */
};

/* Returns the worse of two exit statuses (the numerically higher one). */
static inline int
exit_worst(int a, int b)
{
	return a > b ? a : b;
}

#endif
